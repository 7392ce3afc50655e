"""Coordinator → Devices… (desktop/devices_view.py) on real vaults and real
bundles of an enrolled worker: a bundle that never arrived shows as a
warning row; revoking from the view, after its two steps, signs a profile
version that lists the device revoked, and the device's next bundle is
refused on import. A profile naming a server that cannot be reached says
the server still accepts the device."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt
from pytestqt.qtbot import QtBot

from db.api import Person
from desktop.devices_view import REVOKED_COLOUR, WARNING_COLOUR
from desktop.i18n import install_translators, remove_translators
from sync import org_vault
from sync.bundle.errors import BundleRejected
from sync.bundle.vault_io import import_bundle
from tests.db.sync_fixtures import FieldWork
from tests.gui_helpers import TS_FILE, all_texts, compile_qm, qt_app, screenshot, type_text
from tests.sync.trust_fixtures import Organisation, make_organisation
from tests.sync.window_scenes import devices_from_the_menu

WAIT_MS = 30_000


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Organisation]:
    organisation = make_organisation(tmp_path)
    yield organisation
    for work in organisation.workers:
        work.vault.lock()


def _bundles(org: Organisation, name: str, count: int) -> tuple[FieldWork, list[Path]]:
    """A worker enrolled by token and ``count`` bundles of its work, each in its own file."""
    work = org.worker(name, token=org.token())
    paths = []
    for n in range(count):
        if n:
            work.vault.persons.create(Person(case_id=work.case_id, pseudonym=f"W-{n}"))
        exported = org.export(work.vault)
        own = org.tmp_path / f"{name}-{n + 1}{exported.path.suffix}"
        shutil.move(exported.path, own)
        paths.append(own)
    return work, paths


def test_a_missing_bundle_is_a_warning_and_revoking_refuses_the_next(qtbot: QtBot, org: Organisation) -> None:
    work, paths = _bundles(org, "kupiansk", 3)
    device_id = work.vault.device_id
    org.import_(paths[0])
    org.import_(paths[2])  # bundle 2 never arrives
    window, dialog = devices_from_the_menu(qtbot, org.coordinator.folder)

    [row] = dialog.row_texts()
    assert device_id[:12] in row[dialog.DEVICE_COLUMN]
    assert row[dialog.STATUS_COLUMN] == "enrolled" and row[dialog.VERIFICATION_COLUMN] == "verified"
    assert row[dialog.LAST_COLUMN].startswith("#3 · ") and "(today)" in row[dialog.LAST_COLUMN]
    assert row[dialog.WARNING_COLUMN] == "⚠ 1 missing"
    # In words, for the chosen (first) row, below the table.
    assert dialog.chosen_device() == device_id
    assert "Bundles missing: 2." in dialog.details.text() and "seized or lost" in dialog.details.text()
    assert dialog.row_colour(device_id) == WARNING_COLOUR
    assert len(row[dialog.KEY_COLUMN]) == 9 and row[dialog.KEY_COLUMN][4] == "-"
    screenshot(dialog, "coordinator-devices.png")

    # Revoke: the button, then the id's first characters typed; a wrong start keeps it off.
    dialog.choose(device_id)
    assert dialog.revoke_button.isEnabled()
    qtbot.mouseClick(dialog.revoke_button, Qt.MouseButton.LeftButton)
    assert dialog.confirm_box.isVisible() and not dialog.confirm_button.isEnabled()
    type_text(qtbot, dialog.confirm_field, "ffffff" if not device_id.startswith("ffffff") else "000000")
    assert not dialog.confirm_button.isEnabled()
    dialog.confirm_field.clear()
    type_text(qtbot, dialog.confirm_field, device_id[:6])
    assert dialog.confirm_button.isEnabled()
    screenshot(dialog, "coordinator-devices-revoke.png")
    vault = window.vault
    assert vault is not None
    held = org_vault.held_profile(vault)
    assert held is not None
    version_before = held.version
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "revoked in profile version" in dialog.status.text(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    assert f"profile version {version_before + 1}" in dialog.status.text()
    assert "No server is named" in dialog.status.text()

    profile = org_vault.held_profile(vault)
    assert profile is not None and profile.version == version_before + 1 and device_id in profile.revoked
    qtbot.waitUntil(lambda: dialog.row_texts()[0][dialog.STATUS_COLUMN] == "revoked", timeout=WAIT_MS)
    assert dialog.row_colour(device_id) == REVOKED_COLOUR
    assert "revoked" in dialog.row_texts()[0][dialog.WARNING_COLUMN]
    assert "Revoked: its bundles are refused." in dialog.full_warnings(device_id)
    assert not dialog.revoke_button.isEnabled()

    # The device's next bundle (and the missing one) is refused on import now.
    work.vault.persons.create(Person(case_id=work.case_id, pseudonym="after revocation"))
    later = org.export(work.vault)
    for path in (later.path, paths[1]):
        with pytest.raises(BundleRejected) as refused:
            import_bundle(vault, path, vault.vault_keys.age_identity(), org_id=org.org_id)
        assert refused.value.code == "bundle-device-revoked"

    window.lock()
    assert window.coordinator_menu.dialog is None
    assert dialog.table.topLevelItemCount() == 0 and device_id not in all_texts(dialog)


def test_revoking_with_an_unreachable_server_says_it_still_accepts_the_device(
    qtbot: QtBot, org: Organisation
) -> None:
    work, paths = _bundles(org, "izium", 1)
    org.import_(paths[0])
    # A server nobody listens on (port 9 on loopback: refused at once).
    org_vault.set_server(org.coordinator, "https://127.0.0.1:9", "ab" * 32)
    window, dialog = devices_from_the_menu(qtbot, org.coordinator.folder)
    device_id = work.vault.device_id
    dialog.choose(device_id)
    dialog.ask_revoke()
    type_text(qtbot, dialog.confirm_field, device_id[:6])
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "could not be reached" in dialog.status.text(), timeout=WAIT_MS)
    assert "still accepts" in dialog.status.text() and "https://127.0.0.1:9" in dialog.status.text()
    assert dialog.resend_button.isVisible()
    assert window.vault is not None
    profile = org_vault.held_profile(window.vault)
    assert profile is not None and device_id in profile.revoked  # revoked here whatever the server said
    window.lock()


def test_the_devices_view_in_ukrainian(qtbot: QtBot, org: Organisation, tmp_path: Path) -> None:
    _work, paths = _bundles(org, "balakliia", 3)
    org.import_(paths[0])
    org.import_(paths[2])
    app = qt_app()
    compile_qm(TS_FILE, tmp_path / "fieldvault_uk.qm")
    assert install_translators(app, QLocale("uk"), tmp_path)
    try:
        window, dialog = devices_from_the_menu(qtbot, org.coordinator.folder)
        texts = all_texts(dialog)
        assert "Пристрої" in texts, texts
        screenshot(dialog, "coordinator-devices-uk.png")
        window.lock()
    finally:
        remove_translators(app)
