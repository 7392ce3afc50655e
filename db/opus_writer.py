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
the sink is filling. A libsndfile that does not know the command may take
it silently and keep its default (1.2.0 takes any unknown command so): the
first writer of each setting encodes silence into memory and checks that a
page came in time, and without it nothing is recorded
(``recording-encoder-missing``).

A writer dropped without ``close`` is closed by the garbage collector
(``weakref.finalize``): libsndfile's handle and the audio it buffers in
native memory do not outlive it.

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
import contextlib
import ctypes
import ctypes.util
import errno
import sys
import threading
import weakref
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


class _Stream:
    """libsndfile's virtual I/O over the sink: its callbacks never raise
    into C. Apart from the writer, so that the writer's finaliser can keep
    it (and the sink) alive until ``sf_close`` without keeping the writer."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.position = 0
        self.failure: OSError | None = None

    def length(self, _user: int | None) -> int:
        return self.position

    def tell(self, _user: int | None) -> int:
        return self.position

    def seek(self, offset: int, whence: int, _user: int | None) -> int:
        target = {SEEK_SET: offset, SEEK_CUR: self.position + offset, SEEK_END: self.position + offset}
        # Only "stay where you are": the sink cannot go back.
        return self.position if target.get(whence) == self.position else -1

    def read(self, _ptr: int | None, _count: int, _user: int | None) -> int:
        return 0  # write-only

    def write(self, ptr: int | None, count: int, _user: int | None) -> int:
        if self.failure is not None or not ptr or count <= 0:
            return 0
        try:
            self.sink.write(ctypes.string_at(ptr, count))
        except OSError as err:
            self.failure = err
            return 0
        except Exception as err:  # noqa: BLE001 - an exception must not cross into C
            self.failure = OSError(errno.EIO, f"the recording's sink failed ({type(err).__name__})")
            return 0
        self.position += count
        return count

    def virtual_io(self) -> _VirtualIO:
        return _VirtualIO(
            _GET_FILELEN(self.length),
            _SEEK(self.seek),
            _READ(self.read),
            _WRITE(self.write),
            _TELL(self.tell),
        )


def _close_dropped(lib: ctypes.CDLL, handle: int, _keep: tuple[_Stream, _VirtualIO]) -> None:
    """A writer dropped without ``close``: let libsndfile go (its handle
    and the audio it buffers, in native memory nobody would free). Never
    raises: it runs from the garbage collector. ``_keep`` holds the
    callbacks libsndfile calls while it flushes; a sink that fails then is
    only recorded on the stream nobody reads any more."""
    with contextlib.suppress(Exception):  # nothing may escape a finaliser
        lib.sf_close(handle)


class _PageProbe:
    """Collects what a probe writer's libsndfile writes, counting whole Ogg pages."""

    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, data: bytes) -> None:
        self.data += data

    def pages(self) -> int:
        count, at = 0, 0
        while at + 27 <= len(self.data) and self.data[at : at + 4] == b"OggS":
            segments = self.data[at + 26]
            table_end = at + 27 + segments
            if table_end > len(self.data):
                break
            at = table_end + sum(self.data[at + 27 : table_end])
            if at > len(self.data):
                break
            count += 1
        return count


# (sample rate, channels, latency) -> whether libsndfile closed a page in time.
_probed: dict[tuple[int, int, float], bool] = {}
_probing = threading.Lock()
PROBE_MARGIN_MS = 100  # one page's worth of Opus frames libsndfile may wait for


def _pages_close_early(sample_rate: int, channels: int, page_latency_ms: float) -> bool:
    """Whether libsndfile really closes an Ogg page after ``page_latency_ms``
    of audio. A libsndfile that does not know SFC_SET_OGG_PAGE_LATENCY_MS
    may take it silently (1.2.0 does for any unknown command), and keep its
    default of about 1 s. Found once per process and setting, with silence
    encoded into memory: the headers' two pages, then one of audio within
    the latency and a margin."""
    key = (sample_rate, channels, page_latency_ms)
    with _probing:
        if key not in _probed:
            probe = _PageProbe()
            writer = OpusWriter(
                probe,
                sample_rate=sample_rate,
                channels=channels,
                page_latency_ms=page_latency_ms,
                _probe=True,
            )
            try:
                frame = bytes(2 * channels * sample_rate // 50)  # 20 ms of silence
                for _ in range(int((page_latency_ms + PROBE_MARGIN_MS) // 20)):
                    writer.write(frame)
                _probed[key] = probe.pages() >= 3
            finally:
                writer.close()
        return _probed[key]


class OpusWriter:
    """Signed 16-bit little-endian PCM in, Ogg Opus out to ``sink.write``.

    ``write`` raises the sink's ``OSError`` (disk full, I/O error) as soon as
    libsndfile has tried to write; libsndfile's own failures come as
    ``OSError`` too. ``close`` flushes the last page (end of stream). A
    writer dropped without ``close`` is closed by the garbage collector
    (its errors then unsaid)."""

    def __init__(
        self,
        sink: Sink,
        *,
        sample_rate: int,
        channels: int,
        page_latency_ms: float = PAGE_LATENCY_MS,
        _probe: bool = False,
    ) -> None:
        if channels not in (1, 2) or sample_rate not in SAMPLE_RATES:
            raise ValueError("Opus takes mono or stereo at 8, 12, 16, 24 or 48 kHz")
        self._lib = load_libsndfile()
        # Before the sink's handle is opened: a refusal writes nothing to it.
        if not _probe and not _pages_close_early(sample_rate, channels, page_latency_ms):
            raise OpusEncoderMissing(
                f"The recorder's audio library ({libsndfile_version()}) does not close Ogg pages after "
                f"{page_latency_ms:g} ms of audio, so a crash would lose more of a recording than it "
                "should: nothing can be recorded. libsndfile 1.1 or later is needed."
            )
        self._channels = channels
        self._stream = _Stream(sink)
        # Kept on the instance (and by the finaliser): libsndfile calls them until sf_close.
        self._io = self._stream.virtual_io()
        self._handle: int | None = None
        info = _Info(samplerate=sample_rate, channels=channels, format=SF_FORMAT_OGG | SF_FORMAT_OPUS)
        handle = self._lib.sf_open_virtual(ctypes.byref(self._io), SFM_WRITE, ctypes.byref(info), None)
        if not handle:
            raise OpusEncoderMissing(
                f"The recorder's audio library cannot write Ogg Opus ({self._reason(None)}), "
                "so nothing can be recorded."
            )
        self._handle = handle
        self._finalizer = weakref.finalize(self, _close_dropped, self._lib, handle, (self._stream, self._io))
        # Not at interpreter exit: it would close the handle without the recording's lock while
        # another thread may be writing through it; the process's native memory goes anyway.
        self._finalizer.atexit = False
        latency = ctypes.c_double(page_latency_ms)
        if self._lib.sf_command(handle, SFC_SET_OGG_PAGE_LATENCY_MS, ctypes.byref(latency), 8) != 0:
            reason = self._reason(handle)
            self._let_go()
            raise OpusEncoderMissing(
                f"The recorder's audio library cannot close Ogg pages early ({reason}), "
                "so nothing can be recorded."
            )

    # -- use ------------------------------------------------------------------

    @property
    def written(self) -> int:
        """Bytes handed to the sink so far."""
        return self._stream.position

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
        self._finalizer.detach()
        status = self._lib.sf_close(handle)
        self._raise_failure()
        if status != 0:
            raise OSError(errno.EIO, f"libsndfile could not finish the recording (error {status})")

    def _let_go(self) -> None:
        """Close the handle of a writer that is refused while it is made."""
        handle, self._handle = self._handle, None
        self._finalizer.detach()
        if handle is not None:
            self._lib.sf_close(handle)

    def _open_handle(self) -> int:
        if self._handle is None:
            raise ValueError("the Opus writer is closed")
        return self._handle

    def _raise_failure(self) -> None:
        if self._stream.failure is not None:
            raise self._stream.failure

    def _reason(self, handle: int | None) -> str:
        """libsndfile's own fixed phrase for its last error (never audio or a path)."""
        raw = self._lib.sf_strerror(handle)
        return raw.decode("ascii", "replace") if raw else "unknown error"


__all__ = ["PAGE_LATENCY_MS", "OpusEncoderMissing", "OpusWriter", "libsndfile_version", "load_libsndfile"]
