"""Coordinator → Conflicts…: records that two devices changed without seeing
each other's change, shown side by side, and resolved by the coordinator
(issue 14, docs/merge.md "Conflicts").

The list names each record in conflict by a safe label (a testimony's title,
a person's pseudonym: never a name or a narrative), how many versions (heads)
it has and which devices wrote them. Choosing one shows its versions side by
side, field by field: the fields that differ are highlighted (a colour AND a
"≠" mark), long texts as a word diff (``desktop.history_view.word_diff``)
marked in colour AND in the text itself, git's ``[-only left-]`` and
``{+only right+}``, so the difference survives without colour and reaches a
screen reader. For each differing field the coordinator takes one version's
value or types an edit; "Save resolution" then writes ONE revision, signed by
this device, whose parents are all heads: the core's ordinary save path does
exactly that for a record in conflict (``EntityService.update``). The merge
revision syncs like any other.

Reading runs on the search lane, the save on the save lane of the window's
TaskRunner (desktop/tasks.py); the GUI thread only shows. The work itself is
plain Python (``list_conflicts``, ``read_versions``, ``save_resolution``), the
same for every record type the core edits through an ``EntityService``:
cases, incidents, persons, testimonies and links.
"""

from __future__ import annotations

import dataclasses
import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QDateTime, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.messages import error_message
from desktop.tasks import Lane, TaskContext, TaskReport, TaskRunner

if TYPE_CHECKING:
    from db.api import EntityService, Record, Vault
    from desktop.coordinator_menu import CoordinatorMenu

# Record types resolved here: those the core edits through an EntityService
# (vault attribute of each). Evidence and consent records have services of
# their own; their conflicts are listed, not resolved here yet.
SERVICES = {
    "case": "cases",
    "incident": "incidents",
    "person": "persons",
    "testimony": "testimonies",
    "link": "links",
}
# Free text shown as a word diff rather than side by side values.
LONG_TEXT = frozenset({"narrative", "description", "notes", "conditions"})
# Shown only when the coordinator asks (as the person form does).
SENSITIVE = frozenset({"sensitive"})
BOOKKEEPING = frozenset({"id", "revision", "conflicted", "created_ms", "updated_ms"})

# Colour AND a mark: never colour alone (the marks are git's --word-diff=plain).
ONLY_LEFT_STYLE = "background-color:#f8d0d0; color:#5c0000; text-decoration:line-through;"
ONLY_RIGHT_STYLE = "background-color:#c9f2c9; color:#0b3d0b; text-decoration:underline;"
DIFFERS_STYLE = "background-color:#fff4ce;"
DIFFERS_MARK = "≠ "
ENTITY_ROLE = Qt.ItemDataRole.UserRole

Segment = tuple[str, str]  # as desktop.history_view's: ("equal" | "insert" | "delete", text)


# -- the work (plain Python, run on the runner's lanes) --------------------------------------


@dataclass(frozen=True)
class ConflictSummary:
    """One row of the list: nothing a witness said."""

    entity_id: str
    entity_type: str
    label: str
    heads: int
    devices: tuple[str, ...]  # device ids of the heads' authors, in head order


@dataclass(frozen=True)
class HeadVersion:
    revision_id: str
    device_id: str
    hlc_ms: int
    deleted: bool
    body: dict[str, Any]


@dataclass(frozen=True)
class ConflictVersions:
    """A record's heads, oldest first, and its fields in the record's order."""

    entity_id: str
    entity_type: str
    label: str
    heads: tuple[HeadVersion, ...]
    fields: tuple[str, ...]

    @property
    def live(self) -> tuple[HeadVersion, ...]:
        """The heads that keep the record (a deletion racing an edit is a head too)."""
        return tuple(h for h in self.heads if not h.deleted)

    def differing(self) -> tuple[str, ...]:
        """Fields whose values are not the same in every live head."""
        live = self.live
        return tuple(name for name in self.fields if len({_key(h.body.get(name)) for h in live}) > 1)

    def common_body(self) -> dict[str, Any]:
        """The first live head's body: what the fields that do not differ keep."""
        return dict(self.live[0].body) if self.live else {}


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def record_class(entity_type: str) -> type[Record] | None:
    from db.api import Case, Incident, Link, Person, Testimony

    classes: dict[str, type[Record]] = {
        "case": Case,
        "incident": Incident,
        "person": Person,
        "testimony": Testimony,
        "link": Link,
    }
    return classes.get(entity_type)


def service_of(vault: Vault, entity_type: str) -> EntityService[Any] | None:
    name = SERVICES.get(entity_type)
    return getattr(vault, name) if name else None


def _label(vault: Vault, entity_type: str, entity_id: str) -> str:
    """The record's safe display name (Record.label: never a person's name)."""
    from db.api import NotFound

    service = service_of(vault, entity_type)
    if service is not None:
        try:
            return str(service.get(entity_id).label())
        except NotFound:  # every head a deletion
            pass
    return f"{entity_type} {entity_id[:8]}"


def list_conflicts(vault: Vault) -> list[ConflictSummary]:
    """Every record in conflict, with the devices that wrote its heads."""
    rows = []
    for conflict in vault.revisions.conflicts():
        service = service_of(vault, conflict.entity_type)
        devices: tuple[str, ...] = ()
        if service is not None:
            devices = tuple(h.device_id for h in service.history(conflict.entity_id) if h.is_head)
        rows.append(
            ConflictSummary(
                conflict.entity_id,
                conflict.entity_type,
                _label(vault, conflict.entity_type, conflict.entity_id),
                len(conflict.head_revision_ids),
                devices,
            )
        )
    rows.sort(key=lambda row: (row.entity_type, row.label.casefold(), row.entity_id))
    return rows


def read_versions(vault: Vault, entity_type: str, entity_id: str) -> ConflictVersions | None:
    """The heads of one record (None for a type not resolved here)."""
    service = service_of(vault, entity_type)
    cls = record_class(entity_type)
    if service is None or cls is None:
        return None
    heads = tuple(
        HeadVersion(h.revision_id, h.device_id, h.hlc.ms, h.op == "delete", dict(h.body))
        for h in service.history(entity_id)
        if h.is_head
    )
    ordered = [f.name for f in dataclasses.fields(cls) if f.name not in BOOKKEEPING]
    extra = sorted({k for h in heads if not h.deleted for k in h.body} - set(ordered) - BOOKKEEPING)
    # What a newer version of the app wrote and this one does not know is
    # shown, but from_body drops it: it cannot be chosen here.
    return ConflictVersions(
        entity_id, entity_type, _label(vault, entity_type, entity_id), heads, tuple(ordered + extra)
    )


def _heads_now(vault: Vault, versions: ConflictVersions) -> set[str]:
    service = service_of(vault, versions.entity_type)
    assert service is not None
    return {h.revision_id for h in service.history(versions.entity_id) if h.is_head}


def save_resolution(vault: Vault, versions: ConflictVersions, body: dict[str, Any]) -> str:
    """Write the chosen ``body`` as one revision whose parents are all heads.
    "stale" (nothing written) if the heads changed since ``versions`` was
    read: a bundle imported meanwhile brought another version, which the
    coordinator has not seen; "saved" otherwise."""
    service = service_of(vault, versions.entity_type)
    cls = record_class(versions.entity_type)
    assert service is not None and cls is not None
    if _heads_now(vault, versions) != {h.revision_id for h in versions.heads}:
        return "stale"
    service.update(cls.from_body(body, id=versions.entity_id))
    return "saved"


def delete_resolution(vault: Vault, versions: ConflictVersions) -> str:
    """Resolve a deletion that raced an edit by deleting: a tombstone whose
    parents are all heads. "stale" as for ``save_resolution``."""
    service = service_of(vault, versions.entity_type)
    assert service is not None
    if _heads_now(vault, versions) != {h.revision_id for h in versions.heads}:
        return "stale"
    service.delete(versions.entity_id)
    return "saved"


# -- showing ---------------------------------------------------------------------------------


def shown_value(value: Any) -> str:
    """A field's value as plain text for a side-by-side cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "\n".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def marked_html(segments: list[Segment], show: tuple[str, ...]) -> str:
    """Segments of ``show`` kinds ("equal", "delete", "insert") as HTML,
    escaped (witness data, not markup): deletions struck on red and in
    ``[- -]``, insertions underlined on green and in ``{+ +}``."""
    parts = []
    for kind, text in segments:
        if kind not in show:
            continue
        escaped = html.escape(text)
        if kind == "delete":
            parts.append(f'<span style="{ONLY_LEFT_STYLE}">[-{escaped}-]</span>')
        elif kind == "insert":
            parts.append(f'<span style="{ONLY_RIGHT_STYLE}">{{+{escaped}+}}</span>')
        else:
            parts.append(escaped)
    return '<div style="white-space:pre-wrap">' + "".join(parts) + "</div>"


def side_texts(versions: ConflictVersions, name: str) -> list[tuple[str, str]]:
    """For a long text field: (plain text, marked HTML) of each head, in
    head order. Two versions: the left marks what only it has, the right
    what only it has. More: each is compared with the first."""
    # Loaded here: history_view brings the testimony form, not needed before unlock.
    from desktop.history_view import word_diff

    texts = [shown_value(h.body.get(name)) if not h.deleted else "" for h in versions.heads]
    if len(texts) < 2:
        return [(t, marked_html([("equal", t)], ("equal",))) for t in texts]
    result: list[tuple[str, str]] = []
    for index, text in enumerate(texts):
        if index == 0 and len(texts) == 2:
            segments = word_diff(texts[0], texts[1])
            result.append((text, marked_html(segments, ("equal", "delete"))))
        elif index == 0:
            result.append((text, marked_html([("equal", text)], ("equal",))))
        else:
            segments = word_diff(texts[0], text)
            kinds = ("equal", "insert") if len(texts) == 2 else ("equal", "delete", "insert")
            result.append((text, marked_html(segments, kinds)))
    return result


@dataclass
class FieldChoice:
    """One differing field's buttons: a version's value each, or an edit."""

    name: str
    group: QButtonGroup
    heads: list[QRadioButton]  # one per head (None-free: a deleted head has a disabled one)
    edit: QRadioButton | None
    editor: QLineEdit | QPlainTextEdit | None


class ConflictsDialog(QDialog):
    """The list of conflicts and, for the chosen one, its versions side by side."""

    resolved = Signal(str)  # entity id: a merge revision was written

    def __init__(self, vault: Vault, parent: QWidget | None, tasks: TaskRunner) -> None:
        super().__init__(parent)
        self._vault = vault
        self.tasks = tasks
        self._device_id = vault.device_id
        self._device_labels: dict[str, str] = {}
        self.versions: ConflictVersions | None = None
        self.choices: dict[str, FieldChoice] = {}
        self.busy = False
        self.loading = False
        self._ticket = 0
        # Why the last save wrote nothing: shown until the next choice.
        self.notice = ""
        self.setWindowTitle(self.tr("Conflicts"))
        self.resize(1100, 760)

        self.intro = QLabel(
            self.tr(
                "Records that two devices changed without seeing each other's change. Both "
                "versions are kept and signed. Choose one, compare its versions field by field, "
                "pick a value for each highlighted field, and save: that writes one new version, "
                "signed by this device, which replaces them all and syncs like any change."
            )
        )
        self.intro.setWordWrap(True)

        self.conflict_list = QTreeWidget()
        self.conflict_list.setRootIsDecorated(False)
        self.conflict_list.setHeaderLabels(
            [self.tr("Type"), self.tr("Record"), self.tr("Versions"), self.tr("Written on")]
        )
        self.conflict_list.setAccessibleName(self.tr("Records in conflict"))
        self.conflict_list.currentItemChanged.connect(self._on_chosen)

        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.show_sensitive = QCheckBox(self.tr("Show sensitive details"))
        self.show_sensitive.toggled.connect(self._rebuild)
        self.legend = QLabel(
            self.tr(
                "≠ on a yellow background: the versions differ. In long texts, words only in the "
                "left version are struck through on red and marked [-like this-]; words only in "
                "the right version are underlined on green and marked {+like this+}."
            )
        )
        self.legend.setWordWrap(True)

        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.versions_area = QScrollArea()
        self.versions_area.setWidgetResizable(True)
        self.versions_area.setWidget(self.grid_host)

        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.show_sensitive)
        detail_layout.addLayout(top)
        detail_layout.addWidget(self.versions_area, 1)
        detail_layout.addWidget(self.legend)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.conflict_list)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 4)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([120, 600])

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.save_button = QPushButton(self.tr("Save resolution"))
        self.save_button.clicked.connect(self.save)
        self.delete_button = QPushButton(self.tr("Keep it deleted"))
        self.delete_button.setToolTip(
            self.tr("One device deleted this record while another changed it: delete it for good.")
        )
        self.delete_button.clicked.connect(self.keep_deleted)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.delete_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self._show_versions(None)
        self.reload()

    # -- the list ----------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the conflicts again (after a save, or a bundle imported meanwhile)."""
        self.loading = True
        vault = self._vault

        def task(_ctx: TaskContext) -> tuple[list[ConflictSummary], dict[str, str]]:
            rows = list_conflicts(vault)
            labels = {}
            for device_id in {d for row in rows for d in row.devices}:
                device = vault.sync.device(device_id)
                if device is not None and device.label:
                    labels[device_id] = device.label
            return rows, labels

        self.tasks.start(Lane.SEARCH, task, self._on_list, owner=self)

    def _on_list(self, report: TaskReport) -> None:
        if not report.finished:
            return
        self.loading = False
        if report.state != "succeeded":
            if report.failure is not None:
                self.status.setText(error_message(report.failure.error, report.failure.error_type))
            return
        rows: list[ConflictSummary]
        labels: dict[str, str]
        rows, labels = report.value  # type: ignore[misc]  # the task's (rows, labels)
        self._device_labels = labels
        self.conflict_list.blockSignals(True)
        self.conflict_list.clear()
        for row in rows:
            item = QTreeWidgetItem(
                [
                    self.type_name(row.entity_type),
                    row.label,
                    str(row.heads),
                    ", ".join(self.device_name(d) for d in row.devices),
                ]
            )
            item.setData(0, ENTITY_ROLE, (row.entity_type, row.entity_id))
            self.conflict_list.addTopLevelItem(item)
        for column in range(4):
            self.conflict_list.resizeColumnToContents(column)
        self.conflict_list.blockSignals(False)
        first = self.conflict_list.topLevelItem(0)
        if first is not None:
            self.conflict_list.setCurrentItem(first)
        else:
            self._show_versions(None)
            self.heading.setText(self.tr("No record is in conflict."))

    def type_name(self, entity_type: str) -> str:
        names = {
            "case": self.tr("case"),
            "incident": self.tr("incident"),
            "person": self.tr("person"),
            "testimony": self.tr("testimony"),
            "link": self.tr("link"),
            "evidence": self.tr("evidence"),
            "consent": self.tr("consent"),
        }
        return names.get(entity_type, entity_type)

    def device_name(self, device_id: str) -> str:
        if device_id == self._device_id:
            return self.tr("this device")
        label = self._device_labels.get(device_id)
        short = device_id.replace("-", "")[:8]
        return f"{label} ({short})" if label else self.tr("device {id}").format(id=short)

    def _on_chosen(self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        if current is None:
            return
        entity_type, entity_id = current.data(0, ENTITY_ROLE)
        self._ticket += 1
        ticket = self._ticket
        self.loading = True
        vault = self._vault
        self.tasks.start(
            Lane.SEARCH,
            lambda _ctx: read_versions(vault, entity_type, entity_id),
            lambda report: self._on_versions(report, ticket, entity_type),
            owner=self,
        )

    def _on_versions(self, report: TaskReport, ticket: int, entity_type: str) -> None:
        if not report.finished or ticket != self._ticket:
            return  # another record was chosen meanwhile
        self.loading = False
        if report.state != "succeeded":
            if report.failure is not None:
                self.status.setText(error_message(report.failure.error, report.failure.error_type))
            return
        versions = report.value
        assert versions is None or isinstance(versions, ConflictVersions)
        self._show_versions(versions)
        if versions is None:
            self.heading.setText(
                self.tr("Conflicts of this kind of record ({kind}) are not resolved here yet.").format(
                    kind=self.type_name(entity_type)
                )
            )

    # -- the versions side by side -----------------------------------------------------------

    def _clear_grid(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.choices = {}

    def _show_versions(self, versions: ConflictVersions | None) -> None:
        self.versions = versions
        self._rebuild()

    def _rebuild(self) -> None:
        """Lay the versions out again (also when sensitive details are shown or hidden)."""
        kept = self._typed_edits()
        self._clear_grid()
        versions = self.versions
        if versions is None:
            self.heading.setText("")
            self.show_sensitive.hide()
            self._update_buttons()
            return
        self.heading.setText(
            self.tr("{kind} “{label}”: {count} versions").format(
                kind=self.type_name(versions.entity_type), label=versions.label, count=len(versions.heads)
            )
        )
        self.show_sensitive.setVisible(any(name in SENSITIVE for name in versions.fields))
        differing = set(versions.differing())
        self.grid.addWidget(self._header(self.tr("Field")), 0, 0)
        for column, head in enumerate(versions.heads, start=1):
            self.grid.addWidget(self._header(self._head_title(column, head)), 0, column)
        edit_column = len(versions.heads) + 1
        self.grid.addWidget(self._header(self.tr("Your edit")), 0, edit_column)
        long_texts = {name: side_texts(versions, name) for name in versions.fields if name in LONG_TEXT}
        # Fields empty in every version are left out: nothing to compare.
        shown = [n for n in versions.fields if n in differing or any(h.body.get(n) for h in versions.heads)]
        for row, name in enumerate(shown, start=1):
            self._add_row(row, name, versions, name in differing, long_texts.get(name), kept.get(name))
        self.grid.setColumnStretch(0, 0)
        for column in range(1, edit_column + 1):
            self.grid.setColumnStretch(column, 1)
        self._update_buttons()

    def _header(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        return label

    def _head_title(self, column: int, head: HeadVersion) -> str:
        when = QDateTime.fromMSecsSinceEpoch(head.hlc_ms).toString("yyyy-MM-dd HH:mm")
        title = self.tr("Version {n}: {device}, {when}").format(
            n=column, device=self.device_name(head.device_id), when=when
        )
        if head.deleted:
            title += "\n" + self.tr("(deleted on that device)")
        return title

    def field_name(self, name: str) -> str:
        labels = {
            "title": self.tr("Title"),
            "case_id": self.tr("Case"),
            "incident_id": self.tr("Incident"),
            "witness_id": self.tr("Witness"),
            "interviewer": self.tr("Interviewer"),
            "language": self.tr("Language"),
            "interpreter": self.tr("Interpreter"),
            "consent_scope": self.tr("Consent"),
            "interview_date": self.tr("Interview date"),
            "interview_place": self.tr("Interview place"),
            "violation_types": self.tr("Violation types"),
            "narrative": self.tr("Narrative"),
            "notes": self.tr("Notes"),
            "description": self.tr("Description"),
            "date": self.tr("Date"),
            "date_precision": self.tr("Date precision"),
            "place": self.tr("Place"),
            "place_precision": self.tr("Place precision"),
            "latitude": self.tr("Latitude"),
            "longitude": self.tr("Longitude"),
            "name": self.tr("Name"),
            "pseudonym": self.tr("Pseudonym"),
            "roles": self.tr("Roles"),
            "sensitive": self.tr("Sensitive details"),
            "from_id": self.tr("From"),
            "to_id": self.tr("To"),
            "relation": self.tr("Relation"),
        }
        return labels.get(name, name)

    def _add_row(
        self,
        row: int,
        name: str,
        versions: ConflictVersions,
        differs: bool,
        long_text: list[tuple[str, str]] | None,
        typed: str | None,
    ) -> None:
        label = QLabel((DIFFERS_MARK if differs else "") + self.field_name(name))
        label.setTextFormat(Qt.TextFormat.PlainText)
        if differs:
            font = label.font()
            font.setBold(True)
            label.setFont(font)
            label.setAccessibleDescription(self.tr("The versions differ"))
        self.grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
        hidden = name in SENSITIVE and not self.show_sensitive.isChecked()
        group = QButtonGroup(self)
        group.setExclusive(True)
        head_buttons: list[QRadioButton] = []
        for column, head in enumerate(versions.heads, start=1):
            cell = QWidget()
            cell_layout = QVBoxLayout(cell)
            cell_layout.setContentsMargins(4, 4, 4, 4)
            if differs:
                cell.setObjectName("differs")
                cell.setStyleSheet(f"QWidget#differs {{ {DIFFERS_STYLE} }}")
                button = QRadioButton(self.tr("Keep this"))
                button.setAccessibleName(
                    self.tr("Keep version {n} of {field}").format(n=column, field=self.field_name(name))
                )
                button.setEnabled(not head.deleted)
                group.addButton(button, column - 1)
                head_buttons.append(button)
                cell_layout.addWidget(button)
            cell_layout.addWidget(self._value_view(name, head, column, long_text, hidden))
            self.grid.addWidget(cell, row, column)
        edit_button: QRadioButton | None = None
        editor: QLineEdit | QPlainTextEdit | None = None
        first = versions.common_body().get(name)
        if differs and isinstance(first, str) and name not in SENSITIVE:
            cell = QWidget()
            cell_layout = QVBoxLayout(cell)
            cell_layout.setContentsMargins(4, 4, 4, 4)
            edit_button = QRadioButton(self.tr("Edit"))
            edit_button.setAccessibleName(self.tr("Edit {field}").format(field=self.field_name(name)))
            group.addButton(edit_button, len(versions.heads))
            if name in LONG_TEXT:
                editor = QPlainTextEdit()
                editor.setPlainText(first if typed is None else typed)
                editor.setMinimumHeight(120)
                editor.textChanged.connect(lambda button=edit_button: button.setChecked(True))
            else:
                editor = QLineEdit(first if typed is None else typed)
                editor.textEdited.connect(lambda _text, button=edit_button: button.setChecked(True))
            editor.setAccessibleName(self.tr("Your edit of {field}").format(field=self.field_name(name)))
            cell_layout.addWidget(edit_button)
            cell_layout.addWidget(editor)
            self.grid.addWidget(cell, row, len(versions.heads) + 1)
        if differs:
            group.buttonToggled.connect(self._on_choice)
            self.choices[name] = FieldChoice(name, group, head_buttons, edit_button, editor)

    def _value_view(
        self, name: str, head: HeadVersion, column: int, long_text: list[tuple[str, str]] | None, hidden: bool
    ) -> QWidget:
        if head.deleted:
            view = QLabel(self.tr("(deleted)"))
            view.setEnabled(False)
            return view
        value = head.body.get(name)
        if hidden:
            count = len(value) if isinstance(value, dict) else 0
            view = QLabel(self.tr("Hidden ({count} details)").format(count=count))
            view.setEnabled(False)
            return view
        if long_text is not None:
            browser = QTextBrowser()
            browser.setOpenLinks(False)
            browser.setOpenExternalLinks(False)
            browser.setHtml(long_text[column - 1][1])
            browser.setMinimumHeight(140)
            browser.setObjectName(f"{name}-{column}")
            browser.setAccessibleName(
                self.tr("{field} in version {n}, with the differences marked").format(
                    field=self.field_name(name), n=column
                )
            )
            return browser
        view = QLabel(shown_value(value))
        view.setTextFormat(Qt.TextFormat.PlainText)
        view.setWordWrap(True)
        view.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return view

    def _typed_edits(self) -> dict[str, str]:
        """The edits typed so far, kept across a re-layout (sensitive details shown)."""
        typed = {}
        for name, choice in self.choices.items():
            if isinstance(choice.editor, QPlainTextEdit):
                typed[name] = choice.editor.toPlainText()
            elif isinstance(choice.editor, QLineEdit):
                typed[name] = choice.editor.text()
        return typed

    def _on_choice(self, _button: QAbstractButton, _checked: bool) -> None:
        self.notice = ""
        self._update_buttons()

    def undecided(self) -> list[str]:
        """Differing fields with no choice yet."""
        return [name for name, choice in self.choices.items() if choice.group.checkedId() < 0]

    def _update_buttons(self) -> None:
        versions = self.versions
        ready = versions is not None and bool(versions.live) and not self.busy
        self.save_button.setEnabled(ready and not self.undecided())
        self.delete_button.setVisible(versions is not None and any(h.deleted for h in versions.heads))
        self.delete_button.setEnabled(not self.busy)
        if ready and self.undecided():
            ask = self.tr("Choose a version or an edit for each field marked ≠ ({count} left).").format(
                count=len(self.undecided())
            )
            self.status.setText(f"{self.notice} {ask}" if self.notice else ask)

    # -- the resolution ----------------------------------------------------------------------

    def chosen_body(self) -> dict[str, Any]:
        """The fields that do not differ as they are, the others as chosen."""
        versions = self.versions
        assert versions is not None
        body = versions.common_body()
        for name, choice in self.choices.items():
            chosen = choice.group.checkedId()
            if chosen < 0:
                raise ValueError(f"no choice for field {name}")
            if chosen < len(versions.heads):
                body[name] = versions.heads[chosen].body.get(name)
            elif isinstance(choice.editor, QPlainTextEdit):
                body[name] = choice.editor.toPlainText()
            elif isinstance(choice.editor, QLineEdit):
                body[name] = choice.editor.text()
        return body

    def save(self) -> None:
        versions = self.versions
        if versions is None or self.busy or self.undecided():
            return
        body = self.chosen_body()
        vault = self._vault
        self._start_write(lambda _ctx: save_resolution(vault, versions, body), versions)

    def keep_deleted(self) -> None:
        versions = self.versions
        if versions is None or self.busy:
            return
        vault = self._vault
        self._start_write(lambda _ctx: delete_resolution(vault, versions), versions)

    def _start_write(self, task: Callable[[TaskContext], object], versions: ConflictVersions) -> None:
        self.busy = True
        self._update_buttons()
        self.status.setText(self.tr("Saving…"))
        self.tasks.start(
            Lane.SAVE, task, lambda report: self._on_saved(report, versions.entity_id), owner=self
        )

    def _on_saved(self, report: TaskReport, entity_id: str) -> None:
        if not report.finished:
            return
        self.busy = False
        if report.state == "succeeded" and report.value == "saved":
            self.notice = ""
            self.status.setText(
                self.tr("Resolved: one new version, signed by this device, replaces the conflicting ones.")
            )
            self.resolved.emit(entity_id)
            self._show_versions(None)
            self.reload()
        elif report.state == "succeeded":
            self.notice = self.tr(
                "Not saved: another version of this record arrived meanwhile. Its versions "
                "are shown again; choose again."
            )
            self.status.setText(self.notice)
            self.reload()
        else:
            failure = report.failure
            self.status.setText(
                error_message(failure.error, failure.error_type) if failure is not None else ""
            )
            self._update_buttons()


def conflicts_title() -> str:
    return QCoreApplication.translate("ConflictsDialog", "Conflicts…")


def add_conflicts_entry(menu: CoordinatorMenu) -> QAction:
    """Coordinator → Conflicts…; a resolution tells the window to reload."""

    def make(vault: Vault, parent: QWidget, tasks: TaskRunner) -> QDialog:
        dialog = ConflictsDialog(vault, parent, tasks)
        dialog.resolved.connect(lambda _entity_id: menu.changed.emit())
        return dialog

    return menu.add_entry(conflicts_title, make)
