"""Sync state: what sync (sync/) reads and records in the vault, through
plain dataclasses. Local state, not derived from revisions: nothing here
travels or could be rebuilt (docs/vault-format.md, "Sync state").

- the organisation profile: its signed bytes (checked by sync/, opaque here)
  and its version, which only grows;
- known devices: the organisation's devices and coordinators, their keys,
  status (enrolled, revoked, pending) and the last bundle received from each;
- this device's outgoing side: its last bundle's sequence number and id, and
  how far the organisation acknowledged its revisions (``local_seq``),
  custody events (``seq``) and evidence files (SHA-256);
- reading by cursor: custody events of this vault's chain after a sequence
  number, evidence files not yet acknowledged, and their bytes.

Importing a bundle is ``SyncStateService.begin_import`` (db/sync_import.py).
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Row, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session, aliased

from db.blobformat import BlobReader
from db.blobstore import ProgressCallback, unwrap_blob_key
from db.chunked_ids import driver_execute
from db.custody import (
    StoredCustodyEvent,
    append_event,
    chain_head,
    events_since,
    received_chain_devices,
    received_events_since,
)
from db.device import device_id_for
from db.errors import NotFound, OrgProfileOutdated
from db.model import (
    AcknowledgedBlob,
    Blob,
    EvidenceBlob,
    KnownDevice,
    OrgProfileRow,
    QuarantinedBundle,
    ReceivedBundle,
    RelayedRevision,
    RevisionRow,
    SentBundle,
    SyncOutgoing,
)
from db.purge import live_blob_id, purged_blob_ids
from db.rereads import Reread, kept_rereads
from db.revoked_signers import revoked_signers
from db.services import VaultContext
from db.store import StoredRevision, refresh_entities, rerooted_entities
from db.sync_import import StagedBlob, VaultImport, discard_staged, stage_blob

DEVICE_STATUSES = ("enrolled", "revoked", "pending")
DEVICE_ROLES = ("device", "coordinator")
# A row in quarantine: held; approved (imported, or its device approved by
# code); received (counted as received on another bundle's word while held:
# kept for the record, nothing waits for it; migration 0029).
QUARANTINE_STATUSES = ("held", "approved", "received")


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True)
class OrgProfile:
    version: int
    signed: bytes  # as received; sync/ checks its signature


@dataclass(frozen=True)
class Device:
    """A device or coordinator of the organisation, as this vault knows it."""

    device_id: str
    public_key: bytes  # raw 32-byte Ed25519
    age_recipient: str  # "age1…": what bundles to it are encrypted to
    status: str  # DEVICE_STATUSES
    role: str = "device"  # DEVICE_ROLES
    label: str = ""
    last_sequence: int = 0  # of the last bundle imported from it (0: none)
    last_bundle_id: str | None = None
    # The coordinator whose bundle vouched for this device: in a field
    # worker's vault to relay its revisions, in a coordinator's vault because
    # that coordinator enrolled it (None: known from the profile or enrolment).
    vouched_by: str | None = None


@dataclass(frozen=True)
class RelayPlan:
    """What a coordinator may send back to field worker ``device_id`` now
    (SyncStateService.relay_due): the revisions it lacks, in storing order,
    the records (entity ids) it held before, and the devices whose
    revisions are relayed (their cards travel with them)."""

    device_id: str
    revisions: tuple[StoredRevision, ...]
    entity_ids: dict[str, str]  # revision id -> entity id, for record_relayed
    held_before: frozenset[str]  # entity ids it held before this bundle
    signers: tuple[Device, ...]  # known devices, other than the worker, that signed them
    withheld: tuple[str, ...]  # entity ids left out: a revision of a revoked device is in them


@dataclass(frozen=True)
class OutgoingState:
    """This device's side of sync."""

    bundle_sequence: int  # of the last bundle made (0: none yet); the next is one more
    previous_bundle_id: str | None  # that bundle's id: the next one's ``previous``
    acked_revision_seq: int  # revisions up to this local_seq are acknowledged
    acked_custody_seq: int  # events of this vault's chain up to this seq are acknowledged


@dataclass(frozen=True)
class SentBundleRecord:
    """A bundle this device made and what it carried (None: not known, a
    bundle adopted after a killed export)."""

    bundle_id: str
    sequence: int
    revision_seq: int | None
    custody_seq: int | None
    blobs: tuple[str, ...] | None
    made_ms: int
    acked_ms: int | None = None
    acked_by: str | None = None
    addressee: str | None = None  # the field worker a send-back was for (None: to coordinators)


@dataclass(frozen=True)
class ReceivedBundleRecord:
    """A bundle this vault imported."""

    bundle_id: str
    device_id: str
    sequence: int
    previous: str | None  # None for sequence 1 and rows imported before migration 0011
    imported_ms: int
    # The header's ``addressed``: numbers of the device that went to field
    # workers (send-backs), declared by this bundle: not gaps.
    addressed: tuple[tuple[int, int], ...] = ()
    custody_head: str | None = None  # the header's: the newest event of its device's chain then


@dataclass(frozen=True)
class HeldBundle:
    """A bundle from a device this vault did not know, kept with its reason."""

    bundle_id: str
    device_id: str
    device_key: bytes
    age_recipient: str | None
    sequence: int
    reason: str
    token_id: str | None
    path: str
    received_ms: int
    status: str = "held"  # QUARANTINE_STATUSES
    decided_ms: int | None = None


@dataclass(frozen=True)
class PendingBlob:
    """Evidence bytes not yet acknowledged, and the items that hold them."""

    sha256: str
    size: int
    evidence_ids: tuple[str, ...]


def _device(row: KnownDevice | Row[Any]) -> Device:
    # An ORM row, or a driver row of _DEVICE_SQL (its columns by name).
    return Device(
        device_id=row.device_id,
        public_key=bytes(row.public_key),
        age_recipient=row.age_recipient,
        status=row.status,
        role=row.role,
        label=row.label,
        last_sequence=row.last_sequence,
        last_bundle_id=row.last_bundle_id,
        vouched_by=row.vouched_by,
    )


# The reads every bundle's import makes (the held profile two or three
# times, the sender's device, the replay check) go straight to the driver
# (db/chunked_ids.py ``driver_execute``): ~0.2 ms each instead of ~0.5 ms
# through session.get (measured 2026-11-30, session 16). The columns are
# those _device and _received read; tests/db/test_driver_lookups.py checks
# they answer as the ORM reads did.
_DEVICE_SQL = (
    "SELECT device_id, public_key, age_recipient, status, role, label, last_sequence, "
    "last_bundle_id, vouched_by FROM known_devices WHERE device_id = ?"
)
_RECEIVED_SQL = (
    "SELECT bundle_id, device_id, sequence, previous, imported_ms, addressed, custody_head "
    "FROM received_bundles WHERE bundle_id = ?"
)


def _sent(row: SentBundle) -> SentBundleRecord:
    return SentBundleRecord(
        bundle_id=row.bundle_id,
        sequence=row.sequence,
        revision_seq=row.revision_seq,
        custody_seq=row.custody_seq,
        blobs=tuple(json.loads(row.blobs)) if row.blobs is not None else None,
        made_ms=row.made_ms,
        acked_ms=row.acked_ms,
        acked_by=row.acked_by,
        addressee=row.addressee,
    )


def _received(row: ReceivedBundle | Row[Any]) -> ReceivedBundleRecord:
    # An ORM row, or a driver row of _RECEIVED_SQL (its columns by name).
    addressed = json.loads(row.addressed) if row.addressed else []
    return ReceivedBundleRecord(
        row.bundle_id,
        row.device_id,
        row.sequence,
        row.previous,
        row.imported_ms,
        tuple((first, last) for first, last in addressed),
        row.custody_head,
    )


def _blobs_held(session: Session, acked: set[str]) -> list[PendingBlob]:
    """The evidence files the vault holds (not purged, held by an item),
    but those whose SHA-256 is in ``acked``, by SHA-256, with their items."""
    purged = purged_blob_ids(session)
    holders: dict[str, list[str]] = {}
    for blob_id, evidence_id in session.execute(
        select(EvidenceBlob.blob_id, EvidenceBlob.evidence_id).order_by(EvidenceBlob.evidence_id)
    ):
        holders.setdefault(blob_id, []).append(evidence_id)
    pending: dict[str, PendingBlob] = {}
    for blob_id, sha256, size in session.execute(select(Blob.blob_id, Blob.sha256, Blob.size)):
        if sha256 in acked or blob_id not in holders or blob_id in purged:
            continue
        held = pending.get(sha256)
        ids = tuple(sorted({*(held.evidence_ids if held else ()), *holders[blob_id]}))
        pending[sha256] = PendingBlob(sha256, size, ids)
    return [pending[sha256] for sha256 in sorted(pending)]


def _held(row: QuarantinedBundle) -> HeldBundle:
    return HeldBundle(
        bundle_id=row.bundle_id,
        device_id=row.device_id,
        device_key=bytes(row.device_key),
        age_recipient=row.age_recipient,
        sequence=row.sequence,
        reason=row.reason,
        token_id=row.token_id,
        path=row.path,
        received_ms=row.received_ms,
        status=row.status,
        decided_ms=row.decided_ms,
    )


def _outgoing_row(session: Session) -> SyncOutgoing:
    row = session.get(SyncOutgoing, 1)
    if row is None:
        row = SyncOutgoing(
            singleton=1, bundle_sequence=0, previous_bundle_id=None, acked_revision_seq=0, acked_custody_seq=0
        )
        session.add(row)
    return row


class SyncStateService:
    """``vault.sync``: the vault's side of sync. Each method is one short
    transaction; ``begin_import`` is one long one."""

    def __init__(self, ctx: VaultContext) -> None:
        self._ctx = ctx

    # -- the organisation profile ----------------------------------------------

    def org_profile(self) -> OrgProfile | None:
        with self._ctx.sessions() as session:
            row = driver_execute(
                session, "SELECT version, signed FROM org_profile WHERE singleton = 1"
            ).first()
            return OrgProfile(row[0], bytes(row[1])) if row is not None else None

    def set_org_profile(self, profile: OrgProfile) -> None:
        """Keep ``profile`` (its signature checked by the caller). An older
        version, or the same version with other bytes, is refused
        (OrgProfileOutdated); the very same profile again changes nothing."""
        if profile.version < 1:
            raise ValueError("a profile version is 1 or more")
        with self._ctx.write_transaction("save the organisation profile") as session:
            row = session.get(OrgProfileRow, 1)
            rerooted = rerooted_entities(session)
            revoked_before = revoked_signers(session) if rerooted else frozenset()
            if row is not None:
                if row.version == profile.version and bytes(row.signed) == profile.signed:
                    return
                if row.version >= profile.version:
                    raise OrgProfileOutdated(row.version, profile.version)
                row.version, row.signed, row.updated_ms = profile.version, profile.signed, _now_ms()
            else:
                session.add(
                    OrgProfileRow(
                        singleton=1, version=profile.version, signed=profile.signed, updated_ms=_now_ms()
                    )
                )
            if rerooted:
                session.flush()
                changed = revoked_signers(session) ^ revoked_before
                if changed:
                    # Which devices are revoked decides what a re-root hides
                    # (db/derive.py): the records re-roots name that hold a
                    # revision of a device whose revocation changed derive
                    # afresh, in the same transaction as the profile.
                    refresh_entities(session, rerooted_entities(session, signed_by=changed))

    # -- known devices ------------------------------------------------------------

    def devices(self) -> list[Device]:
        with self._ctx.sessions() as session:
            return [
                _device(row) for row in session.scalars(select(KnownDevice).order_by(KnownDevice.device_id))
            ]

    def device(self, device_id: str) -> Device | None:
        with self._ctx.sessions() as session:
            row = driver_execute(session, _DEVICE_SQL, (device_id,)).first()
            return _device(row) if row is not None else None

    def put_device(self, device: Device) -> None:
        """Add a device or change its status, role, label or age recipient.
        Its id must be its key's (vault-format.md), and a known device keeps
        its key. ``last_sequence`` and ``last_bundle_id`` are the import's to
        set, and are kept; ``vouched_by`` is cleared (the profile or an
        enrolment names the device now). Raises ValueError on a caller's mistake."""
        if device_id_for(device.public_key) != device.device_id:
            raise ValueError(f"device id {device.device_id} is not that of its key")
        if device.status not in DEVICE_STATUSES or device.role not in DEVICE_ROLES:
            raise ValueError(f"unknown status {device.status!r} or role {device.role!r}")
        if device.device_id == self._ctx.identity.device_id:
            raise ValueError("this vault's own device is not a known device of its own")
        with self._ctx.write_transaction("save the organisation's devices") as session:
            session.execute(
                insert(KnownDevice)
                .values(
                    device_id=device.device_id,
                    public_key=device.public_key,
                    age_recipient=device.age_recipient,
                    role=device.role,
                    status=device.status,
                    label=device.label,
                    last_sequence=0,
                    last_bundle_id=None,
                    updated_ms=_now_ms(),
                )
                .on_conflict_do_update(
                    index_elements=["device_id"],
                    set_={
                        "age_recipient": device.age_recipient,
                        "role": device.role,
                        "status": device.status,
                        "label": device.label,
                        "updated_ms": _now_ms(),
                        # Known now from the profile or an enrolment, not
                        # only on a coordinator's word (vouched_by).
                        "vouched_by": None,
                    },
                )
            )

    def set_device_status(self, device_id: str, status: str) -> None:
        """Enrol, revoke or hold a known device (NotFound if unknown)."""
        if status not in DEVICE_STATUSES:
            raise ValueError(f"unknown status {status!r}")
        with self._ctx.write_transaction("save the organisation's devices") as session:
            row = session.get(KnownDevice, device_id)
            if row is None:
                raise NotFound("device", device_id)
            row.status, row.updated_ms = status, _now_ms()

    # -- this device's outgoing side ------------------------------------------------

    def signing_key(self) -> Ed25519PrivateKey:
        """This device's Ed25519 private key, to sign what leaves the vault as
        this device (a bundle's header and manifest; its id is ``vault.device_id``).
        The caller keeps it in memory only."""
        return self._ctx.identity.private_key

    def outgoing(self) -> OutgoingState:
        with self._ctx.sessions() as session:
            row = session.get(SyncOutgoing, 1)
            if row is None:
                return OutgoingState(0, None, 0, 0)
            return OutgoingState(
                row.bundle_sequence, row.previous_bundle_id, row.acked_revision_seq, row.acked_custody_seq
            )

    def record_bundle_made(
        self,
        sequence: int,
        bundle_id: str,
        *,
        revision_seq: int | None = None,
        custody_seq: int | None = None,
        blobs: Iterable[str] | None = None,
        addressee: str | None = None,
    ) -> None:
        """A bundle with ``sequence`` (the last one's plus one) and id
        ``bundle_id`` was written whole: the next one follows it. What it
        carried — revisions up to ``revision_seq`` (local_seq), own custody
        events up to ``custody_seq``, evidence bytes ``blobs`` — is what an
        acknowledgement of it acknowledges (None: not known). ``addressee``:
        the field worker a send-back bundle was for (``addressed_since``)."""
        with self._ctx.write_transaction("record the bundle") as session:
            row = _outgoing_row(session)
            if sequence != row.bundle_sequence + 1:
                raise ValueError(f"bundle {sequence} does not follow bundle {row.bundle_sequence}")
            row.bundle_sequence, row.previous_bundle_id = sequence, bundle_id
            session.add(
                SentBundle(
                    bundle_id=bundle_id,
                    sequence=sequence,
                    revision_seq=revision_seq,
                    custody_seq=custody_seq,
                    blobs=json.dumps(sorted(set(blobs))) if blobs is not None else None,
                    made_ms=_now_ms(),
                    addressee=addressee,
                )
            )

    def addressed_since(self) -> tuple[tuple[int, int], ...]:
        """The runs ``(first, last)`` of this device's sequence numbers that
        went to field workers (send-back bundles) after its last bundle to
        coordinators: what its next bundle to coordinators declares (the
        header's ``addressed``), so that they see no gap where those numbers
        are. Oldest first; empty when there are none."""
        with self._ctx.sessions() as session:
            last_own = session.scalar(
                select(SentBundle.sequence)
                .where(SentBundle.addressee.is_(None))
                .order_by(SentBundle.sequence.desc())
                .limit(1)
            )
            numbers = session.scalars(
                select(SentBundle.sequence)
                .where(SentBundle.addressee.is_not(None), SentBundle.sequence > (last_own or 0))
                .order_by(SentBundle.sequence)
            ).all()
        runs: list[tuple[int, int]] = []
        for number in numbers:
            if runs and number == runs[-1][1] + 1:
                runs[-1] = (runs[-1][0], number)
            else:
                runs.append((number, number))
        return tuple(runs)

    def sent_bundle(self, bundle_id: str) -> SentBundleRecord | None:
        """A bundle this device made, by id (None: not one of this device's)."""
        with self._ctx.sessions() as session:
            row = session.get(SentBundle, bundle_id)
            return _sent(row) if row is not None else None

    def sent_bundles(self) -> list[SentBundleRecord]:
        with self._ctx.sessions() as session:
            return [_sent(row) for row in session.scalars(select(SentBundle).order_by(SentBundle.sequence))]

    def acknowledge_bundle(self, bundle_id: str, coordinator_id: str) -> SentBundleRecord:
        """A coordinator (``coordinator_id``, its signature checked by the
        caller) acknowledged holding bundle ``bundle_id`` of this device:
        move the cursors to what it carried and mark its evidence bytes
        acknowledged, in one transaction (the enrolment token is kept: the
        server may not know the device yet, sync/client/connection.py
        forgets it after a login); a bundle acknowledged before
        changes nothing. NotFound for a bundle
        this device did not make."""
        with self._ctx.write_transaction("record what was acknowledged") as session:
            sent = session.get(SentBundle, bundle_id)
            if sent is None:
                raise NotFound("bundle", bundle_id)
            if sent.acked_ms is None:
                row = _outgoing_row(session)
                if sent.revision_seq is not None:
                    row.acked_revision_seq = max(row.acked_revision_seq, sent.revision_seq)
                if sent.custody_seq is not None:
                    row.acked_custody_seq = max(row.acked_custody_seq, sent.custody_seq)
                now = _now_ms()
                for sha256 in json.loads(sent.blobs) if sent.blobs is not None else ():
                    session.execute(
                        insert(AcknowledgedBlob).values(sha256=sha256, acked_ms=now).on_conflict_do_nothing()
                    )
                sent.acked_ms, sent.acked_by = now, coordinator_id
            return _sent(sent)

    def has_acknowledgement(self) -> bool:
        """Has a coordinator acknowledged any bundle of this device (so it
        knows the device, and the enrolment proof need not travel again)?"""
        with self._ctx.sessions() as session:
            return (
                session.scalar(select(SentBundle.bundle_id).where(SentBundle.acked_ms.is_not(None)))
                is not None
            )

    def enrolment_token(self) -> str | None:
        """The enrolment token this device joined with (kept by enrol)."""
        with self._ctx.sessions() as session:
            row = session.get(SyncOutgoing, 1)
            return row.enrolment_token if row is not None else None

    def set_enrolment_token(self, token: str | None) -> None:
        with self._ctx.write_transaction("save the enrolment token") as session:
            _outgoing_row(session).enrolment_token = token

    def acknowledge(
        self, *, revision_seq: int | None = None, custody_seq: int | None = None, blobs: Iterable[str] = ()
    ) -> None:
        """The organisation holds revisions up to ``revision_seq`` (local_seq),
        this vault's custody events up to ``custody_seq``, and the evidence
        bytes ``blobs`` (SHA-256). Cursors only move forward."""
        with self._ctx.write_transaction("record what was acknowledged") as session:
            row = _outgoing_row(session)
            if revision_seq is not None:
                row.acked_revision_seq = max(row.acked_revision_seq, revision_seq)
            if custody_seq is not None:
                row.acked_custody_seq = max(row.acked_custody_seq, custody_seq)
            now = _now_ms()
            for sha256 in sorted(set(blobs)):
                session.execute(
                    insert(AcknowledgedBlob).values(sha256=sha256, acked_ms=now).on_conflict_do_nothing()
                )

    # -- bundles received (a coordinator's) -----------------------------------------------

    def received_bundle(self, bundle_id: str) -> ReceivedBundleRecord | None:
        """A bundle this vault imported, by id (None: not imported here)."""
        with self._ctx.sessions() as session:
            row = driver_execute(session, _RECEIVED_SQL, (bundle_id,)).first()
            return _received(row) if row is not None else None

    def received_bundles(self) -> list[ReceivedBundleRecord]:
        """Every bundle this vault imported, by device and sequence: what the
        coordinator's devices view reads its sequence gaps from
        (sync/merge/devices.py)."""
        with self._ctx.sessions() as session:
            rows = session.scalars(
                select(ReceivedBundle).order_by(
                    ReceivedBundle.device_id, ReceivedBundle.sequence, ReceivedBundle.bundle_id
                )
            )
            return [_received(row) for row in rows]

    # -- bundles held in quarantine (a coordinator's) ------------------------------------

    def hold_bundle(self, held: HeldBundle) -> bool:
        """Keep a record of a bundle not imported because its device is not
        known (the file stays where it is). False if it is held already (its
        first record stays), or if this vault counts it as received (an
        import or a hand-over recorded it after the caller's read): nothing
        of it would ever be imported, so a row would wait for nothing."""
        with self._ctx.write_transaction("record the bundle in quarantine") as session:
            if session.get(QuarantinedBundle, held.bundle_id) is not None:
                return False
            if session.get(ReceivedBundle, held.bundle_id) is not None:
                return False
            session.add(
                QuarantinedBundle(
                    bundle_id=held.bundle_id,
                    device_id=held.device_id,
                    device_key=held.device_key,
                    age_recipient=held.age_recipient,
                    sequence=held.sequence,
                    reason=held.reason,
                    token_id=held.token_id,
                    path=held.path,
                    received_ms=held.received_ms,
                    status="held",
                    decided_ms=None,
                )
            )
            return True

    def held_bundles(self, *, include_approved: bool = False) -> list[HeldBundle]:
        """The rows ``held`` in quarantine; with ``include_approved``, also
        those ``approved`` or ``received`` (QUARANTINE_STATUSES)."""
        with self._ctx.sessions() as session:
            query = select(QuarantinedBundle).order_by(
                QuarantinedBundle.device_id, QuarantinedBundle.sequence, QuarantinedBundle.bundle_id
            )
            if not include_approved:
                query = query.where(QuarantinedBundle.status == "held")
            return [_held(row) for row in session.scalars(query)]

    def rereads(self) -> list[Reread]:
        """The re-reads of bundles received before kept here, newest first
        (db/rereads.py)."""
        with self._ctx.sessions() as session:
            return kept_rereads(session)

    def held_bundle(self, bundle_id: str) -> HeldBundle | None:
        with self._ctx.sessions() as session:
            row = session.get(QuarantinedBundle, bundle_id)
            return _held(row) if row is not None else None

    # -- sending back to field workers (a coordinator's) -------------------------------

    def relay_due(self, device_id: str, scope: str, *, resend: bool = False) -> RelayPlan:
        """What field worker ``device_id`` lacks of what ``scope`` lets a
        coordinator send back (sync/org.py SEND_TO_WORKERS): ``held-records``
        — every revision, not signed by the worker and not sent to it
        before, of the records it holds (an entity with a revision it signed
        or was sent); ``all`` — every such revision of every record;
        ``none`` — nothing. A record with a revision by a device revoked
        here is left out whole (``withheld``): the worker would refuse that
        revision, and without it the record's history would have a hole.
        With ``resend``, revisions sent before count as not sent (a bundle
        that never reached the worker; a worker skips what it holds)."""
        if scope not in ("none", "held-records", "all"):
            raise ValueError(f"unknown scope {scope!r}")
        with self._ctx.sessions() as session:
            own = set(
                session.scalars(select(RevisionRow.entity_id).where(RevisionRow.device_id == device_id))
            )
            sent_rows = session.execute(
                select(RelayedRevision.revision_id, RelayedRevision.entity_id).where(
                    RelayedRevision.device_id == device_id
                )
            ).all()
            sent = {rid for rid, _ in sent_rows}
            held = frozenset(own | {eid for _, eid in sent_rows})
            if scope == "none":
                return RelayPlan(device_id, (), {}, held, (), ())
            query = select(
                RevisionRow.local_seq,
                RevisionRow.revision_id,
                RevisionRow.device_id,
                RevisionRow.signed,
                RevisionRow.signature,
                RevisionRow.entity_id,
            ).where(RevisionRow.device_id != device_id)
            if scope == "all":
                rows = list(session.execute(query).all())
            else:  # by pieces: bound parameters per statement stay well under SQLite's limit
                ids = sorted(held)
                rows = []
                for start in range(0, len(ids), 500):
                    piece = query.where(RevisionRow.entity_id.in_(ids[start : start + 500]))
                    rows.extend(session.execute(piece).all())
            rows.sort(key=lambda row: row[0] or 0)  # storing order
            known = {row.device_id: row for row in session.scalars(select(KnownDevice))}
            revoked = {d for d, row in known.items() if row.status != "enrolled"}
            withheld = sorted({row[5] for row in rows if row[2] in revoked})
            skip = set() if resend else sent
            due = [row for row in rows if row[1] not in skip and row[5] not in withheld]
            me = self._ctx.identity.device_id
            signer_ids = sorted({row[2] for row in due} - {me, device_id})
            return RelayPlan(
                device_id,
                tuple(
                    StoredRevision(seq or 0, rid, dev, signed, sig) for seq, rid, dev, signed, sig, _ in due
                ),
                {row[1]: row[5] for row in due},
                held,
                tuple(_device(known[d]) for d in signer_ids if d in known),
                tuple(withheld),
            )

    def relay_pending(self, device_id: str, scope: str) -> bool:
        """Is anything perhaps due to field worker ``device_id`` under
        ``scope`` (relay_due's rule, by one indexed query, without reading
        the revisions)? A record withheld for a revoked device's revision
        may make it say yes when relay_due then finds nothing."""
        if scope not in ("none", "held-records", "all"):
            raise ValueError(f"unknown scope {scope!r}")
        if scope == "none":
            return False
        sent = select(RelayedRevision.revision_id).where(
            RelayedRevision.device_id == device_id, RelayedRevision.revision_id == RevisionRow.revision_id
        )
        query = select(RevisionRow.revision_id).where(RevisionRow.device_id != device_id, ~sent.exists())
        if scope == "held-records":
            signed = aliased(RevisionRow)  # not correlated with the outer revision
            own = select(signed.entity_id).where(signed.device_id == device_id)
            relayed = select(RelayedRevision.entity_id).where(RelayedRevision.device_id == device_id)
            query = query.where(RevisionRow.entity_id.in_(own.union(relayed)))
        with self._ctx.sessions() as session:
            return session.scalar(query.limit(1)) is not None

    def record_relayed(self, device_id: str, revisions: dict[str, str], bundle_id: str) -> None:
        """Revisions (id -> entity id) left for field worker ``device_id`` in
        bundle ``bundle_id``: the next bundle to it leaves them out, and
        their records count as held by it."""
        now = _now_ms()
        with self._ctx.write_transaction("record what was sent back") as session:
            for revision_id, entity_id in sorted(revisions.items()):
                session.execute(
                    insert(RelayedRevision)
                    .values(
                        device_id=device_id,
                        revision_id=revision_id,
                        entity_id=entity_id,
                        bundle_id=bundle_id,
                        sent_ms=now,
                    )
                    .on_conflict_do_nothing()
                )

    # -- reading by cursor -----------------------------------------------------------

    def custody_since(self, cursor: int = 0, limit: int = 1000) -> list[StoredCustodyEvent]:
        """Events of this vault's own chain after sequence number ``cursor``
        (0: from the first), at most ``limit``, in chain order; the next
        cursor is the last one's ``seq``."""
        if cursor < 0 or limit < 1:  # a caller's mistake, not a user's input
            raise ValueError("a cursor is 0 or more and a page holds at least one event")
        with self._ctx.sessions() as session:
            return events_since(session, cursor, limit)

    def received_chains(self) -> list[str]:
        """The devices whose custody chains this vault received, by device id."""
        with self._ctx.sessions() as session:
            return received_chain_devices(session)

    def received_custody_since(
        self, device_id: str, cursor: int = 0, limit: int = 1000
    ) -> list[StoredCustodyEvent]:
        """Events of ``device_id``'s received chain after its event ``cursor``
        (0: from event 1), at most ``limit``, in chain order: what a history
        hand-over carries verbatim (docs/bundle-format.md §10)."""
        if cursor < 0 or limit < 1:  # a caller's mistake, not a user's input
            raise ValueError("a cursor is 0 or more and a page holds at least one event")
        with self._ctx.sessions() as session:
            return received_events_since(session, device_id, cursor, limit)

    def custody_head(self) -> str | None:
        """The hash of the newest event of this vault's own chain (a bundle's ``custody_head``)."""
        with self._ctx.sessions() as session:
            return chain_head(session)

    def unacknowledged_blobs(self) -> list[PendingBlob]:
        """Evidence bytes the organisation has not acknowledged, by SHA-256
        order, with the items that hold them. Bytes purged after their
        delivery (db/purge.py) are not here: they are on the server, and
        no longer on this laptop to be sent again."""
        with self._ctx.sessions() as session:
            return _blobs_held(session, set(session.scalars(select(AcknowledgedBlob.sha256))))

    def held_blobs(self) -> list[PendingBlob]:
        """Every evidence file this vault holds (not purged), acknowledged or
        not, by SHA-256, with the items that hold them: what a history
        hand-over carries (docs/bundle-format.md §10)."""
        with self._ctx.sessions() as session:
            return _blobs_held(session, set())

    def blobs_of(self, evidence_ids: Iterable[str]) -> list[PendingBlob]:
        """The evidence bytes this vault holds for ``evidence_ids`` (those
        it holds no bytes of, or purged, are left out), by SHA-256 order,
        each with the items among ``evidence_ids`` that hold them."""
        wanted = sorted(set(evidence_ids))
        with self._ctx.sessions() as session:
            purged = purged_blob_ids(session)
            found: dict[str, PendingBlob] = {}
            for start in range(0, len(wanted), 500):
                rows = session.execute(
                    select(EvidenceBlob.evidence_id, Blob.blob_id, Blob.sha256, Blob.size)
                    .join(Blob, Blob.blob_id == EvidenceBlob.blob_id)
                    .where(EvidenceBlob.evidence_id.in_(wanted[start : start + 500]))
                )
                for evidence_id, blob_id, sha256, size in rows:
                    if blob_id in purged:
                        continue
                    held = found.get(sha256)
                    ids = tuple(sorted({*(held.evidence_ids if held else ()), evidence_id}))
                    found[sha256] = PendingBlob(sha256, size, ids)
        return [found[sha256] for sha256 in sorted(found)]

    def open_blob(self, sha256: str) -> BlobReader:
        """The original bytes stored under ``sha256``, decrypted as read (the
        bundle writer's source). Records no custody event: the writer records
        the transfer (``record_transfers``). The reader re-checks each segment;
        the caller checks the SHA-256 of what it read."""
        with self._ctx.sessions() as session:
            # Not a purged blob's row: its file is gone (db/purge.py).
            blob_id = live_blob_id(session, sha256)
            row = session.execute(
                select(Blob.blob_id, Blob.wrapped_key).where(Blob.blob_id == blob_id)
            ).first()
        if row is None:
            raise NotFound("stored file", sha256, "stored-file-not-found")
        key = unwrap_blob_key(self._ctx.blobs_subkey, row[0], bytes(row[1]))
        return self._ctx.blob_store.open(row[0], key)

    def record_transfers(self, items: Iterable[tuple[str, str]], *, bundle_id: str) -> None:
        """A ``transfer`` custody event (direction ``sent``) for each
        (evidence id, SHA-256) that left in bundle ``bundle_id``, in one transaction."""
        with self._ctx.write_transaction("record the transfer") as session:
            for evidence_id, sha256 in sorted(set(items)):
                append_event(
                    session,
                    self._ctx.identity,
                    evidence_id=evidence_id,
                    action="transfer",
                    sha256=sha256,
                    hlc=self._ctx.next_reading(session),
                    user=self._ctx.user_label,
                    details={"direction": "sent", "bundle": bundle_id},
                )

    # -- importing ---------------------------------------------------------------------

    def stage_blob(
        self, sha256: str, size: int, source: BinaryIO, *, progress: ProgressCallback | None = None
    ) -> StagedBlob:
        """Stream a received file's bytes into the vault's blob folder under a
        temp name, checked against ``sha256`` and ``size``, outside any
        transaction (so a large file does not hold the write lock); then
        ``add_staged_blob`` inside ``begin_import``, or ``discard_staged``."""
        return stage_blob(self._ctx, sha256, size, source, progress=progress)

    def discard_staged(self, staged: StagedBlob) -> None:
        discard_staged(self._ctx, staged)

    @contextlib.contextmanager
    def begin_import(self) -> Iterator[VaultImport]:
        """One bundle's import as one write transaction (db/sync_import.py):
        everything added through the yielded VaultImport is stored when the
        block ends without an error, and nothing (no row, no blob file) when
        it raises."""
        with VaultImport.transaction(self._ctx) as unit:
            yield unit
