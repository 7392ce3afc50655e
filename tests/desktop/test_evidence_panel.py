"""The evidence panel and item view, driven through their widgets against a real vault.

Files arrive by a simulated drop (QDragEnterEvent + QDropEvent carrying file
URLs), as from a file manager. Cancelling is made deterministic with a
CancelToken hook: the big file's intake pauses after its first segment until
the token is cancelled. Screenshots go to build/screenshots/ (make screenshots: docs/screenshots/; STYLE.md, rule 6).
"""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QApplication,
    QTableWidget,
    QWidget,
)

from db.atomicio import TEMP_PREFIX
from db.blobstore import CancelToken
from db.entities import Case
from db.errors import InvalidInput
from desktop import evidence_panel as evidence_panel_module
from desktop.evidence_item import EvidenceItemView
from desktop.evidence_panel import PROGRESS_STEPS, EvidencePanel, IntakeRow
from desktop.i18n import install_translators
from desktop.intake import IntakeFailed, IntakeProgress, IntakeStopped, IntakeStored, ProgressThrottle
from desktop.tasks import Lane
from tests import evidence_samples as samples
from tests.evidence_samples import file_sha256
from tests.gui_helpers import (
    PENDING_DIR,
    REPO,
    TS_FILE,
    all_texts,
    compile_qm,
    drop_files,
    lupdate,
    pending_translations,
    placeholders,
    qt_app,
    screenshot,
    show,
    ts_messages,
    type_text,
    write_ts,
)

WAIT_MS = 60_000
BIG_SIZE = 30 * 1024 * 1024 + 12_345  # ~30 MiB, not a whole number of segments
CASE_TITLE = "Ізюм, вересень 2022"
STATED_PLACE = "Ізюм, вул. Соборна, 5"
DESCRIPTION = "Фото двору, зроблене свідком В-2"
PENDING_TSV = PENDING_DIR / "evidence.tsv"
EVIDENCE_SOURCES = [
    REPO / "desktop" / name for name in ("evidence_panel.py", "evidence_item.py", "intake.py")
]


# -- helpers ---------------------------------------------------------------------


def listed_names(panel: EvidencePanel) -> list[str]:
    tree = panel.evidence_list
    items = [tree.topLevelItem(row) for row in range(tree.topLevelItemCount())]
    return [item.text(0) for item in items if item is not None]


def blob_files(vault_dir: Path) -> list[str]:
    return sorted(path.name for path in (vault_dir / "blobs").iterdir())


class HookedToken(CancelToken):
    """A CancelToken that lets a test wait for the cancel (the hook)."""

    def __init__(self) -> None:
        super().__init__()
        self.cancel_seen = threading.Event()

    def cancel(self) -> None:
        super().cancel()
        self.cancel_seen.set()


@pytest.fixture
def hold_big_file(monkeypatch, vault):
    """The intake of any file named big.bin pauses after its first segment
    until its token is cancelled (by the Cancel button or clear())."""
    monkeypatch.setattr(evidence_panel_module, "CancelToken", HookedToken)
    real_ingest = vault.evidence.ingest
    paused = threading.Event()

    def ingest(path, case_id, *, progress=None, cancel=None, **kwargs):
        if Path(path).name != "big.bin":
            return real_ingest(path, case_id, progress=progress, cancel=cancel, **kwargs)
        assert isinstance(cancel, HookedToken)

        def held_progress(done: int, total: int) -> None:
            progress(done, total)
            if not paused.is_set():
                paused.set()
                assert cancel.cancel_seen.wait(WAIT_MS / 1000), "the test never cancelled"

        return real_ingest(path, case_id, progress=held_progress, cancel=cancel, **kwargs)

    monkeypatch.setattr(vault.evidence, "ingest", ingest)
    return paused


@pytest.fixture
def case_id(vault) -> str:
    return vault.cases.create(Case(title=CASE_TITLE)).id


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    folder = tmp_path / "from the phone"
    folder.mkdir()
    return {
        "photo": samples.make_jpeg(folder / "photo.jpg"),
        "pdf": samples.make_pdf(folder / "report.pdf"),
        "big": samples.make_random(folder / "big.bin", BIG_SIZE, seed=7),
    }


@pytest.fixture
def chosen_files() -> list[list[str]]:
    """What the injected file picker returns, one list per opening."""
    return []


@pytest.fixture
def panel(qtbot, vault, case_id, chosen_files):
    def pick(_parent: QWidget, _caption: str) -> list[str]:
        return chosen_files.pop(0) if chosen_files else []

    widget = EvidencePanel(vault, case_id, open_files_dialog=pick)
    qtbot.addWidget(widget)
    widget.resize(760, 560)
    widget.show()
    yield widget
    widget.clear()  # stops any intake before the vault fixture locks the vault


def add_and_wait(qtbot, panel: EvidencePanel, paths: list[Path]) -> None:
    with qtbot.waitSignal(panel.intake_idle, timeout=WAIT_MS):
        drop_files(panel, paths)


# -- intake ------------------------------------------------------------------------


def test_a_drop_of_three_files_adds_them_with_progress(qtbot, panel, vault, case_id, files, vault_dir):
    outcomes: list[IntakeStored | IntakeStopped | IntakeFailed] = []
    progress: list[IntakeProgress] = []
    panel.intake_finished.connect(outcomes.append)
    panel.intake_progress.connect(progress.append)
    dropped = [files["photo"], files["pdf"], files["big"]]

    add_and_wait(qtbot, panel, dropped)

    rows = panel.intake_rows()
    assert [row.name_label.text() for row in rows] == ["photo.jpg", "report.pdf", "big.bin"]
    for row in rows:
        assert row.bar.value() == row.bar.maximum() == PROGRESS_STEPS
        assert row.status_label.text() == "Added."
        assert row.cancel_button.isHidden()
    assert panel.overall_bar.value() == PROGRESS_STEPS
    assert panel.overall_label.text() == "Files done: 3 of 3"
    assert [type(o) for o in outcomes] == [IntakeStored] * 3
    assert not any(isinstance(o, IntakeStored) and o.duplicate for o in outcomes)

    # The big file's progress came through the worker, throttled, ending at 100 %.
    big = [p for p in progress if p.ticket == rows[2].ticket]
    assert big[-1].done == big[-1].total == BIG_SIZE
    assert len(big) <= 32  # 31 segments at most, fewer when throttled

    # Listed with type, size and a short SHA-256; stored as dropped.
    assert listed_names(panel) == ["photo.jpg", "report.pdf", "big.bin"]
    tree = panel.evidence_list
    big_row = tree.topLevelItem(2)
    assert big_row.text(1) == "application/octet-stream"
    assert tree.topLevelItem(0).text(1) == "image/jpeg"
    assert tree.topLevelItem(1).text(1) == "application/pdf"
    assert big_row.text(2) == QLocale().formattedDataSize(BIG_SIZE)
    assert big_row.text(3) == file_sha256(files["big"])[:12] + "…"
    stored = vault.evidence.list(case_id)
    assert [(i.original_name, i.sha256, i.size) for i in stored] == [
        (p.name, file_sha256(p), p.stat().st_size) for p in dropped
    ]
    assert panel.evidence_ids() == [i.id for i in stored]
    assert not [name for name in blob_files(vault_dir) if name.startswith(TEMP_PREFIX)]
    assert all(p.is_file() for p in dropped)  # the sources stay
    screenshot(panel, "evidence-panel.png")

    # The same photo again: a duplicate, shown as such, nothing stored twice.
    blobs_before = blob_files(vault_dir)
    add_and_wait(qtbot, panel, [files["photo"]])
    (row,) = panel.intake_rows()  # a new batch replaces the finished rows
    assert row.status_label.text() == "Already in this case: not added again."
    assert row.bar.value() == PROGRESS_STEPS
    assert isinstance(outcomes[-1], IntakeStored) and outcomes[-1].duplicate
    assert listed_names(panel) == ["photo.jpg", "report.pdf", "big.bin"]
    assert panel.selected_evidence_id() == stored[0].id  # the existing item is pointed out
    assert blob_files(vault_dir) == blobs_before
    assert [e.action for e in vault.evidence.custody(stored[0].id)] == ["intake", "intake-duplicate"]
    screenshot(panel, "evidence-panel-duplicate.png")


def test_keyboard_enter_opens_delete_does_nothing(qtbot, panel, vault, case_id, files):
    add_and_wait(qtbot, panel, [files["photo"], files["pdf"]])
    tree = panel.evidence_list
    tree.setFocus()
    tree.setCurrentItem(tree.topLevelItem(1))
    qtbot.keyClick(tree, Qt.Key.Key_Delete)
    assert len(vault.evidence.list(case_id)) == 2 and tree.topLevelItemCount() == 2
    with qtbot.waitSignal(panel.item_activated, timeout=WAIT_MS) as opened:
        qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert opened.args == [vault.evidence.list(case_id)[1].id]
    with qtbot.waitSignal(panel.item_activated, timeout=WAIT_MS) as opened:
        qtbot.mouseClick(panel.open_button, Qt.MouseButton.LeftButton)
    assert opened.args == [vault.evidence.list(case_id)[1].id]


def test_add_files_button_uses_the_file_picker(qtbot, panel, vault, case_id, files, chosen_files):
    chosen_files.append([str(files["pdf"])])
    with qtbot.waitSignal(panel.intake_idle, timeout=WAIT_MS):
        qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert listed_names(panel) == ["report.pdf"]
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)  # the picker cancelled: nothing
    assert not panel.is_busy and len(vault.evidence.list(case_id)) == 1


def test_folders_are_refused_with_a_message(qtbot, panel, vault, case_id, files, tmp_path):
    folder = files["photo"].parent
    add_and_wait(qtbot, panel, [folder, files["pdf"]])
    assert "Folders are not added (skipped folders: 1)" in panel.message.text()
    assert not panel.message.isHidden()
    assert listed_names(panel) == ["report.pdf"]
    assert len(vault.evidence.list(case_id)) == 1


def test_cancel_during_the_big_file_leaves_nothing(
    qtbot, panel, vault, case_id, files, vault_dir, hold_big_file
):
    outcomes: list[object] = []
    panel.intake_finished.connect(outcomes.append)
    assert blob_files(vault_dir) == []
    drop_files(panel, [files["big"], files["pdf"], files["photo"]])
    big_row, pdf_row, photo_row = panel.intake_rows()
    assert photo_row.status_label.text() == "Waiting…"

    # A waiting file cancelled is never started.
    qtbot.mouseClick(photo_row.cancel_button, Qt.MouseButton.LeftButton)
    assert photo_row.status_label.text() == "Cancelled. Nothing was added."
    assert photo_row.state == IntakeRow.CANCELLED

    # The big file is held after its first segment: its progress shows, then Cancel.
    qtbot.waitUntil(lambda: big_row.bar.value() > 0, timeout=WAIT_MS)
    assert hold_big_file.is_set() and panel.is_busy
    assert big_row.status_label.text().startswith("Adding… ")
    assert any(name.startswith(TEMP_PREFIX) for name in blob_files(vault_dir))  # being written
    with qtbot.waitSignal(panel.intake_idle, timeout=WAIT_MS):
        qtbot.mouseClick(big_row.cancel_button, Qt.MouseButton.LeftButton)
        assert big_row.status_label.text() == "Cancelling…"

    assert big_row.status_label.text() == "Cancelled. Nothing was added."
    assert pdf_row.status_label.text() == "Added."  # cancelling one file leaves the others
    assert [type(o) for o in outcomes] == [IntakeStopped, IntakeStored]
    assert [i.original_name for i in vault.evidence.list(case_id)] == ["report.pdf"]
    assert listed_names(panel) == ["report.pdf"]
    # One blob (the PDF's), no temp file left by the cancelled intake.
    (blob,) = blob_files(vault_dir)
    assert not blob.startswith(TEMP_PREFIX)
    screenshot(panel, "evidence-panel-cancelled.png")


def test_clear_while_adding_stops_the_intake_and_forgets_everything(
    qtbot, panel, vault, case_id, files, vault_dir, hold_big_file
):
    add_and_wait(qtbot, panel, [files["photo"]])
    drop_files(panel, [files["big"], files["pdf"]])
    qtbot.waitUntil(hold_big_file.is_set, timeout=WAIT_MS)
    sha = file_sha256(files["photo"])

    assert panel.clear()  # cancels, and waits for the worker to stop

    assert [i.original_name for i in vault.evidence.list(case_id)] == ["photo.jpg"]
    assert not [name for name in blob_files(vault_dir) if name.startswith(TEMP_PREFIX)]
    texts = all_texts(panel)
    for secret in ("photo.jpg", "big.bin", "report.pdf", sha[:12], CASE_TITLE):
        assert secret not in texts
    assert panel.evidence_list.topLevelItemCount() == 0 and panel.intake_rows() == []
    assert panel.case_id is None and not panel.is_busy
    assert not panel.add_button.isEnabled()
    assert panel.add_files([files["pdf"]]) == 0  # inert: the vault is forgotten
    # The worker's late report reaches nobody.
    QApplication.processEvents()
    assert panel.intake_rows() == [] and all_texts(panel).count("report.pdf") == 0


def test_errors_are_shown_safely(qtbot, panel, vault, files, monkeypatch):
    def failing_ingest(path, case_id, **_kwargs):
        if Path(path).suffix == ".pdf":
            name = Path(path).name
            raise InvalidInput(f"{name}: permission denied.", "file-permission-denied", name=name)
        raise RuntimeError("Свідок бачив полонених")  # an unexpected error quoting data

    monkeypatch.setattr(vault.evidence, "ingest", failing_ingest)
    outcomes: list[object] = []
    panel.intake_finished.connect(outcomes.append)
    add_and_wait(qtbot, panel, [files["pdf"], files["photo"]])
    pdf_row, photo_row = panel.intake_rows()
    assert pdf_row.status_label.text() == "Not added: report.pdf: permission denied."
    assert photo_row.status_label.text() == (
        "Not added: An unexpected error stopped this (RuntimeError). Try again."
    )
    assert [type(o) for o in outcomes] == [IntakeFailed, IntakeFailed]
    assert isinstance(outcomes[1], IntakeFailed) and outcomes[1].error_type == "RuntimeError"
    assert "Свідок" not in all_texts(panel)
    assert pdf_row.bar.value() < PROGRESS_STEPS


def test_progress_is_throttled():
    now = [0.0]
    throttle = ProgressThrottle(interval=0.05, clock=lambda: now[0])
    total = 1 << 30
    emitted = []
    for segment in range(1, 1025):  # 1 GiB in 1 MiB segments, 1 ms apart
        now[0] += 0.001
        if throttle.should_emit(segment << 20, total):
            emitted.append(segment)
    assert emitted[0] == 1 and emitted[-1] == 1024
    assert len(emitted) <= 1024 * 0.001 / 0.05 + 2
    # 50 ms apart, but for the last report (100 %), which always goes out.
    assert all(b - a >= 50 for a, b in itertools.pairwise(emitted[:-1]))


# -- one item -----------------------------------------------------------------------


def claims_shown(view: EvidenceItemView) -> dict[str, str]:
    table = view.claimed_table
    cells = [(table.item(row, 0), table.item(row, 1)) for row in range(table.rowCount())]
    return {label.text(): value.text() for label, value in cells if label is not None and value is not None}


def test_item_view_keeps_claims_apart_and_tracks_custody(qtbot, panel, vault, case_id, files, tmp_path):
    add_and_wait(qtbot, panel, [files["photo"]])
    with qtbot.waitSignal(panel.item_activated, timeout=WAIT_MS) as opened:
        panel.evidence_list.setFocus()
        panel.evidence_list.setCurrentItem(panel.evidence_list.topLevelItem(0))
        qtbot.keyClick(panel.evidence_list, Qt.Key.Key_Return)
    (evidence_id,) = opened.args

    exports = tmp_path / "exports"
    exports.mkdir()
    asked: list[str] = []

    def save_as(_parent: QWidget, _caption: str, suggested: str) -> str:
        asked.append(suggested)
        return str(exports / "copy of photo.jpg")

    view = EvidenceItemView(vault, evidence_id, save_dialog=save_as)
    qtbot.addWidget(view)
    view.resize(760, 900)
    show(qtbot, view)  # the Ctrl+S shortcut needs an active window
    sha = file_sha256(files["photo"])

    # What the file claims: GPS and date, read-only, apart from what is stated.
    claims = claims_shown(view)
    latitude = claims["GPS latitude"]
    assert float(latitude) == pytest.approx(samples.PHOTO_LATITUDE, abs=1e-6)
    assert float(claims["GPS longitude"]) == pytest.approx(samples.PHOTO_LONGITUDE, abs=1e-6)
    assert claims["Date taken (EXIF)"] == samples.PHOTO_TAKEN
    assert claims["Camera"] == f"{samples.PHOTO_MAKE} {samples.PHOTO_MODEL}"
    assert "Files can lie" in view.claimed_note.text()
    assert view.claimed_table.editTriggers() == QTableWidget.EditTrigger.NoEditTriggers
    assert view.stated_place_field.text() == ""
    assert latitude not in all_texts(view.stated_box)

    # The file: its full SHA-256, selectable, read-only; size and type.
    assert view.sha256_field.text() == sha and view.sha256_field.isReadOnly()
    assert view.heading.text() == "photo.jpg"
    assert view.mime_label.text() == "image/jpeg"
    assert view.size_label.text() == QLocale().formattedDataSize(files["photo"].stat().st_size)
    assert view.custody_actions() == ["intake"]
    action = view.custody_table.item(0, 2)
    assert action is not None and action.text() == "Added to the vault"

    # What the worker states: typed, saved with Ctrl+S, stored in the vault.
    view.stated_place_field.setFocus()
    type_text(qtbot, view.stated_place_field, STATED_PLACE)
    type_text(qtbot, view.description_field, DESCRIPTION)
    qtbot.keyClicks(view.stated_date_field, "2022-09")
    assert view.has_unsaved_changes()
    with qtbot.waitSignal(view.saved, timeout=WAIT_MS):
        qtbot.keyClick(view.stated_date_field, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert view.status.text() == "Saved." and not view.has_unsaved_changes()
    item = vault.evidence.get(evidence_id)
    assert (item.stated_place, item.description, item.stated_date) == (STATED_PLACE, DESCRIPTION, "2022-09")
    assert item.claimed["gps_latitude"] == latitude  # the claim is untouched
    assert STATED_PLACE not in all_texts(view.claimed_box)
    assert STATED_PLACE in all_texts(view.stated_box)

    # A bad date is refused by the core, with its message; nothing changes.
    view.stated_date_field.setText("вересень")
    assert not view.save()
    assert "YYYY, YYYY-MM or YYYY-MM-DD" in view.status.text()
    assert vault.evidence.get(evidence_id).stated_date == "2022-09"
    view.stated_date_field.setText("2022-09")

    # Opening the file (as the viewer will) is a custody event; so is an export.
    vault.evidence.open(evidence_id, purpose="view").close()
    view.refresh_custody()
    assert view.custody_actions() == ["intake", "view"]
    view.notes_field.setPlainText("не збережено")  # an edit in progress survives the export
    with qtbot.waitSignal(view.export_finished, timeout=WAIT_MS) as done:
        qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
        assert view.is_exporting and not view.export_button.isEnabled()
    assert asked == ["photo.jpg"]
    exported = exports / "copy of photo.jpg"
    assert done.args[0].path == str(exported)
    assert view.export_status.text() == f"Exported to {exported}"
    assert exported.read_bytes() == files["photo"].read_bytes()
    assert sorted(p.name for p in exports.iterdir()) == ["copy of photo.jpg"]  # no temp left
    assert view.custody_actions() == ["intake", "view", "export"]
    assert not view.is_exporting and view.export_button.isEnabled()
    assert view.notes_field.toPlainText() == "не збережено" and view.has_unsaved_changes()
    screenshot(view, "evidence-item.png")

    # Lock: nothing of the item is left in any widget.
    view.clear()
    texts = all_texts(view)
    for secret in (
        "photo.jpg",
        sha,
        sha[:12],
        latitude,
        samples.PHOTO_TAKEN,
        STATED_PLACE,
        DESCRIPTION,
        "2022-09",
        "не збережено",
    ):
        assert secret not in texts, secret
    assert view.custody_table.rowCount() == 0 and view.claimed_table.rowCount() == 0
    assert view.evidence_id is None and not view.save() and not view.export()


def test_export_errors_are_reported(qtbot, vault, case_id, files, tmp_path):
    evidence_id = vault.evidence.ingest(files["pdf"], case_id).item.id
    missing_folder = tmp_path / "no such folder" / "report.pdf"
    view = EvidenceItemView(vault, evidence_id, save_dialog=lambda *_: str(missing_folder))
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.export_finished, timeout=WAIT_MS) as done:
        assert view.export()
    assert done.args[0].error_type == "StorageError"
    assert view.export_status.text().startswith("Not exported: ")
    assert "Traceback" not in view.export_status.text()
    assert view.custody_actions() == ["intake"]
    assert not missing_folder.parent.exists()


def test_an_export_can_be_cancelled_and_leaves_no_file(qtbot, vault, case_id, tmp_path):
    source = samples.make_random(tmp_path / "long video.mp4", 6 * (1 << 20) + 5, seed=31)
    evidence_id = vault.evidence.ingest(source, case_id).item.id
    exports = tmp_path / "exports"
    exports.mkdir()
    view = EvidenceItemView(vault, evidence_id, save_dialog=lambda *_: str(exports / "copy.mp4"))
    qtbot.addWidget(view)
    show(qtbot, view)
    # Hold the view's one pool thread so the export waits, queued, until the
    # Cancel click has happened: the test does not race the export.
    release = threading.Event()
    view.tasks.pool(Lane.EXPORT).start(lambda: release.wait(WAIT_MS / 1000))
    assert view.export()
    assert view.export_cancel_button.isVisible() and view.export_busy.isVisible()
    qtbot.mouseClick(view.export_cancel_button, Qt.MouseButton.LeftButton)
    assert view.export_status.text() == "Cancelling…" and not view.export_cancel_button.isEnabled()
    with qtbot.waitSignal(view.export_finished, timeout=WAIT_MS) as done:
        release.set()
    assert type(done.args[0]).__name__ == "ExportStopped"
    assert view.export_status.text() == "Export cancelled; no file was written."
    assert list(exports.iterdir()) == [], "a cancelled export left a file behind"
    assert view.custody_actions() == ["intake"], "a cancelled export was recorded"
    assert not view.export_cancel_button.isVisible() and view.export_button.isEnabled()

    # Not cancelled, the same export completes: the copy is the original.
    with qtbot.waitSignal(view.export_finished, timeout=WAIT_MS) as done:
        qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    assert done.args[0].path == str(exports / "copy.mp4")
    assert file_sha256(exports / "copy.mp4") == file_sha256(source)
    assert view.custody_actions() == ["intake", "export"]


def test_an_unknown_item_shows_a_message(qtbot, vault):
    view = EvidenceItemView(vault, "0" * 26)
    qtbot.addWidget(view)
    assert view.evidence_id is None
    assert view.status.text() and not view.save_button.isEnabled()


# -- translations ---------------------------------------------------------------------


def test_every_evidence_string_has_a_ukrainian_translation(tmp_path):
    wanted = set(ts_messages(lupdate(EVIDENCE_SOURCES, tmp_path / "evidence.ts")))
    assert len(wanted) > 60
    pending = pending_translations(PENDING_TSV)
    assert all(translation.strip() for translation in pending.values()), pending
    missing = sorted(wanted - set(pending) - set(ts_messages(TS_FILE)))
    assert not missing, missing
    assert not sorted(set(pending) - wanted)  # no stale lines
    for (_context, source), translation in pending.items():
        for placeholder in placeholders(source):
            assert placeholder in translation, (source, placeholder)


def test_the_evidence_screens_speak_ukrainian(qtbot, vault, case_id, files, tmp_path):
    # fieldvault_uk.ts plus the pending evidence lines, as one .ts file.
    merged = write_ts(tmp_path / "merged.ts", pending_translations(PENDING_TSV), base=TS_FILE)
    compile_qm(merged, tmp_path / "fieldvault_uk.qm")
    app = qt_app()
    translators = install_translators(app, QLocale("uk"), tmp_path)
    try:
        assert translators
        panel = EvidencePanel(vault, case_id)
        qtbot.addWidget(panel)
        panel.resize(760, 560)
        panel.show()
        assert panel.add_button.text() == "&Додати файли…"
        with qtbot.waitSignal(panel.intake_idle, timeout=WAIT_MS):
            drop_files(panel, [files["photo"], files["pdf"], files["photo"].parent])
        assert panel.intake_rows()[0].status_label.text() == "Додано."
        assert panel.message.text().startswith("Теки не додаються")
        screenshot(panel, "evidence-panel-uk.png")
        view = EvidenceItemView(vault, panel.evidence_ids()[0])
        qtbot.addWidget(view)
        view.resize(760, 900)
        view.show()
        assert view.claimed_box.title() == "Заявлено самим файлом"
        screenshot(view, "evidence-item-uk.png")
        panel.clear()
        view.clear()
    finally:
        for translator in translators:
            app.removeTranslator(translator)
