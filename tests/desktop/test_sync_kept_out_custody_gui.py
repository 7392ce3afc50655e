"""The sync panel says how many custody events of which device a history
hand-over the app's round took from the inbox kept out, and why, as Import
bundles… says it for the same hand-over by USB (session 18, H8;
docs/bundle-format.md §10 "Lapsed since it was made").

tests/sync/client/test_sync_kept_out_custody.py's scene (real vaults, a
real server on loopback): Kyiv's hand-over in Lviv's inbox, carrying the
chain of worker X, whose vouch lapsed at Lviv since. Lviv's round is the
app's own (SyncWorker.run_once), its status shown in the real panel. Before,
the round's status had no field for those events, and the panel said
nothing of them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from sync.client.worker import SyncWorker
from tests.gui_helpers import in_ukrainian
from tests.sync.client.test_sync_kept_out_custody import Scene, _lapsed_hand_over_in_lviv_inbox
from tests.sync.desk_world import ServerDesks, server_desks
from tests.sync.window_scenes import panel_showing

desks = server_desks
__all__ = ["desks"]


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


def _details_after_lviv_round(qtbot: QtBot, desks: ServerDesks, tmp_path: Path) -> tuple[Scene, str]:
    scene = _lapsed_hand_over_in_lviv_inbox(desks, tmp_path)
    status = SyncWorker(desks.lviv, proxy=False).run_once()
    assert status.last_error is None, status.last_error
    panel = panel_showing(qtbot, desks.lviv, status, shown=False)
    return scene, panel.pull_details.text()


def test_the_sync_panel_says_how_many_whose_why_and_what_brings_them(
    qtbot: QtBot, desks: ServerDesks, tmp_path: Path
) -> None:
    scene, text = _details_after_lviv_round(qtbot, desks, tmp_path)
    assert (
        f"The history hand-over from desk {desks.kyiv.device_id}: {scene.events} custody event(s) of "
        f"device {scene.x_id} not taken: the vouch for it lapsed here (each checked with its key, none "
        "stored); its own bundles bring them once it is enrolled again (add it by its card, or approve "
        "its bundle by code)."
    ) in text.split("\n"), text
    # Ids and counts only: nothing of X's photo or case.
    assert "granary" not in text and "X's first case" not in text


def test_it_is_said_in_ukrainian(qtbot: QtBot, desks: ServerDesks, tmp_path: Path, ukrainian: None) -> None:
    scene, text = _details_after_lviv_round(qtbot, desks, tmp_path)
    assert (
        f"Передача історії від робочого місця {desks.kyiv.device_id}: {scene.events} "
        f"{'подію' if scene.events == 1 else 'події'} ланцюга зберігання пристрою {scene.x_id} не прийнято: "
        "поручительство за нього тут втратило силу"
    ) in text, text
    assert "custody event" not in text
