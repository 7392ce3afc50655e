"""Coordinator → Devices… → "Set aside…" (issue 14, review 14; db/parked_set_aside.py,
docs/user-guide.md Devices): the chosen device's record changes waiting here
for their parents are set aside for good after a second click.

Real vaults and bundles by USB (a folder stands for the stick): Kyiv's edit of
a field worker's item waits at Lviv, whose profile revokes a bystander."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from db.api import parked_revision_count, withheld_revision_ids
from desktop.devices_view import DevicesDialog
from tests.desktop.bundle_dialog_helpers import shown_devices
from tests.gui_helpers import in_ukrainian, screenshot
from tests.sync.desk_world import UsbDesks, usb_desks
from tests.sync.test_parked_evidence import kyivs_edit_by_usb

__all__ = ["usb_desks"]  # the fixture
WAIT_MS = 60_000


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


def _kyivs_edit_waits(qtbot: QtBot, desks: UsbDesks) -> tuple[DevicesDialog, str]:
    _field, edit, _workers_bundle, kyivs = kyivs_edit_by_usb(desks, revoke_the_worker=False)
    assert list(desks.to_lviv(kyivs).parked_revisions) == [edit]
    dialog = shown_devices(qtbot, desks.lviv)
    dialog.choose(desks.kyiv.device_id)
    assert dialog.set_aside_button.isEnabled()
    qtbot.mouseClick(dialog.set_aside_button, Qt.MouseButton.LeftButton)
    assert dialog.aside_box.isVisible()
    return dialog, edit


def test_set_aside_asks_once_more_then_sets_the_chosen_devices_waiting_changes_aside(
    qtbot: QtBot, usb_desks: UsbDesks
) -> None:
    desks = usb_desks
    dialog, edit = _kyivs_edit_waits(qtbot, desks)
    asked = dialog.aside_text.text()
    assert "Set aside the 1 record change(s)" in asked and desks.kyiv.device_id in asked
    assert "never stored, even if their parents arrive later" in asked
    screenshot(dialog, "coordinator-devices-set-aside.png")

    # Keep them waiting: nothing changes.
    qtbot.mouseClick(dialog.aside_keep_button, Qt.MouseButton.LeftButton)
    assert not dialog.aside_box.isVisible() and parked_revision_count(desks.lviv) == 1
    # Again, and set them aside.
    qtbot.mouseClick(dialog.set_aside_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.aside_confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: not dialog.busy and "set aside" in dialog.status.text() and not dialog.parked.isVisible(),
        timeout=WAIT_MS,
    )
    assert dialog.status.text().startswith("1 record change(s) set aside"), dialog.status.text()
    assert parked_revision_count(desks.lviv) == 0 and edit in withheld_revision_ids(desks.lviv)
    dialog.choose(desks.kyiv.device_id)
    assert not dialog.set_aside_button.isEnabled()  # nothing of Kyiv's waits any more
    report = desks.lviv.verify()
    assert report.ok, report.problems
    dialog.done(0)


def test_set_aside_asks_in_ukrainian(qtbot: QtBot, usb_desks: UsbDesks, ukrainian: None) -> None:
    dialog, _edit = _kyivs_edit_waits(qtbot, usb_desks)
    asked = dialog.aside_text.text()
    assert "Set aside" not in asked and "назавжди" in asked, asked
    assert "Set" not in dialog.aside_confirm_button.text()
    screenshot(dialog, "coordinator-devices-set-aside-uk.png")
    dialog.done(0)
