"""The evidence viewer's reads off the GUI thread: an image decoded in a
confined child process (``db.sandbox``: the bytes are attacker-chosen), fed
through a pipe; a PDF read into memory whole. Each job reports one
``(token, report)`` through its ``WorkerSignals``; ``abort()`` stops it from
any thread (it then reports ``DeviceAborted``, which the viewer ignores)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from PySide6.QtCore import QRunnable
from PySide6.QtGui import QImage

from db.blobformat import BlobReader
from db.errors import FieldvaultError
from db.sandbox import IMAGE_MAX_SIDE, SandboxFailed, SandboxRun, image_run
from desktop.blob_device import DeviceAborted
from desktop.thumbnails import decode_in_box
from desktop.workers import OperationFailed, WorkerSignals

READ_CHUNK = 1 << 20


@dataclass(frozen=True)
class ImageDecoded:
    image: QImage


@dataclass(frozen=True)
class BytesRead:
    """A whole item in memory (a PDF)."""

    data: bytearray


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


class BytesJob(ReadJob):
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
