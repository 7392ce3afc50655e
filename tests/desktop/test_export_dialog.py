"""Vault → Export case… through the real window and a real vault (a case with
a testimony, its consent and evidence): every format lands in the chosen
folder (the bag validates), the export is a custody event, what consent
withheld is listed by id, Cancel and locking leave nothing, and the unlock
after a crashed export says what it removed; in English and Ukrainian."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import bagit
import pytest
from PySide6.QtCore import Qt

from desktop.evidence_item import EvidenceItemView
from desktop.export_dialog import ExportDialog
from desktop.window import FieldvaultWindow
from tests.gui_helpers import in_ukrainian, screenshot, unlocked_window
from tests.sync.exports.crash_export import add_big_items, kill_during_bag_export
from tests.sync.exports.samples import NARRATIVE, WITNESS_NAME, SampleCase, sample_vault
from tests.vault_helpers import open_vault

WAIT_MS = 60_000
CYRILLIC = re.compile("[А-Яа-яІіЇїЄє]")


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


@pytest.fixture
def case(vault_dir: Path, tmp_path: Path) -> Iterator[SampleCase]:
    """The export tests' sample case, in a vault locked again for the window to unlock (samples.sample_vault: a copy of
    one recorded once per test process)."""
    created, sample = sample_vault(vault_dir, tmp_path)
    yield sample
    created.vault.lock()


def window_on_case(qtbot, vault_dir: Path, case_id: str) -> FieldvaultWindow:
    window = unlocked_window(qtbot, vault_dir)
    assert window.vault_view is not None
    qtbot.waitUntil(lambda: window.vault_view.cases.select_case(case_id), timeout=WAIT_MS)
    qtbot.waitUntil(window.export_action.isEnabled, timeout=WAIT_MS)
    assert window.export_action in window.vault_menu.actions()
    return window


def open_dialog(window: FieldvaultWindow, dest: Path) -> ExportDialog:
    window.export_action.chooser = lambda _parent, _caption: str(dest)
    window.export_action.trigger()
    dialog = window.export_action.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.purpose_box.currentData() == "ngo-internal"  # the default
    dialog.choose_button.click()
    assert dialog.destination == dest and dialog.export_button.isEnabled()
    return dialog


def export(qtbot, dialog: ExportDialog, export_format: str, purpose: str = "ngo-internal") -> Path:
    dialog.choose(export_format, purpose)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT_MS)
    assert dialog.outcome is not None, dialog.status.text()
    assert str(dialog.outcome.path) in dialog.status.text()
    assert dialog.outcome.sha256 in dialog.status.text()
    return dialog.outcome.path


def test_every_format_from_the_vault_menu(qtbot, case: SampleCase, vault_dir: Path, tmp_path: Path) -> None:
    case.vault.lock()
    window = window_on_case(qtbot, vault_dir, case.case_id)
    usb = tmp_path / "usb"
    usb.mkdir()
    dialog = open_dialog(window, usb)

    # Options follow the format: spreadsheet-safe for the CSV forms, stripped copies for BagIt.
    dialog.choose("pdf")
    assert not dialog.spreadsheet_safe_box.isEnabled() and not dialog.strip_box.isEnabled()
    dialog.choose("csv")
    assert dialog.spreadsheet_safe_box.isEnabled() and not dialog.strip_box.isEnabled()
    dialog.choose("bagit")
    assert dialog.strip_box.isEnabled() and not dialog.spreadsheet_safe_box.isEnabled()

    dialog.strip_box.setChecked(True)
    bag = export(qtbot, dialog, "bagit")
    bagit.Bag(str(bag)).validate()  # every payload file against both manifests
    assert list((bag / "data" / "stripped").iterdir())  # the photo's metadata-free copy
    assert dialog.withheld_list.count() == 0 and not dialog.withheld_list.isVisible()

    pdf = export(qtbot, dialog, "pdf")
    assert pdf.suffix == ".pdf" and pdf.read_bytes().startswith(b"%PDF")
    data = export(qtbot, dialog, "json")
    document = json.loads(data.read_text(encoding="utf-8"))
    assert document["purpose"] == "ngo-internal" and document["case"]["id"] == case.case_id
    assert WITNESS_NAME in data.read_text(encoding="utf-8")
    dialog.spreadsheet_safe_box.setChecked(True)
    tables = export(qtbot, dialog, "csv")
    assert "true" in (tables / "export.csv").read_text(encoding="utf-8").splitlines()[1]
    uwazi = export(qtbot, dialog, "uwazi-csv")
    assert "fieldvault_id" in (uwazi / "testimonies.csv").read_text(encoding="utf-8")
    assert sorted(p.name for p in usb.iterdir()) == sorted(p.name for p in (bag, pdf, data, tables, uwazi))
    screenshot(dialog, "export-dialog-en.png")
    window.lock()
    assert window.export_action.dialog is None and not window.export_action.isEnabled()

    # Every export is a custody event of each item it carried; the chain verifies.
    with open_vault(vault_dir) as vault:
        for item_id in case.item_ids:
            actions = [e.action for e in vault.evidence.custody(item_id)]
            assert actions == ["intake", "export", *["export-metadata"] * 4], actions
        pdf_events = [
            e for e in vault.evidence.custody(case.item_ids[0]) if e.details.get("format") == "pdf-report"
        ]
        assert [e.details["file_name"] for e in pdf_events] == [pdf.name]
        # The item's custody table says it in words.
        item_view = EvidenceItemView(vault, case.item_ids[0])
        qtbot.addWidget(item_view)
        table = item_view.custody_table.model()
        labels = [str(table.index(row, 2).data()) for row in range(table.rowCount())]
        assert labels[-1] == "Record exported (a case export, without the file)"
        assert vault.verify().ok


def test_what_consent_withheld_is_listed_by_id(
    qtbot, case: SampleCase, vault_dir: Path, tmp_path: Path
) -> None:
    case.vault.lock()
    window = window_on_case(qtbot, vault_dir, case.case_id)
    usb = tmp_path / "usb"
    usb.mkdir()
    dialog = open_dialog(window, usb)
    # The witness consented to the NGO internally and prosecution, not to documentation only.
    path = export(qtbot, dialog, "json", "documentation-only")
    withheld = json.loads(path.read_text(encoding="utf-8"))["withheld"]
    assert withheld and dialog.outcome is not None and dialog.outcome.withheld == withheld
    shown = [dialog.withheld_list.item(row).text() for row in range(dialog.withheld_list.count())]
    assert dialog.withheld_list.isVisible() and len(shown) == len(withheld)
    for entry, line in zip(withheld, shown, strict=True):
        assert entry["id"] in line
    testimony = next(line for line in shown if line.startswith("Testimony"))
    assert "no consent for this purpose" in testimony
    # Ids and reasons only: nothing of the witness's words or name.
    everything = dialog.status.text() + "\n".join(shown)
    assert NARRATIVE not in everything and WITNESS_NAME not in everything
    assert f"{len(withheld)} record(s)" in dialog.status.text()
    screenshot(dialog, "export-dialog-withheld-en.png")


def test_cancel_and_lock_leave_no_export_and_no_partial_folder(
    qtbot, case: SampleCase, vault_dir: Path, tmp_path: Path
) -> None:
    add_big_items(case.vault, case.case_id, tmp_path / "big", count=4, size=8 << 20)
    case.vault.lock()
    window = window_on_case(qtbot, vault_dir, case.case_id)
    usb = tmp_path / "usb"
    usb.mkdir()
    dialog = open_dialog(window, usb)
    dialog.choose("bagit")
    assert dialog.tasks is window.tasks  # the window's runner: its export lane
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.running and dialog.cancel_button.isVisible()
    # Cancel once the bag has begun to fill (its partial folder holds plaintext).
    qtbot.waitUntil(lambda: dialog.progress.value() > 0 or not dialog.running, timeout=WAIT_MS)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT_MS)
    assert dialog.outcome is None and "cancelled" in dialog.status.text()
    assert list(usb.iterdir()) == []

    # Locking during an export stops it too, and closes the dialog.
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.running
    window.lock()
    assert window.export_action.dialog is None
    assert list(usb.iterdir()) == []
    with open_vault(vault_dir) as vault:
        assert vault.exports_in_progress.pending() == []
        assert vault.interrupted_exports == []


def test_the_unlock_after_a_crashed_export_says_what_it_removed(
    qtbot, case: SampleCase, vault_dir: Path, tmp_path: Path
) -> None:
    add_big_items(case.vault, case.case_id, tmp_path / "big")
    case.vault.lock()
    usb = tmp_path / "usb"
    usb.mkdir()
    partial = kill_during_bag_export(vault_dir, case.case_id, usb)
    window = unlocked_window(qtbot, vault_dir)
    notice = window.interrupted_notice
    assert notice is not None and notice.isVisible()
    assert str(partial) in notice.text() and "was removed" in notice.text()
    assert list(usb.iterdir()) == []
    screenshot(notice, "export-interrupted-notice-en.png")


def test_the_dialog_in_ukrainian(qtbot, case: SampleCase, vault_dir: Path, tmp_path: Path, ukrainian) -> None:
    case.vault.lock()
    window = window_on_case(qtbot, vault_dir, case.case_id)
    usb = tmp_path / "usb"
    usb.mkdir()
    dialog = open_dialog(window, usb)
    for text in (
        dialog.windowTitle(),
        dialog.explanation.text(),
        dialog.format_box.currentText(),
        dialog.purpose_box.currentText(),
        dialog.export_button.text(),
        window.export_action.text(),
    ):
        assert CYRILLIC.search(text), text
    export(qtbot, dialog, "json", "documentation-only")
    assert CYRILLIC.search(dialog.status.text())
    assert CYRILLIC.search(dialog.withheld_list.item(0).text())
    screenshot(dialog, "export-dialog-uk.png")
