"""What a file claims about itself: EXIF date, camera and GPS for images;
duration and creation time for audio and video; page count for PDF.

These are claims, not facts (metadata is easy to forge or strip), so they are
stored apart from what the field worker states. Parsing is done by well-kept
libraries (libmagic, Pillow, mutagen, pypdf) and only the headers are read;
the boxes of an MP4 (and its relatives) by a small reader of ours,
``_BoxFile``, bounded whatever sizes the boxes declare
(tests/db/test_media_claims_fuzz.py).

Those libraries read attacker-chosen bytes, so they never run in the app's
process: ``examine_file`` hands the file to a confined child process
(``db.sandbox``), which runs ``detect_mime`` and ``claims_of`` below. A file
they cannot parse, a child that crashes, runs out of time or memory, still gets
in: its claims are then ``{"metadata": "metadata not read: <reason>"}``. Of a
run the sandbox failed (timed out, crashed, stopped) nothing is used, even
what it wrote before: the type is then ``application/octet-stream``.
Parsing never blocks intake. Content Credentials (C2PA) are read by a second
child of their own (``db.c2pa_read``) and join the claims as ``c2pa_*`` keys.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any, BinaryIO

from db.c2pa_read import content_credentials
from db.sandbox import BAD_OUTPUT, Limits, SandboxFailed, SandboxRun, child_reason, loggable_reason

log = logging.getLogger(__name__)

EXIF_DATETIME_ORIGINAL = 0x9003
EXIF_IFD = 0x8769
GPS_IFD = 0x8825
EXIF_MAKE = 0x010F
EXIF_MODEL = 0x0110
EXIF_DATETIME = 0x0132
UNKNOWN_TYPE = "application/octet-stream"
NOT_READ_KEY = "metadata"
# Headers only: generous for a slow laptop, small against a hostile file.
INTAKE_LIMITS = Limits(memory_bytes=1 << 30, cpu_seconds=20, wall_seconds=30.0)


NOT_READ_PREFIX = "metadata not read"


def not_read(reason: str) -> dict[str, str]:
    return {NOT_READ_KEY: f"{NOT_READ_PREFIX}: {reason}"}


def type_never_read(mime_type: str, claims: Mapping[str, str]) -> bool:
    """Whether the type intake stored is no reading of the file: its reader
    gave no usable answer (timed out, crashed, named no media type), so the
    placeholder was stored, whatever the file is (a photo may be one)."""
    return mime_type in ("", UNKNOWN_TYPE) and claims.get(NOT_READ_KEY, "").startswith(NOT_READ_PREFIX)


def examine_file(path: Path, limits: Limits | None = None) -> tuple[str, dict[str, str]]:
    """The file's MIME type (from its content, not its name) and its claims,
    read by a confined child whose stdin is the file, opened read-only here;
    then its Content Credentials, if its type can carry them."""
    mime, claims = _examine(path, limits)
    return mime, claims | content_credentials(path, mime)


def _examine(path: Path, limits: Limits | None) -> tuple[str, dict[str, str]]:
    run = SandboxRun("examine", limits=limits or INTAKE_LIMITS)
    try:
        with Path(path).open("rb") as source:
            output = run.run(stdin_file=source)
    except SandboxFailed as failed:
        # Timed out, crashed, stopped: nothing the child wrote counts, not
        # even a complete answer. It may be cut short, or a hostile file's
        # words written before it hung or crashed; a child that wrote its
        # claims just before its deadline is timed out all the same.
        reason = child_reason(failed.reason)
        log.info("capture metadata not read: %s", loggable_reason(reason))
        return UNKNOWN_TYPE, not_read(reason)
    lines = _json_lines(output)
    mime = next((line["mime"] for line in lines if isinstance(line.get("mime"), str)), UNKNOWN_TYPE)
    if not _MEDIA_TYPE.fullmatch(mime):
        # No parser names a type so: a child a hostile file took over, whose
        # words are then no more to be stored, shown or exported than a
        # timed-out child's (and "no photos" consent then withholds it).
        log.info("capture metadata not read: the child named no media type")
        return UNKNOWN_TYPE, not_read(child_reason(BAD_OUTPUT))
    claims = next((line["claims"] for line in lines if isinstance(line.get("claims"), dict)), None)
    error = next((line["error"] for line in lines if isinstance(line.get("error"), str)), None)
    if claims is not None and all(isinstance(k, str) and isinstance(v, str) for k, v in claims.items()):
        return str(mime), {str(k): str(v) for k, v in claims.items()}
    reason = child_reason(error or BAD_OUTPUT)  # a fixed phrase or an exception's type
    log.info("capture metadata not read from a %s file: %s", _loggable_type(mime), loggable_reason(reason))
    return str(mime), not_read(reason)


# RFC 6838 §4.2: type "/" subtype, each a restricted name of at most 127
# characters (what libmagic answers: "image/jpeg", "inode/x-empty").
_RESTRICTED_NAME = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
_MEDIA_TYPE = re.compile(f"{_RESTRICTED_NAME}/{_RESTRICTED_NAME}")


# Top-level media types, for a log line: the child names the type, and a
# child a hostile file took over could name anything there.
_TOP_LEVEL_TYPES = frozenset(
    {"application", "audio", "font", "image", "message", "model", "multipart", "text", "video"}
)


def _loggable_type(mime: object) -> str:
    top = str(mime).partition("/")[0]
    return top if top in _TOP_LEVEL_TYPES else "unknown"


def _json_lines(output: bytes) -> list[dict[str, Any]]:
    """Each complete JSON object line; a line cut by a crash is skipped."""
    lines = []
    for line in output.splitlines():
        try:
            answer = json.loads(line)
        except ValueError:
            continue
        if isinstance(answer, dict):
            lines.append(answer)
    return lines


# -- in the child only (db.sandbox_worker) ---------------------------------------


def detect_mime(source: BinaryIO) -> str:
    """libmagic's verdict from the file's first bytes (not its name)."""
    import magic

    try:
        return str(magic.from_buffer(source.read(1 << 20), mime=True))
    except magic.MagicException:
        return UNKNOWN_TYPE


def _degrees(values: Any, ref: Any) -> float:
    degrees, minutes, seconds = (float(Fraction(v)) for v in values)
    sign = -1 if str(ref).upper() in ("S", "W") else 1
    return round(sign * (degrees + minutes / 60 + seconds / 3600), 7)


def _image_claims(source: BinaryIO) -> dict[str, str]:
    from PIL import Image

    claims: dict[str, str] = {}
    with Image.open(source) as image:
        claims["width"], claims["height"] = str(image.width), str(image.height)
        exif = image.getexif()
        if not exif:
            return claims
        sub = exif.get_ifd(EXIF_IFD)
        taken = sub.get(EXIF_DATETIME_ORIGINAL) or exif.get(EXIF_DATETIME)
        if taken:
            claims["exif_datetime"] = str(taken)
        camera = " ".join(str(exif.get(tag, "")).strip() for tag in (EXIF_MAKE, EXIF_MODEL)).strip()
        if camera:
            claims["camera"] = camera
        gps = exif.get_ifd(GPS_IFD)
        if 2 in gps and 4 in gps:
            claims["gps_latitude"] = str(_degrees(gps[2], gps.get(1, "N")))
            claims["gps_longitude"] = str(_degrees(gps[4], gps.get(3, "E")))
    return claims


# -- audio and video claims (in the child) -----------------------------------
#
# libmagic's type, not mutagen's own guess, picks the reader. mutagen's guess
# scores the first bytes and the file's name, and the child has no name (it
# reads fd 0): it found no reader for an ADTS AAC file, an old QuickTime file
# without ``ftyp`` or an MPEG program stream, and read an AVI as a broken WAV
# ("metadata not read"). A type below gets the claims its reader gives; every
# other audio or video type gets none, quietly (it is still taken in and
# hashed). docs/chain-of-custody.md lists them.

# MP4 and its relatives (QuickTime, M4A, 3GP): read from their boxes whatever
# the first bytes hold (an old QuickTime file has no ``ftyp``, which mutagen's
# guess needs).
MP4_TYPES = frozenset(
    {"video/mp4", "video/quicktime", "video/x-m4v", "video/3gpp", "video/3gpp2", "audio/mp4", "audio/x-m4a"}
)
# The duration alone, from mutagen's reader for the type.
DURATION_READERS = {
    "audio/mpeg": "mp3",
    "audio/ogg": "ogg",
    "video/ogg": "ogg",
    "audio/x-wav": "wave",
    "audio/wav": "wave",
    "audio/vnd.wave": "wave",
    "audio/flac": "flac",
    "audio/x-flac": "flac",
    "audio/x-aiff": "aiff",
    "audio/aiff": "aiff",
    "video/x-ms-asf": "asf",
    "video/x-ms-wmv": "asf",
    "audio/x-ms-wma": "asf",
    "audio/x-hx-aac-adts": "aac",
    "audio/aac": "aac",
    "audio/vnd.dolby.dd-raw": "ac3",
    "audio/ac3": "ac3",
}


def _media_claims(source: BinaryIO, mime: str) -> dict[str, str]:
    if mime in MP4_TYPES:
        return _mp4_claims(source)
    reader = DURATION_READERS.get(mime)
    if reader is None:
        return {}
    length = _mutagen_length(source, reader)
    return {"duration_seconds": f"{length:.3f}"} if length > 0 else {}


def _mutagen_length(source: BinaryIO, reader: str) -> float:
    import mutagen
    from mutagen.aac import AAC
    from mutagen.ac3 import AC3
    from mutagen.aiff import AIFF
    from mutagen.asf import ASF
    from mutagen.flac import FLAC
    from mutagen.mp3 import MP3
    from mutagen.oggflac import OggFLAC
    from mutagen.oggopus import OggOpus
    from mutagen.oggspeex import OggSpeex
    from mutagen.oggtheora import OggTheora
    from mutagen.oggvorbis import OggVorbis
    from mutagen.wave import WAVE

    kinds: dict[str, list[Any]] = {
        "mp3": [MP3],
        # Which codec an Ogg file carries is for mutagen to tell.
        "ogg": [OggOpus, OggVorbis, OggFLAC, OggSpeex, OggTheora],
        "wave": [WAVE],
        "flac": [FLAC],
        "aiff": [AIFF],
        "asf": [ASF],
        "aac": [AAC],
        "ac3": [AC3],
    }
    readers = kinds[reader]
    try:
        # One reader: it reads the file (mutagen.File would first ask it to
        # score the first bytes, and AAC's score wants a file name).
        media = readers[0](source) if len(readers) == 1 else mutagen.File(source, options=readers)
    except mutagen.MutagenError as err:
        # mutagen wraps whatever went wrong in its own error; a refused
        # allocation (a header claiming gigabytes, past the child's memory
        # limit) is reported as such.
        if isinstance(err.__context__, MemoryError):
            raise MemoryError from None
        raise
    return float(getattr(getattr(media, "info", None), "length", 0) or 0)


# MP4/QuickTime times count seconds from 1904-01-01 UTC.
MP4_EPOCH_OFFSET = 2_082_844_800
UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class NoMovieBox(ValueError):
    """An MP4 without its ``moov`` box (cut off, or not an MP4): nothing to
    claim from, reported as an unreadable file, as FFmpeg refused it."""


class AtomError(ValueError):
    """A box size no MP4 can have (1 to 7, a 64-bit size under 16, size 0
    inside another box), or a box read for the claims (``moov`` and the
    boxes on the way to a track's headers) that runs past the end of the
    file. The name is mutagen's: its box reader read these claims until
    2026-11-29, and the reasons stored then say ``AtomError`` for the same."""


# The most of one box's payload read into memory: the headers read here need
# a few dozen bytes (``mvex``, the most, a few hundred); the size a box
# declares is the file's word, and may be 2^64.
BOX_READ_LIMIT = 1 << 16


@dataclass(frozen=True)
class _Box:
    kind: bytes
    body: int  # where its payload starts
    end: int  # where it ends, as declared but no further than its parent
    past_end_of_file: bool  # as declared, it ends past the end of the file


class _BoxFile:
    """The boxes of a file read as a tree, one level at a time and only
    along the paths the claims need, so nesting costs no recursion; each
    box's header is read at most once per walk, payloads up to
    ``BOX_READ_LIMIT``."""

    def __init__(self, source: BinaryIO) -> None:
        self.source = source
        source.seek(0, 2)
        self.size = source.tell()

    def children(self, start: int, end: int, *, top_level: bool = False) -> Iterator[_Box]:
        """The boxes one after the other from ``start`` up to ``end`` (the
        parent's end): a box's header says how far the next one is, so each
        step moves forward by 8 bytes at least. A box is cut at its parent's
        end, so the boxes walked under different tracks never overlap: a walk
        costs at most the bytes of the file, whatever sizes it declares."""
        at = start
        while at + 8 <= min(end, self.size):
            self.source.seek(at)
            header = self.source.read(16)
            size, kind, body = int.from_bytes(header[:4], "big"), header[4:8], at + 8
            if size == 1:
                if len(header) < 16:
                    raise AtomError
                size, body = int.from_bytes(header[8:16], "big"), at + 16
                if size < 16:
                    raise AtomError
            elif size == 0:
                if not top_level:
                    raise AtomError
                size = self.size - at  # the last box, to the end of the file
            elif size < 8:
                raise AtomError
            yield _Box(kind, body, min(at + size, end), at + size > self.size)
            at += size

    def first(self, parent: _Box, kind: bytes) -> _Box | None:
        return next((box for box in self.children(parent.body, parent.end) if box.kind == kind), None)

    def descend(self, parent: _Box, *path: bytes) -> _Box | None:
        """The first box of each kind in turn along ``path`` under ``parent``;
        a container on the way that runs past the end of the file is
        AtomError (it was cut off), as mutagen had it."""
        box = parent
        for kind in path:
            self.whole_container(box)
            found = self.first(box, kind)
            if found is None:
                return None
            box = found
        return box

    def whole_container(self, box: _Box) -> None:
        if box.past_end_of_file:
            raise AtomError

    def payload(self, box: _Box | None) -> bytes | None:
        """The box's payload (its first ``BOX_READ_LIMIT`` bytes); None if
        there is no box or the file ends inside it."""
        if box is None or box.past_end_of_file:
            return None
        if box.body >= box.end:  # an empty box, or one cut at its parent's end
            return b""
        self.source.seek(box.body)
        return self.source.read(min(box.end - box.body, BOX_READ_LIMIT))


def _mp4_claims(source: BinaryIO) -> dict[str, str]:
    """From the boxes, read by ``_BoxFile`` (bounded: no recursion, no read
    longer than ``BOX_READ_LIMIT``, whatever sizes the boxes declare):

    - duration: the movie header's (``moov/mvhd``: duration / timescale); if it
      has none (no ``mvhd``, 0 or "unknown"), the longest track's own
      (``mdhd``); for a fragmented movie, only its ``mehd``'s;
    - creation time: ``mvhd``'s, read and worded as FFmpeg does;
    - frame size: the first video track's coded size, from its sample
      description (``stsd``), as FFmpeg's stream parameters had it; not the
      track header's display size (``tkhd``), which differs for anamorphic
      video.
    """
    boxes = _BoxFile(source)
    moov = next((box for box in boxes.children(0, boxes.size, top_level=True) if box.kind == b"moov"), None)
    if moov is None:
        raise NoMovieBox
    boxes.whole_container(moov)
    mvhd = mvex = None
    traks: list[_Box] = []
    for box in boxes.children(moov.body, moov.end):
        if box.kind == b"mvhd" and mvhd is None:
            mvhd = boxes.payload(box)
        elif box.kind == b"mvex" and mvex is None:
            mvex = boxes.payload(box)
        elif box.kind == b"trak":
            traks.append(box)
    claims: dict[str, str] = {}
    if mvex is not None:
        duration = _fragmented_duration(mvex, _timescale(mvhd))
    else:
        tracks = (_header_duration(boxes.payload(boxes.descend(trak, b"mdia", b"mdhd"))) for trak in traks)
        duration = _header_duration(mvhd) or max((track for track in tracks if track), default=None)
    if duration is not None:
        claims["duration_seconds"] = _seconds(*duration)
    created = _creation_time(mvhd)
    if created:
        claims["creation_time"] = created
    for trak in traks:
        handler = boxes.payload(boxes.descend(trak, b"mdia", b"hdlr"))
        if handler is not None and handler[8:12] == b"vide":
            stsd = boxes.payload(boxes.descend(trak, b"mdia", b"minf", b"stbl", b"stsd"))
            size = _coded_frame_size(stsd)
            if size is not None:
                claims["width"], claims["height"] = str(size[0]), str(size[1])
            break  # the first video track, as PyAV's first video stream
    return claims


def _times(data: bytes | None) -> tuple[int, int, int] | None:
    """(timescale, duration, its width in bytes) of an ``mvhd`` or ``mdhd``
    payload: after version and flags come the creation and modification times
    (4 bytes each in version 0, 8 in version 1), the timescale (4) and the
    duration (4, or 8 in version 1)."""
    if data is None:
        return None
    at, width = (20, 8) if data[:1] == b"\x01" else (12, 4)
    if len(data) < at + 4 + width:
        return None
    return (
        int.from_bytes(data[at : at + 4], "big"),
        int.from_bytes(data[at + 4 : at + 4 + width], "big"),
        width,
    )


def _timescale(mvhd: bytes | None) -> int | None:
    times = _times(mvhd)
    return times[0] if times else None


def _header_duration(data: bytes | None) -> tuple[int, int] | None:
    """(duration, timescale) of an ``mvhd`` or ``mdhd`` payload; None when it
    says 0 or "unknown" (all ones), or has no timescale."""
    times = _times(data)
    if times is None:
        return None
    timescale, duration, width = times
    return _known(duration, width, timescale)


def _known(duration: int, width: int, timescale: int | None) -> tuple[int, int] | None:
    if not timescale or not duration or duration == (1 << (8 * width)) - 1:
        return None
    return duration, timescale


def _fragmented_duration(mvex: bytes, timescale: int | None) -> tuple[int, int] | None:
    """A fragmented movie (``moov/mvex``): its headers count only the samples
    in ``moov`` (none, or the first fragment), so only the movie extends
    header (``mvex/mehd``, in ``mvhd``'s timescale) states the whole length.
    Without one, no duration is claimed (FFmpeg added up the fragments)."""
    at = 0
    while at + 8 <= len(mvex):
        size, kind = int.from_bytes(mvex[at : at + 4], "big"), mvex[at + 4 : at + 8]
        if size < 8:
            return None
        if kind == b"mehd":
            body = mvex[at + 8 : at + size]
            width = 8 if body[:1] == b"\x01" else 4
            if len(body) < 4 + width:
                return None
            return _known(int.from_bytes(body[4 : 4 + width], "big"), width, timescale)
        at += size
    return None


def _seconds(duration: int, timescale: int) -> str:
    """duration / timescale to the millisecond (half up), exactly."""
    millis = (2 * duration * 1000 + timescale) // (2 * timescale)
    return f"{millis // 1000}.{millis % 1000:03d}"


def _creation_time(mvhd: bytes | None) -> str | None:
    """``mvhd``'s creation time as FFmpeg's ``mov_metadata_creation_time``
    reads it and ``avpriv_dict_set_timestamp`` words it (UTC, ``.000000Z``).
    Version 1 (64-bit): seconds since 1904, a negative value dropped. Version
    0 (32-bit): the same, but a value before 1970 counted from 1904 is taken
    as one counted from 1970 (some writers do), so it cannot say before 1970.
    A time past the year 9999 gets no claim (FFmpeg would word it)."""
    if mvhd is None or len(mvhd) < 12:
        return None
    if mvhd[0] == 1:
        created = int.from_bytes(mvhd[4:12], "big", signed=True)
        if created < 0:
            return None
    else:
        created = int.from_bytes(mvhd[4:8], "big")
        if 0 < created < MP4_EPOCH_OFFSET:
            created += MP4_EPOCH_OFFSET
    if not created:
        return None
    try:
        when = UNIX_EPOCH + timedelta(seconds=created - MP4_EPOCH_OFFSET)
    except OverflowError:
        return None
    return when.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def _coded_frame_size(stsd: bytes | None) -> tuple[int, int] | None:
    """Width and height of the first sample entry of a video track's ``stsd``:
    after version/flags and the entry count, the entry's size and format
    (8 bytes), 6 reserved, the data reference index (2), then 16 bytes of
    VisualSampleEntry fields before the 16-bit width and height."""
    at = 8 + 8 + 6 + 2 + 16
    if stsd is None or len(stsd) < at + 4 or not int.from_bytes(stsd[4:8], "big"):
        return None
    width, height = int.from_bytes(stsd[at : at + 2], "big"), int.from_bytes(stsd[at + 2 : at + 4], "big")
    return (width, height) if width and height else None


def _pdf_claims(source: BinaryIO) -> dict[str, str]:
    from pypdf import PdfReader

    reader = PdfReader(source)
    claims = {"pages": str(len(reader.pages))}
    info = reader.metadata
    if info is not None and info.get("/CreationDate"):
        claims["pdf_creation_date"] = str(info["/CreationDate"])
    return claims


def claims_of(source: BinaryIO, mime: str) -> dict[str, str]:
    """The file's claims, as strings; {} when the type has none. A parser's
    exception propagates: the child reports its type."""
    if mime.startswith("image/"):
        return _image_claims(source)
    if mime.startswith(("video/", "audio/")):
        return _media_claims(source, mime)
    if mime == "application/pdf":
        return _pdf_claims(source)
    return {}
