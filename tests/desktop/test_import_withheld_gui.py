"""The desktop says when a desk's bundle left revisions out (issue 14;
docs/sync.md §2.3, docs/bundle-format.md §5 step 11).

The Kyiv desk took a field worker's work and edited the worker's testimony;
then the organisation revoked the worker. Read after that, Kyiv's bundle is
imported at the Lviv desk without the worker's revisions and Kyiv's edit
(``ImportedBundle.withheld_revisions``), and made after it, Kyiv's bundle
leaves them out (``ExportedBundle.withheld``). The command line counted
them; Import bundles…, Export bundle to USB… and the sync panel said
nothing, so a coordinator took what was imported or sent for all of it.

Real vaults: bundles through a folder standing for a USB stick, and for the
sync panel a real server on loopback with Lviv's window and its real sync
worker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from db.api import Vault
from desktop.bundle_actions import BundleExportDialog
from sync import org_vault
from sync.bundle.vault_io import import_bundle
from sync.client.org_link import publish_profile
from tests.desktop.bundle_dialog_helpers import import_in_dialog
from tests.desktop.test_sync_gui import status_of
from tests.gui_helpers import in_ukrainian, screenshot
from tests.sync.client.sync_helpers import record_work
from tests.sync.desk_world import UsbDesks, desk_added_after_the_worker, desk_push, export_by_usb, usb_desks
from tests.sync.trust_fixtures import current_profile
from tests.sync.window_scenes import sync_panel_of, synced_window

WAIT_MS = 60_000
LEFT_OUT = "record change(s) left out: signed by a device your organisation revoked, or edits of its records"

__all__ = ["usb_desks"]  # the fixture


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


def _revision_ids(vault: Vault, device_id: str | None = None) -> set[str]:
    return {
        r.revision_id
        for r in vault.revisions.since(0, 100_000)
        if device_id is None or r.device_id == device_id
    }


def _stale_bundle_and_revocation(desks: UsbDesks) -> tuple[Path, set[str]]:
    """Kyiv's bundle made before the revocation, carrying the worker's
    revisions and Kyiv's edit of its testimony; Lviv holds the profile that
    revokes the worker. Returns the bundle and what Lviv leaves out of it."""
    field = desks.worker("field")
    desks.org.import_(desks.org.export(field.vault).path)
    [testimony] = desks.kyiv.testimonies.list()
    edit = desks.kyiv.testimonies.edit(testimony.id, title="checked at the Kyiv desk").revision
    stale = desks.org.export(desks.kyiv)
    org_vault.revoke_device(desks.kyiv, field.vault.device_id)
    org_vault.update_profile(desks.lviv, current_profile(desks.kyiv))
    return stale.path, _revision_ids(desks.kyiv, field.vault.device_id) | {edit}


def test_import_bundles_says_how_many_record_changes_were_left_out(qtbot: QtBot, usb_desks: UsbDesks) -> None:
    desks = usb_desks
    stale, left_out = _stale_bundle_and_revocation(desks)

    dialog = import_in_dialog(qtbot, desks.lviv, [stale])
    [row] = dialog.result_texts()
    assert row.startswith(f"imported: bundle 1 of device {desks.kyiv.device_id}"), row
    assert row.endswith(f"; {len(left_out)} {LEFT_OUT}"), row  # before: nothing of them
    assert not left_out & _revision_ids(desks.lviv)  # what the row says is what happened
    assert desks.lviv.verify().ok
    screenshot(dialog, "bundle-import-withheld.png")


def test_import_bundles_says_it_in_ukrainian(qtbot: QtBot, usb_desks: UsbDesks, ukrainian: None) -> None:
    desks = usb_desks
    stale, left_out = _stale_bundle_and_revocation(desks)
    dialog = import_in_dialog(qtbot, desks.lviv, [stale])
    [row] = dialog.result_texts()
    assert row.startswith("імпортовано: пакет 1"), row
    assert row.endswith(
        f"; пропущено змін записів: {len(left_out)} (підписані пристроєм, який ваша організація "
        "відкликала, або правки його записів)"
    ), row
    screenshot(dialog, "bundle-import-withheld-uk.png")


def test_export_bundle_says_how_many_record_changes_it_left_out(
    qtbot: QtBot, usb_desks: UsbDesks, tmp_path: Path
) -> None:
    desks = usb_desks
    _stale, left_out = _stale_bundle_and_revocation(desks)
    stick = tmp_path / "kyiv-stick"
    stick.mkdir()
    dialog = BundleExportDialog(desks.kyiv, chooser=lambda _parent, _caption: str(stick))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    assert dialog.exported is not None, dialog.status.text()
    assert set(dialog.exported.withheld) == left_out
    said = dialog.status.text()
    assert f"\n{len(left_out)} {LEFT_OUT}. The other coordinators do not take them." in said, said
    screenshot(dialog, "bundle-export-withheld.png")


def test_the_sync_panel_says_how_many_record_changes_the_pull_left_out(qtbot: QtBot, tmp_path: Path) -> None:
    with desk_added_after_the_worker(tmp_path) as (kyiv, lviv, worker):
        # The worker's stick reaches Kyiv (made before Lviv was added: not
        # relayed, it travels in Kyiv's own bundle); Kyiv edits its testimony.
        work = record_work(worker, tmp_path, "by-usb", size=5_000)
        made, profile = export_by_usb(worker, tmp_path / "stick")
        import_bundle(kyiv, made.path, kyiv.vault_keys.age_identity(), org_id=profile.org_id)
        edit = kyiv.testimonies.edit(work.testimony_id, title="checked at the Kyiv desk").revision
        left_out = (_revision_ids(kyiv, worker.device_id) - _revision_ids(lviv)) | {edit}
        shared = desk_push(kyiv)
        assert shared.made is not None and shared.sent == [shared.made.bundle_id]
        # The worker is revoked; Lviv takes the new profile before it pulls.
        signed = org_vault.revoke_device(kyiv, worker.device_id)
        assert publish_profile(signed.signed, signed.profile).state == "done"
        org_vault.update_profile(lviv, signed.signed)
        folder = lviv.folder
        lviv.lock()  # the window opens it

        with synced_window(qtbot, folder) as window:
            status = status_of(window)
            assert status.refused == () and status.received == 1
            assert status.withheld == len(left_out)
            panel = sync_panel_of(window)
            assert panel.pull_details.isVisible()
            assert panel.pull_details.text() == (
                f"{len(left_out)} record change(s) left out of the bundles received: signed by a device "
                "your organisation revoked, or edits of its records. The rest of those bundles was imported."
            )  # before: no line at all
            screenshot(panel, "sync-panel-withheld.png")
