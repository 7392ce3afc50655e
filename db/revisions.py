"""Signed, content-addressed revisions: the unit of change and of sync.

The signed bytes are the RFC 8785 canonical JSON of::

    {"v": 1, "entity": <uuid>, "type": <entity type>, "op": "put" | "delete",
     "body": {...}, "parents": [<revision ids, sorted>], "hlc": [ms, counter],
     "device": <device id>, "key": <base64 Ed25519 public key>}

The revision id is the hex SHA-256 of those bytes; the signature is Ed25519 over
``b"fieldvault-revision-v1\\x00" + signed bytes``. docs/vault-format.md has the
details needed to check a revision without this code.

Revisions come from other devices, so every check on them is written for
hostile input: whatever the bytes, ``verify_revision`` returns a Revision or
raises RevisionRejected naming the first failed check, never another
exception. The bounds (size, nesting, integers, strings) are part of the
format and listed in docs/vault-format.md.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
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
UUID_TEXT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
REVISION_ID = re.compile(r"^[0-9a-f]{64}$")
DEVICE_ID = re.compile(r"^[0-9a-f]{32}$")

# Format limits of a revision's signed bytes (docs/vault-format.md).
MAX_REVISION_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 16  # an envelope is 1, its body 2, a body's dict or list 3
MAX_STRING_CHARS = 1_000_000
MAX_PARENTS = 1_000
MAX_INT = 2**53 - 1  # the largest integer JSON carries exactly (RFC 8785)
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def canonical_json(value: Any) -> bytes:
    return rfc8785.dumps(value)


def json_problem(value: Any, depth: int = 1) -> str | None:
    """Why a parsed JSON value is outside the format's limits, or None."""
    if depth > MAX_DEPTH:
        return f"nested deeper than {MAX_DEPTH} levels"
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, _HugeInteger):
        return "an integer beyond 2^53"
    if isinstance(value, int):
        return None if -MAX_INT <= value <= MAX_INT else "an integer beyond 2^53"
    if isinstance(value, float):
        return None if math.isfinite(value) else "a number that is not finite"
    if isinstance(value, str):
        if len(value) > MAX_STRING_CHARS:
            return f"a string longer than {MAX_STRING_CHARS} characters"
        return "a lone surrogate in a string" if LONE_SURROGATE.search(value) else None
    if isinstance(value, list):
        items: list[Any] = value
    elif isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    else:
        return f"an unexpected value of type {type(value).__name__}"
    for item in items:
        problem = json_problem(item, depth + 1)
        if problem is not None:
            return problem
    return None


class _HugeInteger:
    """Stands for an integer too long to convert (Python refuses beyond 4300
    digits), so that the reason given is the integer's, not "not JSON"."""


def _parse_int(digits: str) -> int | _HugeInteger:
    return int(digits) if len(digits) <= 20 else _HugeInteger()


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key")
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_signed(signed: bytes, claimed_id: str) -> dict[str, Any]:
    """The envelope in ``signed``, checked against the format's limits and
    its canonical form (RevisionRejected otherwise)."""
    _require(len(signed) <= MAX_REVISION_BYTES, claimed_id, f"larger than {MAX_REVISION_BYTES} bytes")
    try:
        envelope = json.loads(
            signed.decode("utf-8"),
            object_pairs_hook=_no_duplicate_keys,
            parse_constant=_no_constants,
            parse_int=_parse_int,
        )
    except RecursionError:
        raise RevisionRejected(claimed_id, f"nested deeper than {MAX_DEPTH} levels") from None
    except (UnicodeDecodeError, ValueError):
        raise RevisionRejected(claimed_id, "not valid JSON") from None
    problem = json_problem(envelope)
    _require(problem is None, claimed_id, f"holds {problem}")
    _require(isinstance(envelope, dict), claimed_id, "not a JSON object")
    try:
        canonical = canonical_json(envelope)
    except (rfc8785.CanonicalizationError, ValueError, TypeError):
        raise RevisionRejected(claimed_id, "not representable in canonical JSON") from None
    _require(canonical == signed, claimed_id, "not in canonical form")
    return dict(envelope)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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
    envelope = parse_signed(signed, claimed_id)
    _require(set(envelope) == ENVELOPE_KEYS, claimed_id, "unexpected or missing fields")
    version = envelope["v"]
    _require(
        _is_int(version) and version == FORMAT_VERSION, claimed_id, f"unknown format version {version!r}"
    )
    _require(isinstance(envelope["op"], str) and envelope["op"] in OPS, claimed_id, "unknown operation")
    _require(
        isinstance(envelope["type"], str) and envelope["type"] in known_types,
        claimed_id,
        "unknown entity type",
    )
    _require(isinstance(envelope["body"], dict), claimed_id, "body is not an object")
    _require(
        isinstance(envelope["entity"], str) and UUID_TEXT.match(envelope["entity"]) is not None,
        claimed_id,
        "bad entity id",
    )
    parents = envelope["parents"]
    _require(
        isinstance(parents, list)
        and len(parents) <= MAX_PARENTS
        and all(isinstance(p, str) and REVISION_ID.match(p) for p in parents)
        and parents == sorted(set(parents)),
        claimed_id,
        "bad parent list",
    )
    hlc = envelope["hlc"]
    # Beyond what the format holds (ms 0 to 2^53 - 1, counter 0 to 2^32 - 1)
    # is refused too: adopting such a reading would stop every later save.
    _require(
        isinstance(hlc, list)
        and len(hlc) == 2
        and all(_is_int(x) for x in hlc)
        and Timestamp(hlc[0], hlc[1]).in_format(),
        claimed_id,
        "bad clock reading",
    )
    _require(
        isinstance(envelope["device"], str) and DEVICE_ID.match(envelope["device"]) is not None,
        claimed_id,
        "bad device id",
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
    if not isinstance(wire, dict):
        raise RevisionRejected("?", "malformed wire encoding")
    claimed = wire.get("id")
    # The id names the revision in messages: only a well-formed one is repeated.
    claimed = claimed if isinstance(claimed, str) and REVISION_ID.match(claimed) else "?"
    try:
        signed = base64.b64decode(wire["signed"], validate=True)
        signature = base64.b64decode(wire["signature"], validate=True)
    except (KeyError, binascii.Error, TypeError, ValueError):
        raise RevisionRejected(claimed, "malformed wire encoding") from None
    return verify_revision(signed, signature, claimed, known_types)
