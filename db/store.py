"""The write path: storing revisions and keeping heads, entities and the
search index derived from them, all inside the caller's transaction."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import CursorResult, TextClause, bindparam, delete, select, text
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from db.chunked_ids import driver_execute as _driver
from db.chunked_ids import marks
from db.derive import hidden_ids
from db.entities import BOOKKEEPING_FIELDS, RECORD_TYPES, Record
from db.errors import RevisionRejected, VaultDamaged
from db.hlc import MAX_DRIFT_MS, Timestamp
from db.model import (
    EntityRow,
    Head,
    RevisionParent,
    RevisionRow,
    RevisionSupersedes,
)
from db.revisions import Revision, canonical_body, canonical_json
from db.revoked_signers import revoked_signers
from db.search_terms import index_text


def insert_revisions(session: Session, revisions: Iterable[Revision]) -> list[Revision]:
    """Insert revisions not already present; return those that were new. Each
    new one gets the next local sequence number (the caller holds the write
    lock: BEGIN IMMEDIATE)."""
    inserted: list[Revision] = []
    next_seq = (
        int(session.execute(text("SELECT coalesce(max(local_seq), 0) FROM revisions")).scalar_one()) + 1
    )
    for rev in revisions:
        result = session.execute(
            insert(RevisionRow)
            .values(
                revision_id=rev.revision_id,
                entity_id=rev.entity_id,
                entity_type=rev.entity_type,
                op=rev.op,
                hlc_ms=rev.hlc.ms,
                hlc_counter=rev.hlc.counter,
                device_id=rev.device_id,
                signed=rev.signed,
                signature=rev.signature,
                local_seq=next_seq,
            )
            .on_conflict_do_nothing()
        )
        if result.rowcount:  # type: ignore[attr-defined]
            next_seq += 1
            if rev.parents:
                session.execute(
                    insert(RevisionParent),
                    [{"revision_id": rev.revision_id, "parent_id": p} for p in rev.parents],
                )
            if rev.supersedes:
                session.execute(
                    insert(RevisionSupersedes),
                    [{"revision_id": rev.revision_id, "superseded_id": s} for s in rev.supersedes],
                )
            inserted.append(rev)
    return inserted


def _ordered_heads(session: Session, entity_id: str) -> list[RevisionRow]:
    """Revisions of the entity that no other revision of it names as a parent,
    latest (clock, then id) first (an entity no re-root names)."""
    children = (
        select(RevisionParent.parent_id)
        .join(RevisionRow, RevisionRow.revision_id == RevisionParent.revision_id)
        .where(RevisionRow.entity_id == entity_id)
    )
    rows = session.scalars(
        select(RevisionRow).where(
            RevisionRow.entity_id == entity_id, RevisionRow.revision_id.not_in(children)
        )
    ).all()
    return sorted(rows, key=lambda r: (r.hlc_ms, r.hlc_counter, r.revision_id), reverse=True)


def refresh_entity(session: Session, entity_id: str) -> None:
    """Recompute heads, the entity row and its search entry from revisions."""
    rerooted = _rerooted_state(session, [entity_id]).get(entity_id)
    heads: Sequence[RevisionRow | _HeadRow] = (
        rerooted.heads if rerooted is not None else _ordered_heads(session, entity_id)
    )
    if not heads:
        return
    session.execute(delete(Head).where(Head.entity_id == entity_id))
    session.execute(insert(Head), [{"entity_id": entity_id, "revision_id": h.revision_id} for h in heads])

    if len({h.entity_type for h in heads}) != 1:
        raise VaultDamaged(
            f"Entity {entity_id} has revisions of different types.", "entity-mixed-types", entity_id=entity_id
        )
    # A delete racing an edit leaves the edit visible, flagged as a conflict.
    puts = [h for h in heads if h.op == "put"]
    deleted = not puts
    shown = puts[0] if puts else heads[0]
    body = json.loads(shown.signed)["body"]
    record_type = RECORD_TYPES[shown.entity_type]
    case_id = body.get(record_type.case_field) if record_type.case_field else None
    first_ms = (
        rerooted.first_ms
        if rerooted is not None
        else session.scalar(
            select(RevisionRow.hlc_ms)
            .where(RevisionRow.entity_id == entity_id)
            .order_by(RevisionRow.hlc_ms)
            .limit(1)
        )
    )

    row = session.scalar(select(EntityRow).where(EntityRow.entity_id == entity_id))
    if row is None:
        row = EntityRow(entity_id=entity_id, entity_type=shown.entity_type)
        session.add(row)
    row.case_id = case_id
    row.head_revision_id = shown.revision_id
    # Canonical JSON (RFC 8785), as in the signed revision: a verifier
    # compares it byte for byte (docs/vault-format.md, "How entities derive
    # from revisions").
    row.body = canonical_json(body).decode("utf-8")
    row.deleted = deleted
    row.conflicted = len(heads) > 1
    row.created_ms = first_ms if first_ms is not None else shown.hlc_ms
    row.updated_ms = shown.hlc_ms
    session.flush()

    session.execute(text("DELETE FROM search_index WHERE rowid = :seq"), {"seq": row.seq})
    if not deleted:
        record = record_type.from_body(body)
        session.execute(
            text(
                "INSERT INTO search_index (rowid, entity_id, entity_type, terms) "
                "VALUES (:seq, :entity_id, :entity_type, :terms)"
            ),
            {
                "seq": row.seq,
                "entity_id": entity_id,
                "entity_type": shown.entity_type,
                "terms": index_text(record.search_text()),
            },
        )


def load_clock(session: Session) -> Timestamp:
    state = _driver(session, "SELECT last_ms, last_counter FROM clock WHERE singleton = 1").first()
    return Timestamp(int(state[0]), int(state[1])) if state else Timestamp(0, 0)


def latest_reading(session: Session, device_id: str, wall_ms: int) -> Timestamp:
    """The latest clock reading the vault holds, which the next one must pass:
    the ``clock`` row (saved with every revision and custody event), the last
    custody event (vaults written before custody events saved the clock),
    and the last stored revision if this device signed it, counted only up to
    ``wall_ms`` plus the drift (it may have come back from a backup or a
    bundle). Each is a cheap lookup: this runs before every write."""
    readings = [load_clock(session)]
    last_event = _driver(session, "SELECT signed FROM custody_events ORDER BY seq DESC LIMIT 1").scalar()
    if last_event is not None:
        try:
            ms, counter = json.loads(bytes(last_event))["hlc"]
            readings.append(Timestamp(ms, counter))
        except (ValueError, TypeError, KeyError, RecursionError):
            pass  # verify names a malformed event
    last_revision = _driver(
        session, "SELECT device_id, hlc_ms, hlc_counter FROM revisions ORDER BY rowid DESC LIMIT 1"
    ).first()
    if last_revision is not None and last_revision[0] == device_id:
        readings.append(
            min(Timestamp(last_revision[1], last_revision[2]), Timestamp(wall_ms + MAX_DRIFT_MS, 0))
        )
    return max(reading for reading in readings if reading.in_format())


def save_clock(session: Session, reading: Timestamp) -> None:
    # The statement SQLAlchemy's insert().on_conflict_do_update() made, through the driver.
    _driver(
        session,
        "INSERT INTO clock (singleton, last_ms, last_counter) VALUES (1, ?, ?)"
        " ON CONFLICT (singleton) DO UPDATE SET last_ms = ?, last_counter = ?",
        (reading.ms, reading.counter, reading.ms, reading.counter),
    )


@dataclass(frozen=True)
class StoredRevision:
    """A revision as this vault stored it, for sync: its local sequence
    number and its wire form (not re-verified here: it was when stored)."""

    local_seq: int
    revision_id: str
    device_id: str
    signed: bytes
    signature: bytes


def revisions_since(session: Session, cursor: int, limit: int) -> list[StoredRevision]:
    """Up to ``limit`` revisions stored after local sequence number ``cursor``, in order."""
    rows = session.execute(
        select(
            RevisionRow.local_seq,
            RevisionRow.revision_id,
            RevisionRow.device_id,
            RevisionRow.signed,
            RevisionRow.signature,
        )
        .where(RevisionRow.local_seq > cursor)
        .order_by(RevisionRow.local_seq)
        .limit(limit)
    ).all()
    return [
        StoredRevision(seq or 0, rid, device, signed, signature)
        for seq, rid, device, signed, signature in rows
    ]


# SQLite's largest rowid (2^63 - 1).
_MAX_ROWID = 9_223_372_036_854_775_807

# Bound parameters per statement stay well under SQLite's limit.
_CHUNK = 500


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _in(sql: str) -> TextClause:
    """A statement whose ``:ids`` expands to one bound parameter per item."""
    return text(sql).bindparams(bindparam("ids", expanding=True))


def _in_driver(session: Session, sql: str, ids: Sequence[object]) -> CursorResult[*tuple[Any, ...]]:
    """``sql`` whose ``IN ({ids})`` gets one ``?`` per item of ``ids`` (a
    chunk: at most _CHUNK), through the driver (``_driver``)."""
    return _driver(session, sql.format(ids=marks(len(ids))), ids)


def _in_rows(session: Session, sql: str, ids: Sequence[object]) -> list[Any]:
    """The rows of ``_in_driver``'s SELECT."""
    return list(_in_driver(session, sql, ids).all())


def _many(
    session: Session, sql: str, rows: Sequence[Mapping[str, object]] | Sequence[tuple[object, ...]]
) -> None:
    """One executemany straight to the driver (sqlite3 binds ``:name`` from
    each mapping, ``?`` from each tuple): SQLAlchemy's per-row parameter
    processing cost more than the inserts themselves on bundles of many
    thousand revisions."""
    session.connection().exec_driver_sql(sql, list(rows))


def stored_types(session: Session, entity_ids: list[str]) -> dict[str, str]:
    """The record type each of these entities already has in the vault."""
    found: dict[str, str] = {}
    for chunk in _chunks(entity_ids):
        rows = _in_rows(
            session, "SELECT entity_id, entity_type FROM revisions WHERE entity_id IN ({ids})", chunk
        )
        for entity_id, entity_type in rows:
            found.setdefault(entity_id, entity_type)
    return found


def _insert_revisions_batched(session: Session, revisions: list[Revision]) -> list[Revision]:
    """As insert_revisions, in a few statements: revisions already stored (or
    repeated in the batch) are skipped, the new ones get consecutive local
    sequence numbers in the order given."""
    ids = list({rev.revision_id for rev in revisions})
    present: set[str] = set()
    for chunk in _chunks(ids):
        present.update(
            row[0]
            for row in _in_rows(
                session, "SELECT revision_id FROM revisions WHERE revision_id IN ({ids})", chunk
            )
        )
    inserted: list[Revision] = []
    for rev in revisions:
        if rev.revision_id not in present:
            present.add(rev.revision_id)
            inserted.append(rev)
    if not inserted:
        return inserted
    next_seq = int(_driver(session, "SELECT coalesce(max(local_seq), 0) FROM revisions").scalar_one()) + 1
    _many(
        session,
        (
            "INSERT INTO revisions (revision_id, entity_id, entity_type, op, hlc_ms, hlc_counter,"
            " device_id, signed, signature, local_seq) VALUES (:revision_id, :entity_id, :entity_type,"
            " :op, :hlc_ms, :hlc_counter, :device_id, :signed, :signature, :local_seq)"
        ),
        [
            {
                "revision_id": rev.revision_id,
                "entity_id": rev.entity_id,
                "entity_type": rev.entity_type,
                "op": rev.op,
                "hlc_ms": rev.hlc.ms,
                "hlc_counter": rev.hlc.counter,
                "device_id": rev.device_id,
                "signed": rev.signed,
                "signature": rev.signature,
                "local_seq": next_seq + n,
            }
            for n, rev in enumerate(inserted)
        ],
    )
    parents = [{"revision_id": rev.revision_id, "parent_id": p} for rev in inserted for p in rev.parents]
    if parents:
        _many(
            session,
            "INSERT INTO revision_parents (revision_id, parent_id) VALUES (:revision_id, :parent_id)",
            parents,
        )
    superseded = [
        {"revision_id": rev.revision_id, "superseded_id": s} for rev in inserted for s in rev.supersedes
    ]
    if superseded:
        _many(
            session,
            "INSERT INTO revision_supersedes (revision_id, superseded_id) VALUES (:revision_id, :superseded_id)",
            superseded,
        )
    return inserted


class _HeadRow(NamedTuple):
    """A head as the queries read it (a tuple: made for every head of every
    refreshed entity, at a third of a frozen dataclass's cost)."""

    revision_id: str
    entity_type: str
    op: str
    hlc_ms: int
    hlc_counter: int
    signed: bytes


@dataclass(frozen=True)
class _Rerooted:
    """An entity a re-root names: its heads and creation time by the rule
    with ``supersedes`` (db/derive.py)."""

    heads: list[_HeadRow]
    first_ms: int


def _rerooted_state(
    session: Session, entity_ids: list[str], any_reroot: bool | None = None
) -> dict[str, _Rerooted]:
    """The entities among ``entity_ids`` that a stored re-root names
    (db/reroot.py), worked out from all their revisions: the hidden ones
    (superseded in a revoked device's line, and what descends from them:
    db/derive.py ``hidden_ids``)
    are neither heads nor counted for the creation time. Any other entity,
    nearly all of them, is left to the set-based queries. One probe of the
    (usually empty) ``revision_supersedes`` table when the vault holds no
    re-root (``any_reroot``: that probe's answer, when the caller read it);
    else one scan of it a chunk of entities."""
    if any_reroot is None:
        any_reroot = _driver(session, "SELECT 1 FROM revision_supersedes LIMIT 1").first() is not None
    if not any_reroot:
        return {}  # no re-root in this vault: nearly every vault, every import
    rerooted: list[str] = []
    for chunk in _chunks(entity_ids):
        rerooted += session.execute(
            _in(
                # CROSS JOIN keeps the (small, usually empty) supersedes table
                # as the outer loop: one probe a re-root, not one a revision.
                "SELECT DISTINCT c.entity_id FROM revision_supersedes s"
                " CROSS JOIN revisions c ON c.revision_id = s.revision_id WHERE c.entity_id IN :ids"
            ),
            {"ids": chunk},
        ).scalars()
    state: dict[str, _Rerooted] = {}
    revoked = revoked_signers(session)
    for chunk in _chunks(sorted(rerooted)):
        rows = session.execute(
            _in(
                "SELECT entity_id, revision_id, entity_type, op, hlc_ms, hlc_counter, device_id, signed"
                " FROM revisions WHERE entity_id IN :ids"
            ),
            {"ids": chunk},
        ).all()
        by_entity: dict[str, list[tuple[_HeadRow, list[str], list[str], str]]] = {}
        for entity_id, rid, etype, op, ms, counter, signer, signed in rows:
            envelope = json.loads(bytes(signed))
            supersedes = envelope.get("reroot", {}).get("supersedes", [])
            by_entity.setdefault(entity_id, []).append(
                (
                    _HeadRow(rid, etype, op, ms, counter, bytes(signed)),
                    envelope["parents"],
                    supersedes,
                    signer,
                )
            )
        for entity_id, revisions in by_entity.items():
            hidden = hidden_ids(
                ((row.revision_id, parents, gone, signer) for row, parents, gone, signer in revisions),
                revoked,
            )
            visible = [
                (row, parents) for row, parents, _gone, _signer in revisions if row.revision_id not in hidden
            ]
            named = {parent for _row, parents in visible for parent in parents}
            heads = [row for row, _parents in visible if row.revision_id not in named]
            heads.sort(key=lambda r: (r.hlc_ms, r.hlc_counter, r.revision_id), reverse=True)
            state[entity_id] = _Rerooted(heads, min(row.hlc_ms for row, _parents in visible))
    return state


def rerooted_entities(session: Session, signed_by: Iterable[str] | None = None) -> list[str]:
    """Every entity a stored re-root names, in id order: those whose state
    depends on which devices the profile revokes (db/derive.py); with
    ``signed_by``, only those of them holding a revision one of these
    devices signed (the only ones a change of their revocation can touch)."""
    entities = sorted(
        session.execute(
            text(
                "SELECT DISTINCT c.entity_id FROM revision_supersedes s"
                " JOIN revisions c ON c.revision_id = s.revision_id"
            )
        ).scalars()
    )
    if signed_by is None or not entities:
        return entities
    devices = sorted(set(signed_by))
    touched: set[str] = set()
    for chunk in _chunks(entities):
        touched.update(
            session.execute(
                text(
                    "SELECT DISTINCT entity_id FROM revisions WHERE entity_id IN :ids AND device_id IN :devices"
                ).bindparams(bindparam("ids", expanding=True), bindparam("devices", expanding=True)),
                {"ids": chunk, "devices": devices},
            ).scalars()
        )
    return sorted(touched)


def hidden_by_reroots(session: Session) -> dict[str, frozenset[str]]:
    """Entity id -> the revisions of it held here that its re-roots hide
    (superseded in a revoked device's line, or descending from one:
    db/derive.py ``hidden_ids``), for
    every entity a stored re-root names: what the frozen report no longer
    counts (db/revocation_impact.py)."""
    entities = rerooted_entities(session)
    if not entities:
        return {}
    hidden: dict[str, frozenset[str]] = {}
    revoked = revoked_signers(session)
    for chunk in _chunks(entities):
        graphs: dict[str, list[tuple[str, list[str], list[str], str]]] = {}
        rows = session.execute(
            _in("SELECT entity_id, revision_id, device_id, signed FROM revisions WHERE entity_id IN :ids"),
            {"ids": chunk},
        ).all()
        for entity_id, revision_id, signer, signed in rows:
            envelope = json.loads(bytes(signed))
            graphs.setdefault(entity_id, []).append(
                (revision_id, envelope["parents"], envelope.get("reroot", {}).get("supersedes", []), signer)
            )
        hidden.update({entity_id: hidden_ids(graph, revoked) for entity_id, graph in graphs.items()})
    return hidden


# An entity row as refresh_entities finds it: (seq, case_id, deleted).
_Stored = tuple[int, object, int]


def _heads_and_rows(
    session: Session, entity_ids: list[str], rerooted: dict[str, _Rerooted]
) -> tuple[dict[str, list[_HeadRow]], dict[str, int], dict[str, _Stored]]:
    """The heads of each entity (revisions no other revision of the same
    entity names as a parent, latest first; for one a re-root names, by the
    rule with ``supersedes``: ``rerooted``, _rerooted_state of them), its
    creation time (the smallest clock ms of its revisions, of those not
    hidden for a re-rooted one) and its entity row where it has one: for
    all but the re-rooted entities one statement, not three (the heads,
    ``min(hlc_ms)`` grouped by entity, the ``entities`` lookup), each
    taking the same index probes."""
    heads: dict[str, list[_HeadRow]] = {entity_id: state.heads for entity_id, state in rerooted.items()}
    first: dict[str, int] = {entity_id: state.first_ms for entity_id, state in rerooted.items()}
    stored = _entity_rows(session, sorted(rerooted)) if rerooted else {}
    plain = [entity_id for entity_id in entity_ids if entity_id not in rerooted]
    for chunk in _chunks(plain):
        rows = _in_rows(
            session,
            "SELECT r.entity_id, r.revision_id, r.entity_type, r.op, r.hlc_ms, r.hlc_counter, r.signed,"
            " (SELECT min(m.hlc_ms) FROM revisions m WHERE m.entity_id = r.entity_id),"
            " e.seq, e.case_id, e.deleted"
            " FROM revisions r LEFT JOIN entities e ON e.entity_id = r.entity_id"
            " WHERE r.entity_id IN ({ids}) AND NOT EXISTS ("
            # CROSS JOIN: the children of r (by the parent_id index), then
            # each one's row. Joined the other way SQLite took every
            # revision of the entity for each r: quadratic in a record's
            # edits (2,000 edits: ~1 s to refresh it, now ~7 ms).
            " SELECT 1 FROM revision_parents p CROSS JOIN revisions c ON c.revision_id = p.revision_id"
            " WHERE p.parent_id = r.revision_id AND c.entity_id = r.entity_id)",
            chunk,
        )
        for entity_id, rid, etype, op, ms, counter, signed, first_ms, seq, case_id, deleted in rows:
            of_entity = heads.get(entity_id)
            if of_entity is None:
                heads[entity_id] = of_entity = []
                first[entity_id] = int(first_ms)
                if seq is not None:
                    stored[entity_id] = (int(seq), case_id, deleted)
            of_entity.append(_HeadRow(rid, etype, op, ms, counter, bytes(signed)))
    for rows_of in heads.values():
        if len(rows_of) > 1:
            rows_of.sort(key=lambda r: (r.hlc_ms, r.hlc_counter, r.revision_id), reverse=True)
    return heads, first, stored


def _entity_rows(session: Session, entity_ids: list[str]) -> dict[str, _Stored]:
    stored: dict[str, _Stored] = {}
    for chunk in _chunks(entity_ids):
        rows = _in_rows(
            session, "SELECT entity_id, seq, case_id, deleted FROM entities WHERE entity_id IN ({ids})", chunk
        )
        stored.update({entity_id: (int(seq), case_id, deleted) for entity_id, seq, case_id, deleted in rows})
    return stored


# Per record type, how its search text reads off a body (None: only through
# from_body(body).search_text(), as refresh_entity does): the searched fields
# (name, whether from_body takes it from the body, its default) and the body
# fields without a default (a body lacking one goes through from_body, which
# refuses it as before).
_SearchPlan = tuple[tuple[tuple[str, bool, object], ...], frozenset[str]]
_SEARCH_PLANS: dict[type[Record], _SearchPlan | None] = {}


def _search_plan(record_type: type[Record]) -> _SearchPlan | None:
    if record_type in _SEARCH_PLANS:
        return _SEARCH_PLANS[record_type]
    plan: _SearchPlan | None = None
    fields = {f.name: f for f in dataclasses.fields(record_type)}
    # Only Record's own search_text over the dataclass __init__ (which sets
    # each field given and the default of the others) is read off a body
    # directly; a __post_init__ or a field __init__ does not take keeps the
    # record object.
    plain = (
        record_type.search_text is Record.search_text
        and not hasattr(record_type, "__post_init__")
        and all(f.init for f in fields.values())
    )
    if plain and all(name in fields for name in record_type.searchable):
        searched = tuple(
            (name, name not in BOOKKEEPING_FIELDS, fields[name].default) for name in record_type.searchable
        )
        required = frozenset(
            f.name
            for f in fields.values()
            if f.name not in BOOKKEEPING_FIELDS
            and f.default is dataclasses.MISSING
            and f.default_factory is dataclasses.MISSING
        )
        # A field a body must hold needs no default; a default made by a
        # factory is not read off the class: the record object then.
        if not any(
            default is dataclasses.MISSING and name not in required for name, _in, default in searched
        ):
            plan = (searched, required)
    _SEARCH_PLANS[record_type] = plan
    return plan


def _search_text(record_type: type[Record], body: dict[str, Any]) -> str:
    """``record_type.from_body(body).search_text()``, the same text, without
    making the record (~15 us an entity of a merged bundle)."""
    plan = _search_plan(record_type)
    if plan is None or not plan[1] <= body.keys():
        return record_type.from_body(body).search_text()
    parts = (
        str((body[name] if in_body and name in body else default) or "") for name, in_body, default in plan[0]
    )
    return "\n".join(part for part in parts if part)


def refresh_entities(session: Session, entity_ids: Iterable[str]) -> None:
    """refresh_entity for many entities in a few set-based statements; the
    same rule (docs/vault-format.md, "How entities derive from revisions"),
    the same rows. New entity rows are numbered in entity id order, as one
    refresh_entity call per sorted id would."""
    session.flush()  # pending ORM changes first: what follows is plain SQL
    ids = sorted(set(entity_ids))
    if not ids:
        return  # a replay: nothing stored
    # Three lookups in one statement (each statement costs ~0.1 ms of
    # SQLAlchemy and driver besides its own work), all read before any row
    # is written: whether any re-root is stored, the largest entity number
    # (new rows are numbered after it) and the largest search rowid (no
    # row can be above it).
    any_reroot, last_seq, top_rowid = _driver(
        session,
        "SELECT EXISTS (SELECT 1 FROM revision_supersedes), (SELECT coalesce(max(seq), 0) FROM entities),"
        " (SELECT rowid FROM search_index ORDER BY rowid DESC LIMIT 1)",
    ).one()
    rerooted = _rerooted_state(session, ids, bool(any_reroot))
    heads, first_ms, stored = _heads_and_rows(session, ids, rerooted)
    seqs = {entity_id: row[0] for entity_id, row in stored.items()}
    ids = [entity_id for entity_id in ids if entity_id in heads]
    if not ids:
        return

    # Rows as tuples bound by position, in the order of their statement's
    # ``?``: a dict a row, bound by name, cost more than the binding itself.
    head_rows: list[tuple[str, str]] = []
    # (case_id, head, body, deleted, conflicted, created_ms, updated_ms, seq)
    updates: list[tuple[object, ...]] = []
    # (head, body, conflicted, created_ms, updated_ms, seq): a row whose case
    # and deleted flag stay (nearly every update): SQLite then leaves the
    # indexes on them alone (~40% of an update's cost).
    same_case: list[tuple[object, ...]] = []
    # (entity_id, entity_type, then as an update's but seq): numbered below
    new_rows: list[tuple[object, ...]] = []
    terms: list[tuple[str, str, str]] = []  # (entity_id, entity_type, words) of the live entities
    for entity_id in ids:
        entity_heads = heads[entity_id]
        entity_type = entity_heads[0].entity_type
        shown: _HeadRow | None = None
        for head in entity_heads:
            head_rows.append((entity_id, head.revision_id))
            if head.entity_type != entity_type:
                raise VaultDamaged(
                    f"Entity {entity_id} has revisions of different types.",
                    "entity-mixed-types",
                    entity_id=entity_id,
                )
            # A delete racing an edit leaves the edit visible, flagged as a conflict.
            if shown is None and head.op == "put":
                shown = head
        deleted = shown is None
        if shown is None:
            shown = entity_heads[0]
        # The body's canonical bytes are cut from the signed bytes, not
        # encoded again; decoded once, the text both stored and parsed
        # (json.loads of bytes would decode them again).
        body_text = canonical_body(shown.signed).decode("utf-8")
        body = json.loads(body_text)
        record_type = RECORD_TYPES[entity_type]
        case_id = body.get(record_type.case_field) if record_type.case_field else None
        conflicted = len(entity_heads) > 1
        created = first_ms.get(entity_id, shown.hlc_ms)
        row = stored.get(entity_id)
        if row is None:
            new_rows.append(
                (
                    entity_id,
                    entity_type,
                    case_id,
                    shown.revision_id,
                    body_text,
                    deleted,
                    conflicted,
                    created,
                    shown.hlc_ms,
                )
            )
        elif row[1] == case_id and row[2] == deleted:
            # Equal to what is stored (case_id is TEXT, deleted 0 or 1): the
            # full update would write these same values.
            same_case.append((shown.revision_id, body_text, conflicted, created, shown.hlc_ms, row[0]))
        else:
            updates.append(
                (case_id, shown.revision_id, body_text, deleted, conflicted, created, shown.hlc_ms, row[0])
            )
        if not deleted:
            terms.append((entity_id, entity_type, index_text(_search_text(record_type, body))))

    for chunk in _chunks(ids):
        _in_driver(session, "DELETE FROM heads WHERE entity_id IN ({ids})", chunk)
    _many(session, "INSERT INTO heads (entity_id, revision_id) VALUES (?, ?)", head_rows)
    if updates:
        _many(
            session,
            (
                "UPDATE entities SET case_id = ?, head_revision_id = ?, body = ?, deleted = ?,"
                " conflicted = ?, created_ms = ?, updated_ms = ? WHERE seq = ?"
            ),
            updates,
        )
    if same_case:
        _many(
            session,
            (
                "UPDATE entities SET head_revision_id = ?, body = ?, conflicted = ?, created_ms = ?,"
                " updated_ms = ? WHERE seq = ?"
            ),
            same_case,
        )
    if new_rows:
        # seq is entities' INTEGER PRIMARY KEY (its rowid, no AUTOINCREMENT):
        # SQLite numbers each inserted row max(seq) + 1, so the rows (in entity
        # id order) get last + 1, last + 2, ... Given here, they need no read
        # back; the same numbers (docs/vault-format.md). Past SQLite's largest
        # rowid it would pick numbers at random: left to it then, and read.
        last = int(last_seq)
        if last + len(new_rows) < _MAX_ROWID:
            numbered = [(last + 1 + n, *row) for n, row in enumerate(new_rows)]
            _many(
                session,
                (
                    "INSERT INTO entities (seq, entity_id, entity_type, case_id, head_revision_id, body,"
                    " deleted, conflicted, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                ),
                numbered,
            )
            seqs.update((str(row[1]), int(str(row[0]))) for row in numbered)
        else:
            _many(
                session,
                (
                    "INSERT INTO entities (entity_id, entity_type, case_id, head_revision_id, body, deleted,"
                    " conflicted, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                ),
                new_rows,
            )
            seqs.update(
                (entity_id, row[0])
                for entity_id, row in _entity_rows(session, [str(r[0]) for r in new_rows]).items()
            )

    # The search rows: a number above the largest rowid the index holds has
    # no row to delete (nearly every new entity's), whatever happened to the
    # entities table before (a row of it deleted leaves its number to reuse,
    # and perhaps its search row: then that number is not above it).
    indexed = sorted(
        seq for seq in (seqs[entity_id] for entity_id in ids) if top_rowid is not None and seq <= top_rowid
    )
    for at in range(0, len(indexed), _CHUNK):
        _in_driver(session, "DELETE FROM search_index WHERE rowid IN ({ids})", indexed[at : at + _CHUNK])
    if terms:
        # In rowid order: FTS5 writes its pending terms out as a new segment
        # whenever a row comes with a rowid below the one before (an update's
        # old number among new ones), which cost more than the rows.
        _many(
            session,
            "INSERT INTO search_index (rowid, entity_id, entity_type, terms) VALUES (?, ?, ?, ?)",
            sorted(
                (seqs[entity_id], entity_id, entity_type, words) for entity_id, entity_type, words in terms
            ),
        )
    # EntityRow objects this session loaded before are stale now.
    session.expire_all()


def store_received(
    session: Session, checked: list[Revision], *, types: dict[str, str] | None = None
) -> list[Revision]:
    """Store verified revisions from elsewhere and refresh what derives from
    them; an entity id already used by another record type is refused. Returns
    the revisions that were new. Set-based: a bundle of many thousand
    revisions costs a few dozen statements, not several per revision.
    ``types``: ``stored_types`` of their records, read by the caller (an
    import leaves clashing revisions out first: db/sync_import.py); still
    checked against each revision here."""
    if types is None:
        types = stored_types(session, sorted({rev.entity_id for rev in checked}))
    for rev in checked:
        existing = types.get(rev.entity_id)
        if existing is not None and existing != rev.entity_type:
            raise RevisionRejected(rev.revision_id, "entity exists with another type")
        types[rev.entity_id] = rev.entity_type
    inserted = _insert_revisions_batched(session, checked)
    refresh_entities(session, {rev.entity_id for rev in inserted})
    return inserted
