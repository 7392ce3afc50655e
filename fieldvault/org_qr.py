"""QR codes of the enrolment payload (docs/org-profile.md §7): on a
terminal, and as a PNG, SVG or text file. The payload itself is
sync/org.py's; this module only draws it (qrcode library).

The terminal code is drawn with half blocks in explicit black on white
(ANSI colours), so that it scans the same on a dark or a light terminal.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import qrcode
import qrcode.constants
from qrcode.exceptions import DataOverflowError

from fieldvault.textinput import CommandRefused, UsageError

QR_SUFFIXES = (".png", ".svg", ".txt")
TERMINAL_BORDER = 2  # modules of quiet zone on a terminal (4 in files): phones read 2 on a screen
FILE_BORDER = 4
_BLACK_ON_WHITE = "\x1b[30;107m"
_RESET = "\x1b[0m"


class PayloadTooLarge(CommandRefused):
    """The payload does not fit a QR code (a profile with many coordinators)."""


def qr_matrix(
    text: str, *, error: int = qrcode.constants.ERROR_CORRECT_L, border: int = 0
) -> list[list[bool]]:
    """The QR code's modules (True: dark), with ``border`` light modules around."""
    code = qrcode.QRCode(error_correction=error, border=border)
    code.add_data(text.encode("ascii"))
    try:
        code.make(fit=True)
    except (DataOverflowError, ValueError):  # qrcode 8 says "Invalid version (41)" past version 40
        raise PayloadTooLarge(
            "The enrolment payload is too large for a QR code; hand over the profile file instead."
        ) from None
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def terminal_qr(text: str) -> str:
    """The QR code as lines of half blocks, two module rows per line, for a
    terminal (low error correction: a screen is clean, and the code stays
    narrower)."""
    rows = qr_matrix(text, border=TERMINAL_BORDER)
    if len(rows) % 2:
        rows.append([False] * len(rows[0]))
    glyphs = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}
    lines = []
    for top, bottom in zip(rows[0::2], rows[1::2], strict=True):
        lines.append(
            _BLACK_ON_WHITE + "".join(glyphs[pair] for pair in zip(top, bottom, strict=True)) + _RESET
        )
    return "\n".join(lines)


def terminal_matrix(drawn: str) -> list[list[bool]]:
    """``terminal_qr``'s modules read back from its text (for tests and checks)."""
    dark = {"█": (True, True), "▀": (True, False), "▄": (False, True), " ": (False, False)}
    rows: list[list[bool]] = []
    for line in drawn.splitlines():
        cells = [dark[ch] for ch in line.removeprefix(_BLACK_ON_WHITE).removesuffix(_RESET)]
        rows += [[top for top, _ in cells], [bottom for _, bottom in cells]]
    return rows


def check_qr_target(path: Path) -> None:
    """Before a token is issued: the file's kind is known and it is free."""
    if path.suffix.lower() not in QR_SUFFIXES:
        raise UsageError(f"--qr {path}: the file name must end in .png, .svg or .txt.")
    if os.path.lexists(path):
        raise CommandRefused(f"{path} exists already; give another --qr FILE. No token was issued.")


def qr_file_bytes(text: str, suffix: str) -> bytes:
    """A PNG or SVG of the QR code (medium error correction: it may be
    printed), or the payload text itself for ``.txt``."""
    suffix = suffix.lower()
    if suffix == ".txt":
        return (text + "\n").encode("ascii")
    qr_matrix(text, error=qrcode.constants.ERROR_CORRECT_M)  # a payload too large is said plainly
    if suffix == ".svg":
        from qrcode.image.svg import SvgPathImage

        factory: type = SvgPathImage
    else:
        from qrcode.image.pil import PilImage

        factory = PilImage
    image = qrcode.make(
        text.encode("ascii"),
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=FILE_BORDER,
        box_size=8,
        image_factory=factory,
    )
    buffer = io.BytesIO()
    if suffix == ".svg":
        image.save(buffer)
    else:
        image.save(buffer, format="PNG")
    return buffer.getvalue()


def write_qr_file(text: str, path: Path) -> None:
    """Create ``path`` (never over an existing file), 0600: it carries a
    token good for one enrolment."""
    data = qr_file_bytes(text, path.suffix)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except FileExistsError:
        raise CommandRefused(f"{path} exists already; give another --qr FILE.") from None
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
    except OSError:
        path.unlink(missing_ok=True)
        raise
