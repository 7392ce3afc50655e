"""Opus in Ogg, encoded by libsndfile through ctypes, into a sink that only
appends (docs/vault-format.md, "Recordings").

The recorder (db/recording.py) hands PCM to an ``OpusWriter``; libsndfile
encodes it with libopus and hands the Ogg pages to the writer's virtual I/O,
which passes them to the sink (the recording's sealed stream) at once. No
file is opened by libsndfile, nothing is written anywhere else. Writing Ogg
Opus, libsndfile never seeks (the header goes out before the first audio,
the page sizes are never patched); it asks where it is, which the writer
answers by counting. A seek to anywhere else is refused.

libsndfile closes an Ogg page after ``PAGE_LATENCY_MS`` of audio (its
default is 1 s): what the sink holds trails the audio pushed by about that
plus one Opus frame (20 ms), so a crash loses little more than the segment
the sink is filling.

Where the library comes from: in a frozen app, the copy in the bundle
(packaging/fieldvault.spec: Debian's libsndfile1 on Linux, soundfile's
wheel library on Windows and macOS); otherwise the system's
(``ctypes.util.find_library("sndfile")``: Debian's libsndfile1). Without it,
or with a libsndfile built without Opus, starting a recording fails with
``recording-encoder-missing`` and nothing is written.

Not thread-safe: one thread at a time (the recorder holds its lock).
"""

from __future__ import annotations

import array
import ctypes
import ctypes.util
import errno
import sys
import threading
from pathlib import Path
from typing import ClassVar, Protocol

from db.errors import Codes, FieldvaultError

PAGE_LATENCY_MS = 500.0
SAMPLE_RATES = (8000, 12000, 16000, 24000, 48000)  # what Opus takes
# sndfile.h
SFM_WRITE = 0x20
SF_FORMAT_OGG = 0x200000
SF_FORMAT_OPUS = 0x0064
SFC_SET_OGG_PAGE_LATENCY_MS = 0x1302
SEEK_SET, SEEK_CUR, SEEK_END = 0, 1, 2

sf_count_t = ctypes.c_int64
_GET_FILELEN = ctypes.CFUNCTYPE(sf_count_t, ctypes.c_void_p)
_SEEK = ctypes.CFUNCTYPE(sf_count_t, sf_count_t, ctypes.c_int, ctypes.c_void_p)
_READ = ctypes.CFUNCTYPE(sf_count_t, ctypes.c_void_p, sf_count_t, ctypes.c_void_p)
_WRITE = ctypes.CFUNCTYPE(sf_count_t, ctypes.c_void_p, sf_count_t, ctypes.c_void_p)
_TELL = ctypes.CFUNCTYPE(sf_count_t, ctypes.c_void_p)


class _VirtualIO(ctypes.Structure):
    _fields_ = [
        ("get_filelen", _GET_FILELEN),
        ("seek", _SEEK),
        ("read", _READ),
        ("write", _WRITE),
        ("tell", _TELL),
    ]


class _Info(ctypes.Structure):
    _fields_ = [
        ("frames", sf_count_t),
        ("samplerate", ctypes.c_int),
        ("channels", ctypes.c_int),
        ("format", ctypes.c_int),
        ("sections", ctypes.c_int),
        ("seekable", ctypes.c_int),
    ]


class OpusEncoderMissing(FieldvaultError):
    """libsndfile is not there, or it cannot write Ogg Opus."""

    codes: ClassVar[Codes] = {"recording-encoder-missing": ()}

    def __init__(self, message: str) -> None:
        super().__init__(message, "recording-encoder-missing")


class Sink(Protocol):
    def write(self, data: bytes) -> object: ...


_loaded: ctypes.CDLL | None = None
_loading = threading.Lock()


def _candidates() -> list[str]:
    """Where libsndfile may be: the frozen app's own copy first."""
    found: list[str] = []
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        found += [
            str(path)
            for path in sorted(Path(bundle).glob("libsndfile*"))
            if path.suffix in (".dll", ".dylib", ".1") or path.name.endswith(".so")
        ]
    system = ctypes.util.find_library("sndfile")
    if system:
        found.append(system)
    return found


def load_libsndfile() -> ctypes.CDLL:
    """libsndfile, loaded once, its functions typed. ``OpusEncoderMissing``
    when no candidate loads."""
    global _loaded
    with _loading:
        if _loaded is not None:
            return _loaded
        for candidate in _candidates():
            try:
                library = ctypes.CDLL(candidate)
            except OSError:
                continue
            _declare(library)
            _loaded = library
            return library
    raise OpusEncoderMissing(
        "The recorder's audio library (libsndfile) is not installed, so nothing can be recorded."
    )


def _declare(lib: ctypes.CDLL) -> None:
    lib.sf_open_virtual.argtypes = [
        ctypes.POINTER(_VirtualIO),
        ctypes.c_int,
        ctypes.POINTER(_Info),
        ctypes.c_void_p,
    ]
    lib.sf_open_virtual.restype = ctypes.c_void_p
    lib.sf_writef_short.argtypes = [ctypes.c_void_p, ctypes.c_char_p, sf_count_t]
    lib.sf_writef_short.restype = sf_count_t
    lib.sf_command.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
    lib.sf_command.restype = ctypes.c_int
    lib.sf_close.argtypes = [ctypes.c_void_p]
    lib.sf_close.restype = ctypes.c_int
    lib.sf_strerror.argtypes = [ctypes.c_void_p]
    lib.sf_strerror.restype = ctypes.c_char_p
    lib.sf_version_string.argtypes = []
    lib.sf_version_string.restype = ctypes.c_char_p


def libsndfile_version() -> str:
    """The loaded library's version ("libsndfile-1.2.0"), for the selftest."""
    raw = load_libsndfile().sf_version_string()
    return raw.decode("ascii", "replace") if raw else "unknown"


class OpusWriter:
    """Signed 16-bit little-endian PCM in, Ogg Opus out to ``sink.write``.

    ``write`` raises the sink's ``OSError`` (disk full, I/O error) as soon as
    libsndfile has tried to write; libsndfile's own failures come as
    ``OSError`` too. ``close`` flushes the last page (end of stream)."""

    def __init__(
        self,
        sink: Sink,
        *,
        sample_rate: int,
        channels: int,
        page_latency_ms: float = PAGE_LATENCY_MS,
    ) -> None:
        if channels not in (1, 2) or sample_rate not in SAMPLE_RATES:
            raise ValueError("Opus takes mono or stereo at 8, 12, 16, 24 or 48 kHz")
        self._lib = load_libsndfile()
        self._sink = sink
        self._channels = channels
        self._position = 0
        self._failure: OSError | None = None
        # Kept on the instance: libsndfile calls them until sf_close.
        self._io = _VirtualIO(
            _GET_FILELEN(self._length),
            _SEEK(self._seek),
            _READ(self._read),
            _WRITE(self._write),
            _TELL(self._tell),
        )
        info = _Info(samplerate=sample_rate, channels=channels, format=SF_FORMAT_OGG | SF_FORMAT_OPUS)
        handle = self._lib.sf_open_virtual(ctypes.byref(self._io), SFM_WRITE, ctypes.byref(info), None)
        if not handle:
            raise OpusEncoderMissing(
                f"The recorder's audio library cannot write Ogg Opus ({self._reason(None)}), "
                "so nothing can be recorded."
            )
        self._handle: int | None = handle
        latency = ctypes.c_double(page_latency_ms)
        if self._lib.sf_command(handle, SFC_SET_OGG_PAGE_LATENCY_MS, ctypes.byref(latency), 8) != 0:
            reason = self._reason(handle)
            self._lib.sf_close(handle)
            self._handle = None
            raise OpusEncoderMissing(
                f"The recorder's audio library cannot close Ogg pages early ({reason}), "
                "so nothing can be recorded."
            )

    # -- libsndfile's virtual I/O: never raises into C ------------------------

    def _length(self, _user: int | None) -> int:
        return self._position

    def _tell(self, _user: int | None) -> int:
        return self._position

    def _seek(self, offset: int, whence: int, _user: int | None) -> int:
        target = {SEEK_SET: offset, SEEK_CUR: self._position + offset, SEEK_END: self._position + offset}
        # Only "stay where you are": the sink cannot go back.
        return self._position if target.get(whence) == self._position else -1

    def _read(self, _ptr: int | None, _count: int, _user: int | None) -> int:
        return 0  # write-only

    def _write(self, ptr: int | None, count: int, _user: int | None) -> int:
        if self._failure is not None or not ptr or count <= 0:
            return 0
        try:
            self._sink.write(ctypes.string_at(ptr, count))
        except OSError as err:
            self._failure = err
            return 0
        except Exception as err:  # noqa: BLE001 - an exception must not cross into C
            self._failure = OSError(errno.EIO, f"the recording's sink failed ({type(err).__name__})")
            return 0
        self._position += count
        return count

    # -- use ------------------------------------------------------------------

    @property
    def written(self) -> int:
        """Bytes handed to the sink so far."""
        return self._position

    def write(self, pcm: bytes) -> None:
        """Encode whole frames of ``pcm`` (a trailing partial frame is ignored)."""
        handle = self._open_handle()
        frame_bytes = 2 * self._channels
        frames = len(pcm) // frame_bytes
        if frames == 0:
            return
        data = pcm[: frames * frame_bytes]
        if sys.byteorder == "big":
            samples = array.array("h")
            samples.frombytes(data)
            samples.byteswap()
            data = samples.tobytes()
        done = self._lib.sf_writef_short(handle, data, frames)
        self._raise_failure()
        if done != frames:
            raise OSError(errno.EIO, f"libsndfile could not encode the audio ({self._reason(handle)})")

    def close(self) -> None:
        """Flush the last Ogg page and let libsndfile go. Raises the sink's
        error if the last pages could not be written."""
        handle, self._handle = self._handle, None
        if handle is None:
            return
        status = self._lib.sf_close(handle)
        self._raise_failure()
        if status != 0:
            raise OSError(errno.EIO, f"libsndfile could not finish the recording (error {status})")

    def _open_handle(self) -> int:
        if self._handle is None:
            raise ValueError("the Opus writer is closed")
        return self._handle

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    def _reason(self, handle: int | None) -> str:
        """libsndfile's own fixed phrase for its last error (never audio or a path)."""
        raw = self._lib.sf_strerror(handle)
        return raw.decode("ascii", "replace") if raw else "unknown error"


__all__ = ["PAGE_LATENCY_MS", "OpusEncoderMissing", "OpusWriter", "libsndfile_version", "load_libsndfile"]
