"""Why a revision below one left out past the cap is left out (issue 14;
db/parked.py ``PAST_CAP``, docs/sync.md §2.3).

A revision an import would have parked while its signer's parked slots were
full is left out, ``withheld_revisions.learned`` ``past-cap``. Its children
are left out as the children of any left-out revision, and were kept as
``left-out``, the value of a revision left out because of a revocation: the
frozen report (db/revocation_impact.py) then listed their records as frozen
by a revocation while naming no revoked device. Here they get the reason
they have, ``below-past-cap``: left out because an ancestor was past the
cap, and, like it, decided anew when they arrive again (db/parked.py
``forget_past_cap``) and forgotten once stored (``forget_left_out``).

The mark is given where the rows are written (an import's children of a
left-out parent, its held-back revisions, parked revisions left out: the
callers pass each new row's parents), from the parents' own rows: a
revision is ``below-past-cap`` when its signer is not revoked, at least one
of its left-out parents is ``past-cap`` or ``below-past-cap``, and none is
left out for another reason (a revocation, a set-aside, a refused bundle's
id), which stays the reason. Only rows still ``left-out`` are changed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.chunked_ids import CHUNK
from db.model import KnownDevice, WithheldRevision

# ``withheld_revisions.learned`` of a revision left out because an ancestor
# was left out past its signer's parked cap (at most 16 characters).
BELOW_PAST_CAP = "below-past-cap"
_PAST_CAP = "past-cap"  # db/parked.py PAST_CAP (which imports this module)
_LEFT_OUT = "left-out"  # db/withheld.py LEFT_OUT
PAST_CAP_KINDS = (_PAST_CAP, BELOW_PAST_CAP)


def _learned(session: Session, revision_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Each of ``revision_ids`` kept as left out -> (learned, signer)."""
    ids = sorted(set(revision_ids))
    found: dict[str, tuple[str, str]] = {}
    for at in range(0, len(ids), CHUNK):
        for rid, learned, signer in session.execute(
            select(WithheldRevision.revision_id, WithheldRevision.learned, WithheldRevision.device_id).where(
                WithheldRevision.revision_id.in_(ids[at : at + CHUNK])
            )
        ):
            found[str(rid)] = (str(learned), str(signer))
    return found


def _revoked(session: Session, device_ids: Iterable[str]) -> set[str]:
    ids = sorted(set(device_ids))
    return set(
        session.scalars(
            select(KnownDevice.device_id).where(
                KnownDevice.device_id.in_(ids), KnownDevice.status == "revoked"
            )
        )
    )


def mark_below_past_cap(session: Session, parents: Mapping[str, Iterable[str]]) -> None:
    """Give the rows just written ``left-out`` for the revisions of
    ``parents`` (revision id -> its parents' ids) the reason
    ``BELOW_PAST_CAP`` where it is theirs (module doc), parents before
    children: a chain below a past-cap revision is marked whole, in one
    call. Costs one lookup when no parent is past the cap (the common case)."""
    wanted = {rid: set(links) for rid, links in parents.items()}
    if not wanted:
        return
    every_parent = {parent for links in wanted.values() for parent in links}
    rows = _learned(session, every_parent | set(wanted))
    if not any(learned in PAST_CAP_KINDS for learned, _signer in rows.values()):
        return
    revoked = _revoked(session, (signer for _learned_as, signer in rows.values()))
    candidates = {
        rid for rid in wanted if rid in rows and rows[rid][0] == _LEFT_OUT and rows[rid][1] not in revoked
    }
    learned = {rid: value for rid, (value, _signer) in rows.items()}
    marked: set[str] = set()
    changed = True
    while changed:  # each round marks at least one more, or ends
        changed = False
        for rid in sorted(candidates - marked):
            left_out_parents = [learned[parent] for parent in wanted[rid] if parent in learned]
            if any(value in PAST_CAP_KINDS for value in left_out_parents) and all(
                value in PAST_CAP_KINDS for value in left_out_parents
            ):
                learned[rid] = BELOW_PAST_CAP
                marked.add(rid)
                changed = True
    ids = sorted(marked)
    for at in range(0, len(ids), CHUNK):
        session.execute(
            update(WithheldRevision)
            .where(
                WithheldRevision.revision_id.in_(ids[at : at + CHUNK]), WithheldRevision.learned == _LEFT_OUT
            )
            .values(learned=BELOW_PAST_CAP)
        )


__all__ = ["BELOW_PAST_CAP", "PAST_CAP_KINDS", "mark_below_past_cap"]
