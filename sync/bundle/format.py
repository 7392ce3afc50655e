"""Bundle version 1: constants, the outer header and the inner manifest
(docs/bundle-format.md §1-§4). Pure functions over bytes and dicts; the
writer and the reader stream around them."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from db.api import strict_b64decode
from sync.bundle.errors import BundleRejected

MAGIC = b"fieldvault-bundle/1\n"
HEADER_DOMAIN = b"fieldvault-bundle-header/1\n"
MANIFEST_DOMAIN = b"fieldvault-bundle-manifest/1\n"
MAX_HEADER = 65_536
SIGNATURE_SIZE = 64
PREFIX_SIZE = len(MAGIC) + 4  # magic and header length
MAX_SAFE_INTEGER = 2**53 - 1  # JCS numbers are IEEE doubles

MANIFEST_NAME = "manifest.json"
MANIFEST_SIG_NAME = "manifest.sig"
REVISIONS_NAME = "revisions.jsonl"
CUSTODY_NAME = "custody.jsonl"
BLOB_PREFIX = "blobs/"
# Members the reader holds in memory, and their bounds (§3 "sizes within
# limits"); evidence files are streamed and bounded only by the manifest.
MEMBER_LIMITS = {
    MANIFEST_NAME: 64 * 2**20,
    MANIFEST_SIG_NAME: SIGNATURE_SIZE,
    REVISIONS_NAME: 1024 * 2**20,
    CUSTODY_NAME: 256 * 2**20,
}

HEADER_MEMBERS: dict[str, type | tuple[type, ...]] = {
    "format": str,
    "version": int,
    "org_id": str,
    "profile_version": int,
    "device_id": str,
    "device_key": str,
    "sequence": int,
    "previous": (str, type(None)),
    "created_ms": int,
    "custody_head": (str, type(None)),
    "payload_size": int,
    "payload_sha256": str,
}

ENROLMENT_MEMBER = "enrolment"  # optional (§2.1): a device's first bundles, until acknowledged
ENROLMENT_MEMBERS = {"age_recipient", "token_id", "proof"}
# optional (§2.2): the one field worker a coordinator's send-back bundle is
# for; the server files such a bundle in that device's inbox, not in the
# coordinators' changes feed. Absent from ordinary bundles.
ADDRESSEE_MEMBER = "addressee"
# optional (§2.3): in a bundle to coordinators, the runs [first, last] of
# this device's sequence numbers since its previous such bundle that went to
# field workers (send-back bundles, which coordinators never receive), so that
# they are not shown as missing. Absent when there are none.
ADDRESSED_MEMBER = "addressed"
MAX_ADDRESSED_RUNS = 10_000
OPTIONAL_HEADER_MEMBERS = {ENROLMENT_MEMBER, ADDRESSEE_MEMBER, ADDRESSED_MEMBER}

_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX32 = re.compile(r"[0-9a-f]{32}")
AGE_RECIPIENT = re.compile(r"age1[02-9ac-hj-np-z]{58}")


def canonical(value: Any) -> bytes:
    """RFC 8785 canonical JSON."""
    if type(value) is dict and _flat_text(value):
        # Wire items and binding dicts: text values under ASCII keys, which
        # json.dumps (C) writes exactly as RFC 8785 does (the same string
        # escapes; code point order is UTF-16 order for ASCII keys).
        try:
            return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
                "utf-8"
            )
        except UnicodeEncodeError:
            pass  # a lone surrogate: RFC 8785 raises its own error
    return rfc8785.dumps(value)


def _flat_text(value: dict[Any, Any]) -> bool:
    return all(type(k) is str and k.isascii() and type(v) is str for k, v in value.items())


def device_id_of(public_key: bytes) -> str:
    """The vault-format.md rule: first 16 bytes of SHA-256 of the raw key, hex."""
    return hashlib.sha256(public_key).hexdigest()[:32]


def public_key_bytes(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.public_key().public_bytes_raw()


def sign_header(private_key: Ed25519PrivateKey, header: bytes) -> bytes:
    return private_key.sign(HEADER_DOMAIN + header)


def sign_manifest(private_key: Ed25519PrivateKey, manifest: bytes) -> bytes:
    return private_key.sign(MANIFEST_DOMAIN + manifest)


def bundle_id_of(header: bytes, signature: bytes) -> str:
    return hashlib.sha256(header + signature).hexdigest()


@dataclass(frozen=True)
class HeaderEnrolment:
    """The header's optional ``enrolment`` (§2.1): how a device the
    coordinator does not know yet introduces itself. ``token_id`` and
    ``proof`` (an enrolment-token proof, 64 hex) come together or not at all."""

    age_recipient: str
    token_id: str | None = None
    proof: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"age_recipient": self.age_recipient, "token_id": self.token_id, "proof": self.proof}


def _parse_enrolment(value: Any) -> HeaderEnrolment | None:
    if (
        not isinstance(value, dict)
        or set(value) != ENROLMENT_MEMBERS
        or not isinstance(value["age_recipient"], str)
        or AGE_RECIPIENT.fullmatch(value["age_recipient"]) is None
        or (value["token_id"] is None) != (value["proof"] is None)
        or (
            value["token_id"] is not None
            and not (isinstance(value["token_id"], str) and _HEX32.fullmatch(value["token_id"]))
        )
        or (value["proof"] is not None and not is_hex64(value["proof"]))
    ):
        return None
    return HeaderEnrolment(value["age_recipient"], value["token_id"], value["proof"])


@dataclass(frozen=True)
class BundleHeader:
    """The outer header (§2), as read and checked."""

    org_id: str
    profile_version: int
    device_id: str
    device_key: bytes
    sequence: int
    previous: str | None
    created_ms: int
    custody_head: str | None
    payload_size: int
    payload_sha256: str
    enrolment: HeaderEnrolment | None = None
    addressee: str | None = None  # a field worker's device id (§2.2)
    addressed: tuple[tuple[int, int], ...] = ()  # numbers that went to field workers (§2.3)

    def to_json(self) -> dict[str, Any]:
        optional: dict[str, Any] = {}
        if self.enrolment is not None:
            optional[ENROLMENT_MEMBER] = self.enrolment.to_json()
        if self.addressee is not None:
            optional[ADDRESSEE_MEMBER] = self.addressee
        if self.addressed:
            optional[ADDRESSED_MEMBER] = [list(run) for run in self.addressed]
        return optional | {
            "format": "fieldvault-bundle",
            "version": 1,
            "org_id": self.org_id,
            "profile_version": self.profile_version,
            "device_id": self.device_id,
            "device_key": base64.b64encode(self.device_key).decode("ascii"),
            "sequence": self.sequence,
            "previous": self.previous,
            "created_ms": self.created_ms,
            "custody_head": self.custody_head,
            "payload_size": self.payload_size,
            "payload_sha256": self.payload_sha256,
        }

    def binding(self) -> dict[str, Any]:
        """What the manifest repeats of the header (§4)."""
        return {
            "org_id": self.org_id,
            "device_id": self.device_id,
            "sequence": self.sequence,
            "previous": self.previous,
        }


def strict_json(data: bytes) -> Any:
    """json.loads that refuses duplicate keys and non-finite numbers; raises ValueError."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(items)
        if len(result) != len(items):
            raise ValueError("duplicate key")
        return result

    def no_constant(name: str) -> Any:
        raise ValueError(f"non-standard number {name}")

    return json.loads(data.decode("utf-8"), object_pairs_hook=pairs, parse_constant=no_constant)


def is_canonical(value: Any, data: bytes) -> bool:
    try:
        return canonical(value) == data
    except Exception:  # noqa: BLE001 - any value JCS cannot encode is not canonical
        return False


def is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def is_hex64(value: object) -> bool:
    return isinstance(value, str) and _HEX64.fullmatch(value) is not None


def is_count(value: object, minimum: int = 0) -> bool:
    """A JSON integer (not a bool) within what JCS can carry."""
    return isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= MAX_SAFE_INTEGER


def decode_b64(value: object, size: int | None = None) -> bytes | None:
    """Canonical standard base64 with padding (db/strict_b64.py), or None."""
    return strict_b64decode(value, size)


def wire_signed_bytes(value: dict[str, Any], id_key: str, kind: str) -> bytes:
    """A wire item's signed bytes, checked against its id (the id is the
    SHA-256 of the signed bytes); refused as ``kind:<id>``."""
    # Called for every revision and custody line of every bundle: the keys
    # view compared without a set of them made first, and strict_b64decode
    # called directly (it refuses what is not a str itself).
    if value.keys() != {id_key, "signed", "signature"} or not is_hex64(value[id_key]):
        raise BundleRejected("archive-form")
    ident = value[id_key]
    signed = strict_b64decode(value["signed"])
    signature = strict_b64decode(value["signature"], SIGNATURE_SIZE)
    if signed is None or signature is None or hashlib.sha256(signed).hexdigest() != ident:
        raise BundleRejected(kind, ident)
    return signed


def parse_header(data: bytes) -> BundleHeader:
    """Check §2's form (`header-form`) and return the header."""
    try:
        value = strict_json(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BundleRejected("header-form") from None
    if (
        not isinstance(value, dict)
        or set(value) - OPTIONAL_HEADER_MEMBERS != set(HEADER_MEMBERS)
        or not all(
            isinstance(value[k], t) and not isinstance(value[k], bool) for k, t in HEADER_MEMBERS.items()
        )
        or not is_canonical(value, data)
        or value["format"] != "fieldvault-bundle"
        or value["version"] != 1
        or not is_uuid(value["org_id"])
        or not is_count(value["profile_version"], 1)
        or _HEX32.fullmatch(value["device_id"]) is None
        or not is_count(value["sequence"], 1)
        or not is_count(value["created_ms"])
        or not is_count(value["payload_size"])
        or not is_hex64(value["payload_sha256"])
        or (value["custody_head"] is not None and not is_hex64(value["custody_head"]))
        or (value["previous"] is None) != (value["sequence"] == 1)
        or (value["previous"] is not None and not is_hex64(value["previous"]))
        or not _addressee_ok(value)
        or not _addressed_ok(value)
    ):
        raise BundleRejected("header-form")
    key = decode_b64(value["device_key"], 32)
    enrolment = _parse_enrolment(value[ENROLMENT_MEMBER]) if ENROLMENT_MEMBER in value else None
    if key is None or (ENROLMENT_MEMBER in value and enrolment is None):
        raise BundleRejected("header-form")
    return BundleHeader(
        org_id=value["org_id"],
        profile_version=value["profile_version"],
        device_id=value["device_id"],
        device_key=key,
        sequence=value["sequence"],
        previous=value["previous"],
        created_ms=value["created_ms"],
        custody_head=value["custody_head"],
        payload_size=value["payload_size"],
        payload_sha256=value["payload_sha256"],
        enrolment=enrolment,
        addressee=value.get(ADDRESSEE_MEMBER),
        addressed=tuple((run[0], run[1]) for run in value.get(ADDRESSED_MEMBER, [])),
    )


def _addressee_ok(value: dict[str, Any]) -> bool:
    """§2.2: absent, or another device's id (a bundle is never addressed to
    its own maker)."""
    if ADDRESSEE_MEMBER not in value:
        return True
    addressee = value[ADDRESSEE_MEMBER]
    return (
        isinstance(addressee, str)
        and _HEX32.fullmatch(addressee) is not None
        and addressee != value["device_id"]
    )


def _addressed_ok(value: dict[str, Any]) -> bool:
    """§2.3: absent, or a non-empty list of at most MAX_ADDRESSED_RUNS runs
    ``[first, last]``, 1 <= first <= last < sequence, each after the one
    before; never in an addressed bundle itself."""
    if ADDRESSED_MEMBER not in value:
        return True
    runs = value[ADDRESSED_MEMBER]
    if ADDRESSEE_MEMBER in value or not isinstance(runs, list) or not 0 < len(runs) <= MAX_ADDRESSED_RUNS:
        return False
    after = 0
    for run in runs:
        if not (isinstance(run, list) and len(run) == 2 and all(is_count(n, 1) for n in run)):
            return False
        if not after < run[0] <= run[1] < value["sequence"]:
            return False
        after = run[1]
    return True


def check_header_signature(header: BundleHeader, data: bytes, signature: bytes) -> None:
    """§5.3: `header-signature`, then `device-id`."""
    try:
        Ed25519PublicKey.from_public_bytes(header.device_key).verify(signature, HEADER_DOMAIN + data)
    except (InvalidSignature, ValueError):
        raise BundleRejected("header-signature") from None
    if device_id_of(header.device_key) != header.device_id:
        raise BundleRejected("device-id")


@dataclass(frozen=True)
class BlobEntry:
    """One evidence file as the manifest lists it."""

    sha256: str
    size: int
    evidence_ids: tuple[str, ...]


@dataclass(frozen=True)
class CustodyEntry:
    seq: int
    hash: str


@dataclass(frozen=True)
class VouchedDevice:
    """A device a coordinator's bundle vouches for (§4, ``devices``): one whose
    revisions a send-back relays, or one the coordinator holds as enrolled
    (its bundle to coordinators, §8). Its key and age recipient, vouched for
    by the manifest's signature; its id is its key's, so a vouch cannot pair
    an id with another key. Taken only from a coordinator of the reader's profile."""

    device_key: bytes  # raw 32-byte Ed25519
    age_recipient: str

    @property
    def device_id(self) -> str:
        return device_id_of(self.device_key)

    def to_json(self) -> dict[str, Any]:
        return {
            "device_id": self.device_id,
            "device_key": base64.b64encode(self.device_key).decode("ascii"),
            "age_recipient": self.age_recipient,
        }


@dataclass(frozen=True)
class LapsedDevice:
    """A device a coordinator's bundle names as one it knows but no longer
    vouches for (§4 ``lapsed``, §8 "A vouch lapses with its coordinator"):
    its coordinator's vouch lapsed there, and the bundle may carry revisions
    it stored while the vouch stood. A coordinator reader that never knew
    the device notes it ``pending`` and keeps those revisions aside instead
    of refusing the bundle; a key no coordinator names is still refused."""

    device_key: bytes  # raw 32-byte Ed25519

    @property
    def device_id(self) -> str:
        return device_id_of(self.device_key)

    def to_json(self) -> dict[str, Any]:
        return {"device_id": self.device_id, "device_key": base64.b64encode(self.device_key).decode("ascii")}


DEVICES_MEMBER = "devices"  # optional (§4): present only when not empty
# optional (§4, §8): the field devices the coordinator sender knows and no
# longer vouches for (their vouch lapsed). Present only when not empty.
LAPSED_MEMBER = "lapsed"
# optional (§4): the server's signed receipts for the sender's earlier bundles
# that no acknowledged bundle carried yet, so that a coordinator compares them
# with the receipt log it checked (a server showing the device another log is
# caught). Present only when not empty; absent means none.
RECEIPTS_MEMBER = "receipts"
MAX_CARRIED_RECEIPTS = 1000
# optional (§10, only in a history hand-over): the bundles of each device the
# maker recorded, so that a desk added later continues their sequence checks
# and custody anchoring. Present only when not empty.
RECEIVED_MEMBER = "received"
# optional (§10, only in a history hand-over split over several bundles):
# [this part's number, the number of parts], so that every part is read as
# the hand-over it belongs to and a later part waits for the one before.
HAND_OVER_PART_MEMBER = "hand_over_part"
# optional (§10, only in a history hand-over, under ``received``'s trust
# rule): the revisions the maker decided to keep out (left out, set aside,
# past its parked cap), by id, so that the new desk sees what was decided
# where. Present only when not empty.
DECISIONS_MEMBER = "decisions"
# optional (§4): {"revision": N}, the highest revision format version the
# sender's app reads, so that a desk signs a newer format (a re-root,
# db/reroot.py) only once every device reads it. Our writer always writes it;
# absent: a sender that predates the member, which reads version 1 only.
READS_MEMBER = "reads"
# What db/revisions.py's parser reads (its FORMAT_VERSION and REROOT_VERSION):
# written here, not imported, because the server loads this module for its
# header checks and must not load the vault's modules
# (tests/test_architecture.py); tests/sync/test_bundle_reads.py holds the two
# together.
READS_REVISION = 2
READS_BEFORE_THE_MEMBER = 1
OPTIONAL_MANIFEST_MEMBERS = {
    DEVICES_MEMBER,
    RECEIPTS_MEMBER,
    RECEIVED_MEMBER,
    LAPSED_MEMBER,
    HAND_OVER_PART_MEMBER,
    DECISIONS_MEMBER,
    READS_MEMBER,
}
# At most this many ``decisions`` entries (~170 bytes each: about 17 MiB of
# the manifest's 64 MiB); a maker holding more carries its newest.
MAX_MAKER_DECISIONS = 100_000
# How the maker kept a revision out (its ``withheld_revisions.learned``,
# docs/vault-format.md): a revoked lineage's (``left-out``), read from a
# revoked maker's refused bundle, past a signer's parked cap or below such a
# revision, set aside by a coordinator.
MAKER_DECISION_REASONS = frozenset({"left-out", "refused-bundle", "past-cap", "below-past-cap", "set-aside"})


@dataclass(frozen=True)
class ReceivedEntry:
    """One bundle the maker of a hand-over recorded (§10 ``received``): a
    coordinator's word, taken only from a coordinator, in a hand-over
    addressed to the reader."""

    device_id: str
    sequence: int
    bundle_id: str
    previous: str | None
    custody_head: str | None
    addressed: tuple[tuple[int, int], ...] = ()
    # Optional (§10 "Completeness against the workers' signatures"): the
    # field worker's inner manifest of that bundle as it signed it (bytes,
    # 64-byte signature), which the reader checks with the worker's key
    # (sync/bundle/hand_over_manifests.py). Absent for a desk's own bundle
    # and for one the maker kept no manifest of.
    worker_manifest: tuple[bytes, bytes] | None = None

    def to_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "device_id": self.device_id,
            "sequence": self.sequence,
            "bundle_id": self.bundle_id,
            "previous": self.previous,
            "custody_head": self.custody_head,
            "addressed": [list(run) for run in self.addressed] if self.addressed else None,
        }
        if self.worker_manifest is not None:
            entry[WORKER_MANIFEST_MEMBER] = {
                "signed": base64.b64encode(self.worker_manifest[0]).decode("ascii"),
                "signature": base64.b64encode(self.worker_manifest[1]).decode("ascii"),
            }
        return entry


# An optional member of a ``received`` entry (§10): the worker's signed manifest.
WORKER_MANIFEST_MEMBER = "manifest"


def _parse_worker_manifest(value: Any) -> tuple[bytes, bytes] | None:
    """A ``received`` entry's ``manifest``: ``{"signed", "signature"}``, canonical
    base64, the bytes non-empty and the signature 64 bytes; its signature is
    checked with the worker's key by the reader of the hand-over, not here."""
    if not isinstance(value, dict) or set(value) != {"signed", "signature"}:
        return None
    if not all(isinstance(v, str) for v in value.values()):
        return None
    signed, signature = decode_b64(value["signed"]), decode_b64(value["signature"], SIGNATURE_SIZE)
    if not signed or signature is None:
        return None
    return signed, signature


def _parse_received_runs(value: Any, sequence: int) -> tuple[tuple[int, int], ...] | None:
    """An entry's ``addressed``: null, or runs as the header's (§2.3) below ``sequence``."""
    if value is None:
        return ()
    if not isinstance(value, list) or not value or len(value) > MAX_ADDRESSED_RUNS:
        return None
    runs: list[tuple[int, int]] = []
    for run in value:
        if not isinstance(run, list) or len(run) != 2 or not all(is_count(n, 1) for n in run):
            return None
        first, last = run
        if not first <= last < sequence or (runs and first <= runs[-1][1]):
            return None
        runs.append((first, last))
    return tuple(runs)


def _parse_received(value: Any) -> tuple[ReceivedEntry, ...] | None:
    """§10 ``received``: a non-empty list sorted by (device id, sequence), no
    pair or bundle id twice, ``previous`` null for sequence 1."""
    if not isinstance(value, list) or not value:
        return None
    names = {"device_id", "sequence", "bundle_id", "previous", "custody_head", "addressed"}
    entries: list[ReceivedEntry] = []
    for item in value:
        if not isinstance(item, dict) or set(item) - {WORKER_MANIFEST_MEMBER} != names:
            return None
        carried = None
        if WORKER_MANIFEST_MEMBER in item:
            carried = _parse_worker_manifest(item[WORKER_MANIFEST_MEMBER])
            if carried is None:
                return None
        device_id, sequence = item["device_id"], item["sequence"]
        previous, head = item["previous"], item["custody_head"]
        if not (isinstance(device_id, str) and _HEX32.fullmatch(device_id) and is_count(sequence, 1)):
            return None
        # previous is null for sequence 1, and for a row recorded before the
        # vault kept it (migration 0011): unknown, not checked.
        if not is_hex64(item["bundle_id"]) or (sequence == 1 and previous is not None):
            return None
        if (previous is not None and not is_hex64(previous)) or (head is not None and not is_hex64(head)):
            return None
        runs = _parse_received_runs(item["addressed"], sequence)
        if runs is None:
            return None
        entry = ReceivedEntry(device_id, sequence, item["bundle_id"], previous, head, runs, carried)
        if entries and (entry.device_id, entry.sequence) <= (entries[-1].device_id, entries[-1].sequence):
            return None
        entries.append(entry)
    if len({e.bundle_id for e in entries}) != len(entries):
        return None
    return tuple(entries)


@dataclass(frozen=True)
class MakerDecision:
    """A revision the maker of a hand-over kept out (§10 ``decisions``): a
    coordinator's word, taken only as ``received`` is. The new desk records
    and shows it; it binds nothing there (docs/threat-model.md §2.8)."""

    revision_id: str
    signer: str  # the device that signed the revision, as the maker's row holds it
    reason: str  # one of MAKER_DECISION_REASONS
    decided_ms: int

    def to_json(self) -> dict[str, Any]:
        return {
            "revision_id": self.revision_id,
            "signer": self.signer,
            "reason": self.reason,
            "decided_ms": self.decided_ms,
        }


def _parse_decisions(value: Any) -> tuple[MakerDecision, ...] | None:
    """§10 ``decisions``: a non-empty list of at most MAX_MAKER_DECISIONS,
    sorted by revision id without one twice, each reason a known one."""
    if not isinstance(value, list) or not value or len(value) > MAX_MAKER_DECISIONS:
        return None
    decisions: list[MakerDecision] = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"revision_id", "signer", "reason", "decided_ms"}:
            return None
        revision_id, signer, reason = item["revision_id"], item["signer"], item["reason"]
        if not (is_hex64(revision_id) and isinstance(signer, str) and _HEX32.fullmatch(signer)):
            return None
        if reason not in MAKER_DECISION_REASONS or not is_count(item["decided_ms"]):
            return None
        if decisions and revision_id <= decisions[-1].revision_id:
            return None
        decisions.append(MakerDecision(revision_id, signer, reason, item["decided_ms"]))
    return tuple(decisions)


@dataclass(frozen=True)
class CarriedReceipt:
    """A receipt of the server's log as the sender holds it (§4
    ``receipts``): its form only is checked here; its signature and what it
    names are checked by a coordinator against the log (sync/client)."""

    index: int
    entry: bytes  # the signed canonical JSON
    signature: bytes  # 64 bytes, by the server's receipt key

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "entry": base64.b64encode(self.entry).decode("ascii"),
            "signature": base64.b64encode(self.signature).decode("ascii"),
        }


@dataclass(frozen=True)
class Manifest:
    """The inner manifest (§4), as read and checked."""

    binding: dict[str, Any]
    revisions: tuple[str, ...]
    custody: tuple[CustodyEntry, ...]
    blobs: tuple[BlobEntry, ...]
    devices: tuple[VouchedDevice, ...] = ()  # sorted by device id
    receipts: tuple[CarriedReceipt, ...] = ()  # indexes strictly increasing
    received: tuple[ReceivedEntry, ...] = ()  # §10: a hand-over's, by (device id, sequence)
    lapsed: tuple[LapsedDevice, ...] = ()  # §8: sorted by device id
    decisions: tuple[MakerDecision, ...] = ()  # §10: a hand-over's, by revision id
    hand_over_part: tuple[int, ...] = ()  # §10: (number, of) when a hand-over is split
    reads_revision: int | None = None  # §4 ``reads``; None: the member is absent

    @property
    def revision_format_read(self) -> int:
        """The highest revision format version the sender reads (§4
        ``reads``): version 1 when the manifest predates the member."""
        return self.reads_revision if self.reads_revision is not None else READS_BEFORE_THE_MEMBER

    def to_json(self) -> dict[str, Any]:
        optional: dict[str, Any] = (
            {DEVICES_MEMBER: [d.to_json() for d in self.devices]} if self.devices else {}
        )
        if self.receipts:
            optional[RECEIPTS_MEMBER] = [r.to_json() for r in self.receipts]
        if self.received:
            optional[RECEIVED_MEMBER] = [r.to_json() for r in self.received]
        if self.lapsed:
            optional[LAPSED_MEMBER] = [d.to_json() for d in self.lapsed]
        if self.decisions:
            optional[DECISIONS_MEMBER] = [d.to_json() for d in self.decisions]
        if self.hand_over_part:
            optional[HAND_OVER_PART_MEMBER] = list(self.hand_over_part)
        if self.reads_revision is not None:
            optional[READS_MEMBER] = {"revision": self.reads_revision}
        return {
            "format": "fieldvault-bundle-manifest",
            "version": 1,
            "bundle": self.binding,
            "revisions": list(self.revisions),
            "custody": [{"seq": c.seq, "hash": c.hash} for c in self.custody],
            "blobs": [
                {"sha256": b.sha256, "size": b.size, "evidence_ids": list(b.evidence_ids)} for b in self.blobs
            ],
        } | optional


def _parse_devices(value: Any) -> tuple[VouchedDevice, ...] | None:
    """§4 ``devices``: a non-empty list, sorted by device id, each id its key's."""
    if not isinstance(value, list) or not value:
        return None
    devices = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"device_id", "device_key", "age_recipient"}:
            return None
        if not all(isinstance(v, str) for v in item.values()):
            return None
        key = decode_b64(item["device_key"], 32)
        if key is None or device_id_of(key) != item["device_id"]:
            return None
        if not AGE_RECIPIENT.fullmatch(item["age_recipient"]):
            return None
        devices.append(VouchedDevice(key, item["age_recipient"]))
    ids = [d.device_id for d in devices]
    return tuple(devices) if ids == sorted(set(ids)) else None


def _parse_hand_over_part(value: Any) -> tuple[int, ...] | None:
    """§10 ``hand_over_part``: [number, of], 1 <= number <= of, at least 2 parts."""
    if not isinstance(value, list) or len(value) != 2 or not all(is_count(n, 1) for n in value):
        return None
    number, of = value
    return (number, of) if of >= 2 and number <= of else None


def _parse_lapsed(value: Any) -> tuple[LapsedDevice, ...] | None:
    """§4 ``lapsed``: a non-empty list, sorted by device id, each id its key's."""
    if not isinstance(value, list) or not value:
        return None
    devices = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"device_id", "device_key"}:
            return None
        if not all(isinstance(v, str) for v in item.values()):
            return None
        key = decode_b64(item["device_key"], 32)
        if key is None or device_id_of(key) != item["device_id"]:
            return None
        devices.append(LapsedDevice(key))
    ids = [d.device_id for d in devices]
    return tuple(devices) if ids == sorted(set(ids)) else None


def _parse_receipts(value: Any) -> tuple[CarriedReceipt, ...] | None:
    """§4 ``receipts``: a non-empty list of at most MAX_CARRIED_RECEIPTS
    ``{"index", "entry", "signature"}``, indexes from 1 strictly increasing."""
    if not isinstance(value, list) or not value or len(value) > MAX_CARRIED_RECEIPTS:
        return None
    receipts: list[CarriedReceipt] = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"index", "entry", "signature"}:
            return None
        if not is_count(item["index"], 1) or not isinstance(item["entry"], str):
            return None
        if not isinstance(item["signature"], str):
            return None
        entry, signature = decode_b64(item["entry"]), decode_b64(item["signature"], SIGNATURE_SIZE)
        if not entry or signature is None:
            return None
        if receipts and item["index"] <= receipts[-1].index:
            return None
        receipts.append(CarriedReceipt(item["index"], entry, signature))
    return tuple(receipts)


def _parse_reads(value: Any) -> int | None:
    """§4 ``reads``: exactly ``{"revision": N}``, N an integer >= 1 (not a bool)."""
    if not isinstance(value, dict) or set(value) != {"revision"} or not is_count(value["revision"], 1):
        return None
    revision: int = value["revision"]
    return revision


def _manifest_form_ok(value: Any) -> bool:
    if not isinstance(value, dict) or set(value) - OPTIONAL_MANIFEST_MEMBERS != {
        "format",
        "version",
        "bundle",
        "revisions",
        "custody",
        "blobs",
    }:
        return False
    if value["format"] != "fieldvault-bundle-manifest" or value["version"] != 1:
        return False
    if not isinstance(value["version"], int) or isinstance(value["version"], bool):
        return False
    binding = value["bundle"]
    if not isinstance(binding, dict) or set(binding) != {"org_id", "device_id", "sequence", "previous"}:
        return False
    revisions, custody, blobs = value["revisions"], value["custody"], value["blobs"]
    if not isinstance(revisions, list) or not all(is_hex64(r) for r in revisions):
        return False
    if len(set(revisions)) != len(revisions):
        return False
    if not isinstance(custody, list) or not all(
        isinstance(c, dict) and set(c) == {"seq", "hash"} and is_count(c["seq"], 1) and is_hex64(c["hash"])
        for c in custody
    ):
        return False
    if not isinstance(blobs, list) or not all(
        isinstance(b, dict)
        and set(b) == {"sha256", "size", "evidence_ids"}
        and is_hex64(b["sha256"])
        and is_count(b["size"])
        and isinstance(b["evidence_ids"], list)
        and all(isinstance(e, str) and is_uuid(e) for e in b["evidence_ids"])
        for b in blobs
    ):
        return False
    return len({b["sha256"] for b in blobs}) == len(blobs)


def parse_manifest(data: bytes) -> Manifest:
    """Check §4's form; a manifest that is not canonical or not of that form
    is `archive-form` (its signature is checked next, over these bytes)."""
    try:
        value = strict_json(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BundleRejected("archive-form") from None
    if not _manifest_form_ok(value) or not is_canonical(value, data):
        raise BundleRejected("archive-form")
    devices = _optional_member(value, DEVICES_MEMBER, _parse_devices)
    receipts = _optional_member(value, RECEIPTS_MEMBER, _parse_receipts)
    received = _optional_member(value, RECEIVED_MEMBER, _parse_received)
    lapsed = _optional_member(value, LAPSED_MEMBER, _parse_lapsed)
    decisions = _optional_member(value, DECISIONS_MEMBER, _parse_decisions)
    hand_over_part = _optional_member(value, HAND_OVER_PART_MEMBER, _parse_hand_over_part)
    reads_revision = _parse_reads(value[READS_MEMBER]) if READS_MEMBER in value else None
    if READS_MEMBER in value and reads_revision is None:
        raise BundleRejected("archive-form")
    return Manifest(
        binding=value["bundle"],
        revisions=tuple(value["revisions"]),
        custody=tuple(CustodyEntry(c["seq"], c["hash"]) for c in value["custody"]),
        blobs=tuple(BlobEntry(b["sha256"], b["size"], tuple(b["evidence_ids"])) for b in value["blobs"]),
        devices=devices,
        receipts=receipts,
        received=received,
        lapsed=lapsed,
        decisions=decisions,
        hand_over_part=hand_over_part,
        reads_revision=reads_revision,
    )


_Member = TypeVar("_Member")


def _optional_member(
    value: dict[str, Any], name: str, parse: Callable[[Any], tuple[_Member, ...] | None]
) -> tuple[_Member, ...]:
    """An optional member of §4, parsed: empty when absent, `archive-form`
    when present and not of its form."""
    if name not in value:
        return ()
    parsed = parse(value[name])
    if parsed is None:
        raise BundleRejected("archive-form")
    return parsed


def check_manifest_signature(header: BundleHeader, manifest: Manifest, data: bytes, sig: bytes) -> None:
    """§5.10: `manifest-signature` by the header's device key, then `manifest-binding`."""
    try:
        Ed25519PublicKey.from_public_bytes(header.device_key).verify(sig, MANIFEST_DOMAIN + data)
    except (InvalidSignature, ValueError):
        raise BundleRejected("manifest-signature") from None
    # Compared as canonical bytes: in Python, True == 1 and 1.0 == 1.
    if not is_canonical(manifest.binding, canonical(header.binding())):
        raise BundleRejected("manifest-binding")
