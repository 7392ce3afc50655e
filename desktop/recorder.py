"""Recording an interview from the microphone into the vault.

Qt Multimedia's ``QAudioSource`` delivers 48 kHz mono 16-bit PCM; each chunk
goes to a ``db`` ``Recording``, which encodes and encrypts it in this process
(db/recording.py): nothing is written in plaintext. The widget shows the
elapsed time and a level meter, and has Record, Pause/Resume, Marker and
Stop. Without a microphone (a server, CI) Record says so and starts nothing.
"""

from __future__ import annotations

from PySide6.QtCore import QIODevice, QTimer, Signal, Slot
from PySide6.QtMultimedia import QAudioFormat, QAudioSource, QMediaDevices
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton, QVBoxLayout, QWidget

from db.api import FieldvaultError, Recording, Vault
from desktop.messages import error_message
from desktop.qt_logging import silence_media_logs

SAMPLE_RATE = 48_000
REFRESH_MS = 100


def format_elapsed(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


class RecorderWidget(QWidget):
    """Records one interview at a time for ``testimony_id`` of ``case_id``.
    ``recorded(evidence_id)`` when a recording was stopped and stored."""

    recorded = Signal(str)

    def __init__(self, vault: Vault, case_id: str, testimony_id: str = "") -> None:
        super().__init__()
        self._vault = vault
        self._case_id = case_id
        self._testimony_id = testimony_id
        self._recording: Recording | None = None
        self._source: QAudioSource | None = None
        self._input: QIODevice | None = None

        self.status = QLabel(self.tr("Ready to record."))
        self.status.setWordWrap(True)
        self.elapsed = QLabel(format_elapsed(0))
        self.elapsed.setAccessibleName(self.tr("Time recorded"))
        self.meter = QProgressBar()
        self.meter.setRange(0, 100)
        self.meter.setTextVisible(False)
        self.meter.setAccessibleName(self.tr("Sound level"))
        self.record_button = QPushButton(self.tr("Record"))
        self.pause_button = QPushButton(self.tr("Pause"))
        self.marker_label = QLineEdit()
        self.marker_label.setPlaceholderText(self.tr("Marker note (optional)"))
        self.marker_button = QPushButton(self.tr("Add marker"))
        self.stop_button = QPushButton(self.tr("Stop and save"))

        buttons = QHBoxLayout()
        for button in (self.record_button, self.pause_button, self.stop_button):
            buttons.addWidget(button)
        markers = QHBoxLayout()
        markers.addWidget(self.marker_label, 1)
        markers.addWidget(self.marker_button)
        clock = QHBoxLayout()
        clock.addWidget(self.elapsed)
        clock.addWidget(self.meter, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(clock)
        layout.addLayout(buttons)
        layout.addLayout(markers)
        layout.addWidget(self.status)

        self.record_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.marker_button.clicked.connect(self.add_marker)
        self.stop_button.clicked.connect(self.stop)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._refresh)
        self._update_buttons()

    @property
    def recording(self) -> Recording | None:
        return self._recording

    def _update_buttons(self) -> None:
        active = self._recording is not None
        self.record_button.setEnabled(not active)
        self.pause_button.setEnabled(active)
        self.marker_button.setEnabled(active)
        self.stop_button.setEnabled(active)
        paused = active and self._recording is not None and self._recording.paused
        self.pause_button.setText(self.tr("Resume") if paused else self.tr("Pause"))

    @Slot()
    def start(self) -> None:
        silence_media_logs()
        device = QMediaDevices.defaultAudioInput()
        if device.isNull():
            self.status.setText(
                self.tr(
                    "No microphone was found, so nothing is being recorded. Connect one (or allow "
                    "this app to use it in the system's settings) and press Record again."
                )
            )
            return
        audio_format = QAudioFormat()
        audio_format.setSampleRate(SAMPLE_RATE)
        audio_format.setChannelCount(1)
        audio_format.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        if not device.isFormatSupported(audio_format):
            self.status.setText(
                self.tr(
                    "The microphone cannot deliver sound in the form the recorder takes (48 kHz), "
                    "so nothing is being recorded. Choose another microphone in the system's settings."
                )
            )
            return
        if not self.begin():
            return
        self._source = QAudioSource(device, audio_format, self)
        self._input = self._source.start()
        self._input.readyRead.connect(self._read_audio)

    def begin(self) -> bool:
        """Open the recording in the vault; the audio then comes through ``feed``."""
        try:
            self._recording = self._vault.start_recording(self._case_id, self._testimony_id)
        except FieldvaultError as err:
            self.status.setText(error_message(err))
            return False
        self.status.setText(self.tr("Recording…"))
        self._timer.start()
        self._update_buttons()
        return True

    @Slot()
    def _read_audio(self) -> None:
        if self._input is not None:
            self.feed(bytes(self._input.readAll().data()))

    def feed(self, pcm: bytes) -> None:
        """Audio from the source: 48 kHz mono signed 16-bit PCM."""
        if self._recording is None:
            return
        try:
            self._recording.push(pcm)
        except FieldvaultError as err:
            self._halt()
            self.status.setText(error_message(err))

    @Slot()
    def toggle_pause(self) -> None:
        if self._recording is None:
            return
        if self._recording.paused:
            self._recording.resume()
            self.status.setText(self.tr("Recording…"))
        else:
            self._recording.pause()
            self.status.setText(self.tr("Paused: nothing is recorded until you resume."))
        self._update_buttons()

    @Slot()
    def add_marker(self) -> None:
        if self._recording is None:
            return
        try:
            marker = self._recording.mark(self.marker_label.text().strip())
        except FieldvaultError as err:
            self.status.setText(error_message(err))
            return
        self.marker_label.clear()
        self.status.setText(self.tr("Marker added at {time}.").format(time=format_elapsed(marker.at_seconds)))

    @Slot()
    def stop(self) -> None:
        recording = self._recording
        if recording is None:
            return
        self._halt()
        try:
            result = recording.stop()
        except FieldvaultError as err:
            self.status.setText(error_message(err))
            return
        self.status.setText(self.tr("The recording is saved in the vault as evidence."))
        self.recorded.emit(result.item.id)

    def _halt(self) -> None:
        """Stop the microphone and the clock; the recording object is let go."""
        if self._source is not None:
            self._source.stop()
            self._source = None
        self._input = None
        self._recording = None
        self._timer.stop()
        self.meter.setValue(0)
        self._update_buttons()

    @Slot()
    def _refresh(self) -> None:
        if self._recording is not None:
            self.elapsed.setText(format_elapsed(self._recording.elapsed))
            self.meter.setValue(round(self._recording.level[1] * 100))
