"""Evidence bytes pushed into an import in pieces (VaultImport.blob_writer,
the bundle reader's sink): stored and attached only when they hash to their
SHA-256 and size; otherwise, or when the import fails, no file stays."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.blobformat import DEFAULT_SEGMENT_SIZE
from db.errors import ImportRejected
from db.keyring_store import NoKeyring
from db.vault import Vault
from tests.db.sync_fixtures import FieldWork, field_fixture, record_field_work  # noqa: F401 - the fixture "field"
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE


@pytest.fixture(name="coordinator")
def coordinator_fixture(tmp_path: Path, field: FieldWork) -> Vault:
    vault = Vault.create(tmp_path / "coordinator", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    vault.sync.put_device(field.as_device())
    return vault


def files(vault: Vault) -> list[str]:
    return sorted(p.name for p in (vault.folder / "blobs").iterdir())


def push(vault: Vault, field: FieldWork, data: bytes, *, piece: int = 7777) -> None:
    with vault.sync.begin_import() as unit:
        unit.add_revisions(field.revisions())
        writer = unit.blob_writer(field.sha256, len(field.data), [field.evidence_id])
        for start in range(0, len(data), piece):
            writer.write(data[start : start + piece])
        writer.close()


def test_pushed_bytes_are_stored_and_read_back(coordinator: Vault, field: FieldWork, tmp_path: Path) -> None:
    push(coordinator, field, field.data)
    coordinator.evidence.export(field.evidence_id, tmp_path / "out")
    assert (tmp_path / "out").read_bytes() == field.data
    assert coordinator.verify().ok


@pytest.mark.parametrize("change", ["flip", "short", "long"])
def test_bytes_that_do_not_match_leave_no_file(coordinator: Vault, field: FieldWork, change: str) -> None:
    data = bytearray(field.data)
    if change == "flip":
        data[1234] ^= 1
    elif change == "short":
        del data[-1]
    else:
        data += b"x"
    with pytest.raises(ImportRejected) as error:
        push(coordinator, field, bytes(data))
    assert error.value.code == "blob-rejected"
    assert files(coordinator) == []


def test_an_import_failing_after_a_write_leaves_no_file(coordinator: Vault, field: FieldWork) -> None:
    with pytest.raises(RuntimeError), coordinator.sync.begin_import() as unit:
        unit.add_revisions(field.revisions())
        writer = unit.blob_writer(field.sha256, len(field.data), [field.evidence_id])
        writer.write(field.data[:1000])
        raise RuntimeError("the bundle turned out bad")
    assert files(coordinator) == []
    with pytest.raises(RuntimeError), coordinator.sync.begin_import() as unit:
        unit.add_revisions(field.revisions())
        writer = unit.blob_writer(field.sha256, len(field.data), [field.evidence_id])
        writer.write(field.data)
        writer.close()  # stored in the unit, then the unit fails
        raise RuntimeError("a later check failed")
    assert files(coordinator) == []
    assert coordinator.verify().ok


def test_a_writer_for_an_item_not_in_the_vault_is_refused_before_any_byte(
    coordinator: Vault, field: FieldWork
) -> None:
    with pytest.raises(ImportRejected), coordinator.sync.begin_import() as unit:
        unit.blob_writer(field.sha256, len(field.data), [field.evidence_id])  # its revision never came
    assert files(coordinator) == []


SEGMENT = DEFAULT_SEGMENT_SIZE


@pytest.mark.parametrize(
    "pieces",
    [
        [SEGMENT, SEGMENT, SEGMENT, 5],  # whole segments, then a short last one
        [SEGMENT + 1, SEGMENT + SEGMENT // 2, SEGMENT // 2 + 4],  # across segment edges
        [3 * SEGMENT + 5],  # several segments in one write
        [1, SEGMENT - 1, SEGMENT, 1, SEGMENT + 1, 3],  # a held segment filled exactly, then one byte
    ],
)
def test_evidence_of_several_segments_is_stored_whatever_the_pieces(
    tmp_path: Path, pieces: list[int]
) -> None:
    """The writer seals whole segments straight from the pieces it is given
    and holds only the rest: every way of cutting the bytes stores the same
    file, read back intact."""
    field = record_field_work(tmp_path / "field", tmp_path, size=3 * SEGMENT + 5)
    coordinator = Vault.create(
        tmp_path / "coordinator", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2
    ).vault
    coordinator.sync.put_device(field.as_device())
    assert sum(pieces) == len(field.data)
    with coordinator.sync.begin_import() as unit:
        unit.add_revisions(field.revisions())
        writer = unit.blob_writer(field.sha256, len(field.data), [field.evidence_id])
        start = 0
        for size in pieces:
            writer.write(field.data[start : start + size])
            start += size
        writer.close()
    coordinator.evidence.export(field.evidence_id, tmp_path / "out")
    assert (tmp_path / "out").read_bytes() == field.data
    assert coordinator.verify().ok
    field.vault.lock()
    coordinator.lock()
