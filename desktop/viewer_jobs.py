"""The evidence viewer's reads off the GUI thread: an image decoded, or a
PDF's pages rendered (PDFium), in a confined child process (``db.sandbox``:
the bytes are attacker-chosen), fed through a pipe. Each job is a task on the
runner's viewer lane (``desktop.tasks``); its result is one of the reports
below. Cancelling its task (another item opened, the vault locked) kills the
child at once; the job then raises ``DeviceAborted`` and the runner reports
it cancelled, which the viewer ignores."""

from __future__ import annotations

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
from desktop.thumbnails import decode_in_box, image_from


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
    """Reads one opened item on the viewer lane; ``token`` tells the viewer
    which item it answers. The reader is closed whatever happens."""

    def __init__(self, reader: BlobReader, token: int) -> None:
        self.token = token
        self._reader: BlobReader | None = reader

    def __call__(self, context: TaskContext) -> object:
        reader, self._reader = self._reader, None
        assert reader is not None, "a job runs once"
        if context.cancelled:
            reader.close()
            raise DeviceAborted()
        return self.work(reader, context)

    def work(self, reader: BlobReader, context: TaskContext) -> object:
        raise NotImplementedError


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

    def __init__(self, reader: BlobReader, token: int, first: int = 0) -> None:
        super().__init__(reader, token)
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
