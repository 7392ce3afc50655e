"""The chain of custody: an append-only log of signed, hash-chained events.

Each event's signed bytes are the RFC 8785 canonical JSON of::

    {"v": 1, "seq": n, "prev": <event hash of n-1, or 64 zeros>,
     "evidence": <evidence id>, "action": <ACTIONS>, "sha256": <item hash>,
     "device": <device id>, "key": <base64 Ed25519 public key>, "user": <label>,
     "hlc": [ms, counter], "wall": <UTC ISO 8601>, "details": {...}}

event hash = hex SHA-256 of the signed bytes; signature = Ed25519 over
``b"fieldvault-custody-v1\\x00" + signed bytes``. Changing, removing or
reordering any event breaks either its hash, its signature, its sequence
number or the next event's ``prev``; ``verify_chain`` names which.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.chunked_ids import driver_execute
from db.device import DeviceIdentity, device_id_for
from db.hlc import Timestamp
from db.model import CustodyEventRow, ReceivedBundle, ReceivedCustodyEvent
from db.revisions import canonical_json
from db.strict_b64 import strict_b64decode

SIGNATURE_DOMAIN = b"fieldvault-custody-v1\x00"
GENESIS = "0" * 64
# export-metadata: an export (PDF report, JSON, CSV) carried the item's record
# and hash, not its bytes (docs/chain-of-custody.md).
# purge: the item's bytes were delivered (a server receipt proves it) and
# removed from this laptop, as the organisation's policy asks (db/purge.py).
# intake-attached: an intake's bytes were the file an item of the case named
# but did not hold (its record came without it): stored and attached to it
# (db/evidence.py); not a new item, so not an "intake".
ACTIONS = (
    "intake",
    "intake-duplicate",
    "intake-attached",
    "view",
    "export",
    "export-metadata",
    "transfer",
    "verify",
    "delete",
    "purge",
)


@dataclass(frozen=True)
class CustodyEvent:
    seq: int
    event_hash: str
    evidence_id: str
    action: str
    sha256: str
    device_id: str
    user: str
    hlc: Timestamp
    wall: str
    details: dict[str, Any]


def append_event(
    session: Session,
    identity: DeviceIdentity,
    *,
    evidence_id: str,
    action: str,
    sha256: str,
    hlc: Timestamp,
    user: str = "",
    details: dict[str, Any] | None = None,
) -> CustodyEvent:
    """Append one event in the caller's transaction (so it commits with the
    change it records, or not at all)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown custody action {action!r}")
    # Through the driver (the chain's end, the row): an import appends one
    # for every evidence file it brings (session 23).
    last = driver_execute(
        session, "SELECT seq, event_hash FROM custody_events ORDER BY seq DESC LIMIT 1"
    ).first()
    seq, prev = (int(last[0]) + 1, str(last[1])) if last else (1, GENESIS)
    envelope = {
        "v": 1,
        "seq": seq,
        "prev": prev,
        "evidence": evidence_id,
        "action": action,
        "sha256": sha256,
        "device": identity.device_id,
        "key": base64.b64encode(identity.public_key).decode("ascii"),
        "user": user,
        "hlc": hlc.as_list(),
        "wall": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "details": details or {},
    }
    signed = canonical_json(envelope)
    event_hash = hashlib.sha256(signed).hexdigest()
    driver_execute(
        session,
        "INSERT INTO custody_events (seq, event_hash, evidence_id, signed, signature) VALUES (?, ?, ?, ?, ?)",
        (seq, event_hash, evidence_id, signed, identity.sign(SIGNATURE_DOMAIN + signed)),
    )
    return _event(envelope, event_hash)


def _event(envelope: dict[str, Any], event_hash: str) -> CustodyEvent:
    return CustodyEvent(
        seq=envelope["seq"],
        event_hash=event_hash,
        evidence_id=envelope["evidence"],
        action=envelope["action"],
        sha256=envelope["sha256"],
        device_id=envelope["device"],
        user=envelope["user"],
        hlc=Timestamp(*envelope["hlc"]),
        wall=envelope["wall"],
        details=envelope["details"],
    )


def events_for(session: Session, evidence_id: str) -> list[CustodyEvent]:
    rows = session.scalars(
        select(CustodyEventRow)
        .where(CustodyEventRow.evidence_id == evidence_id)
        .order_by(CustodyEventRow.seq)
    )
    return [_event(json.loads(row.signed), row.event_hash) for row in rows]


def _check_event(row: CustodyEventRow, devices: dict[str, bytes]) -> tuple[dict[str, Any] | None, str | None]:
    """The event's envelope, or the first problem with it. ``devices``: the
    vault's own signing keys by device id; a valid signature by any other key
    is a forgery."""
    return check_signed_event(row.signed, row.signature, row.event_hash, devices)


def check_signed_event(
    signed: bytes, signature: bytes, event_hash: str, devices: dict[str, bytes]
) -> tuple[dict[str, Any] | None, str | None]:
    """One event's checks that need no other event: its hash, form, key to
    device id, signature, that ``devices`` holds its key, canonical form.
    Returns its envelope, or None and the first problem (in English)."""
    if not isinstance(signed, bytes | memoryview) or not isinstance(signature, bytes | memoryview):
        # SQLite stores what it is given: a row rewritten with text in a
        # bytes column is an altered event, not a crash of the check.
        return None, "its stored form is not what Fieldvault writes (altered)"
    signed, signature = bytes(signed), bytes(signature)
    if hashlib.sha256(signed).hexdigest() != event_hash:
        return None, "its content does not match its hash (altered)"
    try:
        envelope = json.loads(signed)
        # Only the canonical spelling (db/strict_b64.py): another would be
        # other signed bytes, so another event hash, for the same key.
        public_key = strict_b64decode(envelope["key"], 32)
        if public_key is None:
            return None, "malformed"
        if device_id_for(public_key) != envelope["device"]:
            return None, "its device id does not match its key"
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, SIGNATURE_DOMAIN + signed)
        if not isinstance(envelope["seq"], int) or isinstance(envelope["seq"], bool):
            return None, "malformed"
        if not isinstance(envelope["prev"], str) or not isinstance(envelope["evidence"], str):
            return None, "malformed"
    except InvalidSignature:
        return None, "bad signature"
    except (ValueError, KeyError, TypeError, RecursionError):
        return None, "malformed"
    if devices.get(envelope["device"]) != public_key:
        return None, f"signed by device {envelope['device']}, which is not this vault's"
    if canonical_json(envelope) != signed:
        return None, "not in canonical form"
    return envelope, None


def verify_chain(session: Session, devices: dict[str, bytes]) -> list[tuple[str, str]]:
    """Every problem in the custody log as (which event, what is wrong); [] if intact.

    ``devices``: device id → public key of the keys trusted to sign events
    (db/verify.py ``trusted_signers``; never the ``device`` table as stored).
    Each ``prev`` is checked against the event that carries the previous
    sequence number, wherever it is stored: after a reorder only the moved
    events are named, not the untouched ones that follow them."""
    problems: list[tuple[str, str]] = []
    checked = [
        (row, *_check_event(row, devices))
        for row in session.scalars(select(CustodyEventRow).order_by(CustodyEventRow.seq))
    ]
    hash_of: dict[int, str] = {}
    for row, envelope, _problem in checked:
        hash_of.setdefault(envelope["seq"] if envelope is not None else row.seq, row.event_hash)
    expected_seq = 1
    for row, envelope, problem in checked:
        gap = row.seq != expected_seq
        if gap:
            missing = f"{expected_seq}" if row.seq == expected_seq + 1 else f"{expected_seq}–{row.seq - 1}"
            problems.append((f"custody event {missing}", f"missing (chain broken before event {row.seq})"))
        expected_seq = row.seq + 1
        if problem is not None or envelope is None:
            problems.append((f"custody event {row.seq}", str(problem)))
            continue
        if envelope["seq"] != row.seq:
            problems.append(
                (f"custody event {row.seq}", f"carries sequence number {envelope['seq']} (reordered)")
            )
        elif not gap and envelope["prev"] != (GENESIS if row.seq == 1 else hash_of.get(row.seq - 1)):
            problems.append(
                (f"custody event {row.seq}", f"does not follow event {row.seq - 1} (chain broken)")
            )
        if envelope["evidence"] != row.evidence_id:
            problems.append((f"custody event {row.seq}", "filed under another evidence item"))
    return problems


def export_log(session: Session) -> list[dict[str, str]]:
    """The whole log as a third party checks it: each event's hash, signed
    bytes and signature (base64), in sequence order."""
    return [
        {
            "hash": row.event_hash,
            "signed": base64.b64encode(row.signed).decode("ascii"),
            "signature": base64.b64encode(row.signature).decode("ascii"),
        }
        for row in session.scalars(select(CustodyEventRow).order_by(CustodyEventRow.seq))
    ]


# -- chains of other devices (a coordinator's vault) ------------------------------


def verify_received_chains(session: Session, devices: dict[str, bytes]) -> list[tuple[str, str]]:
    """Every problem in the custody chains received from other devices, each
    chain checked on its own, as (which event, what is wrong); [] if intact.

    ``devices``: device id → public key of the keys whose chains this vault
    accepts (db/signers.py ``stored_signers``, without this vault's own). A
    received chain starts at its device's event 1 and has no gap: an import
    only ever extends it (``ReceivedChain.extend``). Events are named
    ``custody event <device id>/<seq>``."""
    problems: list[tuple[str, str]] = []
    rows = session.scalars(
        select(ReceivedCustodyEvent).order_by(ReceivedCustodyEvent.device_id, ReceivedCustodyEvent.seq)
    )
    device, expected_seq, prev = "", 1, GENESIS
    for row in rows:
        if row.device_id != device:
            device, expected_seq, prev = row.device_id, 1, GENESIS
        subject = f"custody event {row.device_id}/{row.seq}"
        if row.seq != expected_seq:
            problems.append((subject, f"events {expected_seq}–{row.seq - 1} of this device are missing"))
        envelope, problem = check_signed_event(row.signed, row.signature, row.event_hash, devices)
        if envelope is None:
            if problem is not None and problem.startswith("signed by device"):
                problem = f"signed by device {row.device_id}, which this vault does not trust"
            problems.append((subject, str(problem)))
        elif envelope["device"] != row.device_id:
            problems.append((subject, "filed under another device's chain"))
        elif envelope["seq"] != row.seq:
            problems.append((subject, f"carries sequence number {envelope['seq']} (reordered)"))
        elif row.seq == expected_seq and envelope["prev"] != prev:
            problems.append((subject, f"does not follow event {row.seq - 1} (chain broken)"))
        elif envelope["evidence"] != row.evidence_id:
            problems.append((subject, "filed under another evidence item"))
        expected_seq, prev = row.seq + 1, row.event_hash
    # Each bundle's header named the newest event of its device's chain then:
    # a chain that no longer holds it was cut at its end.
    held = set(session.scalars(select(ReceivedCustodyEvent.event_hash)))
    for bundle_id, device_id, head in session.execute(
        select(ReceivedBundle.bundle_id, ReceivedBundle.device_id, ReceivedBundle.custody_head)
        .where(ReceivedBundle.custody_head.is_not(None))
        .order_by(ReceivedBundle.device_id, ReceivedBundle.sequence)
    ):
        if head not in held:
            problems.append(
                (f"custody chain {device_id}", f"lacks event {head}, its newest in bundle {bundle_id} (cut)")
            )
    return problems


@dataclass(frozen=True)
class ChainEnd:
    """The newest event held of one device's chain (seq 0: none yet)."""

    seq: int
    event_hash: str


def received_chain_end(session: Session, device_id: str) -> ChainEnd:
    # Through the driver, as extend_received_chain's own statements: asked
    # for every received event (two or more an evidence file; session 23).
    last = driver_execute(
        session,
        "SELECT seq, event_hash FROM received_custody_events WHERE device_id = ? ORDER BY seq DESC LIMIT 1",
        (device_id,),
    ).first()
    return ChainEnd(int(last[0]), str(last[1])) if last else ChainEnd(0, GENESIS)


def extend_received_chain(
    session: Session, signed: bytes, signature: bytes, event_hash: str, devices: dict[str, bytes]
) -> tuple[bool, str | None]:
    """Add one event of another device's chain in the caller's transaction.

    Returns (stored, problem): (True, None) when it extended its device's
    chain; (False, None) when the vault already held that very event (a
    replay); (False, reason) when it is refused: a failed check, a key not in
    ``devices``, a gap, a different event at a sequence number already held
    (a fork), or a ``prev`` that is not the chain's last event."""
    envelope, problem = check_signed_event(signed, signature, event_hash, devices)
    if envelope is None:
        if problem is not None and problem.startswith("signed by device"):
            problem = "signer not authorised"
        return False, problem
    device_id, seq = envelope["device"], envelope["seq"]
    found = driver_execute(
        session,
        "SELECT event_hash FROM received_custody_events WHERE device_id = ? AND seq = ?",
        (device_id, seq),
    ).first()
    held = None if found is None else str(found[0])
    if held is not None:
        return (
            (False, None)
            if held == event_hash
            else (False, f"another event {seq} of its device is held (fork)")
        )
    end = received_chain_end(session, device_id)
    if seq != end.seq + 1:
        return False, f"does not extend its device's chain (held up to event {end.seq})"
    if envelope["prev"] != end.event_hash:
        return False, f"does not follow event {end.seq} of its device (chain broken)"
    driver_execute(
        session,
        "INSERT INTO received_custody_events (device_id, seq, event_hash, evidence_id, signed, signature)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (device_id, seq, event_hash, envelope["evidence"], signed, signature),
    )
    return True, None


@dataclass(frozen=True)
class StoredCustodyEvent:
    """An event of this vault's own chain as stored, for sync: its sequence
    number (the cursor) and its wire form."""

    seq: int
    event_hash: str
    evidence_id: str
    signed: bytes
    signature: bytes

    def to_wire(self) -> dict[str, str]:
        """As ``fieldvault custody export`` prints it and bundles carry it."""
        return {
            "hash": self.event_hash,
            "signed": base64.b64encode(self.signed).decode("ascii"),
            "signature": base64.b64encode(self.signature).decode("ascii"),
        }


def events_since(session: Session, cursor: int, limit: int) -> list[StoredCustodyEvent]:
    """Up to ``limit`` events of this vault's own chain after ``cursor`` (its seq), in order."""
    rows = session.execute(
        select(
            CustodyEventRow.seq,
            CustodyEventRow.event_hash,
            CustodyEventRow.evidence_id,
            CustodyEventRow.signed,
            CustodyEventRow.signature,
        )
        .where(CustodyEventRow.seq > cursor)
        .order_by(CustodyEventRow.seq)
        .limit(limit)
    ).all()
    return [StoredCustodyEvent(seq, h, e, bytes(signed), bytes(sig)) for seq, h, e, signed, sig in rows]


def received_chain_devices(session: Session) -> list[str]:
    """The devices whose chains this vault received (any event), by id."""
    return list(
        session.scalars(
            select(ReceivedCustodyEvent.device_id).distinct().order_by(ReceivedCustodyEvent.device_id)
        )
    )


def received_events_since(
    session: Session, device_id: str, cursor: int, limit: int
) -> list[StoredCustodyEvent]:
    """Up to ``limit`` events of ``device_id``'s received chain after its event ``cursor``, in order."""
    rows = session.execute(
        select(
            ReceivedCustodyEvent.seq,
            ReceivedCustodyEvent.event_hash,
            ReceivedCustodyEvent.evidence_id,
            ReceivedCustodyEvent.signed,
            ReceivedCustodyEvent.signature,
        )
        .where(ReceivedCustodyEvent.device_id == device_id, ReceivedCustodyEvent.seq > cursor)
        .order_by(ReceivedCustodyEvent.seq)
        .limit(limit)
    ).all()
    return [StoredCustodyEvent(seq, h, e, bytes(signed), bytes(sig)) for seq, h, e, signed, sig in rows]


def chain_head(session: Session) -> str | None:
    """The hash of the newest event of this vault's own chain (None: no event yet)."""
    return session.execute(
        select(CustodyEventRow.event_hash).order_by(CustodyEventRow.seq.desc()).limit(1)
    ).scalar()
