"""Purge after delivery: the vault's side (docs/sync.md, "Purge after
delivery"; docs/chain-of-custody.md, "purge").

When the organisation's policy asks for it, the encrypted bytes of evidence
this device delivered are removed from the laptop once the server's signed
receipt proves that the bundle carrying them arrived. What stays: the item's
signed revisions (metadata, SHA-256, size), the ``blobs`` row and the whole
custody log, with a ``purge`` event for each item naming the receipt.

Whether the policy applies and whether a receipt is genuine are sync/'s to
decide (sync/client/purge.py checks each receipt against the server key);
here is only what the vault does with a proven delivery:

- which files may go: bytes the delivered bundle carried, stored under a
  blob whose every holder is an item this device took in (an ``intake``
  or ``intake-attached`` event of its own chain with that SHA-256) and whose bytes left in that
  very bundle (a ``transfer`` event naming it). Items received from other
  devices are never purged here;
- one write transaction records the ``purge`` event of each holder and the
  ``purged_blobs`` row; only after it commits is the blob file unlinked and
  the folder fsynced. Overwriting first would be pointless on an SSD (the
  flash translation layer writes elsewhere) and the bytes are ciphertext
  under a key the database holds. A crash between the commit and the
  unlink leaves a purged row with its file still present:
  ``finish_purges`` at the next unlock removes it.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import select
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from db.atomicio import fsync_directory
from db.blobstore import BlobStore
from db.chunked_ids import driver_execute
from db.custody import append_event
from db.errors import Codes, FieldvaultError
from db.model import Blob, CustodyEventRow, EvidenceBlob, PurgedBlob
from db.services import VaultContext

if TYPE_CHECKING:
    from db.vault import Vault

PURGE_ACTION = "purge"


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class EvidencePurged(FieldvaultError):
    """The item's bytes were delivered and removed from this laptop."""

    codes: ClassVar[Codes] = {"evidence-purged": ("evidence_id",)}

    def __init__(self, evidence_id: str) -> None:
        super().__init__(
            f"Evidence {evidence_id} was delivered to the organisation's server and its file "
            "was removed from this laptop, as the organisation's policy asks. Its description, "
            "SHA-256 and custody stay here. Ask a coordinator for a copy of the file.",
            "evidence-purged",
            evidence_id=evidence_id,
        )


@dataclass(frozen=True)
class DeliveredBundle:
    """A bundle of this device that the server received, as sync/ proved it
    (the receipt's signature by the server key, and that it names this
    bundle of this device): what it carried and which receipt says so."""

    bundle_id: str
    receipt_index: int
    receipt_sha256: str  # SHA-256 of the receipt's signed entry
    blobs: tuple[str, ...]  # SHA-256 of the evidence bytes it carried


@dataclass(frozen=True)
class PurgedFile:
    """An item's delivered file, no longer on this laptop."""

    blob_id: str
    sha256: str
    bundle_id: str
    receipt_index: int
    receipt_sha256: str
    purged_ms: int


@dataclass
class PurgeResult:
    evidence_ids: list[str] = field(default_factory=list)  # items whose file was removed now
    files: int = 0  # blob files removed
    bytes: int = 0  # their plaintext size
    unlink_pending: list[str] = field(default_factory=list)  # blob ids the next unlock removes


def _purged_file(row: PurgedBlob) -> PurgedFile:
    return PurgedFile(
        row.blob_id, row.sha256, row.bundle_id, row.receipt_index, row.receipt_sha256, row.purged_ms
    )


def _own_events(
    session: Session, device_id: str, evidence_ids: Iterable[str]
) -> dict[str, list[tuple[str, str, object]]]:
    """(action, sha256, details["bundle"]) of each item's events in this
    vault's own chain signed as this device (a ``transfer`` only when sent)."""
    events: dict[str, list[tuple[str, str, object]]] = {}
    ids = sorted(set(evidence_ids))
    if not ids:
        return events
    for evidence_id, signed in session.execute(
        select(CustodyEventRow.evidence_id, CustodyEventRow.signed)
        .where(CustodyEventRow.evidence_id.in_(ids))
        .order_by(CustodyEventRow.seq)
    ):
        try:
            envelope = json.loads(bytes(signed))
            if envelope["device"] != device_id:
                continue
            details = envelope.get("details")
            bundle = details.get("bundle") if isinstance(details, dict) else None
            if envelope["action"] == "transfer" and details.get("direction") != "sent":
                continue
            events.setdefault(evidence_id, []).append(
                (str(envelope["action"]), str(envelope["sha256"]), bundle)
            )
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
            continue
    return events


# The custody actions by which this device took an item's bytes in from a
# file here: its own intake, and the intake of the file a record that came
# without it was missing (its bytes then leave from this laptop as an
# intake's do; before, they were never purged: review 27).
TAKEN_IN_HERE = frozenset({"intake", "intake-attached"})


def _may_purge(events: list[tuple[str, str, object]], sha256: str, bundle_id: str) -> bool:
    """Did this device take the item in with these bytes, and did they leave in ``bundle_id``?"""
    taken_in = any(action in TAKEN_IN_HERE and sha == sha256 for action, sha, _bundle in events)
    sent = any(action == "transfer" and sha == sha256 and b == bundle_id for action, sha, b in events)
    return taken_in and sent


class EvidencePurge:
    """``EvidencePurge.of(vault)``: remove delivered evidence bytes, and say
    which items' files are no longer on this laptop."""

    def __init__(self, ctx: VaultContext) -> None:
        self._ctx = ctx

    @classmethod
    def of(cls, vault: Vault) -> EvidencePurge:
        return cls(vault.services.context)

    # -- reading --------------------------------------------------------------

    def purged(self, evidence_id: str) -> PurgedFile | None:
        """The item's file if it was purged (None: its bytes are here, or it has none)."""
        with self._ctx.sessions() as session:
            return purged_file_of(session, evidence_id)

    def purged_evidence_ids(self) -> set[str]:
        """Every item whose file was purged (for lists that mark them)."""
        with self._ctx.sessions() as session:
            return set(
                session.scalars(
                    select(EvidenceBlob.evidence_id).join(
                        PurgedBlob, PurgedBlob.blob_id == EvidenceBlob.blob_id
                    )
                )
            )

    def purged_files(self) -> list[PurgedFile]:
        with self._ctx.sessions() as session:
            return [
                _purged_file(row) for row in session.scalars(select(PurgedBlob).order_by(PurgedBlob.blob_id))
            ]

    # -- purging --------------------------------------------------------------

    def purge(self, delivered: Iterable[DeliveredBundle]) -> PurgeResult:
        """Remove the files that ``delivered`` (receipts the caller checked)
        proves the organisation's server holds, one blob at a time: its
        holders' ``purge`` events and its ``purged_blobs`` row in one short
        transaction, then the unlink. A blob not eligible (a holder that
        is not this device's intake, bytes not sent in that bundle) is left
        alone. A failed unlink is left to the next unlock (``unlink_pending``)."""
        result = PurgeResult()
        for bundle in delivered:
            for sha256 in sorted(set(bundle.blobs)):
                for blob_id in self._blob_ids(sha256):
                    purged = self._record(blob_id, sha256, bundle)
                    if purged is None:
                        continue
                    holders, size = purged
                    result.evidence_ids += holders
                    result.bytes += size
                    if _unlink(self._ctx.blob_store, blob_id):
                        result.files += 1
                    else:
                        result.unlink_pending.append(blob_id)
        return result

    def _blob_ids(self, sha256: str) -> list[str]:
        with self._ctx.sessions() as session:
            return list(
                session.scalars(
                    select(Blob.blob_id)
                    .outerjoin(PurgedBlob, PurgedBlob.blob_id == Blob.blob_id)
                    .where(Blob.sha256 == sha256, PurgedBlob.blob_id.is_(None))
                    .order_by(Blob.blob_id)
                )
            )

    def _record(self, blob_id: str, sha256: str, bundle: DeliveredBundle) -> tuple[list[str], int] | None:
        """In one transaction: check the blob may go, then each holder's
        ``purge`` event and the blob's row. None when it may not (or went already)."""
        ctx = self._ctx
        with ctx.write_transaction("record the purge of delivered evidence") as session:
            blob = session.get(Blob, blob_id)
            if blob is None or blob.sha256 != sha256 or session.get(PurgedBlob, blob_id) is not None:
                return None
            holders = sorted(
                session.scalars(select(EvidenceBlob.evidence_id).where(EvidenceBlob.blob_id == blob_id))
            )
            events = _own_events(session, ctx.identity.device_id, holders)
            if not holders or not all(
                _may_purge(events.get(h, []), sha256, bundle.bundle_id) for h in holders
            ):
                return None
            for evidence_id in holders:
                append_event(
                    session,
                    ctx.identity,
                    evidence_id=evidence_id,
                    action=PURGE_ACTION,
                    sha256=sha256,
                    hlc=ctx.next_reading(session),
                    user=ctx.user_label,
                    details={
                        "bundle": bundle.bundle_id,
                        "receipt": bundle.receipt_index,
                        "receipt_sha256": bundle.receipt_sha256,
                    },
                )
            session.add(
                PurgedBlob(
                    blob_id=blob_id,
                    sha256=sha256,
                    bundle_id=bundle.bundle_id,
                    receipt_index=bundle.receipt_index,
                    receipt_sha256=bundle.receipt_sha256,
                    purged_ms=_now_ms(),
                )
            )
            return holders, blob.size


def purged_file_of(session: Session, evidence_id: str) -> PurgedFile | None:
    row = session.scalar(
        select(PurgedBlob)
        .join(EvidenceBlob, EvidenceBlob.blob_id == PurgedBlob.blob_id)
        .where(EvidenceBlob.evidence_id == evidence_id)
        .limit(1)
    )
    return _purged_file(row) if row is not None else None


def live_blob_id(session: Session, sha256: str) -> str | None:
    """The blob holding ``sha256`` whose file was not purged (None: none).
    A purged blob's row stays with its holders, but its file is gone: bytes
    equal to it that come in again (a new intake, an import) are stored as
    a new blob, never attached to the purged one (docs/sync.md, "Purge
    after delivery")."""
    # Through the driver: asked for every evidence file an import or intake
    # stores (~0.1 ms against ~0.5 through the ORM's statement).
    row = driver_execute(
        session,
        "SELECT b.blob_id FROM blobs b LEFT JOIN purged_blobs p ON p.blob_id = b.blob_id"
        " WHERE b.sha256 = ? AND p.blob_id IS NULL ORDER BY b.blob_id LIMIT 1",
        (sha256,),
    ).first()
    return None if row is None else str(row[0])


def purged_blob_ids(session: Session) -> set[str]:
    return set(session.scalars(select(PurgedBlob.blob_id)))


def _unlink(store: BlobStore, blob_id: str) -> bool:
    """Remove our own blob file and make that durable. True when it is gone."""
    path = store.path(blob_id)
    try:
        path.unlink(missing_ok=True)
    except OSError:
        return False
    with contextlib.suppress(OSError):
        fsync_directory(path.parent)
    return True


def finish_purges(session: Session, store: BlobStore) -> list[str]:
    """At unlock (no other process has the vault open): the blob files of
    purges recorded but not yet unlinked (a crash, a kill, a failed unlink)
    are removed now. Returns their blob ids. A database too damaged to
    read the table does not stop the unlock: nothing is removed, and
    ``verify`` names the damage."""
    try:
        purged = purged_blob_ids(session)
    except DatabaseError:
        return []
    finished = []
    for blob_id in sorted(purged):
        if store.path(blob_id).exists() and _unlink(store, blob_id):
            finished.append(blob_id)
    return finished
