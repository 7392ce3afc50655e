"""Import bundles… says how many custody events of which device a history
hand-over's import kept out, why, and what brings them (session 18, H3;
docs/bundle-format.md §10 "Lapsed since it was made").

The scene of tests/sync/test_hand_over_lapsed_evidence.py, real vaults and
a real signed hand-over on a folder standing for a USB stick: X is
``pending`` at Lviv (Odesa, who vouched for it, was removed) when Lviv takes
Kyiv's hand-over, so X's custody events are checked with X's key and not
stored. Before, the row said only the events stored; now it says those
kept out too, by device id and count (never content). The real dialog."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.desktop.bundle_dialog_helpers import import_in_dialog
from tests.gui_helpers import in_ukrainian, screenshot
from tests.sync.desk_world import UsbDesks, usb_desks
from tests.sync.test_hand_over_lapsed_evidence import KYIV_CASE, _lapsed_at_lviv, _titles, _x_chain

desks = usb_desks
__all__ = ["desks"]


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


def _row_after_taking_the_hand_over(
    qtbot: QtBot, desks: UsbDesks, tmp_path: Path, shot: str
) -> tuple[str, str, int]:
    scene = _lapsed_at_lviv(desks, tmp_path)
    x_id = scene.x.device_id
    events = len(_x_chain(desks.kyiv, x_id))
    assert events > 0
    dialog = import_in_dialog(qtbot, desks.lviv, [scene.made.path])
    [row] = dialog.result_texts()
    assert KYIV_CASE in _titles(desks.lviv)  # taken: the rest applied
    assert _x_chain(desks.lviv, x_id) == []  # X's chain kept out
    screenshot(dialog, shot)
    return row, x_id, events


def test_the_row_says_how_many_events_of_which_device_were_kept_out_and_why(
    qtbot: QtBot, desks: UsbDesks, tmp_path: Path
) -> None:
    row, x_id, events = _row_after_taking_the_hand_over(
        qtbot, desks, tmp_path, "bundle-import-custody-kept-out.png"
    )
    assert (
        f"; {events} custody event(s) of device {x_id} not taken: the vouch for it lapsed here (each checked "
        "with its key, none stored); its own bundles bring them once it is enrolled again (add it by its "
        "card, or approve its bundle by code)"
    ) in row, row
    assert "granary" not in row  # ids and counts only


def test_the_row_says_it_in_ukrainian(qtbot: QtBot, desks: UsbDesks, tmp_path: Path, ukrainian: None) -> None:
    row, x_id, events = _row_after_taking_the_hand_over(
        qtbot, desks, tmp_path, "bundle-import-custody-kept-out-uk.png"
    )
    assert f"{events} под" in row and f"пристрою {x_id} не прийнято" in row, row
    assert "поручительство за нього тут втратило силу" in row, row
