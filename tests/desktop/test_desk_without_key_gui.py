"""A coordinator desk without the organisation key in the GUI (issue 11;
docs/org-profile.md §6): its window shows the Coordinator menu, Add a
device… enrols by the compared code alone (no token field, no "make it a
coordinator": those need the key), Issue enrolment token… is disabled, the
Devices dialog has no Revoke, its join screen calls it a coordinator; a held bundle is approved in the import
dialog with the worker's code. Real vaults, bundles through a folder."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QStyle, QStyleOptionButton
from pytestqt.qtbot import QtBot

from db.api import Vault
from desktop.devices_view import DevicesDialog
from desktop.org_add_device import AddDeviceDialog
from sync import org_vault
from tests.desktop.bundle_dialog_helpers import import_in_dialog
from tests.factory import make_case, make_testimony
from tests.gui_helpers import unlocked_window
from tests.sync.client.sync_helpers import new_vault
from tests.sync.desk_world import add_desk, export_by_usb, join
from tests.vault_helpers import open_vault

WAIT_MS = 60_000


@dataclass
class Desks:
    kyiv: Vault  # created the organisation: holds its key
    lviv_folder: Path  # a coordinator added since, without the key (left locked)
    tmp_path: Path

    def worker(self, name: str) -> Vault:
        """A field worker enrolled with no token (the profile names Lviv too)."""
        return join(self.kyiv, self.tmp_path / name)


@pytest.fixture
def desks(tmp_path: Path) -> Iterator[Desks]:
    kyiv = new_vault(tmp_path / "kyiv")
    org_vault.create_organisation(kyiv, "Kharkiv documentation group")
    add_desk(kyiv, tmp_path / "lviv", label="Lviv desk").lock()
    yield Desks(kyiv, tmp_path / "lviv", tmp_path)
    kyiv.lock()


def _entry(actions: list[QAction], text: str) -> QAction:
    [found] = [a for a in actions if a.text() == text]
    return found


def _tick(qtbot: QtBot, box: QCheckBox) -> None:
    option = QStyleOptionButton()
    box.initStyleOption(option)
    where = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box).center()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=where)


def test_a_desk_without_the_key_adds_a_device_from_its_coordinator_menu(qtbot: QtBot, desks: Desks) -> None:
    worker = desks.worker("field")
    card = org_vault.own_device_card(worker).text
    code = org_vault.status(worker).verification_code
    worker.lock()

    window = unlocked_window(qtbot, desks.lviv_folder)
    menu = window.coordinator_menu
    assert menu.menuAction().isVisible()  # hidden before: it held no key
    actions = menu.actions()
    assert not _entry(actions, "Issue enrolment &token…").isEnabled()
    add_entry = _entry(actions, "&Add a device…")
    assert add_entry.isEnabled()
    add_entry.trigger()
    dialog = menu.dialog
    assert isinstance(dialog, AddDeviceDialog)
    qtbot.waitUntil(dialog.isVisible)
    # Tokens and the profile are the key holder's: not offered here.
    assert not dialog.token_field.isVisible() and not dialog.coordinator_box.isVisible()
    dialog.card_field.setPlainText(card)
    assert dialog.code_label.text() == code
    _tick(qtbot, dialog.match_box)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.close_button.isEnabled() and dialog.status.text() != "", timeout=WAIT_MS)
    vault = window.vault
    assert vault is not None
    known = vault.sync.device(worker.device_id)
    assert known is not None and (known.status, known.role) == ("enrolled", "device")

    devices = DevicesDialog(vault)
    qtbot.addWidget(devices)
    devices.show()
    assert not devices.revoke_button.isVisible()  # revoking signs a new profile: the key's
    devices.close()
    # Its join screen says what it is, not that a coordinator still has to add it.
    join = window.org_menu.open_join()
    assert join is not None
    assert join.form.enrolment_status.text() == "This vault is a coordinator of the organisation."  # type: ignore[attr-defined]
    window.lock()
    assert not menu.menuAction().isVisible()


def test_a_desk_with_the_key_keeps_its_token_field_and_revoke(qtbot: QtBot, desks: Desks) -> None:
    dialog = AddDeviceDialog(desks.kyiv)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.token_field.isVisible() and dialog.coordinator_box.isVisible()
    devices = DevicesDialog(desks.kyiv)
    qtbot.addWidget(devices)
    devices.show()
    assert devices.revoke_button.isVisible()


def test_a_desk_without_the_key_approves_a_held_bundle_with_the_read_out_code(
    qtbot: QtBot, desks: Desks
) -> None:
    worker = desks.worker("field")
    try:
        testimony = make_testimony(worker, make_case(worker).id)
        code = org_vault.status(worker).verification_code
        bundle = export_by_usb(worker, desks.tmp_path / "usb")[0].path
    finally:
        worker.lock()

    lviv = open_vault(desks.lviv_folder)
    try:
        dialog = import_in_dialog(qtbot, lviv, [bundle])
        [held] = dialog.result_texts()
        assert held.startswith("held in quarantine: ")
        dialog.code_field.setText(code)
        qtbot.mouseClick(dialog.approve_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
        assert dialog.result_texts()[0].startswith("imported: bundle 1"), (
            dialog.result_texts(),
            dialog.status.text(),
        )
        assert lviv.testimonies.get(testimony.id).title == testimony.title
        assert lviv.verify().ok
    finally:
        lviv.lock()
