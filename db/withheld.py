"""Revisions the organisation's desks do not pass to one another because a
device it revoked signed them or one of their ancestors (issue 14;
docs/bundle-format.md §5 step 11, docs/sync.md §2.3).

- The sending side (``revoked_lineage``): which revisions this vault holds
  are signed by a revoked device or descend from one (a desk's edit of a
  revoked worker's record, and edits of that edit), decided from each
  record's whole history here, whatever a bundle's range or what the
  organisation's server holds. Another desk takes none of them, and
  refuses evidence bytes for an item it does not hold: a bundle leaves out
  those revisions, and the bytes of items all of whose revisions are such.
- The receiving side (``withheld_revisions``, migration 0019): the ids an
  import left out (db/sync_import.py), kept so that a later import leaves
  out their children too. ``withheld_revision_ids`` lists them. A
  coordinator also keeps there the revisions of a bundle it refused
  because its maker is revoked (``RefusedMakersRevisions``): a desk's edit
  of one, pulled later, is then left out, not stored without its parent.
  An edit imported before that bundle is seen waits parked (db/parked.py:
  its parent was neither held nor left out then) and is left out when the
  refused bundle's revisions are kept, whatever the order (docs/sync.md
  §2.3)."""

from __future__ import annotations

import json
import time
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from db.entities import ENTITY_TYPES, check_revision_body
from db.errors import RevisionRejected
from db.model import RevisionRow, WithheldRevision
from db.parked import leave_out_parked
from db.revisions import Revision, revisions_from_wire

if TYPE_CHECKING:
    from db.vault import Vault

CHUNK = 500  # ids in one IN (...): well within SQLite's bound on parameters


@dataclass(frozen=True)
class RevokedLineage:
    """``revisions``: id -> local sequence number of every revision this
    vault holds that a revoked device signed or that descends from one.
    ``whole``: the records all of whose revisions are among them (another
    desk holds no revision of them, so no evidence bytes of theirs)."""

    revisions: dict[str, int]
    whole: frozenset[str]


def revoked_lineage(vault: Vault, revoked: Collection[str]) -> RevokedLineage:
    """The revisions of ``revoked`` devices and their descendants in this
    vault. Only the records a revoked device wrote in are read (the device
    index), each with its whole history: a parent's signer is looked up,
    never guessed from the order revisions were stored in."""
    if not revoked:
        return RevokedLineage({}, frozenset())
    with vault.services.context.sessions() as session:
        entities = sorted(
            set(
                session.scalars(
                    select(RevisionRow.entity_id).where(RevisionRow.device_id.in_(sorted(revoked)))
                )
            )
        )
        lineage: dict[str, int] = {}
        whole: set[str] = set()
        for at in range(0, len(entities), CHUNK):
            rows = session.execute(
                select(
                    RevisionRow.entity_id,
                    RevisionRow.revision_id,
                    RevisionRow.device_id,
                    RevisionRow.local_seq,
                    RevisionRow.signed,
                ).where(RevisionRow.entity_id.in_(entities[at : at + CHUNK]))
            ).all()
            by_entity: dict[str, list[tuple[str, str, int, list[str]]]] = {}
            for entity_id, revision_id, device_id, local_seq, signed in rows:
                parents = [str(p) for p in json.loads(signed)["parents"]]
                by_entity.setdefault(entity_id, []).append((revision_id, device_id, local_seq or 0, parents))
            for entity_id, history in by_entity.items():
                marked = _descendants(history, revoked)
                lineage.update(marked)
                if len(marked) == len(history):
                    whole.add(entity_id)
        return RevokedLineage(lineage, frozenset(whole))


def _descendants(history: list[tuple[str, str, int, list[str]]], revoked: Collection[str]) -> dict[str, int]:
    """One record's revisions signed by a revoked device, and every one
    naming a marked one as parent, transitively (id -> local_seq)."""
    children: dict[str, list[str]] = {}
    seqs: dict[str, int] = {}
    todo: list[str] = []
    for revision_id, device_id, local_seq, parents in history:
        seqs[revision_id] = local_seq
        for parent in parents:
            children.setdefault(parent, []).append(revision_id)
        if device_id in revoked:
            todo.append(revision_id)
    marked: dict[str, int] = {}
    while todo:
        revision_id = todo.pop()
        if revision_id in marked:
            continue
        marked[revision_id] = seqs[revision_id]
        todo.extend(children.get(revision_id, ()))
    return marked


# -- the receiving side ---------------------------------------------------------------


def withheld_among(session: Session, revision_ids: Iterable[str]) -> set[str]:
    """Those of ``revision_ids`` an import left out before (migration 0019)."""
    ids = sorted(set(revision_ids))
    found: set[str] = set()
    for at in range(0, len(ids), CHUNK):
        found.update(
            session.scalars(
                select(WithheldRevision.revision_id).where(
                    WithheldRevision.revision_id.in_(ids[at : at + CHUNK])
                )
            )
        )
    return found


def withheld_records_among(session: Session, entity_ids: Iterable[str]) -> set[str]:
    """Those of ``entity_ids`` that a revision left out before belongs to."""
    ids = sorted(set(entity_ids))
    found: set[str] = set()
    for at in range(0, len(ids), CHUNK):
        found.update(
            session.scalars(
                select(WithheldRevision.entity_id).where(WithheldRevision.entity_id.in_(ids[at : at + CHUNK]))
            )
        )
    return found


class RefusedMakersRevisions:
    """The revisions a bundle refused as ``device-revoked`` carries that its
    maker, ``device_id``, signed, to be kept as left out (a coordinator
    reads them from the refused bundle: docs/bundle-format.md §5 step 11).
    ``add`` takes them in their wire form as the bundle is read, each
    verified as an import verifies it (id, body, signature, the device id
    its key's); one that fails, or that another device signed, is skipped:
    no unverified id is kept. ``keep`` writes them once the whole bundle
    was read and checked, and leaves out the parked revisions descending
    from them (db/parked.py), and nothing else."""

    def __init__(self, device_id: str) -> None:
        self.device_id = device_id
        self._found: dict[str, str] = {}  # revision id -> record id

    def add(self, wires: Sequence[dict[str, Any]]) -> None:
        for verified in revisions_from_wire(wires, ENTITY_TYPES):
            if isinstance(verified, Revision) and verified.device_id == self.device_id and _sound(verified):
                self._found[verified.revision_id] = verified.entity_id

    def keep(self, vault: Vault) -> tuple[str, ...]:
        """Into ``withheld_revisions``, in one transaction of its own, those
        the vault neither holds (taken before the revocation: held, and its
        children stored, as ever) nor keeps already; in the same
        transaction, the parked revisions naming one of them as parent (a
        desk's edit imported before this bundle was read), transitively,
        are left out too. Returns the ids newly kept, those first."""
        if not self._found:
            return ()
        now_ms = time.time_ns() // 1_000_000
        with vault.services.context.write_transaction(
            "keep a revoked device's revisions as left out"
        ) as session:
            ids = sorted(self._found)
            known: set[str] = set()
            for at in range(0, len(ids), CHUNK):
                chunk = ids[at : at + CHUNK]
                known.update(
                    session.scalars(select(RevisionRow.revision_id).where(RevisionRow.revision_id.in_(chunk)))
                )
            known |= withheld_among(session, ids)
            new = [revision_id for revision_id in ids if revision_id not in known]
            for revision_id in new:
                session.execute(
                    insert(WithheldRevision)
                    .values(
                        revision_id=revision_id,
                        entity_id=self._found[revision_id],
                        device_id=self.device_id,
                        withheld_ms=now_ms,
                    )
                    .on_conflict_do_nothing()
                )
            descendants = [revision_id for revision_id, _entity_id, _device_id in leave_out_parked(session)]
            return (*new, *descendants)


def _sound(revision: Revision) -> bool:
    try:
        check_revision_body(revision)
    except RevisionRejected:
        return False
    return True


def withheld_revision_ids(vault: Vault) -> frozenset[str]:
    """Every revision this vault's imports left out of other desks' bundles."""
    with vault.services.context.sessions() as session:
        return frozenset(session.scalars(select(WithheldRevision.revision_id)))


__all__ = [
    "RefusedMakersRevisions",
    "RevokedLineage",
    "revoked_lineage",
    "withheld_among",
    "withheld_records_among",
    "withheld_revision_ids",
]
