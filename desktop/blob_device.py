"""A QIODevice over an encrypted evidence blob, so Qt reads evidence from memory.

``BlobDevice`` wraps the vault's ``BlobReader`` (seekable, read-only, decrypting
only the 1 MiB segments a read touches). Qt Multimedia (``QMediaPlayer.
setSourceDevice``) reads audio and video from it, so no decrypted byte is ever
written to a temporary file. (Images are not decoded in this process at all:
``desktop.thumbnails.decode_in_box`` pipes them to a confined child.)

Threads. Qt Multimedia's FFmpeg backend opens the media on a QtConcurrent pool
thread and demuxes on a thread of its own: ``readData``, ``seek``, ``size`` and
``atEnd`` are then called off the GUI thread (checked in Qt's
``qffmpegmediaplayer.cpp`` / ``qffmpegioutils.cpp``, and by test). Every use of
the reader therefore happens under one lock, and ``abort()`` may be called from
any thread. The QIODevice's own state (position, open mode) is Qt's and is not
thread-safe: only one thread at a time may read, and ``close()`` belongs to the
thread that owns the device, after the reading thread is done (for a media
player: after ``setSource(QUrl())``, which waits for Qt's threads).

The GIL. A read on a Qt thread calls back into Python and needs the GIL. A
GUI-thread call into Qt that waits for that thread while holding the GIL would
deadlock; ``QMediaPlayer.setSource`` releases the GIL (PySide marks it
``allow-thread``), ``setSourceDevice`` does not. So: reset a player with
``setSource(QUrl())`` before giving it a new device or deleting it. The same
reasoning keeps this device away from ``QPdfView``, whose render thread reads
its document while holding a Qt mutex the GUI thread also takes (see
``desktop/viewer.py``).

Errors. ``readData`` cannot raise into Qt. A segment that fails authentication
(``BlobIntegrityError``) is kept in ``failure``, the read returns no data and
``atEnd()`` turns true, so a reader stops instead of retrying; the caller shows
``failure`` as a human message.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QIODevice, QObject

from db.api import BlobReader, FieldvaultError

# Largest single read handed to Qt. QIODevice.readAll() loops, so this only
# bounds the size of one Python bytes object, not what can be read.
MAX_READ = 4 << 20


class DeviceAborted(FieldvaultError):
    """Reading stopped on purpose (the viewer was cleared or the vault locked)."""

    def __init__(self) -> None:
        super().__init__("Reading the item was stopped.")


class BlobDevice(QIODevice):
    """A random-access, read-only QIODevice over a ``BlobReader``.

    Opened (ReadOnly | Unbuffered) on construction: Qt keeps no second copy of
    the plaintext in a QIODevice buffer. ``close()`` closes the reader.
    """

    def __init__(self, reader: BlobReader, parent: QObject | None = None) -> None:
        if parent is None:
            super().__init__()
        else:
            super().__init__(parent)
        self._reader: BlobReader | None = reader
        self._size = reader.size
        self._lock = threading.Lock()
        self._failure: FieldvaultError | None = None
        self.open(QIODevice.OpenModeFlag.ReadOnly | QIODevice.OpenModeFlag.Unbuffered)

    # -- what the caller asks -------------------------------------------------

    @property
    def failure(self) -> FieldvaultError | None:
        """The vault error that stopped reading (damage), or ``DeviceAborted``."""
        with self._lock:
            return self._failure

    @property
    def reader(self) -> BlobReader | None:
        return self._reader

    def abort(self) -> None:
        """Stop every further read, from any thread: closes the reader now."""
        with self._lock:
            if self._failure is None:
                self._failure = DeviceAborted()
            self._close_reader()

    # -- QIODevice ------------------------------------------------------------

    def open(self, mode: QIODevice.OpenModeFlag) -> bool:
        if mode & QIODevice.OpenModeFlag.WriteOnly or self._reader is None:
            return False
        return super().open(mode)

    def isSequential(self) -> bool:  # noqa: N802 - Qt's name
        return False

    def size(self) -> int:
        return self._size

    def seek(self, pos: int) -> bool:
        if not self.isOpen() or pos < 0 or pos > self._size:
            return False
        return super().seek(pos)

    def bytesAvailable(self) -> int:  # noqa: N802 - Qt's name
        if not self.isOpen() or self.failure is not None:
            return 0
        return super().bytesAvailable()  # size() - pos() for a random-access device

    def atEnd(self) -> bool:  # noqa: N802 - Qt's name
        return not self.isOpen() or self.failure is not None or self.pos() >= self._size

    def readData(self, maxlen: int) -> bytes:  # noqa: N802 - Qt's name
        position = self.pos()
        with self._lock:
            if self._reader is None or self._failure is not None or maxlen <= 0:
                return b""
            try:
                self._reader.seek(position)
                return self._reader.read(min(maxlen, MAX_READ))
            except FieldvaultError as err:  # BlobIntegrityError: a damaged segment
                self._failure = err.with_traceback(None)
            except (OSError, ValueError) as err:  # an I/O error on the blob file
                self._failure = FieldvaultError(f"Reading the stored file failed ({type(err).__name__}).")
            return b""

    def writeData(self, _data: bytes | bytearray | memoryview, _length: int) -> int:  # noqa: N802 - Qt's name
        return -1  # read-only (QIODevice.write refuses before calling this)

    def close(self) -> None:
        with self._lock:
            self._close_reader()
        super().close()

    def _close_reader(self) -> None:
        # Called with the lock held.
        if self._reader is not None:
            self._reader.close()
            self._reader = None
