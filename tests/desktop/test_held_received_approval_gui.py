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
from sync.bundle.quarantine import approve_bundle, held_states
from tests.desktop.bundle_dialog_helpers import import_in_dialog, shown_devices
from tests.gui_helpers import in_ukrainian
from tests.sync.desk_world import UsbDesks, handed_over_then_lapsed, usb_desks
from tests.sync.test_held_bundle_received_elsewhere import LATER, _held_then_received_on_word, _row, _titles

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
    built = handed_over_then_lapsed(desks, tmp_path, LATER)
    x, second, made = built.vouched.x, built.second, built.made

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


def _approve(qtbot: QtBot, dialog: BundleImportDialog, code: str) -> None:
    first = dialog.results.topLevelItem(0)
    assert first is not None
    dialog.results.setCurrentItem(first)
    assert dialog.approve_box.isVisible()
    dialog.code_field.clear()
    qtbot.keyClicks(dialog.code_field, code)
    qtbot.mouseClick(dialog.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)


def test_after_the_hand_over_the_import_of_its_file_offers_the_approval(
    qtbot: QtBot, desks: UsbDesks, tmp_path: Path
) -> None:
    """Import bundles… of bundle 2's file after the hand-over: before the fix
    "already imported …: nothing to do", no approve box, X pending with no
    way in the app but its card (review 23 F1). Now the row says its device
    is pending and offers the code; a wrong one changes nothing, X's enrols
    X and stores its case."""
    scene = _held_then_received_on_word(desks, tmp_path)
    lviv, x_id = desks.lviv, scene.x.device_id
    dialog = import_in_dialog(qtbot, lviv, [scene.second.path])
    [row] = dialog.result_texts()
    assert row.startswith("received before on a history hand-over's word"), row
    assert "nothing to do" not in row and x_id in row

    _approve(qtbot, dialog, "00000 00000 00000 00000 00000 00000")
    assert "not the verification code" in dialog.status.text(), dialog.status.text()
    assert lviv.sync.device(x_id).status == "pending"  # type: ignore[union-attr]
    assert _row(lviv, scene.second.bundle_id).status == "received"
    assert LATER not in _titles(lviv)

    _approve(qtbot, dialog, org_vault.status(scene.x).verification_code)
    assert lviv.sync.device(x_id).status == "enrolled"  # type: ignore[union-attr]
    assert LATER in _titles(lviv)
    assert _row(lviv, scene.second.bundle_id).status == "approved"
    [row] = dialog.result_texts()
    assert "its device is enrolled now" in row and "kept aside until then stored now" in row, row
    assert not dialog.approve_box.isVisible()
    dialog.done(0)
    # Approved: the plain replay it is now offers nothing.
    again = import_in_dialog(qtbot, lviv, [scene.second.path])
    assert again.result_texts()[0].startswith("already imported"), again.result_texts()
    again.done(0)


def test_the_devices_view_names_the_received_bundle_to_approve(
    qtbot: QtBot, desks: UsbDesks, tmp_path: Path
) -> None:
    """Coordinator → Devices…: X's row says its bundle 2 came with a hand-over
    and how to approve it (before, nothing listed the row: review 23 F1);
    once X is approved by code, it says so no more."""
    scene = _held_then_received_on_word(desks, tmp_path)
    lviv, x_id, bundle_id = desks.lviv, scene.x.device_id, scene.second.bundle_id
    [state] = held_states(lviv)
    assert (state.state, state.held.bundle_id) == ("received-awaiting-verification", bundle_id)
    devices = shown_devices(qtbot, lviv)
    devices.choose(x_id)
    warnings = devices.full_warnings(x_id)
    assert any(
        text.startswith("Bundle 2 came with a history hand-over while this device is pending here")
        and f"fieldvault bundle approve {bundle_id} --code CODE" in text
        for text in warnings
    ), warnings
    devices.done(0)

    approve_bundle(
        lviv, bundle_id, org_vault.status(scene.x).verification_code, lviv.vault_keys.age_identity()
    )
    assert held_states(lviv) == []
    devices = shown_devices(qtbot, lviv)
    assert not any("came with a history hand-over" in text for text in devices.full_warnings(x_id))
    devices.done(0)


def test_the_offer_in_ukrainian(qtbot: QtBot, desks: UsbDesks, tmp_path: Path) -> None:
    scene = _held_then_received_on_word(desks, tmp_path)
    with in_ukrainian(tmp_path / "qm"):
        dialog = import_in_dialog(qtbot, desks.lviv, [scene.second.path])
        [row] = dialog.result_texts()
        assert scene.x.device_id in row and "history hand-over" not in row, row
        devices = shown_devices(qtbot, desks.lviv)
        warnings = devices.full_warnings(scene.x.device_id)
        assert any(scene.second.bundle_id in text and "history hand-over" not in text for text in warnings)
        dialog.done(0)
        devices.done(0)
