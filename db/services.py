"""The services: the only door to the data for the GUI and the CLI.

Each method opens its own short transaction and returns plain dataclasses;
no SQLAlchemy object or session leaves this module.
"""

from __future__ import annotations

import builtins
import contextlib
import errno
import json
import os
import re
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from sqlalchemy import Engine, delete, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from db.blobstore import BlobStore
from db.device import DeviceIdentity
from db.engine import IMMEDIATE_OPTION
from db.entities import (
    ENTITY_TYPES,
    RECORD_TYPES,
    Record,
    check_revision_body,
)
from db.errors import InvalidInput, NotFound, StorageError, VaultLocked
from db.hlc import HybridLogicalClock, Timestamp
from db.ids import new_id
from db.model import Draft, EntityRow, Head, RevisionRow, Setting
from db.revisions import Revision, create_revision, revision_from_wire, verify_revision
from db.search_terms import ParsedQuery, QueryMatcher, parse_query
from db.store import (
    StoredRevision,
    insert_revisions,
    latest_reading,
    refresh_entity,
    revisions_since,
    save_clock,
    store_received,
)

R = TypeVar("R", bound=Record)


@contextlib.contextmanager
def storage_errors(what: str) -> Iterator[None]:
    """Report SQLite's disk errors in a write transaction ("disk I/O error",
    "database or disk is full") as StorageError. Use it outside the
    transaction, so that a failing commit is caught too: by then the
    transaction was rolled back and the vault holds its previous state."""
    try:
        yield
    except OperationalError as err:
        message = str(err.orig) if err.orig is not None else str(err)
        if "database is locked" in message or "database table is locked" in message:
            # Another process kept the write lock past busy_timeout: not a disk problem.
            raise StorageError(what, OSError(errno.EBUSY, "the database is locked")) from err
        code = errno.ENOSPC if "full" in message else errno.EIO
        reason = os.strerror(code) if "disk" in message else message
        raise StorageError(what, OSError(code, reason)) from err


class GuardedSessions:
    """Session factories that refuse to open sessions once the vault is
    locked, so a worker still holding a service cannot read or write after
    the lock (the engine alone would happily reconnect).

    ``()`` gives a read session (a plain BEGIN: a WAL snapshot that never
    blocks writers); ``begin()`` a write transaction (BEGIN IMMEDIATE: takes
    the write lock up front, so two writers cannot deadlock on upgrade)."""

    def __init__(self, engine: Engine) -> None:
        self._reads = sessionmaker(engine, expire_on_commit=False)
        self._writes = sessionmaker(
            engine.execution_options(**{IMMEDIATE_OPTION: True}), expire_on_commit=False
        )
        self.closed = False

    def __call__(self) -> Session:
        if self.closed:
            raise VaultLocked()
        return self._reads()

    def begin(self) -> contextlib.AbstractContextManager[Session]:
        if self.closed:
            raise VaultLocked()
        return self._writes.begin()


class VaultContext:
    """What every service shares: the session factory, the signing identity,
    the clock and one lock that serialises writes."""

    def __init__(
        self,
        engine: Engine,
        identity: DeviceIdentity,
        blob_store: BlobStore,
        blobs_subkey: bytes,
        user_label: str = "",
    ) -> None:
        self.sessions = GuardedSessions(engine)
        self._identity: DeviceIdentity | None = identity
        self.blob_store = blob_store
        self._blobs_subkey: bytes | None = blobs_subkey
        # Who is at the keyboard, as the custody log records it (a setting).
        self.user_label = user_label
        self.write_lock = threading.RLock()
        # One clock for revisions and custody events, started from the latest
        # reading either log holds, so it never goes back across a restart.
        self.clock = HybridLogicalClock(Timestamp(0, 0))
        with self.sessions() as session:
            self.clock.observe(latest_reading(session, identity.device_id, self.clock.wall()))

    @property
    def identity(self) -> DeviceIdentity:
        """The device's signing identity; gone once the vault is locked."""
        if self._identity is None:
            raise VaultLocked()
        return self._identity

    @property
    def blobs_subkey(self) -> bytes:
        if self._blobs_subkey is None:
            raise VaultLocked()
        return self._blobs_subkey

    def close(self) -> None:
        """At lock: no more sessions, and the keys held here are dropped, so a
        service that a worker still references can neither read, decrypt nor
        sign (Python cannot overwrite the bytes themselves: threat-model 4.x)."""
        self.sessions.closed = True
        self._identity = None
        self._blobs_subkey = None

    @contextlib.contextmanager
    def write_transaction(self, what: str) -> Iterator[Session]:
        """One serialised write transaction; disk errors become StorageError
        (raised after the rollback, so the previous state is kept)."""
        with storage_errors(what), self.write_lock, self.sessions.begin() as session:
            yield session

    def next_reading(self, session: Session) -> Timestamp:
        """The clock's reading for a revision or custody event written in
        ``session``'s (write) transaction, saved with it: later than every
        reading the vault holds, also one another process sharing the vault
        wrote since this one opened (docs/vault-format.md, "The clock")."""
        self.clock.observe(latest_reading(session, self.identity.device_id, self.clock.wall()))
        reading = self.clock.tick()
        save_clock(session, reading)
        return reading

    def commit_local(self, session: Session, rev_args: dict[str, Any]) -> Revision:
        """Sign and store one local revision, refreshing the derived tables."""
        rev = create_revision(self.identity, hlc=self.next_reading(session), **rev_args)
        insert_revisions(session, [rev])
        refresh_entity(session, rev.entity_id)
        return rev


@dataclass(frozen=True)
class HistoryEntry:
    revision_id: str
    op: str
    parents: tuple[str, ...]
    device_id: str
    hlc: Timestamp
    body: dict[str, Any]
    is_head: bool


@dataclass(frozen=True)
class Conflict:
    entity_id: str
    entity_type: str
    head_revision_ids: tuple[str, ...]


class EntityService(Generic[R]):
    """Create, edit, list, get, history and delete for one record type."""

    def __init__(self, ctx: VaultContext, record_type: type[R]) -> None:
        self._ctx = ctx
        self._type = record_type

    def _to_record(self, row: EntityRow) -> R:
        return self._type.from_body(
            json.loads(row.body),
            id=row.entity_id,
            revision=row.head_revision_id,
            conflicted=row.conflicted,
            created_ms=row.created_ms,
            updated_ms=row.updated_ms,
        )

    def _heads(self, session: Session, entity_id: str) -> list[str]:
        return list(session.scalars(select(Head.revision_id).where(Head.entity_id == entity_id)))

    def _live_row(self, session: Session, entity_id: str) -> EntityRow:
        row = session.scalar(
            select(EntityRow).where(
                EntityRow.entity_id == entity_id, EntityRow.entity_type == self._type.entity_type
            )
        )
        if row is None or row.deleted:
            raise NotFound(self._type.entity_type, entity_id)
        return row

    def _check_case(self, session: Session, record: R) -> None:
        case_id = record.case_id_value
        if case_id is None:
            return
        case = session.scalar(
            select(EntityRow).where(EntityRow.entity_id == case_id, EntityRow.entity_type == "case")
        )
        if case is None or case.deleted:
            raise NotFound("case", case_id)

    def create(self, record: R) -> R:
        """Store a new record; returns it with its id and revision filled in."""
        if record.id:
            raise InvalidInput(
                f"{self._type.entity_type}: a new record cannot have an id; use save().",
                "new-record-has-id",
                record_type=self._type.entity_type,
            )
        record.validate()
        with self._ctx.write_transaction(f"save the {self._type.entity_type}") as session:
            self._check_case(session, record)
            entity_id = new_id()
            self._ctx.commit_local(
                session,
                {
                    "entity_id": entity_id,
                    "entity_type": self._type.entity_type,
                    "op": "put",
                    "body": record.body(),
                    "parents": [],
                },
            )
            return self._to_record(self._live_row(session, entity_id))

    def update(self, record: R) -> R:
        """Store a new version. Its parents are all current heads, so saving an
        entity that is in conflict resolves the conflict with this content."""
        record.validate()
        with self._ctx.write_transaction(f"save the {self._type.entity_type}") as session:
            current = self._live_row(session, record.id)
            if record.body() == json.loads(current.body) and not current.conflicted:
                return self._to_record(current)  # nothing changed: no new revision
            self._check_case(session, record)
            self._ctx.commit_local(
                session,
                {
                    "entity_id": record.id,
                    "entity_type": self._type.entity_type,
                    "op": "put",
                    "body": record.body(),
                    "parents": self._heads(session, record.id),
                },
            )
            return self._to_record(self._live_row(session, record.id))

    def save(self, record: R) -> R:
        return self.update(record) if record.id else self.create(record)

    def edit(self, entity_id: str, **changes: Any) -> R:
        """Change some fields of a stored record."""
        current = self.get(entity_id)
        try:
            return self.update(replace(current, **changes))
        except TypeError:
            raise InvalidInput(
                f"{self._type.entity_type}: unknown field in {sorted(changes)}.",
                "unknown-field",
                record_type=self._type.entity_type,
            ) from None

    def delete(self, entity_id: str, reason: str = "") -> None:
        """Mark deleted with a tombstone revision; history keeps earlier versions.

        The record's draft (and, for a case, the drafts of new records begun
        in it) goes in the same transaction: unsaved text of a deleted record
        must not outlive it, and a failed delete keeps both."""
        entity_type = self._type.entity_type
        with self._ctx.write_transaction(f"delete the {entity_type}") as session:
            row = session.scalar(
                select(EntityRow).where(
                    EntityRow.entity_id == entity_id, EntityRow.entity_type == entity_type
                )
            )
            # Two deletions made apart leave a deleted record with two heads:
            # deleting it again joins them (one tombstone whose parents are
            # both), which is how that conflict is resolved.
            if row is None or (row.deleted and not row.conflicted):
                raise NotFound(entity_type, entity_id)
            session.execute(delete(Draft).where(Draft.draft_key.in_(drafts_of(entity_type, entity_id))))
            self._ctx.commit_local(
                session,
                {
                    "entity_id": entity_id,
                    "entity_type": self._type.entity_type,
                    "op": "delete",
                    "body": {"reason": reason} if reason else {},
                    "parents": self._heads(session, entity_id),
                },
            )

    def get(self, entity_id: str) -> R:
        with self._ctx.sessions() as session:
            return self._to_record(self._live_row(session, entity_id))

    def list(
        self, case_id: str | None = None, *, offset: int = 0, limit: int | None = None
    ) -> builtins.list[R]:
        """Live records, oldest first, optionally only those of one case."""
        query = select(EntityRow).where(
            EntityRow.entity_type == self._type.entity_type, EntityRow.deleted.is_(False)
        )
        if case_id is not None:
            query = query.where(EntityRow.case_id == case_id)
        query = query.order_by(EntityRow.seq).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with self._ctx.sessions() as session:
            return [self._to_record(row) for row in session.scalars(query)]

    def count(self, case_id: str | None = None) -> int:
        query = "SELECT count(*) FROM entities WHERE entity_type = :t AND deleted = 0"
        params: dict[str, Any] = {"t": self._type.entity_type}
        if case_id is not None:
            query += " AND case_id = :c"
            params["c"] = case_id
        with self._ctx.sessions() as session:
            return int(session.execute(text(query), params).scalar_one())

    def history(self, entity_id: str) -> builtins.list[HistoryEntry]:
        """Every revision of the entity, oldest first (deleted ones included)."""
        with self._ctx.sessions() as session:
            heads = set(self._heads(session, entity_id))
            rows = session.scalars(
                select(RevisionRow)
                .where(
                    RevisionRow.entity_id == entity_id,
                    RevisionRow.entity_type == self._type.entity_type,
                )
                .order_by(RevisionRow.hlc_ms, RevisionRow.hlc_counter, RevisionRow.revision_id)
            ).all()
            if not rows:
                raise NotFound(self._type.entity_type, entity_id)
            entries = []
            for row in rows:
                envelope = json.loads(row.signed)
                entries.append(
                    HistoryEntry(
                        revision_id=row.revision_id,
                        op=row.op,
                        parents=tuple(envelope["parents"]),
                        device_id=row.device_id,
                        hlc=Timestamp(row.hlc_ms, row.hlc_counter),
                        body=envelope["body"],
                        is_head=row.revision_id in heads,
                    )
                )
            return entries


class RevisionService:
    """Revisions as a set: export them, apply ones from elsewhere, list conflicts."""

    def __init__(self, ctx: VaultContext) -> None:
        self._ctx = ctx

    def apply(self, revisions: Iterable[Revision | dict[str, Any]]) -> int:
        """Check every revision (id, canonical form, signature), then insert the
        new ones and recompute heads, all in one transaction. If any revision
        fails a check, RevisionRejected names it and nothing is applied.
        Returns the number of revisions that were new.

        It does not ask whose key signed them (tests and benchmarks load
        revisions of other keys through it, and verify names those): what
        arrives from elsewhere goes through ``vault.sync.begin_import()``,
        which applies only revisions by authorised keys (db/sync_import.py)."""
        checked: list[Revision] = []
        for rev in revisions:
            if isinstance(rev, dict):
                checked.append(revision_from_wire(rev, ENTITY_TYPES))
            else:
                checked.append(verify_revision(rev.signed, rev.signature, rev.revision_id, ENTITY_TYPES))
        for rev in checked:
            check_revision_body(rev)
        with self._ctx.write_transaction("store the received revisions") as session:
            inserted = store_received(session, checked)
            if checked:
                # Moves the clock past what was received, at most the allowed
                # drift beyond the wall clock (a reading further ahead is kept
                # in its revision and listed by verify as "clock ahead").
                clock = self._ctx.clock
                clock.observe(latest_reading(session, self._ctx.identity.device_id, clock.wall()))
                save_clock(session, clock.receive(max(rev.hlc for rev in checked)))
            return len(inserted)

    def since(self, cursor: int = 0, limit: int = 1000) -> list[StoredRevision]:
        """Revisions this vault stored after local sequence number ``cursor``
        (0: from the start), at most ``limit``, in storing order: what sync
        reads, page by page, without re-verifying the whole vault. The next
        cursor is the last one's ``local_seq``."""
        if cursor < 0 or limit < 1:  # a caller's mistake, not a user's input
            raise ValueError("a cursor is 0 or more and a page holds at least one revision")
        with self._ctx.sessions() as session:
            return revisions_since(session, cursor, limit)

    def all(self) -> list[Revision]:
        """Every stored revision, re-verified, in clock order."""
        with self._ctx.sessions() as session:
            rows = session.scalars(
                select(RevisionRow).order_by(
                    RevisionRow.hlc_ms, RevisionRow.hlc_counter, RevisionRow.revision_id
                )
            ).all()
            return [verify_revision(r.signed, r.signature, r.revision_id, ENTITY_TYPES) for r in rows]

    def heads(self) -> dict[str, frozenset[str]]:
        with self._ctx.sessions() as session:
            result: dict[str, set[str]] = {}
            for entity_id, revision_id in session.execute(select(Head.entity_id, Head.revision_id)):
                result.setdefault(entity_id, set()).add(revision_id)
            return {k: frozenset(v) for k, v in result.items()}

    def conflicts(self) -> list[Conflict]:
        with self._ctx.sessions() as session:
            rows = session.scalars(select(EntityRow).where(EntityRow.conflicted.is_(True))).all()
            return [
                Conflict(
                    row.entity_id,
                    row.entity_type,
                    tuple(
                        sorted(
                            session.scalars(select(Head.revision_id).where(Head.entity_id == row.entity_id))
                        )
                    ),
                )
                for row in rows
            ]


# Ranking is the cost of a search: FTS5's bm25() scores every matching row
# (1-3 µs a row: its position lists and its length), while finding the
# matches costs a tenth of that. Two measures bound it (docs/development.md,
# "Search"):
#  - ORDER BY bm25(...) LIMIT, not ORDER BY rank: for "rank" FTS5 sorts every
#    match in a sorter of its own before the LIMIT applies (about 1.7x
#    slower, same scores); SQLite's sorter keeps only the best :limit rows.
#  - A query matching more than :candidates rows ranks only the newest
#    :candidates of them: the index is walked newest first (highest rowid,
#    the entity's seq: the latest added to this vault) and stops there. The
#    scores are still bm25 over the whole index (its IDF counts every
#    match), so the hits are exactly the best ranked among those candidates.
#    The bound applies to each group of record types apart (RANKED_APART
#    and the rest), so that the few cases, incidents and persons of a vault
#    are never crowded out of the candidates by its many testimonies.
# Ties in score go to the older row, so that the order is deterministic.
#
# The index (migration 0006) has two indexed columns: ``terms`` (the word
# forms) and ``entity_type`` (one token, the type), so that a type filter is
# a term of the MATCH, answered by the index instead of a look at every
# match's stored row. The query's words must match in ``terms`` only: when
# a word's forms (or the typed prefix) could be a type's token, they are put
# under a ``terms :`` column filter; otherwise they are left without one,
# which FTS5 answers about 8% faster (no column check per position). bm25
# weighs ``entity_type`` 0: a row scores the same with or without a filter,
# so the groups' scores compare.
_MATCHES_SQL = (
    "SELECT rowid, bm25(search_index, 0.0, 0.0, 1.0) AS score FROM search_index "
    "WHERE search_index MATCH {match}"
)
_NEWEST_SQL = (
    "SELECT rowid, score FROM ("
    "SELECT rowid, bm25(search_index, 0.0, 0.0, 1.0) AS score FROM search_index "
    "WHERE search_index MATCH {match} ORDER BY rowid DESC LIMIT :candidates)"
)
# Over a subquery, so that SQLite keeps only the best :limit rows of the
# union (ORDER BY on the compound itself sorted each part in full).
_BEST_SQL = "SELECT rowid, score FROM ({union}) ORDER BY score, rowid LIMIT :limit"
# Rank inside the index first, then read (and decrypt) only the bodies of the
# hits kept: joining first made SQLite read every match.
_HITS_SQL = (
    "SELECT e.entity_id, e.entity_type, e.case_id, e.body, ranked.score FROM ({ranked}) AS ranked "
    "JOIN entities e ON e.seq = ranked.rowid ORDER BY ranked.score, ranked.rowid"
)
# How many matches one query ranks at most in each group (see above): some
# 20-40 ms of ranking on a 2-core laptop. A field worker's vault rarely has
# this many matches of a query; a coordinator's merged vault of 100,000
# testimonies does for words that occur in a fifth of them.
RANK_CANDIDATES = 20_000
# Record types whose matches are bounded apart from the others': few in any
# vault beside testimonies and evidence, and short texts that a broad query
# must still find.
RANKED_APART = ("case", "incident", "person")
# Search as you type: a last word of two or three letters is a prefix that
# most of a large vault matches ("по": 90% of the benchmark's 100,000
# testimonies), a browse while typing rather than a lookup. Such a query
# ranks at most the newest SHORT_PREFIX_CANDIDATES of each group: bm25 costs
# about 1.5 µs a candidate, so 20,000 took 40-65 ms on two loaded cores and
# 5,000 a third of that (finding the matches, with the prefix index, ~10 ms).
# The next letter typed narrows the query and restores the usual bound.
SHORT_PREFIX_CANDIDATES = 5_000
SHORT_PREFIX_LETTERS = 3  # the prefix index's longest (migration 0006)


def candidates_for(parsed: ParsedQuery, candidates: int | None) -> int | None:
    """The candidate bound a query runs with: ``candidates``, or at most
    SHORT_PREFIX_CANDIDATES when its last word is a short prefix."""
    if candidates is not None and parsed.prefix and len(parsed.prefix) <= SHORT_PREFIX_LETTERS:
        return min(candidates, SHORT_PREFIX_CANDIDATES)
    return candidates


def _of_types(types: Iterable[str]) -> str:
    # Type names come from RECORD_TYPES (checked by the caller), never from the user.
    return "entity_type : (" + " OR ".join(f'"{t}"' for t in types) + ")"


def _words(parsed: ParsedQuery) -> str:
    """The query's words as a MATCH expression that matches no type token."""
    terms = frozenset().union(*parsed.term_sets)
    if terms.isdisjoint(RECORD_TYPES) and not (
        parsed.prefix and any(kind.startswith(parsed.prefix) for kind in RECORD_TYPES)
    ):
        return f"({parsed.fts})"
    return f"terms : ({parsed.fts})"


def _match_groups(parsed: ParsedQuery, entity_type: str | None, bounded: bool) -> list[str]:
    """One MATCH expression per group of types that is bounded apart."""
    words = _words(parsed)
    if entity_type is not None:
        if entity_type not in RECORD_TYPES:
            raise InvalidInput(f"Unknown record type {entity_type!r}.", "unknown-record-type")
        return [f"{_of_types([entity_type])} AND {words}"]
    if not bounded:
        return [words]
    apart = _of_types(RANKED_APART)
    return [f"({words}) NOT ({apart})", f"{apart} AND {words}"]


def search_statement(
    parsed: ParsedQuery,
    *,
    limit: int,
    entity_type: str | None = None,
    candidates: int | None = RANK_CANDIDATES,
) -> tuple[str, dict[str, Any]]:
    """The statement SearchService.query runs and its parameters, for a
    parsed query: the best ``limit`` hits among the newest ``candidates``
    matches of each group of types (None: among every match). Rows: entity
    id, type, case id, body, score."""
    groups = _match_groups(parsed, entity_type, candidates is not None)
    part = _MATCHES_SQL if candidates is None else _NEWEST_SQL
    union = " UNION ALL ".join(part.format(match=f":q{n}") for n in range(len(groups)))
    ranked = _BEST_SQL.format(union=union)
    params: dict[str, Any] = {f"q{n}": group for n, group in enumerate(groups)}
    params["limit"] = limit
    if candidates is not None:
        params["candidates"] = candidates
    return _HITS_SQL.format(ranked=ranked), params


# Is there a match beyond the newest :candidates of a group? Asked only when
# a full page of hits came back (a bounded query always fills one); it walks
# the same doclists the bound did, newest first, without scoring. One
# statement for all groups: each is a round trip through SQLAlchemy.
_BEYOND_SQL = (
    "SELECT 1 FROM (SELECT rowid FROM search_index WHERE search_index MATCH {match} "
    "ORDER BY rowid DESC LIMIT 1 OFFSET :candidates)"
)


@dataclass(frozen=True)
class SearchHit:
    entity_id: str
    entity_type: str
    case_id: str | None
    label: str
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    rank: float


class SearchResults(list[SearchHit]):
    """The hits, best first. ``bounded``: the query matched more than the
    candidates ranked, so older matches were not considered (say so to the
    user: another word narrows the query)."""

    bounded: bool = False


class SearchService:
    def __init__(self, ctx: VaultContext) -> None:
        self._ctx = ctx

    def query(
        self,
        text_query: str,
        *,
        limit: int = 50,
        entity_type: str | None = None,
        as_you_type: bool = False,
        candidates: int | None = RANK_CANDIDATES,
    ) -> SearchResults:
        """Ranked (BM25) hits whose every word matches some form of the query's words.

        A query matching more than ``candidates`` records of testimonies and
        evidence (or of cases, incidents and persons) ranks only the newest
        ``candidates`` of them (see search_statement; as you type, a last
        word of two or three letters ranks fewer: candidates_for); ``None``
        ranks every match, however long that takes."""
        if candidates is not None and candidates < 1:
            raise InvalidInput("A search ranks at least one candidate.", "search-no-candidates")
        parsed = parse_query(text_query, prefix_last=as_you_type)
        hits = SearchResults()
        if parsed is None:
            return hits
        candidates = candidates_for(parsed, candidates)
        sql, params = search_statement(parsed, limit=limit, entity_type=entity_type, candidates=candidates)
        with self._ctx.sessions() as session:
            rows = session.execute(text(sql), params).all()
            if candidates is not None and len(rows) >= min(limit, candidates):
                beyond = " UNION ALL ".join(
                    _BEYOND_SQL.format(match=f":{name}") for name in params if name.startswith("q")
                )
                hits.bounded = session.execute(text(beyond + " LIMIT 1"), params).first() is not None
        matcher = QueryMatcher(parsed, prefix_last=as_you_type)
        for entity_id, kind, case_id, body, score in rows:
            record = RECORD_TYPES[kind].from_body(json.loads(body), id=entity_id)
            cut, inside = matcher.snippet(record.snippet_text())
            hits.append(SearchHit(entity_id, kind, case_id, record.label(), cut, tuple(inside), float(score)))
        return hits


SETTING_DEFAULTS: dict[str, str] = {
    # Who is at the keyboard, as the custody log records it.
    "user_label": "",
    # Minutes of inactivity before the desktop app locks the vault (0: never).
    "auto_lock_minutes": "5",
    # Days after the last backup before the app reminds of one (0: never; db/backup.py).
    "backup_reminder_days": "14",
    # When the last backup finished (UTC, ISO 8601), written by Vault.back_up.
    "last_backup_at": "",
    # A SOCKS5 proxy for sync (socks5h://127.0.0.1:9050 for Tor; empty: none; sync/client).
    "sync_proxy": "",
    # The case the desktop app showed last, selected again after the unlock
    # (a case id leads to witness data: here, encrypted, never in QSettings).
    "last_case_id": "",
}


class SettingsService:
    """Non-secret preferences stored inside the vault (not in QSettings,
    which is a plain file)."""

    def __init__(self, ctx: VaultContext) -> None:
        self._ctx = ctx

    def get(self, key: str) -> str:
        if key not in SETTING_DEFAULTS:
            raise InvalidInput(
                f"Unknown setting {key!r}; known: {', '.join(sorted(SETTING_DEFAULTS))}.",
                "unknown-setting",
                key=key,
            )
        with self._ctx.sessions() as session:
            stored = session.get(Setting, key)
            return stored.value if stored is not None else SETTING_DEFAULTS[key]

    def all(self) -> dict[str, str]:
        return {key: self.get(key) for key in SETTING_DEFAULTS}

    def set(self, key: str, value: str) -> None:
        self.get(key)  # validates the key
        # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
        if key == "auto_lock_minutes" and not (re.fullmatch(r"[0-9]{1,4}", value) and int(value) <= 24 * 60):
            raise InvalidInput(
                "auto_lock_minutes must be a whole number of minutes, 0 to 1440.",
                "auto-lock-out-of-range",
                field="auto_lock_minutes",
                minimum=0,
                maximum=24 * 60,
            )
        if key == "backup_reminder_days":
            from db.backup import check_reminder_days  # db.backup loads the SQLCipher driver

            check_reminder_days(value)
        with self._ctx.write_transaction("save the setting") as session:
            session.merge(Setting(key=key, value=value))
        if key == "user_label":
            self._ctx.user_label = value


def record_draft_key(entity_type: str, entity_id: str) -> str:
    """The draft key of changes to a stored record: ``"<type>:<id>"``."""
    return f"{entity_type}:{entity_id}"


def new_record_draft_key(entity_type: str, case_id: str) -> str:
    """The draft key of a new record being written in a case: ``"<type>:new:<case id>"``."""
    return f"{entity_type}:new:{case_id}"


def drafts_of(entity_type: str, entity_id: str) -> builtins.list[str]:
    """The draft keys that die with this record: its own, and for a case the
    drafts of new records begun in it."""
    keys = [record_draft_key(entity_type, entity_id)]
    if entity_type == "case":
        keys += [new_record_draft_key(kind, entity_id) for kind in sorted(RECORD_TYPES)]
    return keys


def _record_of_draft(key: str) -> tuple[str, str] | None:
    """(entity type, entity id) of the record a draft key belongs to: the
    record itself, or the case a new record is begun in. None for keys that
    follow neither convention."""
    parts = key.split(":")
    if len(parts) == 2 and parts[0] in RECORD_TYPES and parts[1]:
        return parts[0], parts[1]
    if len(parts) == 3 and parts[0] in RECORD_TYPES and parts[1] == "new" and parts[2]:
        return "case", parts[2]
    return None


@dataclass(frozen=True)
class StoredDraft:
    key: str
    body: dict[str, Any]
    updated_ms: int


class DraftService:
    """Autosaved editor content, by a key the editor chooses (e.g.
    "testimony:<id>" or "testimony:new:<case id>"). Never a revision, never
    synced; kept until the record is saved or the draft discarded."""

    def __init__(self, ctx: VaultContext) -> None:
        self._ctx = ctx

    def put(self, key: str, body: dict[str, Any]) -> None:
        if not key or len(key) > 80:
            raise InvalidInput("A draft key is 1 to 80 characters.", "draft-key-length", maximum=80)
        with self._ctx.write_transaction("autosave the draft") as session:
            session.merge(
                Draft(
                    draft_key=key,
                    body=json.dumps(body, ensure_ascii=False),
                    updated_ms=time.time_ns() // 1_000_000,
                )
            )

    def get(self, key: str) -> StoredDraft | None:
        with self._ctx.sessions() as session:
            row = session.get(Draft, key)
            return StoredDraft(row.draft_key, json.loads(row.body), row.updated_ms) if row else None

    def keys(self, prefix: str = "") -> builtins.list[str]:
        with self._ctx.sessions() as session:
            return sorted(k for k in session.scalars(select(Draft.draft_key)) if k.startswith(prefix))

    def discard(self, key: str) -> None:
        with self._ctx.write_transaction("discard the draft") as session:
            session.execute(delete(Draft).where(Draft.draft_key == key))

    def stale_keys(self) -> builtins.list[str]:
        """Drafts whose record is deleted (or whose case is, for a new record).
        A draft whose record is not in this vault at all is not stale: the
        convention allows keys of records still to come."""
        with self._ctx.sessions() as session:
            owners = {key: _record_of_draft(key) for key in session.scalars(select(Draft.draft_key))}
            ids = {owner[1] for owner in owners.values() if owner is not None}
            deleted = {
                (row.entity_type, row.entity_id)
                for row in session.execute(
                    select(EntityRow.entity_type, EntityRow.entity_id).where(
                        EntityRow.entity_id.in_(ids), EntityRow.deleted.is_(True)
                    )
                )
            }
        return sorted(key for key, owner in owners.items() if owner in deleted)

    def discard_stale(self) -> int:
        """Discard the drafts of deleted records (a delete received from
        elsewhere, or an autosave that raced a delete). Runs at every unlock;
        returns how many went. Writes nothing when there are none."""
        stale = self.stale_keys()
        if stale:
            with self._ctx.write_transaction("discard the drafts of deleted records") as session:
                session.execute(delete(Draft).where(Draft.draft_key.in_(stale)))
        return len(stale)
