"""Import bundles… at a desk that took only part 1 of another desk's split
history hand-over (review 18 R1; the scene of
tests/sync/test_hand_over_parts_incomplete.py): the held worker's row names
the maker desk by its label, as the Devices view does, with its id after
it (the message ``bundle-hand-over-incomplete``, desktop/messages.py; the
label from sync/bundle/hand_over_in_flight.py). Before, only the id, which
a coordinator cannot tell from the other desks' at a glance. English and
Ukrainian; real vaults, a folder for the stick."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

import tests.sync.test_hand_over_parts_incomplete as incomplete
from tests.desktop.bundle_dialog_helpers import import_in_dialog
from tests.gui_helpers import in_ukrainian
from tests.sync.test_hand_over_parts_incomplete import Withheld

withheld = incomplete.withheld  # the fixture, under the name the tests ask for


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "qm"):
        yield


def test_the_held_row_names_the_maker_desk_by_its_label(qtbot: QtBot, withheld: Withheld) -> None:
    w = withheld
    [row] = import_in_dialog(qtbot, w.desks.lviv, [w.first.path]).result_texts()
    assert row.startswith("held in quarantine: "), row
    assert f"from coordinator desk Odesa desk ({w.odesa.device_id}) names" in row, row
    assert f"part 1 of {w.parts}" in row, row


def test_the_held_row_names_the_maker_desk_by_its_label_in_ukrainian(
    qtbot: QtBot, withheld: Withheld, ukrainian: None
) -> None:
    w = withheld
    [row] = import_in_dialog(qtbot, w.desks.lviv, [w.first.path]).result_texts()
    assert f"Odesa desk ({w.odesa.device_id})" in row and "held in quarantine" not in row, row
