"""Coordinator → Review… (desktop/review_view.py) on a real coordinator's vault
holding the records of two field workers imported by bundle
(tests/db/test_review.py's merge): filters typed and clicked narrow the
records to exactly those created so; the timeline groups the incidents;
opening an evidence item shows its custody from both devices, in order;
a bounded ranking is said; locking clears what the dialog showed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, Qt
from pytestqt.qtbot import QtBot

from desktop.i18n import install_translators, remove_translators
from desktop.review_view import ReviewDialog
from desktop.window import FieldvaultWindow
from tests.db.test_review import Merged, merge_two_workers
from tests.gui_helpers import (
    TS_FILE,
    all_texts,
    click_row,
    compile_qm,
    qt_app,
    screenshot,
    type_text,
    unlocked_window,
)

WAIT_MS = 30_000


@pytest.fixture
def merged(tmp_path: Path) -> Iterator[Merged]:
    m = merge_two_workers(tmp_path)
    m.coordinator.lock()  # the window opens it
    yield m
    for work in m.org.workers:
        work.vault.lock()


def _open_review(qtbot: QtBot, merged: Merged) -> tuple[FieldvaultWindow, ReviewDialog]:
    window = unlocked_window(qtbot, merged.coordinator.folder)
    [action] = [
        a
        for a in window.coordinator_menu.actions()
        if a.text() == QCoreApplication.translate("ReviewDialog", "&Review…")
    ]
    action.trigger()
    dialog = window.coordinator_menu.dialog
    assert isinstance(dialog, ReviewDialog)
    _settle(qtbot, dialog)
    return window, dialog


def _settle(qtbot: QtBot, dialog: ReviewDialog) -> None:
    """Wait for the page and then the timeline read after it."""
    qtbot.waitUntil(lambda: not dialog.busy and dialog.status.text() == "", timeout=WAIT_MS)


def _apply(qtbot: QtBot, dialog: ReviewDialog) -> set[str]:
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, dialog)
    return set(dialog.shown_ids())


def _choose(box: object, data: object) -> None:
    from PySide6.QtWidgets import QComboBox

    assert isinstance(box, QComboBox)
    index = box.findData(data)
    assert index >= 0, data
    box.setCurrentIndex(index)


def test_filters_typed_and_clicked_show_exactly_the_matching_records(qtbot: QtBot, merged: Merged) -> None:
    window, dialog = _open_review(qtbot, merged)
    # Unfiltered: every testimony, incident and evidence item of both workers.
    assert set(dialog.shown_ids()) == merged.named(
        "a-first-testimony", "a-march", "a-september", "a-statement", "a-year", "a-photo",
        "b-first-testimony", "b-march", "b-april", "b-photo",
    )  # fmt: skip
    assert dialog.count_label.text().startswith("10 record")
    # March 2022, typed day first as dates are written in Ukraine, then Enter.
    type_text(qtbot, dialog.from_field, "01.03.2022")
    type_text(qtbot, dialog.to_field, "2022-03\n")
    _settle(qtbot, dialog)
    assert set(dialog.shown_ids()) == merged.named("a-march", "a-statement", "a-photo", "b-march", "a-year")
    # Worker B's device alone.
    _choose(dialog.device_box, merged.b.vault.device_id)
    assert _apply(qtbot, dialog) == merged.named("b-march")
    # Any device, a place typed in capitals, with evidence.
    dialog.device_box.setCurrentIndex(0)
    type_text(qtbot, dialog.place_field, "IZIUM")
    _choose(dialog.evidence_box, True)
    assert _apply(qtbot, dialog) == merged.named("a-statement", "a-photo")
    rows = dialog.row_texts()
    assert {row[dialog.TYPE_COLUMN] for row in rows} == {"Testimony", "Evidence item"}
    screenshot(dialog, "coordinator-review.png")
    # The timeline of the same filters has no incident placed in Izium in Latin letters.
    qtbot.mouseClick(dialog.clear_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, dialog)
    assert len(dialog.shown_ids()) == 10 and dialog.place_field.text() == ""
    dialog.tabs.setCurrentIndex(1)
    timeline = dialog.timeline_texts()
    assert [row[0] for row in timeline] == ["2022-03", "2022-03", "2022-03-15", "2022-09", "2022-09-15"]
    assert timeline[0][1].startswith("2 incident") and timeline[0][2:] == ["", "2", "1"]
    screenshot(dialog, "coordinator-review-timeline.png")
    _choose(dialog.grouping_box, "day")
    _settle(qtbot, dialog)
    assert [row[0] for row in dialog.timeline_texts() if "incident" in row[1]] == [
        "2022-03",
        "2022-03-15",
        "2022-09-15",
    ]
    window.lock()


def test_opening_an_evidence_item_shows_its_custody_from_both_devices(qtbot: QtBot, merged: Merged) -> None:
    window, dialog = _open_review(qtbot, merged)
    _choose(dialog.kind_box, "evidence")
    _choose(dialog.device_box, merged.a.vault.device_id)
    assert _apply(qtbot, dialog) == merged.named("a-photo")
    assert not dialog.custody_button.isEnabled() or dialog.table.currentItem() is not None
    click_row(qtbot, dialog.table, 0)
    assert dialog.custody_button.isEnabled()
    qtbot.mouseClick(dialog.custody_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.custody.topLevelItemCount() > 0, timeout=WAIT_MS)
    rows = dialog.custody_texts()
    a_short, own_short = merged.a.vault.device_id[:12], merged.coordinator.device_id[:12]
    assert [(a_short in row[1], own_short in row[1], row[2]) for row in rows] == [
        (True, False, "intake"),
        (True, False, "transfer"),
        (False, True, "transfer"),
    ]
    assert "direction: received" in rows[2][3] and all(row[4] == "verifies" for row in rows)
    assert "Every chain verifies" in dialog.custody_label.text()
    assert dialog.tabs.currentIndex() == 2
    screenshot(dialog, "coordinator-review-custody.png")
    # Locking closes the dialog and empties what it showed.
    window.lock()
    assert window.coordinator_menu.dialog is None
    assert dialog.custody.topLevelItemCount() == 0 and dialog.table.topLevelItemCount() == 0


def test_a_bounded_ranking_is_said(qtbot: QtBot, merged: Merged) -> None:
    window = unlocked_window(qtbot, merged.coordinator.folder)
    vault = window._vault
    assert vault is not None
    dialog = ReviewDialog(vault, window, tasks=window.tasks, candidates=2)
    qtbot.addWidget(dialog)
    dialog.show()
    _settle(qtbot, dialog)
    assert dialog.bounded_label.isHidden()
    type_text(qtbot, dialog.text_field, "statement\n")
    _settle(qtbot, dialog)
    assert dialog.bounded_label.isVisible()
    assert "Ranking was bounded" in dialog.bounded_label.text()
    assert set(dialog.shown_ids()) <= merged.named(
        "a-first-testimony", "a-statement", "a-year", "b-first-testimony", "b-april"
    )
    # Fewer words than candidates: no note.
    dialog.text_field.clear()
    type_text(qtbot, dialog.text_field, "basement\n")
    _settle(qtbot, dialog)
    assert dialog.bounded_label.isHidden()
    assert set(dialog.shown_ids()) == merged.named("a-statement", "a-march")  # their titles
    dialog.done(0)
    window.lock()


def test_the_review_in_ukrainian(qtbot: QtBot, merged: Merged, tmp_path: Path) -> None:
    app = qt_app()
    compile_qm(TS_FILE, tmp_path / "fieldvault_uk.qm")
    assert install_translators(app, QLocale("uk"), tmp_path)
    try:
        window, dialog = _open_review(qtbot, merged)
        texts = all_texts(dialog)
        assert "Застосувати фільтри" in texts and "Хронологія" in texts, texts
        screenshot(dialog, "coordinator-review-uk.png")
        window.lock()
    finally:
        remove_translators(app)


def test_a_tampered_chain_is_flagged_in_the_custody_tab(qtbot: QtBot, merged: Merged) -> None:
    from sqlalchemy import text

    from db.api import Vault
    from db.keyring_store import NoKeyring
    from tests.vault_helpers import PASSPHRASE

    # Someone with the database key rewrites worker A's intake event of its photo.
    vault = Vault.open(merged.coordinator.folder, PASSPHRASE, keyring=NoKeyring())
    with vault.services.context.write_transaction("tamper") as session:
        session.execute(
            text(
                "UPDATE received_custody_events SET signed = CAST(replace(signed, "
                '\'"action":"intake"\', \'"action":"view"\') AS BLOB) '
                "WHERE device_id = :d AND seq = 1"
            ),
            {"d": merged.a.vault.device_id},
        )
    vault.lock()
    window, dialog = _open_review(qtbot, merged)
    _choose(dialog.kind_box, "evidence")
    _choose(dialog.device_box, merged.a.vault.device_id)
    assert _apply(qtbot, dialog) == merged.named("a-photo")
    click_row(qtbot, dialog.table, 0)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)  # opening the item
    qtbot.waitUntil(lambda: dialog.custody.topLevelItemCount() > 0, timeout=WAIT_MS)
    rows = dialog.custody_texts()
    a_short = merged.a.vault.device_id[:12]
    # A's chain is flagged on each of its events; the coordinator's still verifies.
    assert [(a_short in row[1], row[4]) for row in rows] == [
        (True, "⚠ does not verify"),
        (True, "⚠ does not verify"),
        (False, "verifies"),
    ]
    assert rows[0][2] == "view"  # what the rewritten bytes now say, shown beside the warning
    assert "Warning: the custody chain of" in dialog.custody_label.text()
    assert a_short in dialog.custody_label.text()
    screenshot(dialog, "coordinator-review-custody-tampered.png")
    window.lock()
