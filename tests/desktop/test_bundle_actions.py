"""Bundles by USB in the GUI (desktop/bundle_actions.py, issue 11): a worker
writes a bundle in its dialog, a coordinator imports it in its window, with
the real vaults, org profile and bundle format underneath. A cancelled export
leaves no bundle and a vault that verifies; each imported bundle's outcome
is shown: applied, already imported, refused with its reason, gaps."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from db.api import Vault
from db.keyring_store import NoKeyring
from desktop.bundle_actions import BundleExportDialog, BundleImportDialog
from sync import org_vault
from tests.factory import make_case, make_testimony
from tests.gui_helpers import screenshot, unlocked_window
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

WAIT_MS = 60_000
CASE_TITLE = "Izium, March 2022"


def _vault(folder: Path) -> Vault:
    return Vault.create(folder, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault


@dataclass
class Org:
    worker: Vault
    coordinator_folder: Path
    usb: Path


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    """A coordinator who created the organisation and added the worker's
    device, as `org create`, `enrol` and `org add-device` do; the
    coordinator's vault is left locked for its window."""
    coordinator = _vault(tmp_path / "coordinator")
    worker = _vault(tmp_path / "worker")
    signed = org_vault.create_organisation(coordinator, "Kharkiv documentation group")
    org_vault.enrol(worker, signed.signed, fingerprint_given=signed.profile.fingerprint)
    org_vault.add_device(coordinator, org_vault.own_device_card(worker).text)
    coordinator.lock()
    usb = tmp_path / "usb"
    usb.mkdir()
    yield Org(worker, tmp_path / "coordinator", usb)
    worker.lock()


def _export_dialog(qtbot: QtBot, vault: Vault, usb: Path) -> BundleExportDialog:
    dialog = BundleExportDialog(vault, chooser=lambda _parent, _caption: str(usb))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    assert dialog.folder_field.text() == str(usb)
    return dialog


def _write(qtbot: QtBot, dialog: BundleExportDialog) -> None:
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.busy and dialog.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)


def _import(qtbot: QtBot, dialog: BundleImportDialog, files: list[Path]) -> list[str]:
    dialog._chooser = lambda _parent, _caption: [str(f) for f in files]  # the file dialog's answer
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.busy
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    return dialog.result_texts()


def test_a_bundle_written_in_the_worker_gui_is_imported_in_the_coordinator_gui(
    qtbot: QtBot, org: Org, tmp_path: Path
) -> None:
    case = make_case(org.worker, title=CASE_TITLE)
    testimony = make_testimony(org.worker, case.id)
    export = _export_dialog(qtbot, org.worker, org.usb)
    _write(qtbot, export)
    first = export.exported
    assert first is not None and first.sequence == 1 and first.path.parent == org.usb
    assert first.path.name in export.status.text() and "Bundle 1 written" in export.status.text()
    screenshot(export, "bundle-export.png")
    # More work, a second bundle.
    later = make_testimony(org.worker, case.id, title="Statement of witness W-2")
    _write(qtbot, export)
    second = export.exported
    assert (
        second is not None
        and second.sequence == 2
        and sorted(os.listdir(org.usb)) == sorted([first.path.name, second.path.name])
    )
    damaged = tmp_path / "damaged.fvb"
    data = bytearray(first.path.read_bytes())
    data[len(data) // 2] ^= 0x01
    damaged.write_bytes(bytes(data))

    window = unlocked_window(qtbot, org.coordinator_folder)
    window.org_menu.import_action.trigger()
    dialog = window.org_menu.dialog
    assert isinstance(dialog, BundleImportDialog)
    # The second without the first: applied, with the missing one reported as a gap;
    # a damaged copy refused. Then both, chosen second first: each row is its
    # file's, the device's bundles taken in their order (the first, then the
    # second: already imported). The first again: nothing to do.
    results = _import(qtbot, dialog, [second.path, damaged])
    screenshot(dialog, "bundle-import.png")
    assert results[0].startswith("imported: bundle 2") and "bundles 1 to 1" in results[0], results
    assert results[1].startswith("refused: ") and "tampered" in results[1] and "Nothing" in results[1]
    results = _import(qtbot, dialog, [second.path, first.path])
    assert results[0].startswith("already imported (bundle 2"), results
    assert results[1].startswith("imported: bundle 1") and "have not arrived" not in results[1], results
    assert _import(qtbot, dialog, [first.path]) == [
        f"already imported (bundle 1 of device {org.worker.device_id}): nothing to do"
    ]
    vault = window.vault
    assert vault is not None
    assert vault.testimonies.get(testimony.id).narrative == testimony.narrative
    assert vault.testimonies.get(later.id).title == "Statement of witness W-2"
    assert window.vault_view is not None and CASE_TITLE in window.vault_view.case_labels()
    assert vault.verify().ok
    window.lock()
    assert window.org_menu.dialog is None


def test_cancel_mid_export_leaves_no_bundle_and_the_vault_verifies(
    qtbot: QtBot, org: Org, tmp_path: Path
) -> None:
    case = make_case(org.worker)
    make_testimony(org.worker, case.id)
    video = tmp_path / "video.mp4"
    with video.open("wb") as file:  # large enough that the export is still running when Cancel is clicked
        for _ in range(96):
            file.write(os.urandom(1 << 20))
    org.worker.evidence.ingest(video, case.id)
    before = org.worker.sync.outgoing()

    dialog = _export_dialog(qtbot, org.worker, org.usb)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=WAIT_MS)
    assert dialog.busy, "the export ended before it could be cancelled"
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)

    assert dialog.exported is None and "Cancelled" in dialog.status.text()
    assert os.listdir(org.usb) == []  # no bundle, no partial file
    assert org.worker.sync.outgoing() == before
    assert org.worker.verify().ok
    screenshot(dialog, "bundle-export-cancelled.png")
    # Started again, it completes as bundle 1.
    _write(qtbot, dialog)
    assert dialog.exported is not None and dialog.exported.sequence == 1 and dialog.exported.blobs == 1


def test_export_without_an_organisation_says_what_to_do(qtbot: QtBot, tmp_path: Path) -> None:
    vault = _vault(tmp_path / "alone")
    try:
        usb = tmp_path / "usb"
        usb.mkdir()
        dialog = _export_dialog(qtbot, vault, usb)
        _write(qtbot, dialog)
        assert "organisation" in dialog.status.text() and "No bundle was written" in dialog.status.text()
        assert os.listdir(usb) == []
    finally:
        vault.lock()


def test_cancel_mid_import_applies_nothing_of_that_bundle(qtbot: QtBot, org: Org, tmp_path: Path) -> None:
    from sync.bundle.vault_io import export_bundle
    from tests.vault_helpers import open_vault

    case = make_case(org.worker)
    testimony = make_testimony(org.worker, case.id)
    video = tmp_path / "video.mp4"
    with video.open("wb") as file:
        for _ in range(96):
            file.write(os.urandom(1 << 20))
    org.worker.evidence.ingest(video, case.id)
    profile = org_vault.status(org.worker).profile
    made = export_bundle(
        org.worker, org.usb, [c.age_recipient for c in profile.coordinators], profile.org_id, profile.version
    )
    coordinator = open_vault(org.coordinator_folder)
    try:
        dialog = BundleImportDialog(coordinator)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.set_files([made.path])
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=WAIT_MS)
        assert dialog.busy, "the import ended before it could be cancelled"
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
        assert dialog.result_texts() == ["not imported (stopped); nothing of it was applied"]
        assert "Stopped" in dialog.status.text()
        assert coordinator.verify().ok
        # Nothing of it was stored: imported again, it is applied now (not "already imported").
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
        assert dialog.result_texts()[0].startswith("imported: bundle 1"), dialog.result_texts()
        assert coordinator.testimonies.get(testimony.id).title == testimony.title
    finally:
        coordinator.lock()


def test_a_bundle_from_a_device_not_added_is_held_and_approved_with_the_read_out_code(
    qtbot: QtBot, org: Org, tmp_path: Path
) -> None:
    from tests.vault_helpers import open_vault

    # A second worker joined but the coordinator has not added its card (nor has it a token).
    newcomer = _vault(tmp_path / "newcomer")
    try:
        signed = org_vault.current_signed(org.worker)
        org_vault.enrol(newcomer, signed.signed, fingerprint_given=signed.profile.fingerprint)
        testimony = make_testimony(newcomer, make_case(newcomer).id)
        code = org_vault.status(newcomer).verification_code
        export = _export_dialog(qtbot, newcomer, org.usb)
        _write(qtbot, export)
        assert export.exported is not None
        bundle = export.exported.path
    finally:
        newcomer.lock()

    coordinator = open_vault(org.coordinator_folder)
    try:
        dialog = BundleImportDialog(coordinator)
        qtbot.addWidget(dialog)
        dialog.show()
        [held] = _import(qtbot, dialog, [bundle])
        assert held.startswith("held in quarantine: ") and "verification code" in held
        assert dialog.approve_box.isVisible()
        # A misheard code: refused, nothing imported, still held.
        wrong = " ".join(["12345"] * 6)
        dialog.code_field.setText(wrong)
        qtbot.mouseClick(dialog.approve_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
        assert dialog.result_texts() == ["still held in quarantine; nothing of it was applied"]
        assert "verification code" in dialog.status.text()
        with pytest.raises(Exception):  # noqa: B017 - NotFound: nothing of it was stored
            coordinator.testimonies.get(testimony.id)
        screenshot(dialog, "bundle-quarantine.png")
        # The code the worker's screen shows: the device is enrolled and the bundle imported.
        dialog.code_field.setText(code)
        qtbot.mouseClick(dialog.approve_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
        assert dialog.result_texts()[0].startswith("imported: bundle 1"), dialog.result_texts()
        assert coordinator.testimonies.get(testimony.id).title == testimony.title
        assert not dialog.approve_box.isVisible()
        assert coordinator.verify().ok
    finally:
        coordinator.lock()
