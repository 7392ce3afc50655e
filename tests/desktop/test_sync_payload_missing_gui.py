"""The coordinator's sync panel says a bundle is stuck because the server
lost its stored copy (410 ``bundle-payload-missing``: ``sync-payload-missing``;
issue 14, H4), in English and Ukrainian, and the other worker's bundle was
pulled past it. Real vaults, a real server on loopback (the world of
tests/sync/client/test_pull_stuck.py, the first worker's bundle 2 deleted
from the server's disk), the window's own background pull."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.desktop.test_sync_gui import status_of, ukrainian
from tests.sync.client.test_pull_stuck import SavedWorld, saved_world
from tests.sync.window_scenes import synced_panel

__all__ = ["saved_world", "ukrainian"]  # the fixtures, used by name below


@pytest.fixture
def lost(saved_world: SavedWorld, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """This test's copy of the world, the first worker's bundle 2 deleted on
    the server, the coordinator locked (the window opens it). (The
    coordinator's folder, the first worker's device id.)"""
    with saved_world.org.copy(tmp_path) as org:
        (org.data / "payloads" / "bundles" / saved_world.damaged).unlink()
        first, _second = org.workers
        org.coordinator.lock()
        yield org.coordinator.folder, first.device_id


def test_the_panel_says_the_servers_copy_is_gone(qtbot, lost: tuple[Path, str]) -> None:
    folder, first = lost
    window, panel = synced_panel(qtbot, folder)
    status = status_of(window)
    # Before: the round failed (the server could not be reached), nothing pulled.
    assert status.last_error is None and status.received == 1
    assert [(s.device_id, s.sequence, s.code) for s in status.stuck] == [(first, 2, "sync-payload-missing")]
    lines = panel.pull_details.text().split("\n")
    stuck = next(line for line in lines if line.startswith("Bundle 2 of device"))
    assert stuck.startswith(
        f"Bundle 2 of device {first} cannot be downloaded from the server: the server's stored copy of it "
        "is gone or cannot be read. Stuck since "
    )
    assert "damaged" not in stuck


def test_the_missing_line_speaks_ukrainian(qtbot, lost: tuple[Path, str], ukrainian: None) -> None:
    folder, first = lost
    _window, panel = synced_panel(qtbot, folder)
    assert (
        f"Пакет 2 пристрою {first} не вдається завантажити з сервера: його збережену на сервері копію "
        "втрачено або її не вдається прочитати." in panel.pull_details.text()
    )
