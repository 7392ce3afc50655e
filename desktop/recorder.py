"""Recording an interview from the microphone into the vault.

Qt Multimedia's ``QAudioSource`` delivers 48 kHz mono 16-bit PCM in the GUI
thread; each chunk is handed, as it is, to an ``EncoderThread`` (a plain
Python thread, one per recording) through a queue. That thread alone touches
the ``db`` ``Recording``: it encodes and encrypts the audio in this process
(db/recording.py), so nothing is written in plaintext and the window keeps
responding however slow the encoder is. The GUI only reads the elapsed time
and the level the thread publishes, and receives its reports (a marker
placed, the recording stored, a failure) as queued Qt signals.

Commands go through the same queue as the audio, so a marker or a pause takes
effect exactly after the audio that arrived before the click.

The widget shows the elapsed time and a level meter, and has Record,
Pause/Resume, Add marker and Stop and save. Without a microphone (a server,
CI) Record says so and starts nothing. ``finish()`` (closing the recorder,
locking the vault) stops and stores a recording under way before returning.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from dataclasses import dataclass

from PySide6.QtCore import QIODevice, QObject, QTimer, Signal, SignalInstance, Slot
from PySide6.QtMultimedia import QAudioFormat, QAudioSource, QMediaDevices
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton, QVBoxLayout, QWidget

from db.api import FieldvaultError, Marker, Recording, Vault
from desktop.autolock import ACTIVITY
from desktop.messages import error_message
from desktop.qt_logging import silence_media_logs

SAMPLE_RATE = 48_000
REFRESH_MS = 100
# How long finish() waits for the encoder to store the recording (the last
# packets, then the intake: a hash already made, one database write that may
# wait for another writer up to SQLite's 5 s busy timeout).
FINISH_WAIT_S = 15.0


def format_elapsed(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


@dataclass(frozen=True)
class _Audio:
    pcm: bytes


@dataclass(frozen=True)
class _Mark:
    label: str


@dataclass(frozen=True)
class _Pause:
    paused: bool


@dataclass(frozen=True)
class _Stop:
    pass


_Command = _Audio | _Mark | _Pause | _Stop


class EncoderReports(QObject):
    """What the encoder thread tells the GUI; lives in the GUI thread, so its
    signals arrive there (queued)."""

    # Each carries the encoder that reports: a report of a recording the
    # widget no longer waits for (finish() took its result) is dropped.
    marked = Signal(object, object)  # EncoderThread, Marker
    stored = Signal(object, str)  # EncoderThread, evidence id
    failed = Signal(object, object)  # EncoderThread, FieldvaultError


class EncoderThread(threading.Thread):
    """Owns one ``Recording`` from its start to its stop: pushes the audio,
    places markers, pauses, stops. ``elapsed`` and ``level`` are for display."""

    def __init__(self, recording: Recording, reports: EncoderReports) -> None:
        super().__init__(name="recording-encoder", daemon=True)
        self._recording = recording
        self._reports = reports
        self._commands: queue.SimpleQueue[_Command] = queue.SimpleQueue()
        self.elapsed = 0.0
        self.peak = 0.0
        self.evidence_id: str | None = None  # once stored
        self.failure: FieldvaultError | None = None

    def send(self, command: _Command) -> None:
        self._commands.put(command)

    def run(self) -> None:
        recording = self._recording
        while True:
            command = self._commands.get()
            try:
                if isinstance(command, _Audio):
                    recording.push(command.pcm)
                    self.elapsed = recording.elapsed
                    self.peak = recording.level[1]
                elif isinstance(command, _Mark):
                    self._report(self._reports.marked, recording.mark(command.label))
                elif isinstance(command, _Pause):
                    if command.paused:
                        recording.pause()
                    else:
                        recording.resume()
                else:
                    self.evidence_id = recording.stop().item.id
                    self._report(self._reports.stored, self.evidence_id)
                    return
            except FieldvaultError as err:
                self._fail(err)
                return

    def _fail(self, err: FieldvaultError) -> None:
        """The audio cannot go on (a full disk, a vault locked under it):
        what was recorded is stored if it can be; else its journal stays for
        the next unlock to recover."""
        self.failure = err
        with contextlib.suppress(FieldvaultError):
            self.evidence_id = self._recording.stop().item.id
        if self.evidence_id is None:
            self._recording.abandon()
        self._report(self._reports.failed, err)

    def _report(self, signal: SignalInstance, value: object) -> None:
        with contextlib.suppress(RuntimeError):  # the widget is gone: nobody listens
            signal.emit(self, value)


class RecorderWidget(QWidget):
    """Records one interview at a time for ``testimony_id`` of ``case_id``.
    ``recorded(evidence_id)`` when a recording was stopped and stored."""

    recorded = Signal(str)

    def __init__(self, vault: Vault, case_id: str, testimony_id: str = "") -> None:
        super().__init__()
        self._vault = vault
        self._case_id = case_id
        self._testimony_id = testimony_id
        self._encoder: EncoderThread | None = None
        # Encoders whose reports this widget still shows (the one recording,
        # and one stopped and still storing its recording).
        self._listening: set[EncoderThread] = set()
        self._paused = False
        self._source: QAudioSource | None = None
        self._input: QIODevice | None = None
        self._reports = EncoderReports(self)

        self.status = QLabel(self.tr("Ready to record."))
        self.status.setWordWrap(True)
        self.elapsed = QLabel(format_elapsed(0))
        self.elapsed.setAccessibleName(self.tr("Time recorded"))
        self.meter = QProgressBar()
        self.meter.setRange(0, 100)
        self.meter.setTextVisible(False)
        self.meter.setAccessibleName(self.tr("Sound level"))
        self.record_button = QPushButton(self.tr("&Record"))
        self.pause_button = QPushButton(self.tr("&Pause"))
        self.marker_label = QLineEdit()
        self.marker_label.setPlaceholderText(self.tr("Marker note (optional)"))
        self.marker_label.setAccessibleName(self.tr("Marker note; Enter adds the marker"))
        self.marker_button = QPushButton(self.tr("Add &marker"))
        self.stop_button = QPushButton(self.tr("&Stop and save"))

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
        self.marker_label.returnPressed.connect(self.add_marker)
        self.stop_button.clicked.connect(self.stop)
        self._reports.marked.connect(self._on_marked)
        self._reports.stored.connect(self._on_stored)
        self._reports.failed.connect(self._on_failed)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._refresh)
        self._update_buttons()

    @property
    def is_recording(self) -> bool:
        """A recording is under way (possibly paused)."""
        return self._encoder is not None

    @property
    def encoder(self) -> EncoderThread | None:
        return self._encoder

    def _update_buttons(self) -> None:
        active = self._encoder is not None
        self.record_button.setEnabled(not active)
        self.pause_button.setEnabled(active)
        self.marker_button.setEnabled(active)
        self.stop_button.setEnabled(active)
        paused = active and self._paused
        self.pause_button.setText(self.tr("Res&ume") if paused else self.tr("&Pause"))

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
        """Open the recording in the vault and start its encoder thread; the
        audio then comes through ``feed``."""
        if self._encoder is not None:
            return False
        try:
            recording = self._vault.start_recording(self._case_id, self._testimony_id)
        except FieldvaultError as err:
            self.status.setText(error_message(err))
            return False
        self._encoder = EncoderThread(recording, self._reports)
        self._listening.add(self._encoder)
        self._encoder.start()
        ACTIVITY.hold(self)  # a recording under way keeps the idle lock waiting (desktop/autolock.py)
        self._paused = False
        self.status.setText(self.tr("Recording…"))
        self._timer.start()
        self._update_buttons()
        return True

    @Slot()
    def _read_audio(self) -> None:
        if self._input is not None:
            self.feed(bytes(self._input.readAll().data()))

    def feed(self, pcm: bytes) -> None:
        """Audio from the source: 48 kHz mono signed 16-bit PCM. Queued for
        the encoder thread; returns at once."""
        if self._encoder is not None and pcm:
            self._encoder.send(_Audio(pcm))

    @Slot()
    def toggle_pause(self) -> None:
        if self._encoder is None:
            return
        self._paused = not self._paused
        self._encoder.send(_Pause(self._paused))
        # Paused, nothing is being recorded: the idle lock runs again, so a
        # worker called away mid-interview does not leave the vault open.
        if self._paused:
            ACTIVITY.release(self)
        else:
            ACTIVITY.hold(self)
        self.status.setText(
            self.tr("Paused: nothing is recorded until you resume.")
            if self._paused
            else self.tr("Recording…")
        )
        self._update_buttons()

    @Slot()
    def add_marker(self) -> None:
        if self._encoder is None:
            return
        self._encoder.send(_Mark(self.marker_label.text().strip()))
        self.marker_label.clear()

    @Slot()
    def stop(self) -> None:
        """Stop the microphone; the encoder finishes and stores the recording,
        then ``recorded`` follows (the window keeps responding meanwhile)."""
        encoder = self._encoder
        if encoder is None:
            return
        self._halt()
        encoder.send(_Stop())
        self.status.setText(self.tr("Saving the recording…"))

    def finish(self, *, wait: bool = True) -> str | None:
        """Stop a recording under way and, with ``wait``, return once it is
        stored (its evidence id; None if there was none or it failed, its
        journal then left for the next unlock). Call it before the vault
        locks; a panic wipe passes ``wait=False``."""
        encoder = self._encoder
        if encoder is None:
            return None
        self._halt()
        self._listening.discard(encoder)  # its result is returned here
        encoder.send(_Stop())
        if not wait:
            return None
        encoder.join(FINISH_WAIT_S)
        return encoder.evidence_id

    def _halt(self) -> None:
        """Stop the microphone and the clock; the encoder is let go (it
        finishes on its own)."""
        if self._source is not None:
            self._source.stop()
            self._source = None
        self._input = None
        self._encoder = None
        ACTIVITY.release(self)
        self._paused = False
        self._timer.stop()
        self.meter.setValue(0)
        self._update_buttons()

    # -- the encoder's reports ---------------------------------------------------

    @Slot(object, object)
    def _on_marked(self, encoder: EncoderThread, marker: Marker) -> None:
        if encoder is self._encoder:
            self.status.setText(
                self.tr("Marker added at {time}.").format(time=format_elapsed(marker.at_seconds))
            )

    @Slot(object, str)
    def _on_stored(self, encoder: EncoderThread, evidence_id: str) -> None:
        if encoder not in self._listening:
            return
        self._listening.discard(encoder)
        self.status.setText(self.tr("The recording is saved in the vault as evidence."))
        self.recorded.emit(evidence_id)

    @Slot(object, object)
    def _on_failed(self, encoder: EncoderThread, err: FieldvaultError) -> None:
        if encoder not in self._listening:
            return
        self._listening.discard(encoder)
        if encoder is self._encoder:
            self._halt()
        self.status.setText(error_message(err))
        if encoder.evidence_id is not None:  # what was recorded before the failure is kept
            self.recorded.emit(encoder.evidence_id)

    @Slot()
    def _refresh(self) -> None:
        if self._encoder is not None:
            self.elapsed.setText(format_elapsed(self._encoder.elapsed))
            self.meter.setValue(round(self._encoder.peak * 100))
