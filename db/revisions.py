"""Signed, content-addressed revisions: the unit of change and of sync.

The signed bytes are the RFC 8785 canonical JSON of::

    {"v": 1, "entity": <uuid>, "type": <entity type>, "op": "put" | "delete",
     "body": {...}, "parents": [<revision ids, sorted>], "hlc": [ms, counter],
     "device": <device id>, "key": <base64 Ed25519 public key>}

A coordinator's **re-root** of a record a revocation froze (db/reroot.py,
docs/sync.md §2.3) is the one revision of format version 2: the same
envelope with ``"v": 2`` and one more member, ``"reroot": {"choice":
"as-before" | "as-held", "supersedes": [<revision ids, sorted>]}``, the
revisions of the revoked line it replaces (no longer heads where they are
held). Every other revision stays version 1, byte for byte.

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
import hashlib
import json
import math
import os
import re
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for_all
from dataclasses import dataclass
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from db.device import DeviceIdentity, device_id_for
from db.errors import RevisionRejected
from db.hlc import Timestamp
from db.strict_b64 import strict_b64decode

FORMAT_VERSION = 1
REROOT_VERSION = 2  # a re-root: the version 1 envelope and its "reroot" member
REROOT_CHOICES = ("as-before", "as-held")
SIGNATURE_DOMAIN = b"fieldvault-revision-v1\x00"
OPS = ("put", "delete")
ENVELOPE_KEYS = {"v", "entity", "type", "op", "body", "parents", "hlc", "device", "key"}
REROOT_KEYS = ENVELOPE_KEYS | {"reroot"}
# \Z, not $: $ also matches before a final newline, and a signed entity or
# parent id "<id>\n" would read as another id than the one it spells.
UUID_TEXT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
REVISION_ID = re.compile(r"^[0-9a-f]{64}\Z")
DEVICE_ID = re.compile(r"^[0-9a-f]{32}\Z")

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
    """Why a parsed JSON value is outside the format's limits, or None (the
    first problem met walking depth first, keys before values)."""
    if depth > MAX_DEPTH:
        return f"nested deeper than {MAX_DEPTH} levels"
    kind = type(value)
    # The exact types json.loads makes come first: this runs on every field
    # of every revision received.
    if kind is str:
        if len(value) > MAX_STRING_CHARS:
            return f"a string longer than {MAX_STRING_CHARS} characters"
        return "a lone surrogate in a string" if LONE_SURROGATE.search(value) else None
    if kind is dict:
        items: Any = (*value, *value.values())
    elif kind is list:
        items = value
    elif value is None or isinstance(value, bool):
        return None
    elif isinstance(value, _HugeInteger):
        return "an integer beyond 2^53"
    elif isinstance(value, int):
        return None if -MAX_INT <= value <= MAX_INT else "an integer beyond 2^53"
    elif isinstance(value, float):
        return None if math.isfinite(value) else "a number that is not finite"
    elif isinstance(value, str):
        if len(value) > MAX_STRING_CHARS:
            return f"a string longer than {MAX_STRING_CHARS} characters"
        return "a lone surrogate in a string" if LONE_SURROGATE.search(value) else None
    elif isinstance(value, list):
        items = value
    elif isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    else:
        return f"an unexpected value of type {type(value).__name__}"
    for item in items:
        if type(item) is str and len(item) <= MAX_STRING_CHARS and depth < MAX_DEPTH:
            if LONE_SURROGATE.search(item):
                return "a lone surrogate in a string"
            continue
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


class _Scan:
    """What json.loads met while parsing one revision: whether the value can
    hold nothing the format's limits refuse, and whether json.dumps encodes
    it exactly as RFC 8785 does, both decided without walking the value."""

    __slots__ = ("floats", "odd_keys", "wide_ints")

    def __init__(self) -> None:
        self.floats = False  # RFC 8785 writes numbers with a fraction or exponent its own way
        self.wide_ints = False  # beyond 2^53
        self.odd_keys = False  # RFC 8785 sorts keys by UTF-16 units, json.dumps by code points

    def pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = _no_duplicate_keys(pairs)
        if not "".join(result).isascii():
            self.odd_keys = True
        return result

    def integer(self, digits: str) -> int | _HugeInteger:
        value = _parse_int(digits)
        if isinstance(value, _HugeInteger) or not -MAX_INT <= value <= MAX_INT:
            self.wide_ints = True
        return value

    def number(self, text: str) -> float:
        self.floats = True
        return float(text)

    def within_limits(self, signed: bytes) -> bool:
        """True when json_problem can only answer None for what was parsed
        from ``signed``: no float (one might not be finite), no integer
        beyond 2^53, fewer brackets than MAX_DEPTH (a value is nested at most
        one deeper than its brackets), no string longer than MAX_STRING_CHARS
        (it takes at least one byte a character) and no ``\\u`` escape of the
        surrogate range (the only way a lone surrogate gets into decoded
        UTF-8). When False, json_problem walks the value and names the reason."""
        return (
            not self.floats
            and not self.wide_ints
            and signed.count(b"{") + signed.count(b"[") < MAX_DEPTH
            and len(signed) <= MAX_STRING_CHARS
            and b"\\ud" not in signed
            and b"\\uD" not in signed
        )


def _plain_canonical(value: Any) -> bytes:
    """RFC 8785 for a parsed JSON value with no floats and only ASCII keys:
    then json.dumps (C) writes the same bytes (the same string escapes,
    integers as digits, keys in the same order) several times faster."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _no_fraction(text: str) -> Any:
    raise ValueError("a number with a fraction or exponent")


def _short_integer(digits: str) -> int:
    # 15 characters at most, a minus sign included: well within 2^53 (which
    # has 16 digits). Anything longer goes the long way.
    if len(digits) > 15:
        raise ValueError("an integer of 16 digits or more")
    return int(digits)


# The quick path's parser and encoder, made once (json.dumps with arguments
# makes an encoder each call). The parser has none of _Scan's hooks but an
# integer's (a length test) and two that run only where the quick path
# gives up: a number with a fraction or exponent, NaN and Infinity.
_QUICK_DECODER = json.JSONDecoder(
    parse_float=_no_fraction, parse_int=_short_integer, parse_constant=_no_constants
)
_QUICK_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
# The lead bytes of a UTF-8 sequence beyond U+FFFF (F0-F4; F5-FF never
# occur in UTF-8): deleted with bytes.translate, which is quicker than a
# regular expression's search.
_BEYOND_BMP_LEADS = bytes(range(0xF0, 0x100))


def _quick_envelope(signed: bytes) -> dict[str, Any] | None:
    """What parse_signed's full parse returns for ``signed`` when a quick
    look can tell that it accepts it; None leaves the decision to it.

    The quick look takes ``signed`` only when it is exactly json.dumps's
    compact, sorted encoding of what json.loads reads from it and nothing
    in it is where the two could part:

    - equal bytes: valid UTF-8 and JSON, no duplicate key (json.dumps
      writes each key of a dict once), no whitespace, no other spelling of
      a string or a number;
    - no number with a fraction or exponent, no NaN or Infinity (the
      parser's hooks raise): json.dumps writes some floats otherwise than
      RFC 8785, and the full parse refuses the constants;
    - no integer of more than 15 characters (_short_integer): every
      integer is within 2^53;
    - _Scan.within_limits's tests of the bytes (depth, string length, no
      ``\\ud`` escape): with the two above, json_problem finds nothing;
    - no character beyond U+FFFF: then code point order (json.dumps) and
      UTF-16 order (RFC 8785) sort every key alike, ASCII or not, and
      json.dumps writes RFC 8785's bytes (see _plain_canonical).

    So the full parse would accept the same bytes and return an equal
    dict; anything else, accepted or refused, it decides as before
    (tests/db/test_revision_quick_parse.py holds the two side by side)."""
    if (
        signed.count(b"{") + signed.count(b"[") >= MAX_DEPTH
        or len(signed) > MAX_STRING_CHARS
        or b"\\ud" in signed
        or b"\\uD" in signed
        or (not signed.isascii() and len(signed.translate(None, _BEYOND_BMP_LEADS)) != len(signed))
    ):
        return None
    try:
        envelope = _QUICK_DECODER.decode(signed.decode("utf-8"))
        if type(envelope) is not dict or _QUICK_ENCODER.encode(envelope).encode("utf-8") != signed:
            return None
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None
    return envelope


def parse_signed(signed: bytes, claimed_id: str) -> dict[str, Any]:
    """The envelope in ``signed``, checked against the format's limits and
    its canonical form (RevisionRejected otherwise)."""
    _require(len(signed) <= MAX_REVISION_BYTES, claimed_id, f"larger than {MAX_REVISION_BYTES} bytes")
    quick = _quick_envelope(signed)
    return quick if quick is not None else _full_parse(signed, claimed_id)


def _full_parse(signed: bytes, claimed_id: str) -> dict[str, Any]:
    """parse_signed's every test, for any bytes within MAX_REVISION_BYTES:
    what the quick look leaves (and what parse_signed was before it)."""
    scan = _Scan()
    try:
        envelope = json.loads(
            signed.decode("utf-8"),
            object_pairs_hook=scan.pairs,
            parse_constant=_no_constants,
            parse_int=scan.integer,
            parse_float=scan.number,
        )
    except RecursionError:
        raise RevisionRejected(claimed_id, f"nested deeper than {MAX_DEPTH} levels") from None
    except (UnicodeDecodeError, ValueError):
        raise RevisionRejected(claimed_id, "not valid JSON") from None
    problem = None if scan.within_limits(signed) else json_problem(envelope)
    _require(problem is None, claimed_id, f"holds {problem}")
    _require(isinstance(envelope, dict), claimed_id, "not a JSON object")
    try:
        canonical = canonical_json(envelope) if scan.floats or scan.odd_keys else _plain_canonical(envelope)
    except (rfc8785.CanonicalizationError, ValueError, TypeError):
        raise RevisionRejected(claimed_id, "not representable in canonical JSON") from None
    _require(canonical == signed, claimed_id, "not in canonical form")
    return dict(envelope)


_BODY_START = b'{"body":'
_BODY_END = b',"device":"'


def canonical_body(signed: bytes) -> bytes:
    """The body's RFC 8785 bytes, cut out of a stored revision's signed
    bytes instead of encoded again: the envelope was checked canonical when
    stored, so its body is canonical too and comes first ("body" sorts
    before every other key); what follows it (device, entity, clock, key,
    op, parents, type, v) cannot hold ``,"device":"``, so its last
    occurrence ends the body. Anything else is encoded from the parsed
    envelope, as before."""
    if signed.startswith(_BODY_START):
        end = signed.rfind(_BODY_END)
        if end > len(_BODY_START):
            return signed[len(_BODY_START) : end]
    return canonical_json(json.loads(signed)["body"])


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Reroot:
    """What a re-root (format version 2) says besides a revision's content:
    which of the two contents a person chose, and the revisions of the
    revoked line it supersedes (sorted, none of its parents)."""

    choice: str
    supersedes: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"choice": self.choice, "supersedes": list(self.supersedes)}


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
    reroot: Reroot | None = None  # only a re-root's (format version 2)

    @property
    def supersedes(self) -> tuple[str, ...]:
        return self.reroot.supersedes if self.reroot is not None else ()

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
    reroot: Reroot | None = None,
) -> Revision:
    envelope: dict[str, Any] = {
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
    if reroot is not None:
        reroot = Reroot(reroot.choice, tuple(sorted(set(reroot.supersedes))))
        envelope["v"] = REROOT_VERSION
        envelope["reroot"] = reroot.to_json()
    signed = canonical_json(envelope)
    return Revision(
        revision_id=hashlib.sha256(signed).hexdigest(),
        entity_id=entity_id,
        entity_type=entity_type,
        op=op,
        body=body,
        parents=tuple(envelope["parents"]),
        hlc=hlc,
        device_id=identity.device_id,
        public_key=identity.public_key,
        signed=signed,
        signature=identity.sign(SIGNATURE_DOMAIN + signed),
        reroot=reroot,
    )


def _require(condition: bool, claimed_id: str, reason: str) -> None:
    if not condition:
        raise RevisionRejected(claimed_id, reason)


def verify_revision(
    signed: bytes, signature: bytes, claimed_id: str, known_types: frozenset[str]
) -> Revision:
    """Parse and check a revision from elsewhere; raise RevisionRejected with the
    first failed check as the reason."""
    revision, verifier = _checked_but_signature(signed, signature, claimed_id, known_types, None)
    _check_signature(revision, verifier)
    return revision


def _check_signature(revision: Revision, verifier: Ed25519PublicKey) -> None:
    """The last check of verify_revision (the only one that releases the GIL)."""
    try:
        verifier.verify(revision.signature, SIGNATURE_DOMAIN + revision.signed)
    except InvalidSignature:
        raise RevisionRejected(revision.revision_id, "bad signature") from None


# A signer's key as read from an envelope's "key" text: its bytes, the
# verifier made from them and the device id they give. Reading a key costs
# ~10 us (base64, the Ed25519 point, SHA-256) and a bundle's revisions are
# mostly one device's: revisions_from_wire keeps what it read for one call
# (public keys only; nothing outlives the call). Only keys that passed every
# test are kept, so a text found here would pass them again. One verifier
# may then be used by several verify-signatures threads at once: it only
# reads its key (OpenSSL shares an unchanged EVP_PKEY between threads;
# cryptography makes a new context for every verification).
_KnownKeys = dict[str, tuple[bytes, Ed25519PublicKey, str]]
_MAX_KNOWN_KEYS = 64  # a hostile bundle may name a new key in every revision


def _read_key(text: Any, claimed_id: str, known: _KnownKeys | None) -> tuple[bytes, Ed25519PublicKey, str]:
    """The envelope's public key (RevisionRejected "bad public key"), its
    verifier and the device id it gives."""
    if known is not None and type(text) is str:
        found = known.get(text)
        if found is not None:
            return found
    # Only the canonical spelling (db/strict_b64.py): another would be other
    # signed bytes, so another revision id, for the same key.
    public_key = strict_b64decode(text, 32)
    try:
        if public_key is None:
            raise ValueError
        verifier = Ed25519PublicKey.from_public_bytes(public_key)
    except ValueError:
        raise RevisionRejected(claimed_id, "bad public key") from None
    read = (public_key, verifier, device_id_for(public_key))
    if known is not None:
        if len(known) >= _MAX_KNOWN_KEYS:
            known.clear()
        known[text] = read
    return read


def _checked_but_signature(
    signed: bytes,
    signature: bytes,
    claimed_id: str,
    known_types: frozenset[str],
    known_keys: _KnownKeys | None,
) -> tuple[Revision, Ed25519PublicKey]:
    """Every check of verify_revision but the signature, in its order; the
    revision and the key that must have signed it. ``known_keys``: keys
    read before in the same call (_read_key)."""
    _require(hashlib.sha256(signed).hexdigest() == claimed_id, claimed_id, "id does not match content")
    envelope = parse_signed(signed, claimed_id)
    version = envelope.get("v")
    if not (_is_int(version) and version in (FORMAT_VERSION, REROOT_VERSION)):
        raise RevisionRejected(claimed_id, f"unknown format version {version!r}")
    _require(
        set(envelope) == (ENVELOPE_KEYS if version == FORMAT_VERSION else REROOT_KEYS),
        claimed_id,
        "unexpected or missing fields",
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
    reroot = (
        _checked_reroot(envelope.get("reroot"), parents, claimed_id) if version == REROOT_VERSION else None
    )
    hlc = envelope["hlc"]
    # Beyond what the format holds (ms 0 to 2^53 - 1, counter 0 to 2^32 - 1)
    # is refused too: adopting such a reading would stop every later save.
    clock = (
        Timestamp(hlc[0], hlc[1])
        if isinstance(hlc, list) and len(hlc) == 2 and all(_is_int(x) for x in hlc)
        else None
    )
    if clock is None or not clock.in_format():
        raise RevisionRejected(claimed_id, "bad clock reading")
    _require(
        isinstance(envelope["device"], str) and DEVICE_ID.match(envelope["device"]) is not None,
        claimed_id,
        "bad device id",
    )
    public_key, verifier, device_id = _read_key(envelope["key"], claimed_id, known_keys)
    _require(device_id == envelope["device"], claimed_id, "device id does not match its key")
    revision = Revision(
        revision_id=claimed_id,
        entity_id=envelope["entity"],
        entity_type=envelope["type"],
        op=envelope["op"],
        body=envelope["body"],
        parents=tuple(parents),
        hlc=clock,
        device_id=envelope["device"],
        public_key=public_key,
        signed=signed,
        signature=signature,
        reroot=reroot,
    )
    return revision, verifier


def _checked_reroot(member: Any, parents: list[str], claimed_id: str) -> Reroot:
    """A re-root's member: a choice of the two, and a sorted, non-empty list
    of at most MAX_PARENTS revision ids, none a parent (a revision it
    supersedes is not one it descends from)."""
    _require(
        isinstance(member, dict) and set(member) == {"choice", "supersedes"},
        claimed_id,
        "bad re-root member",
    )
    _require(member["choice"] in REROOT_CHOICES, claimed_id, "unknown re-root choice")
    superseded = member["supersedes"]
    _require(
        isinstance(superseded, list)
        and 0 < len(superseded) <= MAX_PARENTS
        and all(isinstance(s, str) and REVISION_ID.match(s) for s in superseded)
        and superseded == sorted(set(superseded))
        and not set(superseded) & set(parents),
        claimed_id,
        "bad re-root supersedes list",
    )
    return Reroot(member["choice"], tuple(superseded))


def revision_from_wire(wire: dict[str, Any], known_types: frozenset[str]) -> Revision:
    revision, verifier = _checked_wire(wire, known_types, None)
    _check_signature(revision, verifier)
    return revision


def _checked_wire(
    wire: dict[str, Any], known_types: frozenset[str], known_keys: _KnownKeys | None
) -> tuple[Revision, Ed25519PublicKey]:
    if not isinstance(wire, dict):
        raise RevisionRejected("?", "malformed wire encoding")
    claimed = wire.get("id")
    # The id names the revision in messages: only a well-formed one is repeated.
    claimed = claimed if isinstance(claimed, str) and REVISION_ID.match(claimed) else "?"
    # Only the canonical spelling (db/strict_b64.py): one revision, one wire form.
    signed = strict_b64decode(wire.get("signed"))
    signature = strict_b64decode(wire.get("signature"))
    if signed is None or signature is None:
        raise RevisionRejected(claimed, "malformed wire encoding")
    return _checked_but_signature(signed, signature, claimed, known_types, known_keys)


# Ed25519 verification is ~0.1 ms a revision here and releases the GIL: a
# bundle's revisions are parsed on the calling thread while threads check the
# signatures of those parsed before, in chunks. Chunks of 32 (a future costs
# ~20 us) so that a bundle of 200 revisions, the merge benchmark's, is
# checked on threads too: with chunks of 128 only batches of 256 or more
# were, and such a bundle spent ~23 ms a bundle verifying on the parsing
# thread (issue 14, benchmarks/bench_merge.py).
_SIGNATURE_CHUNK = 32
_SIGNATURE_THREADS = min(4, os.cpu_count() or 1)
# One pool for the process, its threads started once: a pool a batch cost
# ~3% of a merge bundle's import in starting and ending its threads (session
# 23, a sampling profile at 100k). Each batch waits only for its own futures.
_signature_pool: ThreadPoolExecutor | None = None
_signature_pool_lock = threading.Lock()


def _signature_threads() -> ThreadPoolExecutor:
    global _signature_pool
    with _signature_pool_lock:
        if _signature_pool is None:
            _signature_pool = ThreadPoolExecutor(_SIGNATURE_THREADS, thread_name_prefix="verify-signatures")
        return _signature_pool


def _bad_signatures(
    chunk: list[tuple[int, Revision, Ed25519PublicKey]],
) -> list[tuple[int, RevisionRejected]]:
    refused = []
    for index, revision, verifier in chunk:
        try:
            _check_signature(revision, verifier)
        except RevisionRejected as bad:
            refused.append((index, bad))
    return refused


class SignaturesInFlight:
    """A batch of wire revisions parsed and checked now, on the calling
    thread, while threads check their signatures: ``outcomes`` holds each
    one's Revision, or the RevisionRejected a check before the signature
    gave (revision_from_wire's checks, in its order). Whether the
    signatures hold is known only from ``first_bad``.

    So a caller can do its own work on the revisions (an import's checks
    and writes, db/sync_import.py) while the signatures are checked, and
    ask before anything it did can last: its writes stay uncommitted, and
    nothing it keeps in memory may be taken from a revision whose
    signature is still unknown. ``first_bad(through)`` gives the refusal
    one call at a time would have raised first. A context manager: leaving
    it waits for the threads."""

    def __init__(self, wires: Sequence[dict[str, Any]], known_types: frozenset[str]) -> None:
        self.outcomes: list[Revision | RevisionRejected] = []
        self._bad: list[tuple[int, RevisionRejected]] | None = None
        self._pending: list[Future[list[tuple[int, RevisionRejected]]]] = []
        known_keys: _KnownKeys = {}
        if len(wires) < 2 * _SIGNATURE_CHUNK or _SIGNATURE_THREADS < 2:
            for wire in wires:
                try:
                    revision, verifier = _checked_wire(wire, known_types, known_keys)
                    _check_signature(revision, verifier)
                    self.outcomes.append(revision)
                except RevisionRejected as refused:
                    self.outcomes.append(refused)
            self._bad = []
            return
        pool = _signature_threads()
        chunk: list[tuple[int, Revision, Ed25519PublicKey]] = []
        try:
            for wire in wires:
                try:
                    revision, verifier = _checked_wire(wire, known_types, known_keys)
                except RevisionRejected as refused:
                    self.outcomes.append(refused)
                    continue
                chunk.append((len(self.outcomes), revision, verifier))
                self.outcomes.append(revision)
                if len(chunk) >= _SIGNATURE_CHUNK:
                    self._pending.append(pool.submit(_bad_signatures, chunk))
                    chunk = []
            if chunk:
                self._pending.append(pool.submit(_bad_signatures, chunk))
        except BaseException:
            self.close()
            raise

    def first_bad(self, through: int | None = None) -> RevisionRejected | None:
        """Waits for the signatures; the refusal of the first revision (in
        order, at index ``through`` or before it; None: any) whose
        signature is bad, or None. A revision's signature is checked after
        its parse and before anything else: a caller that refused revision
        ``through`` for another reason, after its signature, asks with
        ``through``; one that got past all the revisions, without."""
        for index, refused in self.bad_signatures():
            if through is None or index <= through:
                return refused
        return None

    def bad_signatures(self) -> list[tuple[int, RevisionRejected]]:
        """Waits for the signatures: (index, refusal) of each bad one, in order."""
        if self._bad is None:
            bad: list[tuple[int, RevisionRejected]] = []
            try:
                for future in self._pending:
                    bad += future.result()
            finally:
                self.close()
            self._bad = sorted(bad, key=lambda found: found[0])
        return self._bad

    def close(self) -> None:
        """Waits for this batch's checks under way; those not begun are
        cancelled when the verdict was never asked for (an import that
        failed before it asked)."""
        pending, self._pending = self._pending, []
        if self._bad is None:
            for future in pending:
                future.cancel()
        wait_for_all(pending)

    def __enter__(self) -> SignaturesInFlight:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def revisions_from_wire(
    wires: Sequence[dict[str, Any]], known_types: frozenset[str]
) -> list[Revision | RevisionRejected]:
    """revision_from_wire of each, in order: the Revision, or the
    RevisionRejected that it would have raised (every check, the signature
    included, with the same first-failed reason). The caller decides which
    refusal counts (the first in order, as one call at a time would)."""
    with SignaturesInFlight(wires, known_types) as checking:
        outcomes = checking.outcomes
        for index, bad in checking.bad_signatures():
            outcomes[index] = bad
    return outcomes
