"""A series of bundles imported with the next one read ahead
(sync/bundle/read_ahead.py) ends in exactly the vault an import of one at a
time gives, and the reader's work is used only for the very bytes it read:
a file changed after it was read is refused as it would be without it.
Real vaults, real bundles, the real reader and import."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pyrage
import pytest

from db import revisions as revision_checks
from db.api import ENTITY_TYPES, Vault, forget_ahead, verify_ahead
from db.errors import RevisionRejected
from db.keyring_store import NoKeyring
from sync.bundle import BundleRejected, reader
from sync.bundle.read_ahead import ReadAhead
from sync.bundle.reader import check_header
from sync.bundle.vault_io import ImportedBundle, export_bundle, import_bundle
from tests.factory import make_case, make_testimony
from tests.sync.test_bundle_roundtrip import ORG, Org, counts, device_of, make_org, table
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

SERIES = 4


@pytest.fixture(name="org")
def org_fixture(tmp_path: Path) -> Iterator[Org]:
    org = make_org(tmp_path)
    yield org
    org.worker.lock()
    if not org.coordinator.is_locked:
        org.coordinator.lock()
    # A test that failed half-way does not leave its reads to the next one
    # (each test asserts itself that nothing was left).
    reader._READ_AHEAD.clear()
    revision_checks._VERIFIED_AHEAD.clear()


def plain_worker(org: Org, tmp_path: Path) -> Vault:
    """A second field device of the organisation that records no evidence
    file: its bundles carry revisions alone (read ahead in full)."""
    vault = Vault.create(tmp_path / "plain", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    vault.sync.put_device(device_of(org.coordinator, org.recipient, role="coordinator"))
    org.coordinator.sync.put_device(device_of(vault))
    return vault


def series(org: Org, plain: Vault, count: int = SERIES) -> list[Path]:
    """Bundles of both workers, interleaved: the evidence worker's carry its
    evidence file (each of them: none is acknowledged), the plain worker's
    new cases and testimonies (and again the revisions of its earlier ones)."""
    paths: list[Path] = []
    for number in range(count):
        if number % 2:
            paths.append(org.export())
            continue
        for _ in range(3):
            make_testimony(plain, make_case(plain, title=f"Case {number}").id)
        paths.append(export_bundle(plain, org.out, [org.recipient], ORG, 1).path)
    return paths


def second_coordinator(org: Org, plain: Vault, tmp_path: Path) -> Vault:
    """Another coordinator vault that knows the same workers: the same
    bundles (encrypted to the same identity) import into it one at a time."""
    vault = Vault.create(tmp_path / "other", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    vault.sync.put_device(device_of(org.worker))
    vault.sync.put_device(device_of(plain))
    return vault


def state(vault: Vault) -> dict[str, object]:
    return {
        "counts": counts(vault),
        "revisions": table(
            vault, "SELECT revision_id, signed, signature FROM revisions ORDER BY revision_id"
        ),
        "entities": table(
            vault, "SELECT entity_id, entity_type, body, deleted, conflicted FROM entities ORDER BY entity_id"
        ),
        "heads": table(vault, "SELECT entity_id, revision_id FROM heads ORDER BY entity_id, revision_id"),
        "search": table(vault, "SELECT entity_id, terms FROM search_index ORDER BY entity_id"),
        "received": table(
            vault, "SELECT bundle_id, device_id, sequence FROM received_bundles ORDER BY device_id, sequence"
        ),
        "blob files": len(list((vault.folder / "blobs").iterdir())),
    }


def outcome(result: ImportedBundle) -> tuple[object, ...]:
    return (
        result.bundle_id,
        result.sequence,
        result.revisions,
        result.custody_events,
        result.blobs,
        result.gaps,
    )


def test_a_series_read_ahead_ends_as_one_at_a_time_and_the_reads_are_used(org: Org, tmp_path: Path) -> None:
    plain = plain_worker(org, tmp_path)
    paths = series(org, plain)
    other = second_coordinator(org, plain, tmp_path)
    try:
        one_at_a_time = [outcome(import_bundle(other, path, org.identity, org_id=ORG)) for path in paths]
        ahead = ReadAhead(org.coordinator, org.identity, org_id=ORG)
        read_ahead: list[tuple[object, ...]] = []
        used: list[tuple[bool, bool]] = []
        for path in ahead.over(paths):
            key = (check_header(path).bundle_id, org.recipient)
            was_kept, were_checked = key in reader._READ_AHEAD, bool(revision_checks._VERIFIED_AHEAD)
            read_ahead.append(outcome(import_bundle(org.coordinator, path, org.identity, org_id=ORG)))
            # Kept before the import, taken by it (revisions already held
            # here are not checked again by an import, so some may be left).
            used.append((was_kept and key not in reader._READ_AHEAD, were_checked))
        assert read_ahead == one_at_a_time
        assert state(org.coordinator) == state(other)
        # The first is never read ahead; the evidence worker's bundles (odd)
        # are not kept whole, their revisions are checked ahead all the same.
        assert used == [(False, False), (False, True), (True, True), (False, True)]
        assert ahead.read == SERIES - 1
        assert not reader._READ_AHEAD and not revision_checks._VERIFIED_AHEAD
    finally:
        other.lock()
        plain.lock()


def test_a_payload_changed_after_it_was_read_ahead_is_refused_and_nothing_applied(
    org: Org, tmp_path: Path
) -> None:
    plain = plain_worker(org, tmp_path)
    paths = series(org, plain, 3)
    paths = [paths[0], paths[2]]  # the plain worker's two bundles
    series_of = ReadAhead(org.coordinator, org.identity, org_id=ORG).over(paths)
    import_bundle(org.coordinator, next(series_of), org.identity, org_id=ORG)
    second = next(series_of)
    assert (check_header(second).bundle_id, org.recipient) in reader._READ_AHEAD  # read, decrypted, kept
    data = bytearray(second.read_bytes())
    data[-1] ^= 0x01  # the last byte of the age payload: the header still names the bundle read ahead
    second.write_bytes(bytes(data))
    before = counts(org.coordinator)
    with pytest.raises(BundleRejected) as refused:
        import_bundle(org.coordinator, second, org.identity, org_id=ORG)
    assert refused.value.code == "bundle-payload-hash"
    assert counts(org.coordinator) == before
    del series_of  # left early: closed, what it read forgotten
    assert not reader._READ_AHEAD and not revision_checks._VERIFIED_AHEAD
    plain.lock()


def test_bundles_that_are_replays_or_from_an_unknown_device_are_not_read(org: Org, tmp_path: Path) -> None:
    plain = plain_worker(org, tmp_path)
    paths = series(org, plain, 3)
    for path in paths:
        import_bundle(org.coordinator, path, org.identity, org_id=ORG)
    ahead = ReadAhead(org.coordinator, org.identity, org_id=ORG)
    replays = [import_bundle(org.coordinator, path, org.identity, org_id=ORG) for path in ahead.over(paths)]
    assert [r.replay for r in replays] == [True, True, True]
    assert ahead.read == 0

    stranger = Vault.create(tmp_path / "stranger", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    try:
        make_case(stranger)
        unknown = export_bundle(stranger, tmp_path / "usb", [org.recipient], ORG, 1).path
        ahead = ReadAhead(org.coordinator, org.identity, org_id=ORG)
        for path in ahead.over([paths[0], unknown]):
            if path == unknown:
                with pytest.raises(BundleRejected):  # held in quarantine, as without the reader
                    import_bundle(org.coordinator, path, org.identity, org_id=ORG)
        assert ahead.read == 0
    finally:
        stranger.lock()
        plain.lock()


def test_leaving_a_series_early_forgets_what_was_read(org: Org, tmp_path: Path) -> None:
    plain = plain_worker(org, tmp_path)
    paths = series(org, plain, 3)[::2]
    for path in ReadAhead(org.coordinator, org.identity, org_id=ORG).over(paths):
        import_bundle(org.coordinator, path, org.identity, org_id=ORG)
        break  # the second was being read meanwhile
    assert not reader._READ_AHEAD and not revision_checks._VERIFIED_AHEAD
    plain.lock()


def wires_of(org: Org, path: Path) -> list[dict[str, str]]:
    return list(reader.read_bundle(path, org.identity, org_id=ORG).revisions)


def test_a_revision_checked_ahead_is_taken_only_for_its_exact_texts(org: Org) -> None:
    wires = wires_of(org, org.export())
    kept = verify_ahead(wires, ENTITY_TYPES)
    try:
        assert len(kept) == len(wires)
        first = revision_checks._VERIFIED_AHEAD[kept[0]][1]
        # The same texts: the revision checked ahead, once.
        assert revision_checks.revisions_from_wire(wires[:1], ENTITY_TYPES) == [first]
        assert revision_checks.revisions_from_wire(wires[:1], ENTITY_TYPES)[0] is not first
        # Another signature for the same id and signed bytes is checked afresh and refused.
        signature = bytearray(base64.b64decode(wires[1]["signature"]))
        signature[0] ^= 0x01
        forged = dict(wires[1], signature=base64.b64encode(bytes(signature)).decode("ascii"))
        [answer] = revision_checks.revisions_from_wire([forged], ENTITY_TYPES)
        assert isinstance(answer, RevisionRejected) and answer.reason == "bad signature"
        # Other known types: checked afresh (a type outside them is refused).
        [again] = revision_checks.revisions_from_wire(wires[2:3], frozenset())
        assert isinstance(again, RevisionRejected)
    finally:
        forget_ahead(kept)
    assert not revision_checks._VERIFIED_AHEAD


def test_a_refused_revision_is_never_kept(org: Org) -> None:
    wire = wires_of(org, org.export())[0]
    signature = bytearray(base64.b64decode(wire["signature"]))
    signature[-1] ^= 0x01
    forged = dict(wire, signature=base64.b64encode(bytes(signature)).decode("ascii"))
    assert verify_ahead([forged], ENTITY_TYPES) == []
    assert not revision_checks._VERIFIED_AHEAD


def test_a_reader_without_the_right_identity_keeps_nothing(org: Org, tmp_path: Path) -> None:
    plain = plain_worker(org, tmp_path)
    paths = series(org, plain, 2)
    stranger = pyrage.x25519.Identity.generate()
    ahead = ReadAhead(org.coordinator, stranger, org_id=ORG)
    for path in ahead.over(paths):
        import_bundle(org.coordinator, path, org.identity, org_id=ORG)  # the import's own identity
    assert ahead.read == 0
    assert len(table(org.coordinator, "SELECT bundle_id FROM received_bundles")) == 2
    plain.lock()


def test_a_lock_drops_what_was_checked_ahead_and_stops_the_reader(org: Org, tmp_path: Path) -> None:
    plain = plain_worker(org, tmp_path)
    paths = series(org, plain, 5)[::2]  # the plain worker's three bundles
    ahead = ReadAhead(org.coordinator, org.identity, org_id=ORG)
    locked_at: list[int] = []
    for number, path in enumerate(ahead.over(paths)):
        if number == 1:
            assert revision_checks._VERIFIED_AHEAD  # the second bundle's, checked while the first was applied
            org.coordinator.lock()
            locked_at.append(number)
            # The witness text of the revisions checked ahead goes with the lock.
            assert not revision_checks._VERIFIED_AHEAD
        if org.coordinator.is_locked:
            continue  # an import would fail (locked): the series goes on, as the desktop's does
        import_bundle(org.coordinator, path, org.identity, org_id=ORG)
    assert locked_at == [1]
    assert ahead.read <= 2  # nothing read after the lock was seen
    assert not reader._READ_AHEAD and not revision_checks._VERIFIED_AHEAD
    plain.lock()
