"""The evidence viewer: images, PDFs, text, audio and video, from the vault.

``EvidenceViewer.show_item(vault, evidence_id)`` shows one item by its MIME
type; ``clear()`` stops playback, closes what was opened and drops every
reference to decrypted data (call it on lock, and before deleting the viewer).

Nothing decrypted touches the disk:

- audio and video play through a ``BlobDevice`` (a QIODevice over the
  seekable blob reader), seeking included;
- images are decoded in a confined child process (``db.sandbox``: the bytes
  are attacker-chosen), fed through a pipe by a worker thread; what comes
  back is pixels, at most ``IMAGE_MAX_SIDE`` on a side, shown scaled to fit
  (Ctrl++ / Ctrl+- / Ctrl+0);
- PDFs are read into memory by a worker and rendered from a ``QBuffer``. Not
  from a ``BlobDevice``: ``QPdfView`` renders on its own thread while holding
  Qt PDF's global mutex, and a ``BlobDevice`` read there needs the GIL, which
  the GUI thread holds whenever Python calls into Qt PDF (which takes that
  mutex): the two threads could wait for each other forever. A ``QBuffer`` is
  read without Python. The buffer is overwritten with zeros on ``clear()``.
  PDFs over ``PDF_LIMIT`` are not shown (export them instead);
- text is decoded as UTF-8 (UTF-16 with a byte-order mark), invalid bytes
  replaced, the first ``TEXT_LIMIT`` bytes only.

Opening an item records a "view" in its custody log (``EvidenceService.open``);
an unsupported type is not opened, so no view is recorded for it.

Keyboard, while the focus is in the viewer (it does not take the focus when an
item is shown: a list the user walks with the arrows keeps it): Space plays or
pauses and Left and Right seek 5 seconds while audio or video is shown; Ctrl++,
Ctrl+- and Ctrl+0 zoom an image.

Errors (a damaged item: ``BlobIntegrityError``) are shown with
``desktop.messages.error_message``, never as a traceback. Qt Multimedia may have
no sound device (as on a server or in CI): the player then plays silently and
the viewer says so.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QLocale,
    QRunnable,
    QSize,
    Qt,
    QThreadPool,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import QHideEvent, QImage, QKeySequence, QPixmap, QResizeEvent, QShortcut
from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer, QVideoFrame
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from db.blobformat import BlobReader
from db.entities import EvidenceItem
from db.errors import FieldvaultError
from db.sandbox import IMAGE_MAX_SIDE, SandboxFailed, SandboxRun, image_run
from desktop.blob_device import BlobDevice, DeviceAborted
from desktop.icons import icon
from desktop.messages import error_message, failure_message
from desktop.qt_logging import silence_media_logs
from desktop.thumbnails import HasEvidence, decodable_image, decode_in_box
from desktop.workers import OperationFailed, WorkerSignals

TEXT_LIMIT = 1 << 20  # bytes of a text item shown
PDF_LIMIT = 256 << 20  # a PDF is held in memory whole: larger ones are exported instead
SEEK_STEP_MS = 5_000
SLIDER_STEPS = 1_000  # the position slider's resolution, whatever the duration
ZOOM_STEP = 1.25
ZOOM_RANGE = (1 / 16, 16.0)
READ_CHUNK = 1 << 20
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


class Shown(StrEnum):
    """What the viewer is showing; ``EvidenceViewer.shown`` carries it."""

    NOTHING = "nothing"
    IMAGE = "image"
    PDF = "pdf"
    TEXT = "text"
    MEDIA = "media"
    UNSUPPORTED = "unsupported"
    ERROR = "error"


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


def format_time(ms: int) -> str:
    seconds = max(0, ms) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{seconds:02}" if hours else f"{minutes}:{seconds:02}"


def decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8-sig", errors="replace")


def _error_text(err: Exception) -> str:
    """The vault's own errors are safe to show; others are named by type only."""
    if isinstance(err, FieldvaultError):
        return error_message(err)
    return error_message(None, type(err).__name__)


def _failure(err: Exception) -> OperationFailed:
    if isinstance(err, FieldvaultError):
        return OperationFailed(err.with_traceback(None), type(err).__name__)
    return OperationFailed(None, type(err).__name__)


# -- workers: decode off the GUI thread ---------------------------------------


@dataclass(frozen=True)
class ImageDecoded:
    image: QImage


@dataclass(frozen=True)
class BytesRead:
    """A whole item in memory (a PDF)."""

    data: bytearray


class _ReadJob(QRunnable):
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
            self.signals.failed.emit((self.token, _failure(err)))
            return
        self.signals.succeeded.emit((self.token, report))

    def work(self, reader: BlobReader) -> object:
        raise NotImplementedError


class _ImageJob(_ReadJob):
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
            raise _NotDecodable()
        return ImageDecoded(image)


class _BytesJob(_ReadJob):
    def work(self, reader: BlobReader) -> BytesRead:
        data = bytearray(reader.size)
        try:
            with memoryview(data) as view:
                done = 0
                while done < len(data):
                    if self.aborted:
                        raise DeviceAborted()
                    got = reader.readinto(view[done : done + READ_CHUNK])
                    if not got:
                        break
                    done += got
        except BaseException:
            data[:] = bytes(len(data))  # what was read so far: zeroed, not left to the allocator
            raise
        finally:
            reader.close()
        return BytesRead(data)


class _NotDecodable(Exception):
    """Qt could not decode the bytes (not an error of the vault)."""


# -- the widget ---------------------------------------------------------------


class EvidenceViewer(QWidget):
    """Shows one evidence item. Embed it anywhere; call ``show_item`` with the
    open ``Vault`` (or its ``Services``) and ``clear()`` when the vault locks."""

    shown = Signal(str)  # a Shown value, once the item is on screen (tests wait on it)
    export_requested = Signal(str)  # evidence id: the user asked to export an item shown here

    def __init__(self, parent: QWidget | None = None, *, thread_pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Evidence viewer"))
        self._pool = thread_pool or QThreadPool.globalInstance()
        self._item: EvidenceItem | None = None
        self._kind = Shown.NOTHING
        self._job: _ReadJob | None = None
        self._image: QImage | None = None
        self._zoom: float | None = None  # None: fit to the window
        self._pdf_buffer: QBuffer | None = None
        self._media_device: BlobDevice | None = None
        self._duration = 0
        self._media_failed = False
        self._token = 0  # identifies the current job and the current media
        self._media_token = 0

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
        self.stack = QStackedWidget()
        self.empty_page = QLabel(self.tr("No item is open."))
        self.empty_page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.empty_page)

        self.image_label = QLabel()
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_label.setAccessibleName(self.tr("Image"))
        self.image_area = QScrollArea()
        self.image_area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_area.setWidget(self.image_label)
        self.image_area.setAccessibleName(self.tr("Image"))
        self.stack.addWidget(self.image_area)

        self.pdf_document = QPdfDocument(self)
        self.pdf_view = QPdfView()
        self.pdf_view.setAccessibleName(self.tr("PDF document"))
        self.pdf_view.setPageMode(QPdfView.PageMode.MultiPage)
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.pdf_view.setDocument(self.pdf_document)
        self.stack.addWidget(self.pdf_view)

        self.text_view = QPlainTextEdit()
        self.text_view.setReadOnly(True)
        self.text_view.setAccessibleName(self.tr("Text of the item"))
        self.text_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.stack.addWidget(self.text_view)

        self.media_page = QWidget()
        self.video_widget = QVideoWidget()
        self.video_widget.setAccessibleName(self.tr("Video"))
        self.video_widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.audio_label = QLabel(self.tr("Audio recording"))
        self.audio_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.audio_label.hide()
        self.play_button = QPushButton(icon("play"), self.tr("Play"))
        self.play_button.setAccessibleName(self.tr("Play or pause (Space)"))
        self.position_slider = QSlider(Qt.Orientation.Horizontal)
        self.position_slider.setRange(0, 0)
        self.position_slider.setAccessibleName(self.tr("Position (Left and Right arrows seek 5 seconds)"))
        self.time_label = QLabel()
        self.time_label.setAccessibleName(self.tr("Time"))
        controls = QHBoxLayout()
        controls.addWidget(self.play_button)
        controls.addWidget(self.position_slider, 1)
        controls.addWidget(self.time_label)
        media_layout = QVBoxLayout(self.media_page)
        media_layout.setContentsMargins(0, 0, 0, 0)
        media_layout.addWidget(self.video_widget, 1)
        media_layout.addWidget(self.audio_label, 1)
        media_layout.addLayout(controls)
        self.stack.addWidget(self.media_page)

        self.message_page = QWidget()
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setAccessibleName(self.tr("Viewer message"))
        self.export_button = QPushButton(icon("export"), self.tr("Export…"))
        self.export_button.setAccessibleName(self.tr("Export the item to a file"))
        message_layout = QVBoxLayout(self.message_page)
        message_layout.addStretch(1)
        message_layout.addWidget(self.message)
        message_layout.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignCenter)
        message_layout.addStretch(1)
        self.stack.addWidget(self.message_page)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.details)
        layout.addWidget(self.notice)
        layout.addWidget(self.stack, 1)

        # -- the player (Qt Multimedia, FFmpeg backend) -------------------------
        # Before the backend loads: it would log each file's metadata tags
        # (title, comment, GPS) to stderr, and from there to the journal.
        silence_media_logs()
        self.player = QMediaPlayer(self)
        self.audio_output = QAudioOutput(self)  # may have no device: then it plays silently
        self.player.setAudioOutput(self.audio_output)
        self.player.setVideoOutput(self.video_widget)
        self.player.positionChanged.connect(self._on_position)
        self.player.durationChanged.connect(self._on_duration)
        self.player.playbackStateChanged.connect(self._on_playback_state)
        self.player.mediaStatusChanged.connect(self._on_media_status)
        self.player.errorOccurred.connect(self._on_media_error)
        self.player.hasVideoChanged.connect(self._on_has_video)
        self.play_button.clicked.connect(self.toggle_playback)
        self.position_slider.sliderMoved.connect(self._seek_to_slider)
        self.position_slider.actionTriggered.connect(self._on_slider_action)
        self.export_button.clicked.connect(self._request_export)

        # -- keyboard: only while the focus is inside the viewer --------------
        media_keys: list[tuple[QKeySequence, Callable[[], None]]] = [
            (QKeySequence(Qt.Key.Key_Space), self.toggle_playback),
            (QKeySequence(Qt.Key.Key_Left), lambda: self.seek_by(-SEEK_STEP_MS)),
            (QKeySequence(Qt.Key.Key_Right), lambda: self.seek_by(SEEK_STEP_MS)),
        ]
        image_keys: list[tuple[QKeySequence, Callable[[], None]]] = [
            (QKeySequence(QKeySequence.StandardKey.ZoomIn), lambda: self.zoom_by(ZOOM_STEP)),
            (QKeySequence("Ctrl+="), lambda: self.zoom_by(ZOOM_STEP)),
            (QKeySequence(QKeySequence.StandardKey.ZoomOut), lambda: self.zoom_by(1 / ZOOM_STEP)),
            (QKeySequence("Ctrl+0"), self.zoom_to_fit),
        ]
        self._media_shortcuts = [self._shortcut(keys, slot) for keys, slot in media_keys]
        self._image_shortcuts = [self._shortcut(keys, slot) for keys, slot in image_keys]
        self._update_time(0)
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

    @property
    def image(self) -> QImage | None:
        """The decoded image shown (full size), if an image is shown."""
        return self._image

    @property
    def media_device(self) -> BlobDevice | None:
        """The device the player reads, while audio or video is shown."""
        return self._media_device

    def show_item(self, services: HasEvidence, evidence_id: str) -> None:
        """Show the item; ``services`` is the open ``Vault`` or its ``Services``.
        Returns at once: images and PDFs are read on a worker, media load in
        Qt's threads; ``shown`` is emitted when the item is on screen."""
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
        try:
            reader = services.evidence.open(evidence_id, purpose="view")
        except Exception as err:  # noqa: BLE001 - shown as a message, never a traceback
            self._show_error(_error_text(err))
            return
        if kind is Shown.TEXT:
            self._show_text(reader)
        elif kind is Shown.MEDIA:
            self._show_media(reader)
        elif kind is Shown.IMAGE:
            self._start_job(_ImageJob(reader, self._next_token()))
        else:
            self._start_job(_BytesJob(reader, self._next_token()))

    def clear(self) -> None:
        """Stop playback, close the device, drop every reference to the item."""
        if self._job is not None:
            self._job.abort()  # its report, if one is on its way, is ignored
            self._job = None
        self._stop_media()
        self._close_pdf()
        self._image = None
        self._zoom = None
        self.image_label.clear()
        self.image_label.resize(0, 0)
        self.text_view.clear()
        self.text_view.document().clearUndoRedoStacks()
        self.title.clear()
        self.details.clear()
        self.notice.clear()
        self.notice.hide()
        self.message.clear()
        self._item = None
        self._set_kind(Shown.NOTHING)

    # -- media ---------------------------------------------------------------

    @Slot()
    def toggle_playback(self) -> None:
        if self._kind is not Shown.MEDIA or self._media_device is None:
            return
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()
        else:
            self.player.play()

    def seek_by(self, delta_ms: int) -> None:
        if self._kind is not Shown.MEDIA or self._media_device is None:
            return
        self.seek(self.player.position() + delta_ms)

    def seek(self, position_ms: int) -> None:
        if self._kind is not Shown.MEDIA or self._media_device is None:
            return
        end = self._duration or self.player.duration()
        self.player.setPosition(max(0, min(position_ms, end)) if end > 0 else max(0, position_ms))

    def _show_media(self, reader: BlobReader) -> None:
        self._media_failed = False
        self._media_token = self._next_token()
        self._media_device = BlobDevice(reader)
        self.video_widget.show()
        self.audio_label.hide()
        self._show_playing(False)
        self._update_time(0)
        # A reset first: setSource() lets Qt's loader thread finish without the
        # GIL; setSourceDevice() would wait for it while holding the GIL.
        self.player.setSource(QUrl())
        # No URL: Qt gets no name to guess from and no path to open.
        self.player.setSourceDevice(self._media_device, QUrl())
        self.player.pause()  # shows the first frame once loaded, does not play
        self._set_kind(Shown.MEDIA)
        self.shown.emit(Shown.MEDIA.value)

    def _stop_media(self) -> None:
        if self._media_device is None and self.player.mediaStatus() == QMediaPlayer.MediaStatus.NoMedia:
            return
        self.player.stop()
        # Waits (without the GIL) for Qt's loader and demuxer threads: nothing
        # reads the device after this.
        self.player.setSource(QUrl())
        self.video_widget.videoSink().setVideoFrame(QVideoFrame())  # drop the last frame
        if self._media_device is not None:
            self._media_device.close()
            self._media_device = None
        self._media_token = 0
        self._duration = 0
        self.position_slider.setRange(0, 0)
        self._update_time(0)
        self._show_playing(False)

    def _media_failure(self) -> FieldvaultError | None:
        device = self._media_device
        failure = None if device is None else device.failure
        return None if isinstance(failure, DeviceAborted) else failure

    @Slot("qint64")
    def _on_position(self, position: int) -> None:
        if self._kind is not Shown.MEDIA:
            return
        if not self.position_slider.isSliderDown() and self._duration > 0:
            value = min(SLIDER_STEPS, position * SLIDER_STEPS // self._duration)
            if value != self.position_slider.value():
                self.position_slider.setValue(value)
        self._update_time(position)

    @Slot("qint64")
    def _on_duration(self, duration: int) -> None:
        self._duration = max(0, duration)
        self.position_slider.setRange(0, SLIDER_STEPS if self._duration else 0)
        self.position_slider.setPageStep(max(1, SLIDER_STEPS // 10))
        self._update_time(self.player.position())

    def _update_time(self, position: int) -> None:
        text = self.tr("{position} / {duration}").format(
            position=format_time(position), duration=format_time(self._duration)
        )
        if text != self.time_label.text():  # once a second, not at every position report
            self.time_label.setText(text)

    def _seek_to_slider(self, value: int) -> None:
        if self._duration > 0:
            self.seek(value * self._duration // SLIDER_STEPS)

    def _on_slider_action(self, action: int) -> None:
        if action != QSlider.SliderAction.SliderMove.value:
            self._seek_to_slider(self.position_slider.sliderPosition())

    def _on_playback_state(self, state: QMediaPlayer.PlaybackState) -> None:
        self._show_playing(state == QMediaPlayer.PlaybackState.PlayingState)

    def _show_playing(self, playing: bool) -> None:
        """The play button offers what a click does: pause while playing."""
        self.play_button.setText(self.tr("Pause") if playing else self.tr("Play"))
        self.play_button.setIcon(icon("pause" if playing else "play"))

    def _on_has_video(self, has_video: bool) -> None:
        if self._kind is Shown.MEDIA:
            self.video_widget.setVisible(has_video)
            self.audio_label.setVisible(not has_video)

    def _on_media_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if self._kind is not Shown.MEDIA or self._media_failed:
            return
        failure = self._media_failure()
        if failure is not None and status in (
            QMediaPlayer.MediaStatus.EndOfMedia,
            QMediaPlayer.MediaStatus.InvalidMedia,
        ):
            self._fail_media(error_message(failure))
            return
        if status == QMediaPlayer.MediaStatus.LoadedMedia:
            self._on_has_video(self.player.hasVideo())
        no_sound = QMediaDevices.defaultAudioOutput().isNull()
        if status == QMediaPlayer.MediaStatus.LoadedMedia and self.player.hasAudio() and no_sound:
            self._show_notice(self.tr("No sound device was found: the recording plays without sound."))

    def _on_media_error(self, _error: QMediaPlayer.Error, reason: str) -> None:
        if self._kind is not Shown.MEDIA or self._media_failed:
            return
        failure = self._media_failure()
        if failure is not None:
            self._fail_media(error_message(failure))
            return
        self._fail_media(
            self.tr(
                "This recording cannot be played here ({reason}). Export it to open it with another program."
            ).format(reason=reason or self.tr("unknown error")),
            offer_export=True,
        )

    def _fail_media(self, text: str, *, offer_export: bool = False) -> None:
        """Called from the player's own signals: the player is reset just after,
        not from inside its emission."""
        self._media_failed = True
        self._show_message(text, Shown.ERROR, offer_export=offer_export)
        token = self._media_token
        QTimer.singleShot(0, self, lambda: self._stop_failed_media(token))

    def _stop_failed_media(self, token: int) -> None:
        if self._media_failed and self._media_token == token:
            self._stop_media()

    # -- images --------------------------------------------------------------

    def _on_image_decoded(self, report: ImageDecoded) -> None:
        self._image = report.image
        self._zoom = None
        self._set_kind(Shown.IMAGE)
        self._render_image()
        self.shown.emit(Shown.IMAGE.value)

    def zoom_by(self, factor: float) -> None:
        if self._kind is not Shown.IMAGE or self._image is None:
            return
        current = self._zoom if self._zoom is not None else self._fit_scale()
        self._zoom = min(max(current * factor, ZOOM_RANGE[0]), ZOOM_RANGE[1])
        self._render_image()

    def zoom_to_fit(self) -> None:
        if self._kind is not Shown.IMAGE:
            return
        self._zoom = None
        self._render_image()

    def _fit_scale(self) -> float:
        """Fit: shrink a large image to the window, never enlarge a small one."""
        if self._image is None or self._image.isNull():
            return 1.0
        room = self.image_area.viewport().size()
        scale = min(room.width() / self._image.width(), room.height() / self._image.height())
        return min(1.0, scale) if scale > 0 else 1.0

    def _render_image(self) -> None:
        if self._image is None:
            return
        scale = self._zoom if self._zoom is not None else self._fit_scale()
        size = QSize(max(1, round(self._image.width() * scale)), max(1, round(self._image.height() * scale)))
        if size == self._image.size():
            pixmap = QPixmap.fromImage(self._image)
        else:
            pixmap = QPixmap.fromImage(
                self._image.scaled(
                    size, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation
                )
            )
        self.image_label.setPixmap(pixmap)
        self.image_label.resize(pixmap.size())
        percent = round(scale * 100)
        self.image_label.setToolTip(self.tr("Zoom: {percent} %").format(percent=percent))

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt's name
        """Hidden (another screen, the window minimised): no sound keeps playing."""
        super().hideEvent(event)
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self._kind is Shown.IMAGE and self._zoom is None:
            self._render_image()

    # -- PDF -----------------------------------------------------------------

    def _on_pdf_read(self, report: BytesRead) -> None:
        data = QByteArray(report.data)
        report.data[:] = bytes(len(report.data))  # the worker's copy: zeroed now
        buffer = QBuffer(self)
        buffer.setData(data)
        del data  # the buffer's array is then the only one, and zeroed in place later
        buffer.open(QIODevice.OpenModeFlag.ReadWrite)
        self._pdf_buffer = buffer
        self.pdf_document.load(buffer)
        if self.pdf_document.status() != QPdfDocument.Status.Ready:
            error = self.pdf_document.error()
            self._close_pdf()
            if error == QPdfDocument.Error.IncorrectPassword:
                text = self.tr(
                    "This PDF is protected by a password. Export it to open it with another program."
                )
            else:
                text = self.tr("This PDF cannot be shown here. Export it to open it with another program.")
            self._show_message(text, Shown.ERROR, offer_export=True)
            return
        self._set_kind(Shown.PDF)
        self.shown.emit(Shown.PDF.value)

    def _close_pdf(self) -> None:
        self.pdf_document.close()
        buffer, self._pdf_buffer = self._pdf_buffer, None
        if buffer is not None:
            size = buffer.size()
            buffer.seek(0)
            buffer.write(QByteArray(size, 0))
            buffer.close()
            buffer.setData(QByteArray())
            buffer.deleteLater()

    # -- text ----------------------------------------------------------------

    def _show_text(self, reader: BlobReader) -> None:
        try:
            total = reader.size
            data = reader.read(TEXT_LIMIT)
        except FieldvaultError as err:
            self._show_error(error_message(err))
            return
        finally:
            reader.close()
        self.text_view.setPlainText(decode_text(data))
        if total > len(data):
            self._show_notice(
                self.tr("Showing the first {shown} of {total}. Export the item to read all of it.").format(
                    shown=QLocale().formattedDataSize(len(data)), total=QLocale().formattedDataSize(total)
                )
            )
        self._set_kind(Shown.TEXT)
        self.shown.emit(Shown.TEXT.value)

    # -- jobs, messages ----------------------------------------------------

    def _next_token(self) -> int:
        self._token += 1
        return self._token

    def _start_job(self, job: _ReadJob) -> None:
        self._job = job
        job.signals.succeeded.connect(self._on_job_succeeded)
        job.signals.failed.connect(self._on_job_failed)
        self.empty_page.setText(self.tr("Opening…"))
        self._pool.start(job)

    def _current_job(self, token: int) -> bool:
        """Whether a report comes from the job of the item shown (not one
        cleared since)."""
        if self._job is None or self._job.token != token:
            return False
        self._job = None
        return True

    @Slot(object)
    def _on_job_succeeded(self, message: tuple[int, object]) -> None:
        token, report = message
        if not self._current_job(token):
            return
        if isinstance(report, ImageDecoded):
            self._on_image_decoded(report)
        elif isinstance(report, BytesRead):
            self._on_pdf_read(report)

    @Slot(object)
    def _on_job_failed(self, message: tuple[int, OperationFailed]) -> None:
        token, report = message
        if not self._current_job(token) or isinstance(report.error, DeviceAborted):
            return
        if report.error is None and report.error_type == _NotDecodable.__name__:
            self._show_message(
                self.tr("This image cannot be decoded. Export it to open it with another program."),
                Shown.ERROR,
                offer_export=True,
            )
            return
        self._show_error(failure_message(report))

    def _show_error(self, text: str) -> None:
        self._show_message(self.tr("This item cannot be shown.") + "\n\n" + text, Shown.ERROR)

    def _show_message(self, text: str, kind: Shown, *, offer_export: bool = False) -> None:
        self.message.setText(text)
        self.export_button.setVisible(offer_export and self._item is not None)
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
        page = {
            Shown.NOTHING: self.empty_page,
            Shown.IMAGE: self.image_area,
            Shown.PDF: self.pdf_view,
            Shown.TEXT: self.text_view,
            Shown.MEDIA: self.media_page,
            Shown.UNSUPPORTED: self.message_page,
            Shown.ERROR: self.message_page,
        }[kind]
        if kind is Shown.NOTHING:
            self.empty_page.setText(self.tr("No item is open."))
        self.stack.setCurrentWidget(page)
        for shortcut in self._media_shortcuts:
            shortcut.setEnabled(kind is Shown.MEDIA)
        for shortcut in self._image_shortcuts:
            shortcut.setEnabled(kind is Shown.IMAGE)
