"""Windows opened on the sync tests' real vaults, as the desktop tests drive
them: built here once rather than again in each test module. The vaults,
organisations and bundles come from the sync worlds (desk_world.py,
client/sync_helpers.py); what is here is the window a person opens on them
and the panel they read. The Devices view and Import bundles… are opened by
tests/desktop/bundle_dialog_helpers.py."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.sync_panel import SyncPanel
from desktop.window import FieldvaultWindow
from tests.desktop.test_sync_gui import SLOW_RETRY, WAIT_MS, status_of, unlock


def sync_panel_of(window: FieldvaultWindow) -> SyncPanel:
    """Organisation → Sync…: the panel it opens."""
    window.org_menu.sync_action.trigger()
    panel = window.sync_panel
    assert isinstance(panel, SyncPanel)
    return panel


def synced_panel(qtbot: QtBot, folder: Path) -> tuple[FieldvaultWindow, SyncPanel]:
    """The window on the locked vault in ``folder``, unlocked, once its sync
    worker's first round is done, and its sync panel open. The worker does
    not retry by itself (SLOW_RETRY), so the panel shows that one round."""
    window = unlock(qtbot, folder, retry=SLOW_RETRY)
    qtbot.waitUntil(lambda: status_of(window).last_success_ms is not None, timeout=WAIT_MS)
    return window, sync_panel_of(window)
