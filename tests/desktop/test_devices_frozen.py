"""Coordinator → Devices… says which records a revocation froze (issue 14;
review 11 F2; docs/sync.md §2.3 "What it costs", docs/user-guide.md
Devices): under the list, a line per revoked device with how many records
it froze, and "Frozen records…" lists them, named as the app names them.
Real vaults and bundles (tests/db/revocation_world.py): Kyiv took the
revoked worker's edit of its case and holds its own later edit back; Lviv
left the worker's revisions out. Without a revocation nothing is said."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.db.revocation_world import KYIV_CHECK, build, build_before_revocation
from tests.desktop.bundle_dialog_helpers import frozen_list, shown_devices
from tests.gui_helpers import in_ukrainian, screenshot
from tests.sync.desk_world import UsbDesks, usb_desks

desks = usb_desks  # the fixture, under the name the tests ask for


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


def test_the_devices_view_says_what_the_revoked_worker_froze_at_both_desks(
    qtbot: QtBot, desks: UsbDesks
) -> None:
    world = build(desks)
    count = len(world.worker_records)
    short = f"{world.worker_id[:12]}…"

    kyiv = shown_devices(qtbot, world.kyiv)
    assert kyiv.frozen.isVisible()
    said = kyiv.frozen.text.text()
    assert (
        f"Revoked device {short}: {count} record(s) frozen ({count} with edits held back here from the "
        "other desks, 0 with edits left out here)."
    ) in said
    screenshot(kyiv, "coordinator-devices-frozen.png")
    listed = frozen_list(qtbot, kyiv)
    rows = {row[listed.RECORD_COLUMN]: row for row in listed.row_texts()}
    assert len(rows) == count
    # Kyiv's case, by its title as the app shows it: the worker's edit and Kyiv's check after it.
    case = rows[KYIV_CHECK]
    assert case[listed.TYPE_COLUMN] == "case"
    assert case[listed.DEVICE_COLUMN] == short
    assert case[listed.HELD_COLUMN] == "2 (1 later edit(s))"
    assert case[listed.LEFT_COLUMN] == ""
    screenshot(listed, "coordinator-frozen-records.png")
    kyiv.done(0)
    assert kyiv.frozen.text.text() == "" and kyiv.frozen.list_dialog is None  # forgotten at close

    lviv = shown_devices(qtbot, world.lviv)
    assert (
        f"Revoked device {short}: {count} record(s) frozen (0 with edits held back here from the "
        f"other desks, {count} with edits left out here)."
    ) in lviv.frozen.text.text()
    listed = frozen_list(qtbot, lviv)
    types = sorted(row[listed.TYPE_COLUMN] for row in listed.row_texts())
    # Lviv holds Kyiv's case (as it was before the worker's edit); the worker's own records not at all.
    assert types == ["case"] + ["not held here"] * (count - 1)
    lviv.done(0)


def test_without_a_revocation_the_devices_view_says_nothing_of_frozen_records(
    qtbot: QtBot, desks: UsbDesks
) -> None:
    build_before_revocation(desks)
    dialog = shown_devices(qtbot, desks.kyiv)
    assert not dialog.frozen.isVisible()
    dialog.done(0)


def test_the_frozen_records_in_ukrainian(qtbot: QtBot, desks: UsbDesks, ukrainian: None) -> None:
    world = build(desks)
    dialog = shown_devices(qtbot, world.kyiv)
    said = dialog.frozen.text.text()
    assert "Відкликаний пристрій" in said and "Revoked device" not in said
    screenshot(dialog, "coordinator-devices-frozen-uk.png")
    listed = frozen_list(qtbot, dialog)
    assert {row[listed.TYPE_COLUMN] for row in listed.row_texts()} <= {
        "справа",
        "свідчення",
        "доказ",
        "особа",
    }
    screenshot(listed, "coordinator-frozen-records-uk.png")
    dialog.done(0)
