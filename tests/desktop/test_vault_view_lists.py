"""The vault view's cases and testimonies lists read the real vault page by
page (issue #5): a long case shows its first page until the list is scrolled,
and scrolling (the scroll bar, the keyboard) reads the rest, once each.

A small page size stands in for the 200 rows of a real page, so that a few
dozen testimonies span several pages (benchmarks/bench_gui.py scrolls 100,000).
"""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication

from db import entities
from desktop.tasks import Lane
from desktop.vault_view import VaultView
from tests.factory import make_case
from tests.gui_helpers import SAVE_WAIT_MS, click_row, finish_writing, type_text

PAGE = 10
ROWS = 25  # pages of 10, 10 and 5


@pytest.fixture
def long_case(vault):
    """A case of ROWS testimonies (the 18th with a word no other has), and a short one."""
    case = make_case(vault, title="Izium")
    ids = [
        vault.testimonies.create(
            entities.Testimony(
                case_id=case.id,
                title=f"Statement {i:02d}",
                language="uk",
                narrative="Розстріл біля мосту." if i == 17 else "Свідок бачив обстріл.",
            )
        ).id
        for i in range(ROWS)
    ]
    other = make_case(vault, title="Kupiansk")
    vault.testimonies.create(entities.Testimony(case_id=other.id, title="Elsewhere"))
    return case, ids


@pytest.fixture
def page_reads(vault, monkeypatch):
    """Every (offset, limit) the view asks the testimonies service for."""
    reads: list[tuple[int, int]] = []
    real_list = vault.testimonies.list

    def counting_list(case_id=None, *, offset=0, limit=None):
        reads.append((offset, limit))
        return real_list(case_id, offset=offset, limit=limit)

    monkeypatch.setattr(vault.testimonies, "list", counting_list)
    return reads


@pytest.fixture
def make_view(qtbot, vault):
    def make() -> VaultView:
        view = VaultView(vault, page_size=PAGE)
        view.resize(1000, 700)
        view.testimony_list.setFixedHeight(120)  # fewer rows in sight than a page holds
        qtbot.addWidget(view)
        view.show()
        qtbot.waitExposed(view)
        return view

    return make


def settle() -> None:
    """Let the views run their pending layouts and fetch timers (no sleeping)."""
    for _ in range(5):
        QApplication.processEvents()


def visible_rows(view) -> int:
    listing = view.testimony_list
    return listing.viewport().height() // max(1, listing.sizeHintForRow(0))


def test_a_long_case_shows_its_first_page_until_the_list_scrolls(qtbot, make_view, long_case, page_reads):
    case, ids = long_case
    view = make_view()
    assert view.case_labels() == ["Izium", "Kupiansk"]
    assert view.case_list.accessibleName() == "Cases"
    assert view.testimony_list.accessibleName() == "Testimonies of the selected case"

    click_row(qtbot, view.case_list, 0)
    assert view.selected_case_id() == case.id
    settle()
    assert visible_rows(view) < PAGE  # else the view would rightly read a second page
    model = view.testimony_model
    assert model.total() == ROWS
    assert view.testimony_labels() == [f"Statement {i:02d} [uk]" for i in range(PAGE)]
    assert page_reads == [(0, PAGE)]

    # Dragging the scroll bar to the bottom reads the next page, and only it.
    bar = view.testimony_list.verticalScrollBar()
    bar.setValue(bar.maximum())
    settle()
    assert model.rowCount() == 2 * PAGE and page_reads == [(0, PAGE), (PAGE, PAGE)]

    # The keyboard: a row clicked opens it; End goes to the last row read,
    # which scrolls to the bottom and reads the rest.
    click_row(qtbot, view.testimony_list, 3)
    assert view.title_field.text() == "Statement 03"
    qtbot.keyClick(view.testimony_list, Qt.Key.Key_End)
    settle()
    assert model.rowCount() == ROWS and not model.canFetchMore(QModelIndex())
    assert page_reads == [(0, PAGE), (PAGE, PAGE), (2 * PAGE, ROWS - 2 * PAGE)]
    assert [model.record_id(row) for row in range(ROWS)] == ids  # oldest first, each once
    qtbot.keyClick(view.testimony_list, Qt.Key.Key_End)
    assert view.testimony_list.currentIndex().row() == ROWS - 1
    assert view.title_field.text() == f"Statement {ROWS - 1:02d}"
    qtbot.keyClick(view.testimony_list, Qt.Key.Key_Up)
    assert view.title_field.text() == f"Statement {ROWS - 2:02d}"
    qtbot.keyClick(view.testimony_list, Qt.Key.Key_Home)
    assert view.title_field.text() == "Statement 00"
    assert not view.testimony_list.tabKeyNavigation()  # Tab leaves the list, as from a list

    # Another case by the keyboard: its own rows, from its first page.
    qtbot.keyClick(view.case_list, Qt.Key.Key_Down)
    assert view.case_list.currentIndex().row() == 1
    settle()
    assert view.testimony_labels() == ["Elsewhere"]
    assert view.title_field.text() == ""  # a new testimony's form


def test_new_and_edited_testimonies_in_a_long_list(qtbot, make_view, vault, long_case, page_reads):
    case, ids = long_case
    view = make_view()
    click_row(qtbot, view.case_list, 0)
    settle()
    model = view.testimony_model

    # Edited while its row is loaded: changed in place, nothing read again.
    click_row(qtbot, view.testimony_list, 2)
    view.title_field.selectAll()
    type_text(qtbot, view.title_field, "Statement 02, corrected")
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    finish_writing(qtbot, view.testimony_editor)  # the vault answers from the save lane
    assert view.form_status.text() == "Saved."
    assert model.index(2, 0).data() == "Statement 02, corrected [uk]"
    assert model.record_id(2) == ids[2]
    assert view.testimony_list.currentIndex().row() == 2
    assert page_reads == [(0, PAGE)]

    # New while the end is not loaded: counted, and read with the last page.
    qtbot.mouseClick(view.testimonies.new_button, Qt.MouseButton.LeftButton)
    type_text(qtbot, view.title_field, "The latest")
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    finish_writing(qtbot, view.testimony_editor)  # the vault answers from the save lane
    assert view.form_status.text() == "Saved."
    assert model.total() == ROWS + 1 == vault.testimonies.count(case.id)
    assert model.rowCount() == PAGE and page_reads == [(0, PAGE)]
    assert not view.testimony_list.currentIndex().isValid()
    while model.canFetchMore(QModelIndex()):
        view.testimony_list.scrollToBottom()
        settle()
    assert view.testimony_labels()[-1] == "The latest"
    assert model.rowCount() == ROWS + 1

    # New with everything loaded: appended and selected at once.
    qtbot.mouseClick(view.testimonies.new_button, Qt.MouseButton.LeftButton)
    type_text(qtbot, view.title_field, "Later still")
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    finish_writing(qtbot, view.testimony_editor)  # the vault answers from the save lane
    assert model.rowCount() == ROWS + 2
    assert view.testimony_list.currentIndex().row() == ROWS + 1
    assert view.testimony_labels()[-1] == "Later still"
    reads = len(page_reads)
    settle()
    assert len(page_reads) == reads

    # A new case is appended to the cases list and selected; its list is empty.
    type_text(qtbot, view.case_title_field, "Balakliia")
    with qtbot.waitSignal(view.cases.case_created, timeout=SAVE_WAIT_MS):  # stored on the save lane
        qtbot.keyClick(view.case_title_field, Qt.Key.Key_Return)
    assert view.case_labels() == ["Izium", "Kupiansk", "Balakliia"]
    assert view.case_list.currentIndex().row() == 2
    assert view.testimony_labels() == []


def open_first_hit(qtbot, view, query: str) -> None:
    view.search_field.clear()
    with qtbot.waitSignal(view.search_done, timeout=10_000):
        type_text(qtbot, view.search_field, query)
    hit = view.search_results.item(0)
    qtbot.mouseClick(
        view.search_results.viewport(),
        Qt.MouseButton.LeftButton,
        pos=view.search_results.visualItemRect(hit).center(),
    )


def test_a_search_hit_deep_in_a_long_case_opens_without_reading_up_to_it(
    qtbot, make_view, vault, long_case, page_reads
):
    case, ids = long_case
    view = make_view()
    assert view.testimony_labels() == []  # no case selected yet
    open_first_hit(qtbot, view, "мосту")  # testimony 17, beyond the first page
    assert view.selected_case_id() == case.id
    assert view.title_field.text() == "Statement 17"
    assert view.testimony_editor.testimony_id == ids[17]
    assert page_reads == [(0, PAGE)]  # the first page only
    assert not view.testimony_list.currentIndex().isValid()

    # Saved while its row is not read: nothing counted; read as saved later.
    view.title_field.selectAll()
    type_text(qtbot, view.title_field, "Statement 17, at the bridge")
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    finish_writing(qtbot, view.testimony_editor)  # the vault answers from the save lane
    assert view.form_status.text() == "Saved."
    model = view.testimony_model
    assert model.total() == ROWS and model.rowCount() == PAGE
    view.testimony_list.scrollToBottom()
    settle()
    assert model.index(17, 0).data() == "Statement 17, at the bridge [uk]"

    # A hit whose row is loaded is selected in the list.
    open_first_hit(qtbot, view, "bridge")
    assert view.testimony_list.currentIndex().row() == 17
    assert view.title_field.text() == "Statement 17, at the bridge"
    listing = view.testimony_list
    settle()
    assert listing.viewport().rect().intersects(listing.visualRect(listing.currentIndex()))
    assert vault.testimonies.count(case.id) == ROWS


def test_a_locked_vault_empties_the_lists_and_reads_no_more(qtbot, make_view, vault, long_case):
    view = make_view()
    click_row(qtbot, view.case_list, 0)
    settle()
    vault.lock()
    # Scrolling a list of a locked vault: the read fails quietly, with a message.
    view.testimony_list.scrollToBottom()
    settle()
    assert view.testimony_model.rowCount() == PAGE
    assert not view.testimony_model.canFetchMore(QModelIndex())
    assert view.form_status.text() != ""
    view.clear_all(save_draft=False)
    assert view.case_labels() == [] and view.testimony_labels() == []


def test_search_runs_off_the_gui_thread_and_only_the_latest_answer_is_shown(
    qtbot, make_view, vault, long_case, monkeypatch
):
    view = make_view()
    gui_thread = threading.get_ident()
    search_threads: list[int] = []
    real_query = vault.search.query

    def recording_query(text, **kwargs):
        search_threads.append(threading.get_ident())
        return real_query(text, **kwargs)

    monkeypatch.setattr(vault.search, "query", recording_query)
    shown: list[int] = []
    view.search_done.connect(shown.append)
    # Hold the one search thread so both searches queue: the first answer
    # arrives after the second search was asked for, and must be dropped.
    release = threading.Event()
    view.search_bar.tasks.pool(Lane.SEARCH).start(lambda: release.wait(10))
    view.search_field.setText("мосту")
    view.run_search()
    assert view.search_status.text() == "Searching…"
    view.search_field.setText("обстріл")
    view.run_search()
    with qtbot.waitSignal(view.search_done, timeout=10_000):
        release.set()
    qtbot.wait(50)  # any late answer to the first search would arrive now
    assert len(search_threads) == 2 and gui_thread not in search_threads
    assert shown == [ROWS - 1], "an answer to an older search was shown"
    assert all("обстріл" in view.search_results.item(i).text() for i in range(view.search_results.count()))

    # Locked while a search runs: its answer changes nothing.
    release = threading.Event()
    view.search_bar.tasks.pool(Lane.SEARCH).start(lambda: release.wait(10))
    view.search_field.setText("мосту")
    view.run_search()
    view.clear_all(save_draft=False)
    release.set()
    view.search_bar.tasks.pool(Lane.SEARCH).waitForDone(10_000)
    qtbot.wait(50)
    assert view.search_results.count() == 0 and shown == [ROWS - 1]


def test_evidence_opens_after_switching_cases(qtbot, make_view, vault, long_case, tmp_path):
    case, _ids = long_case
    source = tmp_path / "photo.jpg"
    source.write_bytes(b"\xff\xd8 not really a photo")
    evidence_id = vault.evidence.ingest(source, case.id).item.id
    view = make_view()
    click_row(qtbot, view.case_list, 1)  # another case first, then back
    click_row(qtbot, view.case_list, 0)
    view.evidence.open_evidence(evidence_id)
    assert view.evidence.item.evidence_id == evidence_id
    assert view.evidence.item.heading.text() == "photo.jpg"
    assert view.evidence.item.export_button.isEnabled()


def test_a_search_bounded_to_the_newest_matches_says_so(qtbot, make_view, vault, long_case, monkeypatch):
    real_query = vault.search.query
    monkeypatch.setattr(vault.search, "query", lambda text, **kw: real_query(text, **kw | {"candidates": 3}))
    view = make_view()
    view.search_field.setText("обстріл")  # in 24 testimonies: more than 3 candidates
    with qtbot.waitSignal(view.search_done, timeout=10_000):
        view.run_search()
    assert view.search_status.text().startswith("3 result(s) Very many records match")
    assert "Add a word to narrow the search." in view.search_status.text()
    view.search_field.setText("мосту")  # in one: exact
    with qtbot.waitSignal(view.search_done, timeout=10_000):
        view.run_search()
    assert view.search_status.text() == "1 result(s)"
