"""Coordinator → Devices… and the sync panel say how many record changes
wait here for their parents (issue 14; db/parked.py, docs/sync.md §2.3,
docs/user-guide.md Devices and Sync).

A desk's bundle can carry an edit of a field worker's record whose own
revisions this vault does not hold yet (the worker's bundle is still on a
stick, or held until its code is compared). While the organisation has
revoked some device, the edit waits, parked: in no list, search or export.
``fieldvault devices`` counted it; the Devices view and the sync panel
said nothing, so a coordinator did not know to bring the missing bundle.

Real vaults and bundles: by USB (a folder stands for the stick) for the
Devices view, and a real server on loopback with Lviv's window and its
real sync worker for the sync panel."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from db.api import parked_revision_count
from desktop.sync_panel import SyncPanel
from desktop.window import FieldvaultWindow
from sync import org_vault
from tests.desktop.bundle_dialog_helpers import shown_devices
from tests.desktop.test_sync_gui import status_of
from tests.gui_helpers import in_ukrainian, screenshot
from tests.sync.client.sync_helpers import organisation, record_work
from tests.sync.desk_world import (
    UsbDesks,
    add_desk,
    export_by_usb,
    import_by_usb,
    know_worker,
    kyivs_edit_alone,
    revoke,
    usb_desks,
)
from tests.sync.test_parked_evidence import kyivs_edit_by_usb
from tests.sync.window_scenes import sync_panel_of, synced_window

__all__ = ["usb_desks"]  # the fixture
WAIT_MS = 60_000
WAITING = "1 record change(s) wait for their parents: they follow changes this vault has not received yet."


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


def test_the_devices_view_counts_the_waiting_changes_and_says_what_to_do(
    qtbot: QtBot, usb_desks: UsbDesks
) -> None:
    desks = usb_desks
    _field, _edit, workers_bundle, kyivs = kyivs_edit_by_usb(desks, revoke_the_worker=False)
    assert desks.to_lviv(kyivs).parked_revisions  # Kyiv's edit of the worker's item waits
    dialog = shown_devices(qtbot, desks.lviv)
    assert dialog.parked.isVisible()  # before: nothing said
    assert dialog.parked.text().startswith(WAITING), dialog.parked.text()
    tip = dialog.parked.toolTip()
    assert "import the bundle of the device that made them" in tip and "left out" in tip
    dialog.choose(desks.kyiv.device_id)  # Kyiv signed the edit: its details say so
    assert (
        "1 record change(s) it signed wait here for their parents, changes this vault has not received "
        "yet: import the bundle of the device that made those"
    ) in dialog.details.text()
    screenshot(dialog, "coordinator-devices-parked.png")

    # The worker's bundle brings the parents: the edit is stored, and the line goes.
    desks.to_lviv(workers_bundle)
    assert parked_revision_count(desks.lviv) == 0
    qtbot.mouseClick(dialog.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy and not dialog.parked.isVisible(), timeout=WAIT_MS)
    dialog.choose(desks.kyiv.device_id)
    assert "wait here for their parents" not in dialog.details.text()
    dialog.done(0)


def test_the_devices_view_says_it_in_ukrainian(qtbot: QtBot, usb_desks: UsbDesks, ukrainian: None) -> None:
    desks = usb_desks
    _field, _edit, _workers_bundle, kyivs = kyivs_edit_by_usb(desks, revoke_the_worker=False)
    desks.to_lviv(kyivs)
    dialog = shown_devices(qtbot, desks.lviv)
    said = dialog.parked.text()
    assert "батьківськ" in said and "wait for their parents" not in said, said
    assert "wait" not in dialog.parked.toolTip()
    screenshot(dialog, "coordinator-devices-parked-uk.png")
    dialog.done(0)


@contextmanager
def _lviv_with_a_parked_edit(tmp_path: Path) -> Iterator[Path]:
    """The worker's bundle reached Kyiv by USB, not Lviv; Kyiv's stick to
    Lviv carries its edit of the worker's testimony alone, which waits at
    Lviv (someone else is revoked). Lviv's folder, locked, the server up."""
    with organisation(tmp_path) as org:
        kyiv = org.coordinator
        lviv = add_desk(kyiv, tmp_path / "lviv", label="Lviv", publish=True)
        org_vault.update_profile(lviv, org_vault.current_signed(kyiv).signed)
        worker, bystander = org.worker("field"), org.worker("bystander")
        try:
            know_worker(lviv, worker)
            work = record_work(worker, tmp_path, "field work", size=3_000)
            made, profile = export_by_usb(worker, tmp_path / "worker-stick")
            import_by_usb(kyiv, made.path, profile.org_id)
            edit = kyiv.testimonies.edit(work.testimony_id, title="checked at Kyiv").revision
            revoke(kyiv, bystander.device_id, publish=True, tell=[lviv])  # someone else is revoked
            taken = import_by_usb(
                lviv, kyivs_edit_alone(kyiv, lviv, edit, tmp_path / "kyiv-stick"), profile.org_id
            )
            assert taken.parked_revisions == (edit,)
            folder = lviv.folder
            lviv.lock()  # the window opens it
            yield folder
        finally:
            lviv.lock()


def _panel_after_the_pull(window: FieldvaultWindow) -> SyncPanel:
    status = status_of(window)
    assert status.parked == 1, status  # what still waits after the pull
    panel = sync_panel_of(window)
    assert panel.pull_details.isVisible()
    return panel


def test_the_sync_panel_says_what_waits_after_a_pull(qtbot: QtBot, tmp_path: Path) -> None:
    with _lviv_with_a_parked_edit(tmp_path) as folder, synced_window(qtbot, folder) as window:
        panel = _panel_after_the_pull(window)
        assert (
            "1 record change(s) wait for their parents: they follow changes this vault has not "
            "received yet, and are kept apart until those arrive. Import the bundle of the device "
            "that made those changes (Coordinator → Devices… counts what waits)."
        ) in panel.pull_details.text().split("\n"), panel.pull_details.text()  # before: no line
        screenshot(panel, "sync-panel-parked.png")


def test_the_sync_panel_says_it_in_ukrainian(qtbot: QtBot, tmp_path: Path, ukrainian: None) -> None:
    with _lviv_with_a_parked_edit(tmp_path) as folder, synced_window(qtbot, folder) as window:
        said = _panel_after_the_pull(window).pull_details.text()
        assert "1 зміна запису чекає на свої батьківські зміни" in said, said
        assert "Координатор → Пристрої…" in said and "wait for" not in said
        assert window.sync_panel is not None
        screenshot(window.sync_panel, "sync-panel-parked-uk.png")
