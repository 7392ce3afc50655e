"""Coordinator → Devices… → Frozen records… → Re-root… (db/reroot.py;
docs/sync.md §2.3 "Re-rooting a frozen record"; docs/user-guide.md): the
chosen record's two contents, each explained; nothing is signed until a
person picks one and confirms; then the record leaves the list and reaches
the other desk. Real vaults and bundles (tests/db/revocation_world.py):
Kyiv took the revoked worker's edit of its case, Lviv left it out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.devices_view import DevicesDialog
from tests.db.revocation_world import KYIV_CHECK, KYIV_TITLE, build
from tests.desktop.bundle_dialog_helpers import choose_record, pick, shown_frozen_list
from tests.gui_helpers import in_ukrainian, screenshot
from tests.sync.desk_world import UsbDesks, assert_verified, usb_desks

desks = usb_desks  # the fixture, under the name the tests ask for
WAIT_MS = 30_000


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


def test_re_root_as_before_from_the_frozen_records_list(qtbot: QtBot, desks: UsbDesks) -> None:
    world = build(desks)
    revisions = len(world.kyiv.revisions.all())
    dialog = DevicesDialog(world.kyiv)
    listed = shown_frozen_list(qtbot, dialog)
    assert listed.reroot_button.isVisible() and not listed.reroot_button.isEnabled()
    choose_record(listed, KYIV_CHECK)
    assert listed.reroot_button.isEnabled()
    qtbot.mouseClick(listed.reroot_button, Qt.MouseButton.LeftButton)
    assert listed.reroot_box.isVisible()
    # Both choices open for Kyiv's case (it holds the revoked edit, and the case before it); none chosen.
    assert listed.as_before.isEnabled() and listed.as_held.isEnabled()
    assert not listed.reroot_confirm.isEnabled()
    assert "undone" in listed.as_before_text.text() and "signed by this desk" in listed.as_held_text.text()
    pick(qtbot, listed.as_before)
    assert listed.reroot_confirm.isEnabled()
    screenshot(listed, "coordinator-frozen-reroot.png")
    assert len(world.kyiv.revisions.all()) == revisions  # nothing signed before the confirmation

    qtbot.mouseClick(listed.reroot_confirm, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "re-rooted" in listed.status.text(), timeout=WAIT_MS)
    assert KYIV_CHECK not in {row[listed.RECORD_COLUMN] for row in listed.row_texts()}
    assert len(world.kyiv.revisions.all()) == revisions + 1
    assert world.kyiv.cases.get(world.kyiv_case).title == KYIV_TITLE
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    dialog.done(0)

    desks.to_lviv(desks.kyiv_bundle())
    assert world.lviv.revisions.heads()[world.kyiv_case] == world.kyiv.revisions.heads()[world.kyiv_case]
    assert_verified(world.kyiv, world.lviv)


def test_a_record_the_revoked_device_created_offers_only_as_held_and_cancel_signs_nothing(
    qtbot: QtBot, desks: UsbDesks
) -> None:
    world = build(desks)
    revisions = len(world.kyiv.revisions.all())
    dialog = DevicesDialog(world.kyiv)
    listed = shown_frozen_list(qtbot, dialog)
    own = world.kyiv.cases.get(world.field.case_id).title
    choose_record(listed, own)
    qtbot.mouseClick(listed.reroot_button, Qt.MouseButton.LeftButton)
    assert not listed.as_before.isEnabled() and listed.as_held.isEnabled()
    pick(qtbot, listed.as_held)
    assert listed.reroot_confirm.isEnabled()
    qtbot.mouseClick(listed.reroot_cancel, Qt.MouseButton.LeftButton)
    assert not listed.reroot_box.isVisible()
    assert len(world.kyiv.revisions.all()) == revisions
    dialog.done(0)


def test_re_root_in_ukrainian(qtbot: QtBot, desks: UsbDesks, ukrainian: None) -> None:
    world = build(desks)
    dialog = DevicesDialog(world.kyiv)
    listed = shown_frozen_list(qtbot, dialog)
    choose_record(listed, KYIV_CHECK)
    qtbot.mouseClick(listed.reroot_button, Qt.MouseButton.LeftButton)
    assert "Re-root" not in listed.reroot_button.text()
    assert "revoked" not in listed.as_before.text() + listed.as_held_text.text()
    screenshot(listed, "coordinator-frozen-reroot-uk.png")
    dialog.done(0)
