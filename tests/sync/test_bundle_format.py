"""Bundle format v1 (docs/bundle-format.md): what a coordinator relies on —
a bundle reads back exactly as written, and any change, cut, foreign key or
mismatch is refused with the spec's reason before anything is used."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from pathlib import Path

import pyrage
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.errors import CODES
from sync.bundle import (
    BlobEntry,
    BlobSource,
    BundleContents,
    BundleNotWritten,
    BundleRejected,
    check_bundle,
    read_bundle,
    remove_partial_files,
    write_bundle,
)
from sync.bundle.errors import REASONS
from sync.bundle.format import MAGIC, canonical
from sync.bundle.writer import build_manifest
from tests.sync.bundle_samples import (
    CREATED_MS,
    Sample,
    archive,
    device_from_seed,
    forge,
    plain_members,
    sample,
    signing,
    write_sample,
)

IDENTITY = pyrage.x25519.Identity.generate()
RECIPIENT = str(IDENTITY.to_public())
SECRET = str(IDENTITY)


class _Sink(bytearray):
    closed = False

    def write(self, data: bytes) -> int:
        assert not self.closed
        self.extend(data)
        return len(data)

    def close(self) -> None:
        self.closed = True


def _collect() -> tuple[dict[str, _Sink], object]:
    files: dict[str, _Sink] = {}

    def open_blob(entry: BlobEntry) -> _Sink:
        files[entry.sha256] = _Sink()
        return files[entry.sha256]

    return files, open_blob


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Sample]:
    path = tmp_path_factory.mktemp("bundle") / "sample.fvbundle"
    made = write_sample(path, [RECIPIENT])
    return path, made


def reason_of(data: bytes, identity: str | None = SECRET, **kwargs: object) -> str:
    with pytest.raises(BundleRejected) as refused:
        if identity is None:
            check_bundle(io.BytesIO(data), **kwargs)  # type: ignore[arg-type]
        else:
            read_bundle(io.BytesIO(data), identity, **kwargs)  # type: ignore[arg-type]
    return refused.value.reason


def test_round_trip_gives_back_every_revision_event_and_file(written):
    path, made = written
    files, open_blob = _collect()
    opened = read_bundle(path, SECRET, org_id=made.contents.org_id, open_blob=open_blob)  # type: ignore[arg-type]
    assert opened.revisions == list(made.contents.revisions)
    assert opened.custody == list(made.contents.custody)
    assert {sha: bytes(data) for sha, data in files.items()} == made.blob_bytes
    assert all(sink.closed for sink in files.values())
    assert opened.manifest == build_manifest(made.contents, made.device.device_id)
    header = opened.header
    assert (header.org_id, header.device_id, header.sequence, header.previous) == (
        made.contents.org_id,
        made.device.device_id,
        1,
        None,
    )
    assert header.custody_head == made.contents.custody[-1]["hash"]
    raw = path.read_bytes()
    n = int.from_bytes(raw[20:24], "big")
    assert opened.bundle_id == hashlib.sha256(raw[24 : 24 + n + 64]).hexdigest()
    assert check_bundle(path).bundle_id == opened.bundle_id
    assert header.payload_size == len(raw) - (24 + n + 64)


def test_an_empty_bundle_and_a_chained_one_read_back(tmp_path):
    first = tmp_path / "1.fvbundle"
    write_sample(first, [RECIPIENT], blobs=[])
    bundle_id = check_bundle(first).bundle_id
    second = tmp_path / "2.fvbundle"
    write_sample(second, [RECIPIENT], sequence=2, previous=bundle_id)
    opened = read_bundle(second, SECRET)
    assert (opened.header.sequence, opened.header.previous) == (2, bundle_id)
    assert opened.manifest.binding["previous"] == bundle_id


def test_every_coordinator_can_decrypt_and_no_one_else(tmp_path):
    others = [pyrage.x25519.Identity.generate() for _ in range(2)]
    path = tmp_path / "b.fvbundle"
    write_sample(path, [RECIPIENT, str(others[0].to_public())])
    read_bundle(path, SECRET)
    read_bundle(path, others[0])
    # A non-recipient learns nothing: refused before any member is seen.
    seen: list[str] = []
    with pytest.raises(BundleRejected) as refused:
        read_bundle(path, others[1], open_blob=lambda e: seen.append(e.sha256))
    assert refused.value.reason == "not-a-recipient"
    assert seen == []
    # Without a key, the server's checks still pass.
    check_bundle(path)


def test_reading_checks_the_organisation(written):
    path, _ = written
    with pytest.raises(BundleRejected) as refused:
        read_bundle(path, SECRET, org_id="01936f3e-8a00-7000-8000-0000000000ff")
    assert refused.value.reason == "organisation"
    with pytest.raises(BundleRejected):
        check_bundle(path, org_id="01936f3e-8a00-7000-8000-0000000000ff")


def _region_reasons(data: bytes, position: int) -> set[str]:
    """The reasons a flip at ``position`` may honestly give, by §5's order."""
    n = int.from_bytes(data[20:24], "big")
    if position < 20:
        return {"magic"}
    if position < 24:  # the header length: too big, or the wrong bytes as header
        return {"header-size", "header-form", "truncated"}
    if position < 24 + n:
        return {"header-form", "header-signature", "device-id"}
    if position < 24 + n + 64:
        return {"header-signature"}
    return {"payload-hash"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fraction=st.floats(0, 1, exclude_max=True), bit=st.integers(0, 7))
def test_a_flipped_bit_anywhere_is_refused_with_its_reason(written, fraction, bit):
    path, _ = written
    data = bytearray(path.read_bytes())
    position = int(fraction * len(data))
    data[position] ^= 1 << bit
    reason = reason_of(bytes(data))
    assert reason in _region_reasons(bytes(data), position)
    assert reason_of(bytes(data), identity=None) in _region_reasons(bytes(data), position)


@pytest.mark.parametrize("where", ["magic", "length", "header", "signature", "payload", "last"])
def test_a_flip_in_each_part_gives_that_parts_reason(written, where):
    path, _ = written
    data = bytearray(path.read_bytes())
    n = int.from_bytes(data[20:24], "big")
    position, expected = {
        "magic": (3, "magic"),
        "length": (20, "header-size"),
        "header": (24 + n // 2, None),
        "signature": (24 + n + 10, "header-signature"),
        "payload": (24 + n + 64 + 500, "payload-hash"),
        "last": (len(data) - 1, "payload-hash"),
    }[where]
    data[position] ^= 0x01
    reason = reason_of(bytes(data))
    assert reason == expected if expected else reason in {"header-form", "header-signature"}


def test_truncation_at_any_length_is_refused(written):
    path, _ = written
    data = path.read_bytes()
    n = int.from_bytes(data[20:24], "big")
    assert reason_of(b"") == "magic"
    for cut in (10, 21, 24, 24 + n - 1, 24 + n + 63, 24 + n + 64, len(data) - 1, len(data) - 200):
        assert reason_of(data[:cut]) == "truncated", cut
        assert reason_of(data[:cut], identity=None) == "truncated", cut


def test_trailing_data_is_refused(written):
    path, _ = written
    data = path.read_bytes()
    assert reason_of(data + b"\x00") == "trailing-data"
    assert reason_of(data + b"more", identity=None) == "trailing-data"


class _Unseekable(io.RawIOBase):
    """A stream (a pipe, a socket): no length known up front."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        # Short reads, as a pipe gives them.
        return self._data.readinto(memoryview(buffer)[:7])


def test_a_stream_without_a_length_is_checked_the_same(written):
    path, made = written
    data = path.read_bytes()
    opened = read_bundle(_Unseekable(data), SECRET)  # type: ignore[arg-type]
    assert opened.revisions == list(made.contents.revisions)
    for bad, expected in ((data[:-1], "truncated"), (data + b"x", "trailing-data")):
        with pytest.raises(BundleRejected) as refused:
            read_bundle(_Unseekable(bad), SECRET)  # type: ignore[arg-type]
        assert refused.value.reason == expected


def test_a_header_signed_by_another_key_is_refused(written):
    _, made = written
    plaintext = archive(plain_members(made))
    stranger = Ed25519PrivateKey.generate()
    assert reason_of(forge(plaintext, made, [RECIPIENT], signer=stranger)) == "header-signature"
    # The stranger's key named with the device's id: the id does not match.
    stranger_key = base64.b64encode(stranger.public_key().public_bytes_raw()).decode()
    forged = forge(plaintext, made, [RECIPIENT], signer=stranger, header_changes={"device_key": stranger_key})
    assert reason_of(forged) == "device-id"


def test_a_payload_moved_under_another_devices_header_is_refused(written):
    """Someone re-signs a captured payload as their own device: the header
    checks pass (a server sees an unknown device) but the manifest, signed by
    the real author, does not verify with the new key."""
    _, made = written
    thief = device_from_seed(b"thief")
    header = {
        "device_key": base64.b64encode(thief.public_key).decode(),
        "device_id": thief.device_id,
    }
    forged = forge(
        archive(plain_members(made)), made, [RECIPIENT], signer=thief.private_key, header_changes=header
    )
    check_bundle(io.BytesIO(forged))
    assert reason_of(forged) == "manifest-signature"


def test_a_manifest_bound_to_another_bundle_is_refused(written):
    _, made = written
    # The device's genuine sequence-1 payload under a sequence-2 header.
    forged = forge(
        archive(plain_members(made)), made, [RECIPIENT], header_changes={"sequence": 2, "previous": "a" * 64}
    )
    assert reason_of(forged) == "manifest-binding"


def _manifest(made: Sample) -> dict:
    return build_manifest(made.contents, made.device.device_id).to_json()


def _refusal_for(made: Sample, members: list[tuple[str, bytes]]) -> str:
    return reason_of(forge(archive(members), made, [RECIPIENT]))


def test_contents_that_do_not_match_the_manifest_are_refused(written):
    _, made = written
    members = plain_members(made)
    revisions = made.contents.revisions
    blobs = list(made.blob_bytes)
    # A changed evidence file (same length).
    changed = [(n, d if n != f"blobs/{blobs[0]}" else bytes(len(d))) for n, d in members]
    files, open_blob = _collect()
    assert reason_of(forge(archive(changed), made, [RECIPIENT]), open_blob=open_blob) == f"blob:{blobs[0]}"
    assert not files[blobs[0]].closed  # never handed over as complete
    # An evidence file of another length than listed.
    longer = [(n, d + b"x" if n == f"blobs/{blobs[1]}" else d) for n, d in members]
    assert _refusal_for(made, longer) == f"blob:{blobs[1]}"
    # A revision left out of revisions.jsonl but still listed: the first line
    # out of its listed place is named; with the last left out, the missing one.
    dropped = [(n, d if n != "revisions.jsonl" else d.split(b"\n", 1)[1]) for n, d in members]
    assert _refusal_for(made, dropped) == f"revision:{revisions[1]['id']}"
    dropped = [(n, d if n != "revisions.jsonl" else d.rsplit(b"\n", 2)[0] + b"\n") for n, d in members]
    assert _refusal_for(made, dropped) == f"revision:{revisions[-1]['id']}"
    # A revision slipped in that the manifest does not list.
    manifest = _manifest(made)
    manifest["revisions"] = manifest["revisions"][1:]
    unlisted = plain_members(made, manifest)
    assert _refusal_for(made, unlisted) == f"revision:{revisions[0]['id']}"
    # A revision whose signed bytes are not those its id names.
    other = dict(revisions[1], id=revisions[0]["id"])
    bad_id = [
        (n, d if n != "revisions.jsonl" else canonical(other) + b"\n" + d.split(b"\n", 1)[1])
        for n, d in members
    ]
    assert _refusal_for(made, bad_id) == f"revision:{revisions[0]['id']}"
    # Custody events reordered.
    custody = made.contents.custody
    swapped = [
        (n, d if n != "custody.jsonl" else canonical(custody[1]) + b"\n" + canonical(custody[0]) + b"\n")
        for n, d in members
    ]
    assert _refusal_for(made, swapped) == f"custody:{custody[1]['hash']}"
    # The newest event cut: the chain no longer ends at the signed custody head.
    manifest = _manifest(made)
    manifest["custody"] = manifest["custody"][:1]
    cut = plain_members(made, manifest)
    cut = [(n, d if n != "custody.jsonl" else canonical(custody[0]) + b"\n") for n, d in cut]
    assert _refusal_for(made, cut) == f"custody:{custody[0]['hash']}"


def test_members_out_of_order_misnamed_missing_or_extra_are_refused(written):
    _, made = written
    members = plain_members(made)
    cases = {
        "swapped": [members[1], members[0], *members[2:]],
        "blobs swapped": [*members[:4], members[5], members[4]],
        "renamed": [("manifest.JSON", members[0][1]), *members[1:]],
        "path": [*members[:4], ("blobs/../" + members[4][0], members[4][1]), members[5]],
        "missing blob": members[:5],
        "extra member": [*members, ("notes.txt", b"x")],
        "no custody": [*members[:3], *members[4:]],
    }
    for label, variant in cases.items():
        assert _refusal_for(made, variant) == "archive-form", label
    # A directory entry, a link, no end of archive, garbage after the end.
    assert reason_of(forge(archive(members)[:-1024], made, [RECIPIENT])) == "archive-form"
    assert reason_of(forge(archive(members) + b"junk", made, [RECIPIENT])) == "archive-form"
    assert reason_of(forge(b"", made, [RECIPIENT])) == "archive-form"


def test_a_manifest_not_signed_or_not_canonical_is_refused(written):
    _, made = written
    members = plain_members(made)
    bad_sig = [members[0], ("manifest.sig", bytes(64)), *members[2:]]
    assert _refusal_for(made, bad_sig) == "manifest-signature"
    spaced = json.dumps(_manifest(made)).encode()
    assert _refusal_for(made, [("manifest.json", spaced), *members[1:]]) == "archive-form"


def test_a_payload_that_is_not_age_is_refused_as_such(written):
    """Signed by the device but not an age file (a broken writer)."""
    _, made = written
    forged = bytearray(forge(archive(plain_members(made)), made, [RECIPIENT]))
    n = int.from_bytes(forged[20:24], "big")
    header = json.loads(forged[24 : 24 + n])
    payload = b"not age at all"
    header.update(payload_size=len(payload), payload_sha256=hashlib.sha256(payload).hexdigest())
    header_bytes = canonical(header)
    sig = made.device.private_key.sign(b"fieldvault-bundle-header/1\n" + header_bytes)
    data = MAGIC + len(header_bytes).to_bytes(4, "big") + header_bytes + sig + payload
    assert reason_of(data) == "payload-form"
    check_bundle(io.BytesIO(data))


def test_header_form_is_strict(written):
    _, made = written
    plaintext = archive(plain_members(made))
    for change in (
        {"version": 2},
        {"sequence": 0},
        {"sequence": True},
        {"previous": "a" * 64},  # previous with sequence 1
        {"payload_size": -1},
        {"created_ms": 1.5},
        {"org_id": "not-a-uuid"},
        {"custody_head": "ABC"},
        {"extra": 1},
    ):
        assert reason_of(forge(plaintext, made, [RECIPIENT], header_changes=change)) == "header-form", change


def test_writer_refuses_changed_evidence_and_leaves_nothing(tmp_path):
    made = sample()
    first = made.contents.blobs[0]
    changed = BlobSource(first.sha256, first.size, first.evidence_ids, io.BytesIO(b"x" * first.size))
    contents = BundleContents(**{**made.contents.__dict__, "blobs": [changed, *made.contents.blobs[1:]]})
    with pytest.raises(BundleNotWritten) as refused:
        write_bundle(tmp_path / "b.fvbundle", contents, signing(made.device), [RECIPIENT])
    assert refused.value.code == "bundle-blob-changed"
    assert list(tmp_path.iterdir()) == []


def test_writer_never_replaces_a_file(tmp_path):
    target = tmp_path / "b.fvbundle"
    target.write_bytes(b"keep")
    made = sample()
    with pytest.raises(BundleNotWritten) as refused:
        write_bundle(target, made.contents, signing(made.device), [RECIPIENT])
    assert refused.value.code == "bundle-exists"
    assert target.read_bytes() == b"keep"
    assert [p.name for p in tmp_path.iterdir()] == ["b.fvbundle"]


def test_a_cancel_from_progress_leaves_nothing(tmp_path):
    made = sample()

    def cancel(done: int, total: int) -> None:
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_bundle(
            tmp_path / "b.fvbundle", made.contents, signing(made.device), [RECIPIENT], progress=cancel
        )
    assert list(tmp_path.iterdir()) == []


def test_bundle_files_are_private(written):
    path, _ = written
    assert path.stat().st_mode & 0o077 == 0


def test_every_reason_is_a_declared_error_code():
    for kind, (has_subject, _) in REASONS.items():
        declared = CODES[f"bundle-{kind}"]
        assert declared.error is BundleRejected
        assert declared.params == (("subject",) if has_subject else ())
    error = BundleRejected("blob", "ab" * 32)
    assert (error.reason, error.code, error.params) == (
        "blob:" + "ab" * 32,
        "bundle-blob",
        {"subject": "ab" * 32},
    )
    assert "Nothing of it was applied" in str(error)


def test_created_time_and_file_name(written):
    path, _ = written
    assert check_bundle(path).header.created_ms == CREATED_MS


def test_writer_refuses_items_that_are_not_what_their_ids_say(tmp_path):
    made = sample()
    revisions = list(made.contents.revisions)
    revisions[0] = dict(revisions[0], id="0" * 64)
    custody = list(made.contents.custody)
    events = [dict(custody[0], signature="AAAA"), *custody[1:]]
    for change in ({"revisions": revisions}, {"custody": events}):
        contents = BundleContents(**{**made.contents.__dict__, **change})
        with pytest.raises(ValueError, match=r"invalid bundle|wire form"):
            write_bundle(tmp_path / "b.fvbundle", contents, signing(made.device), [RECIPIENT])
    assert list(tmp_path.iterdir()) == []


def test_a_cancel_while_reading_stops_the_read(written):
    path, _ = written

    def cancel(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        read_bundle(path, SECRET, progress=cancel)


def test_revisions_and_events_can_be_taken_one_by_one(written):
    path, made = written
    revisions: list[dict] = []
    events: list[dict] = []
    opened = read_bundle(path, SECRET, on_revision=revisions.append, on_custody=events.append)
    assert revisions == list(made.contents.revisions)
    assert events == list(made.contents.custody)
    assert (opened.revisions, opened.custody) == ([], [])


def test_leftovers_of_an_interrupted_write_are_removed_and_nothing_else(tmp_path):
    leftovers = [
        tmp_path / ".o-d-3.fvbundle.0123456789abcdef.payload.tmp",
        tmp_path / ".o-d-3.fvbundle.0123456789abcdef.tmp",
    ]
    kept = [tmp_path / "o-d-2.fvbundle", tmp_path / ".notes.tmp", tmp_path / ".o-d-3.fvbundle.mine.tmp"]
    for path in leftovers + kept:
        path.write_bytes(b"x")
    assert sorted(remove_partial_files(tmp_path)) == sorted(leftovers)
    assert sorted(tmp_path.iterdir()) == sorted(kept)


def test_check_bundle_reads_a_stream_too(written):
    path, _ = written
    data = path.read_bytes()
    assert check_bundle(_Unseekable(data)).bundle_id == check_bundle(path).bundle_id  # type: ignore[arg-type]
    for bad, expected in ((data[:-1], "truncated"), (data + b"x", "trailing-data")):
        with pytest.raises(BundleRejected) as refused:
            check_bundle(_Unseekable(bad))  # type: ignore[arg-type]
        assert refused.value.reason == expected


def test_without_hard_links_the_bundle_is_renamed_into_place(tmp_path, monkeypatch):
    """A FAT USB stick has no hard links."""

    def no_links(*args, **kwargs):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr("os.link", no_links)
    made = sample()
    target = tmp_path / "b.fvbundle"
    write_bundle(target, made.contents, signing(made.device), [RECIPIENT])
    assert [p.name for p in tmp_path.iterdir()] == ["b.fvbundle"]
    read_bundle(target, SECRET)
