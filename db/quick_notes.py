"""Quick notes: a testimony taken down when there is no time for the form.

A quick note is an ordinary testimony with a title, the text and the files
attached (each an evidence item of the case, linked to it as its evidence,
relation ``evidence-of``), marked ``to_complete``. It is listed as "to
complete" until the worker finishes it in the full form and clears the mark.
No record type of its own: everything that reads testimonies (search,
exports, sync, consent) treats it as one (docs/vault-format.md, "Revisions").
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from db.entities import Testimony
from db.model import EntityRow

if TYPE_CHECKING:
    from db.vault import Services

# Live testimonies of a case still marked to complete, oldest first.
_TO_COMPLETE = (
    EntityRow.entity_type == Testimony.entity_type,
    EntityRow.deleted.is_(False),
)


@dataclass(frozen=True)
class QuickNote:
    testimony: Testimony
    evidence_ids: tuple[str, ...]


def take_quick_note(
    services: Services,
    case_id: str,
    title: str,
    text: str,
    files: Sequence[Path] = (),
) -> QuickNote:
    """Store a quick note: the testimony first (the words are safe before any
    file is read), then each file through the ordinary intake, linked to it.
    A file that fails raises its error; the note and the files stored
    before it stay (``attach`` the rest)."""
    testimony = services.testimonies.create(
        Testimony(case_id=case_id, title=title, narrative=text, to_complete=True)
    )
    evidence_ids = [attach(services, testimony, path) for path in files]
    return QuickNote(testimony, tuple(evidence_ids))


def attach(services: Services, testimony: Testimony, path: Path) -> str:
    """Add a file to the testimony's case (the ordinary intake: hashed,
    encrypted, custody 'intake') and link it to the testimony as its evidence;
    the evidence item's id. A file already in the case is linked, not copied."""
    item = services.evidence.ingest(path, testimony.case_id).item
    services.evidence_links.link(item.id, testimony.id)
    return item.id


def _ids_to_complete(services: Services, case_id: str) -> list[str]:
    # The mark is in the body only while set (Testimony.omitted_when_default).
    query = (
        select(EntityRow.entity_id, EntityRow.body)
        .where(*_TO_COMPLETE, EntityRow.case_id == case_id)
        .where(EntityRow.body.contains('"to_complete"'))
        .order_by(EntityRow.seq)
    )
    with services.context.sessions() as session:
        rows = session.execute(query).all()
    return [entity_id for entity_id, body in rows if json.loads(body).get("to_complete") is True]


def to_complete(
    services: Services, case_id: str, *, offset: int = 0, limit: int | None = None
) -> list[Testimony]:
    """The case's quick notes still to complete, oldest first (a page of them)."""
    ids = _ids_to_complete(services, case_id)
    page = ids[offset:] if limit is None else ids[offset : offset + limit]
    return [services.testimonies.get(entity_id) for entity_id in page]


def count_to_complete(services: Services, case_id: str) -> int:
    return len(_ids_to_complete(services, case_id))
