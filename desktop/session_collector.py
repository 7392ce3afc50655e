"""The cycle collector across an unlocked session, for the app's process.

A full (generation 2) collection rescans every tracked object and holds
every thread, the GUI's included, meanwhile. The app freezes what start-up
imported (desktop.app.settle_garbage_collector); at unlock it freezes the
open vault and the vault view too (~100k objects, which otherwise stalled
the GUI thread 50-100 ms every few seconds of scrolling a long list), and
at lock it hands them all back and collects once, so no record shown
lingers in a frozen cycle.

``gc.freeze`` and ``gc.unfreeze`` act on the whole process, so the process
decides, not the window: the app's entry point (desktop.app) gives its
window a SessionCollector. A window made without one leaves the collector
as it is. That is how the tests make theirs: hundreds of windows in one
process whose heap, grown by earlier tests, is five times the app's, where
each lock's unfreeze-and-collect rescanned all of it (2.4-2.7 s at 650k
objects on a loaded CI machine) and could land inside the next test's
measure of the GUI thread.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QTimer


class SessionCollector:
    def unlocked(self) -> None:
        """What exists now (modules, the open vault, the view's widgets)
        lives until the lock: exempt it from full passes."""
        gc.freeze()

    def locked(self) -> None:
        """Hand the session's objects back to the collector and collect
        once the event loop has deleted the view (its deleteLater)."""
        gc.unfreeze()
        QTimer.singleShot(0, gc.collect)
