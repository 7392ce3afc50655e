"""Frozen records… → Re-root… while a device cannot read a re-root yet
(docs/sync.md §2.3 "Old readers"; db/reroot.py ``reroot-readers-behind``):
the refusal shows in the box, naming the device, with the checkbox "Sign
anyway: these devices cannot read it yet"; Re-root waits for it to be
checked, then signs. Real vaults and bundles (tests/db/revocation_world.py):
a worker enrolled at Kyiv has sent only a bundle made before the manifest's
``reads`` member."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from desktop.devices_view import DevicesDialog
from desktop.frozen_records_view import FrozenRecordsDialog
from tests.db.revocation_world import KYIV_CHECK, KYIV_TITLE, FrozenWorld, build
from tests.desktop.bundle_dialog_helpers import choose_record, pick, shown_frozen_list
from tests.gui_helpers import in_ukrainian, screenshot
from tests.sync.desk_world import UsbDesks, usb_desks
from tests.sync.test_device_reads import export_declaring

desks = usb_desks  # the fixture, under the name the tests ask for


WAIT_MS = 30_000


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


def _refused_in_the_list(
    qtbot: QtBot, desks: UsbDesks
) -> tuple[FrozenWorld, DevicesDialog, FrozenRecordsDialog, str]:
    """Kyiv's frozen case chosen, as before, confirmed: refused for the old worker."""
    world = build(desks)
    late = desks.worker("late")
    desks.org.import_(export_declaring(late.vault, desks.org.usb, None).path)
    dialog = DevicesDialog(world.kyiv)
    listed = shown_frozen_list(qtbot, dialog)
    choose_record(listed, KYIV_CHECK)
    qtbot.mouseClick(listed.reroot_button, Qt.MouseButton.LeftButton)
    assert not listed.despite_old_readers.isVisible()  # nothing to say before the refusal
    pick(qtbot, listed.as_before)
    qtbot.mouseClick(listed.reroot_confirm, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: listed.despite_old_readers.isVisible(), timeout=WAIT_MS)
    return world, dialog, listed, late.vault.device_id


def test_refused_for_an_old_reader_then_signed_anyway(qtbot: QtBot, desks: UsbDesks) -> None:
    world, dialog, listed, late = _refused_in_the_list(qtbot, desks)
    revisions = len(world.kyiv.revisions.all())
    assert late in listed.readers_behind_text.text() and listed.reroot_box.isVisible()
    assert listed.despite_old_readers.text() == "Sign anyway: these devices cannot read it yet"
    assert listed.as_before.isChecked() and not listed.despite_old_readers.isChecked()
    assert not listed.reroot_confirm.isEnabled()  # waits for "sign anyway"
    screenshot(listed, "coordinator-frozen-reroot-readers-behind.png")
    qtbot.mouseClick(listed.despite_old_readers, Qt.MouseButton.LeftButton, pos=QPoint(6, 6))
    assert listed.despite_old_readers.isChecked() and listed.reroot_confirm.isEnabled()
    assert len(world.kyiv.revisions.all()) == revisions  # nothing signed yet

    qtbot.mouseClick(listed.reroot_confirm, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "re-rooted" in listed.status.text(), timeout=WAIT_MS)
    assert len(world.kyiv.revisions.all()) == revisions + 1
    assert world.kyiv.cases.get(world.kyiv_case).title == KYIV_TITLE
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    dialog.done(0)


def test_asking_again_hides_the_checkbox(qtbot: QtBot, desks: UsbDesks) -> None:
    _world, dialog, listed, _late = _refused_in_the_list(qtbot, desks)
    qtbot.mouseClick(listed.reroot_cancel, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(listed.reroot_button, Qt.MouseButton.LeftButton)
    assert not listed.despite_old_readers.isVisible() and not listed.readers_behind_text.isVisible()
    dialog.done(0)


def test_the_refusal_and_checkbox_in_ukrainian(qtbot: QtBot, desks: UsbDesks, ukrainian: None) -> None:
    _world, dialog, listed, late = _refused_in_the_list(qtbot, desks)
    assert late in listed.readers_behind_text.text()
    for text in (listed.readers_behind_text.text(), listed.despite_old_readers.text()):
        assert "device" not in text and "Sign" not in text and "re-root" not in text
    assert "Підписати все одно" in listed.despite_old_readers.text()
    screenshot(listed, "coordinator-frozen-reroot-readers-behind-uk.png")
    dialog.done(0)


def test_the_refusal_makes_no_choice_for_another_record_chosen_meanwhile(
    qtbot: QtBot, desks: UsbDesks
) -> None:
    """The list stays usable while a re-root runs: a person who chose another
    record meanwhile gets the refusal in the status line, not the box for
    that record with the refused record's choice made (review 28 F5)."""
    world = build(desks)
    late = desks.worker("late")
    desks.org.import_(export_declaring(late.vault, desks.org.usb, None).path)
    dialog = DevicesDialog(world.kyiv)
    listed = shown_frozen_list(qtbot, dialog)
    rows = [listed.table.topLevelItem(i) for i in range(listed.table.topLevelItemCount())]
    others = [r.text(listed.RECORD_COLUMN) for r in rows if r is not None]
    others = [title for title in others if title != KYIV_CHECK]
    assert others, "the scene lists one frozen record only"

    choose_record(listed, KYIV_CHECK)
    qtbot.mouseClick(listed.reroot_button, Qt.MouseButton.LeftButton)
    pick(qtbot, listed.as_before)
    qtbot.mouseClick(listed.reroot_confirm, Qt.MouseButton.LeftButton)
    choose_record(listed, others[0])  # the person looks at another record while it runs
    qtbot.waitUntil(lambda: "have not said they read a re-root" in listed.status.text(), timeout=WAIT_MS)

    assert not listed.reroot_box.isVisible()
    # Asked for the record chosen now, the box makes no choice for it.
    qtbot.mouseClick(listed.reroot_button, Qt.MouseButton.LeftButton)
    assert others[0] in listed.reroot_text.text()
    assert not (listed.as_before.isChecked() or listed.as_held.isChecked())
    assert not listed.despite_old_readers.isVisibleTo(listed.reroot_box)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    dialog.done(0)
