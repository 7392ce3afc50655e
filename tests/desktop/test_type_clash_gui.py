"""Coordinator → Devices… names the record changes a device signed that
were left out because their record is held here with another type (issue
14, session 11; db/type_clash.py): forged or broken, never stored, the rest
of their bundles taken. Real vaults and signed bundles by USB
(tests/sync/test_type_clash_relayed.py has the scene)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.devices_view import DevicesDialog
from tests.factory import make_case, make_person
from tests.gui_helpers import in_ukrainian, screenshot
from tests.sync.desk_world import UsbDesks, usb_desks
from tests.sync.test_type_clash_relayed import _claim_as_incident

desks = usb_desks  # the fixture
__all__ = ["desks"]
WAIT_MS = 60_000


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


def _lviv_left_out_a_clash(qtbot: QtBot, desks: UsbDesks) -> tuple[DevicesDialog, str]:
    worker = desks.worker("w")
    person = make_person(desks.lviv, make_case(desks.lviv, title="Lviv's case").id)
    _claim_as_incident(worker, person.id)
    desks.org.import_(desks.org.export(worker.vault).path)
    assert len(desks.to_lviv(desks.kyiv_bundle()).type_clash) == 2
    dialog = DevicesDialog(desks.lviv)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.busy and dialog.table.topLevelItemCount() > 0, timeout=WAIT_MS)
    dialog.show()
    dialog.choose(worker.vault.device_id)
    return dialog, worker.vault.device_id


def test_the_devices_view_names_changes_left_out_for_a_type_clash(qtbot: QtBot, desks: UsbDesks) -> None:
    dialog, worker_id = _lviv_left_out_a_clash(qtbot, desks)
    [row] = [texts for texts in dialog.row_texts() if worker_id[:12] in texts[dialog.DEVICE_COLUMN]]
    assert row[dialog.WARNING_COLUMN] == "⚠ 2 left out: another record type"  # before: nothing
    assert (
        "2 record change(s) it signed were left out: their record is held here as another type, so they "
        "are forged or broken."
    ) in dialog.details.text()
    screenshot(dialog, "coordinator-devices-type-clash.png")


def test_the_devices_view_says_it_in_ukrainian(qtbot: QtBot, desks: UsbDesks, ukrainian: None) -> None:
    dialog, worker_id = _lviv_left_out_a_clash(qtbot, desks)
    [row] = [texts for texts in dialog.row_texts() if worker_id[:12] in texts[dialog.DEVICE_COLUMN]]
    assert row[dialog.WARNING_COLUMN] == "⚠ 2 пропущено: інший тип запису"
    assert "інший тип" in dialog.details.text() and "record" not in dialog.details.text()
    screenshot(dialog, "coordinator-devices-type-clash-uk.png")
