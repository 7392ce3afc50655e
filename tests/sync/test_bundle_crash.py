"""kill -9 while a bundle is imported (issue 11): the import is one
transaction, so afterwards the coordinator's vault holds all of the bundle
or none of it, verifies, and the same import run again completes.

The child opens the coordinator's vault and imports a real bundle file
(import_bundle: check, decrypt, apply) holding a worker's case, testimony
and a ~2 MiB evidence file; it dies at a chosen step (while revisions are
added, in the middle of the evidence bytes, just after the evidence file
was closed, just after it was renamed into place, just before the commit)
or a set time after it
opened the vault. A blob file renamed in time is moved to quarantine/ at
the next unlock (never deleted) and nothing refers to it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from db.api import Device, Vault
from db.keyring_store import NoKeyring
from sync.bundle.vault_io import export_bundle, import_bundle
from tests.crash_helpers import die, run_child, send
from tests.db.sync_fixtures import import_into, record_field_work
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE, open_vault

ORG = "0193f3e0-8a00-7000-8000-00000000c0de"
FILE_SIZE = 2 << 20


def prepare(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """A coordinator's vault (closed) that knows an enrolled worker, and the
    worker's bundle addressed to it."""
    field = record_field_work(tmp_path / "field", tmp_path, size=FILE_SIZE)
    coordinator = Vault.create(
        tmp_path / "coordinator", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2
    ).vault
    worker = field.vault
    w_id = worker.services.context.identity
    coordinator.sync.put_device(Device(w_id.device_id, w_id.public_key, "age1unused", "enrolled"))
    out = tmp_path / "usb"
    out.mkdir()
    bundle = export_bundle(worker, out, [coordinator.vault_keys.age_recipient()], ORG, 1).path
    facts = {"evidence_id": field.evidence_id, "device_id": w_id.device_id}
    (tmp_path / "data.bin").write_bytes(field.data)
    revisions = {rev.revision_id for rev in worker.revisions.all()}
    (tmp_path / "revisions.json").write_text(json.dumps(sorted(revisions)))
    coordinator.lock()
    worker.lock()
    return tmp_path / "coordinator", bundle, facts


def child(folder: Path, bundle: Path, how: str, fd: int) -> None:
    from db import sync_import

    if how == "adding-revisions":
        sync_import.VaultImport.add_revisions = die  # type: ignore[method-assign,assignment]
    elif how == "mid-file":
        original_write = sync_import.BlobWriter.write
        calls = [0]

        def write(self: sync_import.BlobWriter, data: bytes, /) -> int:
            calls[0] += 1
            if calls[0] == 3:
                die()
            return original_write(self, data)

        sync_import.BlobWriter.write = write  # type: ignore[method-assign]
    elif how == "file-in-place":
        # Its fsync and rename run on the import's settling thread
        # (db/blob_settling.py): the kill comes once that thread renamed it.
        from db import blob_settling

        original_settle = blob_settling.BlobSettler._make_durable

        def make_durable(self: blob_settling.BlobSettler, *args: Any) -> None:
            original_settle(self, *args)
            die()

        blob_settling.BlobSettler._make_durable = make_durable  # type: ignore[method-assign,assignment]
    elif how == "file-closed":
        # Closed, its fsync and rename perhaps under way: either is fine.
        original_close = sync_import.BlobWriter.close

        def close(self: sync_import.BlobWriter) -> None:
            original_close(self)
            die()

        sync_import.BlobWriter.close = close  # type: ignore[method-assign]
    elif how == "before-commit":
        sync_import.VaultImport._finish = die  # type: ignore[method-assign]
    send(fd, e="open")
    import_into(folder, bundle, ORG)
    send(fd, e="done")


@pytest.mark.parametrize(
    ("how", "after"),
    [
        ("adding-revisions", None),
        ("mid-file", None),
        ("file-in-place", None),
        ("file-closed", None),
        ("before-commit", None),
        ("timed", 0.05),
        ("timed", 0.15),
    ],
)
def test_kill9_during_a_bundle_import_leaves_all_or_nothing(
    tmp_path: Path, how: str, after: float | None
) -> None:
    folder, bundle, facts = prepare(tmp_path)
    theirs = set(json.loads((tmp_path / "revisions.json").read_text()))
    result = run_child(lambda fd: child(folder, bundle, how, fd), kill_after=after)
    done = any(m["e"] == "done" for m in result.messages)
    assert result.killed != done
    if how != "timed":
        assert result.killed  # every fixed point is a kill

    vault = open_vault(folder)
    try:
        report = vault.verify()
        assert report.ok, report.problems
        stored = {rev.revision_id for rev in vault.revisions.all()}
        device = vault.sync.device(facts["device_id"])
        assert device is not None
        applied = theirs <= stored and device.last_sequence == 1
        untouched = not theirs & stored and device.last_sequence == 0
        assert applied != untouched  # all of the bundle or none of it
        if done or how != "timed":
            # A timed kill may land after the commit, before "done" was sent
            # (while the vault locks): then the whole bundle is in.
            assert applied == done
        if untouched:
            assert list((folder / "blobs").iterdir()) == []  # a renamed one waits in quarantine/
            if how == "file-in-place":
                assert len(vault.quarantined()) == 1
            if how == "file-closed":
                assert len(vault.quarantined()) <= 1
    finally:
        vault.lock()

    import_into(folder, bundle, ORG)  # the same bundle again completes (or is a replay)
    vault = open_vault(folder)
    try:
        assert vault.verify().ok
        exported = vault.evidence.export(facts["evidence_id"], tmp_path / "exported.bin")
        assert exported.path.read_bytes() == (tmp_path / "data.bin").read_bytes()
        assert vault.sync.device(facts["device_id"]).last_sequence == 1  # type: ignore[union-attr]
    finally:
        vault.lock()


# -- kill -9 while a bundle is exported ----------------------------------------------


def prepare_export(tmp_path: Path) -> tuple[Path, Path, str]:
    """A worker's vault and a coordinator's that knows it (both closed);
    returns their folders and the coordinator's age recipient."""
    field = record_field_work(tmp_path / "field", tmp_path, size=FILE_SIZE)
    coordinator = Vault.create(
        tmp_path / "coordinator", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2
    ).vault
    w_id = field.vault.services.context.identity
    coordinator.sync.put_device(Device(w_id.device_id, w_id.public_key, "age1unused", "enrolled"))
    recipient = coordinator.vault_keys.age_recipient()
    coordinator.lock()
    field.vault.lock()
    return tmp_path / "field", tmp_path / "coordinator", recipient


def export_child(folder: Path, out: Path, recipient: str, how: str, fd: int) -> None:
    from db import sync_state

    progress = None
    if how == "writing":

        def progress(done: int, total: int) -> None:
            if done > total // 2:
                die()

    elif how == "before-record":
        sync_state.SyncStateService.record_bundle_made = die  # type: ignore[method-assign]
    elif how == "before-transfers":
        sync_state.SyncStateService.record_transfers = die  # type: ignore[method-assign]
    vault = open_vault(folder)
    send(fd, e="open")
    export_bundle(vault, out, [recipient], ORG, 1, progress=progress)
    send(fd, e="done")


@pytest.mark.parametrize("how", ["writing", "before-record", "before-transfers"])
def test_kill9_during_a_bundle_export_then_a_rerun_completes(tmp_path: Path, how: str) -> None:
    worker_folder, coordinator_folder, recipient = prepare_export(tmp_path)
    out = tmp_path / "usb"
    out.mkdir()
    result = run_child(lambda fd: export_child(worker_folder, out, recipient, how, fd), kill_after=None)
    assert result.killed

    worker = open_vault(worker_folder)
    try:
        assert worker.verify().ok
        again = export_bundle(worker, out, [recipient], ORG, 1)  # the re-run completes
        assert worker.verify().ok
        evidence = next(iter(worker.sync.unacknowledged_blobs())).evidence_ids[0]
        assert "transfer" in [e.action for e in worker.evidence.custody(evidence)]
    finally:
        worker.lock()
    bundles = sorted(out.iterdir(), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    assert not [p for p in bundles if p.name.startswith(".")]  # no partial file left
    assert bundles[-1] == again.path
    coordinator = open_vault(coordinator_folder)
    try:
        identity = coordinator.vault_keys.age_identity()
        for path in bundles:  # no fork: each follows the one before
            assert not import_bundle(coordinator, path, identity, org_id=ORG).gaps
        assert coordinator.verify().ok
        assert coordinator.evidence.export(evidence, tmp_path / "copy.bin").path.read_bytes() == (
            (tmp_path / f"photo-{worker_folder.name}.jpg").read_bytes()
        )
    finally:
        coordinator.lock()
