"""The evidence viewer's reads off the GUI thread: an image decoded, or a
PDF's pages rendered (PDFium), in a confined child process (``db.sandbox``:
the bytes are attacker-chosen), fed through a pipe. Each job reports one
``(token, report)`` through its ``WorkerSignals``; ``abort()`` stops it from
any thread (it then reports ``DeviceAborted``, which the viewer ignores)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from PySide6.QtCore import QRunnable
from PySide6.QtGui import QImage

from db.blobformat import BlobReader
from db.errors import FieldvaultError
from db.sandbox import (
    IMAGE_MAX_SIDE,
    PDF_PAGES_AT_ONCE,
    STOPPED,
    InputFailed,
    SandboxFailed,
    SandboxRun,
    image_run,
    pdf_run,
    render_pdf,
)
from desktop.blob_device import DeviceAborted
from desktop.thumbnails import decode_in_box, image_from
from desktop.workers import OperationFailed, WorkerSignals


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


def failure(err: Exception) -> OperationFailed:
    """The vault's own errors travel as they are; others by their type's name only."""
    if isinstance(err, FieldvaultError):
        return OperationFailed(err.with_traceback(None), type(err).__name__)
    return OperationFailed(None, type(err).__name__)


class ReadJob(QRunnable):
    """Reads one opened item on a pool thread; reports through ``signals``
    (created here, in the GUI thread). ``abort()`` may be called from any
    thread; the job then closes the reader and reports ``DeviceAborted``."""

    def __init__(self, reader: BlobReader, token: int) -> None:
        super().__init__()
        self.signals = WorkerSignals()
        self.token = token
        self._reader: BlobReader | None = reader
        self._lock = threading.Lock()
        self._aborted = False
        self._run: SandboxRun | None = None  # a child decoding for this job

    def abort(self) -> None:
        with self._lock:
            self._aborted = True
            run = self._run
        if run is not None:
            run.kill()

    @property
    def aborted(self) -> bool:
        with self._lock:
            return self._aborted

    def run(self) -> None:
        reader, self._reader = self._reader, None
        assert reader is not None, "a job runs once"
        try:
            if self.aborted:
                reader.close()
                raise DeviceAborted()
            report = self.work(reader)
        except Exception as err:  # noqa: BLE001 - every failure becomes a report, none a traceback
            self.signals.failed.emit((self.token, failure(err)))
            return
        self.signals.succeeded.emit((self.token, report))

    def work(self, reader: BlobReader) -> object:
        raise NotImplementedError


class ImageJob(ReadJob):
    """Decodes in a confined child process (``db.sandbox``), fed through a
    pipe; ``abort()`` kills the child."""

    def work(self, reader: BlobReader) -> ImageDecoded:
        run = image_run()
        with self._lock:
            self._run = run
            aborted = self._aborted
        try:
            if aborted:
                raise DeviceAborted()
            image = decode_in_box(reader, IMAGE_MAX_SIDE, run)
        except SandboxFailed:  # killed: only abort() or a lock does that
            raise DeviceAborted() from None
        finally:
            with self._lock:
                self._run = None
            reader.close()
        if image.isNull():
            raise NotDecodable()
        return ImageDecoded(image)


class PdfJob(ReadJob):
    """Renders a few pages of a PDF in a confined child (``db.sandbox``), fed
    through a pipe from the vault; ``abort()`` kills the child."""

    def __init__(self, reader: BlobReader, token: int, first: int = 0) -> None:
        super().__init__(reader, token)
        self._first = first

    def work(self, reader: BlobReader) -> PdfRendered | PdfNotShown:
        run = pdf_run(first=self._first, count=PDF_PAGES_AT_ONCE)
        with self._lock:
            self._run = run
            aborted = self._aborted
        try:
            if aborted:
                raise DeviceAborted()
            rendered = render_pdf(reader.read, first=self._first, count=PDF_PAGES_AT_ONCE, run=run)
        except InputFailed as failed:
            cause = failed.__cause__
            if isinstance(cause, FieldvaultError):
                raise cause.with_traceback(None) from None
            raise
        except SandboxFailed as failed:
            if failed.reason == STOPPED:  # killed: only abort() or a lock does that
                raise DeviceAborted() from None
            return PdfNotShown(failed.reason)
        finally:
            with self._lock:
                self._run = None
            reader.close()
        pages = [image_from(page) for page in rendered.pages]
        return PdfRendered(rendered.total, rendered.first, pages)
