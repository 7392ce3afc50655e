"""Coordinator → Devices… does not list a record as frozen because a
revoked device's refused bundle names it (issue 14; review 13 F5;
docs/user-guide.md Devices).

A seized laptop, revoked, still signs: it edits Kyiv's other case (it knew
it: the organisation sends everything back to the field), and its bundle
reaches Lviv, which refuses it (its maker is revoked) and keeps its
revision ids as left out (db/withheld.py). The record ids in such a bundle
are the laptop's choice. Before, "Frozen records…" listed Kyiv's other case
by its title as "left out here"; now the ids are only counted, per device,
under the devices list, and the list holds only the records really frozen.
Real vaults and bundles (tests/db/revocation_world.py)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from sync.bundle.errors import BundleRejected
from tests.db.revocation_world import build
from tests.desktop.bundle_dialog_helpers import frozen_list, shown_devices
from tests.gui_helpers import screenshot
from tests.sync.desk_world import UsbDesks, usb_desks

desks = usb_desks  # the fixture, under the name the tests ask for
CONTROL_TITLE = "Kyiv's other case"  # revocation_world's case the worker never touched before


def test_a_refused_bundle_naming_a_desks_case_does_not_list_it_as_frozen(
    qtbot: QtBot, desks: UsbDesks
) -> None:
    world = build(desks)
    laptop = world.field.vault
    laptop.cases.edit(world.control_case, title="seized laptop's edit")  # after its revocation
    with pytest.raises(BundleRejected) as refused:
        desks.to_lviv(desks.org.export(laptop).path)
    assert refused.value.code == "bundle-device-revoked"
    assert refused.value.refused_read is not None and refused.value.refused_read[0] >= 1
    kept = refused.value.refused_read[0]

    dialog = shown_devices(qtbot, world.lviv)
    said = dialog.frozen.text.text()
    short = f"{world.worker_id[:12]}…"
    count = len(world.worker_records)
    # The records the worker really froze, as before the refused bundle.
    assert (
        f"Revoked device {short}: {count} record(s) frozen (0 with edits held back here from the "
        f"other desks, {count} with edits left out here)."
    ) in said
    # The refused bundle's ids: counted, no record named.
    assert (
        f"Revoked device {short}: {kept} revision id(s) named by its refused bundles, kept so that "
        "edits descending from them are left out. They are not verified against a record"
    ) in said
    assert CONTROL_TITLE not in said
    screenshot(dialog, "coordinator-devices-frozen-refused-bundle.png")
    listed = frozen_list(qtbot, dialog)
    rows = listed.row_texts()
    assert len(rows) == count
    assert all(row[listed.RECORD_COLUMN] != CONTROL_TITLE for row in rows)
    items = [listed.table.topLevelItem(i) for i in range(len(rows))]
    assert all(item is not None for item in items)
    assert world.control_case not in {
        item.toolTip(listed.RECORD_COLUMN) for item in items if item is not None
    }
    dialog.done(0)
