"""The workers' signed manifests a coordinator desk keeps, and what a history
hand-over's check against them found (issue 14, review 17 D2; migration
0026; docs/bundle-format.md §10 "Completeness against the workers'
signatures", docs/threat-model.md §2.8).

A hand-over's ``received`` names bundles, not their revisions: a maker
could leave a worker's testimony out of the hand-over (and out of its
``decisions``) and the new desk, which then counts the worker's bundle as
received, would never read it. So each desk keeps, for every bundle of a
field device it imports, the worker-signed inner manifest as it was
signed (its ``revisions`` list names every revision the bundle carried),
and a hand-over carries it with that bundle's ``received`` entry. The new
desk verifies it with the worker's key (sync/bundle/hand_over_manifests.py)
and records here what it names that nothing explains: listed
(``fieldvault devices parked``, the Devices view), never acted on. An
entry of a field device's bundle that comes without a manifest (imported
at the maker before migration 0026, left out over the carry budget, or
stripped by a compromised maker: the new desk cannot tell which) is
recorded too, as ``unchecked``: its completeness was not checked, and a
silent gap would let a maker defeat the check by dropping the member.

Ids, times and the signed manifest bytes only (which name revision ids,
custody hashes and the SHA-256 of evidence files, all inside the encrypted
database): no revision content is read or returned here."""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from db.chunked_ids import CHUNK, driver_execute, values_among
from db.model import (
    Blob,
    EntityRow,
    EvidenceBlob,
    HandOverUnaccounted,
    MakerDecision,
    ParkedRevision,
    PurgedBlob,
    RevisionRow,
    WithheldRevision,
    WorkerManifest,
)

if TYPE_CHECKING:
    from db.vault import Vault


def keep_worker_manifest(
    session: Session,
    bundle_id: str,
    device_id: str,
    sequence: int,
    manifest: bytes,
    signature: bytes,
    *,
    source: str | None = None,
) -> None:
    """Keep a field device's signed manifest with its bundle, inside the
    import's transaction. One kept already for that bundle stays (the bytes
    the worker signed for one bundle id are one)."""
    session.execute(
        insert(WorkerManifest)
        .values(
            bundle_id=bundle_id,
            device_id=device_id,
            sequence=sequence,
            manifest=manifest,
            signature=signature,
            source=source,
            recorded_ms=time.time_ns() // 1_000_000,
        )
        .on_conflict_do_nothing(index_elements=["bundle_id"])
    )


@dataclass(frozen=True)
class KeptManifestSize:
    """A kept manifest by its bundle, its size in bytes (manifest and
    signature) and when it was kept: what a hand-over plans with."""

    bundle_id: str
    size: int
    recorded_ms: int


def kept_manifest_sizes(vault: Vault, bundle_ids: Collection[str]) -> list[KeptManifestSize]:
    """The kept manifests of ``bundle_ids``, newest kept first, without their bytes."""
    ids = sorted(bundle_ids)
    found: list[KeptManifestSize] = []
    with vault.services.context.sessions() as session:
        for at in range(0, len(ids), CHUNK):
            for bundle_id, size, recorded_ms in session.execute(
                select(
                    WorkerManifest.bundle_id,
                    func.length(WorkerManifest.manifest) + func.length(WorkerManifest.signature),
                    WorkerManifest.recorded_ms,
                ).where(WorkerManifest.bundle_id.in_(ids[at : at + CHUNK]))
            ):
                found.append(KeptManifestSize(str(bundle_id), int(size), int(recorded_ms)))
    return sorted(found, key=lambda k: (-k.recorded_ms, k.bundle_id))


def kept_manifests(vault: Vault, bundle_ids: Collection[str]) -> dict[str, tuple[bytes, bytes]]:
    """Bundle id -> (manifest bytes, signature) of those of ``bundle_ids`` kept here."""
    ids = sorted(bundle_ids)
    found: dict[str, tuple[bytes, bytes]] = {}
    with vault.services.context.sessions() as session:
        for at in range(0, len(ids), CHUNK):
            for bundle_id, manifest, signature in session.execute(
                select(WorkerManifest.bundle_id, WorkerManifest.manifest, WorkerManifest.signature).where(
                    WorkerManifest.bundle_id.in_(ids[at : at + CHUNK])
                )
            ):
                found[str(bundle_id)] = (bytes(manifest), bytes(signature))
    return found


def kept_manifest(session: Session, bundle_id: str) -> tuple[bytes, bytes] | None:
    """The manifest (bytes, signature) kept here for ``bundle_id``, if any,
    inside an import's transaction: one read from the worker's own bundle or
    verified from an earlier hand-over, so a later entry without one is
    checked against it."""
    row = session.execute(
        select(WorkerManifest.manifest, WorkerManifest.signature).where(WorkerManifest.bundle_id == bundle_id)
    ).first()
    return (bytes(row[0]), bytes(row[1])) if row is not None else None


def unexplained_among(session: Session, revision_ids: Iterable[str]) -> list[str]:
    """Those of ``revision_ids`` this vault neither stores nor parks, nor
    left out by its own rules (``withheld_revisions``: a revoked lineage, a
    type clash, past a parked cap, set aside...), nor holds a desk's word
    on (``maker_decisions``): in their order, without one twice."""
    ids = list(dict.fromkeys(revision_ids))
    explained = (
        values_among(session, RevisionRow.revision_id, ids)
        | values_among(session, ParkedRevision.revision_id, ids)
        | values_among(session, WithheldRevision.revision_id, ids)
        | values_among(session, MakerDecision.revision_id, ids)
    )
    return [rid for rid in ids if rid not in explained]


def files_not_held(session: Session, files: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Those of ``files`` ((SHA-256, evidence item id) pairs a worker's
    manifest names) whose bytes this vault does not store: no ``blobs`` row
    of that SHA-256 (one waiting for a parked item, or purged after
    delivery, is held). In their order, without one twice. Read after the
    hand-over's own files were stored (its blobs come before the check), so
    a file it carried is never among them."""
    pairs = list(dict.fromkeys(files))
    stored = values_among(session, Blob.sha256, list(dict.fromkeys(sha for sha, _ in pairs)))
    return [(sha, item) for sha, item in pairs if sha not in stored]


@dataclass(frozen=True)
class Unaccounted:
    """One finding of a hand-over's check: a revision a worker's manifest
    names and nothing explained (``missing``), an evidence file it names
    that did not come and is not stored here (``missing-file``: ``sha256``
    and ``evidence_id``, ``revision_id`` None), the manifest did not verify
    (``unverifiable``, ``revision_id`` None), or the entry came without one
    and none is kept here (``unchecked``, ``revision_id`` None)."""

    device_id: str
    bundle_id: str
    sequence: int
    problem: str
    revision_id: str | None = None
    sha256: str = ""
    evidence_id: str = ""


def record_unaccounted(
    session: Session, maker_id: str, hand_over_id: str, found: Iterable[Unaccounted]
) -> int:
    """Record what a hand-over's check found (inside its import's
    transaction); a finding recorded already stays as first recorded.
    Returns how many findings were given."""
    now_ms = time.time_ns() // 1_000_000
    rows = [
        {
            "maker_id": maker_id,
            "bundle_id": f.bundle_id,
            "revision_id": f.revision_id or "",
            "device_id": f.device_id,
            "sequence": f.sequence,
            "problem": f.problem,
            "sha256": f.sha256,
            "evidence_id": f.evidence_id,
            "hand_over_id": hand_over_id,
            "recorded_ms": now_ms,
        }
        for f in found
    ]
    for at in range(0, len(rows), CHUNK):
        session.execute(insert(HandOverUnaccounted).values(rows[at : at + CHUNK]).on_conflict_do_nothing())
    return len(rows)


def any_missing_unheld(session: Session) -> bool:
    """Does a hand-over's check list as missing a revision this vault does
    not hold? Then imports check parents (db/sync_import.py): a later edit
    of it waits parked instead of being stored without it (review 21 R2)."""
    # Through the driver: every import asks this (db/chunked_ids.py).
    unheld = driver_execute(
        session,
        "SELECT 1 FROM hand_over_unaccounted u WHERE u.problem = 'missing'"
        " AND NOT EXISTS (SELECT 1 FROM revisions r WHERE r.revision_id = u.revision_id) LIMIT 1",
    )
    return unheld.first() is not None


def _current() -> ColumnElement[bool]:
    """The findings still standing: an unverifiable manifest; a missing
    revision this vault still neither stores, parks, left out, nor holds a
    desk's word on (one arriving since, say with the worker's own file,
    ends its listing); a missing file of an item this vault stores, not
    attached to a stored file of that SHA-256 (a re-read of the worker's
    file, or any later bundle, bringing the bytes ends it; while the item
    itself is not stored here, parked or left out or missing, its record's
    fate is what shows); an unchecked bundle of which no manifest is kept
    here yet (one kept since, from the worker's bundle or a later hand-over
    whose check then ran against everything here, ends it)."""
    absent = [
        ~select(table.revision_id).where(table.revision_id == HandOverUnaccounted.revision_id).exists()
        for table in (RevisionRow, ParkedRevision, WithheldRevision, MakerDecision)
    ]
    no_manifest = (
        ~select(WorkerManifest.bundle_id)
        .where(WorkerManifest.bundle_id == HandOverUnaccounted.bundle_id)
        .exists()
    )
    item_stored = (
        select(EntityRow.entity_id)
        .where(EntityRow.entity_id == HandOverUnaccounted.evidence_id, EntityRow.entity_type == "evidence")
        .exists()
    )
    attached = (
        select(EvidenceBlob.evidence_id)
        .join(Blob, Blob.blob_id == EvidenceBlob.blob_id)
        .where(
            EvidenceBlob.evidence_id == HandOverUnaccounted.evidence_id,
            Blob.sha256 == HandOverUnaccounted.sha256,
        )
        .exists()
    )
    return or_(
        HandOverUnaccounted.problem == "unverifiable",
        and_(HandOverUnaccounted.problem == "missing-file", item_stored, ~attached),
        and_(HandOverUnaccounted.problem == "unchecked", no_manifest),
        and_(HandOverUnaccounted.problem == "missing", *absent),
    )


@dataclass(frozen=True)
class UnaccountedRow:
    """A finding as a coordinator lists it (``fieldvault devices parked``,
    the Devices view): ids and times only."""

    problem: str  # "missing", "missing-file", "unverifiable" or "unchecked"
    revision_id: str | None  # None but for "missing"
    device_id: str  # the worker whose manifest named it
    bundle_id: str  # the worker's bundle
    sequence: int
    maker: str  # the desk whose hand-over did not bring it
    hand_over_id: str
    recorded_ms: int
    sha256: str | None = None  # "missing-file": the file the manifest names
    evidence_id: str | None = None  # "missing-file": the item it names the file for
    # "missing-file": the other evidence items here whose stored file has
    # that SHA-256 (the desk ingested the same bytes itself, say): the bytes
    # are here, this item is still not linked to them (``_held_elsewhere``).
    held_as: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        # ``held_as`` only when the bytes are held under other items, as
        # other listings add a field for the case that has it.
        found: dict[str, object] = {
            "problem": self.problem,
            "revision_id": self.revision_id,
            "device_id": self.device_id,
            "bundle_id": self.bundle_id,
            "sequence": self.sequence,
            "maker": self.maker,
            "hand_over_id": self.hand_over_id,
            "recorded_ms": self.recorded_ms,
            "sha256": self.sha256,
            "evidence_id": self.evidence_id,
        }
        if self.held_as:
            found["held_as"] = list(self.held_as)
        return found


def unaccounted_list(vault: Vault, *, limit: int = 1_000) -> tuple[list[UnaccountedRow], int]:
    """The findings still standing (a missing revision that arrived since
    is no longer listed), oldest first, at most ``limit``; and how many.
    A missing file names the items here that hold the same bytes (``held_as``)."""
    where = _current()
    with vault.services.context.sessions() as session:
        total = int(session.scalar(select(func.count()).select_from(HandOverUnaccounted).where(where)) or 0)
        rows = session.execute(
            select(
                HandOverUnaccounted.problem,
                HandOverUnaccounted.revision_id,
                HandOverUnaccounted.device_id,
                HandOverUnaccounted.bundle_id,
                HandOverUnaccounted.sequence,
                HandOverUnaccounted.maker_id,
                HandOverUnaccounted.hand_over_id,
                HandOverUnaccounted.recorded_ms,
                HandOverUnaccounted.sha256,
                HandOverUnaccounted.evidence_id,
            )
            .where(where)
            .order_by(
                HandOverUnaccounted.recorded_ms,
                HandOverUnaccounted.device_id,
                HandOverUnaccounted.sequence,
                HandOverUnaccounted.revision_id,
                HandOverUnaccounted.sha256,
                HandOverUnaccounted.evidence_id,
            )
            .limit(limit)
        ).all()
        held = _held_elsewhere(session, {str(row[8]) for row in rows if row[0] == "missing-file"})
    return [
        UnaccountedRow(
            str(problem),
            str(rid) or None,
            str(device),
            str(bundle),
            int(seq),
            str(maker),
            str(hand_over),
            int(ms),
            str(sha256) or None,
            str(item) or None,
            tuple(i for i in held.get(str(sha256), ()) if i != item) if problem == "missing-file" else (),
        )
        for problem, rid, device, bundle, seq, maker, hand_over, ms, sha256, item in rows
    ], total


def _held_elsewhere(session: Session, sha256s: Collection[str]) -> dict[str, tuple[str, ...]]:
    """SHA-256 -> the live evidence items of this vault whose stored file
    (not purged) has it, sorted. A missing file stays listed while its own
    item holds no file of that SHA-256 (``_current``), whoever else holds
    the bytes: a desk that ingested the same file itself holds it under an
    item of its own, with its own record and chain, and the worker's item
    is still without it (``verify`` names it). The listing says so: the
    file is not lost, and what links it to the worker's item is the same
    re-read or later bundle (the import attaches bytes held here, storing
    nothing again)."""
    found: dict[str, list[str]] = {}
    shas = sorted(sha256s)
    for at in range(0, len(shas), CHUNK):
        for evidence_id, sha256 in session.execute(
            select(EvidenceBlob.evidence_id, Blob.sha256)
            .join(Blob, Blob.blob_id == EvidenceBlob.blob_id)
            .join(EntityRow, EntityRow.entity_id == EvidenceBlob.evidence_id)
            .outerjoin(PurgedBlob, PurgedBlob.blob_id == Blob.blob_id)
            .where(
                Blob.sha256.in_(shas[at : at + CHUNK]),
                PurgedBlob.blob_id.is_(None),
                EntityRow.entity_type == "evidence",
                EntityRow.deleted.is_(False),
            )
        ):
            found.setdefault(str(sha256), []).append(str(evidence_id))
    return {sha256: tuple(sorted(items)) for sha256, items in found.items()}


def unaccounted_by_device(vault: Vault) -> dict[str, dict[str, tuple[int, int]]]:
    """Device id -> (the desk whose hand-over it was -> (revisions missing,
    manifests unverifiable)) for the findings still standing (the Devices
    view names each desk)."""
    with vault.services.context.sessions() as session:
        rows = session.execute(
            select(
                HandOverUnaccounted.device_id,
                HandOverUnaccounted.maker_id,
                HandOverUnaccounted.problem,
                func.count(),
            )
            .where(_current())
            .group_by(
                HandOverUnaccounted.device_id, HandOverUnaccounted.maker_id, HandOverUnaccounted.problem
            )
        ).all()
    found: dict[str, dict[str, tuple[int, int]]] = {}
    for device, maker, problem, count in rows:
        if problem in ("unchecked", "missing-file"):
            continue  # unchecked_by_device, files_missing_by_device
        missing, unverifiable = found.setdefault(str(device), {}).get(str(maker), (0, 0))
        if problem == "missing":
            missing += int(count)
        else:
            unverifiable += int(count)
        found[str(device)][str(maker)] = (missing, unverifiable)
    return found


def _counts_by_device(vault: Vault, problem: str) -> dict[str, dict[str, int]]:
    """Device id -> (the desk whose hand-over it was -> how many rows of
    ``problem`` still stand)."""
    with vault.services.context.sessions() as session:
        rows = session.execute(
            select(HandOverUnaccounted.device_id, HandOverUnaccounted.maker_id, func.count())
            .where(_current(), HandOverUnaccounted.problem == problem)
            .group_by(HandOverUnaccounted.device_id, HandOverUnaccounted.maker_id)
        ).all()
    found: dict[str, dict[str, int]] = {}
    for device, maker, count in rows:
        found.setdefault(str(device), {})[str(maker)] = int(count)
    return found


def files_missing_by_device(vault: Vault) -> dict[str, dict[str, int]]:
    """Device id -> (the desk whose hand-over it was -> how many evidence
    files this device's signed manifests name that the hand-over did not
    bring and this vault does not hold for an item it stores), still
    standing (the Devices view names each desk)."""
    return _counts_by_device(vault, "missing-file")


def unchecked_by_device(vault: Vault) -> dict[str, dict[str, int]]:
    """Device id -> (the desk whose hand-over it was -> how many of this
    device's bundles its hand-over's ``received`` named without a manifest
    this vault could check them against), still standing."""
    return _counts_by_device(vault, "unchecked")


__all__ = [
    "KeptManifestSize",
    "Unaccounted",
    "UnaccountedRow",
    "files_missing_by_device",
    "files_not_held",
    "keep_worker_manifest",
    "kept_manifest",
    "kept_manifest_sizes",
    "kept_manifests",
    "record_unaccounted",
    "unaccounted_by_device",
    "unaccounted_list",
    "unchecked_by_device",
    "unexplained_among",
]
