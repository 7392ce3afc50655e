"""Links from an evidence item to the testimonies, incidents and persons it
concerns, read both ways (``vault.evidence_links``).

They are ordinary ``link`` records (docs/vault-format.md, "Revisions") with
the relation ``evidence-of``: ``from_id`` the evidence item, ``to_id`` the
testimony, incident or person, both in the same case. Removing a link is its
``delete`` revision, so the history keeps that it was there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select

from db.entities import RECORD_TYPES, Link
from db.errors import InvalidInput, NotFound
from db.model import EntityRow
from db.services import EntityService, VaultContext

EVIDENCE_OF = "evidence-of"
LINKABLE_TYPES = ("testimony", "incident", "person")


@dataclass(frozen=True)
class LinkedRecord:
    """One end of an evidence link, as the other end sees it."""

    link_id: str
    entity_id: str
    entity_type: str
    label: str


class EvidenceLinks:
    def __init__(self, ctx: VaultContext) -> None:
        self._ctx = ctx
        self._links: EntityService[Link] = EntityService(ctx, Link)

    def _live(self, entity_id: str) -> tuple[str, str, dict[str, object]]:
        """(type, case id, body) of a live entity; NotFound otherwise."""
        with self._ctx.sessions() as session:
            row = session.scalar(select(EntityRow).where(EntityRow.entity_id == entity_id))
            if row is None or row.deleted:
                raise NotFound("record", entity_id)
            return row.entity_type, row.case_id or "", json.loads(row.body)

    def kind_of(self, entity_id: str) -> str:
        """The type of a live record ("evidence", "testimony"…); NotFound otherwise."""
        return self._live(entity_id)[0]

    def _evidence_links(self, case_id: str) -> list[Link]:
        # A case holds a few hundred links at most: its list filtered here.
        return [link for link in self._links.list(case_id) if link.relation == EVIDENCE_OF]

    def link(self, evidence_id: str, target_id: str) -> Link:
        """Link an evidence item to a testimony, incident or person of its
        case; the existing link when there is one already."""
        kind, case_id, _ = self._live(evidence_id)
        if kind != "evidence":
            raise NotFound("evidence", evidence_id)
        target_kind, target_case, _ = self._live(target_id)
        if target_kind not in LINKABLE_TYPES:
            raise InvalidInput(
                f"link: evidence links to a testimony, incident or person, not a {target_kind}.",
                "link-target-type",
                field="to_id",
                record_type=target_kind,
            )
        if target_case != case_id:
            raise InvalidInput(
                f"link: evidence {evidence_id} and {target_kind} {target_id} are in different cases.",
                "link-other-case",
                field="to_id",
            )
        for existing in self._evidence_links(case_id):
            if existing.from_id == evidence_id and existing.to_id == target_id:
                return existing
        return self._links.create(
            Link(case_id=case_id, from_id=evidence_id, to_id=target_id, relation=EVIDENCE_OF)
        )

    def unlink(self, evidence_id: str, target_id: str, reason: str = "") -> int:
        """Remove the links between the two (a delete revision each); how many went."""
        _, case_id, _ = self._live(evidence_id)
        gone = 0
        for link in self._evidence_links(case_id):
            if link.from_id == evidence_id and link.to_id == target_id:
                self._links.delete(link.id, reason)
                gone += 1
        return gone

    def targets_of(self, evidence_id: str) -> list[LinkedRecord]:
        """The live testimonies, incidents and persons an evidence item is linked to."""
        _, case_id, _ = self._live(evidence_id)
        pairs = [
            (link.id, link.to_id) for link in self._evidence_links(case_id) if link.from_id == evidence_id
        ]
        return self._ends(pairs)

    def evidence_of(self, entity_id: str) -> list[LinkedRecord]:
        """The live evidence items linked to a testimony, incident or person."""
        _, case_id, _ = self._live(entity_id)
        pairs = [(link.id, link.from_id) for link in self._evidence_links(case_id) if link.to_id == entity_id]
        return self._ends(pairs)

    def _ends(self, pairs: list[tuple[str, str]]) -> list[LinkedRecord]:
        ids = {entity_id for _, entity_id in pairs}
        with self._ctx.sessions() as session:
            rows = {
                row.entity_id: row
                for row in session.scalars(select(EntityRow).where(EntityRow.entity_id.in_(ids)))
                if not row.deleted
            }
        ends = []
        for link_id, entity_id in pairs:
            row = rows.get(entity_id)
            if row is None:
                continue  # the record was deleted: its link shows nowhere
            record = RECORD_TYPES[row.entity_type].from_body(json.loads(row.body), id=entity_id)
            label = getattr(record, "original_name", "") or record.label()
            ends.append(LinkedRecord(link_id, entity_id, row.entity_type, label))
        return ends
