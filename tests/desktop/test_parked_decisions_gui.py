"""The desktop says what an import decided of the record changes waiting
here for their parents, and shows a revoked device known only by its
refused bundles as revoked (issue 14; review 14 F4; docs/user-guide.md
Devices and Sync).

An import can store changes that waited (their parents came), keep aside
ones that no longer check out (damaged: verify names them), or leave out
changes whose signer's parked slots are full. ``fieldvault bundle import``
said so; Import bundles… and the sync panel said nothing, so a coordinator
did not know that edits had arrived, that the vault needed checking, or
that a flood filled a signer's slots. The Devices view showed a revoked
laptop known only by its refused bundles as an unknown device waiting for
its code, and never said what its refused bundles left here.

Real vaults and bundles: a folder standing for a USB stick for Import
bundles… and the Devices view; a real server on loopback with Lviv's
window and its real sync worker for the sync panel."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from db import parked as parked_module
from desktop.window import FieldvaultWindow
from tests.desktop.bundle_dialog_helpers import import_in_dialog, shown_devices
from tests.desktop.test_sync_gui import status_of
from tests.gui_helpers import in_ukrainian, screenshot
from tests.sync.desk_world import UsbDesks, usb_desks
from tests.sync.pull_parked_scene import DAMAGE_PARKED_ROWS, lviv_behind_kyivs_edit, run_sql
from tests.sync.test_held_revision_damaged import DAMAGE as DAMAGE_HELD_BACK
from tests.sync.test_parked_evidence import kyivs_edit_by_usb
from tests.sync.test_revoked_known_by_refused_bundles import refused_at_lviv
from tests.sync.window_scenes import sync_panel_of, synced_panel, synced_window

__all__ = ["usb_desks"]  # the fixture
STORED = "1 record change(s) that waited for their parents were stored: the changes they follow arrived."
DAMAGED = (
    "1 waiting record change(s) no longer check out: kept waiting, not stored. Run fieldvault verify "
    "and tell your organisation."
)
PAST_CAP = (
    "1 record change(s) left out: the signer's parked slots are full (too many of its changes already wait "
    "here for their parents). Import the bundles those changes follow, or tell your organisation."
)


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


@pytest.fixture
def full_slots(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every signer's parked slots full: a change that would wait is left out."""
    monkeypatch.setattr(parked_module, "PARKED_CAP", 0)


# -- the sync panel, after a pull ------------------------------------------------------------


def _panel_lines(qtbot: QtBot, tmp_path: Path, *, damage: bool = False) -> tuple[FieldvaultWindow, list[str]]:
    """Lviv's window after its pull of the scene (tests/sync/pull_parked_scene.py):
    the window, and the sync panel's lines about the pull."""
    with lviv_behind_kyivs_edit(tmp_path) as scene:
        if damage:
            run_sql(scene.lviv, *DAMAGE_PARKED_ROWS)
        folder = scene.lviv.folder
        scene.lviv.lock()  # the window opens it
        window, panel = synced_panel(qtbot, folder)
        lines = panel.pull_details.text().split("\n")
        window.lock()  # its sync worker stops before the server does
        return window, lines


def test_the_sync_panel_says_the_waiting_changes_were_stored(qtbot: QtBot, tmp_path: Path) -> None:
    with lviv_behind_kyivs_edit(tmp_path) as scene:
        folder = scene.lviv.folder
        scene.lviv.lock()
        with synced_window(qtbot, folder) as window:
            assert status_of(window).unparked == 1
            panel = sync_panel_of(window)
            assert STORED in panel.pull_details.text().split("\n"), (
                panel.pull_details.text()
            )  # before: nothing
            screenshot(panel, "sync-panel-parked-stored.png")


def test_the_sync_panel_says_damaged_waiting_changes_are_kept_aside(qtbot: QtBot, tmp_path: Path) -> None:
    _window, lines = _panel_lines(qtbot, tmp_path, damage=True)
    assert DAMAGED in lines, lines
    assert STORED not in lines


def test_the_sync_panel_says_changes_past_the_cap_were_left_out(
    qtbot: QtBot, tmp_path: Path, full_slots: None
) -> None:
    _window, lines = _panel_lines(qtbot, tmp_path)
    assert PAST_CAP in lines, lines


def test_the_sync_panel_says_it_in_ukrainian(
    qtbot: QtBot, tmp_path: Path, full_slots: None, ukrainian: None
) -> None:
    with lviv_behind_kyivs_edit(tmp_path) as scene:
        folder = scene.lviv.folder
        scene.lviv.lock()
        with synced_window(qtbot, folder) as window:
            panel = sync_panel_of(window)
            said = panel.pull_details.text()
            assert "1 зміну запису пропущено: місця для відкладених змін" in said, said
            assert "parked slots" not in said
            screenshot(panel, "sync-panel-parked-past-cap-uk.png")


# -- Import bundles…, by USB --------------------------------------------------------------------


def test_import_bundles_says_the_waiting_changes_were_stored(qtbot: QtBot, usb_desks: UsbDesks) -> None:
    desks = usb_desks
    _field, edit, workers_bundle, kyivs = kyivs_edit_by_usb(desks, revoke_the_worker=False)
    assert desks.to_lviv(kyivs).parked_revisions == (edit,)
    dialog = import_in_dialog(qtbot, desks.lviv, [workers_bundle])
    [row] = dialog.result_texts()
    assert row.endswith("; 1 record change(s) that waited for their parents stored now"), (
        row
    )  # before: not said
    screenshot(dialog, "bundle-import-parked-stored.png")


def test_import_bundles_says_damaged_waiting_changes_are_kept_aside(
    qtbot: QtBot, usb_desks: UsbDesks
) -> None:
    desks = usb_desks
    _field, edit, workers_bundle, kyivs = kyivs_edit_by_usb(desks, revoke_the_worker=False)
    desks.to_lviv(kyivs)
    run_sql(desks.lviv, f"UPDATE parked_revisions SET signature = zeroblob(64) WHERE revision_id = '{edit}'")
    dialog = import_in_dialog(qtbot, desks.lviv, [workers_bundle])
    [row] = dialog.result_texts()
    assert row.endswith(
        "; 1 waiting record change(s) no longer check out: kept waiting, not stored; run fieldvault verify"
    ), row


def test_import_bundles_says_changes_past_the_cap_were_left_out(
    qtbot: QtBot, usb_desks: UsbDesks, full_slots: None
) -> None:
    desks = usb_desks
    _field, _edit, _workers_bundle, kyivs = kyivs_edit_by_usb(desks, revoke_the_worker=False)
    dialog = import_in_dialog(qtbot, desks.lviv, [kyivs])
    [row] = dialog.result_texts()
    assert row.endswith("; 1 record change(s) left out: the signer's parked slots are full"), row


def test_import_bundles_says_a_bundle_was_not_imported_for_this_vaults_damage(
    qtbot: QtBot, usb_desks: UsbDesks
) -> None:
    """Review 14 F5: a change the import holds back no longer verifies (a
    trigger damages the rows, tests/sync/test_held_revision_damaged.py):
    the row says the bundle was not imported and that the fault is this
    vault's, never "refused" (before: refused, as if Kyiv had sent a bad
    revision)."""
    desks = usb_desks
    _field, edit, _workers_bundle, kyivs = kyivs_edit_by_usb(desks, revoke_the_worker=False)
    run_sql(desks.lviv, *DAMAGE_HELD_BACK)
    dialog = import_in_dialog(qtbot, desks.lviv, [kyivs])
    [row] = dialog.result_texts()
    assert row.startswith("not imported: Bundle "), row
    assert "The fault is in this vault or this computer, not in the bundle" in row, row
    assert "Import or sync again" in row and "fieldvault verify" in row, row  # review 15 F5
    assert edit not in {r.revision_id for r in desks.lviv.revisions.all()}


# -- the Devices view ----------------------------------------------------------------------------


def test_the_devices_view_shows_a_laptop_known_by_refused_bundles_as_revoked(
    qtbot: QtBot, usb_desks: UsbDesks
) -> None:
    desks = usb_desks
    worker, kept = refused_at_lviv(desks)
    dialog = shown_devices(qtbot, desks.lviv)
    [cells] = [row for row in dialog.row_texts() if row[dialog.DEVICE_COLUMN].startswith(worker[:12])]
    # Before: "unknown", "unknown", "pending", no warning.
    assert cells[dialog.ROLE_COLUMN] == "field device"
    assert cells[dialog.STATUS_COLUMN] == "revoked"
    assert cells[dialog.VERIFICATION_COLUMN] == "revoked"
    assert cells[dialog.WARNING_COLUMN] == "⚠ revoked, 1 refused bundle(s) read"
    dialog.choose(worker)
    assert (
        f"1 of its bundles were refused and read here: {kept} revision id(s) from them are kept as left out, "
        "so that edits of them that other desks send are left out too."
    ) in dialog.details.text().split("\n"), dialog.details.text()
    screenshot(dialog, "coordinator-devices-revoked-refused-read.png")
    dialog.done(0)


def test_the_devices_view_says_it_in_ukrainian(qtbot: QtBot, usb_desks: UsbDesks, ukrainian: None) -> None:
    desks = usb_desks
    worker, _kept = refused_at_lviv(desks)
    dialog = shown_devices(qtbot, desks.lviv)
    [cells] = [row for row in dialog.row_texts() if row[dialog.DEVICE_COLUMN].startswith(worker[:12])]
    assert "1 відхилений пакет прочитано" in cells[dialog.WARNING_COLUMN], cells
    dialog.choose(worker)
    said = dialog.details.text()
    assert "1 його пакет відхилено й прочитано тут" in said and "refused" not in said, said
    screenshot(dialog, "coordinator-devices-revoked-refused-read-uk.png")
    dialog.done(0)
