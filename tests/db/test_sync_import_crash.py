"""kill -9 during a bundle's import into a coordinator's vault (issue 11):
the import is one transaction, so afterwards the vault holds all of it or
none of it, verifies, and the same import run again completes.

The child opens the coordinator's vault and imports a field device's work
(revisions, custody events, one evidence file of ~2 MiB); it dies before or
after each open/write/fsync/close/rename of the blob write (the os calls
``die_at_checkpoint`` counts; SQLite's own I/O is in C, untouched), in the
middle of reading the file's bytes, or just before the transaction commits.
A blob file that was renamed into place when the kill came is moved to
quarantine/ at the next unlock (never deleted), and nothing refers to it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from db.vault import Vault
from tests.crash_helpers import die, die_at_checkpoint, run_child, send
from tests.db.sync_fixtures import record_field_work
from tests.vault_helpers import open_vault

BUNDLE = "b" * 64
FILE_SIZE = 2 << 20


class DyingSource(io.RawIOBase):
    """The evidence bytes, read by the import; the process dies once half is read."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)
        self._half = len(data) // 2

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        chunk = self._data.read(n)
        if self._data.tell() >= self._half:
            die()
        return chunk


def prepare(tmp_path: Path) -> tuple[Path, Path]:
    """A coordinator's vault (closed) that knows an enrolled field device, and
    a file holding that device's work as the child imports it."""
    field = record_field_work(tmp_path / "field", tmp_path, size=FILE_SIZE)
    work = tmp_path / "work.json"
    (tmp_path / "work.bin").write_bytes(field.data)
    work.write_text(
        json.dumps(
            {
                "revisions": field.revisions(),
                "custody": field.custody(),
                "sha256": field.sha256,
                "evidence_id": field.evidence_id,
                "device_id": field.as_device().device_id,
                "head": field.vault.sync.custody_head(),
            }
        )
    )
    coordinator = tmp_path / "coordinator"
    from db.keyring_store import NoKeyring
    from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

    vault = Vault.create(coordinator, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    vault.sync.put_device(field.as_device())
    vault.lock()
    field.vault.lock()
    return coordinator, work


def run_import(
    folder: Path, work_file: Path, *, source: Callable[[bytes], io.RawIOBase] | None = None
) -> None:
    work = json.loads(work_file.read_text())
    data = work_file.with_suffix(".bin").read_bytes()
    vault = open_vault(folder)
    try:
        with vault.sync.begin_import() as unit:
            unit.add_revisions(work["revisions"])
            unit.add_custody_events(work["custody"])
            stream = source(data) if source is not None else io.BytesIO(data)
            unit.add_blob(work["sha256"], len(data), stream, [work["evidence_id"]])  # type: ignore[arg-type]
            unit.record_bundle(BUNDLE, work["device_id"], 1, work["head"])
    finally:
        vault.lock()


def child(folder: Path, work_file: Path, how: str, fd: int) -> None:
    send(fd, e="open")
    if how.startswith("checkpoint-"):
        restore = die_at_checkpoint(int(how.removeprefix("checkpoint-")))
        run_import(folder, work_file)
        restore()
    elif how == "mid-file":
        run_import(folder, work_file, source=DyingSource)
    elif how == "before-commit":
        from db import sync_import

        sync_import.VaultImport._finish = die  # type: ignore[method-assign]
        run_import(folder, work_file)
    send(fd, e="done")


QUARANTINED: dict[str, list[str]] = {}
KILL_POINTS = [*(f"checkpoint-{n}" for n in range(1, 11)), "mid-file", "before-commit"]


@pytest.mark.parametrize("how", KILL_POINTS)
def test_kill9_during_an_import_leaves_all_or_nothing(tmp_path: Path, how: str) -> None:
    folder, work_file = prepare(tmp_path)
    work = json.loads(work_file.read_text())
    result = run_child(partial(child, folder, work_file, how), kill_after=None)
    done = any(m["e"] == "done" for m in result.messages)
    assert result.killed != done  # every point is a kill, and a kill before "done"

    vault = open_vault(folder)
    try:
        report = vault.verify()
        assert report.ok, report.problems
        imported = vault.sync.device(work["device_id"])
        assert imported is not None
        stored = {rev.revision_id for rev in vault.revisions.all()}
        theirs = {rev["id"] for rev in work["revisions"]}
        if done:
            assert theirs <= stored and imported.last_sequence == 1
        else:
            # Nothing of the import: no revision, no attachment, no bundle,
            # and no blob file in blobs/ (one renamed in time is in quarantine/).
            assert not theirs & stored and imported.last_sequence == 0
            assert list((folder / "blobs").iterdir()) == []
            QUARANTINED[how] = vault.quarantined()
        # The same import again completes, and the evidence is whole.
    finally:
        vault.lock()
    run_import(folder, work_file)
    vault = open_vault(folder)
    try:
        assert vault.verify().ok
        out = vault.evidence.export(work["evidence_id"], tmp_path / "exported.bin")
        assert out.path.read_bytes() == work_file.with_suffix(".bin").read_bytes()
        assert vault.sync.device(work["device_id"]).last_sequence == 1  # type: ignore[union-attr]
    finally:
        vault.lock()


def test_some_kill_came_after_the_blob_file_was_in_place() -> None:
    """The points above include kills after the rename (the file then waits
    in quarantine/) and before it (no file at all): both paths were taken."""
    if len(QUARANTINED) < len(KILL_POINTS):
        pytest.skip("runs after the kill points (not selected, or run apart)")
    assert any(QUARANTINED.values()) and not all(QUARANTINED.values()), QUARANTINED
