"""Revisions left out because their record is held here with another type
(issue 14, session 11; docs/sync.md §2.3).

A record's type never changes in a vault (db/store.py ``store_received``).
A revision arriving for a record this vault holds with another type is a
forged or broken one (record ids are their writer's choice): an import
leaves it out, with its edits claiming the same type, and applies the rest
of the bundle (db/sync_import.py ``_leave_out_clash``). Before, the whole
bundle was refused, and through the server a desk relaying one was cut off
for good. The rows are kept in ``withheld_revisions``, learned
``type-clash``: a later copy is a no-op, and later edits of it are left out
as any edit of a left-out revision. Here they are only read, by id, for
``fieldvault devices parked`` and the Devices view; never what they say.

Each is listed as a pair (review 17 F4): the left-out revision and its
signer, and the first revision this vault stored of the record it holds
(its signer, its type, and the time its signer's clock signed). The rule
keeps whichever type arrived here first, and which side is honest cannot
be known here: a device that learned the record's id (send-back, a
seized laptop, a compromised desk) can forge either side and arrange to
arrive first. So neither side is blamed; the coordinator sees both
devices and asks. The vault keeps no time at which a revision was stored
(only its order, ``local_seq``): the held first revision was stored before
the left-out one arrived (``left_out_ms``), which is why it is held.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from db.model import RevisionRow, WithheldRevision

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from db.vault import Vault

# ``withheld_revisions.learned`` of such a revision.
TYPE_CLASH = "type-clash"


@dataclass(frozen=True)
class HeldFirst:
    """The first revision this vault stored of a record (lowest ``local_seq``):
    the one whose type the vault keeps. Ids, a type and a signed time only."""

    revision_id: str
    signer: str
    entity_type: str
    made_ms: int  # its signed hybrid clock time: its signer's clock, not when it was stored here

    def to_json(self) -> dict[str, object]:
        return {
            "revision_id": self.revision_id,
            "signer": self.signer,
            "entity_type": self.entity_type,
            "made_ms": self.made_ms,
        }


@dataclass(frozen=True)
class TypeClashRow:
    """One revision left out for a type clash, paired with the held record's
    first revision: ids, a type and times only."""

    revision_id: str
    entity_id: str  # the record this vault holds with another type
    signer: str
    left_out_ms: int
    # None only if the record is no longer held here (no revision of it
    # stored: not written by any code today, read defensively).
    held_first: HeldFirst | None = None

    @property
    def devices(self) -> frozenset[str]:
        """The devices on either side of the clash."""
        return frozenset({self.signer} | ({self.held_first.signer} if self.held_first else set()))

    def to_json(self) -> dict[str, object]:
        return {
            "revision_id": self.revision_id,
            "entity_id": self.entity_id,
            "signer": self.signer,
            "left_out_ms": self.left_out_ms,
            "reason": TYPE_CLASH,
            "held_first": self.held_first.to_json() if self.held_first else None,
        }


def type_clash_list(vault: Vault, *, limit: int = 1_000) -> tuple[list[TypeClashRow], int]:
    """The oldest ``limit`` revisions left out for a type clash, and how many there are."""
    with vault.services.context.sessions() as session:
        rows = session.execute(
            select(
                WithheldRevision.revision_id,
                WithheldRevision.entity_id,
                WithheldRevision.device_id,
                WithheldRevision.withheld_ms,
            )
            .where(WithheldRevision.learned == TYPE_CLASH)
            .order_by(WithheldRevision.withheld_ms, WithheldRevision.revision_id)
            .limit(limit)
        ).all()
        total = session.scalar(
            select(func.count()).select_from(WithheldRevision).where(WithheldRevision.learned == TYPE_CLASH)
        )
        firsts = _held_firsts(session, sorted({str(entity) for _rid, entity, _signer, _ms in rows}))
        listed = [
            TypeClashRow(str(rid), str(entity), str(signer), int(ms), firsts.get(str(entity)))
            for rid, entity, signer, ms in rows
        ]
        return listed, int(total or 0)


def _held_firsts(session: Session, entity_ids: list[str]) -> dict[str, HeldFirst]:
    """Record id -> the first revision this vault stored of it: the lowest
    ``local_seq`` (migration 0008 numbered the revisions held then in their
    stored order, and every store numbers the next)."""
    if not entity_ids:
        return {}
    order = func.row_number().over(
        partition_by=RevisionRow.entity_id, order_by=(RevisionRow.local_seq, RevisionRow.revision_id)
    )
    ranked = (
        select(
            RevisionRow.entity_id,
            RevisionRow.revision_id,
            RevisionRow.device_id,
            RevisionRow.entity_type,
            RevisionRow.hlc_ms,
            order.label("rank"),
        )
        .where(RevisionRow.entity_id.in_(entity_ids))
        .subquery()
    )
    rows = session.execute(select(ranked).where(ranked.c.rank == 1)).all()
    return {
        str(entity): HeldFirst(str(rid), str(signer), str(kind), int(made))
        for entity, rid, signer, kind, made, _rank in rows
    }


def type_clash_by_signer(vault: Vault) -> dict[str, int]:
    """Device id -> how many revisions it signed were left out for a type clash."""
    with vault.services.context.sessions() as session:
        rows = session.execute(
            select(WithheldRevision.device_id, func.count())
            .where(WithheldRevision.learned == TYPE_CLASH)
            .group_by(WithheldRevision.device_id)
        ).all()
        return {str(device_id): int(count) for device_id, count in rows}


__all__ = ["TYPE_CLASH", "HeldFirst", "TypeClashRow", "type_clash_by_signer", "type_clash_list"]
