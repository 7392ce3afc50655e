"""Windows opened on the sync tests' real vaults, as the desktop tests drive
them: built here once rather than again in each test module. The vaults,
organisations and bundles come from the sync worlds (desk_world.py,
client/sync_helpers.py); what is here is the window a person opens on them
and the panel or dialog they read. The Devices view and Import bundles…
on their own are opened by tests/desktop/bundle_dialog_helpers.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from pytestqt.qtbot import QtBot

from db.api import Case, Testimony, Vault
from desktop.devices_view import DevicesDialog
from desktop.recording_action import RecordInterviewDialog
from desktop.sync_panel import SyncPanel
from desktop.sync_status import SyncIndicator
from desktop.tasks import TaskRunner
from desktop.vault_view import VaultView
from desktop.window import FieldvaultWindow
from sync.client.worker import SyncStatus
from tests.desktop.test_sync_gui import SLOW_RETRY, WAIT_MS, status_of, unlock
from tests.factory import make_case, make_testimony
from tests.gui_helpers import click_row, show, unlocked_window


def panel_showing(qtbot: QtBot, vault: Vault, status: SyncStatus, *, shown: bool = True) -> SyncPanel:
    """A sync panel on ``vault`` with no window, showing ``status`` (what the
    sync worker's round reported, or one made for the test); shown on screen
    unless ``shown`` is False."""
    panel = SyncPanel(vault, SyncIndicator(), TaskRunner())
    qtbot.addWidget(panel)
    panel.show_status(status)
    if shown:
        panel.show()
    return panel


def sync_panel_of(window: FieldvaultWindow) -> SyncPanel:
    """Organisation → Sync…: the panel it opens."""
    window.org_menu.sync_action.trigger()
    panel = window.sync_panel
    assert isinstance(panel, SyncPanel)
    return panel


@contextmanager
def synced_window(qtbot: QtBot, folder: Path) -> Iterator[FieldvaultWindow]:
    """The window on the locked vault in ``folder``, unlocked, once its sync
    worker's first round is done (no retry by itself: SLOW_RETRY); locked
    at the end, so that its sync worker stops before the server does."""
    window = unlock(qtbot, folder, retry=SLOW_RETRY)
    try:
        qtbot.waitUntil(lambda: status_of(window).last_success_ms is not None, timeout=WAIT_MS)
        yield window
    finally:
        window.lock()


def synced_panel(qtbot: QtBot, folder: Path) -> tuple[FieldvaultWindow, SyncPanel]:
    """The window on the locked vault in ``folder``, unlocked, once its sync
    worker's first round is done, and its sync panel open. The worker does
    not retry by itself (SLOW_RETRY), so the panel shows that one round."""
    window = unlock(qtbot, folder, retry=SLOW_RETRY)
    qtbot.waitUntil(lambda: status_of(window).last_success_ms is not None, timeout=WAIT_MS)
    return window, sync_panel_of(window)


def devices_from_the_menu(qtbot: QtBot, folder: Path) -> tuple[FieldvaultWindow, DevicesDialog]:
    """The window on the locked vault in ``folder``, unlocked, and
    Coordinator → Devices… chosen: the window, and the dialog once its
    table lists the devices."""
    window = unlocked_window(qtbot, folder)
    [action] = [
        a
        for a in window.coordinator_menu.actions()
        if a.text() == QCoreApplication.translate("DevicesDialog", "&Devices…")
    ]
    action.trigger()
    dialog = window.coordinator_menu.dialog
    assert isinstance(dialog, DevicesDialog)
    qtbot.waitUntil(lambda: not dialog.busy and dialog.table.topLevelItemCount() > 0, timeout=WAIT_MS)
    return window, dialog


def recording_in_a_window(
    qtbot: QtBot, vault: Vault, folder: Path
) -> tuple[FieldvaultWindow, RecordInterviewDialog, Case, Testimony]:
    """A case with a testimony in ``vault`` (the vault in ``folder``, locked
    here); the window on it, unlocked, the testimony chosen and Record
    interview… clicked: the window, the recording dialog, the case and the
    testimony."""
    case = make_case(vault)
    testimony = make_testimony(vault, case.id)
    vault.lock()
    window = unlocked_window(qtbot, folder)
    view = window.vault_view
    assert view is not None
    view.cases.reload(select_id=case.id)
    click_row(qtbot, view.testimony_list, 0)
    qtbot.waitUntil(lambda: view.testimony_editor.testimony_id == testimony.id)
    qtbot.mouseClick(view.testimony_editor.record_button, Qt.MouseButton.LeftButton)
    dialog = view.testimonies.recording.dialog
    assert dialog is not None
    return window, dialog, case, testimony


def vault_views(qtbot: QtBot, vault: Vault, width: int, height: int) -> Iterator[Callable[[], VaultView]]:
    """For a ``make_view`` fixture to yield from: ``make()`` opens the
    vault's screen, ``width`` by ``height`` and shown; each one opened is
    emptied at the end, before the vault fixture locks."""
    views: list[VaultView] = []

    def make() -> VaultView:
        view = VaultView(vault)
        view.resize(width, height)
        qtbot.addWidget(view)
        show(qtbot, view)
        views.append(view)
        return view

    yield make
    for view in views:
        view.clear_all(save_draft=False)
