"""The panic wipe destroys the keys first: under a second, even while an
intake is reading a file that takes its parser many seconds.

Through the real window: unlock, add a file by the evidence panel's real
intake path, wipe from the emergency action while the file's metadata is
being read, and watch the key file from another thread.
"""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import pytest

from db import sandbox
from db.entities import Case
from db.paths import KEY_FILE
from desktop.window import FieldvaultWindow
from tests import thread_stalls
from tests.gui_helpers import unlocked_window

WAIT_MS = 15_000
PAGES = 60_000  # pypdf needs about 8 s to count them


def slow_to_parse_pdf(path: Path, pages: int = PAGES) -> Path:
    """A valid PDF with a flat page tree of ``pages`` pages (a few MB)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets: list[int] = []

    def obj(number: int, body: bytes) -> None:
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    kids = b" ".join(b"%d 0 R" % (i + 3) for i in range(pages))
    obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    obj(2, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (pages, kids))
    for i in range(pages):
        obj(i + 3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (pages + 3))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (pages + 3, xref))
    path.write_bytes(out.getvalue())
    return path


@pytest.fixture
def unlocked(qtbot, created_vault, vault_dir) -> FieldvaultWindow:
    created_vault.vault.cases.create(Case(title="Case for the wipe"))
    created_vault.vault.lock()
    return unlocked_window(qtbot, vault_dir)


def watch_until_gone(
    path: Path, gui_thread: int, gone_at: list[thread_stalls.Snapshot], stop: threading.Event
) -> None:
    """The moment ``path`` is gone, as the GUI thread's stall: at load 12
    the wall clock is mostly other processes' turn (tests/thread_stalls.py)."""
    while not stop.is_set():
        if not path.exists():
            gone_at.append(thread_stalls.snapshot(gui_thread))
            return
        time.sleep(0.002)


def test_panic_wipe_mid_intake_destroys_the_keys_within_a_second(
    qtbot, unlocked: FieldvaultWindow, vault_dir: Path, tmp_path: Path
) -> None:
    window = unlocked
    view = window.vault_view
    assert view is not None
    view.case_list.setCurrentIndex(view.case_model.index(0, 0))
    panel = view.evidence_panel
    qtbot.waitUntil(lambda: panel.case_id is not None, timeout=WAIT_MS)
    source = slow_to_parse_pdf(tmp_path / "register.pdf")

    assert panel.add_files([source]) == 1
    # All bytes stored: the intake is now in the metadata parser.
    qtbot.waitUntil(lambda: sandbox.running() == 1, timeout=WAIT_MS)
    time.sleep(0.3)  # well inside the parser's seconds of work

    key_file = vault_dir / KEY_FILE
    assert key_file.exists()
    gone_at: list[thread_stalls.Snapshot] = []
    stop = threading.Event()
    watcher = threading.Thread(
        target=watch_until_gone, args=(key_file, threading.get_native_id(), gone_at, stop)
    )
    watcher.start()
    try:
        with thread_stalls.HeldUp() as wiping:
            window.wipe()  # what the emergency action and the settings dialog call
    finally:
        stop.set()
        watcher.join()

    assert gone_at, "the key file survived the wipe"
    until_gone = thread_stalls.stall_between(wiping.started, gone_at[0])
    assert until_gone.held_up < 1.0, until_gone
    assert wiping.stall.held_up < 5.0, wiping.stall  # and the whole wipe, workers stopped, does not hang
    assert window.vault is None
    assert window.stack.currentWidget() is window.create_page
    assert sandbox.running() == 0
    assert not vault_dir.exists() or not any(vault_dir.iterdir())
