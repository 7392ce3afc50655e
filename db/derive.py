"""The rule that derives an entity's current state from its revisions.

``verify`` rebuilds every entity with it from the signed revisions alone and
compares the result with the derived tables (``heads``, ``entities``), which
the write path (db/store.py) keeps; docs/vault-format.md, "How entities
derive from revisions", states the same rule for checking without this code.

- revoked line: the entity's revisions signed by a device the stored
  organisation profile revokes (db/revoked_signers.py), and every revision
  of the entity descending from one;
- hidden: the revisions of the revoked line a re-root of the entity
  supersedes (format version 2, its ``reroot.supersedes``: db/reroot.py)
  and every revision of the entity descending from one, but not the re-root
  nor what descends from it (an edit made after the re-root, knowing it,
  is never hidden by it: review 20 F1); nothing when that
  would hide every revision (a re-root superseding its own ancestors is
  ignored, so a record always has a head). A superseded revision outside
  the revoked line stays visible (review 19 F4: a re-root never hides an
  unrevoked device's edit, so a compromised coordinator's shows as a
  conflict); a revocation arriving later re-derives the record (db/sync_state.py
  ``set_org_profile``). Only a coordinator's re-roots are stored (db/sync_import.py);
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

from collections.abc import Collection, Iterable, Sequence
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


def hidden_ids(
    graph: Iterable[tuple[str, Sequence[str], Sequence[str], str]], revoked: Collection[str]
) -> frozenset[str]:
    """Of one entity's revisions, given as (id, parents, supersedes, signer),
    those its re-roots hide: for each re-root, the superseded that lie in
    the revoked line (signed by a device of ``revoked``, or descending from
    such a revision) and their descendants, transitively, but never the
    re-root itself nor a revision descending from it (made knowing it:
    review 20 F1); none when that is all of them. A desk that left the
    revoked line out knows only part of it, so a re-root made there names
    only that part: what descends from it is hidden too, and every desk
    hides the same."""
    ids: set[str] = set()
    children: dict[str, list[str]] = {}
    reroots: list[tuple[str, Sequence[str]]] = []
    revoked_roots: list[str] = []
    for revision_id, parents, supersedes, signer in graph:
        ids.add(revision_id)
        if supersedes:
            reroots.append((revision_id, supersedes))
        if signer in revoked:
            revoked_roots.append(revision_id)
        for parent in parents:
            children.setdefault(parent, []).append(revision_id)
    if not reroots or not revoked_roots:
        return frozenset()
    line = _with_descendants(revoked_roots, children)
    hidden: set[str] = set()
    for reroot_id, supersedes in reroots:
        named = line.intersection(supersedes)
        if named:
            hidden |= _with_descendants(named, children) - _with_descendants([reroot_id], children)
    return frozenset() if len(hidden) == len(ids) else frozenset(hidden)


def _with_descendants(roots: Iterable[str], children: dict[str, list[str]]) -> set[str]:
    marked: set[str] = set()
    todo = list(roots)
    while todo:
        revision_id = todo.pop()
        if revision_id not in marked:
            marked.add(revision_id)
            todo.extend(children.get(revision_id, ()))
    return marked


def visible_of(revisions: Sequence[Revision], revoked: Collection[str]) -> list[Revision]:
    """The revisions no re-root of the entity hides."""
    if not any(rev.supersedes for rev in revisions):
        return list(revisions)
    hidden = hidden_ids(
        ((rev.revision_id, rev.parents, rev.supersedes, rev.device_id) for rev in revisions), revoked
    )
    return [rev for rev in revisions if rev.revision_id not in hidden]


def derive_entity(revisions: Sequence[Revision], revoked: Collection[str]) -> DerivedEntity:
    """The entity's state; ``revisions``: all of one entity's revisions, of one
    type (the caller checks), at least one; ``revoked``: the devices the
    stored profile revokes (db/revoked_signers.py)."""
    visible = visible_of(revisions, revoked)
    named = {parent for rev in visible for parent in rev.parents}
    heads = sorted(
        (rev for rev in visible if rev.revision_id not in named),
        key=lambda r: (r.hlc.ms, r.hlc.counter, r.revision_id),
        reverse=True,
    )
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
        created_ms=min(rev.hlc.ms for rev in visible),
        updated_ms=shown.hlc.ms,
    )
