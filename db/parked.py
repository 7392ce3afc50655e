"""Revisions waiting for their parents (issue 14; docs/sync.md §2.3,
migration 0020).

A coordinator reading another desk's bundle while the newest profile it
holds revokes a device may be missing a revision's parent for two reasons:
the parent is still to come (another bundle, not read yet), or it will never
come (the revoked device signed it, or it descends from such a revision,
and every desk leaves it out). Which one is known only later, so the import
(db/sync_import.py) parks such a revision here rather than storing it
without its parents (``verify`` would name the missing parent for good,
while the other desks left it out: the desks would differ by the order in
which they read the bundles). A parked revision is in no head, search or
export. Later:

- an import that stores its parents stores it too (verified again), and
  then its parked children, transitively (``ready_parked``);
- an import or a refused revoked device's bundle that leaves one of its
  parents out leaves it out too, and its parked descendants
  (``leave_out_parked``: into ``withheld_revisions``, as an import leaves
  out a child of a left-out revision);
- otherwise it waits. Its id counts as known: the same revision arriving
  again is a no-op.

Everything here runs inside the caller's write transaction (an import's,
or that of ``RefusedMakersRevisions.keep``): a failing import parks nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from db.model import ParkedRevision, ParkedRevisionParent, RevisionRow, WithheldRevision
from db.revisions import Revision

if TYPE_CHECKING:
    from db.vault import Vault

CHUNK = 500  # ids in one IN (...): well within SQLite's bound on parameters

# Parked revisions that are left out, themselves (their signer revoked since
# they were parked) or naming a left-out parent, then their parked children,
# transitively (UNION takes each once). Every row of withheld_revisions counts
# here, those read from a refused bundle too (learned = 'refused-bundle'): they
# are matched by revision id, a hash of what the revoked maker signed, which a
# parked revision names as parent only if its signer held that revision; their
# record ids, the maker's choice, are not used (db/withheld.py).
_LEFT_OUT_WALK = text(
    """
    WITH RECURSIVE gone(revision_id) AS (
        SELECT parked.revision_id FROM parked_revisions AS parked
        WHERE parked.revision_id IN (SELECT revision_id FROM withheld_revisions)
           OR parked.revision_id IN (
               SELECT links.revision_id FROM parked_revision_parents AS links
               WHERE links.parent_id IN (SELECT revision_id FROM withheld_revisions)
           )
        UNION
        SELECT links.revision_id FROM gone
        JOIN parked_revision_parents AS links ON links.parent_id = gone.revision_id
    )
    SELECT revision_id FROM gone
    """
)

# Parked revisions every parent of which the vault now holds.
_READY = """
    SELECT parked.revision_id, parked.signed, parked.signature, parked.bundle_id
    FROM parked_revisions AS parked
    WHERE {own} NOT EXISTS (
        SELECT 1 FROM parked_revision_parents AS links
        WHERE links.revision_id = parked.revision_id
          AND NOT EXISTS (SELECT 1 FROM revisions WHERE revisions.revision_id = links.parent_id)
    )
    ORDER BY parked.parked_ms, parked.revision_id
    LIMIT :limit
"""


def park(session: Session, revisions: Iterable[Revision]) -> list[str]:
    """Park ``revisions`` (verified and authorised by the caller), with the
    bundle unnamed until ``name_bundle``; returns the ids newly parked."""
    now_ms = time.time_ns() // 1_000_000
    rows: list[dict[str, object]] = []
    links: list[dict[str, str]] = []
    for rev in revisions:
        evidence = rev.entity_type == "evidence" and rev.op == "put"
        sha256, size = (rev.body.get("sha256"), rev.body.get("size")) if evidence else (None, None)
        rows.append(
            {
                "revision_id": rev.revision_id,
                "entity_id": rev.entity_id,
                "device_id": rev.device_id,
                "signed": rev.signed,
                "signature": rev.signature,
                "bundle_id": None,
                "sha256": sha256 if isinstance(sha256, str) else None,
                "size": size if isinstance(size, int) else None,
                "parked_ms": now_ms,
            }
        )
        links += [{"revision_id": rev.revision_id, "parent_id": parent} for parent in rev.parents]
    if not rows:
        return []
    before = parked_among(session, [str(r["revision_id"]) for r in rows])
    new = [str(r["revision_id"]) for r in rows if str(r["revision_id"]) not in before]
    session.execute(insert(ParkedRevision).on_conflict_do_nothing(), rows)
    if links:
        session.execute(insert(ParkedRevisionParent).on_conflict_do_nothing(), links)
    return new


def parked_among(session: Session, revision_ids: Iterable[str]) -> set[str]:
    """Those of ``revision_ids`` that wait here."""
    ids = sorted(set(revision_ids))
    found: set[str] = set()
    for at in range(0, len(ids), CHUNK):
        found.update(
            session.scalars(
                select(ParkedRevision.revision_id).where(ParkedRevision.revision_id.in_(ids[at : at + CHUNK]))
            )
        )
    return found


def any_parked(session: Session) -> bool:
    return session.scalar(select(ParkedRevision.revision_id).limit(1)) is not None


def parked_files(session: Session, evidence_id: str) -> set[tuple[str, int]]:
    """(SHA-256, size) of the evidence files the parked revisions of item
    ``evidence_id`` name: bytes arriving for it are kept for the day they
    are stored."""
    return {
        (sha256, size)
        for sha256, size in session.execute(
            select(ParkedRevision.sha256, ParkedRevision.size).where(ParkedRevision.entity_id == evidence_id)
        )
        if sha256 is not None and size is not None
    }


def parked_sha256s(session: Session) -> set[str]:
    """Every evidence file's SHA-256 a parked revision names (``verify``: a
    stored file only such a revision names waits with it, no fault)."""
    return {
        s
        for s in session.scalars(select(ParkedRevision.sha256).where(ParkedRevision.sha256.is_not(None)))
        if s
    }


def ready_parked(
    session: Session, *, own_import_only: bool, limit: int
) -> list[tuple[str, bytes, bytes, str | None]]:
    """Up to ``limit`` parked revisions whose parents the vault all holds
    now: (id, signed bytes, signature, the bundle it came with).
    ``own_import_only``: only those the open import parked itself (their
    bundle still unnamed)."""
    own = "parked.bundle_id IS NULL AND" if own_import_only else ""
    rows = session.execute(text(_READY.format(own=own)), {"limit": limit}).all()
    return [
        (str(rid), bytes(signed), bytes(signature), str(bundle_id) if bundle_id else None)
        for rid, signed, signature, bundle_id in rows
    ]


def unpark(session: Session, revision_ids: Iterable[str]) -> None:
    ids = sorted(set(revision_ids))
    for at in range(0, len(ids), CHUNK):
        chunk = ids[at : at + CHUNK]
        session.execute(delete(ParkedRevisionParent).where(ParkedRevisionParent.revision_id.in_(chunk)))
        session.execute(delete(ParkedRevision).where(ParkedRevision.revision_id.in_(chunk)))


def leave_out_parked(session: Session) -> list[tuple[str, str, str]]:
    """Leave out the parked revisions that are left out themselves or name a
    left-out parent (``withheld_revisions``), and their parked descendants:
    kept there as left out, no longer parked. Returns (id, record, signer)
    of each newly kept. The stored bytes of an evidence file they named
    are never dropped (review 13 F2: their ``blobs`` row holds the file's
    only wrapped key, and an item of the same or a later import may name
    the same bytes): the row stays, the SHA-256 is kept with the left-out
    row, and ``verify`` notes a file no item names (``left_out_sha256s``)."""
    ids = sorted(set(session.scalars(_LEFT_OUT_WALK)))
    if not ids:
        return []
    now_ms = time.time_ns() // 1_000_000
    gone: list[tuple[str, str, str]] = []
    for at in range(0, len(ids), CHUNK):
        chunk = ids[at : at + CHUNK]
        rows = session.execute(
            select(
                ParkedRevision.revision_id,
                ParkedRevision.entity_id,
                ParkedRevision.device_id,
                ParkedRevision.sha256,
            ).where(ParkedRevision.revision_id.in_(chunk))
        ).all()
        known = set(
            session.scalars(
                select(WithheldRevision.revision_id).where(WithheldRevision.revision_id.in_(chunk))
            )
        )
        # Never a row for a revision the vault holds (review 13 F4).
        held = set(session.scalars(select(RevisionRow.revision_id).where(RevisionRow.revision_id.in_(chunk))))
        kept = [
            {
                "revision_id": rid,
                "entity_id": entity_id,
                "device_id": device_id,
                "withheld_ms": now_ms,
                "sha256": sha256,
            }
            for rid, entity_id, device_id, sha256 in rows
            if rid not in known and rid not in held
        ]
        if kept:
            session.execute(insert(WithheldRevision).on_conflict_do_nothing(), kept)
        gone += [(str(k["revision_id"]), str(k["entity_id"]), str(k["device_id"])) for k in kept]
    unpark(session, ids)
    return gone


def left_out_sha256s(session: Session) -> set[str]:
    """SHA-256s of the evidence files parked revisions named that were left
    out since (``verify``: their stored bytes are kept, a notice)."""
    return set(
        session.scalars(
            select(WithheldRevision.sha256).where(WithheldRevision.sha256.is_not(None)).distinct()
        )
    )


def name_bundle(session: Session, bundle_id: str) -> None:
    """The open import's parked revisions came with ``bundle_id`` ("" when
    it recorded none)."""
    session.execute(
        update(ParkedRevision).where(ParkedRevision.bundle_id.is_(None)).values(bundle_id=bundle_id)
    )


def parked_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(ParkedRevision)) or 0)


def parked_revision_count(vault: Vault) -> int:
    """How many revisions wait here for their parents (``verify`` says so)."""
    with vault.services.context.sessions() as session:
        return parked_count(session)


def parked_by_signer(vault: Vault) -> dict[str, int]:
    """Device id -> how many of the revisions it signed wait here for their
    parents (the devices view says so, sync/merge/devices.py)."""
    with vault.services.context.sessions() as session:
        rows = session.execute(
            select(ParkedRevision.device_id, func.count()).group_by(ParkedRevision.device_id)
        ).all()
        return {str(device_id): int(count) for device_id, count in rows}


__all__ = [
    "any_parked",
    "leave_out_parked",
    "left_out_sha256s",
    "name_bundle",
    "park",
    "parked_among",
    "parked_by_signer",
    "parked_count",
    "parked_files",
    "parked_revision_count",
    "parked_sha256s",
    "ready_parked",
    "unpark",
]
