"""Helpers the GUI tests share: typing and clicking as a user does, reading
every text a window holds, screenshots, and the Qt translation tools.

A module, not a test file: tests import from here, never from each other.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import re
import shutil
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest
from PySide6.QtCore import (
    QAbstractItemModel,
    QLocale,
    QMimeData,
    QModelIndex,
    QPointF,
    Qt,
    QTimer,
    QUrl,
    SignalInstance,
)
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QTableWidget,
    QTextEdit,
    QTreeWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from db.api import Vault
from db.keyring_store import NoKeyring
from desktop.i18n import install_translators, remove_translators
from desktop.tasks import Lane, TaskRunner
from desktop.window import FieldvaultWindow
from tests import thread_stalls
from tests.screenshots import SCREENSHOTS
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

REPO = Path(__file__).resolve().parents[1]
TS_FILE = REPO / "resources" / "translations" / "fieldvault_uk.ts"
PENDING_DIR = REPO / "resources" / "translations" / "pending"
UNLOCK_WAIT_MS = 15_000
# How long a test waits for a form's save: the vault answers in milliseconds
# unless another writer holds it.
SAVE_WAIT_MS = 15_000
# What an open vault's folder may hold: the GUI writes nothing else there.
VAULT_FOLDER_NAMES = {"blobs", "vault.db", "vault.db-shm", "vault.db-wal", "vault.keys", "vault.lock"}

# -- acting as a user ------------------------------------------------------------


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Like qtbot.keyClicks, which only handles Latin-1: one key event per character,
    carrying its text, as a Cyrillic keyboard layout sends them."""
    for char in text:
        if char == "\n":
            qtbot.keyClick(widget, Qt.Key.Key_Return)
            continue
        QTest.sendKeyEvent(
            QTest.KeyAction.Press, widget, Qt.Key.Key_unknown, char, Qt.KeyboardModifier.NoModifier
        )
        QTest.sendKeyEvent(
            QTest.KeyAction.Release, widget, Qt.Key.Key_unknown, char, Qt.KeyboardModifier.NoModifier
        )


class WritingForm(Protocol):
    """A record form (desktop/record_editor.py): it saves, deletes and writes
    drafts on its runner's save lane."""

    tasks: TaskRunner

    @property
    def is_writing(self) -> bool: ...

    def save(self) -> object: ...

    @property
    def save_finished(self) -> SignalInstance: ...


def finish_writing(qtbot: QtBot, form: WritingForm) -> None:
    """Wait for the vault's answers to the form's writes in flight (a save,
    a deletion, drafts: the forms write off the GUI thread); at once when
    none is."""
    qtbot.waitUntil(lambda: not form.is_writing and not form.tasks.running(Lane.SAVE), timeout=SAVE_WAIT_MS)


def save_form(qtbot: QtBot, form: WritingForm, act: Callable[[], object] | None = None) -> Any:
    """Save as the user does (``act``: a click or Ctrl+S; else ``form.save()``)
    and wait for the vault's answer: the record stored, or None (refused by
    the form or the vault, the reasons shown)."""
    answers: list[object] = []
    form.save_finished.connect(answers.append)
    try:
        (act or form.save)()
        finish_writing(qtbot, form)
    finally:
        form.save_finished.disconnect(answers.append)
    return answers[-1] if answers else None


def click_row(qtbot: QtBot, view: QAbstractItemView, row: int) -> None:
    """Click a list's row (scrolled into sight first, as a user would)."""
    index = view.model().index(row, 0)
    assert index.isValid(), f"row {row} is not loaded"
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())


def drop_files(panel: QWidget, paths: list[Path]) -> None:
    """What a file manager does: drag enter, then drop, with file URLs."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    center = panel.rect().center()
    enter = QDragEnterEvent(
        center, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(panel, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(center),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(panel, drop)
    assert drop.isAccepted()
    assert drop.dropAction() == Qt.DropAction.CopyAction  # copied in, never moved


def qt_app() -> QApplication:
    """The running QApplication (pytest-qt made it), typed as one."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app


def show(qtbot: QtBot, window: QWidget) -> None:
    window.show()
    window.activateWindow()  # focus and the Ctrl+L shortcut need an active window
    qtbot.waitUntil(window.isActiveWindow)


def unlocked_window(qtbot: QtBot, folder: Path) -> FieldvaultWindow:
    """The window on an existing (locked) vault, unlocked by typing the passphrase."""
    window = FieldvaultWindow(folder, keyring=NoKeyring(), argon2=FAST_ARGON2)
    qtbot.addWidget(window)
    show(qtbot, window)
    qtbot.keyClicks(window.unlock_page.passphrase, PASSPHRASE)
    qtbot.keyClick(window.unlock_page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.vault_view is not None, timeout=UNLOCK_WAIT_MS)
    return window


# -- another writer holding the vault ------------------------------------------------
# The sync worker holds write transactions (its own thread, the vault's write
# lock and SQLite's BEGIN IMMEDIATE); another process may too. GUI writes must
# wait for it on the save lane, never in the GUI thread.

TICK_MS = 20
# Far above the GUI thread's own work for one event, far below the writer's
# hold (Ticks leaves out the time the OS ran other processes).
MAX_GAP_S = 0.5
HOLD_S = 2.0


@contextlib.contextmanager
def another_writer(vault: Vault, hold_s: float = HOLD_S * 5) -> Iterator[threading.Event]:
    """What a sync worker does: the write lock and BEGIN IMMEDIATE on its own
    connection, held until the event yielded is set (or ``hold_s`` passed)."""
    holding = threading.Event()
    release = threading.Event()

    def writer() -> None:
        with vault.services.context.write_transaction("a long sync") as session:
            session.connection()  # BEGIN IMMEDIATE now
            holding.set()
            release.wait(hold_s)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(SAVE_WAIT_MS / 1000)
        yield release
    finally:
        release.set()
        thread.join()


def release_later(release: threading.Event, after_ms: int = int(HOLD_S * 1000)) -> list[bool]:
    """Let the writer go after ``after_ms``, from the GUI thread (so only if
    its event loop turns meanwhile); the list says it happened."""
    released: list[bool] = []

    def let_go() -> None:
        released.append(True)
        release.set()

    QTimer.singleShot(after_ms, let_go)
    return released


class Ticks:
    """A 20 ms timer in the GUI thread: a gap between its ticks in which the
    GUI thread worked or waited (for a lock, the GIL, a transaction) is a
    freeze; the time the OS ran other processes meanwhile is not, since a
    loaded machine stretches gaps to seconds (tests/thread_stalls.py). From
    its making to the assert: a loop that never turned is one long gap."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.moments = [thread_stalls.snapshot()]
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(lambda: self.moments.append(thread_stalls.snapshot()))
        self.timer.start()

    def count_while(self, busy: Callable[[], bool]) -> list[float]:
        """The ticks that come while ``busy()`` holds. Work done on the GUI
        thread lets none through however fast the machine, where a bound on
        the stall may not catch it (a short enough search, a fast enough CPU)."""
        seen: list[float] = []

        def tick() -> None:
            if busy():
                seen.append(time.monotonic())

        self.timer.timeout.connect(tick)
        return seen

    def wait_out_the_writer(self, qtbot: QtBot) -> None:
        """Let HOLD_S pass with the writer holding; the GUI never froze meanwhile."""
        qtbot.waitUntil(lambda: time.monotonic() - self.started >= HOLD_S, timeout=SAVE_WAIT_MS)
        self.assert_never_froze()

    def assert_never_froze(self) -> None:
        self.timer.stop()
        self.moments.append(thread_stalls.snapshot())
        stalls = [thread_stalls.stall_between(a, b) for a, b in itertools.pairwise(self.moments)]
        worst = max(stalls, key=lambda stall: stall.held_up)
        assert worst.held_up < MAX_GAP_S, f"the GUI froze for {worst}"
        assert len(self.moments) > 2, "the event loop never turned"


# -- what the widgets hold ---------------------------------------------------------


def model_texts(model: QAbstractItemModel) -> list[str]:
    """The text of every cell of a list, table or tree model's top level."""
    texts = []
    for row in range(model.rowCount(QModelIndex())):
        column = 0
        while (index := model.index(row, column)).isValid():
            texts.append(str(index.data() or ""))
            column += 1
    return texts


def _texts_of(widget: QWidget) -> list[str]:
    parts = [widget.windowTitle(), widget.toolTip(), widget.accessibleName(), widget.accessibleDescription()]
    if isinstance(widget, QLineEdit):
        parts += [widget.text(), widget.placeholderText()]
    elif isinstance(widget, QPlainTextEdit | QTextEdit):
        parts.append(widget.toPlainText())
    elif isinstance(widget, QLabel | QAbstractButton | QProgressBar):
        parts.append(widget.text())
    elif isinstance(widget, QGroupBox):
        parts.append(widget.title())
    elif isinstance(widget, QComboBox):
        parts += [widget.itemText(i) for i in range(widget.count())] + [widget.currentText()]
    elif isinstance(widget, QListWidget):
        parts += [widget.item(row).text() for row in range(widget.count())]
    elif isinstance(widget, QTreeWidget):
        for row in range(widget.topLevelItemCount()):
            item = widget.topLevelItem(row)
            assert item is not None
            for column in range(widget.columnCount()):
                parts += [item.text(column), item.toolTip(column)]
    elif isinstance(widget, QTableWidget):
        for row in range(widget.rowCount()):
            for column in range(widget.columnCount()):
                cell = widget.item(row, column)
                if cell is not None:
                    parts += [cell.text(), cell.toolTip()]
    if isinstance(widget, QAbstractItemView) and widget.model() is not None:
        parts += model_texts(widget.model())
    return parts


def all_texts(root: QWidget) -> str:
    """Every piece of text ``root`` and its children hold, shown or not: fields,
    labels, titles, tooltips, combo entries and the rows of every list, table
    and tree (their models) included."""
    parts: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        parts += _texts_of(widget)
    return "\n".join(parts)


# -- screenshots -------------------------------------------------------------------


def screenshot(widget: QWidget, name: str) -> None:
    """Save the widget as SCREENSHOTS/name (build/screenshots/ in a test run)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()
    assert widget.grab().save(str(SCREENSHOTS / name)), name


# -- translations ------------------------------------------------------------------


def qt_tool(name: str) -> str:
    """The path of pyside6-<name> (lupdate, lrelease); skips the test without it."""
    candidates = [Path(sys.executable).parent / f"pyside6-{name}", shutil.which(f"pyside6-{name}")]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return str(candidate)
    pytest.skip(f"pyside6-{name} is not installed")


# What lrelease made of each .ts content in this test process: ~130 tests
# compile the same fieldvault_uk.ts, and each lrelease (a Python wrapper
# started, then the tool) held its test ~0.45 s at load 6.
_compiled_qm: dict[bytes, bytes] = {}


def compile_qm(ts_file: Path, qm_file: Path) -> Path:
    """lrelease ``ts_file`` into ``qm_file``; returns ``qm_file``. lrelease
    runs once per distinct content of a .ts in a test process; a .ts with the
    same bytes gets a copy of what it wrote then (its output depends on the
    bytes alone), and a changed .ts is compiled afresh."""
    key = hashlib.sha256(ts_file.read_bytes()).digest()
    if key in _compiled_qm:
        qm_file.write_bytes(_compiled_qm[key])
        return qm_file
    subprocess.run(
        [qt_tool("lrelease"), str(ts_file), "-qm", str(qm_file)], check=True, capture_output=True, timeout=120
    )
    _compiled_qm[key] = qm_file.read_bytes()
    return qm_file


@contextlib.contextmanager
def in_ukrainian(folder: Path) -> Iterator[None]:
    """The application in Ukrainian from the working tree's fieldvault_uk.ts
    (compiled into the new ``folder``), and back in the previous language after.
    Tests wrap it in a ``ukrainian`` fixture: a fixture imported from here would
    be shadowed by the test's parameter of the same name (ruff F811)."""
    folder.mkdir()
    compile_qm(TS_FILE, folder / "fieldvault_uk.qm")
    saved = QLocale()
    assert install_translators(qt_app(), QLocale("uk"), folder)
    try:
        yield
    finally:
        remove_translators(qt_app())
        QLocale.setDefault(saved)


def lupdate(sources: list[Path], ts_file: Path) -> Path:
    """The strings ``sources`` ask to translate, as a fresh .ts file."""
    subprocess.run(
        [qt_tool("lupdate"), *map(str, sources), "-ts", str(ts_file)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return ts_file


def ts_messages(path: Path) -> dict[tuple[str, str], ET.Element | None]:
    """(context, source) -> the <translation> element of each message of a .ts file."""
    root = ET.parse(path).getroot()
    return {
        (context.findtext("name") or "", message.findtext("source") or ""): message.find("translation")
        for context in root.iter("context")
        for message in context.iter("message")
    }


def pending_translations(tsv: Path) -> dict[tuple[str, str], str]:
    """(context, source) -> Ukrainian of a pending .tsv file (none once it was merged
    into the .ts file and removed). A line repeating another fails the test."""
    if not tsv.exists():
        return {}
    rows: dict[tuple[str, str], str] = {}
    for number, line in enumerate(tsv.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        context, source, translation = line.split("\t")
        assert (context, source) not in rows, f"{tsv.name}:{number} repeats {source!r}"
        rows[(context, source)] = translation
    return rows


def write_ts(path: Path, translations: dict[tuple[str, str], str], base: Path | None = None) -> Path:
    """A .ts file holding ``translations``, added to a copy of ``base`` if given."""
    root = ET.Element("TS", version="2.1", language="uk_UA") if base is None else ET.parse(base).getroot()
    contexts = {c.findtext("name"): c for c in root.iter("context")}
    for (context, source), translation in translations.items():
        if context not in contexts:
            contexts[context] = ET.SubElement(root, "context")
            ET.SubElement(contexts[context], "name").text = context
        message = ET.SubElement(contexts[context], "message")
        ET.SubElement(message, "source").text = source
        ET.SubElement(message, "translation").text = translation
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path


def placeholders(source: str) -> set[str]:
    """The {name} and %n placeholders a translation must keep."""
    return set(re.findall(r"\{\w+\}|%n", source))
