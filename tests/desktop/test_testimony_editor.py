"""The testimony editor and the history view, driven through their widgets
against a real vault (STYLE.md, rule 6). Screenshots go to build/screenshots/ (make screenshots: docs/screenshots/)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTranslator
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QPlainTextEdit,
)

from db import entities
from db.device import DeviceIdentity
from db.hlc import Timestamp
from db.partial_dates import PartialDateError, parse_partial_date
from db.revisions import create_revision
from desktop.history_view import HistoryView, diff_html, word_diff
from desktop.testimony_editor import FIELDS, TestimonyEditor, draft_key
from tests.canary_helpers import encodings, files_containing
from tests.factory import make_case, make_person
from tests.gui_helpers import (
    PENDING_DIR,
    REPO,
    VAULT_FOLDER_NAMES,
    all_texts,
    compile_qm,
    finish_writing,
    lupdate,
    pending_translations,
    placeholders,
    qt_app,
    save_form,
    screenshot,
    show,
    ts_messages,
    type_text,
    write_ts,
)
from tests.vault_helpers import open_vault

PENDING_TSV = PENDING_DIR / "testimony.tsv"
OUR_SOURCES = [
    REPO / "desktop" / name
    for name in (
        "testimony_editor.py",
        "record_editor.py",
        "record_form.py",
        "form_fields.py",
        "history_view.py",
        "models.py",
    )
]

TITLE = "Свідчення W-7, Ізюм"
INTERVIEWER = "М. Коваленко"
PLACE = "Ізюм, Харківська область"
NARRATIVE = "Мене тримали в підвалі школи чотири дні.\nЇжу давали раз на добу."
NOTES = "Свідок просив не називати вулицю."
DRAFT_CANARY = "Канарка-чернетка 7f3a: солдати забрали сусіда о п'ятій ранку"
LATIN_CANARY = "draft-canary-5e1d-latin"
WAIT_MS = 10_000


# -- helpers -------------------------------------------------------------------


def make_editor(qtbot, **kwargs) -> TestimonyEditor:
    editor = TestimonyEditor(**kwargs)
    editor.resize(760, 980)
    qtbot.addWidget(editor)
    show(qtbot, editor)
    return editor


def choose(qtbot, combo: QComboBox, data: str) -> None:
    """Pick an entry with the keyboard, as a user without a mouse would."""
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentData() == data:
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentData() == data


def tick(qtbot, editor: TestimonyEditor, code: str) -> None:
    """Tick a violation type with Space on its row."""
    listing = editor.violations_field
    row = next(r for r in range(listing.count()) if listing.item(r).data(Qt.ItemDataRole.UserRole) == code)
    listing.setFocus()
    listing.setCurrentRow(row)
    qtbot.keyClick(listing, Qt.Key.Key_Space)


def replace_text(qtbot, widget: QPlainTextEdit, text: str) -> None:
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    type_text(qtbot, widget, text)


def plaintext_in(roots: list[Path], secrets: list[str]) -> list[str]:
    """Every file under ``roots`` holding any secret in plaintext (UTF-8 or UTF-16)."""
    return files_containing(roots, [needle for secret in secrets for needle in encodings(secret)])


def visible_errors(editor: TestimonyEditor) -> dict[str, str]:
    return {name: label.text() for name, label in editor.error_labels.items() if label.isVisible()}


# -- the fields ------------------------------------------------------------------


def test_every_field_is_saved_and_loaded_back(qtbot, vault):
    case = make_case(vault)
    witness = make_person(vault, case.id, pseudonym="W-7", name="Олена Бондар")
    make_person(vault, case.id, pseudonym="W-8")
    incident = vault.incidents.create(entities.Incident(case_id=case.id, title="Shelling of school 3"))
    editor = make_editor(qtbot)
    assert editor.load(vault, case.id)
    assert editor.heading.text() == "New testimony"
    # The witness list shows pseudonyms, never the name kept on the person's record.
    assert [editor.witness_field.itemText(i) for i in range(3)] == ["(none)", "W-7", "W-8"]
    saved: list[str] = []
    editor.saved.connect(saved.append)

    type_text(qtbot, editor.title_field, TITLE)
    choose(qtbot, editor.witness_field, witness.id)
    choose(qtbot, editor.incident_field, incident.id)
    type_text(qtbot, editor.interviewer_field, INTERVIEWER)
    qtbot.keyClicks(editor.date_field, "15.03.2022")  # typed day first, stored as ISO
    assert editor.date_precision.text() == "exact day"
    type_text(qtbot, editor.place_field, PLACE)
    editor.language_field.setFocus()
    qtbot.keyClicks(editor.language_field.lineEdit(), "uk")
    qtbot.keyClick(editor.language_field.lineEdit(), Qt.Key.Key_Tab)
    assert editor.language_field.currentText() == "Ukrainian (uk)"  # the code found its entry
    assert editor.interpreter_field.hasFocus()
    qtbot.keyClicks(editor.interpreter_field, "I. Petrenko")
    assert editor.legacy_consent_box.isHidden()  # consent: records only (test_legacy_consent.py)
    tick(qtbot, editor, "unlawful-detention")
    tick(qtbot, editor, "torture")
    type_text(qtbot, editor.narrative_field, NARRATIVE)
    type_text(qtbot, editor.notes_field, NOTES)
    assert editor.is_dirty
    screenshot(editor, "testimony-editor.png")
    qtbot.keyClick(editor.notes_field, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # Ctrl+S
    finish_writing(qtbot, editor)  # the vault's answer comes from the save lane

    assert editor.status.text() == "Saved."
    assert len(saved) == 1 and saved[0] == editor.testimony_id
    assert editor.heading.text() == "Testimony" and not editor.is_dirty
    expected = {
        "title": TITLE,
        "witness_id": witness.id,
        "incident_id": incident.id,
        "interviewer": INTERVIEWER,
        "interview_date": "2022-03-15",
        "interview_place": PLACE,
        "language": "uk",
        "interpreter": "I. Petrenko",
        "consent_scope": "",
        "violation_types": ["torture", "unlawful-detention"],  # vocabulary order
        "narrative": NARRATIVE,
        "notes": NOTES,
    }
    stored = vault.testimonies.get(saved[0])
    assert {name: getattr(stored, name) for name in FIELDS} == expected
    assert stored.case_id == case.id
    assert editor.date_field.text() == "2022-03-15"  # the form shows what was stored

    # A second editor opening it shows every field as saved.
    other = make_editor(qtbot)
    assert other.load(vault, case.id, saved[0])
    assert other.form_values() == expected
    assert other.witness_field.currentText() == "W-7"
    assert other.language_field.currentText() == "Ukrainian (uk)"
    assert other.date_precision.text() == "exact day"
    assert not other.draft_banner.isVisibleTo(other) and other.history_button.isEnabled()

    # Saving again edits the same testimony (one more revision, no new record).
    type_text(qtbot, other.title_field, " (2)")
    assert save_form(qtbot, other) is not None
    assert vault.testimonies.count(case.id) == 1
    assert vault.testimonies.get(saved[0]).title == TITLE + " (2)"
    assert len(vault.testimonies.history(saved[0])) == 2


def test_a_typed_language_code_and_an_unlisted_link_are_kept(qtbot, vault):
    case = make_case(vault)
    gone = make_person(vault, case.id, pseudonym="W-9")
    stored = vault.testimonies.create(
        entities.Testimony(case_id=case.id, title="t", language="pl", witness_id=gone.id)
    )
    vault.persons.delete(gone.id)
    editor = make_editor(qtbot)
    editor.load(vault, case.id, stored.id)
    assert editor.language_field.currentText() == "pl"
    assert editor.witness_field.currentText() == "(a person not in this case)"
    assert editor.form_values()["witness_id"] == gone.id  # saving does not drop the link
    language_line = editor.language_field.lineEdit()
    assert language_line is not None
    language_line.selectAll()
    qtbot.keyClicks(language_line, "Polish")
    assert editor.save() is None
    assert "language code" in visible_errors(editor)["language"]


@pytest.mark.parametrize(
    ("typed", "iso", "precision"),
    [
        ("", "", "unknown"),
        ("2022", "2022", "year"),
        ("2022-3", "2022-03", "month"),
        ("03.2022", "2022-03", "month"),
        ("2022-03-05", "2022-03-05", "day"),
        ("5.3.2022", "2022-03-05", "day"),
        ("29/02/2024", "2024-02-29", "day"),
        (" 2022-03-15 ", "2022-03-15", "day"),
    ],
)
def test_partial_dates_are_read_in_both_orders(typed, iso, precision):
    parsed = parse_partial_date(typed, today=dt.date(2024, 6, 1))
    assert (parsed.iso, parsed.precision) == (iso, precision)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("2022-13", "month"),
        ("2022-02-30", "day"),
        ("29.02.2023", "day"),
        ("2024-06-02", "future"),
        ("2025", "future"),
        ("2024-07", "future"),
        ("1899", "early"),
        ("March 2022", "format"),
        ("22", "format"),
        ("2022-03-15T10:00", "format"),
    ],
)
def test_impossible_dates_are_refused_with_a_reason(typed, reason):
    with pytest.raises(PartialDateError) as caught:
        parse_partial_date(typed, today=dt.date(2024, 6, 1))
    assert caught.value.reason == reason


def test_an_invalid_date_is_shown_by_its_field_and_nothing_is_saved(qtbot, vault):
    case = make_case(vault)
    editor = make_editor(qtbot)
    editor.load(vault, case.id)
    type_text(qtbot, editor.title_field, TITLE)
    qtbot.keyClicks(editor.date_field, "2022-13-01")
    assert editor.date_precision.text() == "not a date yet"
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)

    errors = visible_errors(editor)
    assert list(errors) == ["interview_date"]
    assert errors["interview_date"] == "There is no such month. Use 2022, 2022-03 or 2022-03-15."
    assert editor.status.text() == "Not saved: check the marked fields."
    assert editor.date_field.hasFocus()
    assert editor.date_field.accessibleDescription() == errors["interview_date"]
    assert vault.testimonies.count(case.id) == 0
    # Next to the field: right under it, left-aligned with it.
    error = editor.error_labels["interview_date"]
    field_at = editor.date_field.mapTo(editor, QPoint(0, 0))
    error_at = error.mapTo(editor, QPoint(0, 0))
    assert abs(error_at.x() - field_at.x()) <= 2
    assert editor.date_field.height() <= error_at.y() - field_at.y() <= 2 * editor.date_field.height()
    screenshot(editor, "testimony-invalid-date.png")

    for typed, message in [
        ("31.02.2022", "There is no such day in that month."),
        ((dt.date.today() + dt.timedelta(days=2)).isoformat(), "This date is in the future."),
    ]:
        editor.date_field.selectAll()
        qtbot.keyClicks(editor.date_field, typed)
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
        assert visible_errors(editor) == {"interview_date": message}
        assert vault.testimonies.count(case.id) == 0

    editor.date_field.selectAll()
    qtbot.keyClicks(editor.date_field, "2022-03")
    assert editor.date_precision.text() == "month and year"
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    finish_writing(qtbot, editor)
    assert visible_errors(editor) == {}
    assert editor.date_field.accessibleDescription() == ""
    assert [t.interview_date for t in vault.testimonies.list(case.id)] == ["2022-03"]


def test_an_empty_form_is_not_saved(qtbot, vault):
    case = make_case(vault)
    editor = make_editor(qtbot)
    editor.load(vault, case.id)
    assert editor.save() is None
    assert visible_errors(editor) == {"title": "Write a title or a narrative first."}
    assert vault.testimonies.count() == 0


def test_what_the_vault_refuses_is_shown_by_the_field_it_names(qtbot, vault):
    case = make_case(vault)
    editor = make_editor(qtbot)
    editor.load(vault, case.id)
    # A value only the vault checks (a draft from an older version could hold one).
    editor.set_form_values({"title": TITLE, "witness_id": "not-an-id"})
    assert save_form(qtbot, editor) is None
    assert visible_errors(editor) == {"witness_id": "This link is not valid; choose again from the list."}
    assert editor.witness_field.hasFocus()
    assert vault.testimonies.count() == 0


def test_tab_goes_through_the_form_in_order_and_enter_moves_on(qtbot, vault):
    case = make_case(vault)
    editor = make_editor(qtbot)
    editor.load(vault, case.id)
    editor.title_field.setFocus()
    order = [QApplication.focusWidget()]
    for _ in range(11):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    assert order == [
        editor.title_field,
        editor.witness_field,
        editor.incident_field,
        editor.interviewer_field,
        editor.date_field,
        editor.place_field,
        editor.language_field,
        editor.interpreter_field,
        editor.violations_field,
        editor.narrative_field,
        editor.notes_field,
        editor.save_button,
    ]
    editor.title_field.setFocus()
    qtbot.keyClick(editor.title_field, Qt.Key.Key_Return)
    assert editor.witness_field.hasFocus()
    assert vault.testimonies.count() == 0  # Enter in a field does not save
    for name, widget in [
        ("title", editor.title_field),
        ("narrative", editor.narrative_field),
        ("interview_date", editor.date_field),
    ]:
        assert widget.accessibleName(), name


def test_violation_labels_follow_the_interface_language(qtbot):
    english = make_editor(qtbot, vocabulary_language="en")
    ukrainian = make_editor(qtbot, vocabulary_language="uk")
    assert english.violations_field.item(0).text() == "Wilful killing"
    assert ukrainian.violations_field.item(0).text() == "Умисне вбивство"
    assert english.violations_field.count() == ukrainian.violations_field.count() > 20


# -- drafts ------------------------------------------------------------------------


def test_a_draft_autosaves_survives_a_lock_and_saving_discards_it(qtbot, created_vault, vault_dir):
    vault = created_vault.vault
    case = make_case(vault)
    editor = make_editor(qtbot)
    editor.load(vault, case.id)
    key = draft_key(case.id, None)
    drafts_written: list[str] = []
    editor.draft_saved.connect(drafts_written.append)

    type_text(qtbot, editor.title_field, LATIN_CANARY)
    type_text(qtbot, editor.narrative_field, DRAFT_CANARY)
    assert vault.drafts.get(key) is None  # two seconds after the last key, not at once
    # The autosave runs on the save lane: wait for its report, not only its row.
    qtbot.waitUntil(lambda: bool(drafts_written), timeout=WAIT_MS)
    assert vault.drafts.get(key) is not None
    assert drafts_written == [key]
    draft = vault.drafts.get(key)
    assert draft.body["fields"]["narrative"] == DRAFT_CANARY
    assert draft.body["fields"]["title"] == LATIN_CANARY
    assert editor.autosave_status.text().startswith("Unsaved changes kept in the vault")
    assert vault.testimonies.count() == 0  # a draft is not a testimony

    # The lock: the editor empties first, then the vault closes.
    editor.clear()
    vault.lock()
    texts = all_texts(editor)
    assert DRAFT_CANARY not in texts and LATIN_CANARY not in texts
    assert not editor.title_field.isUndoAvailable()
    assert not editor.narrative_field.document().isUndoAvailable()
    assert editor.case_id is None and editor.testimony_id is None and not editor.isEnabled()

    # The draft is in the vault's encrypted database, and nowhere else in plaintext.
    secrets = [DRAFT_CANARY, LATIN_CANARY, "Канарка-чернетка", "сусіда"]
    assert plaintext_in([vault_dir], secrets) == []
    assert {p.name for p in vault_dir.iterdir()} <= VAULT_FOLDER_NAMES
    (vault_dir.parent / "probe.bin").write_bytes(DRAFT_CANARY.encode("utf-16-le"))
    assert plaintext_in([vault_dir.parent], secrets)  # the scan does find plaintext
    (vault_dir.parent / "probe.bin").unlink()

    reopened = open_vault(vault_dir)
    try:
        editor.load(reopened, case.id)
        assert editor.narrative_field.toPlainText() == DRAFT_CANARY
        assert editor.title_field.text() == LATIN_CANARY
        assert editor.draft_banner.isVisible() and editor.is_dirty
        assert "were restored from the vault" in editor.draft_banner_text.text()
        screenshot(editor, "testimony-draft-restored.png")

        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
        finish_writing(qtbot, editor)
        assert editor.status.text() == "Saved."
        assert reopened.drafts.get(key) is None
        assert reopened.drafts.keys("testimony:") == []
        assert not editor.draft_banner.isVisible()
        (stored,) = reopened.testimonies.list(case.id)
        assert (stored.title, stored.narrative) == (LATIN_CANARY, DRAFT_CANARY)
        editor.load(reopened, case.id, stored.id)
        assert not editor.draft_banner.isVisible() and not editor.is_dirty
    finally:
        editor.clear(save_draft=False)
        reopened.lock()
    assert plaintext_in([vault_dir], secrets) == []


def test_changes_not_yet_autosaved_are_kept_when_the_editor_clears(qtbot, created_vault, vault_dir):
    vault = created_vault.vault
    case = make_case(vault)
    stored = vault.testimonies.create(
        entities.Testimony(case_id=case.id, title="t", narrative="Перша версія.")
    )
    editor = make_editor(qtbot)
    editor.load(vault, case.id, stored.id)
    replace_text(qtbot, editor.narrative_field, "Друга версія, не збережена.")
    key = draft_key(case.id, stored.id)
    assert vault.drafts.get(key) is None
    editor.clear()  # Ctrl+L within two seconds of the last key: the change is not lost
    assert vault.drafts.get(key).body["fields"]["narrative"] == "Друга версія, не збережена."
    vault.lock()

    reopened = open_vault(vault_dir)
    try:
        editor.load(reopened, case.id, stored.id)
        assert editor.narrative_field.toPlainText() == "Друга версія, не збережена."
        assert "saved again" not in editor.draft_banner_text.text()
        # Discarding goes back to the stored version and forgets the draft.
        qtbot.mouseClick(editor.discard_draft_button, Qt.MouseButton.LeftButton)
        assert editor.narrative_field.toPlainText() == "Перша версія."
        assert not editor.draft_banner.isVisible() and not editor.is_dirty
        finish_writing(qtbot, editor)  # the draft goes on the save lane
        assert reopened.drafts.get(key) is None

        # A draft older than the stored version is still restored, with a warning.
        replace_text(qtbot, editor.narrative_field, "Чернетка на старій версії.")
        editor.flush_draft()
        reopened.testimonies.edit(stored.id, narrative="Змінено на іншому пристрої.")
        editor.load(reopened, case.id, stored.id)
        assert editor.narrative_field.toPlainText() == "Чернетка на старій версії."
        assert "saved again since then" in editor.draft_banner_text.text()

        # A draft equal to what is stored is dropped silently.
        editor.discard_draft()
        replace_text(qtbot, editor.narrative_field, "Змінено на іншому пристрої.")
        editor.clear()
        assert reopened.drafts.get(key) is None
        editor.load(reopened, case.id, stored.id)
        assert not editor.draft_banner.isVisible()
    finally:
        editor.clear(save_draft=False)
        reopened.lock()


def test_a_panic_clear_writes_no_draft(qtbot, vault):
    case = make_case(vault)
    editor = make_editor(qtbot)
    editor.load(vault, case.id)
    type_text(qtbot, editor.narrative_field, DRAFT_CANARY)
    editor.clear(save_draft=False)
    assert vault.drafts.keys() == []
    editor.clear()  # twice, and on an editor that holds nothing: harmless


def test_clearing_after_the_vault_locked_does_not_raise(qtbot, vault):
    case = make_case(vault)
    editor = make_editor(qtbot)
    editor.load(vault, case.id)
    type_text(qtbot, editor.narrative_field, DRAFT_CANARY)
    vault.lock()  # wrong order, but it must not crash the app
    editor.clear()
    assert DRAFT_CANARY not in all_texts(editor)


# -- history -----------------------------------------------------------------------


def test_the_history_lists_three_versions_and_shows_a_diff(qtbot, vault):
    case = make_case(vault)
    editor = make_editor(qtbot)
    editor.load(vault, case.id)
    type_text(qtbot, editor.title_field, TITLE)
    type_text(qtbot, editor.narrative_field, "Солдати прийшли вранці. Забрали телефон.")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    finish_writing(qtbot, editor)
    replace_text(qtbot, editor.narrative_field, "Солдати прийшли вранці 5 березня. Забрали телефон.")
    qtbot.keyClick(editor.narrative_field, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    finish_writing(qtbot, editor)
    replace_text(qtbot, editor.narrative_field, "Солдати прийшли вранці 5 березня. Забрали документи.")
    qtbot.keyClicks(editor.interviewer_field, "A. B.")
    qtbot.keyClick(editor.narrative_field, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    finish_writing(qtbot, editor)
    testimony_id = editor.testimony_id
    assert testimony_id is not None

    asked: list[str] = []
    editor.history_requested.connect(asked.append)
    qtbot.mouseClick(editor.history_button, Qt.MouseButton.LeftButton)
    assert asked == [testimony_id]

    history = HistoryView()
    history.resize(900, 480)
    qtbot.addWidget(history)
    show(qtbot, history)
    assert history.load(vault, testimony_id) == 3
    items = [history.revision_list.item(row).text() for row in range(3)]
    assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d · edited · this device · current$", items[0])
    assert items[1].endswith(" · edited · this device")
    assert items[2].endswith(" · created · this device")
    # The newest is shown: its changes against the version before.
    assert history.revision_list.currentRow() == 0
    assert history.summary.text() == "Changed: interviewer, narrative"
    assert ("delete", "телефон") in history.current_diff
    assert ("insert", "документи") in history.current_diff
    page = history.text_view.toHtml()
    assert "line-through" in page and "underline" in page
    assert history.text_view.toPlainText() == "Солдати прийшли вранці 5 березня. Забрали телефондокументи."
    screenshot(history, "testimony-history.png")

    history.revision_list.setCurrentRow(1)
    assert ("insert", " 5 березня") in history.current_diff
    history.revision_list.setCurrentRow(2)
    assert history.summary.text() == "First version."
    assert history.text_view.toPlainText() == "Солдати прийшли вранці. Забрали телефон."

    # Another device edited the second version meanwhile: two heads, both marked.
    entries = vault.testimonies.history(testimony_id)
    body = dict(entries[1].body, narrative="Солдати прийшли ввечері 5 березня. Забрали телефон.")
    fork = create_revision(
        DeviceIdentity.generate(),
        entity_id=testimony_id,
        entity_type="testimony",
        op="put",
        body=body,
        parents=[entries[1].revision_id],
        hlc=Timestamp(entries[2].hlc.ms + 1, 0),
    )
    assert vault.revisions.apply([fork]) == 1
    assert history.load(vault, testimony_id) == 4
    items = [history.revision_list.item(row).text() for row in range(4)]
    marked = [text for text in items if text.endswith("⚠ conflicting version")]
    assert len(marked) == 2
    assert "device " + fork.device_id.replace("-", "")[:8] in items[0]
    assert "two versions conflict" in history.heading.text()
    assert ("insert", "ввечері") in history.current_diff  # against its parent, the second version
    screenshot(history, "testimony-history-conflict.png")

    history.clear()
    assert history.revision_list.count() == 0 and history.text_view.toPlainText() == ""
    assert "Солдати" not in all_texts(history)


def test_word_diff_rebuilds_both_versions():
    old = "Їх було двоє, у формі.\nОдин мав автомат."
    new = "Їх було троє, у чорній формі.\nОдин мав автомат, другий — ніж."
    segments = word_diff(old, new)
    assert "".join(t for kind, t in segments if kind != "insert") == old
    assert "".join(t for kind, t in segments if kind != "delete") == new
    assert ("delete", "двоє") in segments and ("insert", "троє") in segments
    assert "&lt;script&gt;" in diff_html(word_diff("", "<script>"))  # witness text is never markup
    long_old = "слово " * 15_000
    long_segments = word_diff(long_old, long_old + "\nкінець")
    assert "".join(t for kind, t in long_segments if kind != "delete").endswith("кінець")


# -- translations ------------------------------------------------------------------


def test_the_pending_translations_cover_every_new_string(tmp_path):
    wanted = set(ts_messages(lupdate(OUR_SOURCES, tmp_path / "ours.ts")))
    ours = pending_translations(PENDING_TSV)
    assert sorted(wanted - set(ours)) == []
    assert sorted(set(ours) - wanted) == []
    for (_context, source), translation in ours.items():
        assert translation.strip(), source
        assert translation != source, source
        for placeholder in placeholders(source):
            assert placeholder in translation, (source, placeholder)
        assert source.count("&") == translation.count("&"), source  # keyboard mnemonics kept


@pytest.fixture
def ukrainian(tmp_path):
    """A translator built from the pending TSV (until it is merged into the .ts)."""
    ts_path = write_ts(tmp_path / "testimony_uk.ts", pending_translations(PENDING_TSV))
    qm_path = compile_qm(ts_path, tmp_path / "testimony_uk.qm")
    translator = QTranslator()
    assert translator.load(str(qm_path))
    app = qt_app()
    app.installTranslator(translator)
    yield translator
    app.removeTranslator(translator)


def test_the_editor_and_history_in_ukrainian(qtbot, vault, ukrainian):
    case = make_case(vault, title="Ізюм, березень 2022")
    witness = make_person(vault, case.id, pseudonym="С-7")
    editor = make_editor(qtbot, vocabulary_language="uk")
    editor.load(vault, case.id)
    assert editor.save_button.text() == "Зберегти свідчення"
    assert editor.heading.text() == "Нове свідчення"
    type_text(qtbot, editor.title_field, TITLE)
    choose(qtbot, editor.witness_field, witness.id)
    type_text(qtbot, editor.interviewer_field, INTERVIEWER)
    qtbot.keyClicks(editor.date_field, "2022-03")
    type_text(qtbot, editor.place_field, PLACE)
    editor.set_language("uk")
    tick(qtbot, editor, "unlawful-detention")
    type_text(qtbot, editor.narrative_field, NARRATIVE)
    assert editor.language_field.currentText() == "Українська (uk)"
    assert editor.date_precision.text() == "місяць і рік"
    screenshot(editor, "testimony-editor-uk.png")
    stored = save_form(qtbot, editor)
    assert stored is not None and editor.status.text() == "Збережено."
    replace_text(qtbot, editor.narrative_field, NARRATIVE.replace("чотири", "п'ять"))
    save_form(qtbot, editor)

    history = HistoryView()
    history.resize(900, 480)
    qtbot.addWidget(history)
    show(qtbot, history)
    assert history.load(vault, stored.id) == 2
    assert "змінено" in history.revision_list.item(0).text()
    screenshot(history, "testimony-history-uk.png")
