"""Import bundles… on a bundle whose reading this computer stopped (the
system killed the decrypting child: BundleNotRead): the row says it was
not imported, never "refused", which the dialog's end tells the user to
keep aside and report (review 30 F2, as review 14 F5 for a vault's own
damage).

Real vaults and bundle files, the real dialog; only the decrypting
child's program is replaced by one the system kills."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from tests.desktop.bundle_dialog_helpers import import_in_dialog
from tests.sync.child_processes import kill_decrypting_children
from tests.sync.desk_world import UsbDesks, usb_desks

desks = usb_desks


def test_a_read_the_system_stopped_is_not_called_a_refusal(
    qtbot: QtBot, desks: UsbDesks, monkeypatch: pytest.MonkeyPatch
) -> None:
    kyiv_bundle = desks.kyiv_bundle()
    kill_decrypting_children(monkeypatch)
    importing = import_in_dialog(qtbot, desks.lviv, [kyiv_bundle])
    [row] = importing.result_texts()
    assert row.startswith("not imported: "), row
    assert "the bundle itself was not judged" in row, row
