"""What a file claims about itself: EXIF date, camera and GPS for images;
duration and creation time for audio and video; page count for PDF.

These are claims, not facts (metadata is easy to forge or strip), so they are
stored apart from what the field worker states. Parsing is done by well-kept
libraries (libmagic, Pillow, mutagen, pypdf) and only the headers are read.

Those libraries read attacker-chosen bytes, so they never run in the app's
process: ``examine_file`` hands the file to a confined child process
(``db.sandbox``), which runs ``detect_mime`` and ``claims_of`` below. A file
they cannot parse, a child that crashes, runs out of time or memory, still gets
in: its claims are then ``{"metadata": "metadata not read: <reason>"}``.
Parsing never blocks intake. Content Credentials (C2PA) are read by a second
child of their own (``db.c2pa_read``) and join the claims as ``c2pa_*`` keys.
"""

from __future__ import annotations

import contextlib
import json
import logging
from datetime import UTC, datetime
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


def not_read(reason: str) -> dict[str, str]:
    return {NOT_READ_KEY: f"metadata not read: {reason}"}


def examine_file(path: Path, limits: Limits | None = None) -> tuple[str, dict[str, str]]:
    """The file's MIME type (from its content, not its name) and its claims,
    read by a confined child whose stdin is the file, opened read-only here;
    then its Content Credentials, if its type can carry them."""
    mime, claims = _examine(path, limits)
    return mime, claims | content_credentials(path, mime)


def _examine(path: Path, limits: Limits | None) -> tuple[str, dict[str, str]]:
    run = SandboxRun("examine", limits=limits or INTAKE_LIMITS)
    output = b""
    try:
        with Path(path).open("rb") as source:
            output = run.run(stdin_file=source)
    except SandboxFailed as failed:
        output, reason = failed.output, failed.reason
    else:
        reason = ""
    lines = _json_lines(output)
    mime = next((line["mime"] for line in lines if isinstance(line.get("mime"), str)), UNKNOWN_TYPE)
    claims = next((line["claims"] for line in lines if isinstance(line.get("claims"), dict)), None)
    error = next((line["error"] for line in lines if isinstance(line.get("error"), str)), None)
    if claims is not None and all(isinstance(k, str) and isinstance(v, str) for k, v in claims.items()):
        return str(mime), {str(k): str(v) for k, v in claims.items()}
    reason = child_reason(reason or error or BAD_OUTPUT)  # a fixed phrase or an exception's type
    log.info("capture metadata not read from a %s file: %s", _loggable_type(mime), loggable_reason(reason))
    return str(mime), not_read(reason)


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


# MP4/QuickTime times count seconds from 1904-01-01 UTC.
MP4_EPOCH_OFFSET = 2_082_844_800


def _media_claims(source: BinaryIO) -> dict[str, str]:
    """Duration from mutagen (MP4/M4A/MOV, MP3, Ogg Opus/Vorbis/FLAC, FLAC,
    WAV, AIFF, ASF/WMA, AAC...); for MP4 also the creation time and the frame
    size from its boxes. Matroska/WebM and AVI: mutagen reads neither, so no
    claims (the file is still taken in and hashed)."""
    import mutagen
    from mutagen.mp4 import MP4

    try:
        media = mutagen.File(source)
    except mutagen.MutagenError as err:
        # mutagen wraps whatever went wrong in its own error; a refused
        # allocation (a box claiming gigabytes, past the child's memory
        # limit) is reported as such.
        if isinstance(err.__context__, MemoryError):
            raise MemoryError from None
        raise
    claims: dict[str, str] = {}
    if media is None:
        return claims
    length = getattr(media.info, "length", 0) or 0
    if length > 0:
        claims["duration_seconds"] = f"{length:.3f}"
    if isinstance(media, MP4):
        source.seek(0)
        claims |= _mp4_box_claims(source)
    return claims


def _mp4_box_claims(source: BinaryIO) -> dict[str, str]:
    """``moov/mvhd``'s creation time, as FFmpeg words it, and the first video
    track's frame size from its ``tkhd``."""
    # mutagen's own box reader: not its documented API, but what its MP4
    # class reads with (the locks pin the version; the capture tests check it).
    from mutagen.mp4._atom import Atoms

    atoms = Atoms(source)
    claims: dict[str, str] = {}
    moov = atoms[b"moov"]
    ok, data = moov[b"mvhd",].read(source)
    if ok and len(data) >= 12:
        created = int.from_bytes(data[4:12], "big") if data[0] == 1 else int.from_bytes(data[4:8], "big")
        if created:
            # As FFmpeg reads it: a time before 1970 counted from 1904 is
            # taken as one some writers count from 1970 already.
            unix = created - MP4_EPOCH_OFFSET if created >= MP4_EPOCH_OFFSET else created
            with contextlib.suppress(OverflowError, OSError, ValueError):
                when = datetime.fromtimestamp(unix, UTC)
                claims["creation_time"] = when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    for trak in moov.findall(b"trak"):
        size = _video_frame_size(trak, source)
        if size is not None:
            claims["width"], claims["height"] = str(size[0]), str(size[1])
            break
    return claims


def _video_frame_size(trak: Any, source: BinaryIO) -> tuple[int, int] | None:
    try:
        ok, handler = trak[b"mdia", b"hdlr"].read(source)
        if not ok or handler[8:12] != b"vide":
            return None
        ok, header = trak[b"tkhd",].read(source)
    except KeyError:
        return None
    # tkhd: version/flags, times and ids (version 1: 32 bytes, 0: 20), 52 bytes
    # of reserved, layer, volume and matrix, then width and height in 16.16.
    start = (32 if header[:1] == b"\x01" else 20) + 4 + 52
    if not ok or len(header) < start + 8:
        return None
    width, height = (int.from_bytes(header[i : i + 4], "big") >> 16 for i in (start, start + 4))
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
        return _media_claims(source)
    if mime == "application/pdf":
        return _pdf_claims(source)
    return {}
