"""Audio and video, played by Qt Multimedia (FFmpeg backend) through a
``BlobDevice`` over the seekable blob reader: nothing decrypted touches the
disk. Space plays or pauses, Left and Right seek 5 seconds.

Qt Multimedia may have no sound device (as on a server or in CI): the player
then plays silently and the page says so (``notice``).

A recording made in the app (db/recording.py) brings its markers: the moments
the interviewer marked, from the item's signed ``claimed`` data. They are
listed beside the player (time and note); choosing one (click, or Enter in
the list) seeks there.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer, QVideoFrame
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
)

from db.api import BlobReader, EvidenceItem, FieldvaultError, Marker, markers_of
from desktop.blob_device import BlobDevice, DeviceAborted
from desktop.icons import icon
from desktop.messages import error_message
from desktop.qt_logging import silence_media_logs
from desktop.viewer_page import KeyAction, ViewerPage

SEEK_STEP_MS = 5_000
SLIDER_STEPS = 1_000  # the position slider's resolution, whatever the duration


def recording_markers(item: EvidenceItem | None) -> list[Marker]:
    """The markers a recording's item holds; none for other items, and none
    from claims that do not parse (an item from elsewhere is still played)."""
    if item is None:
        return []
    try:
        return markers_of(item)
    except (ValueError, KeyError, TypeError, AttributeError):
        return []


def format_time(ms: int) -> str:
    seconds = max(0, ms) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{seconds:02}" if hours else f"{minutes}:{seconds:02}"


class MediaPage(ViewerPage):
    """``play(reader)`` loads the item paused on its first frame.

    ``failed(text, offer_export)``: the recording cannot be played (the page
    has stopped it); ``notice(text)``: something to say beside it."""

    failed = Signal(str, bool)
    notice = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self._device: BlobDevice | None = None
        self._duration = 0
        self._failed = False
        self._token = 0  # identifies the media loaded, for a stop scheduled after a failure
        self._next_token = 0

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
        self.markers_heading = QLabel(self.tr("Markers (choose one to go there):"))
        self.markers_list = QListWidget()
        self.markers_list.setAccessibleName(self.tr("Markers of the recording; Enter goes to the marker"))
        self.markers_heading.setBuddy(self.markers_list)
        self.markers_heading.hide()
        self.markers_list.hide()
        controls = QHBoxLayout()
        controls.addWidget(self.play_button)
        controls.addWidget(self.position_slider, 1)
        controls.addWidget(self.time_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.video_widget, 1)
        layout.addWidget(self.audio_label, 1)
        layout.addLayout(controls)
        layout.addWidget(self.markers_heading)
        layout.addWidget(self.markers_list)

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
        self.markers_list.itemClicked.connect(self._go_to_marker)
        self.markers_list.itemActivated.connect(self._go_to_marker)
        self._update_time(0)

    @property
    def device(self) -> BlobDevice | None:
        """The device the player reads, while audio or video is loaded."""
        return self._device

    def key_actions(self) -> list[KeyAction]:
        return [
            (QKeySequence(Qt.Key.Key_Space), self.toggle_playback),
            (QKeySequence(Qt.Key.Key_Left), lambda: self.seek_by(-SEEK_STEP_MS)),
            (QKeySequence(Qt.Key.Key_Right), lambda: self.seek_by(SEEK_STEP_MS)),
        ]

    # -- playing -------------------------------------------------------------

    def play(self, reader: BlobReader, markers: list[Marker] | None = None) -> None:
        """Load the item from ``reader``, paused (the first frame shows once
        loaded), with the recording's ``markers`` listed beside it."""
        self._show_markers(markers or [])
        self._failed = False
        self._next_token += 1
        self._token = self._next_token
        self._device = BlobDevice(reader)
        self.video_widget.show()
        self.audio_label.hide()
        self._show_playing(False)
        self._update_time(0)
        # A reset first: setSource() lets Qt's loader thread finish without the
        # GIL; setSourceDevice() would wait for it while holding the GIL.
        self.player.setSource(QUrl())
        # No URL: Qt gets no name to guess from and no path to open.
        self.player.setSourceDevice(self._device, QUrl())
        self.player.pause()

    @Slot()
    def toggle_playback(self) -> None:
        if not self.active or self._device is None:
            return
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()
        else:
            self.player.play()

    def pause(self) -> None:
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()

    def seek_by(self, delta_ms: int) -> None:
        if not self.active or self._device is None:
            return
        self.seek(self.player.position() + delta_ms)

    def seek(self, position_ms: int) -> None:
        if not self.active or self._device is None:
            return
        end = self._duration or self.player.duration()
        self.player.setPosition(max(0, min(position_ms, end)) if end > 0 else max(0, position_ms))

    def _show_markers(self, markers: list[Marker]) -> None:
        self.markers_list.clear()
        for marker in markers:
            text = format_time(round(marker.at_seconds * 1000))
            entry = QListWidgetItem(f"{text}  {marker.label}" if marker.label else text)
            entry.setData(Qt.ItemDataRole.UserRole, round(marker.at_seconds * 1000))
            self.markers_list.addItem(entry)
        self.markers_heading.setVisible(bool(markers))
        self.markers_list.setVisible(bool(markers))
        if markers:
            rows = min(len(markers), 5)
            self.markers_list.setMaximumHeight(self.markers_list.sizeHintForRow(0) * rows + 6)

    def marker_texts(self) -> list[str]:
        return [self.markers_list.item(row).text() for row in range(self.markers_list.count())]

    @Slot(QListWidgetItem)
    def _go_to_marker(self, entry: QListWidgetItem) -> None:
        self.seek(int(entry.data(Qt.ItemDataRole.UserRole)))

    def clear(self) -> None:
        """Stop, and close the device once Qt's threads no longer read it."""
        self._show_markers([])  # a recording's notes are witness data too
        if self._device is None and self.player.mediaStatus() == QMediaPlayer.MediaStatus.NoMedia:
            return
        # No stop() first: PySide holds the GIL through it, and Qt's stop may
        # wait for its demuxer thread, which may be waiting for the GIL inside
        # BlobDevice.readData (a CI run hung there for good). An empty source
        # stops playback too, and waits for Qt's loader and demuxer threads
        # without the GIL: nothing reads the device after this.
        self.player.setSource(QUrl())
        self.video_widget.videoSink().setVideoFrame(QVideoFrame())  # drop the last frame
        if self._device is not None:
            self._device.close()
            self._device = None
        self._token = 0
        self._duration = 0
        self.position_slider.setRange(0, 0)
        self._update_time(0)
        self._show_playing(False)

    # -- the player's reports ----------------------------------------------------

    def _device_failure(self) -> FieldvaultError | None:
        device = self._device
        failure = None if device is None else device.failure
        return None if isinstance(failure, DeviceAborted) else failure

    @Slot("qint64")
    def _on_position(self, position: int) -> None:
        if not self.active:
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
        if self.active:
            self.video_widget.setVisible(has_video)
            self.audio_label.setVisible(not has_video)

    def _on_media_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if not self.active or self._failed or self._device is None:  # a report about a cleared item
            return
        failure = self._device_failure()
        if failure is not None and status in (
            QMediaPlayer.MediaStatus.EndOfMedia,
            QMediaPlayer.MediaStatus.InvalidMedia,
        ):
            self._fail(error_message(failure))
            return
        if status == QMediaPlayer.MediaStatus.LoadedMedia:
            self._on_has_video(self.player.hasVideo())
        no_sound = QMediaDevices.defaultAudioOutput().isNull()
        if status == QMediaPlayer.MediaStatus.LoadedMedia and self.player.hasAudio() and no_sound:
            self.notice.emit(self.tr("No sound device was found: the recording plays without sound."))

    def _on_media_error(self, _error: QMediaPlayer.Error, reason: str) -> None:
        if not self.active or self._failed or self._device is None:
            return
        failure = self._device_failure()
        if failure is not None:
            self._fail(error_message(failure))
            return
        self._fail(
            self.tr(
                "This recording cannot be played here ({reason}). Export it to open it with another program."
            ).format(reason=reason or self.tr("unknown error")),
            offer_export=True,
        )

    def _fail(self, text: str, *, offer_export: bool = False) -> None:
        """Called from the player's own signals: the player is reset just after,
        not from inside its emission."""
        self._failed = True
        self.failed.emit(text, offer_export)
        token = self._token
        QTimer.singleShot(0, self, lambda: self._stop_failed(token))

    def _stop_failed(self, token: int) -> None:
        if self._failed and self._token == token:
            self.clear()
