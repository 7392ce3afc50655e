"""What a file claims about itself: EXIF date, camera and GPS for images;
duration and creation time for audio and video; page count for PDF.

These are claims, not facts (metadata is easy to forge or strip), so they are
stored apart from what the field worker states. Parsing is done by well-kept
libraries (Pillow, PyAV/FFmpeg, pypdf) and only the headers are read. A file
they cannot parse simply yields fewer claims; parsing never blocks intake.
"""

from __future__ import annotations

import logging
from fractions import Fraction
from pathlib import Path
from typing import Any

import magic

log = logging.getLogger(__name__)

EXIF_DATETIME_ORIGINAL = 0x9003
EXIF_IFD = 0x8769
GPS_IFD = 0x8825
EXIF_MAKE = 0x010F
EXIF_MODEL = 0x0110
EXIF_DATETIME = 0x0132


def mime_type(path: Path) -> str:
    """libmagic's verdict from the file's first bytes (not its name)."""
    try:
        return str(magic.from_file(str(path), mime=True))
    except (OSError, magic.MagicException):
        return "application/octet-stream"


def _degrees(values: Any, ref: Any) -> float:
    degrees, minutes, seconds = (float(Fraction(v)) for v in values)
    sign = -1 if str(ref).upper() in ("S", "W") else 1
    return round(sign * (degrees + minutes / 60 + seconds / 3600), 7)


def _image_claims(path: Path) -> dict[str, str]:
    from PIL import Image

    claims: dict[str, str] = {}
    with Image.open(path) as image:
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


def _media_claims(path: Path) -> dict[str, str]:
    import av

    claims: dict[str, str] = {}
    with av.open(str(path), metadata_errors="ignore") as container:
        if container.duration:
            claims["duration_seconds"] = f"{container.duration / 1_000_000:.3f}"
        created = container.metadata.get("creation_time")
        if created:
            claims["creation_time"] = str(created)
        video = next(iter(container.streams.video), None)
        if video is not None and video.codec_context is not None:
            claims["width"], claims["height"] = (
                str(video.codec_context.width),
                str(video.codec_context.height),
            )
    return claims


def _pdf_claims(path: Path) -> dict[str, str]:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    claims = {"pages": str(len(reader.pages))}
    info = reader.metadata
    if info is not None and info.get("/CreationDate"):
        claims["pdf_creation_date"] = str(info["/CreationDate"])
    return claims


def capture_claims(path: Path, mime: str) -> dict[str, str]:
    """The file's claims, as strings; {} when the type has none or parsing fails."""
    if mime.startswith("image/"):
        parser = _image_claims
    elif mime.startswith(("video/", "audio/")):
        parser = _media_claims
    elif mime == "application/pdf":
        parser = _pdf_claims
    else:
        return {}
    try:
        return parser(path)
    except Exception as err:  # noqa: BLE001 - a malformed file still gets in, with fewer claims
        # The type only: the message could quote file content.
        log.info("no capture metadata from a %s file: %s", mime, type(err).__name__)
        return {}
