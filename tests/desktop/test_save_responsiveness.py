"""Saves and autosaves do not freeze the GUI behind a long write transaction.

The sync worker will hold write transactions (its own thread, the vault's
write lock and SQLite's BEGIN IMMEDIATE); another process may too. Here a
thread holds one through the vault's own ``write_transaction`` while the
testimony form autosaves: the event loop must keep turning (a 20 ms timer
keeps ticking) while the draft waits, and the draft is written once the
writer lets go."""

from __future__ import annotations

import itertools
import threading
import time

from PySide6.QtCore import QTimer

from desktop.tasks import Lane
from desktop.testimony_editor import TestimonyEditor, draft_key
from tests.factory import make_case
from tests.gui_helpers import show, type_text

WAIT_MS = 10_000
TICK_MS = 20
# Far above a busy CI machine's scheduling gaps, far below the writer's hold.
MAX_GAP_S = 0.5
HOLD_S = 2.0


def test_an_autosave_waits_for_another_writer_without_freezing_the_gui(qtbot, vault):
    case = make_case(vault)
    editor = TestimonyEditor(autosave_ms=50)
    qtbot.addWidget(editor)
    show(qtbot, editor)
    editor.load(vault, case.id)
    key = draft_key(case.id, None)
    written: list[str] = []
    editor.draft_saved.connect(written.append)

    holding = threading.Event()
    release = threading.Event()

    def writer() -> None:
        # What a sync worker does: the write lock and BEGIN IMMEDIATE on its
        # own connection, held while it works.
        with vault.services.context.write_transaction("a long sync") as session:
            session.connection()  # BEGIN IMMEDIATE now
            holding.set()
            release.wait(HOLD_S * 5)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(WAIT_MS / 1000)
        ticks: list[float] = []
        timer = QTimer()
        timer.setInterval(TICK_MS)
        timer.timeout.connect(lambda: ticks.append(time.monotonic()))
        timer.start()

        started = time.monotonic()
        type_text(qtbot, editor.narrative_field, "Свідчення, що чекає на запис.")
        qtbot.waitUntil(lambda: bool(editor.tasks.running(Lane.SAVE)), timeout=WAIT_MS)
        qtbot.waitUntil(lambda: time.monotonic() - started >= HOLD_S, timeout=WAIT_MS)
        timer.stop()

        waiting = [t for t in ticks if t >= started]
        gaps = [b - a for a, b in itertools.pairwise(waiting)]
        assert len(waiting) >= 10, "the event loop stopped while the draft waited for the writer"
        assert max(gaps) < MAX_GAP_S, f"the GUI froze for {max(gaps):.2f} s behind a write transaction"
        assert editor.tasks.running(Lane.SAVE), "the autosave did not wait for the writer"
        assert written == [] and vault.drafts.get(key) is None
    finally:
        release.set()
        thread.join()

    qtbot.waitUntil(lambda: written == [key], timeout=WAIT_MS)
    draft = vault.drafts.get(key)
    assert draft is not None and draft.body["fields"]["narrative"] == "Свідчення, що чекає на запис."
    assert editor.autosave_status.text().startswith("Unsaved changes kept in the vault")
    editor.clear(save_draft=False)
