"""``run_gui``: the desktop app's entry point (``fieldvault`` with no command).

Wiring only: start Qt on the vault folder that ``fieldvault``'s global
options name (fieldvault/options.py resolves ``--vault`` for the GUI and the
command line alike), load translations, show the window, then load the
database stack in the background.

Start-up is the time to the first screen (create or unlock). The modules it
needs are Qt, the pages and the key-file helpers; SQLAlchemy, Alembic and
the vault (``db.vault``: about 0.6 s of imports, more than the rest of
start-up) are not among them, so they load after the screen shows, in a
background thread, while the passphrase is typed (tests/desktop/
test_startup_imports.py holds the first screen to that).
"""

from __future__ import annotations

import contextlib
import gc
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QLocale, QObject, QTimer
from PySide6.QtWidgets import QApplication

from desktop.i18n import chosen_locale, install_translators, remove_translators
from desktop.icons import app_icon
from desktop.qt_logging import prepare_qt_logging
from desktop.session_collector import SessionCollector
from desktop.window import FieldvaultWindow

_database_stack_loader: threading.Thread | None = None


def _import_database_stack() -> None:
    # What unlocking and the vault view import first. A failure here is not
    # reported: the unlock worker imports the same module and reports it.
    with contextlib.suppress(Exception):
        from db.api import Vault  # noqa: F401
    settle_garbage_collector()


def settle_garbage_collector() -> None:
    """Exempt every object alive now from the cycle collector's full passes.

    Modules, classes and Qt's wrappers live as long as the app; a full
    (generation 2) collection rescans them all and holds every thread, the
    GUI's included, meanwhile: 180-305 ms during a 500-item sync
    (benchmarks/bench_sync.py). Frozen, they are no longer scanned. Called
    once the database stack is imported; the window's SessionCollector
    (desktop/session_collector.py) freezes again at unlock (the open vault,
    the sync worker) and unfreezes at lock, so no record shown stays frozen. No gc.collect() first: that would be the very pause
    avoided, and import-time garbage is small."""
    gc.freeze()


def load_database_stack() -> threading.Thread:
    """Start importing the database stack in a background thread (once);
    the thread, to wait for it. A worker or slot that imports ``db.vault``
    meanwhile waits for this import to finish (Python's module lock)."""
    global _database_stack_loader
    if _database_stack_loader is None:
        _database_stack_loader = threading.Thread(
            target=_import_database_stack, name="load-database-stack", daemon=True
        )
        _database_stack_loader.start()
    return _database_stack_loader


class _AfterFirstPaint(QObject):
    """Runs ``action`` once the window's first frame is painted: a timer
    set at its first paint event fires after the frame's other widgets
    are painted too. The loader thread would otherwise compete with that
    first frame for the interpreter."""

    def __init__(self, window: FieldvaultWindow, action: Callable[[], object]) -> None:
        super().__init__(window)
        self._action = action
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._action)
        return False


def show_first_screen(folder: Path) -> tuple[QApplication, FieldvaultWindow]:
    """Start Qt and show the window's first screen for the vault in
    ``folder``; the database stack starts loading once the event loop has
    painted it (run_gui's loop, or a benchmark's)."""
    prepare_qt_logging()  # before Qt starts: no file's metadata, no message text in Qt's logs
    existing = QApplication.instance()
    app = (
        existing
        if isinstance(existing, QApplication)
        else QApplication([sys.argv[0] if sys.argv else "fieldvault"])
    )
    app.setApplicationName("Fieldvault")
    # Every window (the viewer and dialogs too) gets it; drawn from SVG, so
    # sharp at any device pixel ratio. Qt 6 scales for high-DPI screens by
    # itself (fractional ratios pass through): no rounding policy is set.
    app.setWindowIcon(app_icon())
    # Numbers, sizes and dates follow the interface language too.
    QLocale.setDefault(chosen_locale())
    install_translators(app)
    window = FieldvaultWindow(folder, collector=SessionCollector())
    app.aboutToQuit.connect(window.shutdown)
    _AfterFirstPaint(window, load_database_stack)
    # Should no paint event come (a window never exposed), load anyway.
    QTimer.singleShot(1000, load_database_stack)
    window.show()
    return app, window


def run_gui(folder: Path) -> int:
    app, window = show_first_screen(folder)
    try:
        return int(app.exec())
    finally:
        window.close()  # locks the vault if it is still open
        # Including those installed by a language switch on the first screen.
        remove_translators(app)
