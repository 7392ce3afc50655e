"""Coordinator → Possible duplicates… (desktop/duplicates_view.py) on a
coordinator's vault that imported real bundles of two workers: the same man
recorded as "Олександр Петренко" by one and "Oleksandr Petrenko" by the other
is suggested, with both names side by side; an unrelated pair is not.
Linking writes a signed same-as link (checked through sync/merge/same_as.py),
undoing it deletes the link and the pair is suggested again; "Not the same"
is a signed mark that stops the suggestion, also undone. Closing (locking)
clears every name shown."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from db.api import Person, Vault
from db.device import DeviceIdentity
from db.hlc import Timestamp
from db.ids import new_id
from db.keyring_store import NoKeyring
from db.revisions import create_revision
from desktop.duplicates_view import MAX_SHOWN, DuplicatesDialog
from desktop.i18n import install_translators, remove_translators
from desktop.tasks import Lane
from desktop.window import FieldvaultWindow
from sync import org_vault
from sync.merge.duplicates import suggest_in_vault
from sync.merge.same_as import NOT_SAME, SAME_AS, dismissed_pairs, linked_pairs
from tests.db.sync_fixtures import FieldWork
from tests.factory import make_case
from tests.gui_helpers import TS_FILE, Ticks, all_texts, compile_qm, qt_app, screenshot, unlocked_window
from tests.sync.trust_fixtures import Organisation, make_organisation
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

WAIT_MS = 30_000


@dataclass
class Recorded:
    org: Organisation
    cyrillic: str
    latin: str
    initial: str  # "Петренко О.": an initial scores lower
    unrelated: tuple[str, str]


@pytest.fixture
def recorded(tmp_path: Path) -> Iterator[Recorded]:
    """Two workers record persons, send a bundle each; the coordinator imports
    both, and its vault is left locked for the window."""
    org = make_organisation(tmp_path)
    first = org.worker("kupiansk", token=org.token())
    second = org.worker("izium", token=org.token())

    def person(work: FieldWork, name: str, pseudonym: str, **sensitive: str) -> str:
        vault = work.vault
        made = Person(case_id=work.case_id, name=name, pseudonym=pseudonym, sensitive=sensitive)
        return str(vault.persons.create(made).id)

    cyrillic = person(first, "Олександр Петренко", "W-17", **{"Дата народження": "1975"})
    unrelated_a = person(first, "Марія Коваленко", "W-18", **{"Date of birth": "1990-05-02"})
    latin = person(
        second, "Oleksandr Petrenko", "V-3", **{"Date of birth": "12.03.1975", "Place of birth": "Izium"}
    )
    unrelated_b = person(second, "Ігор Шевчук", "V-4")
    initial = person(second, "Петренко О.", "V-5")
    for work in (first, second):
        org.import_(org.export(work.vault).path)
    org.coordinator.lock()
    yield Recorded(org, cyrillic, latin, initial, (unrelated_a, unrelated_b))
    for work in org.workers:
        work.vault.lock()


def _open(qtbot: QtBot, recorded: Recorded) -> tuple[FieldvaultWindow, DuplicatesDialog]:
    window = unlocked_window(qtbot, recorded.org.coordinator.folder)
    [action] = [
        a
        for a in window.coordinator_menu.actions()
        if a.text() == QCoreApplication.translate("DuplicatesDialog", "Possible &duplicates…")
    ]
    action.trigger()
    dialog = window.coordinator_menu.dialog
    assert isinstance(dialog, DuplicatesDialog)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    return window, dialog


def _click(qtbot: QtBot, dialog: DuplicatesDialog, button: QPushButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)


def test_suggest_link_unlink_and_dismiss(qtbot: QtBot, recorded: Recorded) -> None:
    window, dialog = _open(qtbot, recorded)
    vault = window.vault
    assert vault is not None
    pair = tuple(sorted((recorded.cyrillic, recorded.latin)))
    assert pair in dialog.shown_pairs()
    assert tuple(sorted(recorded.unrelated)) not in dialog.shown_pairs()
    # The list names records by pseudonym and case; the names only side by side.
    [row] = [r for p, r in zip(dialog.shown_pairs(), dialog.pair_texts(), strict=True) if p == pair]
    assert {row[1].split(" — ")[0], row[2].split(" — ")[0]} == {"W-17", "V-3"}
    assert "Петренко" not in " ".join(row) and "surnames alike" in row[3] and "birth year agrees" in row[3]
    dialog.choose_pair(*pair)
    names = set(dialog.compare_texts()["name"])
    assert names == {"Олександр Петренко", "Oleksandr Petrenko"}
    assert dialog.compare_texts()["birth"] == ("(hidden)", "(hidden)")
    qtbot.mouseClick(dialog.details_toggle, Qt.MouseButton.LeftButton)
    assert set(dialog.compare_texts()["birth"]) == {"1975", "12.03.1975"}
    screenshot(dialog, "coordinator-duplicates.png")

    # Link: a signed same-as link, and the pair leaves the suggestions.
    before = len(vault.revisions.all())
    _click(qtbot, dialog, dialog.link_button)
    assert linked_pairs(vault) == {pair}
    assert len(vault.revisions.all()) == before + 1
    assert pair not in dialog.shown_pairs() and "Linked as the same person" in dialog.status.text()
    [link_id] = dialog.decision_ids()
    [made] = vault.links.history(link_id)
    assert (
        made.op == "put"
        and made.device_id == vault.device_id
        and vault.links.get(link_id).relation == SAME_AS
    )

    # Undo: a deletion revision after the put; the pair is suggested again.
    dialog.choose_decision(link_id)
    assert dialog.undo_button.isEnabled()
    _click(qtbot, dialog, dialog.undo_button)
    assert linked_pairs(vault) == set()
    assert [entry.op for entry in vault.links.history(link_id)] == ["put", "delete"]
    assert dialog.decision_ids() == [] and pair in dialog.shown_pairs()

    # Not the same: a signed mark; the core's suggestions skip it too, until undone.
    dialog.choose_pair(*pair)
    _click(qtbot, dialog, dialog.not_same_button)
    assert dismissed_pairs(vault) == {pair} and linked_pairs(vault) == set()
    assert pair not in {(s.first_id, s.second_id) for s in suggest_in_vault(vault)}
    [mark_id] = dialog.decision_ids()
    assert vault.links.get(mark_id).relation == NOT_SAME
    dialog.choose_decision(mark_id)
    screenshot(dialog, "coordinator-duplicates-decisions.png")
    _click(qtbot, dialog, dialog.undo_button)
    assert dismissed_pairs(vault) == set() and pair in dialog.shown_pairs()

    # The threshold: at 0.95 the pairs with "Петренко О." (an initial only) go, the full names stay.
    with_initial = tuple(sorted((recorded.cyrillic, recorded.initial)))
    assert with_initial in dialog.shown_pairs()
    dialog.threshold_slider.setValue(95)
    assert dialog.threshold_spin.value() == pytest.approx(0.95)
    assert with_initial not in dialog.shown_pairs() and pair in dialog.shown_pairs()

    window.lock()
    assert window.coordinator_menu.dialog is None
    texts = all_texts(dialog)
    assert "Петренко" not in texts and "Petrenko" not in texts and "W-17" not in texts


def test_the_duplicates_view_in_ukrainian(qtbot: QtBot, recorded: Recorded, tmp_path: Path) -> None:
    app = qt_app()
    compile_qm(TS_FILE, tmp_path / "fieldvault_uk.qm")
    assert install_translators(app, QLocale("uk"), tmp_path)
    try:
        window, dialog = _open(qtbot, recorded)
        dialog.choose_pair(recorded.cyrillic, recorded.latin)
        assert "Можливі дублікати" in all_texts(dialog)
        screenshot(dialog, "coordinator-duplicates-uk.png")
        window.lock()
    finally:
        remove_translators(app)


def test_a_cancelled_search_shows_nothing_and_can_be_run_again(qtbot: QtBot, recorded: Recorded) -> None:
    window = unlocked_window(qtbot, recorded.org.coordinator.folder)
    title = QCoreApplication.translate("DuplicatesDialog", "Possible &duplicates…")
    [action] = [a for a in window.coordinator_menu.actions() if a.text() == title]
    action.trigger()  # the search starts as the dialog opens
    dialog = window.coordinator_menu.dialog
    assert isinstance(dialog, DuplicatesDialog) and dialog.busy and dialog.cancel_button.isEnabled()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.busy and dialog.status.text() == "Search cancelled."
    assert window.tasks.wait(WAIT_MS, [Lane.EXPORT])
    qt_app().processEvents()  # a report of the cancelled search would arrive now
    assert dialog.shown_pairs() == [] and dialog.status.text() == "Search cancelled."

    _click(qtbot, dialog, dialog.scan_button)
    assert tuple(sorted((recorded.cyrillic, recorded.latin))) in dialog.shown_pairs()
    window.lock()


SURNAME_STEMS = ("Петр", "Коваль", "Шевч", "Бонд", "Ткач", "Кравч")
SURNAME_ENDINGS = ("енко", "ук", "юк", "ко", "ишин", "ович", "ський", "ан", "ик", "ач")
GIVEN_NAMES = ("Олександр", "Іван", "Микола", "Петро", "Андрій", "Сергій", "Марія", "Олена", "Ганна", "Юрій")


def _many_persons(tmp_path: Path, count: int) -> Path:
    """A coordinator's vault holding ``count`` persons of 60 surnames (dense
    blocks: about a second and a half of comparing here), signed by another
    device's key and stored as a sync stores them (revisions.apply)."""
    vault = Vault.create(tmp_path / "coordinator", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    try:
        org_vault.create_organisation(vault, "Kharkiv documentation group")
        case = make_case(vault)
        worker = DeviceIdentity.generate()
        rng = random.Random(14)
        revisions = []
        for index in range(count):
            name = f"{rng.choice(GIVEN_NAMES)} {rng.choice(SURNAME_STEMS)}{rng.choice(SURNAME_ENDINGS)}"
            person = Person(case_id=case.id, name=name, pseudonym=f"P-{index}")
            revisions.append(
                create_revision(
                    worker,
                    entity_id=new_id(),
                    entity_type="person",
                    op="put",
                    body=person.body(),
                    parents=[],
                    hlc=Timestamp(1_650_000_000_000 + index, 0),
                )
            )
        for start in range(0, count, 1000):
            vault.revisions.apply(revisions[start : start + 1000])
        return vault.folder
    finally:
        vault.lock()


def test_a_long_search_never_freezes_the_window_and_cancel_stops_it(qtbot: QtBot, tmp_path: Path) -> None:
    folder = _many_persons(tmp_path, 5000)
    window = unlocked_window(qtbot, folder)
    title = QCoreApplication.translate("DuplicatesDialog", "Possible &duplicates…")
    [action] = [a for a in window.coordinator_menu.actions() if a.text() == title]
    ticks = Ticks()
    # Cancel's speed is judged in the process's CPU time: at load 12 the wall
    # clock of both the search and the cancel is mostly other processes' turn.
    started = time.process_time()
    action.trigger()
    dialog = window.coordinator_menu.dialog
    assert isinstance(dialog, DuplicatesDialog)
    while_searching = ticks.count_while(lambda: dialog.busy)
    seen: list[int] = []
    dialog.progress.valueChanged.connect(seen.append)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS * 4)
    whole = time.process_time() - started
    ticks.assert_never_froze()
    assert len(while_searching) >= 5, "the window's loop did not turn while it searched"
    assert any(0 < value < dialog.progress.maximum() for value in seen), seen  # it moved on the way
    assert 0 < len(dialog.shown_pairs()) <= MAX_SHOWN

    # Cancel once comparing has begun: the search stops at the next block,
    # long before it would have finished.
    qtbot.mouseClick(dialog.scan_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.status.text() == "Comparing names, dates and places…", timeout=WAIT_MS)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    clicked = time.process_time()
    qtbot.waitUntil(lambda: window.tasks.idle([Lane.EXPORT]), timeout=WAIT_MS)
    stopped = time.process_time() - clicked
    print(f"cancel stopped the search in {stopped:.3f} s of CPU; a whole search took {whole:.2f} s")
    assert stopped < whole / 2, (stopped, whole)
    assert dialog.status.text() == "Search cancelled."
    window.lock()
