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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from db.model import WithheldRevision

if TYPE_CHECKING:
    from db.vault import Vault

# ``withheld_revisions.learned`` of such a revision.
TYPE_CLASH = "type-clash"


@dataclass(frozen=True)
class TypeClashRow:
    """One revision left out for a type clash: ids and a time only."""

    revision_id: str
    entity_id: str  # the record this vault holds with another type
    signer: str
    left_out_ms: int

    def to_json(self) -> dict[str, object]:
        return {
            "revision_id": self.revision_id,
            "entity_id": self.entity_id,
            "signer": self.signer,
            "left_out_ms": self.left_out_ms,
            "reason": TYPE_CLASH,
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
        listed = [
            TypeClashRow(str(rid), str(entity), str(signer), int(ms)) for rid, entity, signer, ms in rows
        ]
        return listed, int(total or 0)


def type_clash_by_signer(vault: Vault) -> dict[str, int]:
    """Device id -> how many revisions it signed were left out for a type clash."""
    with vault.services.context.sessions() as session:
        rows = session.execute(
            select(WithheldRevision.device_id, func.count())
            .where(WithheldRevision.learned == TYPE_CLASH)
            .group_by(WithheldRevision.device_id)
        ).all()
        return {str(device_id): int(count) for device_id, count in rows}


__all__ = ["TYPE_CLASH", "TypeClashRow", "type_clash_by_signer", "type_clash_list"]
