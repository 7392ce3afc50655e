"""The evidence viewer's reads off the GUI thread: the item opened (a custody
"view" event, a write that waits while another writer, the sync worker or
another process, holds the vault's write transaction), then an image decoded,
or a PDF's pages rendered (PDFium), in a confined child process
(``db.sandbox``: the bytes are attacker-chosen), fed through a pipe; text and
media are only opened here (``OpenJob``) and read by their page. Each job is a
task on the runner's viewer lane (``desktop.tasks``); its result is one of the
reports below. Cancelling its task (another item opened, the vault locked)
kills the child at once; the job then raises ``DeviceAborted`` and the runner
reports it cancelled, which the viewer ignores. A job cancelled before it runs
never opens the item (no view is recorded)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from PySide6.QtGui import QImage

from db.api import (
    IMAGE_MAX_SIDE,
    PDF_PAGES_AT_ONCE,
    STOPPED,
    BlobReader,
    FieldvaultError,
    InputFailed,
    SandboxFailed,
    SandboxRun,
    image_run,
    pdf_run,
    render_pdf,
)
from desktop.blob_device import DeviceAborted
from desktop.tasks import TaskContext
from desktop.thumbnails import HasEvidence, decode_in_box, image_from


@dataclass(frozen=True)
class ImageDecoded:
    image: QImage


@dataclass(frozen=True)
class PdfRendered:
    """Pages ``first``.. of a PDF of ``total`` pages, rendered in the child."""

    total: int
    first: int
    pages: list[QImage]


@dataclass(frozen=True)
class PdfNotShown:
    """The child would not render the PDF; ``reason`` is a fixed phrase
    ("password protected", "not a readable PDF", "too large"…)."""

    reason: str


class NotDecodable(Exception):
    """Qt could not decode the bytes (not an error of the vault)."""


class ReadJob:
    """Opens one item (recorded as a view) and reads it on the viewer lane;
    ``token`` tells the viewer which item it answers. The reader is closed
    whatever happens."""

    def __init__(self, services: HasEvidence, evidence_id: str, token: int) -> None:
        self.token = token
        self._services: HasEvidence | None = services
        self._evidence_id = evidence_id

    def __call__(self, context: TaskContext) -> object:
        services, self._services = self._services, None
        assert services is not None, "a job runs once"
        if context.cancelled:
            raise DeviceAborted()
        reader = services.evidence.open(self._evidence_id, purpose="view")
        if context.cancelled:
            reader.close()
            raise DeviceAborted()
        return self.work(reader, context)

    def work(self, reader: BlobReader, context: TaskContext) -> object:
        raise NotImplementedError


@dataclass(frozen=True)
class Opened:
    """The item is open: the viewer takes its reader with ``OpenJob.take``."""


class OpenJob(ReadJob):
    """Only opens the item, for a page that reads it in the GUI thread (text)
    or in Qt's threads (media, through a ``BlobDevice``). A ``BlobReader`` holds
    no thread-bound state (a file handle and an AES-GCM key, no database
    connection), so the GUI thread may use one opened here.

    The reader is handed over through the job, not the report: a report of a
    task dropped since (another item, a lock) is never delivered, so the
    viewer calls ``discard`` when it drops the job, and the reader is closed
    by whichever of the two comes last."""

    def __init__(self, services: HasEvidence, evidence_id: str, token: int) -> None:
        super().__init__(services, evidence_id, token)
        self._lock = threading.Lock()
        self._reader: BlobReader | None = None

    def work(self, reader: BlobReader, context: TaskContext) -> Opened:
        with self._lock:
            # Cancelled before here: the viewer's discard found nothing to close.
            if context.cancelled:
                reader.close()
                raise DeviceAborted()
            self._reader = reader
        return Opened()

    def take(self) -> BlobReader | None:
        """The opened reader, once (the caller closes it)."""
        with self._lock:
            reader, self._reader = self._reader, None
        return reader

    def discard(self) -> None:
        """Close the reader if it was opened and not taken (call after cancelling)."""
        reader = self.take()
        if reader is not None:
            reader.close()


def _stoppable(run: SandboxRun, context: TaskContext) -> None:
    # Cancelling the task kills the child (from the cancelling thread); one
    # cancelled before the child started is killed at once.
    context.on_cancel(run.kill)
    if context.cancelled:
        raise DeviceAborted()


class ImageJob(ReadJob):
    """Decodes in a confined child process (``db.sandbox``), fed through a pipe."""

    def work(self, reader: BlobReader, context: TaskContext) -> ImageDecoded:
        try:
            run = image_run()
            _stoppable(run, context)
            image = decode_in_box(reader, IMAGE_MAX_SIDE, run)
        except SandboxFailed:  # killed: only a cancel or a lock does that
            raise DeviceAborted() from None
        finally:
            reader.close()
        if image.isNull():
            raise NotDecodable()
        return ImageDecoded(image)


class PdfJob(ReadJob):
    """Renders a few pages of a PDF in a confined child (``db.sandbox``), fed
    through a pipe from the vault."""

    def __init__(self, services: HasEvidence, evidence_id: str, token: int, first: int = 0) -> None:
        super().__init__(services, evidence_id, token)
        self._first = first

    def work(self, reader: BlobReader, context: TaskContext) -> PdfRendered | PdfNotShown:
        try:
            run = pdf_run(first=self._first, count=PDF_PAGES_AT_ONCE)
            _stoppable(run, context)
            rendered = render_pdf(reader.read, first=self._first, count=PDF_PAGES_AT_ONCE, run=run)
        except InputFailed as failed:
            cause = failed.__cause__
            if isinstance(cause, FieldvaultError):
                raise cause.with_traceback(None) from None
            raise
        except SandboxFailed as failed:
            if failed.reason == STOPPED:  # killed: only a cancel or a lock does that
                raise DeviceAborted() from None
            return PdfNotShown(failed.reason)
        finally:
            reader.close()
        pages = [image_from(page) for page in rendered.pages]
        return PdfRendered(rendered.total, rendered.first, pages)
