"""The Coordinator menu (desktop/coordinator_menu.py): coordinator mode is
holding the organisation's key. A coordinator's window shows the menu after
unlock; a field worker's never does, nor does any locked window."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from db.api import Vault
from db.keyring_store import NoKeyring
from sync import org_vault
from tests.gui_helpers import unlocked_window
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE


def _vault(folder: Path) -> Vault:
    return Vault.create(folder, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault


def test_only_a_coordinators_unlocked_window_shows_the_coordinator_menu(qtbot: QtBot, tmp_path: Path) -> None:
    coordinator = _vault(tmp_path / "coordinator")
    worker = _vault(tmp_path / "worker")
    signed = org_vault.create_organisation(coordinator, "Kharkiv documentation group")
    org_vault.enrol(worker, signed.signed, fingerprint_given=signed.profile.fingerprint)
    coordinator.lock()
    worker.lock()

    window = unlocked_window(qtbot, tmp_path / "coordinator")
    assert window.coordinator_menu.menuAction().isVisible()
    window.lock()
    assert not window.coordinator_menu.menuAction().isVisible()

    worker_window = unlocked_window(qtbot, tmp_path / "worker")
    assert not worker_window.coordinator_menu.menuAction().isVisible()
    assert worker_window.org_menu.menuAction().isVisible()
