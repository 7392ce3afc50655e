"""Opening an item in the viewer does not freeze the GUI behind a long write
transaction.

Opening an item records a "view" in its custody log: a write. The sync worker
will hold the vault's write transaction (its own thread, the write lock and
SQLite's BEGIN IMMEDIATE), and another process may. Here a thread holds one
while the user selects an image, a PDF, a text and an audio item: the event
loop keeps turning (a 20 ms timer keeps ticking), the viewer says
"Opening…", the item is shown once the writer lets go, and its custody has
exactly one view. An open the user has left behind (another item chosen, the
viewer cleared at a lock) is never shown and leaves no reader open."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from db.entities import Case, EvidenceItem
from db.vault import Vault
from desktop.tasks import Lane
from desktop.viewer import EvidenceViewer, Shown
from tests.evidence_samples import make_jpeg, make_pdf, make_wav
from tests.gui_helpers import HOLD_S, SAVE_WAIT_MS, Ticks, another_writer, release_later, show

UKRAINIAN_TEXT = "Свідок бачив, як двох полонених вивели з підвалу.\n"


@pytest.fixture
def case(vault: Vault) -> Case:
    return vault.cases.create(Case(title="Ізюм, березень 2022"))


@pytest.fixture
def viewer(qtbot) -> Iterator[EvidenceViewer]:
    widget = EvidenceViewer()
    qtbot.addWidget(widget)
    widget.resize(800, 600)
    show(qtbot, widget)
    yield widget
    widget.clear()  # before Qt deletes it: the player must let go of the device first


def make_text(path: Path, text: str = UKRAINIAN_TEXT) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


SAMPLES: dict[Shown, Callable[[Path], Path]] = {
    Shown.IMAGE: lambda folder: make_jpeg(folder / "photo.jpg"),
    Shown.PDF: lambda folder: make_pdf(folder / "report.pdf"),
    Shown.TEXT: lambda folder: make_text(folder / "notes.txt"),
    Shown.MEDIA: lambda folder: make_wav(folder / "voice.wav"),
}


def ingest(vault: Vault, case: Case, path: Path) -> EvidenceItem:
    return vault.evidence.ingest(path, case.id).item


def views_of(vault: Vault, item: EvidenceItem) -> int:
    return sum(1 for event in vault.evidence.custody(item.id) if event.action == "view")


def open_blob_files(vault_dir: Path) -> list[str]:
    """The vault's blob files this process holds open (a reader not closed)."""
    blobs = str((vault_dir / "blobs").resolve())
    held = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue  # closed meanwhile (the listing's own descriptor)
        if target.startswith(blobs):
            held.append(target)
    return held


def viewer_idle(viewer: EvidenceViewer) -> bool:
    return viewer.tasks.idle([Lane.VIEWER])


@pytest.mark.parametrize("kind", list(SAMPLES), ids=[kind.value for kind in SAMPLES])
def test_opening_an_item_waits_for_another_writer_without_freezing_the_gui(
    qtbot, vault, case, viewer, tmp_path, kind
):
    item = ingest(vault, case, SAMPLES[kind](tmp_path))
    seen: list[str] = []
    viewer.shown.connect(seen.append)

    with another_writer(vault) as release:
        ticks = Ticks()
        released = release_later(release)
        viewer.show_item(vault, item.id)
        # Returned at once, the open waiting on the viewer lane behind the writer.
        assert not released and viewer.stack.currentWidget() is viewer.empty_page
        assert viewer.empty_page.text() == "Opening…"
        qtbot.waitUntil(lambda: time.monotonic() - ticks.started >= HOLD_S / 2, timeout=SAVE_WAIT_MS)
        assert seen == [] and viewer.empty_page.text() == "Opening…" and viewer.kind is Shown.NOTHING
        assert views_of(vault, item) == 0  # the view event waits for the writer
        qtbot.waitUntil(lambda: bool(seen), timeout=SAVE_WAIT_MS)
        assert released, "shown before the writer let go"
        ticks.assert_never_froze()

    assert seen == [kind.value] and viewer.kind is kind and viewer.evidence_id == item.id
    if kind is Shown.TEXT:
        assert viewer.text_page.view.toPlainText() == UKRAINIAN_TEXT
    if kind is Shown.PDF:
        assert viewer.pdf_page.pages_shown > 0
    if kind is Shown.IMAGE:
        assert viewer.image_page.image is not None
    assert views_of(vault, item) == 1


def test_an_open_left_behind_is_dropped_and_its_reader_closed(
    qtbot, vault, case, viewer, tmp_path, vault_dir
):
    first = ingest(vault, case, make_text(tmp_path / "first.txt", "перший\n"))
    second = ingest(vault, case, make_text(tmp_path / "second.txt", "другий\n"))
    seen: list[str] = []
    viewer.shown.connect(seen.append)

    with another_writer(vault) as release:
        viewer.show_item(vault, first.id)
        qtbot.waitUntil(lambda: viewer.tasks.pool(Lane.VIEWER).activeThreadCount() == 1)
        viewer.show_item(vault, second.id)  # the user picks another item meanwhile
        assert viewer.empty_page.text() == "Opening…"
        release.set()
        qtbot.waitUntil(lambda: bool(seen), timeout=SAVE_WAIT_MS)
    qtbot.waitUntil(lambda: viewer_idle(viewer), timeout=SAVE_WAIT_MS)
    qtbot.wait(50)  # a report of the first open, were it delivered, would arrive now

    assert seen == [Shown.TEXT.value] and viewer.evidence_id == second.id
    assert viewer.text_page.view.toPlainText() == "другий\n"
    assert views_of(vault, second) == 1
    viewer.clear()
    assert open_blob_files(vault_dir) == []  # the first open's reader was closed in its job


def test_clearing_after_the_open_finished_closes_its_reader(qtbot, vault, case, viewer, tmp_path, vault_dir):
    """A lock clears the viewer; the open's report, not delivered yet, is
    dropped, and the reader it opened is closed by the viewer."""
    item = ingest(vault, case, make_text(tmp_path / "notes.txt"))
    seen: list[str] = []
    viewer.shown.connect(seen.append)
    viewer.show_item(vault, item.id)
    assert viewer.tasks.wait(SAVE_WAIT_MS, [Lane.VIEWER])  # opened; the report waits in the queue
    assert len(open_blob_files(vault_dir)) == 1
    viewer.clear()
    assert open_blob_files(vault_dir) == []
    qtbot.wait(50)
    assert seen == [] and viewer.kind is Shown.NOTHING
    assert views_of(vault, item) == 1  # it was opened: the custody says so
