"""The enrolment-token proof a device's first bundles carry
(docs/bundle-format.md §2.1, docs/org-profile.md §5).

A bundle's header is readable by whoever copies the file, so it must not
carry the token itself (anyone could then enrol their own key with it).
It carries the token's id and a MAC keyed with the token's signature — the
64 bytes that only the worker (who was handed the token) and the vault that
issued it (which can sign the same payload again: Ed25519 is deterministic)
know — over the organisation id, the token id, the device key and its age
recipient. The header's own signature by the device key covers that proof:
together they show that the holder of this device key holds this token.

Pure functions over bytes, like sync/org.py."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from db.api import strict_b64url_decode
from sync.bundle.format import HeaderEnrolment
from sync.org import TOKEN_DOMAIN, TOKEN_FORMAT, TOKEN_PREFIX, canonical

PROOF_DOMAIN = b"fieldvault-enrolment-proof/1\n"
_HEX32 = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class HeldToken:
    """What a worker's vault needs of its token to prove it."""

    token_id: str
    signature: bytes  # the organisation's 64-byte signature: the MAC key


def held_token(text: str) -> HeldToken | None:
    """The id and signature of a token text (``fvt1.…``), its form only
    (enrol checked its signature and organisation); None if it is not one."""
    parts = text.strip().split(".")
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    payload, signature = strict_b64url_decode(parts[1]), strict_b64url_decode(parts[2], 64)
    if payload is None or signature is None:
        return None
    try:
        body = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    token_id = body.get("token_id") if isinstance(body, dict) else None
    if not isinstance(token_id, str) or not _HEX32.fullmatch(token_id):
        return None
    return HeldToken(token_id, signature)


def proof_message(org_id: str, token_id: str, device_key: bytes, age_recipient: str) -> bytes:
    """``"fieldvault-enrolment-proof/1\\n"`` ‖ JCS({"age_recipient",
    "device_key" (standard base64), "org_id", "token_id"})."""
    return PROOF_DOMAIN + canonical(
        {
            "org_id": org_id,
            "token_id": token_id,
            "device_key": base64.b64encode(device_key).decode("ascii"),
            "age_recipient": age_recipient,
        }
    )


def make_proof(token: HeldToken, org_id: str, device_key: bytes, age_recipient: str) -> str:
    """HMAC-SHA256 keyed with the token's signature, lowercase hex."""
    message = proof_message(org_id, token.token_id, device_key, age_recipient)
    return hmac.new(token.signature, message, hashlib.sha256).hexdigest()


def header_enrolment(
    token_text: str | None, org_id: str, device_key: bytes, age_recipient: str
) -> HeaderEnrolment:
    """The header's ``enrolment`` member: the age recipient, and the token
    proof when the device holds a token."""
    token = held_token(token_text) if token_text else None
    if token is None:
        return HeaderEnrolment(age_recipient)
    return HeaderEnrolment(
        age_recipient, token.token_id, make_proof(token, org_id, device_key, age_recipient)
    )


def issued_signature(org_key: Ed25519PrivateKey, org_id: str, token_id: str, expires_ms: int) -> bytes:
    """The signature of the token the organisation issued with these values
    (sync/org.py make_token), made again: the issuer's MAC key."""
    payload = canonical(
        {"format": TOKEN_FORMAT, "org_id": org_id, "token_id": token_id, "expires_ms": expires_ms}
    )
    return org_key.sign(TOKEN_DOMAIN + payload)


def proof_holds(
    enrolment: HeaderEnrolment,
    *,
    org_key: Ed25519PrivateKey,
    org_id: str,
    expires_ms: int,
    device_key: bytes,
) -> bool:
    """Does ``enrolment``'s proof come from the holder of the token this
    organisation issued (``token_id``, ``expires_ms``) for this device key?"""
    if enrolment.token_id is None or enrolment.proof is None:
        return False
    signature = issued_signature(org_key, org_id, enrolment.token_id, expires_ms)
    expected = make_proof(
        HeldToken(enrolment.token_id, signature), org_id, device_key, enrolment.age_recipient
    )
    return hmac.compare_digest(expected, enrolment.proof)
