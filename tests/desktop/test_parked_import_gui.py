"""Import bundles... says how many record changes wait until the
changes they follow arrive (issue 14; docs/sync.md §2.3, db/parked.py).

Kyiv's bundle carries its edit of a field worker's evidence item, not the
worker's revisions; Lviv, whose profile revokes some device, has not read
the worker's bundle yet: the edit waits, parked. Before, the row said
nothing of it (and before parking, the bundle was refused for the item's
bytes). Real vaults; a folder stands for the USB stick."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from db.api import parked_revision_count
from tests.desktop.bundle_dialog_helpers import import_in_dialog
from tests.desktop.test_import_withheld_gui import ukrainian
from tests.gui_helpers import screenshot
from tests.sync.desk_world import UsbDesks, usb_desks
from tests.sync.test_parked_evidence import kyivs_edit_by_usb

__all__ = ["ukrainian", "usb_desks"]  # the fixtures


def test_import_bundles_says_how_many_record_changes_wait(qtbot: QtBot, usb_desks: UsbDesks) -> None:
    desks = usb_desks
    _field, _edit, _workers, kyivs = kyivs_edit_by_usb(desks, revoke_the_worker=False)
    dialog = import_in_dialog(qtbot, desks.lviv, [kyivs])
    [row] = dialog.result_texts()
    assert row.startswith(f"imported: bundle 1 of device {desks.kyiv.device_id}"), row
    assert row.endswith(
        "; 1 record change(s) waiting until the changes they follow arrive (or are left out)"
    ), row
    assert parked_revision_count(desks.lviv) == 1  # what the row says is what happened
    screenshot(dialog, "bundle-import-parked.png")


def test_import_bundles_says_it_in_ukrainian(qtbot: QtBot, usb_desks: UsbDesks, ukrainian: None) -> None:
    desks = usb_desks
    _field, _edit, _workers, kyivs = kyivs_edit_by_usb(desks, revoke_the_worker=False)
    dialog = import_in_dialog(qtbot, desks.lviv, [kyivs])
    [row] = dialog.result_texts()
    assert row.endswith(
        "; чекають змін записів: 1 (до надходження змін, за якими вони йдуть, або до їх пропуску)"
    ), row
    screenshot(dialog, "bundle-import-parked-uk.png")
