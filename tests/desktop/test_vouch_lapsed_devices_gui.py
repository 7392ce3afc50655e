"""Coordinator → Devices… says when a device is known only on the word of a
coordinator the organisation has since removed (docs/bundle-format.md §8,
"A vouch lapses with its coordinator"; tests/sync/test_vouch_after_removal.py
for the import side). Real desks and bundles by USB: Odesa vouches for X at
Lviv, Kyiv removes Odesa, Lviv takes that profile. Before, X's row said
enrolled / verified with no warning; now it is pending, coloured, and says
whose word lapsed and the ways back, in English and in Ukrainian."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.devices_view import WARNING_COLOUR, DevicesDialog
from tests.desktop.bundle_dialog_helpers import shown_devices
from tests.gui_helpers import in_ukrainian, screenshot
from tests.sync.desk_world import UsbDesks, usb_desks
from tests.sync.test_vouch_after_removal import _odesa_vouched_then_removed

__all__ = ["usb_desks"]  # the fixture


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


def _row_of(dialog: DevicesDialog, device_id: str) -> list[str]:
    [row] = [texts for texts in dialog.row_texts() if device_id[:12] in texts[dialog.DEVICE_COLUMN]]
    return row


def test_the_devices_view_says_whose_word_lapsed(qtbot: QtBot, usb_desks: UsbDesks) -> None:
    desks = usb_desks
    world = _odesa_vouched_then_removed(desks)
    x_id, odesa_id = world.x.vault.device_id, world.odesa.device_id
    dialog = shown_devices(qtbot, desks.lviv)
    row = _row_of(dialog, x_id)
    assert row[dialog.WARNING_COLUMN] == "⚠ vouch lapsed"
    assert dialog.row_colour(x_id) == WARNING_COLOUR
    said = (
        f"Known here only on the word of coordinator {odesa_id}, which the organisation has removed: its "
        "bundles are held and its changes that other desks relay kept aside until a current coordinator "
        "vouches for it, or you approve it by its verification code."
    )
    assert dialog.full_warnings(x_id) == [said]
    dialog.choose(x_id)
    assert said in dialog.details.text()
    screenshot(dialog, "coordinator-devices-vouch-lapsed.png")
    dialog.done(0)


def test_the_devices_view_says_it_in_ukrainian(qtbot: QtBot, usb_desks: UsbDesks, ukrainian: None) -> None:
    desks = usb_desks
    world = _odesa_vouched_then_removed(desks)
    x_id, odesa_id = world.x.vault.device_id, world.odesa.device_id
    dialog = shown_devices(qtbot, desks.lviv)
    assert _row_of(dialog, x_id)[dialog.WARNING_COLUMN] == "⚠ поруку скасовано"
    [said] = dialog.full_warnings(x_id)
    assert odesa_id in said and "вилучила" in said and "word" not in said, said
    screenshot(dialog, "coordinator-devices-vouch-lapsed-uk.png")
    dialog.done(0)
