"""Coordinator → Review…: filters over everything merged, a timeline of
incidents, and an evidence item's custody across devices (docs/merge.md,
"Review"; the queries are db/review.py's ``ReviewService``).

The filter bar narrows the testimonies, incidents and evidence items of all
cases by words, case, date range, place, violation type, device and
evidence; the Records tab pages through them (newest first, or best first
for words), with their count, and says when the search's ranking was
bounded. The Timeline tab groups the incidents passing the same filters by
month or day. Opening an evidence item (double-click, Enter, or "Custody
history") shows, in the Custody tab, every event the vault holds for it from
each device's chain, in time order, and whether each chain verifies.

Every read runs on the window's search lane (desktop/tasks.py); a newer
read's ticket drops the answer of an older one. Closing the dialog (and so
locking the vault) clears what it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.tasks import Lane, TaskHandle, TaskReport, TaskRunner

if TYPE_CHECKING:
    from db.api import CustodyHistory, ReviewFilter, ReviewPage, Timeline, Vault
    from desktop.coordinator_menu import CoordinatorMenu

# The search's default bound (db/services.py RANK_CANDIDATES), unless a test gives another.
DEFAULT_CANDIDATES = 20_000
PAGE_SIZE = 50
ID_ROLE = Qt.ItemDataRole.UserRole
TYPE_ROLE = Qt.ItemDataRole.UserRole + 1
# A chain that does not verify: its events are coloured; text stays dark.
BROKEN_COLOUR = QColor("#f6c6c6")
ROW_TEXT = QColor("#1a1a1a")


# -- the tasks (plain Python) ----------------------------------------------------------


@dataclass(frozen=True)
class Choices:
    """What the filter bar offers: the cases and the devices, by id."""

    cases: tuple[tuple[str, str], ...]  # (id, title)
    devices: tuple[tuple[str, str], ...]  # (id, label)


def read_choices(vault: Vault) -> Choices:
    from db.api import ReviewService

    cases = tuple((case.id, case.title) for case in vault.cases.list())
    labels = ReviewService(vault.services.context).device_labels()
    return Choices(cases, tuple(sorted(labels.items(), key=lambda item: (item[1] or "~", item[0]))))


def read_page(vault: Vault, review: ReviewFilter, cursor: int | None, candidates: int) -> ReviewPage:
    from db.api import ReviewService

    return ReviewService(vault.services.context).records(
        review, cursor=cursor, limit=PAGE_SIZE, candidates=candidates
    )


def read_timeline(vault: Vault, review: ReviewFilter, by: str) -> Timeline:
    from db.api import ReviewService

    return ReviewService(vault.services.context).timeline(review, by=by)


def read_custody(vault: Vault, evidence_id: str) -> CustodyHistory:
    from db.api import ReviewService

    return ReviewService(vault.services.context).custody_history(evidence_id)


# -- the dialog -----------------------------------------------------------------------


class ReviewDialog(QDialog):
    TYPE_COLUMN, TITLE_COLUMN, CASE_COLUMN, DATE_COLUMN, PLACE_COLUMN, DEVICE_COLUMN, EVIDENCE_COLUMN = range(
        7
    )

    def __init__(
        self,
        vault: Vault,
        parent: QWidget | None = None,
        *,
        tasks: TaskRunner,
        candidates: int = DEFAULT_CANDIDATES,
    ) -> None:
        super().__init__(parent)
        self._vault = vault
        self.tasks = tasks
        self._candidates = candidates
        self._ticket = 0
        self._handle: TaskHandle | None = None
        self._review: ReviewFilter | None = None
        self._cursors: list[int | None] = [None]  # the cursor of each page shown so far
        self._next: int | None = None
        self._case_titles: dict[str, str] = {}
        self._device_labels: dict[str, str] = {}
        self._custody_of = ""  # the evidence item whose custody is shown (its name)
        self.setWindowTitle(self.tr("Review"))
        self.resize(1000, 640)
        layout = QVBoxLayout(self)
        layout.addLayout(self._filter_bar())
        self.tabs = QTabWidget()
        self.tabs.addTab(self._records_tab(), self.tr("Records"))
        self.tabs.addTab(self._timeline_tab(), self.tr("Timeline"))
        self.tabs.addTab(self._custody_tab(), self.tr("Custody"))
        layout.addWidget(self.tabs, 1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.clicked.connect(self.reject)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        # Enter belongs to the field or the list it is typed in (Apply, or
        # opening an item), never to a default button: Enter on a row would
        # otherwise also apply the filters again and drop the item's reading.
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)
        self._start(lambda _context: read_choices(self._vault), self._on_choices)

    # -- building ------------------------------------------------------------------------

    def _filter_bar(self) -> QFormLayout:
        from db.api import violation_types
        from desktop.i18n import current_language

        form = QFormLayout()
        self.text_field = QLineEdit()
        self.text_field.setAccessibleName(self.tr("Words"))
        self.text_field.setPlaceholderText(self.tr("Words to search for (optional)"))
        self.case_box = QComboBox()
        self.case_box.setAccessibleName(self.tr("Case"))
        self.case_box.addItem(self.tr("All cases"), "")
        dates = QHBoxLayout()
        self.from_field = QLineEdit()
        self.from_field.setAccessibleName(self.tr("From date"))
        self.from_field.setPlaceholderText(self.tr("From: YYYY, YYYY-MM or YYYY-MM-DD"))
        self.to_field = QLineEdit()
        self.to_field.setAccessibleName(self.tr("To date"))
        self.to_field.setPlaceholderText(self.tr("To: YYYY, YYYY-MM or YYYY-MM-DD"))
        dates.addWidget(self.from_field)
        dates.addWidget(self.to_field)
        self.place_field = QLineEdit()
        self.place_field.setAccessibleName(self.tr("Place"))
        self.place_field.setPlaceholderText(self.tr("Part of a place name"))
        self.violation_box = QComboBox()
        self.violation_box.setAccessibleName(self.tr("Violation type"))
        self.violation_box.addItem(self.tr("Any violation type"), "")
        language = current_language()
        for violation in violation_types():
            self.violation_box.addItem(violation.label(language), violation.code)
        self.device_box = QComboBox()
        self.device_box.setAccessibleName(self.tr("Device"))
        self.device_box.addItem(self.tr("Any device"), "")
        self.device_box.setMinimumContentsLength(18)
        self.device_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.evidence_box = QComboBox()
        self.evidence_box.setAccessibleName(self.tr("Evidence"))
        self.evidence_box.addItem(self.tr("With or without evidence"), None)
        self.evidence_box.addItem(self.tr("With evidence"), True)
        self.evidence_box.addItem(self.tr("Without evidence"), False)
        self.kind_box = QComboBox()
        self.kind_box.setAccessibleName(self.tr("Record type"))
        self.kind_box.addItem(self.tr("Testimonies, incidents and evidence"), "")
        self.kind_box.addItem(self.tr("Testimonies"), "testimony")
        self.kind_box.addItem(self.tr("Incidents"), "incident")
        self.kind_box.addItem(self.tr("Evidence items"), "evidence")
        choices = QHBoxLayout()
        for box in (self.violation_box, self.device_box, self.evidence_box, self.kind_box):
            choices.addWidget(box, 1)
        self.apply_button = QPushButton(self.tr("&Apply filters"))
        self.apply_button.clicked.connect(self.apply)
        self.clear_button = QPushButton(self.tr("C&lear filters"))
        self.clear_button.clicked.connect(self.clear_filters)
        choices.addWidget(self.apply_button)
        choices.addWidget(self.clear_button)
        for field in (self.text_field, self.from_field, self.to_field, self.place_field):
            field.returnPressed.connect(self.apply)
        form.addRow(self.tr("&Words:"), self.text_field)
        cases = QHBoxLayout()
        cases.addWidget(self.case_box, 1)
        cases.addWidget(self.place_field, 1)
        form.addRow(self.tr("Case and place:"), cases)
        form.addRow(self.tr("Dates:"), dates)
        form.addRow(self.tr("Show:"), choices)
        return form

    def _records_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.count_label = QLabel()
        self.count_label.setWordWrap(True)
        layout.addWidget(self.count_label)
        self.bounded_label = QLabel()
        self.bounded_label.setWordWrap(True)
        self.bounded_label.hide()
        layout.addWidget(self.bounded_label)
        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setAccessibleName(self.tr("Matching records"))
        self.table.setHeaderLabels(
            [
                self.tr("Type"),
                self.tr("Title"),
                self.tr("Case"),
                self.tr("Date"),
                self.tr("Place"),
                self.tr("Device"),
                self.tr("Evidence"),
            ]
        )
        self.table.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.header().setSectionResizeMode(self.TITLE_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.itemActivated.connect(self._activated)
        self.table.currentItemChanged.connect(lambda *_: self._selection_changed())
        layout.addWidget(self.table, 1)
        paging = QHBoxLayout()
        self.previous_button = QPushButton(self.tr("&Previous page"))
        self.previous_button.clicked.connect(self.previous_page)
        self.next_button = QPushButton(self.tr("&Next page"))
        self.next_button.clicked.connect(self.next_page)
        self.page_label = QLabel()
        self.custody_button = QPushButton(self.tr("Custody &history"))
        self.custody_button.clicked.connect(self.show_custody)
        for widget in (self.previous_button, self.page_label, self.next_button):
            paging.addWidget(widget)
        paging.addStretch(1)
        paging.addWidget(self.custody_button)
        layout.addLayout(paging)
        self._paging_buttons()
        self._selection_changed()
        return page

    def _timeline_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        top = QHBoxLayout()
        self.grouping_box = QComboBox()
        self.grouping_box.setAccessibleName(self.tr("Group by"))
        self.grouping_box.addItem(self.tr("By month"), "month")
        self.grouping_box.addItem(self.tr("By day"), "day")
        self.grouping_box.currentIndexChanged.connect(lambda _i: self._read_timeline())
        top.addWidget(self.grouping_box)
        self.timeline_label = QLabel()
        top.addWidget(self.timeline_label, 1)
        layout.addLayout(top)
        self.timeline = QTreeWidget()
        self.timeline.setAccessibleName(self.tr("Timeline of incidents"))
        self.timeline.setHeaderLabels(
            [
                self.tr("When"),
                self.tr("Incident"),
                self.tr("Place"),
                self.tr("Testimonies"),
                self.tr("Evidence"),
            ]
        )
        self.timeline.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.timeline.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.timeline, 1)
        return page

    def _custody_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.custody_label = QLabel(self.tr("Open an evidence item in Records to see its custody history."))
        self.custody_label.setWordWrap(True)
        layout.addWidget(self.custody_label)
        self.custody = QTreeWidget()
        self.custody.setRootIsDecorated(False)
        self.custody.setAccessibleName(self.tr("Custody history"))
        self.custody.setHeaderLabels(
            [self.tr("Time (UTC)"), self.tr("Device"), self.tr("Event"), self.tr("Details"), self.tr("Chain")]
        )
        header = self.custody.header()
        for column in (0, 1, 2, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.custody, 1)
        return page

    # -- reading ---------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._handle is not None

    def _start(self, task: object, on_done: object) -> None:
        """Run ``task`` on the search lane; only the newest read's answer is shown."""
        if self._handle is not None:
            self.tasks.forget(self._handle)
        self._ticket += 1
        ticket = self._ticket

        def report(r: TaskReport) -> None:
            if ticket != self._ticket or not r.finished:
                return
            self._handle = None
            if r.state == "succeeded":
                on_done(r.value)  # type: ignore[operator]
            elif r.state == "failed" and r.failure is not None:
                from desktop.messages import failure_message

                self.status.setText(failure_message(r.failure))

        self._handle = self.tasks.start(Lane.SEARCH, task, report, owner=self)  # type: ignore[arg-type]

    def _on_choices(self, choices: Choices) -> None:
        self._case_titles = dict(choices.cases)
        self._device_labels = dict(choices.devices)
        for case_id, title in choices.cases:
            self.case_box.addItem(title or case_id, case_id)
        for device_id, _label in choices.devices:
            self.device_box.addItem(self._device_text(device_id), device_id)
        self.apply()

    def _device_text(self, device_id: str) -> str:
        label = self._device_labels.get(device_id, "")
        short = f"{device_id[:12]}…"
        return f"{label} · {short}" if label else short

    def current_filter(self) -> ReviewFilter:
        from db.api import REVIEW_TYPES, ReviewFilter

        violation = self.violation_box.currentData()
        kind = self.kind_box.currentData()
        return ReviewFilter(
            case_id=self.case_box.currentData() or "",
            date_from=self.from_field.text().strip(),
            date_to=self.to_field.text().strip(),
            place=self.place_field.text().strip(),
            violation_types=(violation,) if violation else (),
            device_id=self.device_box.currentData() or "",
            has_evidence=self.evidence_box.currentData(),
            text=self.text_field.text().strip(),
            record_types=(kind,) if kind else REVIEW_TYPES,
        )

    @Slot()
    def apply(self) -> None:
        """Read the first page of what the filters now say, and the timeline."""
        self._review = self.current_filter()
        self._cursors = [None]
        self._read_page()

    @Slot()
    def clear_filters(self) -> None:
        for field in (self.text_field, self.from_field, self.to_field, self.place_field):
            field.clear()
        for box in (self.case_box, self.violation_box, self.device_box, self.evidence_box, self.kind_box):
            box.setCurrentIndex(0)
        self.apply()

    def _read_page(self) -> None:
        review, cursor, candidates = self._review, self._cursors[-1], self._candidates
        if review is None:
            return
        self.status.setText(self.tr("Reading…"))
        self._start(lambda _context: read_page(self._vault, review, cursor, candidates), self._on_page)

    def _on_page(self, page: ReviewPage) -> None:
        self.status.clear()
        self._next = page.next_cursor
        self.table.clear()
        for record in page.records:
            self.table.addTopLevelItem(self._item(record))
        first = self.table.topLevelItem(0)
        if first is not None:
            self.table.setCurrentItem(first)
        if page.total_capped:
            count = self.tr("More than %n record(s) match.", "", page.total)
        elif page.total:
            count = self.tr("%n record(s) match.", "", page.total)
        else:
            count = self.tr("No record matches these filters.")
        self.count_label.setText(count)
        notes = []
        if page.ranking_bounded:
            notes.append(
                self.tr(
                    "Ranking was bounded: very many records match the words, and only the most "
                    "recently added of them were ranked. Add a word to narrow the search."
                )
            )
        if page.text_capped:
            notes.append(self.tr("Only the best matches of the words were filtered; the count counts those."))
        self.bounded_label.setText(" ".join(notes))
        self.bounded_label.setVisible(bool(notes))
        self._paging_buttons()
        self._selection_changed()
        self._read_timeline()

    def _item(self, record: object) -> QTreeWidgetItem:
        from db.api import ReviewRecord

        assert isinstance(record, ReviewRecord)
        texts = [""] * 7
        texts[self.TYPE_COLUMN] = self._type_name(record.entity_type)
        texts[self.TITLE_COLUMN] = record.label
        texts[self.CASE_COLUMN] = self._case_titles.get(record.case_id, record.case_id)
        texts[self.DATE_COLUMN] = record.date or "–"
        texts[self.PLACE_COLUMN] = record.place or "–"
        texts[self.DEVICE_COLUMN] = self._device_text(record.device_id) if record.device_id else "–"
        texts[self.EVIDENCE_COLUMN] = self.tr("yes") if record.has_evidence else self.tr("no")
        item = QTreeWidgetItem(texts)
        item.setData(0, ID_ROLE, record.entity_id)
        item.setData(0, TYPE_ROLE, record.entity_type)
        return item

    def _type_name(self, kind: str) -> str:
        return {
            "testimony": self.tr("Testimony"),
            "incident": self.tr("Incident"),
            "evidence": self.tr("Evidence item"),
        }.get(kind, kind)

    def _paging_buttons(self) -> None:
        self.previous_button.setEnabled(len(self._cursors) > 1)
        self.next_button.setEnabled(self._next is not None)
        self.page_label.setText(self.tr("Page %1").replace("%1", str(len(self._cursors))))

    @Slot()
    def next_page(self) -> None:
        if self._next is None:
            return
        self._cursors.append(self._next)
        self._read_page()

    @Slot()
    def previous_page(self) -> None:
        if len(self._cursors) > 1:
            self._cursors.pop()
            self._read_page()

    def row_texts(self) -> list[list[str]]:
        return [
            [item.text(c) for c in range(self.table.columnCount())]
            for item in (self.table.topLevelItem(n) for n in range(self.table.topLevelItemCount()))
            if item is not None
        ]

    def shown_ids(self) -> list[str]:
        return [
            str(item.data(0, ID_ROLE))
            for item in (self.table.topLevelItem(n) for n in range(self.table.topLevelItemCount()))
            if item is not None
        ]

    # -- the timeline -----------------------------------------------------------------------

    def _read_timeline(self) -> None:
        review, by = self._review, self.grouping_box.currentData()
        if review is None:
            return
        self._start(lambda _context: read_timeline(self._vault, review, by), self._on_timeline)

    def _on_timeline(self, timeline: Timeline) -> None:
        self.timeline.clear()
        for group in timeline.groups:
            when = group.key or self.tr("Date unknown")
            if group.precision == "year":
                when = self.tr("%1 (month unknown)").replace("%1", group.key)
            head = QTreeWidgetItem(
                [
                    when,
                    self.tr("%n incident(s)", "", group.incidents),
                    "",
                    str(group.testimonies),
                    str(group.evidence),
                ]
            )
            for incident in group.listed:
                child = QTreeWidgetItem(
                    [
                        incident.date or "–",
                        incident.title or incident.entity_id,
                        incident.place or "–",
                        str(incident.testimonies),
                        str(incident.evidence),
                    ]
                )
                child.setData(0, ID_ROLE, incident.entity_id)
                head.addChild(child)
            self.timeline.addTopLevelItem(head)
            head.setExpanded(True)
        if timeline.listed < timeline.total:
            self.timeline_label.setText(
                self.tr("The first %1 of %2 incidents are listed; every group is counted.")
                .replace("%1", str(timeline.listed))
                .replace("%2", str(timeline.total))
            )
        else:
            self.timeline_label.setText(self.tr("%n incident(s)", "", timeline.total))

    def timeline_texts(self) -> list[list[str]]:
        rows: list[list[str]] = []
        for n in range(self.timeline.topLevelItemCount()):
            head = self.timeline.topLevelItem(n)
            if head is None:
                continue
            rows.append([head.text(c) for c in range(5)])
            children = (head.child(k) for k in range(head.childCount()))
            rows += [[child.text(c) for c in range(5)] for child in children if child is not None]
        return rows

    # -- custody ------------------------------------------------------------------------------

    def _chosen_evidence(self) -> str | None:
        item = self.table.currentItem()
        if item is None or item.data(0, TYPE_ROLE) != "evidence":
            return None
        return str(item.data(0, ID_ROLE))

    def _selection_changed(self) -> None:
        self.custody_button.setEnabled(self._chosen_evidence() is not None)

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        if item.data(0, TYPE_ROLE) == "evidence":
            self.show_custody()

    @Slot()
    def show_custody(self) -> None:
        evidence_id = self._chosen_evidence()
        if evidence_id is None:
            return
        self.custody.clear()
        item = self.table.currentItem()
        self._custody_of = item.text(self.TITLE_COLUMN) if item is not None else ""
        self.custody_label.setText(self.tr("Reading…"))
        self.tabs.setCurrentIndex(2)
        self._start(lambda _context: read_custody(self._vault, evidence_id), self._on_custody)

    def _on_custody(self, history: CustodyHistory) -> None:
        from db.api import CustodyHistory

        assert isinstance(history, CustodyHistory)
        self.custody.clear()
        for event in history.events:
            details = ", ".join(
                f"{k}: {_short(v)}" for k, v in sorted(event.details.items()) if isinstance(v, str)
            )
            chain = self.tr("verifies") if event.chain_ok and event.event_ok else self.tr("⚠ does not verify")
            item = QTreeWidgetItem(
                [event.wall, self._device_text(event.device_id), event.action, details, chain]
            )
            if not (event.chain_ok and event.event_ok):
                for column in range(5):
                    item.setBackground(column, QBrush(BROKEN_COLOUR))
                    item.setForeground(column, QBrush(ROW_TEXT))
            self.custody.addTopLevelItem(item)
        broken = [chain for chain in history.chains if not chain.verifies]
        summary = self.tr("%n event(s) from %1 device(s).", "", len(history.events)).replace(
            "%1", str(len(history.chains))
        )
        if self._custody_of:
            summary = f"{self._custody_of}: {summary}"
        if broken:
            summary += " " + self.tr(
                "Warning: the custody chain of %1 does not verify: its events may have been changed."
            ).replace("%1", ", ".join(self._device_text(chain.device_id) for chain in broken))
        else:
            summary += " " + self.tr("Every chain verifies.")
        self.custody_label.setText(summary)

    def custody_texts(self) -> list[list[str]]:
        return [
            [item.text(c) for c in range(5)]
            for item in (self.custody.topLevelItem(n) for n in range(self.custody.topLevelItemCount()))
            if item is not None
        ]

    # -- closing --------------------------------------------------------------------------------

    def clear(self) -> None:
        """Forget what is shown (the dialog closes, the vault locks)."""
        for view in (self.table, self.timeline, self.custody):
            view.clear()
        for label in (self.count_label, self.bounded_label, self.timeline_label, self.status):
            label.clear()
        for field in (self.text_field, self.from_field, self.to_field, self.place_field):
            field.clear()
        self._case_titles, self._device_labels, self._custody_of = {}, {}, ""
        self._review = None

    def done(self, result: int) -> None:
        if self._handle is not None:
            self.tasks.forget(self._handle)  # its report would reach a dialog that is gone
            self._handle = None
        self._ticket += 1
        self.clear()
        super().done(result)


def _short(value: str) -> str:
    """A long hex id (a bundle, a device) cut to its first 12 characters."""
    return f"{value[:12]}…" if len(value) > 24 and all(c in "0123456789abcdef" for c in value) else value


def make_review_dialog(vault: Vault, parent: QWidget, tasks: TaskRunner) -> QDialog:
    return ReviewDialog(vault, parent, tasks=tasks)


def add_review_entry(menu: CoordinatorMenu) -> None:
    """Coordinator → Review…"""
    menu.add_entry(lambda: QCoreApplication.translate("ReviewDialog", "&Review…"), make_review_dialog)
