"""Coordinator → Devices… shows a type clash as a pair, blaming neither
side (issue 14, session 11; review 17 F4; db/type_clash.py): the vault keeps
the type that arrived first, and either side may be the forger. Both
devices' rows carry the warning; the chosen device's details name the
record, the held side's first change (its signer, type and signed time) and
the left-out change with its signer. Real vaults and signed bundles by USB
(tests/sync/test_type_clash_pair.py has the scene: a forger's incident
claiming an honest worker's person reaches Kyiv first)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.devices_view import DevicesDialog
from tests.desktop.bundle_dialog_helpers import shown_devices
from tests.factory import make_case, make_person
from tests.gui_helpers import in_ukrainian, screenshot
from tests.sync.desk_world import UsbDesks, usb_desks
from tests.sync.test_type_clash_pair import ClashScene, forger_arrives_first
from tests.sync.test_type_clash_relayed import _claim_as_incident

desks = usb_desks  # the fixture
__all__ = ["desks"]
WAIT_MS = 60_000


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


def _kyiv_devices(qtbot: QtBot, desks: UsbDesks) -> tuple[DevicesDialog, ClashScene]:
    scene = forger_arrives_first(desks)
    return shown_devices(qtbot, desks.kyiv), scene


def _warning_cell(dialog: DevicesDialog, device_id: str) -> str:
    [row] = [texts for texts in dialog.row_texts() if device_id[:12] in texts[dialog.DEVICE_COLUMN]]
    return row[dialog.WARNING_COLUMN]


def test_the_devices_view_shows_both_sides_of_a_type_clash(qtbot: QtBot, desks: UsbDesks) -> None:
    dialog, scene = _kyiv_devices(qtbot, desks)
    honest, forger = scene.honest.vault.device_id, scene.forger.vault.device_id
    # Both rows (before: only the honest worker's, "left out: another record type").
    assert _warning_cell(dialog, honest) == "⚠ 1 type clash(es)"
    assert _warning_cell(dialog, forger) == "⚠ 1 type clash(es)"
    for device_id in (forger, honest):
        dialog.choose(device_id)
        details = dialog.details.text()
        assert f"Two devices claim record {scene.record} with different types" in details
        assert (
            f"this vault holds it as incident, first from the change {scene.forged_first.revision_id[:12]} "
            f"signed by {forger}"
        ) in details
        assert (
            f"the change {scene.person_revision[:12]} signed by {honest} claims another type "
            "and was left out on"
        ) in details
        assert "forged or broken" not in details  # neither side blamed
    dialog.choose(forger)
    screenshot(dialog, "coordinator-devices-type-clash.png")


def test_the_devices_view_says_it_in_ukrainian(qtbot: QtBot, desks: UsbDesks, ukrainian: None) -> None:
    dialog, scene = _kyiv_devices(qtbot, desks)
    forger = scene.forger.vault.device_id
    assert _warning_cell(dialog, forger) == "⚠ 1 конфлікт типів"
    dialog.choose(forger)
    details = dialog.details.text()
    assert f"Два пристрої заявляють запис {scene.record} з різними типами" in details
    assert "це сховище має його як інцидент" in details
    assert "record" not in details and "clash" not in details
    screenshot(dialog, "coordinator-devices-type-clash-uk.png")


def test_this_desk_is_named_when_it_made_the_held_record(qtbot: QtBot, desks: UsbDesks) -> None:
    """Lviv made the person; a worker's incident with its id comes relayed in
    Kyiv's bundle: the worker's details name this desk as the held side."""
    worker = desks.worker("w")
    person = make_person(desks.lviv, make_case(desks.lviv, title="Lviv's case").id)
    first, _edit = _claim_as_incident(worker, person.id)
    desks.org.import_(desks.org.export(worker.vault).path)
    assert len(desks.to_lviv(desks.kyiv_bundle()).type_clash) == 2
    dialog = DevicesDialog(desks.lviv)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.busy and dialog.table.topLevelItemCount() > 0, timeout=WAIT_MS)
    assert _warning_cell(dialog, worker.vault.device_id) == "⚠ 2 type clash(es)"
    dialog.choose(worker.vault.device_id)
    details = dialog.details.text()
    assert f"this vault holds it as person, first from the change {person.revision[:12]}" in details
    assert f"signed by this desk ({desks.lviv.device_id})" in details
    assert (
        f"the change {first.revision_id[:12]} signed by {worker.vault.device_id} claims another type"
        in details
    )
