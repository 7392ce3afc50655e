"""Copies of photos without their identifying metadata (EXIF GPS, camera,
serial numbers, dates, XMP, IPTC, embedded thumbnails).

The original is decoded in the confined child process (db.api
``decode_image``: the code that parses attacker-chosen bytes never runs in
the app), which hands back bare pixels, EXIF orientation applied. Those
pixels are written here as a new PNG: a file made from pixels alone carries
no metadata at all, whatever the original held. The original's bytes and
hashes stay on record beside the copy. Limits (docs/exports.md): only still
images are stripped (IMAGE_TYPES); the copy is the decoded picture, scaled
down to fit IMAGE_MAX_SIDE pixels when larger, so it is a working copy, never
evidence; what the picture itself shows (faces, street signs) stays.
"""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image

from db.api import IMAGE_TYPES, decode_image


def can_strip(mime_type: str) -> bool:
    return mime_type in IMAGE_TYPES


def write_stripped_copy(original: Path, target: Path) -> None:
    """Decode ``original`` in the sandbox and write its pixels to ``target``
    (a new PNG, mode 0600). Raises SandboxFailed when the file is not an
    image the child can decode (too big, damaged)."""
    with original.open("rb") as source:
        decoded = decode_image(source.read)
    # frombytes reads raw RGBA we were handed, not a file format: nothing is parsed here.
    picture = Image.frombytes("RGBA", (decoded.width, decoded.height), decoded.rgba)
    alpha_low, _alpha_high = picture.getchannel("A").getextrema()
    if alpha_low == 255:
        picture = picture.convert("RGB")
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "wb") as out:
        picture.save(out, format="PNG")
