"""Signed, content-addressed revisions: the unit of change and of sync.

The signed bytes are the RFC 8785 canonical JSON of::

    {"v": 1, "entity": <uuid>, "type": <entity type>, "op": "put" | "delete",
     "body": {...}, "parents": [<revision ids, sorted>], "hlc": [ms, counter],
     "device": <device id>, "key": <base64 Ed25519 public key>}

The revision id is the hex SHA-256 of those bytes; the signature is Ed25519 over
``b"fieldvault-revision-v1\\x00" + signed bytes``. docs/vault-format.md has the
details needed to check a revision without this code.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from db.device import DeviceIdentity, device_id_for
from db.errors import RevisionRejected
from db.hlc import Timestamp

FORMAT_VERSION = 1
SIGNATURE_DOMAIN = b"fieldvault-revision-v1\x00"
OPS = ("put", "delete")
ENVELOPE_KEYS = {"v", "entity", "type", "op", "body", "parents", "hlc", "device", "key"}


def canonical_json(value: Any) -> bytes:
    return rfc8785.dumps(value)


@dataclass(frozen=True)
class Revision:
    revision_id: str
    entity_id: str
    entity_type: str
    op: str
    body: dict[str, Any]
    parents: tuple[str, ...]
    hlc: Timestamp
    device_id: str
    public_key: bytes
    signed: bytes
    signature: bytes

    def to_wire(self) -> dict[str, str]:
        """The form a revision travels in (bundles): signed bytes and signature."""
        return {
            "id": self.revision_id,
            "signed": base64.b64encode(self.signed).decode("ascii"),
            "signature": base64.b64encode(self.signature).decode("ascii"),
        }


def create_revision(
    identity: DeviceIdentity,
    *,
    entity_id: str,
    entity_type: str,
    op: str,
    body: dict[str, Any],
    parents: list[str],
    hlc: Timestamp,
) -> Revision:
    envelope = {
        "v": FORMAT_VERSION,
        "entity": entity_id,
        "type": entity_type,
        "op": op,
        "body": body,
        "parents": sorted(set(parents)),
        "hlc": hlc.as_list(),
        "device": identity.device_id,
        "key": base64.b64encode(identity.public_key).decode("ascii"),
    }
    signed = canonical_json(envelope)
    return Revision(
        revision_id=hashlib.sha256(signed).hexdigest(),
        entity_id=entity_id,
        entity_type=entity_type,
        op=op,
        body=body,
        parents=tuple(envelope["parents"]),  # type: ignore[arg-type]
        hlc=hlc,
        device_id=identity.device_id,
        public_key=identity.public_key,
        signed=signed,
        signature=identity.sign(SIGNATURE_DOMAIN + signed),
    )


def _require(condition: bool, claimed_id: str, reason: str) -> None:
    if not condition:
        raise RevisionRejected(claimed_id, reason)


def verify_revision(
    signed: bytes, signature: bytes, claimed_id: str, known_types: frozenset[str]
) -> Revision:
    """Parse and check a revision from elsewhere; raise RevisionRejected with the
    first failed check as the reason."""
    _require(hashlib.sha256(signed).hexdigest() == claimed_id, claimed_id, "id does not match content")
    try:
        envelope = json.loads(signed.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise RevisionRejected(claimed_id, "not valid JSON") from None
    _require(isinstance(envelope, dict), claimed_id, "not a JSON object")
    _require(set(envelope) == ENVELOPE_KEYS, claimed_id, "unexpected or missing fields")
    _require(canonical_json(envelope) == signed, claimed_id, "not in canonical form")
    _require(envelope["v"] == FORMAT_VERSION, claimed_id, f"unknown format version {envelope['v']!r}")
    _require(envelope["op"] in OPS, claimed_id, "unknown operation")
    _require(envelope["type"] in known_types, claimed_id, "unknown entity type")
    _require(isinstance(envelope["body"], dict), claimed_id, "body is not an object")
    _require(
        isinstance(envelope["entity"], str) and len(envelope["entity"]) == 36, claimed_id, "bad entity id"
    )
    parents = envelope["parents"]
    _require(
        isinstance(parents, list)
        and all(isinstance(p, str) and len(p) == 64 for p in parents)
        and parents == sorted(set(parents)),
        claimed_id,
        "bad parent list",
    )
    hlc = envelope["hlc"]
    _require(
        isinstance(hlc, list) and len(hlc) == 2 and all(isinstance(x, int) and x >= 0 for x in hlc),
        claimed_id,
        "bad clock reading",
    )
    try:
        public_key = base64.b64decode(envelope["key"], validate=True)
        verifier = Ed25519PublicKey.from_public_bytes(public_key)
    except (binascii.Error, ValueError, TypeError):
        raise RevisionRejected(claimed_id, "bad public key") from None
    _require(device_id_for(public_key) == envelope["device"], claimed_id, "device id does not match its key")
    try:
        verifier.verify(signature, SIGNATURE_DOMAIN + signed)
    except InvalidSignature:
        raise RevisionRejected(claimed_id, "bad signature") from None
    return Revision(
        revision_id=claimed_id,
        entity_id=envelope["entity"],
        entity_type=envelope["type"],
        op=envelope["op"],
        body=envelope["body"],
        parents=tuple(parents),
        hlc=Timestamp(hlc[0], hlc[1]),
        device_id=envelope["device"],
        public_key=public_key,
        signed=signed,
        signature=signature,
    )


def revision_from_wire(wire: dict[str, Any], known_types: frozenset[str]) -> Revision:
    claimed = str(wire.get("id", "?"))
    try:
        signed = base64.b64decode(wire["signed"], validate=True)
        signature = base64.b64decode(wire["signature"], validate=True)
    except (KeyError, binascii.Error, TypeError, ValueError):
        raise RevisionRejected(claimed, "malformed wire encoding") from None
    return verify_revision(signed, signature, claimed, known_types)
