"""Approving in the app a held bundle that a hand-over since counted as
received (review 23 F1, F2; d1d0267; docs/bundle-format.md §5 step 5).

The scene is tests/sync/test_held_bundle_received_elsewhere.py's, real
vaults and real signed bundles by USB: field worker X is pending at Lviv
(its vouch lapsed), X's bundle 2 is held there, and Kyiv's history
hand-over, taken after it, counts bundle 2 as received and keeps X's
revisions aside. Organisation → Import bundles… is driven by clicks and
typing."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.bundle_actions import BundleImportDialog
from sync import org_vault
from sync.bundle.hand_over import hand_over
from tests.factory import make_case
from tests.sync.desk_world import UsbDesks, add_desk, import_by_usb, join, usb_desks
from tests.sync.test_held_bundle_received_elsewhere import LATER, _row, _titles
from tests.sync.trust_fixtures import current_profile

desks = usb_desks
__all__ = ["desks"]
WAIT_MS = 120_000


def _click_import(qtbot: QtBot, dialog: BundleImportDialog, files: list[Path]) -> list[str]:
    dialog._chooser = lambda _parent, _caption: [str(f) for f in files]
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    return dialog.result_texts()


def test_approving_in_the_dialog_after_the_hand_over_says_what_it_stored(
    qtbot: QtBot, desks: UsbDesks, tmp_path: Path
) -> None:
    """Both files in one Import bundles…: bundle 2 is held, then the
    hand-over counts it received. Approving bundle 2 with X's code enrols X
    and stores its kept-aside case; before the fix its row still said
    "already imported …: nothing to do" and the view was not told to reload
    (review 23 F2)."""
    odesa = add_desk(desks.kyiv, tmp_path / "odesa", label="Odesa desk")
    desks.others.append(odesa)
    org_vault.update_profile(desks.lviv, current_profile(desks.kyiv))
    x = join(desks.kyiv, tmp_path / "x")
    desks.others.append(x)
    org_vault.add_device(odesa, org_vault.own_device_card(x).text, label="X")
    make_case(x, title="X's first case")
    import_by_usb(odesa, desks.org.export(x).path, desks.org.org_id)
    odesa_bundle = desks.org.export(odesa).path
    desks.to_lviv(odesa_bundle)
    desks.org.import_(odesa_bundle)
    make_case(x, title=LATER)
    second = desks.org.export(x)
    desks.org.import_(second.path)
    stick = tmp_path / "stick"
    stick.mkdir()
    made = hand_over(desks.kyiv, stick, desks.lviv.device_id)
    org_vault.update_profile(desks.lviv, org_vault.remove_coordinator(desks.kyiv, odesa.device_id).signed)
    assert desks.lviv.sync.device(x.device_id).status == "pending"  # type: ignore[union-attr]

    dialog = BundleImportDialog(desks.lviv)
    qtbot.addWidget(dialog)
    dialog.show()
    reloads: list[bool] = []
    dialog.imported.connect(lambda: reloads.append(True))
    said = _click_import(qtbot, dialog, [second.path, made.path])  # one at a time, in this order
    assert said[0].startswith("held in quarantine"), said
    assert _row(desks.lviv, second.bundle_id).status == "received"
    reloads.clear()

    first = dialog.results.topLevelItem(0)
    assert first is not None
    dialog.results.setCurrentItem(first)
    assert dialog.approve_box.isVisible()
    qtbot.keyClicks(dialog.code_field, org_vault.status(x).verification_code)
    qtbot.mouseClick(dialog.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)

    assert desks.lviv.sync.device(x.device_id).status == "enrolled"  # type: ignore[union-attr]
    assert LATER in _titles(desks.lviv)
    row = dialog.result_texts()[0]
    assert "nothing to do" not in row, row
    assert "its device is enrolled now" in row and "kept aside until then stored now" in row, row
    assert dialog.status.text().startswith("Approved")
    assert reloads  # the window reloads what it shows: X's case is new there
    assert not dialog.approve_box.isVisible()
    dialog.done(0)
