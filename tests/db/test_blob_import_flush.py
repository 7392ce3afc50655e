"""Evidence received in an import is flushed to the disk while it is written
(db/blobstore.py BackgroundFlush, every IMPORT_FLUSH_EVERY bytes), so the
fsync that makes it durable before its row commits no longer waits for the
whole file at the end; a disk error met by such a flush refuses the bytes
and leaves no file, like an error of the writes themselves."""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from db.blobformat import DEFAULT_SEGMENT_SIZE
from db.errors import StorageError
from db.keyring_store import NoKeyring
from db.vault import Vault
from tests.db.sync_fixtures import FieldWork, record_field_work
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

SEGMENT = DEFAULT_SEGMENT_SIZE


@pytest.fixture(name="large_field")
def large_field_fixture(tmp_path: Path) -> FieldWork:
    return record_field_work(tmp_path / "field", tmp_path, size=4 * SEGMENT + 3)


@pytest.fixture(name="coordinator")
def coordinator_fixture(tmp_path: Path, large_field: FieldWork) -> Vault:
    vault = Vault.create(tmp_path / "coordinator", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    vault.sync.put_device(large_field.as_device())
    return vault


def blob_files(vault: Vault) -> list[str]:
    return sorted(p.name for p in (vault.folder / "blobs").iterdir())


def fd_path(fd: int) -> str:
    return os.readlink(f"/proc/self/fd/{fd}")


def push(vault: Vault, field: FieldWork, before_close: Callable[[], None] = lambda: None) -> None:
    with vault.sync.begin_import() as unit:
        unit.add_revisions(field.revisions())
        writer = unit.blob_writer(field.sha256, len(field.data), [field.evidence_id])
        for start in range(0, len(field.data), SEGMENT):
            writer.write(field.data[start : start + SEGMENT])
        before_close()
        writer.close()


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="names open files through /proc")
def test_received_evidence_is_flushed_while_it_is_written(
    coordinator: Vault, large_field: FieldWork, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("db.sync_import.IMPORT_FLUSH_EVERY", SEGMENT)
    flushed: list[tuple[str, str]] = []
    a_flush_ran = threading.Event()
    real_fdatasync = os.fdatasync

    def recording_fdatasync(fd: int) -> None:
        flushed.append((fd_path(fd), threading.current_thread().name))
        a_flush_ran.set()
        real_fdatasync(fd)

    def before_close() -> None:
        # The flush runs on its own thread, so it may not have started yet
        # when the last write returns: wait for it (bounded) rather than race.
        # Nothing but the writes before this point can start one.
        a_flush_ran.wait(timeout=30)
        flushed_before_close.extend(path for path, _ in flushed)
        assert all(thread.startswith("fieldvault-flush") for _, thread in flushed)

    monkeypatch.setattr(os, "fdatasync", recording_fdatasync)
    flushed_before_close: list[str] = []
    push(coordinator, large_field, before_close=before_close)

    # Flushed on the side before close(), in the temp blob being written.
    assert flushed_before_close
    assert all(Path(path).parent == coordinator.folder / "blobs" for path in flushed_before_close)
    assert all(Path(path).name.startswith(".tmp-") for path in flushed_before_close)
    coordinator.evidence.export(large_field.evidence_id, tmp_path / "out")
    assert (tmp_path / "out").read_bytes() == large_field.data
    assert coordinator.verify().ok


def test_a_disk_error_of_a_background_flush_refuses_the_bytes_and_leaves_no_file(
    coordinator: Vault, large_field: FieldWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("db.sync_import.IMPORT_FLUSH_EVERY", SEGMENT)

    def failing_fdatasync(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fdatasync", failing_fdatasync)
    with pytest.raises(StorageError):
        push(coordinator, large_field)
    monkeypatch.undo()
    assert blob_files(coordinator) == []
    assert coordinator.verify().ok
