"""The coordinator's sync panel says which bundle is stuck on the server
(its stored copy damaged), since when, what waits behind it, and what to
do (issue 14; docs/sync.md §2 "A bundle stuck on the server"). Real vaults,
a real server on loopback (the world of tests/sync/client/test_pull_stuck.py:
the first worker's bundle 2 damaged in the store, its bundle 3 and the
second worker's bundle 2 behind it), the window's own background pull."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.sync_panel import SyncPanel
from desktop.window import FieldvaultWindow
from tests.desktop.test_sync_gui import SLOW_RETRY, WAIT_MS, status_of, ukrainian, unlock
from tests.gui_helpers import screenshot
from tests.sync.client.test_pull_stuck import SavedWorld, damage, saved_world

__all__ = ["saved_world", "ukrainian"]  # the fixtures, used by name below


@pytest.fixture
def damaged(saved_world: SavedWorld, tmp_path: Path) -> Iterator[tuple[Path, str, str]]:
    """This test's copy of the world, the first worker's bundle 2 damaged on
    the server, the coordinator locked (the window opens it). (The
    coordinator's folder, the first worker's device id, the second's.)"""
    with saved_world.org.copy(tmp_path) as org:
        damage(org.data / "payloads" / "bundles" / saved_world.damaged)
        first, second = org.workers
        org.coordinator.lock()
        yield org.coordinator.folder, first.device_id, second.device_id


def _panel(qtbot, folder: Path) -> tuple[FieldvaultWindow, SyncPanel]:
    window = unlock(qtbot, folder, retry=SLOW_RETRY)
    qtbot.waitUntil(lambda: status_of(window).last_success_ms is not None, timeout=WAIT_MS)
    window.org_menu.sync_action.trigger()
    panel = window.sync_panel
    assert isinstance(panel, SyncPanel)
    return window, panel


def test_the_panel_says_what_is_stuck_and_what_to_do(qtbot, damaged: tuple[Path, str, str]) -> None:
    folder, first, second = damaged
    window, panel = _panel(qtbot, folder)
    status = status_of(window)
    # Before: the round failed at the damaged bundle, the second worker's too.
    assert status.last_error is None and status.received == 1
    assert [(s.device_id, s.sequence, s.waiting) for s in status.stuck] == [(first, 2, (3,))]
    lines = panel.pull_details.text().split("\n")
    stuck = next(line for line in lines if line.startswith("Bundle 2 of device"))
    assert stuck.startswith(
        f"Bundle 2 of device {first} cannot be downloaded from the server: the server's copy of it is "
        "damaged. Stuck since "
    )
    assert "tried 1 time(s); tried again at a sync after " in stuck
    assert (
        "1 later bundle(s) of that device wait behind it, so that its records arrive whole and in order."
        in lines
    )
    assert lines[lines.index(stuck) + 2].startswith("Ask the worker to bring its work by USB")
    assert second not in panel.pull_details.text()  # nothing stuck of the second worker's
    screenshot(panel, "sync-panel-stuck.png")


def test_the_stuck_lines_speak_ukrainian(qtbot, damaged: tuple[Path, str, str], ukrainian: None) -> None:
    folder, first, _second = damaged
    _window, panel = _panel(qtbot, folder)
    text = panel.pull_details.text()
    assert (
        f"Пакет 2 пристрою {first} не вдається завантажити з сервера: його копію на сервері пошкоджено."
        in text
    )
    assert "1 пізніший пакет цього пристрою чекає за ним" in text
    assert "Організація → Імпорт пакетів…" in text
    screenshot(panel, "sync-panel-stuck-uk.png")
