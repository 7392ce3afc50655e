"""Base64 read in its one canonical form: the decoder for every signature,
key, hash or token that comes from outside (bundles, profiles, tokens,
acknowledgements, receipts, the server's answers).

Python's decoders accept several spellings of the same bytes: the unused low
bits of the last character may be anything (``...Q==`` and ``...R==`` decode
alike), and without ``validate=True`` characters outside the alphabet are
skipped. A signed object read in a second spelling is still "the same"
signature over the same bytes, yet other bytes on disk or on the wire: a
file's hash, a dedup by text or a fuzz test that expects every changed byte
to be refused would all see two objects where the signer made one. So a
reader takes a text only if it is exactly what the writer would have written
for the bytes it decodes to: standard base64 with ``=`` padding
(``base64.b64encode``), or base64url without padding for the ``fvt1.``
tokens, device cards and enrolment payloads.

Both return None for anything else (not a str, not ASCII, a character outside
the alphabet, wrong padding, non-zero unused bits, another size than
``size``): each reader turns None into its own documented error code.

Standard library only: the server loads it (through ``sync.bundle.format``)
without the vault stack, and ``db/`` uses it for revisions and custody events
from other devices."""

from __future__ import annotations

import base64
import binascii

__all__ = ["strict_b64decode", "strict_b64url_decode"]


def strict_b64decode(text: object, size: int | None = None) -> bytes | None:
    """The bytes of canonical standard base64 with padding (``size`` of them
    when given), or None."""
    if not isinstance(text, str):
        return None
    try:
        encoded = text.encode("ascii")
        # Any decoder would do (binascii's lenient one is the quickest):
        # re-encoding is the whole canonical test, so a text it decodes
        # leniently (skipped characters, other padding) is refused below.
        raw = binascii.a2b_base64(encoded)
    except (binascii.Error, UnicodeEncodeError):
        return None
    # Padding, the unused low bits of the last character and the alphabet
    # are all as b64encode writes them (b2a_base64 without its newline).
    if (size is not None and len(raw) != size) or binascii.b2a_base64(raw, newline=False) != encoded:
        return None
    return raw


def strict_b64url_decode(text: object, size: int | None = None) -> bytes | None:
    """The bytes of canonical base64url without padding (``size`` of them when
    given), or None."""
    if not isinstance(text, str):
        return None
    try:
        encoded = text.encode("ascii")
        # altchars maps - and _ to + and /; validate refuses anything else
        # outside the alphabet; the re-encoding below refuses + and /.
        raw = base64.b64decode(encoded + b"=" * (-len(encoded) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, UnicodeEncodeError):
        return None
    if (size is not None and len(raw) != size) or base64.urlsafe_b64encode(raw).rstrip(b"=") != encoded:
        return None
    return raw
