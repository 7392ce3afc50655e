"""The rule that derives an entity's current state from its revisions.

``verify`` rebuilds every entity with it from the signed revisions alone and
compares the result with the derived tables (``heads``, ``entities``), which
the write path (db/store.py) keeps; docs/vault-format.md, "How entities
derive from revisions", states the same rule for checking without this code.

- hidden: the revisions a re-root of the entity supersedes (format version
  2, its ``reroot.supersedes``: db/reroot.py) and every revision of the
  entity descending from one; nothing when that would hide every revision
  (a re-root superseding its own ancestors is ignored, so a record always
  has a head). Only a coordinator's re-roots are stored (db/sync_import.py);
- heads: the entity's revisions not hidden that no other revision of the
  entity not hidden names as a parent;
- heads in order: latest first by (hlc ms, hlc counter, revision id);
- shown: the latest ``put`` head, or the latest head when all heads are
  ``delete`` (then the entity is deleted); a delete racing an edit leaves the
  edit shown, as a conflict;
- conflicted: more than one head;
- body: the shown revision's body, stored as its RFC 8785 canonical JSON;
- case id: the body's case field (``case_id``; none for a case);
- created: the smallest hlc ms of the entity's revisions not hidden;
  updated: the shown revision's hlc ms.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from db.entities import RECORD_TYPES
from db.revisions import Revision, canonical_json


@dataclass(frozen=True)
class DerivedEntity:
    entity_id: str
    entity_type: str
    heads: frozenset[str]
    head_revision_id: str
    body: bytes  # canonical JSON
    case_id: str | None
    deleted: bool
    conflicted: bool
    created_ms: int
    updated_ms: int


def hidden_ids(graph: Iterable[tuple[str, Sequence[str], Sequence[str]]]) -> frozenset[str]:
    """Of one entity's revisions, given as (id, parents, supersedes), those
    its re-roots hide: the superseded and their descendants, transitively;
    none when that is all of them. A desk that left the revoked line out
    knows only part of it, so a re-root made there names only that part:
    what descends from it is hidden too, and every desk hides the same."""
    ids: list[str] = []
    children: dict[str, list[str]] = {}
    todo: list[str] = []
    for revision_id, parents, supersedes in graph:
        ids.append(revision_id)
        todo.extend(supersedes)
        for parent in parents:
            children.setdefault(parent, []).append(revision_id)
    hidden: set[str] = set()
    while todo:
        revision_id = todo.pop()
        if revision_id not in hidden:
            hidden.add(revision_id)
            todo.extend(children.get(revision_id, ()))
    held_hidden = hidden.intersection(ids)
    return frozenset() if len(held_hidden) == len(set(ids)) else frozenset(held_hidden)


def visible_of(revisions: Sequence[Revision]) -> list[Revision]:
    """The revisions no re-root of the entity hides."""
    if not any(rev.supersedes for rev in revisions):
        return list(revisions)
    hidden = hidden_ids((rev.revision_id, rev.parents, rev.supersedes) for rev in revisions)
    return [rev for rev in revisions if rev.revision_id not in hidden]


def heads_of(revisions: Sequence[Revision]) -> list[Revision]:
    """The heads, latest first."""
    visible = visible_of(revisions)
    named = {parent for rev in visible for parent in rev.parents}
    heads = [rev for rev in visible if rev.revision_id not in named]
    return sorted(heads, key=lambda r: (r.hlc.ms, r.hlc.counter, r.revision_id), reverse=True)


def derive_entity(revisions: Sequence[Revision]) -> DerivedEntity:
    """The entity's state; ``revisions``: all of one entity's revisions, of one
    type (the caller checks), at least one."""
    heads = heads_of(revisions)
    puts = [head for head in heads if head.op == "put"]
    shown = puts[0] if puts else heads[0]
    record_type = RECORD_TYPES[shown.entity_type]
    case_id: Any = shown.body.get(record_type.case_field) if record_type.case_field else None
    return DerivedEntity(
        entity_id=shown.entity_id,
        entity_type=shown.entity_type,
        heads=frozenset(head.revision_id for head in heads),
        head_revision_id=shown.revision_id,
        body=canonical_json(shown.body),
        case_id=case_id if isinstance(case_id, str) else None,
        deleted=not puts,
        conflicted=len(heads) > 1,
        created_ms=min(rev.hlc.ms for rev in visible_of(revisions)),
        updated_ms=shown.hlc.ms,
    )
