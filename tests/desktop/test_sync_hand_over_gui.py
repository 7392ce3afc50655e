"""The sync panel of the desk holding the organisation key says when a new
desk has not taken its history hand-over even after the fresh ones its
rounds made (issue 14; docs/bundle-format.md §10 "Until the new desk takes
it"), and what a person does then: hand it over by USB. Real vaults, a
real server on loopback (the world of tests/sync/test_desk_hand_over.py),
the window's own background sync."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sync import org_vault
from sync.client.hand_over_sync import BY_HAND, MAX_REMAKES, hand_over_over_server
from sync.client.org_link import publish_profile
from tests.desktop.test_sync_gui import status_of, ukrainian
from tests.gui_helpers import screenshot
from tests.sync.test_desk_hand_over import desk_added_after_three_bundles
from tests.sync.window_scenes import synced_panel

__all__ = ["ukrainian"]  # the fixture, used by name below


@pytest.fixture
def never_taken(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """Kyiv handed over to Lviv and made MAX_REMAKES fresh ones, each after a
    profile change, and Lviv took none; Kyiv locked (the window opens it).
    (Kyiv's folder, Lviv's device id)"""
    with desk_added_after_three_bundles(tmp_path) as desks:
        kyiv = desks.kyiv
        for value in ("all", "none", "all", "held-records")[: MAX_REMAKES + 1]:
            signed = org_vault.set_policy(kyiv, send_to_workers=value)
            assert publish_profile(signed.signed, signed.profile).state == "done"
            if value != "held-records":  # the last change: the window's round finds it due
                assert hand_over_over_server(kyiv, proxy=False).made
        kyiv.lock()
        yield kyiv.folder, desks.lviv.device_id


def test_the_panel_says_to_hand_over_by_usb(qtbot, never_taken: tuple[Path, str]) -> None:
    folder, lviv = never_taken
    window, panel = synced_panel(qtbot, folder)
    assert [(u.device_id, u.action) for u in status_of(window).hand_overs_untaken] == [(lviv, BY_HAND)]
    assert panel.untaken_details.isVisible()
    line = panel.untaken_details.text().split("\n")[0]
    # Before: nothing in the panel (the key desk never knew whether it was taken).
    assert line.startswith(f"The new desk {lviv} has not taken this desk's history hand-over (made ")
    assert f"even after {MAX_REMAKES} fresh one(s)" in line
    assert "Coordinator → Hand over history…" in line
    assert f"fieldvault org hand-over --to-device {lviv} --to FOLDER" in line
    screenshot(panel, "sync-panel-hand-over-by-hand.png")


def test_the_hand_over_line_speaks_ukrainian(qtbot, never_taken: tuple[Path, str], ukrainian: None) -> None:
    folder, lviv = never_taken
    _window, panel = synced_panel(qtbot, folder)
    line = panel.untaken_details.text().split("\n")[0]
    assert line.startswith(f"Нове робоче місце {lviv} не забрало передачу історії")
    assert f"навіть після {MAX_REMAKES} нових передач" in line
    assert "Координатор → Передати історію…" in line
    screenshot(panel, "sync-panel-hand-over-by-hand-uk.png")
