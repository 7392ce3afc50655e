"""The coordinator's window says one true thing of a held bundle that its
release held in quarantine again (review 32 L3).

A held bundle's release reads its device as verified (``releasable``), and
by the time its import takes the write lock the device's admission has
changed: here the coordinator desk whose vouch admitted it was removed from
the organisation, so the import holds the bundle in quarantine again
(BundleQuarantined). Before, the sync panel said at once that the bundle
"could not be imported on this computer (1 time(s) in a row)", with its
device "verified now", and that the device was not enrolled (the
quarantine's own message), and that the next sync tries it again; the
status bar warned of a held bundle "not imported here"; and the failure
was counted towards passing the bundle over. Now the panel says it is held
in quarantine again, why, and what to do; the status bar carries no
warning for it (it is not this computer's failure; a bundle a pull holds is
said in the panel alone); the Devices view holds it as awaiting its
verification code.

Real vaults, a real server on loopback, the desktop's real sync worker. The
window of the change is real too: Lviv takes the profile without the
vouching desk when the release's import asks for its write lock
(tests/sync/test_release_failures.py HeldAgain, through
tests/sync/desk_world.py act_at_the_import_lock)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.sync_panel import SyncPanel
from desktop.window import FieldvaultWindow
from sync.bundle.quarantine import held_states, release_failures
from tests.desktop.test_release_failed_sync_gui import _devices
from tests.desktop.test_sync_gui import WAIT_MS, status_of, ukrainian
from tests.sync.client.sync_helpers import Org, organisation
from tests.sync.test_release_failures import HeldAgain, odesas_vouch_then_removed
from tests.sync.window_scenes import synced_panel

__all__ = ["ukrainian"]  # the fixture, used by name below


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


def _held_again(
    qtbot: QtBot, org: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[FieldvaultWindow, SyncPanel, HeldAgain]:
    """Lviv's window, unlocked and synced once; then Odesa's vouch for Anna
    taken, and Sync now clicked: the round's release holds Anna's bundle
    in quarantine again. (the window, its sync panel, the scene)"""
    scene = odesas_vouch_then_removed(org, tmp_path, vouched=False)
    scene.lviv.lock()
    window, panel = synced_panel(qtbot, scene.lviv.folder)
    vault = window.vault
    assert vault is not None
    scene.take_vouch(vault)
    ran = scene.lapse_at_the_release(monkeypatch, lambda: vault)
    synced = status_of(window).last_success_ms
    qtbot.mouseClick(panel.sync_now_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: status_of(window).last_success_ms != synced, timeout=WAIT_MS)
    assert ran, "the release never asked for its write lock"
    status = status_of(window)
    assert status.last_error is None
    assert [bundle for bundle, _failure in status.release_failed] == [scene.bundle_id]
    assert release_failures(vault) == {}  # not counted
    return window, panel, scene


def test_the_panel_says_a_bundle_held_again_is_held_why_and_what_to_do(
    qtbot: QtBot, org: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, panel, scene = _held_again(qtbot, org, tmp_path, monkeypatch)
    try:
        said = panel.pull_details.text()
        assert panel.pull_details.isVisible()
        assert (
            f"Bundle {scene.bundle_id[:12]}… was not imported and is held in quarantine again: by the time "
            "its import began, its device was no longer verified on this computer"
        ) in said, said
        assert "Nothing of it was stored, it was not refused, and its file is kept." in said
        assert "phone the worker, compare the verification code, then approve the bundle" in said
        # Not also a failure of this computer, nor its device verified, nor tried again by itself.
        for contradiction in (
            "could not be imported on this computer",
            "its device verified now",
            "time(s) in a row",
            "The next sync tries it again",
            "An error stopped it",
        ):
            assert contradiction not in said, (contradiction, said)
        assert said.count(scene.bundle_id[:12]) == 1, said  # one line says it
        # The status bar: no warning of a bundle not imported here.
        words = window.sync_indicator.text()
        assert words.startswith("Synced at ") and "not imported here" not in words, words
        assert "could not be imported" not in window.sync_indicator.toolTip()

        # Devices…: Anna's bundle waits for her verification code, nothing failed.
        devices = _devices(qtbot, window)
        devices.choose(scene.anna.device_id)
        details = devices.details.text()
        assert "1 bundle(s) held until its verification code is compared." in details, details
        assert "release failed" not in details and not devices.retry_button.isVisible()
        devices.reject()
        vault = window.vault
        assert vault is not None
        assert [state.state for state in held_states(vault)] == ["awaiting-verification"]
    finally:
        window.lock()


def test_the_panel_says_it_in_ukrainian(
    qtbot: QtBot, org: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ukrainian: None
) -> None:
    window, panel, scene = _held_again(qtbot, org, tmp_path, monkeypatch)
    try:
        said = panel.pull_details.text()
        assert (
            f"Пакет {scene.bundle_id[:12]}… не імпортовано, і його знову утримано в карантині: коли почався "
            "його імпорт, його пристрій уже не був перевіреним на цьому комп’ютері"
        ) in said, said
        assert "held in quarantine" not in said and "не вдалося імпортувати" not in said, said
        assert "Увага" not in window.sync_indicator.text()
    finally:
        window.lock()
