"""Coordinator → Possible duplicates…: pairs of persons that may be one
(docs/merge.md, "Duplicates"), scored by sync/merge/duplicates.py, and the
coordinator's decisions about them (sync/merge/same_as.py).

"Link as the same person" writes a signed same-as link; "Not the same" a
signed not-same-as mark, so the pair is not suggested again (here, or in
another coordinator's vault that receives it). Both are ordinary link
revisions: "Undo" on the Decisions tab writes the link's deletion, and the
pair is suggested again. No record is changed or merged.

The scan (every person read, transliterated and compared: seconds at 50,000
persons) runs on the export lane with progress and Cancel; writes go on the
save lane (desktop/tasks.py). The list shows each person's pseudonym (or
short id), as every list of the app does; the chosen pair's names are shown
side by side below it, and their dates and places of birth only on request
(they are sensitive details). Everything is cleared when the dialog closes,
and so when the vault locks.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QTabWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.dialog_parts import PROGRESS_STEPS, drop_tasks, failure_text, progress_bar, wrapped_label
from desktop.icons import icon
from desktop.item_lists import ID_ROLE, item_list, row_texts, row_with, rows
from desktop.tasks import Lane, TaskContext, TaskHandle, TaskReport, TaskRunner

if TYPE_CHECKING:
    from db.api import Link, Person, Vault
    from desktop.coordinator_menu import CoordinatorMenu
    from sync.merge.duplicates import PersonFacts, Suggestion

# The scan keeps every pair from this score on; the threshold control then
# only filters. The blocks lose nothing from 0.75 (sync/merge/duplicates.py).
LOWEST_THRESHOLD = 0.75
DEFAULT_THRESHOLD = 0.8
# The most pairs the list holds (best first): a list of a hundred thousand rows
# would take the window seconds to build, and nobody reviews that many.
MAX_SHOWN = 2000
# How many persons are read at a time (a progress report and a cancel check each).
READ_STEP = 1000
# How often the comparison reports its progress.
PROGRESS_EVERY_S = 0.05


# -- the tasks (plain Python) ----------------------------------------------------------


@dataclass(frozen=True)
class ScanProgress:
    phase: str  # "reading" or "comparing"
    done: int
    total: int


@dataclass(frozen=True)
class Decision:
    """A live same-as link or not-same-as mark."""

    link_id: str
    relation: str
    first_id: str
    second_id: str


@dataclass
class Scan:
    """What the dialog shows: the pairs scored ``LOWEST_THRESHOLD`` or more,
    the decisions already taken, and the facts and labels of the persons
    they name (nothing of any other person)."""

    suggestions: list[Suggestion]
    decisions: list[Decision]
    facts: dict[str, PersonFacts] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # pseudonym or "person 1a2b3c4d"
    cases: dict[str, str] = field(default_factory=dict)  # person id -> its case's title


def _decision(link: Link) -> Decision:
    first, second = sorted((link.from_id, link.to_id))
    return Decision(link.id, link.relation, first, second)


def scan(vault: Vault, context: TaskContext) -> Scan:
    from db.api import OperationCancelled
    from sync.merge.duplicates import facts_of, suggest_duplicates
    from sync.merge.same_as import NOT_SAME, SAME_AS

    def stop_if_cancelled() -> None:
        if context.cancelled:
            raise OperationCancelled()

    # Read a page at a time (decrypting 20,000 persons took 2.8 s here): the
    # bar moves and Cancel is seen between pages. A person deleted meanwhile
    # may shift a page and leave one unread: a suggestion tool can miss one.
    total = vault.persons.count()
    persons: list[Person] = []
    facts: list[PersonFacts] = []
    while True:
        page = vault.persons.list(offset=len(persons), limit=READ_STEP)
        persons += page
        facts += [facts_of(person) for person in page]
        stop_if_cancelled()
        context.progress(ScanProgress("reading", len(persons), max(total, len(persons))))
        if len(page) < READ_STEP:
            break

    last_report = [0.0]

    def comparing(done: int, total: int) -> None:
        stop_if_cancelled()  # raised out of the scorer, between two blocks
        now = time.monotonic()
        if now - last_report[0] >= PROGRESS_EVERY_S:  # not a signal per block
            last_report[0] = now
            context.progress(ScanProgress("comparing", done, total))

    suggestions = suggest_duplicates(facts, LOWEST_THRESHOLD, progress=comparing)
    stop_if_cancelled()
    decisions = [_decision(link) for link in vault.links.list() if link.relation in (SAME_AS, NOT_SAME)]
    named = {s.first_id for s in suggestions} | {s.second_id for s in suggestions}
    named |= {d.first_id for d in decisions} | {d.second_id for d in decisions}
    index = {record.id: number for number, record in enumerate(persons)}
    titles = {case.id: case.title for case in vault.cases.list()}
    result = Scan(suggestions, decisions)
    for person_id in named:
        position = index.get(person_id)
        if position is None:
            continue  # a decision naming a person deleted since
        result.facts[person_id] = facts[position]
        result.labels[person_id] = persons[position].label()
        result.cases[person_id] = titles.get(persons[position].case_id, "")
    return result


def decide(vault: Vault, relation: str, first_id: str, second_id: str) -> Decision:
    from sync.merge.same_as import SAME_AS, link_same_person, mark_not_same

    write = link_same_person if relation == SAME_AS else mark_not_same
    return _decision(write(vault, first_id, second_id))


def undo(vault: Vault, link_id: str) -> str:
    from sync.merge.same_as import unlink

    unlink(vault, link_id)
    return link_id


# -- the dialog ------------------------------------------------------------------------


class DuplicatesDialog(QDialog):
    """Possible duplicate persons and the decisions about them."""

    SCORE_COLUMN, FIRST_COLUMN, SECOND_COLUMN, WHY_COLUMN = range(4)
    KIND_COLUMN, D_FIRST_COLUMN, D_SECOND_COLUMN = range(3)

    def __init__(
        self, vault: Vault, parent: QWidget | None = None, *, tasks: TaskRunner | None = None
    ) -> None:
        super().__init__(parent)
        self._vault = vault
        self.tasks = tasks if tasks is not None else TaskRunner(self)
        self._handle: TaskHandle | None = None
        self._writing: TaskHandle | None = None
        self._scan: Scan | None = None
        self.setWindowTitle(self.tr("Possible duplicates"))
        self.resize(940, 620)
        layout = QVBoxLayout(self)
        intro = self.tr(
            "Persons recorded more than once by different workers: names in Cyrillic and in Latin "
            "letters, initials, dates of different precision. A suggestion is not a verdict: compare "
            "the two records and decide. A decision is a signed change that can be undone; the "
            "records themselves stay as they were recorded."
        )
        layout.addWidget(wrapped_label(intro))

        threshold_row = QHBoxLayout()
        threshold_label = QLabel(self.tr("Show pairs scored from"))
        self.threshold_slider = QSlider(Qt.Orientation.Horizontal)
        self.threshold_slider.setRange(int(LOWEST_THRESHOLD * 100), 100)
        self.threshold_slider.setAccessibleName(self.tr("Lowest score shown"))
        self.threshold_spin = QDoubleSpinBox()
        self.threshold_spin.setRange(LOWEST_THRESHOLD, 1.0)
        self.threshold_spin.setSingleStep(0.01)
        self.threshold_spin.setDecimals(2)
        self.threshold_spin.setAccessibleName(self.tr("Lowest score shown"))
        threshold_label.setBuddy(self.threshold_spin)
        self.threshold_slider.setValue(int(DEFAULT_THRESHOLD * 100))
        self.threshold_spin.setValue(DEFAULT_THRESHOLD)
        self.threshold_slider.valueChanged.connect(lambda value: self.threshold_spin.setValue(value / 100))
        self.threshold_spin.valueChanged.connect(self._threshold_changed)
        threshold_row.addWidget(threshold_label)
        threshold_row.addWidget(self.threshold_slider, 1)
        threshold_row.addWidget(self.threshold_spin)
        layout.addLayout(threshold_row)

        self.tabs = QTabWidget()
        self.pairs = item_list(
            self.tr("Possible duplicates"),
            [self.tr("Score"), self.tr("First record"), self.tr("Second record"), self.tr("Why")],
            [60, 220, 220],  # SCORE_COLUMN, FIRST_COLUMN, SECOND_COLUMN
        )
        self.pairs.currentItemChanged.connect(self._pair_chosen)
        self.tabs.addTab(self.pairs, self.tr("Suggestions"))
        self.decisions = item_list(
            self.tr("Decisions taken"),
            [self.tr("Decision"), self.tr("First record"), self.tr("Second record")],
            [160, 260],  # KIND_COLUMN, D_FIRST_COLUMN
        )
        self.decisions.currentItemChanged.connect(self._decision_chosen)
        self.tabs.addTab(self.decisions, self.tr("Decisions"))
        self.tabs.currentChanged.connect(lambda _index: self._update_buttons())
        layout.addWidget(self.tabs, 1)

        # The chosen pair, side by side.
        compare = QGridLayout()
        self.compare_labels: dict[tuple[str, int], QLabel] = {}
        rows = (
            ("name", self.tr("Name")),
            ("case", self.tr("Case")),
            ("birth", self.tr("Date of birth")),
            ("place", self.tr("Place")),
        )
        compare.addWidget(QLabel(), 0, 0)
        for row, (key, title) in enumerate(rows, start=1):
            compare.addWidget(QLabel(f"<b>{title}</b>"), row, 0)
            for side in (0, 1):
                label = QLabel()
                label.setWordWrap(True)
                label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                label.setTextFormat(Qt.TextFormat.PlainText)
                self.compare_labels[(key, side)] = label
                compare.addWidget(label, row, side + 1)
        compare.setColumnStretch(1, 1)
        compare.setColumnStretch(2, 1)
        self.compare_box = QWidget()
        self.compare_box.setLayout(compare)
        self.compare_box.setAccessibleName(self.tr("The two records side by side"))
        layout.addWidget(self.compare_box)
        self.details_toggle = QPushButton(icon("view"), self.tr("Show dates and places of birth"))
        self.details_toggle.setCheckable(True)
        self.details_toggle.setToolTip(self.tr("They are sensitive details: shown only on request."))
        self.details_toggle.toggled.connect(lambda _on: self._show_compare())
        layout.addWidget(self.details_toggle, 0, Qt.AlignmentFlag.AlignLeft)

        self.progress = progress_bar(self.tr("Progress of the search for duplicates"))
        layout.addWidget(self.progress)
        self.status = wrapped_label(name=self.tr("Result"))
        layout.addWidget(self.status)

        buttons = QHBoxLayout()
        self.scan_button = QPushButton(icon("search"), self.tr("Search again"))
        self.scan_button.clicked.connect(self.start_scan)
        self.cancel_button = QPushButton(icon("cancel"), self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Cancel the search for duplicates"))
        self.cancel_button.clicked.connect(self.cancel_scan)
        self.cancel_button.setEnabled(False)
        self.link_button = QPushButton(icon("check"), self.tr("Link as the same person"))
        self.link_button.clicked.connect(self.link_chosen)
        self.not_same_button = QPushButton(icon("discard"), self.tr("Not the same"))
        self.not_same_button.clicked.connect(self.dismiss_chosen)
        self.undo_button = QPushButton(icon("history"), self.tr("Undo this decision"))
        self.undo_button.clicked.connect(self.undo_chosen)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.clicked.connect(self.reject)
        for button in (
            self.scan_button,
            self.cancel_button,
            self.link_button,
            self.not_same_button,
            self.undo_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self._update_buttons()
        self.start_scan()

    # -- scanning --------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._handle is not None or self._writing is not None

    @Slot()
    def start_scan(self) -> None:
        if self.busy:
            return
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText(self.tr("Reading the persons…"))
        self._handle = self.tasks.start(
            Lane.EXPORT, lambda context: scan(self._vault, context), self._on_scan, owner=self
        )
        self._update_buttons()

    @Slot()
    def cancel_scan(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            # The report of a cancelled scan is dropped: the window is free at once.
            self.tasks.forget(self._handle)
            self._handle = None
            self.progress.hide()
            self.status.setText(self.tr("Search cancelled."))
            self._update_buttons()

    def _on_scan(self, report: TaskReport) -> None:
        value = report.value
        if report.state == "progress":
            if isinstance(value, ScanProgress):
                # Reading is the first tenth of the bar, comparing the rest.
                fraction = value.done / max(1, value.total)
                if value.phase == "reading":
                    self.progress.setValue(int(fraction * PROGRESS_STEPS / 10))
                else:
                    self.progress.setValue(PROGRESS_STEPS // 10 + int(fraction * PROGRESS_STEPS * 9 / 10))
                    self.status.setText(self.tr("Comparing names, dates and places…"))
            return
        self._handle = None
        self.progress.hide()
        if report.state == "succeeded":
            assert isinstance(value, Scan)
            self._scan = value
            self._fill()
        elif report.state == "cancelled":
            self.status.setText(self.tr("Search cancelled."))
        else:
            assert report.failure is not None
            from desktop.messages import failure_message

            self.status.setText(failure_message(report.failure))
        self._update_buttons()

    # -- showing ---------------------------------------------------------------------

    @property
    def threshold(self) -> float:
        return round(self.threshold_spin.value(), 2)

    @Slot(float)
    def _threshold_changed(self, value: float) -> None:
        self.threshold_slider.blockSignals(True)
        self.threshold_slider.setValue(round(value * 100))
        self.threshold_slider.blockSignals(False)
        self._fill()

    def _decided_pairs(self) -> set[tuple[str, str]]:
        scan = self._scan
        return set() if scan is None else {(d.first_id, d.second_id) for d in scan.decisions}

    def shown_suggestions(self) -> list[Suggestion]:
        scan = self._scan
        if scan is None:
            return []
        decided = self._decided_pairs()
        return [
            s
            for s in scan.suggestions
            if s.score >= self.threshold - 1e-9 and (s.first_id, s.second_id) not in decided
        ]

    def _person(self, person_id: str) -> str:
        scan = self._scan
        label = scan.labels.get(person_id, "") if scan is not None else ""
        case = scan.cases.get(person_id, "") if scan is not None else ""
        label = label or self.tr("person {short} (deleted)").format(short=person_id[:8])
        return f"{label} — {case}" if case else label

    def _fill(self) -> None:
        chosen = self.chosen_pair()
        self.pairs.clear()
        suggestions = self.shown_suggestions()
        items = []
        for suggestion in suggestions[:MAX_SHOWN]:
            item = QTreeWidgetItem(
                [
                    f"{suggestion.score:.2f}",
                    self._person(suggestion.first_id),
                    self._person(suggestion.second_id),
                    self.reasons_text(suggestion.reasons),
                ]
            )
            item.setData(self.SCORE_COLUMN, ID_ROLE, (suggestion.first_id, suggestion.second_id))
            items.append(item)
        self.pairs.addTopLevelItems(items)
        for item, suggestion in zip(items, suggestions, strict=False):
            if (suggestion.first_id, suggestion.second_id) == chosen:
                self.pairs.setCurrentItem(item)
        self.decisions.clear()
        for decision in self._scan.decisions if self._scan is not None else []:
            kind = self.tr("same person") if decision.relation == "same-as" else self.tr("not the same")
            item = QTreeWidgetItem([kind, self._person(decision.first_id), self._person(decision.second_id)])
            item.setData(self.KIND_COLUMN, ID_ROLE, decision.link_id)
            self.decisions.addTopLevelItem(item)
        found = len(suggestions)
        if found > MAX_SHOWN:
            self.status.setText(
                self.tr(
                    "%n possible duplicate(s) from this score; the best {shown} are listed. Raise the score to see fewer.",
                    "",
                    found,
                ).format(shown=MAX_SHOWN)
            )
        else:
            self.status.setText(
                self.tr("%n possible duplicate(s) from this score.", "", found)
                if found
                else self.tr("No possible duplicates from this score.")
            )
        self._show_compare()
        self._update_buttons()

    def reasons_text(self, reasons: tuple[str, ...]) -> str:
        words = {
            "surname": self.tr("surnames alike"),
            "given": self.tr("given names alike"),
            "given-initial": self.tr("initial fits the given name"),
            "initials": self.tr("initials fit"),
            "given-unknown": self.tr("a given name missing"),
            "given-differs": self.tr("given names differ"),
            "given-gender-differs": self.tr("given names of different genders"),
            "initial-differs": self.tr("initial does not fit"),
            "patronymic": self.tr("same patronymic"),
            "patronymic-differs": self.tr("patronymics differ"),
            "patronymic-initial": self.tr("initial fits the patronymic"),
            "patronymic-initial-differs": self.tr("initial does not fit the patronymic"),
            "birth-year": self.tr("birth year agrees"),
            "birth-day": self.tr("date of birth agrees"),
            "birth-differs": self.tr("dates of birth differ"),
            "place": self.tr("same place"),
            "place-differs": self.tr("places differ"),
        }
        return ", ".join(words.get(reason, reason) for reason in reasons)

    def pair_texts(self) -> list[list[str]]:
        return row_texts(self.pairs)

    def shown_pairs(self) -> list[tuple[str, str]]:
        pairs = []
        for item in rows(self.pairs):
            first, second = item.data(self.SCORE_COLUMN, ID_ROLE)
            pairs.append((str(first), str(second)))
        return pairs

    def choose_pair(self, first_id: str, second_id: str) -> None:
        wanted = tuple(sorted((first_id, second_id)))
        for item in rows(self.pairs):
            if tuple(item.data(self.SCORE_COLUMN, ID_ROLE)) == wanted:
                self.tabs.setCurrentWidget(self.pairs)
                self.pairs.setCurrentItem(item)
                return
        raise KeyError(wanted)

    def chosen_pair(self) -> tuple[str, str] | None:
        item = self.pairs.currentItem()
        data = item.data(self.SCORE_COLUMN, ID_ROLE) if item is not None else None
        return (str(data[0]), str(data[1])) if data else None

    def decision_ids(self) -> list[str]:
        return [str(item.data(self.KIND_COLUMN, ID_ROLE)) for item in rows(self.decisions)]

    def choose_decision(self, link_id: str) -> None:
        item = row_with(self.decisions, self.KIND_COLUMN, link_id)
        self.tabs.setCurrentWidget(self.decisions)
        self.decisions.setCurrentItem(item)

    def _chosen_decision(self) -> Decision | None:
        item = self.decisions.currentItem()
        link_id = item.data(self.KIND_COLUMN, ID_ROLE) if item is not None else None
        scan = self._scan
        if not link_id or scan is None:
            return None
        return next((d for d in scan.decisions if d.link_id == link_id), None)

    @Slot()
    def _pair_chosen(self) -> None:
        self._show_compare()
        self._update_buttons()

    @Slot()
    def _decision_chosen(self) -> None:
        self._show_compare()
        self._update_buttons()

    def _compared(self) -> tuple[str, str] | None:
        if self.tabs.currentWidget() is self.decisions:
            decision = self._chosen_decision()
            return (decision.first_id, decision.second_id) if decision is not None else None
        return self.chosen_pair()

    def compare_texts(self) -> dict[str, tuple[str, str]]:
        return {
            key: (self.compare_labels[(key, 0)].text(), self.compare_labels[(key, 1)].text())
            for key in ("name", "case", "birth", "place")
        }

    def _show_compare(self) -> None:
        pair = self._compared()
        scan = self._scan
        for label in self.compare_labels.values():
            label.clear()
        if pair is None or scan is None:
            return
        shown = self.details_toggle.isChecked()
        hidden = self.tr("(hidden)")
        for side, person_id in enumerate(pair):
            facts = scan.facts.get(person_id)
            self.compare_labels[("case", side)].setText(scan.cases.get(person_id, ""))
            if facts is None:
                self.compare_labels[("name", side)].setText(self._person(person_id))
                continue
            self.compare_labels[("name", side)].setText(facts.name)
            self.compare_labels[("birth", side)].setText((facts.birth or "–") if shown else hidden)
            self.compare_labels[("place", side)].setText((facts.place or "–") if shown else hidden)

    def _update_buttons(self) -> None:
        scanning = self._handle is not None
        writing = self._writing is not None
        on_pairs = self.tabs.currentWidget() is self.pairs
        self.scan_button.setEnabled(not scanning and not writing)
        self.cancel_button.setEnabled(scanning)
        pair = self.chosen_pair() is not None and on_pairs and not writing and self._scan is not None
        self.link_button.setEnabled(pair)
        self.not_same_button.setEnabled(pair)
        self.undo_button.setEnabled(
            not on_pairs and not writing and self._chosen_decision() is not None and not scanning
        )

    # -- deciding --------------------------------------------------------------------

    @Slot()
    def link_chosen(self) -> None:
        self._decide("same-as")

    @Slot()
    def dismiss_chosen(self) -> None:
        self._decide("not-same-as")

    def _decide(self, relation: str) -> None:
        pair = self.chosen_pair()
        if pair is None or self.busy:
            return
        first, second = pair
        self._write(lambda: decide(self._vault, relation, first, second))

    @Slot()
    def undo_chosen(self) -> None:
        decision = self._chosen_decision()
        if decision is None or self.busy:
            return
        link_id = decision.link_id
        self._write(lambda: undo(self._vault, link_id))

    def _write(self, write: Callable[[], object]) -> None:
        self.status.setText(self.tr("Signing the decision…"))
        self._writing = self.tasks.start(Lane.SAVE, lambda _context: write(), self._on_written, owner=self)
        self._update_buttons()

    def _on_written(self, report: TaskReport) -> None:
        if not report.finished:
            return
        self._writing = None
        scan = self._scan
        if report.state != "succeeded":
            self.status.setText(failure_text(report.failure) + "\n" + self.tr("Nothing was changed."))
        elif scan is not None and isinstance(report.value, Decision):
            decision = report.value
            if decision.link_id not in {d.link_id for d in scan.decisions}:
                scan.decisions.append(decision)
            self._fill()
            self.status.setText(
                self.tr("Linked as the same person (a signed change; Undo on the Decisions tab reverses it).")
                if decision.relation == "same-as"
                else self.tr(
                    "Marked as not the same: the pair is no longer suggested (Undo on the Decisions tab)."
                )
            )
        elif scan is not None and isinstance(report.value, str):
            scan.decisions = [d for d in scan.decisions if d.link_id != report.value]
            self._fill()
            self.status.setText(
                self.tr("Decision undone: the pair is suggested again if it scores high enough.")
            )
        self._update_buttons()

    # -- closing ---------------------------------------------------------------------

    def clear(self) -> None:
        """Forget every name, date and place shown (the dialog closes, the vault locks)."""
        self._scan = None
        self.pairs.clear()
        self.decisions.clear()
        for label in self.compare_labels.values():
            label.clear()
        self.status.clear()

    def reject(self) -> None:
        if self._writing is not None:
            return  # a decision is being signed: its result is shown, then Close
        super().reject()

    def done(self, result: int) -> None:
        drop_tasks(self.tasks, [self._handle, self._writing], stop_lane=Lane.EXPORT)  # the scan stops
        self._handle = self._writing = None
        self.clear()
        super().done(result)


def make_duplicates_dialog(vault: Vault, parent: QWidget, tasks: TaskRunner) -> QDialog:
    return DuplicatesDialog(vault, parent, tasks=tasks)


def add_duplicates_entry(menu: CoordinatorMenu) -> None:
    """Coordinator → Possible duplicates…"""
    menu.add_entry(
        lambda: QCoreApplication.translate("DuplicatesDialog", "Possible &duplicates…"),
        make_duplicates_dialog,
    )
