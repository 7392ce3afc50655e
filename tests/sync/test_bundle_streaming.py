"""The streaming paths made for speed (issue 11 benchmarks) give the same
bundles: the payload written in place behind a header whose length was
estimated (and moved when the estimate misses), chunks of ~1 MiB holding
many members, and hashes computed on a helper thread."""

from __future__ import annotations

import base64
import errno
import hashlib
import io
import os
from pathlib import Path

import pyrage
import pytest

from db.device import DeviceIdentity as VaultDevice
from sync.bundle import (
    BlobEntry,
    BlobSource,
    BundleContents,
    BundleNotWritten,
    BundleRejected,
    check_bundle,
    read_bundle,
    write_bundle,
)
from sync.bundle import writer as bundle_writer
from sync.bundle.format import public_key_bytes
from sync.bundle.hashing import HashingThread, ThreadedSha256
from tests.sync.bundle_samples import CREATED_MS, sample, signing

IDENTITY = pyrage.x25519.Identity.generate()
RECIPIENT = str(IDENTITY.to_public())


class _Sink(bytearray):
    closed = False

    def write(self, data: bytes) -> int:
        self.extend(data)
        return len(data)

    def close(self) -> None:
        self.closed = True


def _read_all(path: Path) -> dict[str, bytes]:
    sinks: dict[str, _Sink] = {}

    def open_blob(entry: BlobEntry) -> _Sink:
        sinks[entry.sha256] = _Sink()
        return sinks[entry.sha256]

    read_bundle(path, IDENTITY, open_blob=open_blob)
    assert all(sink.closed for sink in sinks.values())
    return {sha: bytes(sink) for sha, sink in sinks.items()}


@pytest.mark.parametrize("estimate", [5, 10**12])
def test_a_missed_estimate_of_the_header_length_still_gives_a_whole_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, estimate: int
) -> None:
    """The payload's size has another number of digits than estimated (too
    few, too many): the payload is moved behind the header it needs."""
    monkeypatch.setattr(bundle_writer, "_estimated_payload_size", lambda *args: estimate)
    made = sample([os.urandom(300_000), b"", b"x"])
    target = tmp_path / "b.fvbundle"
    written = write_bundle(target, made.contents, signing(made.device), [RECIPIENT], created_ms=CREATED_MS)
    assert [p.name for p in tmp_path.iterdir()] == ["b.fvbundle"]  # no temporary left
    assert check_bundle(target).bundle_id == written.bundle_id
    assert _read_all(target) == made.blob_bytes


def test_the_estimate_usually_gives_the_header_length(tmp_path: Path) -> None:
    """So that the payload is not copied: the estimated header is as long as
    the real one for bundles of every size class up to a few MiB."""
    for size in (0, 1, 9_000, 99_000, 950_000, 3_000_000):
        made = sample([os.urandom(size)])
        contents, device = made.contents, signing(made.device)
        target = tmp_path / f"{size}.fvbundle"
        written = write_bundle(target, contents, device, [RECIPIENT], created_ms=CREATED_MS)
        header_length = int.from_bytes(target.read_bytes()[20:24], "big")
        key = public_key_bytes(device.private_key)
        estimate = bundle_writer._prefix_size(contents, device, key, CREATED_MS, written.header.payload_size)
        assert estimate == 20 + 4 + header_length + 64


def test_many_small_files_in_one_chunk_read_back(tmp_path: Path) -> None:
    """Hundreds of members inside one ~1 MiB plaintext chunk, sizes around
    the 512-byte tar blocks."""
    blobs = [os.urandom(n) for n in (0, 1, 511, 512, 513, 1023, 1024, 1025)] * 40
    blobs = [blob + bytes([i % 256, i // 256]) for i, blob in enumerate(blobs)]  # all different
    made = sample(blobs)
    target = tmp_path / "b.fvbundle"
    write_bundle(target, made.contents, signing(made.device), [RECIPIENT], created_ms=CREATED_MS)
    assert _read_all(target) == made.blob_bytes


def test_a_file_that_differs_from_its_record_is_refused_after_the_helper_thread_hashed_it(
    tmp_path: Path,
) -> None:
    made = sample([b"a" * (3 << 20)])
    made.contents.blobs[0].file.write(b"b")  # BytesIO: first byte changed
    made.contents.blobs[0].file.seek(0)
    with pytest.raises(BundleNotWritten) as refused:
        write_bundle(tmp_path / "b.fvbundle", made.contents, signing(made.device), [RECIPIENT])
    assert refused.value.code == "bundle-blob-changed"
    assert list(tmp_path.iterdir()) == []


def test_a_changed_byte_in_a_large_file_is_refused_by_the_reader(tmp_path: Path) -> None:
    """The reader's blob hash (on the helper thread) against the manifest,
    the payload hash against the header: a bundle whose evidence bytes were
    swapped by its signer is refused at that file."""
    made = sample([b"a" * (3 << 20)])
    target = tmp_path / "b.fvbundle"
    write_bundle(target, made.contents, signing(made.device), [RECIPIENT])
    data = bytearray(target.read_bytes())
    data[-100] ^= 1
    (tmp_path / "c.fvbundle").write_bytes(data)
    with pytest.raises(BundleRejected) as refused:
        read_bundle(tmp_path / "c.fvbundle", IDENTITY)
    assert refused.value.reason == "payload-hash"


def test_threaded_digests_equal_hashlib_in_order() -> None:
    pieces = [os.urandom(n) for n in (0, 1, 2047, 2048, 1 << 20, 70_000)] * 5
    with HashingThread(depth=2) as hasher:
        one, two = ThreadedSha256(hasher), ThreadedSha256(hasher)
        for piece in pieces:
            one.update(piece)
        for piece in reversed(pieces):
            two.update(piece)
        assert one.hexdigest() == hashlib.sha256(b"".join(pieces)).hexdigest()
        assert two.digest() == hashlib.sha256(b"".join(reversed(pieces))).digest()


def test_evidence_bytes_that_differ_from_the_manifest_are_refused_by_the_vault(tmp_path: Path) -> None:
    """A bundle its own device signed, whose evidence member holds other
    bytes (same size) than the manifest's SHA-256: the import refuses it
    ``blob:<sha>`` with nothing stored. The vault's blob writer is the one
    hash of these bytes on import (the reader relies on its check)."""
    from sync.bundle.writer import build_manifest
    from tests.sync.bundle_samples import Sample, archive, forge, plain_members
    from tests.sync.test_bundle_roundtrip import ORG, blob_files, counts, make_org

    org = make_org(tmp_path)
    try:
        worker = org.worker
        key = worker.sync.signing_key()
        device = VaultDevice(worker.device_id, worker.device_public_key, key)
        revisions = [
            {
                "id": r.revision_id,
                "signed": base64.b64encode(r.signed).decode(),
                "signature": base64.b64encode(r.signature).decode(),
            }
            for r in worker.revisions.since(0, 10_000)
        ]
        custody = [event.to_wire() for event in worker.sync.custody_since(0, 10_000)]
        other = bytes(b ^ 1 for b in org.field.data)  # same size, other bytes
        contents = BundleContents(
            org_id=ORG, profile_version=1, sequence=1, previous=None,
            custody_head=custody[-1]["hash"], revisions=revisions, custody=custody,
            blobs=[BlobSource(org.field.sha256, len(other), [org.field.evidence_id], io.BytesIO(other))],
        )  # fmt: skip
        made = Sample(device, contents, {org.field.sha256: other})
        assert build_manifest(contents, device.device_id).blobs[0].sha256 == org.field.sha256
        path = tmp_path / "forged.fvbundle"
        path.write_bytes(forge(archive(plain_members(made)), made, [org.recipient]))
        before, files = counts(org.coordinator), blob_files(org.coordinator)
        with pytest.raises(BundleRejected) as refused:
            org.import_(path)
        assert refused.value.reason == f"blob:{org.field.sha256}"
        assert counts(org.coordinator) == before and blob_files(org.coordinator) == files
        # The same bundle with the right bytes is imported.
        made = Sample(device, contents, {org.field.sha256: org.field.data})
        path.write_bytes(forge(archive(plain_members(made)), made, [org.recipient]))
        assert org.import_(path).blobs == 1
    finally:
        org.worker.lock()
        org.coordinator.lock()


def test_a_write_that_fails_midway_is_raised_as_itself_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk stops the bundle with the disk's own error, not pyrage's
    EncryptError around it (which the CLI could only call unexpected), and
    no file is left."""
    real = bundle_writer._write_all
    calls = []

    def full_after_two(fd: int, pieces: list[bytes]) -> int:
        calls.append(len(pieces))
        if len(calls) > 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, pieces)

    monkeypatch.setattr(bundle_writer, "_write_all", full_after_two)
    made = sample([b"a" * (8 << 20)])
    with pytest.raises(OSError) as failed:
        write_bundle(tmp_path / "b.fvbundle", made.contents, signing(made.device), [RECIPIENT])
    assert failed.value.errno == errno.ENOSPC
    assert list(tmp_path.iterdir()) == []
    assert len(calls) == 3  # nothing written after the failure
