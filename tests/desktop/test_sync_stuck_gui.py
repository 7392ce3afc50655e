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

from sync.bundle.vault_io import import_bundle
from sync.client.pull import pull
from tests.desktop.test_sync_gui import status_of, ukrainian
from tests.gui_helpers import screenshot
from tests.sync.client.sync_helpers import quick_backoff
from tests.sync.client.test_pull_stuck import (
    Clock,
    SavedWorld,
    Scene,
    _forge_ack_by_former_desk,
    _usb_export,
    damage,
    saved_world,
)
from tests.sync.window_scenes import synced_panel

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


def test_the_panel_says_what_is_stuck_and_what_to_do(qtbot, damaged: tuple[Path, str, str]) -> None:
    folder, first, second = damaged
    window, panel = synced_panel(qtbot, folder)
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
    _window, panel = synced_panel(qtbot, folder)
    text = panel.pull_details.text()
    assert (
        f"Пакет 2 пристрою {first} не вдається завантажити з сервера: його копію на сервері пошкоджено."
        in text
    )
    assert "1 пізніший пакет цього пристрою чекає за ним" in text
    assert "Організація → Імпорт пакетів…" in text
    screenshot(panel, "sync-panel-stuck-uk.png")


@pytest.fixture
def brought_by_usb(saved_world: SavedWorld, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """One desk: bundle 2 stuck, the server relaying an acknowledgement of it
    by a key the profile no longer lists (a desk removed since), and the
    worker's bundle 4 brought by USB and imported. The record stays open
    (review 18 R2). (The coordinator's folder, locked; the first worker's id.)"""
    with saved_world.org.copy(tmp_path) as org:
        stored = org.data / "payloads" / "bundles" / saved_world.damaged
        first, second = org.workers
        scene = Scene(org, first, second, stored, damage(stored), Clock())
        coordinator = org.coordinator
        (stuck,) = pull(coordinator, backoff=quick_backoff()).stuck
        _forge_ack_by_former_desk(scene, stuck.bundle_id)
        brought = _usb_export(first, tmp_path)
        import_bundle(coordinator, brought.path, coordinator.vault_keys.age_identity())
        coordinator.lock()
        yield coordinator.folder, first.device_id


def test_after_the_usb_bundle_the_panel_says_why_the_stuck_one_is_still_asked_for(
    qtbot, brought_by_usb: tuple[Path, str]
) -> None:
    """Before, it told the user to bring the work by USB: already done."""
    folder, first = brought_by_usb
    window, panel = synced_panel(qtbot, folder)
    (stuck,) = status_of(window).stuck
    assert (stuck.sequence, stuck.later, stuck.open_because) == (2, 4, "acknowledged-elsewhere")
    text = panel.pull_details.text()
    assert any(
        line.startswith(f"Bundle 2 of device {first} cannot be downloaded") for line in text.split("\n")
    )
    assert (
        "Bundle 4 of that device was imported here: the work of its later bundles arrived, and none waits "
        "behind this one any more. This one is still asked for because the server shows an acknowledgement "
        "of it by another coordinator key (a desk removed since), so the later bundle may leave its work out."
        in text
    )
    assert "ask the server's operator to repair the stored copy" in text
    assert "Ask the worker to bring its work by USB" not in text  # done already
    screenshot(panel, "sync-panel-stuck-later.png")


def test_the_later_line_speaks_ukrainian(qtbot, brought_by_usb: tuple[Path, str], ukrainian: None) -> None:
    folder, _first = brought_by_usb
    _window, panel = synced_panel(qtbot, folder)
    text = panel.pull_details.text()
    assert "Пакет 4 цього пристрою імпортовано тут: роботу його пізніших пакетів отримано" in text
    assert "ключем іншого координатора" in text
    assert "попросіть оператора сервера відновити збережену копію" in text
    assert "Попросіть працівника принести" not in text
    screenshot(panel, "sync-panel-stuck-later-uk.png")
