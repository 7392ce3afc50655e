"""The coordinator's window tells of a held bundle whose release failed on
this computer (review 31 F1, F8). A pull's release of a held bundle (its
device vouched for since) fails for a reason not the bundle's: here
HeldRevisionDamaged, which says this vault may be damaged. Before, the
pull ended well and the window said "Synced at …" and nothing else; after
three such pulls the bundle was passed over, and the only way to have it
tried again was a command line.

Now the status bar's words carry a warning, the sync panel says which
bundle, the error's own message (what is wrong, what to do) and whether the
next sync tries it again; Coordinator → Devices… says the same message, and
for a bundle passed over offers Try again, after which the next sync
imports it. In English and in Ukrainian.

Real vaults, a real server on loopback, the desktop's real sync worker.
The failure: ``import_bundle`` as the quarantine module calls it raises
HeldRevisionDamaged for that one bundle (tests/sync/test_release_failures.py
FailingImport: no real scene makes a released bundle fail for a vault-side
reason)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from pytestqt.qtbot import QtBot

from desktop.devices_view import DevicesDialog
from desktop.sync_panel import SyncPanel
from desktop.window import FieldvaultWindow
from sync.bundle.quarantine import RELEASE_TRIES, release_failures
from sync.client.pull import pull
from tests.desktop.test_sync_gui import WAIT_MS, status_of, ukrainian
from tests.gui_helpers import screenshot
from tests.sync.client.sync_helpers import Org, organisation, quick_backoff
from tests.sync.client.test_worker_release_failed import held_then_vouched
from tests.sync.test_release_failures import DAMAGED_ASIDE, FailingImport
from tests.sync.window_scenes import synced_panel

__all__ = ["ukrainian"]  # the fixture, used by name below


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


def _passed_over(
    qtbot: QtBot, org: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[FieldvaultWindow, SyncPanel, str, str, FailingImport]:
    """Lviv's held bundle of Anna's, released by a pull and failing there:
    twice by pulls before the window opens, a third time by the window's
    own sync worker, so that it is passed over. (the window, its sync panel,
    Anna's device id, the bundle's id, the failing import)"""
    lviv, bundle_id = held_then_vouched(org, tmp_path)
    [held] = lviv.sync.held_bundles()
    failing = FailingImport(monkeypatch, bundle_id)
    for _ in range(RELEASE_TRIES - 1):
        pull(lviv, backoff=quick_backoff())
    lviv.lock()
    window, panel = synced_panel(qtbot, lviv.folder)
    assert failing.tries == RELEASE_TRIES
    return window, panel, held.device_id, bundle_id, failing


def _devices(qtbot: QtBot, window: FieldvaultWindow) -> DevicesDialog:
    """Coordinator → Devices… of ``window``, once its table lists the devices."""
    [action] = [
        a
        for a in window.coordinator_menu.actions()
        if a.text() == QCoreApplication.translate("DevicesDialog", "&Devices…")
    ]
    action.trigger()
    dialog = window.coordinator_menu.dialog
    assert isinstance(dialog, DevicesDialog)
    qtbot.waitUntil(lambda: not dialog.busy and dialog.table.topLevelItemCount() > 0, timeout=WAIT_MS)
    return dialog


def test_the_window_warns_of_a_release_that_failed_and_try_again_has_the_next_sync_import_it(
    qtbot: QtBot, org: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, panel, device_id, bundle_id, failing = _passed_over(qtbot, org, tmp_path, monkeypatch)
    try:
        # Seen without opening anything: the status bar's words.
        words = window.sync_indicator.text()
        assert words.startswith("Synced at ") and words.endswith(
            " · Warning: 1 held bundle(s) not imported here"
        )
        assert "could not be imported on this computer" in window.sync_indicator.toolTip()

        # The panel: which bundle, the error's own message, and what to do.
        said = panel.pull_details.text()
        assert panel.pull_details.isVisible()
        assert (
            f"Warning: bundle {bundle_id[:12]}…, held in quarantine and its device verified now, could not "
            f"be imported on this computer ({RELEASE_TRIES} time(s) in a row). It was not refused and its "
            "file is kept."
        ) in said, said
        assert (
            f"Bundle {bundle_id} was not imported: a record change this vault holds aside ({DAMAGED_ASIDE}) "
            "no longer checks out"
        ) in said, said
        assert "restore it from a backup" in said
        assert "choose its device in Coordinator → Devices… and click Try again" in said
        screenshot(panel, "sync-panel-release-failed.png")

        # Devices…: the same message for that device's bundle, and Try again.
        devices = _devices(qtbot, window)
        devices.choose(device_id)
        details = devices.details.text()
        assert f"release failed {RELEASE_TRIES} time(s) (held-revision-damaged)" in details, details
        assert f"a record change this vault holds aside ({DAMAGED_ASIDE}) no longer checks out" in details
        assert "click Try again; the next sync then tries it" in details
        assert "fieldvault bundle quarantine retry" not in details  # no command line for a GUI user
        assert devices.retry_button.isVisible() and devices.retry_button.isEnabled()
        screenshot(devices, "coordinator-devices-release-failed-try-again.png")

        failing.failing = None  # the cause dealt with
        qtbot.mouseClick(devices.retry_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: "The next sync tries 1 held bundle(s) again" in devices.status.text(), timeout=WAIT_MS
        )
        qtbot.waitUntil(lambda: not devices.busy and not devices.retry_button.isVisible(), timeout=WAIT_MS)
        vault = window.vault
        assert vault is not None
        assert release_failures(vault) == {}
        devices.reject()

        # The next sync (Sync now) imports it, and the warning is gone.
        synced = status_of(window).last_success_ms
        qtbot.mouseClick(panel.sync_now_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: status_of(window).last_success_ms != synced, timeout=WAIT_MS)
        status = status_of(window)
        assert status.release_failed == () and status.received == 1
        assert failing.tries == RELEASE_TRIES  # not tried again before the click
        assert vault.sync.held_bundles() == []
        assert "not imported here" not in window.sync_indicator.text()
        assert "could not be imported" not in panel.pull_details.text()
    finally:
        window.lock()


def test_the_warning_and_try_again_speak_ukrainian(
    qtbot: QtBot, org: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ukrainian: None
) -> None:
    window, panel, device_id, bundle_id, _failing = _passed_over(qtbot, org, tmp_path, monkeypatch)
    try:
        assert window.sync_indicator.text().endswith(" · Увага: 1 утримуваний пакет не імпортовано тут")
        said = panel.pull_details.text()
        assert f"Увага: пакет {bundle_id[:12]}…, утримуваний у карантині" in said, said
        assert f"({RELEASE_TRIES} рази поспіль)" in said
        assert "натисніть «Спробувати ще раз»" in said
        assert "Warning" not in said and "was not imported" not in said  # the error's message too
        screenshot(panel, "sync-panel-release-failed-uk.png")
        devices = _devices(qtbot, window)
        devices.choose(device_id)
        assert devices.retry_button.text() == "Спробувати ще раз"
        details = devices.details.text()
        assert "натисніть «Спробувати ще раз»" in details and "release failed" not in details, details
        devices.reject()
    finally:
        window.lock()
