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
  §2.3).

Each row says how it was learned (``learned``, migration 0021): left out by
an import (``LEFT_OUT``) or read from a revoked maker's refused bundle
(``FROM_REFUSED_BUNDLE``, with that bundle's id). What a refused bundle can
leave here is bounded and attributed (review 12 F1): a seized device keeps
signing after its revocation and can make any number of bundles, so at most
``REFUSED_IDS_CAP`` ids per revoked device are kept, each refused bundle
read is recorded (``refused_bundle_reads``: kept, not kept) and not read
again, and such a row's record id, which the maker chose, is trusted for
nothing: only its revision id (a hash of what the maker signed, never
another device's revision) explains a missing parent."""

from __future__ import annotations

import json
import time
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from db.chunked_ids import CHUNK, values_among
from db.entities import ENTITY_TYPES, check_revision_body
from db.errors import RevisionRejected
from db.model import RefusedBundleRead, RevisionRow, WithheldRevision
from db.parked import leave_out_parked
from db.revisions import Revision, revisions_from_wire

if TYPE_CHECKING:
    from db.vault import Vault


# ``withheld_revisions.learned``: how the vault learned a revision is left out.
LEFT_OUT = "left-out"  # an import left it out (or a parked revision with it)
FROM_REFUSED_BUNDLE = "refused-bundle"  # read from its revoked maker's refused bundle

# At most this many revision ids are kept per revoked device from its
# refused bundles. The bundle format gives no useful bound (revisions.jsonl
# may hold 1 GiB: millions of revisions), so the bound is on history: ids
# the vault holds already are not kept (nor counted), and a device's bundle
# carries only what no coordinator acknowledged to it, so an honest worker's
# refused bundles hold its work since its last acknowledged bundle (the
# merge benchmark's bundles carry 200 revisions each; 20,000 is a worker
# saving 50 changes a day for over a year with no bundle acknowledged).
# Past it the rest is not kept: a desk's edit of one of them then waits
# parked (db/parked.py), which the devices view shows, instead of being
# left out; nothing is stored without its parent either way.
REFUSED_IDS_CAP = 20_000


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
    return values_among(session, WithheldRevision.revision_id, revision_ids)


def withheld_records_among(session: Session, entity_ids: Iterable[str]) -> set[str]:
    """Those of ``entity_ids`` that a revision an import left out before
    belongs to (evidence bytes naming only such records are not stored).
    Not those known only from a refused bundle (``FROM_REFUSED_BUNDLE``):
    its revoked maker chose their record ids, any other device's included,
    and only their revision ids are checked (review 12 F1); bytes naming
    such a record are checked as any other (``bundle-blob`` if no item here
    holds them)."""
    return values_among(
        session, WithheldRevision.entity_id, entity_ids, WithheldRevision.learned != FROM_REFUSED_BUNDLE
    )


class RefusedMakersRevisions:
    """The revisions a bundle refused as ``device-revoked`` carries that its
    maker, ``device_id``, signed, to be kept as left out (a coordinator
    reads them from the refused bundle: docs/bundle-format.md §5 step 11).
    ``add`` takes them in their wire form as the bundle is read, each
    verified as an import verifies it (id, body, signature, the device id
    its key's); one that fails, or that another device signed, is skipped:
    no unverified id is kept. ``keep`` writes them once the whole bundle
    was read and checked, and leaves out the parked revisions descending
    from them (db/parked.py), and nothing else.

    Bounded (``REFUSED_IDS_CAP`` per device, over all its refused bundles):
    ``add`` holds at most that many ids and only counts the maker's
    revisions past them, unchecked; ``keep`` keeps no more than the room
    the device has left. ``not_kept`` then says how many of this bundle's
    were not kept for the cap (those counted unchecked included: at most
    that many were new here)."""

    def __init__(self, device_id: str) -> None:
        self.device_id = device_id
        self._found: dict[str, str] = {}  # revision id -> record id
        self._past_cap = 0  # revisions read once _found was full: not checked, not kept
        self.kept = 0  # by keep: ids newly kept (its parked descendants apart)
        self.not_kept = 0

    def add(self, wires: Sequence[dict[str, Any]]) -> None:
        if len(self._found) >= REFUSED_IDS_CAP:
            self._past_cap += len(wires)  # no room for them whatever they are: not even verified
            return
        for verified in revisions_from_wire(wires, ENTITY_TYPES):
            if isinstance(verified, Revision) and verified.device_id == self.device_id and _sound(verified):
                if verified.revision_id in self._found:
                    continue
                if len(self._found) >= REFUSED_IDS_CAP:
                    self._past_cap += 1
                    continue
                self._found[verified.revision_id] = verified.entity_id

    def keep(self, vault: Vault, bundle_id: str | None = None) -> tuple[str, ...]:
        """Into ``withheld_revisions`` (``FROM_REFUSED_BUNDLE``, with
        ``bundle_id``), in one transaction of its own, those the vault
        neither holds (taken before the revocation: held, and its children
        stored, as ever) nor keeps already, as many as the device's room
        under ``REFUSED_IDS_CAP`` allows (the rest counted in
        ``not_kept``); in the same transaction, the parked revisions naming
        one of them as parent (a desk's edit imported before this bundle was
        read), transitively, are left out too, and the bundle is recorded
        in ``refused_bundle_reads`` (with ``bundle_id``: not read again).
        Returns the ids newly kept, those first."""
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
            room = max(0, REFUSED_IDS_CAP - refused_ids_kept(session, self.device_id))
            new, beyond = new[:room], new[room:]
            self.kept, self.not_kept = len(new), len(beyond) + self._past_cap
            for at in range(0, len(new), CHUNK):
                session.execute(
                    insert(WithheldRevision).on_conflict_do_nothing(),
                    [
                        {
                            "revision_id": revision_id,
                            "entity_id": self._found[revision_id],
                            "device_id": self.device_id,
                            "withheld_ms": now_ms,
                            "learned": FROM_REFUSED_BUNDLE,
                            "bundle_id": bundle_id,
                        }
                        for revision_id in new[at : at + CHUNK]
                    ],
                )
            if bundle_id is not None:
                session.execute(
                    insert(RefusedBundleRead)
                    .values(
                        bundle_id=bundle_id,
                        device_id=self.device_id,
                        kept=len(new),
                        not_kept=self.not_kept,
                        read_ms=now_ms,
                    )
                    .on_conflict_do_nothing()
                )
            descendants = (
                [revision_id for revision_id, _entity_id, _device_id in leave_out_parked(session)]
                if new
                else []
            )
            return (*new, *descendants)


def _sound(revision: Revision) -> bool:
    try:
        check_revision_body(revision)
    except RevisionRejected:
        return False
    return True


def confirm_left_out(session: Session, revision_id: str) -> None:
    """An import left out ``revision_id``, carried by another desk's bundle,
    which the vault kept already from its maker's refused bundle: it is no
    longer known from the revoked maker's word alone (its record then counts
    in ``withheld_records_among``, and it leaves the maker's room under
    ``REFUSED_IDS_CAP``)."""
    session.execute(
        update(WithheldRevision)
        .where(WithheldRevision.revision_id == revision_id, WithheldRevision.learned == FROM_REFUSED_BUNDLE)
        .values(learned=LEFT_OUT, bundle_id=None)
    )


def refused_ids_kept(session: Session, device_id: str) -> int:
    """How many revision ids this vault keeps from ``device_id``'s refused
    bundles (its use of ``REFUSED_IDS_CAP``)."""
    return int(
        session.scalar(
            select(func.count()).where(
                WithheldRevision.learned == FROM_REFUSED_BUNDLE, WithheldRevision.device_id == device_id
            )
        )
        or 0
    )


def refused_bundle_read(vault: Vault, bundle_id: str) -> bool:
    """Whether this vault read the refused bundle ``bundle_id`` already to
    keep its maker's revision ids (a second read keeps nothing new)."""
    with vault.services.context.sessions() as session:
        return session.get(RefusedBundleRead, bundle_id) is not None


@dataclass(frozen=True)
class RefusedBundleTally:
    """What a revoked device's refused bundles left here: ``bundles`` read,
    revision ids ``kept`` (now), ids ``not_kept`` for the cap."""

    bundles: int
    kept: int
    not_kept: int


def refused_bundle_tallies(vault: Vault) -> dict[str, RefusedBundleTally]:
    """Device id -> what its refused bundles left here (the devices view)."""
    with vault.services.context.sessions() as session:
        reads = session.execute(
            select(RefusedBundleRead.device_id, func.count(), func.sum(RefusedBundleRead.not_kept)).group_by(
                RefusedBundleRead.device_id
            )
        ).all()
        kept = dict(
            session.execute(
                select(WithheldRevision.device_id, func.count())
                .where(WithheldRevision.learned == FROM_REFUSED_BUNDLE)
                .group_by(WithheldRevision.device_id)
            ).all()
        )
        tallies = {
            str(device_id): RefusedBundleTally(int(count), int(kept.get(device_id, 0)), int(not_kept or 0))
            for device_id, count, not_kept in reads
        }
        for device_id, count in kept.items():  # kept before reads were recorded (no bundle id given)
            tallies.setdefault(str(device_id), RefusedBundleTally(0, int(count), 0))
        return tallies


def withheld_revision_ids(vault: Vault) -> frozenset[str]:
    """Every revision this vault's imports left out of other desks' bundles."""
    with vault.services.context.sessions() as session:
        return frozenset(session.scalars(select(WithheldRevision.revision_id)))


__all__ = [
    "FROM_REFUSED_BUNDLE",
    "LEFT_OUT",
    "REFUSED_IDS_CAP",
    "RefusedBundleTally",
    "RefusedMakersRevisions",
    "RevokedLineage",
    "confirm_left_out",
    "refused_bundle_read",
    "refused_bundle_tallies",
    "refused_ids_kept",
    "revoked_lineage",
    "withheld_among",
    "withheld_records_among",
    "withheld_revision_ids",
]
