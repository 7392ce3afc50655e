"""The export's signature (docs/exports.md, "The signed export manifest").

A manifest is a JSON object in RFC 8785 (JCS) canonical form; those exact
bytes are what is signed: Ed25519 by the vault's device key over
``fieldvault-export-v1`` ‖ 0x00 ‖ the bytes. The domain prefix keeps an
export signature from passing as a revision, custody, bundle or
acknowledgement signature, and the other way round. The manifest carries the
public key (``key``, base64) and the device id (``device``: the first 16
bytes of SHA-256 of the key, hex), so a third party checks it with
``cryptography`` alone and compares ``device`` with the id the vault showed
(``fieldvault info``)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from db.api import strict_b64decode

EXPORT_DOMAIN = b"fieldvault-export-v1\x00"


def device_id_of(public_key: bytes) -> str:
    return hashlib.sha256(public_key).digest()[:16].hex()


def public_key_b64(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def sign_manifest(key: Ed25519PrivateKey, manifest: dict[str, Any]) -> tuple[bytes, bytes]:
    """(the manifest's canonical bytes, the 64-byte signature over them)."""
    signed = rfc8785.dumps(manifest)
    return signed, key.sign(EXPORT_DOMAIN + signed)


class ManifestInvalid(ValueError):
    """A manifest that is not canonical, names another key, or whose
    signature does not verify (a check's outcome, not a user error)."""


def verify_manifest(signed: bytes, signature: bytes) -> dict[str, Any]:
    """The manifest, once its form, key-to-device match and signature hold."""
    try:
        manifest = json.loads(signed)
        if not isinstance(manifest, dict) or rfc8785.dumps(manifest) != signed:
            raise ManifestInvalid("not canonical JSON")
        key = strict_b64decode(manifest["key"], 32)
        if key is None:
            raise ManifestInvalid("the key is not canonical base64 of 32 bytes")
        if device_id_of(key) != manifest["device"]:
            raise ManifestInvalid("device id does not match the key")
        Ed25519PublicKey.from_public_bytes(key).verify(signature, EXPORT_DOMAIN + signed)
    except (ValueError, KeyError, TypeError, binascii.Error, rfc8785.CanonicalizationError) as err:
        raise ManifestInvalid(f"malformed ({type(err).__name__})") from None
    except InvalidSignature:
        raise ManifestInvalid("bad signature") from None
    return manifest
