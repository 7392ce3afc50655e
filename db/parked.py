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
  then its parked children, transitively, in one topological walk
  (``ready_order``: a recursive query, then Kahn's order on ids);
- an import or a refused revoked device's bundle that leaves one of its
  parents out leaves it out too, and its parked descendants
  (``leave_out_parked``: into ``withheld_revisions``, as an import leaves
  out a child of a left-out revision);
- otherwise it waits. Its id counts as known: the same revision arriving
  again is a no-op, unless its row is damaged (``unlike_parked``): then
  the arriving copy replaces it and is decided as a new one (review 14 F3).

At most ``PARKED_CAP`` revisions of one signer wait here; one past it is
left out, never stored without its parents (``leave_out_past_cap``,
review 14 F1).

Everything here runs inside the caller's write transaction (an import's,
or that of ``RefusedMakersRevisions.keep``): a failing import parks nothing.
"""

from __future__ import annotations

import base64
import time
from collections import deque
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from db.chunked_ids import CHUNK, driver_execute, ids_among, values_among
from db.entities import ENTITY_TYPES, check_revision_body
from db.errors import RevisionRejected
from db.model import KnownDevice, ParkedRevision, ParkedRevisionParent, RevisionRow, WithheldRevision
from db.parked_bytes import ByteBudget
from db.past_cap_lineage import BELOW_PAST_CAP, mark_below_past_cap
from db.revisions import Revision, revisions_from_wire

if TYPE_CHECKING:
    from db.vault import Vault

# At most this many revisions of one signer wait here (review 13 F3: before,
# nothing bounded them). Past it an import neither parks nor stores the
# revision (review 14 F1: stored without its parents, the desks' heads
# depended on the order they read bundles in, ``verify`` failed for good,
# and a seized device that filled its own slots got its edits of a frozen
# record stored): it is left out, "past the cap" (``leave_out_past_cap``),
# and the import lists it (``summary.past_parked_cap``).
PARKED_CAP = 20_000

# ``withheld_revisions.learned`` of a revision left out because its signer's
# parked slots were full (db/withheld.py has the other two values). Its
# children are left out as those of any left-out revision; if it arrives
# again when its parents are here, it is stored, and the row goes
# (``forget_left_out``).
PAST_CAP = "past-cap"

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

# The parked revisions that may be stored now, found in ONE walk (review 13
# F1; as settle does for held-back ones, review 11 F3): those whose parents
# the vault all holds (the seeds: of the open import only, or naming a
# parent in the run of numbers this import stored), then their parked
# children, transitively (UNION takes each once). Whether a child's other
# parents are all here is decided by ``ready_order``, in Python, on ids.
_READY_WALK = """
    WITH RECURSIVE ready(revision_id) AS (
        SELECT parked.revision_id FROM parked_revisions AS parked
        WHERE {seed}
          AND NOT EXISTS (
            SELECT 1 FROM parked_revision_parents AS links
            WHERE links.revision_id = parked.revision_id
              AND NOT EXISTS (SELECT 1 FROM revisions WHERE revisions.revision_id = links.parent_id)
        )
        UNION
        SELECT links.revision_id FROM ready
        JOIN parked_revision_parents AS links ON links.parent_id = ready.revision_id
        JOIN parked_revisions AS parked ON parked.revision_id = links.revision_id
        WHERE {own}
    )
    SELECT revision_id FROM ready
"""
_OWN_SEED = "parked.bundle_id IS NULL"
_RUN_SEED = """parked.revision_id IN (
    SELECT links.revision_id FROM revisions
    JOIN parked_revision_parents AS links ON links.parent_id = revisions.revision_id
    WHERE revisions.local_seq BETWEEN :first AND :last
)"""


def named_file(rev: Revision) -> tuple[str | None, int | None]:
    """(SHA-256, size) of the evidence file an evidence ``put`` names, as
    the parked row's columns hold them; (None, None) for any other."""
    if rev.entity_type != "evidence" or rev.op != "put":
        return None, None
    sha256, size = rev.body.get("sha256"), rev.body.get("size")
    return (sha256 if isinstance(sha256, str) else None, size if isinstance(size, int) else None)


def park(session: Session, revisions: Iterable[Revision]) -> list[str]:
    """Park ``revisions`` (verified and authorised by the caller), with the
    bundle unnamed until ``name_bundle``; returns the ids newly parked."""
    now_ms = time.time_ns() // 1_000_000
    rows: list[dict[str, object]] = []
    links: list[dict[str, str]] = []
    for rev in revisions:
        sha256, size = named_file(rev)
        rows.append(
            {
                "revision_id": rev.revision_id,
                "entity_id": rev.entity_id,
                "device_id": rev.device_id,
                "signed": rev.signed,
                "signature": rev.signature,
                "bundle_id": None,
                "sha256": sha256,
                "size": size,
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


def over_the_cap(session: Session, revisions: list[Revision]) -> tuple[list[Revision], list[Revision]]:
    """``revisions`` split into those that may park and those past
    ``PARKED_CAP`` for their signer (counting the rows already parked), or
    past ``PARKED_BYTES_CAP``: the files its parked evidence revisions name
    (db/parked_bytes.py; review 14 F2)."""
    signers = sorted({rev.device_id for rev in revisions})
    room = {
        signer: PARKED_CAP
        - int(
            session.scalar(
                select(func.count()).select_from(ParkedRevision).where(ParkedRevision.device_id == signer)
            )
            or 0
        )
        for signer in signers
    }
    budget = ByteBudget(session, signers)
    fits: list[Revision] = []
    past: list[Revision] = []
    for rev in revisions:
        if room[rev.device_id] > 0 and budget.fits(rev):
            room[rev.device_id] -= 1
            budget.take(rev)
            fits.append(rev)
        else:
            past.append(rev)
    return fits, past


def leave_out_past_cap(session: Session, revisions: list[Revision]) -> None:
    """Keep ``revisions`` (verified, authorised, their parents missing,
    their signer's parked slots full) as left out, ``PAST_CAP``: not
    stored, not parked (review 14 F1). The row holds ids and the SHA-256
    of a file an evidence revision names, never its signed bytes, so the
    bound on parked rows holds; the stored bytes of that file are kept, as
    for a left-out parked item (``left_out_sha256s``), never deleted. A row
    kept already (an earlier import left it out) stays as it is."""
    now_ms = time.time_ns() // 1_000_000
    rows = [
        {
            "revision_id": rev.revision_id,
            "entity_id": rev.entity_id,
            "device_id": rev.device_id,
            "withheld_ms": now_ms,
            "learned": PAST_CAP,
            "sha256": named_file(rev)[0],
        }
        for rev in revisions
    ]
    for at in range(0, len(rows), CHUNK):
        session.execute(insert(WithheldRevision).on_conflict_do_nothing(), rows[at : at + CHUNK])


def forget_left_out(session: Session, revisions: list[Revision]) -> None:
    """The vault now stores ``revisions``: a row saying an import left one
    out goes once its reason is gone, its parents all stored here and its
    signer not revoked (a revision left out past the cap, or below one:
    its parents arrived, then it again, review 14 F1). Never a row for a
    revision the vault holds (review 13 F4), except one whose reason is
    still in force, a parent left out (a revocation, a set-aside) or its
    signer revoked: that row stays, the one record that the revision was
    left out (review 15 F1: a worker's bundle stored a revoked lineage's
    edit without its parent, and this deleted its row). Every import now
    checks parents while such rows exist (db/sync_import.py
    ``_any_left_out_or_parked``), so none is known to be stored so. Rows read from a
    refused bundle stay (they count against their maker's bound,
    db/withheld.py), and so do those a coordinator set aside."""
    by_id = {rev.revision_id: rev for rev in revisions}
    ids = sorted(by_id)
    kinds = ("left-out", PAST_CAP, BELOW_PAST_CAP)
    for at in range(0, len(ids), CHUNK):
        # Through the driver: an import asks this once a bundle (db/chunked_ids.py).
        found = [
            by_id[rid]
            for rid in sorted(
                ids_among(
                    session,
                    "withheld_revisions",
                    "revision_id",
                    ids[at : at + CHUNK],
                    "learned IN (?,?,?)",
                    kinds,
                )
            )
        ]
        if not found:
            continue  # the common case: one lookup
        stored = _stored_among(session, {parent for rev in found for parent in rev.parents})
        revoked = set(
            session.scalars(
                select(KnownDevice.device_id).where(
                    KnownDevice.device_id.in_(sorted({rev.device_id for rev in found})),
                    KnownDevice.status == "revoked",
                )
            )
        )
        gone = [
            rev.revision_id for rev in found if set(rev.parents) <= stored and rev.device_id not in revoked
        ]
        if gone:
            session.execute(
                delete(WithheldRevision).where(
                    WithheldRevision.revision_id.in_(gone), WithheldRevision.learned.in_(kinds)
                )
            )


def forget_past_cap(session: Session, revision_ids: list[str]) -> None:
    """``revision_ids`` arrived again: those left out past the cap are
    decided anew by this import (their parents may be here now, or their
    signer's slots free), so their rows go; a decision made again writes
    its own row."""
    for at in range(0, len(revision_ids), CHUNK):
        session.execute(
            delete(WithheldRevision).where(
                WithheldRevision.revision_id.in_(revision_ids[at : at + CHUNK]),
                WithheldRevision.learned == PAST_CAP,
            )
        )


def past_cap_by_signer(vault: Vault) -> dict[str, int]:
    """Device id -> how many revisions it signed this vault left out
    because its parked slots were full (``PAST_CAP``) and does not hold."""
    with vault.services.context.sessions() as session:
        rows = session.execute(
            select(WithheldRevision.device_id, func.count())
            .where(WithheldRevision.learned == PAST_CAP)
            .group_by(WithheldRevision.device_id)
        ).all()
        return {str(device_id): int(count) for device_id, count in rows}


def parked_signed_by(session: Session, device_ids: Iterable[str]) -> set[str]:
    """The parked revisions these devices signed (by the index on signer)."""
    found: set[str] = set()
    for device_id in sorted(set(device_ids)):
        found.update(
            session.scalars(select(ParkedRevision.revision_id).where(ParkedRevision.device_id == device_id))
        )
    return found


def parked_among(session: Session, revision_ids: Iterable[str]) -> set[str]:
    """Those of ``revision_ids`` that wait here."""
    return values_among(session, ParkedRevision.revision_id, revision_ids)


def any_parked(session: Session) -> bool:
    # Through the driver: an import asks this twice a bundle (db/chunked_ids.py).
    return driver_execute(session, "SELECT 1 FROM parked_revisions LIMIT 1").first() is not None


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


def ready_order(
    session: Session,
    *,
    own_import_only: bool,
    stored_run: tuple[int, int] | None,
    signers: Collection[str] = (),
) -> list[str]:
    """The parked revisions whose parents the vault holds or that come
    before them here, parents first (a topological order; review 13 F1).
    ``own_import_only``: only those the open import parked itself (their
    bundle still unnamed); otherwise those naming a parent in
    ``stored_run``, the local_seq numbers this import stored (review 13
    F3: an import that stored none of their parents decides nothing), or
    signed by one of ``signers`` (devices enrolled again after their vouch
    lapsed, whose revisions waited for it: db/sync_import.py
    ``_keep_aside``), and their parked descendants. A revision with a
    parent neither held nor in the walk is not listed (it waits)."""
    params: dict[str, object] = {}
    if own_import_only:
        seed, own = _OWN_SEED, "parked.bundle_id IS NULL"
    elif stored_run is not None or signers:
        seeds = []
        if stored_run is not None:
            seeds.append(_RUN_SEED)
            params.update(first=stored_run[0], last=stored_run[1])
        if signers:
            # Ids are hex (their keys' hashes), bound one by one all the same.
            names = [f":signer{n}" for n in range(len(signers))]
            seeds.append(f"parked.device_id IN ({', '.join(names)})")
            params.update({f"signer{n}": signer for n, signer in enumerate(sorted(signers))})
        seed, own = "(" + " OR ".join(seeds) + ")", "1"
    else:
        return []
    found = sorted(set(session.scalars(text(_READY_WALK.format(seed=seed, own=own)), params)))
    if not found:
        return []
    parents = parked_parents(session, found)
    walk = set(found)
    outside = {parent for links in parents.values() for parent in links if parent not in walk}
    held = _stored_among(session, outside)
    waiting = {rid: {p for p in parents.get(rid, ()) if p in walk} for rid in found}
    # One that needs a parent neither here nor in the walk waits, and so
    # does everything descending from it.
    blocked = [rid for rid in found if not {p for p in parents.get(rid, ()) if p not in walk} <= held]
    children: dict[str, list[str]] = {}
    for rid, inside in waiting.items():
        for parent in inside:
            children.setdefault(parent, []).append(rid)
    dropped: set[str] = set()
    stack = list(blocked)
    while stack:
        rid = stack.pop()
        if rid in dropped:
            continue
        dropped.add(rid)
        stack += children.get(rid, [])
    # Kahn's order: each id once, each link once.
    left = {rid: len(inside) for rid, inside in waiting.items() if rid not in dropped}
    queue = deque(sorted(rid for rid, n in left.items() if n == 0))
    order: list[str] = []
    while queue:
        rid = queue.popleft()
        order.append(rid)
        for child in children.get(rid, ()):
            if child in left:
                left[child] -= 1
                if left[child] == 0:
                    queue.append(child)
    return order  # a cycle (impossible: ids hash their parents) would simply wait


def parked_parents(session: Session, revision_ids: list[str]) -> dict[str, set[str]]:
    """Each of ``revision_ids`` -> its parents' ids (the parked links)."""
    parents: dict[str, set[str]] = {}
    for at in range(0, len(revision_ids), CHUNK):
        for rid, parent in session.execute(
            select(ParkedRevisionParent.revision_id, ParkedRevisionParent.parent_id).where(
                ParkedRevisionParent.revision_id.in_(revision_ids[at : at + CHUNK])
            )
        ):
            parents.setdefault(str(rid), set()).add(str(parent))
    return parents


def parked_rows(session: Session, revision_ids: list[str]) -> dict[str, tuple[bytes, bytes, str | None]]:
    """Each of ``revision_ids`` -> (signed bytes, signature, the bundle it came with)."""
    rows: dict[str, tuple[bytes, bytes, str | None]] = {}
    for at in range(0, len(revision_ids), CHUNK):
        for rid, signed, signature, bundle_id in session.execute(
            select(
                ParkedRevision.revision_id,
                ParkedRevision.signed,
                ParkedRevision.signature,
                ParkedRevision.bundle_id,
            ).where(ParkedRevision.revision_id.in_(revision_ids[at : at + CHUNK]))
        ):
            rows[str(rid)] = (bytes(signed), bytes(signature), str(bundle_id) if bundle_id else None)
    return rows


def _stored_among(session: Session, revision_ids: Iterable[str]) -> set[str]:
    return values_among(session, RevisionRow.revision_id, revision_ids)


def unpark(session: Session, revision_ids: Iterable[str]) -> None:
    ids = sorted(set(revision_ids))
    for at in range(0, len(ids), CHUNK):
        chunk = ids[at : at + CHUNK]
        session.execute(delete(ParkedRevisionParent).where(ParkedRevisionParent.revision_id.in_(chunk)))
        session.execute(delete(ParkedRevision).where(ParkedRevision.revision_id.in_(chunk)))


def leave_out_parked(session: Session, seeds: Iterable[str] | None = None) -> list[tuple[str, str, str]]:
    """Leave out the parked revisions that are left out themselves or name a
    left-out parent (``withheld_revisions``), and their parked descendants:
    kept there as left out, no longer parked. Returns (id, record, signer)
    of each newly kept. The stored bytes of an evidence file they named
    are never dropped (review 13 F2: their ``blobs`` row holds the file's
    only wrapped key, and an item of the same or a later import may name
    the same bytes): the row stays, the SHA-256 is kept with the left-out
    row, and ``verify`` notes a file no item names (``left_out_sha256s``).
    ``seeds``: the ids an import left out; only parked revisions among or
    below them are looked at (review 13 F3: not the whole table, by the
    indexed parent links). None: every row of ``withheld_revisions``."""
    ids = sorted(set(session.scalars(_LEFT_OUT_WALK)) if seeds is None else _left_out_from(session, seeds))
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
    # Below a revision left out past the cap: that is their reason, not a
    # revocation (db/past_cap_lineage.py); their links go with unpark.
    mark_below_past_cap(session, parked_parents(session, [rid for rid, _entity, _signer in gone]))
    unpark(session, ids)
    return gone


def _left_out_from(session: Session, seeds: Iterable[str]) -> set[str]:
    """Parked revisions among ``seeds`` or descending from one of them."""
    frontier = sorted(set(seeds))
    found = parked_among(session, frontier)
    seen = set(frontier)
    while frontier:
        children: set[str] = set()
        for at in range(0, len(frontier), CHUNK):
            children.update(
                session.scalars(
                    select(ParkedRevisionParent.revision_id).where(
                        ParkedRevisionParent.parent_id.in_(frontier[at : at + CHUNK])
                    )
                )
            )
        frontier = sorted(children - seen)
        seen |= children
        found |= set(frontier)
    return found


def check_parked(session: Session) -> tuple[list[tuple[str, str]], set[str]]:
    """Every parked row checked as an import will check it (review 13 F7):
    its id and signature, its body, that its record, signer, file columns
    and parent links are those it signed. Returns (id, what is wrong) of
    each failing row, and the SHA-256s the rows that pass name (only those
    excuse a stored file no item holds yet). A page of rows at a time."""
    failing: list[tuple[str, str]] = []
    files: set[str] = set()
    ids = sorted(session.scalars(select(ParkedRevision.revision_id)))
    for at in range(0, len(ids), CHUNK):
        wrong, named = _check_rows(session, ids[at : at + CHUNK])
        failing += sorted(wrong.items())
        files |= named
    return failing, files


def _check_rows(session: Session, chunk: list[str]) -> tuple[dict[str, str], set[str]]:
    """``check_parked`` for the rows ``chunk`` names (at most CHUNK):
    id -> what is wrong, and the SHA-256s the sound ones name."""
    failing: dict[str, str] = {}
    files: set[str] = set()
    if chunk:
        rows = session.execute(
            select(
                ParkedRevision.revision_id,
                ParkedRevision.entity_id,
                ParkedRevision.device_id,
                ParkedRevision.signed,
                ParkedRevision.signature,
                ParkedRevision.sha256,
                ParkedRevision.size,
            ).where(ParkedRevision.revision_id.in_(chunk))
        ).all()
        links = parked_parents(session, chunk)
        wires = [
            {
                "id": rid,
                "signed": base64.b64encode(bytes(signed)).decode("ascii"),
                "signature": base64.b64encode(bytes(signature)).decode("ascii"),
            }
            for rid, _e, _d, signed, signature, _s, _z in rows
        ]
        for row, verified in zip(rows, revisions_from_wire(wires, ENTITY_TYPES), strict=True):
            rid, entity_id, device_id, _signed, _signature, sha256, size = row
            if isinstance(verified, RevisionRejected):
                failing[rid] = f"a parked revision no longer verifies ({verified.reason})"
                continue
            try:
                check_revision_body(verified)
            except RevisionRejected as err:
                failing[rid] = f"a parked revision no longer verifies ({err.reason})"
                continue
            if (
                verified.entity_id != entity_id
                or verified.device_id != device_id
                or set(verified.parents) != links.get(rid, set())
                or (sha256, size) != named_file(verified)
            ):
                failing[rid] = "a parked row differs from the revision it holds"
                continue
            if sha256:
                files.add(sha256)
    return failing, files


def unlike_parked(session: Session, incoming: list[Revision]) -> set[str]:
    """The ids of ``incoming`` (verified revisions that are parked here)
    whose parked row is not that revision: other signed bytes or signature,
    record, signer, file columns or parent links. Such a row fails
    ``check_parked`` (the incoming copy verifies and its id is the hash of
    its signed bytes), or at best holds a copy no import would make: the
    incoming copy replaces it (review 14 F3: before, a damaged row stayed
    parked for good, and its descendants behind it, since the intact copy
    arriving again was dropped as known)."""
    differing: set[str] = set()
    for at in range(0, len(incoming), CHUNK):
        batch = {rev.revision_id: rev for rev in incoming[at : at + CHUNK]}
        ids = sorted(batch)
        links = parked_parents(session, ids)
        rows = session.execute(
            select(
                ParkedRevision.revision_id,
                ParkedRevision.entity_id,
                ParkedRevision.device_id,
                ParkedRevision.signed,
                ParkedRevision.signature,
                ParkedRevision.sha256,
                ParkedRevision.size,
            ).where(ParkedRevision.revision_id.in_(ids))
        )
        for rid, entity_id, device_id, signed, signature, sha256, size in rows:
            rev = batch[str(rid)]
            if (
                bytes(signed) != rev.signed
                or bytes(signature) != rev.signature
                or entity_id != rev.entity_id
                or device_id != rev.device_id
                or (sha256, size) != named_file(rev)
                or links.get(str(rid), set()) != set(rev.parents)
            ):
                differing.add(str(rid))
    return differing


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


@dataclass(frozen=True)
class ParkedRow:
    """One parked revision as a coordinator lists it: ids and times only,
    never what it holds (``fieldvault devices parked``)."""

    revision_id: str
    entity_id: str
    signer: str
    bundle_id: str  # the bundle it came with ("" when the import recorded none)
    parked_ms: int
    missing_parents: tuple[str, ...]  # neither stored nor parked here: what it waits for
    # The row fails ``check_parked`` (``verify`` names it): never stored as
    # it is, whatever arrives; the intact revision arriving again replaces it.
    damaged: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "revision_id": self.revision_id,
            "entity_id": self.entity_id,
            "signer": self.signer,
            "bundle_id": self.bundle_id,
            "parked_ms": self.parked_ms,
            "missing_parents": list(self.missing_parents),
            "damaged": self.damaged,
        }


def parked_list(vault: Vault, *, limit: int = 1_000) -> tuple[list[ParkedRow], int]:
    """The oldest ``limit`` parked revisions and how many there are."""
    with vault.services.context.sessions() as session:
        rows = session.execute(
            select(
                ParkedRevision.revision_id,
                ParkedRevision.entity_id,
                ParkedRevision.device_id,
                ParkedRevision.bundle_id,
                ParkedRevision.parked_ms,
            )
            .order_by(ParkedRevision.parked_ms, ParkedRevision.revision_id)
            .limit(limit)
        ).all()
        ids = [str(row[0]) for row in rows]
        parents = parked_parents(session, ids)
        every = {p for links in parents.values() for p in links}
        present = _stored_among(session, every) | parked_among(session, every)
        damaged: set[str] = set()
        for at in range(0, len(ids), CHUNK):
            damaged |= set(_check_rows(session, ids[at : at + CHUNK])[0])
        listed = [
            ParkedRow(
                str(rid),
                str(entity_id),
                str(signer),
                str(bundle_id or ""),
                int(parked_ms),
                tuple(sorted(parents.get(str(rid), set()) - present)),
                damaged=str(rid) in damaged,
            )
            for rid, entity_id, signer, bundle_id, parked_ms in rows
        ]
        return listed, parked_count(session)


def parked_by_signer(vault: Vault) -> dict[str, int]:
    """Device id -> how many of the revisions it signed wait here for their
    parents (the devices view says so, sync/merge/devices.py)."""
    with vault.services.context.sessions() as session:
        rows = session.execute(
            select(ParkedRevision.device_id, func.count()).group_by(ParkedRevision.device_id)
        ).all()
        return {str(device_id): int(count) for device_id, count in rows}


__all__ = [
    "PARKED_CAP",
    "PAST_CAP",
    "ParkedRow",
    "any_parked",
    "check_parked",
    "forget_left_out",
    "forget_past_cap",
    "leave_out_parked",
    "leave_out_past_cap",
    "left_out_sha256s",
    "name_bundle",
    "named_file",
    "over_the_cap",
    "park",
    "parked_among",
    "parked_by_signer",
    "parked_count",
    "parked_files",
    "parked_list",
    "parked_parents",
    "parked_revision_count",
    "parked_rows",
    "parked_sha256s",
    "parked_signed_by",
    "past_cap_by_signer",
    "ready_order",
    "unlike_parked",
    "unpark",
]
