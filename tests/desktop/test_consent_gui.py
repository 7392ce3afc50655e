"""Consent records from the testimony form (issue 15), driven through the
real widgets against a real vault: record a consent, see what it allows,
withdraw a scope after a confirmation, the withdrawal visible on the
testimony. Screenshots in English and Ukrainian (build/screenshots/)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt

from db.api import Vault
from desktop.consent_dialog import ConsentDialog, WithdrawConsentDialog
from desktop.i18n import install_translators, remove_translators
from desktop.testimony_editor import TestimonyEditor
from tests.factory import make_case, make_person, make_testimony
from tests.gui_helpers import TS_FILE, compile_qm, qt_app, screenshot, show, type_text

WAIT_MS = 10_000


@pytest.fixture(scope="module")
def ukrainian_qm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("translations")
    compile_qm(TS_FILE, folder / "fieldvault_uk.qm")
    return folder


@pytest.fixture(params=["en", "uk"])
def language(request: pytest.FixtureRequest, qtbot, ukrainian_qm: Path) -> Iterator[str]:
    if request.param == "uk":
        assert install_translators(qt_app(), QLocale("uk"), ukrainian_qm)
    yield request.param
    if request.param == "uk":
        remove_translators(qt_app())


def _editor(qtbot, vault: Vault) -> tuple[TestimonyEditor, str]:
    case = make_case(vault)
    witness = make_person(vault, case.id, pseudonym="W-7")
    testimony = make_testimony(vault, case.id, witness_id=witness.id, title="Statement W-7")
    editor = TestimonyEditor()
    editor.resize(760, 1100)
    qtbot.addWidget(editor)
    show(qtbot, editor)
    assert editor.load(vault, case.id, testimony.id)
    return editor, testimony.id


def _click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_record_then_withdraw_a_consent_from_the_testimony_form(qtbot, vault: Vault, language: str) -> None:
    editor, testimony_id = _editor(qtbot, vault)
    section = editor.consent_section
    english = language == "en"
    assert section.summary.text() == ("No consent recorded yet." if english else "Згоду ще не записано.")
    assert not section.withdraw_button.isEnabled()

    _click(qtbot, section.record_button)
    dialog = section.dialog
    assert isinstance(dialog, ConsentDialog)
    qtbot.waitUntil(dialog.isVisible)
    words = [box.text() for box in dialog.scope_boxes.values()]
    assert words == (
        ["documentation only", "the NGO internally", "prosecution", "public anonymised"]
        if english
        else [
            "лише документування",
            "внутрішньо в НУО",
            "кримінальне переслідування",
            "публічно, анонімізовано",
        ]
    )
    _click(qtbot, dialog.record_button)  # nothing ticked: refused at once, nothing stored
    assert vault.consents.for_testimony(testimony_id) == []
    for code in ("documentation-only", "prosecution"):
        dialog.scope_boxes[code].setChecked(True)
    dialog.given_how.setCurrentIndex(dialog.given_how.findData("signed-paper-photographed"))
    type_text(qtbot, dialog.given_on, "2026-11-28")
    type_text(qtbot, dialog.given_to, "Olena K.")
    type_text(qtbot, dialog.text_version, "uk-v3")
    dialog.anonymity.setChecked(True)
    screenshot(dialog, f"consent-record-{language}.png")
    with qtbot.waitSignal(dialog.stored, timeout=WAIT_MS):
        _click(qtbot, dialog.record_button)
    (stored,) = vault.consents.for_testimony(testimony_id)
    assert stored.scopes == ["documentation-only", "prosecution"] and stored.anonymity
    assert stored.given_how == "signed-paper-photographed" and stored.text_version == "uk-v3"
    assert ("documentation only, prosecution" if english else "лише документування") in section.summary.text()

    assert section.withdraw_button.isEnabled()
    _click(qtbot, section.withdraw_button)
    withdraw = section.dialog
    assert isinstance(withdraw, WithdrawConsentDialog)
    qtbot.waitUntil(withdraw.isVisible)
    withdraw.scope_boxes["prosecution"].setChecked(True)
    type_text(qtbot, withdraw.withdrawn_on, "2026-11-29")
    _click(qtbot, withdraw.withdraw_button)  # the first step only asks
    assert withdraw.confirm_button.isVisible() and withdraw.confirmation.isVisible()
    assert len(vault.consents.history(stored.id)) == 1
    screenshot(withdraw, f"consent-withdraw-{language}.png")
    with qtbot.waitSignal(withdraw.stored, timeout=WAIT_MS):
        _click(qtbot, withdraw.confirm_button)

    first, second = vault.consents.history(stored.id)
    assert first.body["scopes"] == ["documentation-only", "prosecution"]
    assert second.body["withdrawn_scopes"] == ["prosecution"] and second.body["withdrawn_on"] == "2026-11-29"
    assert section.withdrawn.isVisible()
    assert section.withdrawn.text() == (
        "Consent withdrawn for: prosecution"
        if english
        else "Згоду відкликано для: кримінальне переслідування"
    )
    screenshot(editor, f"consent-testimony-{language}.png")


def test_a_new_testimony_asks_to_be_saved_first(qtbot, vault: Vault) -> None:
    case = make_case(vault)
    editor = TestimonyEditor()
    qtbot.addWidget(editor)
    assert editor.load(vault, case.id, None)
    assert not editor.consent_section.record_button.isEnabled()
    assert "Save the testimony first" in editor.consent_section.summary.text()
