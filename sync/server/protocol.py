"""What a client and the server both sign and check (docs/server.md, "API").

Pure functions over bytes, shared by sync/server and sync/client so the two
cannot drift apart. Every signature is Ed25519 over a domain string, so a
signature made for one purpose is never valid for another.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import rfc8785

from sync.bundle.format import decode_b64

CHALLENGE_DOMAIN = b"fieldvault-server-challenge/1\n"
ENROL_DOMAIN = b"fieldvault-server-enrol/1\n"
RECEIPT_DOMAIN = b"fieldvault-server-receipt/1\n"
RECEIPT_FORMAT = "fieldvault-receipt"
GENESIS = "0" * 64  # the "previous" of the first receipt

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination,checksum"


def canonical(value: Any) -> bytes:
    return rfc8785.dumps(value)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: object, size: int | None = None) -> bytes | None:
    """Canonical standard base64 (padded), or None: the one strict decoder
    (db/strict_b64.py), reached through the bundle header checks, the only
    part of sync/ besides sync/org.py that the server imports."""
    return decode_b64(text, size)


def challenge_message(challenge: str, device_id: str, server_key: bytes) -> bytes:
    """What a device signs to log in: the server's one-use challenge, its own
    id and the server's receipt key (so an answer given to one server cannot
    be replayed at another)."""
    return CHALLENGE_DOMAIN + canonical(
        {"challenge": challenge, "device_id": device_id, "server_key": b64(server_key)}
    )


def enrol_message(token: str, device_key: bytes) -> bytes:
    """What a device signs to enrol: the token and its own key (proof that
    whoever presents the token holds the key it registers)."""
    return ENROL_DOMAIN + canonical({"token": token, "device_key": b64(device_key)})


def receipt_hash(entry: bytes) -> str:
    return hashlib.sha256(entry).hexdigest()
