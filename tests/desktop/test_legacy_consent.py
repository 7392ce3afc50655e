"""The testimony form has one consent input, the consent records (issue 15).
The legacy single choice (``consent_scope``) is no longer offered; a
testimony that has only a legacy value shows it read-only, with a button
that makes a consent record of it, and saving the form keeps the value as
it was (exports and the CLI still read it, docs/exports.md)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from db.api import Vault
from desktop.consent_dialog import ConsentDialog
from desktop.testimony_editor import TestimonyEditor
from tests.factory import make_case, make_testimony
from tests.gui_helpers import save_form, screenshot, show, type_text

WAIT_MS = 10_000


@pytest.fixture
def editor(qtbot) -> TestimonyEditor:
    form = TestimonyEditor()
    form.resize(760, 1100)
    qtbot.addWidget(form)
    show(qtbot, form)
    return form


def _offers_consent_choice(form: TestimonyEditor) -> bool:
    combos = form.findChildren(QComboBox)
    return any(combo.findData("prosecution") >= 0 for combo in combos)


def test_a_new_testimony_has_no_legacy_consent_input(editor, vault: Vault) -> None:
    case = make_case(vault)
    editor.load(vault, case.id)
    assert not _offers_consent_choice(editor)
    assert editor.legacy_consent_box.isHidden()
    stored = make_testimony(vault, case.id, title="Без згоди")
    assert editor.load(vault, case.id, stored.id)
    assert editor.legacy_consent_box.isHidden()  # no legacy value: nothing to show


def test_a_legacy_consent_is_shown_kept_and_turned_into_a_consent_record(qtbot, editor, vault: Vault) -> None:
    case = make_case(vault)
    testimony = make_testimony(vault, case.id, title="Свідчення 2023", consent_scope="prosecution")
    assert editor.load(vault, case.id, testimony.id)
    assert not _offers_consent_choice(editor)
    assert editor.legacy_consent_box.isVisible()
    assert editor.legacy_consent_label.text() == "Recorded before consent records: prosecution"
    screenshot(editor, "testimony-legacy-consent.png")

    # Saving an edit keeps the legacy value as it was.
    type_text(qtbot, editor.title_field, " (перевірено)")
    assert save_form(qtbot, editor) is not None
    assert vault.testimonies.get(testimony.id).consent_scope == "prosecution"

    qtbot.mouseClick(editor.legacy_consent_button, Qt.MouseButton.LeftButton)
    dialog = editor.consent_section.dialog
    assert isinstance(dialog, ConsentDialog)
    qtbot.waitUntil(dialog.isVisible)
    ticked = [code for code, box in dialog.scope_boxes.items() if box.isChecked()]
    assert ticked == ["prosecution"]
    type_text(qtbot, dialog.given_to, "Olena K.")
    with qtbot.waitSignal(dialog.stored, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    (record,) = vault.consents.for_testimony(testimony.id)
    assert record.scopes == ["prosecution"] and record.given_to == "Olena K."
    assert editor.legacy_consent_box.isHidden()  # the consent record now decides
    assert vault.testimonies.get(testimony.id).consent_scope == "prosecution"  # history untouched
