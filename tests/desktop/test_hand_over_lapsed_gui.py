"""Coordinator → Hand over history… says how many record changes of devices
whose vouch lapsed at this desk went with the hand-over, which the new desk
keeps aside until it enrols them (docs/bundle-format.md §8, §10).

The scene of tests/sync/test_lapsed_signer_handed_over.py, real vaults by
USB: Odesa vouched for field worker X at Kyiv, Kyiv stored X's case, then
removed Odesa (X pending at Kyiv) and added a new desk, Rivne. Kyiv's window
writes the hand-over by clicks; Rivne's import of it takes it, X's changes
kept aside (before: refused whole as ``signer``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.hand_over_dialog import HandOverDialog
from tests.gui_helpers import in_ukrainian, screenshot, unlocked_window
from tests.sync.desk_world import UsbDesks, add_desk, import_by_usb, usb_desks
from tests.sync.test_vouch_after_removal import _odesa_vouched_then_removed

desks = usb_desks
__all__ = ["desks"]
WAIT_MS = 120_000


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


def _hand_over_by_clicks(
    qtbot: QtBot, desks: UsbDesks, tmp_path: Path, shot: str
) -> tuple[str, int, Path, str]:
    world = _odesa_vouched_then_removed(desks)
    x_changes = len(world.x.vault.revisions.since(0))
    rivne = add_desk(desks.kyiv, tmp_path / "rivne", label="Rivne desk")
    desks.others.append(rivne)
    rivne_id = rivne.device_id
    desks.kyiv.lock()  # the window opens it
    window = unlocked_window(qtbot, desks.kyiv.folder)
    menu = window.coordinator_menu
    (entry,) = [
        a for a in menu.actions() if a.text().replace("&", "") in {"Hand over history…", "Передати історію…"}
    ]
    entry.trigger()
    dialog = menu.dialog
    assert isinstance(dialog, HandOverDialog)
    items = [dialog.desks.topLevelItem(i) for i in range(dialog.desks.topLevelItemCount())]
    (row,) = [item for item in items if item is not None and item.text(1) == rivne_id]
    dialog.desks.setCurrentItem(row)
    stick = tmp_path / "stick"
    stick.mkdir()
    dialog.folder_field.setText(str(stick))
    qtbot.mouseClick(dialog.write_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    handed = dialog.handed
    assert handed is not None, dialog.status.text()
    assert handed.lapsed_revisions == x_changes
    status = dialog.status.text()
    screenshot(dialog, shot)
    window.lock()
    return status, x_changes, handed.path, rivne_id


def test_the_result_says_the_new_desk_keeps_lapsed_devices_changes_aside(
    qtbot: QtBot, desks: UsbDesks, tmp_path: Path
) -> None:
    status, x_changes, path, _rivne_id = _hand_over_by_clicks(
        qtbot, desks, tmp_path, "coordinator-hand-over-lapsed.png"
    )
    assert (
        f"{x_changes} record change(s) of devices whose vouch lapsed here went too: the new desk keeps "
        "them aside until it enrols those devices" in status
    )
    rivne = desks.others[-1]
    taken = import_by_usb(rivne, path, desks.org.org_id)  # before: BundleRejected signer
    assert taken.signer_pending


def test_the_lapsed_line_in_ukrainian(qtbot: QtBot, desks: UsbDesks, tmp_path: Path, ukrainian: None) -> None:
    status, x_changes, _path, _rivne_id = _hand_over_by_clicks(
        qtbot, desks, tmp_path, "coordinator-hand-over-lapsed-uk.png"
    )
    assert f"{x_changes} змін" in status and "нове робоче місце відкладе" in status, status
