"""A search hit opens its record from whichever tab is showing (issue 15):
an evidence hit selects its case, switches to the Evidence tab and selects
and opens the item; a testimony hit found while the Evidence tab shows
switches back to Testimonies. Hits carry a translated kind and a name, never
a record's raw id."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt

from db import entities
from desktop.i18n import LANGUAGE_VARIABLE, install_translators
from desktop.vault_view import VaultView
from tests.factory import make_case, make_testimony
from tests.gui_helpers import TS_FILE, compile_qm, qt_app, screenshot, show, type_text

WORD = "Шкільній"


@pytest.fixture
def view(qtbot, vault):
    shown = VaultView(vault)
    shown.resize(1200, 760)
    qtbot.addWidget(shown)
    show(qtbot, shown)
    yield shown
    shown.clear_all(save_draft=False)  # before the vault fixture locks


def _fill(vault, tmp_path: Path) -> tuple[entities.Case, entities.Testimony, entities.Case, str]:
    first = make_case(vault, title="Ізюм, березень 2022")
    testimony = make_testimony(vault, first.id, title="", narrative=f"Нас тримали в підвалі на {WORD}.")
    second = make_case(vault, title="Балаклія")
    photo = tmp_path / "basement.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    stored = vault.evidence.ingest(photo, second.id, description=f"Вхід до підвалу на {WORD}")
    return first, testimony, second, stored.item.id


def _search(qtbot, view: VaultView, text: str) -> dict[str, int]:
    view.search_field.setFocus()
    with qtbot.waitSignal(view.search_done, timeout=10_000):
        type_text(qtbot, view.search_field, text)
    return {
        view.search_results.item(row).text().split(":")[0]: row for row in range(view.search_results.count())
    }


def _click_hit(qtbot, view: VaultView, row: int) -> None:
    results = view.search_results
    qtbot.mouseClick(
        results.viewport(), Qt.MouseButton.LeftButton, pos=results.visualItemRect(results.item(row)).center()
    )


def test_evidence_and_testimony_hits_open_from_any_tab(qtbot, vault, view, tmp_path):
    first, testimony, second, evidence_id = _fill(vault, tmp_path)
    view.cases.reload(select_id=first.id)
    view.case_tabs.setCurrentIndex(view.persons_tab)  # the user is elsewhere

    rows = _search(qtbot, view, WORD)
    assert set(rows) == {"Testimony", "Evidence"}
    texts = [view.search_results.item(row).text() for row in range(view.search_results.count())]
    assert all(testimony.id not in text and evidence_id not in text for text in texts)
    assert view.search_results.item(rows["Evidence"]).text().startswith("Evidence: basement.jpg\n")
    assert view.search_results.item(rows["Testimony"]).text().startswith("Testimony: (untitled testimony)\n")

    _click_hit(qtbot, view, rows["Evidence"])
    assert view.selected_case_id() == second.id
    assert view.case_tabs.currentWidget() is view.evidence
    assert view.evidence_panel.selected_evidence_id() == evidence_id
    assert view.evidence.item.evidence_id == evidence_id
    screenshot(view, "search-evidence-hit.png")

    _click_hit(qtbot, view, rows["Testimony"])
    assert view.selected_case_id() == first.id
    assert view.case_tabs.currentWidget() is view.testimonies
    assert view.testimony_editor.testimony_id == testimony.id


def test_an_evidence_link_hit_opens_its_evidence_item(qtbot, vault, view, tmp_path):
    first, _testimony, second, evidence_id = _fill(vault, tmp_path)
    target = make_testimony(vault, second.id, title="Свідчення Б")
    link = vault.evidence_links.link(evidence_id, target.id)
    vault.links.update(dataclasses.replace(link, notes="бачив двері підвалу"))
    view.cases.reload(select_id=first.id)
    rows = _search(qtbot, view, "двері")
    assert set(rows) == {"Link"}
    assert view.search_results.item(0).text().startswith("Link: Evidence link\n")
    _click_hit(qtbot, view, 0)
    assert view.selected_case_id() == second.id
    assert view.case_tabs.currentWidget() is view.evidence
    assert view.evidence.item.evidence_id == evidence_id


def test_hits_in_ukrainian(qtbot, vault, view, tmp_path, monkeypatch):
    monkeypatch.setenv(LANGUAGE_VARIABLE, "uk")
    compile_qm(TS_FILE, tmp_path / "fieldvault_uk.qm")
    app = qt_app()
    saved_locale = QLocale()
    QLocale.setDefault(QLocale("uk"))
    translators = install_translators(app, QLocale("uk"), tmp_path)
    try:
        assert translators
        uk_view = VaultView(vault)
        uk_view.resize(1200, 760)
        qtbot.addWidget(uk_view)
        show(qtbot, uk_view)
        first, _testimony, _second, evidence_id = _fill(vault, tmp_path)
        uk_view.cases.reload(select_id=first.id)
        rows = _search(qtbot, uk_view, WORD)
        assert set(rows) == {"Свідчення", "Доказ"}
        assert (
            uk_view.search_results.item(rows["Свідчення"])
            .text()
            .startswith("Свідчення: (свідчення без назви)")
        )
        _click_hit(qtbot, uk_view, rows["Доказ"])
        assert uk_view.evidence.item.evidence_id == evidence_id
        screenshot(uk_view, "search-evidence-hit-uk.png")
        uk_view.clear_all(save_draft=False)
    finally:
        for translator in translators:
            app.removeTranslator(translator)
        QLocale.setDefault(saved_locale)
