"""The evidence viewer: images, PDFs, text, audio and video, from the vault.

``EvidenceViewer.show_item(vault, evidence_id)`` shows one item by its MIME
type; ``clear()`` stops playback, closes what was opened and drops every
reference to decrypted data (call it on lock, and before deleting the viewer).

Each kind has its page (``viewer_image``, ``viewer_pdf``, ``viewer_text``,
``viewer_media``, ``viewer_message``: each a ``viewer_page.ViewerPage``); this class reads the item's
header, picks the page, starts the read and shows the result or why not.
Nothing decrypted touches the disk:

- audio and video play through a ``BlobDevice`` (``MediaPage``), seeking included;
- images are decoded in a confined child process by a worker (``viewer_jobs``);
  what comes back is pixels, at most ``IMAGE_MAX_SIDE`` on a side (``ImagePage``);
- PDFs are rendered a few pages at a time by PDFium in a confined child
  process, fed through a pipe (``PdfJob``); what comes back is pixels
  (``PdfPage``). PDFs over ``PDF_LIMIT`` are not shown (export them instead);
- text: the first ``TEXT_LIMIT`` bytes (``TextPage``).

Opening an item records a "view" in its custody log (``EvidenceService.open``):
a write, so it is done on the runner's viewer lane by the item's job (the
sync worker or another process may hold the vault's write transaction; the
window keeps responding and shows "Opening…" meanwhile). An unsupported type
is not opened, so no view is recorded for it; an open dropped before its job
ran (another item chosen, a lock) records none either.

Keyboard, while the focus is in the viewer (it does not take the focus when an
item is shown: a list the user walks with the arrows keeps it): each page's
``key_actions()``, live only while that page is shown.

Errors (a damaged item: ``BlobIntegrityError``) are shown with
``desktop.messages.error_message``, never as a traceback.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from db.api import BlobReader, EvidenceItem, FieldvaultError
from desktop.blob_device import DeviceAborted
from desktop.messages import error_message, failure_message
from desktop.tasks import Lane, OperationFailed, TaskHandle, TaskReport, TaskRunner
from desktop.thumbnails import HasEvidence, decodable_image
from desktop.viewer_image import ImagePage
from desktop.viewer_jobs import (
    ImageDecoded,
    ImageJob,
    NotDecodable,
    Opened,
    OpenJob,
    PdfJob,
    PdfNotShown,
    PdfRendered,
    ReadJob,
)
from desktop.viewer_media import MediaPage, recording_markers
from desktop.viewer_message import MessagePage
from desktop.viewer_page import Shown, ViewerPage
from desktop.viewer_pdf import PDF_LIMIT, PdfPage
from desktop.viewer_text import TextPage

__all__ = ["EvidenceViewer", "Shown", "kind_for"]

MEDIA_TYPES = frozenset({"application/ogg", "application/mp4", "application/x-matroska"})
TEXT_TYPES = frozenset(
    {
        "application/json",
        "application/xml",
        "application/x-ndjson",
        "application/csv",
        "application/x-subrip",
    }
)


def kind_for(mime_type: str) -> Shown:
    """How an item of this MIME type is shown."""
    if mime_type == "application/pdf":
        return Shown.PDF
    if mime_type.startswith("image/"):
        return Shown.IMAGE if decodable_image(mime_type) else Shown.UNSUPPORTED
    if mime_type.startswith("text/") or mime_type in TEXT_TYPES:
        return Shown.TEXT
    if mime_type.startswith(("audio/", "video/")) or mime_type in MEDIA_TYPES:
        return Shown.MEDIA
    return Shown.UNSUPPORTED


def _error_text(err: Exception) -> str:
    """The vault's own errors are safe to show; others are named by type only."""
    if isinstance(err, FieldvaultError):
        return error_message(err)
    return error_message(None, type(err).__name__)


class EvidenceViewer(QWidget):
    """Shows one evidence item. Embed it anywhere; call ``show_item`` with the
    open ``Vault`` (or its ``Services``) and ``clear()`` when the vault locks."""

    shown = Signal(str)  # a Shown value, once the item is on screen (tests wait on it)
    export_requested = Signal(str)  # evidence id: the user asked to export an item shown here

    def __init__(self, parent: QWidget | None = None, *, tasks: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Evidence viewer"))
        # The window's runner; a viewer shown alone (tests) has its own.
        self.tasks = tasks if tasks is not None else TaskRunner(self)
        self._handle: TaskHandle | None = None  # the running job's task
        self._item: EvidenceItem | None = None
        self._services: HasEvidence | None = None  # to read a PDF's further pages
        self._kind = Shown.NOTHING
        self._job: ReadJob | None = None
        self._token = 0  # identifies the current job
        self._kind_opening = Shown.NOTHING  # text or media, while its OpenJob runs

        # -- header: what is shown -------------------------------------------
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setAccessibleName(self.tr("Item name"))
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.details = QLabel()
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setAccessibleName(self.tr("Item type and size"))
        self.notice = QLabel()
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName(self.tr("Viewer notice"))
        self.notice.hide()

        # -- pages -----------------------------------------------------------
        self.empty_page = QLabel(self.tr("No item is open."))
        self.empty_page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_page = ImagePage()
        self.pdf_page = PdfPage()
        self.pdf_page.more_requested.connect(self._more_pdf_pages)
        self.text_page = TextPage()
        self.media_page = MediaPage()
        self.message_page = MessagePage()
        self._pages: dict[Shown, QWidget] = {
            Shown.NOTHING: self.empty_page,
            Shown.IMAGE: self.image_page,
            Shown.PDF: self.pdf_page,
            Shown.TEXT: self.text_page,
            Shown.MEDIA: self.media_page,
            Shown.UNSUPPORTED: self.message_page,
            Shown.ERROR: self.message_page,
        }
        self.stack = QStackedWidget()
        for page in dict.fromkeys(self._pages.values()):
            self.stack.addWidget(page)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.details)
        layout.addWidget(self.notice)
        layout.addWidget(self.stack, 1)

        self.media_page.failed.connect(
            lambda text, offer_export: self._show_message(text, Shown.ERROR, offer_export=offer_export)
        )
        self.media_page.notice.connect(self._show_notice)
        self.message_page.export_button.clicked.connect(self._request_export)

        # -- keyboard: only while the focus is inside the viewer, each page's
        # keys only while that page is shown ------------------------------------
        self._page_shortcuts: dict[ViewerPage, list[QShortcut]] = {
            page: [self._shortcut(keys, action) for keys, action in page.key_actions()]
            for page in (self.image_page, self.pdf_page, self.text_page, self.media_page, self.message_page)
        }
        self._set_kind(Shown.NOTHING)

    def _shortcut(self, keys: QKeySequence, slot: Callable[[], None]) -> QShortcut:
        shortcut = QShortcut(keys, self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)
        return shortcut

    # -- what callers use ---------------------------------------------------

    @property
    def kind(self) -> Shown:
        return self._kind

    @property
    def evidence_id(self) -> str | None:
        return None if self._item is None else self._item.id

    def show_item(self, services: HasEvidence, evidence_id: str) -> None:
        """Show the item; ``services`` is the open ``Vault`` or its ``Services``.
        Returns at once: the item is opened (a custody write) and images and
        PDFs read on a worker, media load in Qt's threads; ``shown`` is emitted
        when the item is on screen."""
        self.clear()
        try:
            item = services.evidence.get(evidence_id)
        except Exception as err:  # noqa: BLE001 - shown as a message, never a traceback
            self._show_error(_error_text(err))
            return
        self._item = item
        self.title.setText(item.original_name or item.id)
        self.details.setText(
            self.tr("{mime_type}, {size}").format(
                mime_type=item.mime_type or self.tr("unknown type"),
                size=QLocale().formattedDataSize(item.size),
            )
        )
        kind = kind_for(item.mime_type)
        if kind is Shown.UNSUPPORTED:
            self._show_message(
                self.tr(
                    "This kind of file ({mime_type}) cannot be shown here. "
                    "Export it to open it with another program."
                ).format(mime_type=item.mime_type or self.tr("unknown type")),
                Shown.UNSUPPORTED,
                offer_export=True,
            )
            return
        if kind is Shown.PDF and item.size > PDF_LIMIT:
            self._show_message(
                self.tr(
                    "This PDF is too large to show here ({size}). Export it to open it with another program."
                ).format(size=QLocale().formattedDataSize(item.size)),
                Shown.UNSUPPORTED,
                offer_export=True,
            )
            return
        token = self._next_token()
        if kind is Shown.IMAGE:
            self._start_job(ImageJob(services, evidence_id, token))
        elif kind is Shown.PDF:
            self._services = services
            self._start_job(PdfJob(services, evidence_id, token))
        else:  # text and media: opened on the lane, read by their page
            self._kind_opening = kind
            self._start_job(OpenJob(services, evidence_id, token))

    def clear(self) -> None:
        """Stop playback, close the device, drop every reference to the item."""
        if self._job is not None:
            self._stop_job()  # its report, if one is on its way, is ignored
        for page in self._page_shortcuts:
            page.clear()
        self.title.clear()
        self.details.clear()
        self.notice.clear()
        self.notice.hide()
        self._item = None
        self._services = None
        self._set_kind(Shown.NOTHING)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt's name
        """Hidden (another screen, the window minimised): no sound keeps playing."""
        super().hideEvent(event)
        self.media_page.pause()

    # -- jobs ----------------------------------------------------------------

    def _next_token(self) -> int:
        self._token += 1
        return self._token

    def _start_job(self, job: ReadJob) -> None:
        self._job = job
        self.empty_page.setText(self.tr("Opening…"))
        token = job.token
        self._handle = self.tasks.start(
            Lane.VIEWER, job, lambda report: self._on_job_report(token, report), owner=self
        )

    def _stop_job(self) -> None:
        handle, self._handle = self._handle, None
        job, self._job = self._job, None
        if handle is not None:
            self.tasks.forget(handle)
            handle.cancel()  # kills its child now, from this thread
        if isinstance(job, OpenJob):
            job.discard()  # opened already: its report will not be delivered

    def _on_job_report(self, token: int, report: TaskReport) -> None:
        if report.state == "succeeded":
            self._on_job_succeeded((token, report.value))
        elif report.state == "failed" and report.failure is not None:
            self._on_job_failed((token, report.failure))
        else:  # cancelled: another item or a lock stopped it
            self._current_job(token)

    def _more_pdf_pages(self, first: int) -> None:
        """The next pages of the PDF shown: the item is read again (a view)."""
        if self._item is None or self._services is None or self._job is not None:
            return
        self.pdf_page.set_waiting()
        self._start_job(PdfJob(self._services, self._item.id, self._next_token(), first))

    def _current_job(self, token: int) -> ReadJob | None:
        """The job of the item shown, if the report comes from it (not from
        one cleared since)."""
        job = self._job
        if job is None or job.token != token:
            return None
        self._job = None
        self._handle = None
        return job

    def _on_job_succeeded(self, message: tuple[int, object]) -> None:
        token, report = message
        job = self._current_job(token)
        if job is None:
            return
        if isinstance(report, Opened) and isinstance(job, OpenJob):
            reader = job.take()
            if reader is not None:
                self._show_opened(reader)
        elif isinstance(report, ImageDecoded):
            self._set_kind(Shown.IMAGE)
            self.image_page.show_image(report.image)
            self.shown.emit(Shown.IMAGE.value)
        elif isinstance(report, PdfRendered):
            self.pdf_page.add_pages(report.total, report.pages)
            if report.first == 0:
                self._show_page(Shown.PDF)
        elif isinstance(report, PdfNotShown):
            self.pdf_page.clear()
            self._show_message(self.pdf_page.refusal(report.reason), Shown.ERROR, offer_export=True)

    def _on_job_failed(self, message: tuple[int, OperationFailed]) -> None:
        token, report = message
        if self._current_job(token) is None or isinstance(report.error, DeviceAborted):
            return
        if report.error is None and report.error_type == NotDecodable.__name__:
            self._show_message(
                self.tr("This image cannot be decoded. Export it to open it with another program."),
                Shown.ERROR,
                offer_export=True,
            )
            return
        self._show_error(failure_message(report))

    def _show_opened(self, reader: BlobReader) -> None:
        """Text or media, opened on the lane: its page reads it from here."""
        if self._kind_opening is Shown.TEXT:
            try:
                notice = self.text_page.show_text(reader)  # closes the reader
            except FieldvaultError as err:
                self._show_error(error_message(err))
                return
            if notice:
                self._show_notice(notice)
            self._show_page(Shown.TEXT)
        else:
            # The page's device owns the reader now; a recording's markers come along.
            self.media_page.play(reader, recording_markers(self._item))
            self._show_page(Shown.MEDIA)

    # -- what is on screen ---------------------------------------------------

    def _show_error(self, text: str) -> None:
        self._show_message(self.tr("This item cannot be shown.") + "\n\n" + text, Shown.ERROR)

    def _show_message(self, text: str, kind: Shown, *, offer_export: bool = False) -> None:
        self.message_page.show_message(text, offer_export=offer_export and self._item is not None)
        self._show_page(kind)

    def _show_page(self, kind: Shown) -> None:
        self._set_kind(kind)
        self.shown.emit(kind.value)

    def _show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.show()

    def _request_export(self) -> None:
        if self._item is not None:
            self.export_requested.emit(self._item.id)

    def _set_kind(self, kind: Shown) -> None:
        self._kind = kind
        page = self._pages[kind]
        if kind is Shown.NOTHING:
            self.empty_page.setText(self.tr("No item is open."))
        self.stack.setCurrentWidget(page)
        for each, shortcuts in self._page_shortcuts.items():
            each.set_active(each is page)
            for shortcut in shortcuts:
                shortcut.setEnabled(each is page)
