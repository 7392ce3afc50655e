"""The edit history of a testimony: every revision, and what each one changed.

The list shows each revision newest first: when (from its hybrid-logical-clock
time), what (created, edited, deleted), where (this device or another one's
short id). Selecting one shows that version's narrative with a word-level diff
against the version it was made from (its parent): insertions underlined on
green, deletions struck through on red (not colour alone). When two devices
edited at once, both versions are heads: they are marked as conflicting.

Nothing here writes: restoring an old version is copying from it into the editor.
"""

from __future__ import annotations

import difflib
import html
import re
from typing import Any

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from db.api import FieldvaultError, HistoryEntry, Vault
from desktop.messages import error_message
from desktop.testimony_editor import FIELDS

REVISION_ROLE = Qt.ItemDataRole.UserRole
# Words, runs of white space, and single punctuation marks: Cyrillic is \w too.
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
# difflib is quadratic at worst: past this many tokens, diff by lines instead.
MAX_WORD_TOKENS = 20_000
INSERT_STYLE = "background-color:#c9f2c9; color:#0b3d0b; text-decoration:underline;"
DELETE_STYLE = "background-color:#f8d0d0; color:#5c0000; text-decoration:line-through;"
# The editor's order, without the narrative (which the diff shows in full).
FIELD_ORDER = tuple(name for name in FIELDS if name != "narrative")

Segment = tuple[str, str]  # ("equal" | "insert" | "delete", text)


def tokens(text: str) -> list[str]:
    return _TOKENS.findall(text)


def word_diff(old: str, new: str) -> list[Segment]:
    """The changes from ``old`` to ``new`` by words (by lines for very long
    texts), as segments whose equal and inserted parts join to ``new`` and
    whose equal and deleted parts join to ``old``."""
    a, b = tokens(old), tokens(new)
    if len(a) + len(b) > MAX_WORD_TOKENS:
        a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    segments: list[Segment] = []

    def add(kind: str, text: str) -> None:
        if not text:
            return
        if segments and segments[-1][0] == kind:
            segments[-1] = (kind, segments[-1][1] + text)
        else:
            segments.append((kind, text))

    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            add("equal", "".join(b[j1:j2]))
        else:
            add("delete", "".join(a[i1:i2]))
            add("insert", "".join(b[j1:j2]))
    return segments


def diff_html(segments: list[Segment]) -> str:
    """The segments as HTML (escaped: the text is witness data, not markup)."""
    parts = []
    for kind, text in segments:
        escaped = html.escape(text)
        if kind == "insert":
            parts.append(f'<span style="{INSERT_STYLE}">{escaped}</span>')
        elif kind == "delete":
            parts.append(f'<span style="{DELETE_STYLE}">{escaped}</span>')
        else:
            parts.append(escaped)
    return '<div style="white-space:pre-wrap">' + "".join(parts) + "</div>"


def short_device(device_id: str) -> str:
    return device_id.replace("-", "")[:8]


class HistoryView(QWidget):
    """``load(vault, testimony_id)`` lists the revisions; ``clear()`` forgets them."""

    revision_shown = Signal(str)  # the revision id now shown

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._entries: list[HistoryEntry] = []
        self._device_id = ""
        self.current_diff: list[Segment] = []

        self.heading = QLabel(self.tr("Edit history"))
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)

        self.revision_list = QListWidget()
        self.revision_list.setAccessibleName(self.tr("Versions of the testimony, newest first"))
        self.revision_list.setWordWrap(True)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setAccessibleName(self.tr("What this version changed"))
        self.text_view = QTextBrowser()
        self.text_view.setAccessibleName(self.tr("Narrative of the selected version, with its changes"))
        self.text_view.setOpenLinks(False)
        self.text_view.setOpenExternalLinks(False)
        self.legend = QLabel(
            self.tr("Underlined on green: added in this version. Struck through on red: removed.")
        )
        self.legend.setWordWrap(True)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.summary)
        right_layout.addWidget(self.text_view, 1)
        right_layout.addWidget(self.legend)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.revision_list)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)

        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

        self.revision_list.currentItemChanged.connect(self._on_selected)

    # -- loading -------------------------------------------------------------------

    def load(self, vault: Vault, testimony_id: str) -> int:
        """List the testimony's revisions and show the newest; returns how many."""
        self.clear()
        try:
            entries = vault.testimonies.history(testimony_id)
            self._device_id = vault.device_id
        except FieldvaultError as err:
            self.summary.setText(error_message(err))
            return 0
        self._entries = entries
        heads = [e for e in entries if e.is_head]
        in_conflict = len(heads) > 1
        if in_conflict:
            self.heading.setText(
                self.tr("Edit history: two versions conflict (saved at the same time on two devices)")
            )
        for entry in reversed(entries):
            item = QListWidgetItem(self._describe(entry, in_conflict))
            item.setData(REVISION_ROLE, entry.revision_id)
            if entry.is_head and in_conflict:
                item.setToolTip(
                    self.tr(
                        "A conflicting version. Saving the testimony keeps what the editor "
                        "shows and resolves the conflict."
                    )
                )
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.revision_list.addItem(item)
        if entries:
            self.revision_list.setCurrentRow(0)
        return len(entries)

    def _describe(self, entry: HistoryEntry, in_conflict: bool) -> str:
        when = QDateTime.fromMSecsSinceEpoch(entry.hlc.ms).toString("yyyy-MM-dd HH:mm:ss")
        if entry.op == "delete":
            what = self.tr("deleted")
        elif not entry.parents:
            what = self.tr("created")
        elif len(entry.parents) > 1:
            what = self.tr("merged")
        else:
            what = self.tr("edited")
        if entry.device_id == self._device_id:
            where = self.tr("this device")
        else:
            where = self.tr("device {id}").format(id=short_device(entry.device_id))
        text = f"{when} · {what} · {where}"
        if entry.is_head:
            text += " · " + (self.tr("⚠ conflicting version") if in_conflict else self.tr("current"))
        return text

    # -- showing one version -----------------------------------------------------------

    def _previous(self, entry: HistoryEntry) -> HistoryEntry | None:
        """The version this one was made from: its latest parent."""
        by_id = {e.revision_id: e for e in self._entries}
        parents = [by_id[p] for p in entry.parents if p in by_id]
        if parents:
            return max(parents, key=lambda e: e.hlc)
        return None

    def _on_selected(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if current is None:
            return
        revision_id = str(current.data(REVISION_ROLE))
        entry = next((e for e in self._entries if e.revision_id == revision_id), None)
        if entry is None:
            return
        previous = self._previous(entry)
        if entry.op == "delete":
            reason = str(entry.body.get("reason") or "")
            self.summary.setText(
                self.tr("Deleted. Reason: {reason}").format(reason=reason) if reason else self.tr("Deleted.")
            )
            self.current_diff = []
            self.text_view.setPlainText("")
        elif previous is None or previous.op == "delete":
            self.summary.setText(self.tr("First version."))
            self.current_diff = [("equal", _text(entry.body, "narrative"))]
            self.text_view.setPlainText(_text(entry.body, "narrative"))
        else:
            changed = self._changed_fields(previous.body, entry.body)
            if changed:
                self.summary.setText(self.tr("Changed: {fields}").format(fields=", ".join(changed)))
            else:
                self.summary.setText(self.tr("No field changed in this version."))
            self.current_diff = word_diff(_text(previous.body, "narrative"), _text(entry.body, "narrative"))
            self.text_view.setHtml(diff_html(self.current_diff))
        self.revision_shown.emit(revision_id)

    def _changed_fields(self, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
        labels = {
            "title": self.tr("title"),
            "witness_id": self.tr("witness"),
            "incident_id": self.tr("incident"),
            "interviewer": self.tr("interviewer"),
            "interview_date": self.tr("date"),
            "interview_place": self.tr("place"),
            "language": self.tr("language"),
            "interpreter": self.tr("interpreter"),
            "consent_scope": self.tr("consent"),
            "violation_types": self.tr("violation types"),
            "notes": self.tr("notes"),
            "narrative": self.tr("narrative"),
        }
        names = [n for n in (*FIELD_ORDER, "narrative") if old.get(n) != new.get(n)]
        return [labels[n] for n in names]

    # -- locking -------------------------------------------------------------------

    def clear(self) -> None:
        """Forget every version and empty every widget."""
        self.revision_list.blockSignals(True)
        self.revision_list.clear()
        self.revision_list.blockSignals(False)
        self.text_view.clear()
        self.summary.clear()
        self.heading.setText(self.tr("Edit history"))
        self._entries = []
        self._device_id = ""
        self.current_diff = []


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name, "")
    return value if isinstance(value, str) else ""
