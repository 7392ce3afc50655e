"""kill -9 while a first bundle enrols its device by token proof (issue 11,
docs/bundle-format.md §8 step 5): the device's enrolment and the token's
use are in the import's transaction, so after the kill the device is still
unknown and the token unspent, and the same import run again enrols it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sync.bundle.vault_io import import_bundle
from tests.crash_helpers import die, run_child, send
from tests.sync.trust_fixtures import make_organisation
from tests.vault_helpers import open_vault


def run_import(folder: Path, bundle: Path, org_id: str) -> None:
    vault = open_vault(folder)
    try:
        import_bundle(vault, bundle, vault.vault_keys.age_identity(), org_id=org_id)
    finally:
        vault.lock()


def child(folder: Path, bundle: Path, org_id: str, how: str, fd: int) -> None:
    from db import sync_import

    if how == "adding-revisions":  # just after the device was enrolled in the transaction
        sync_import.VaultImport.add_revisions = die  # type: ignore[method-assign,assignment]
    else:
        sync_import.VaultImport._finish = die  # type: ignore[method-assign]
    send(fd, e="open")
    run_import(folder, bundle, org_id)
    send(fd, e="done")


@pytest.mark.parametrize("how", ["adding-revisions", "before-commit"])
def test_kill9_during_an_enrolling_import_leaves_the_device_unknown_and_the_token_unspent(
    tmp_path: Path, how: str
) -> None:
    org = make_organisation(tmp_path)
    work = org.worker("field", token=org.token())
    bundle, device_id, org_id = org.export(work.vault).path, work.vault.device_id, org.org_id
    folder = org.coordinator.folder
    org.close()

    result = run_child(lambda fd: child(folder, bundle, org_id, how, fd), kill_after=None)
    assert result.killed
    vault = open_vault(folder)
    try:
        assert vault.verify().ok
        assert vault.sync.device(device_id) is None
        assert [t.used_by for t in vault.enrolment_tokens.issued()] == [None]
        assert vault.sync.held_bundles() == []
    finally:
        vault.lock()

    run_import(folder, bundle, org_id)
    vault = open_vault(folder)
    try:
        assert vault.verify().ok
        device = vault.sync.device(device_id)
        assert device is not None and device.status == "enrolled" and device.last_sequence == 1
        assert [t.used_by for t in vault.enrolment_tokens.issued()] == [device_id]
    finally:
        vault.lock()
