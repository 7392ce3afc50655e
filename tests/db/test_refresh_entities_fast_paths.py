"""refresh_entities' fast paths against the general path (H3, session 17):
the heads, entity rows, search rows and search answers it leaves must be
byte for byte those of refresh_entity called once per entity in id order
(db/store.py), whatever the vault held before. The fast paths held here:
the creation time and the entity row's number read with the heads (one
statement, not three), bodies decoded once, rows bound by position, no
FTS5 DELETE for a number above the largest rowid the index holds, and the
search rows written in rowid order."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from db import store
from db.errors import RevisionRejected, VaultDamaged
from db.hlc import Timestamp
from db.revisions import Reroot, Revision, create_revision
from db.vault import Vault
from tests.db.test_bulk_apply import build_history, entity_id, open_vault, without_fsync

# Batches of the history applied one transaction each: single revisions,
# small and large batches, so that updated entities (old numbers) come
# among new ones (new numbers) in one refresh.
BATCHES = [1, 1, 3, 40, 7, 200, 1, 90, 400, 13, 600, 645]


def general_refresh(session: Session, entity_ids: Iterable[str]) -> None:
    """The general path: refresh_entity once per entity, in id order."""
    session.flush()
    for one in sorted(set(entity_ids)):
        store.refresh_entity(session, one)
    session.expire_all()


@contextmanager
def general_path(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with monkeypatch.context() as patched:
        patched.setattr(store, "refresh_entities", general_refresh)
        yield


def search_words(session: Session) -> list[str]:
    """Queries for the search answers: every indexed word (at most 300, a
    fixed sample) and prefixes of two and three letters."""
    words = sorted(
        {w for (terms,) in session.execute(text("SELECT terms FROM search_index")) for w in terms.split()}
    )
    sample = random.Random(7).sample(words, k=min(300, len(words)))
    prefixes = sorted({w[:n] + "*" for w in sample for n in (2, 3) if len(w) >= n and w[:n].isalnum()})
    return [f'"{w}"' for w in sample if '"' not in w] + prefixes[:200]


@dataclass(frozen=True)
class Derived:
    entities: list[tuple[Any, ...]]  # by seq, with it
    heads: list[tuple[Any, ...]]
    search: list[tuple[Any, ...]]  # by rowid, with it
    answers: dict[str, list[tuple[Any, ...]]]  # query -> (rowid, bm25) by rowid


def derived(vault: Vault, queries: list[str] | None = None) -> Derived:
    """Every derived row with its number, and the search answers (rowid and
    bm25 score, as db/services.py ranks) for ``queries`` (None: this
    vault's own words). FTS5's own integrity check must pass."""
    with vault.services.context.write_transaction("test: read derived rows") as session:
        entities = [
            tuple(row)
            for row in session.execute(
                text(
                    "SELECT seq, entity_id, entity_type, case_id, head_revision_id, body, deleted,"
                    " conflicted, created_ms, updated_ms FROM entities ORDER BY seq"
                )
            )
        ]
        heads = [
            tuple(row)
            for row in session.execute(
                text("SELECT entity_id, revision_id FROM heads ORDER BY entity_id, revision_id")
            )
        ]
        search = [
            tuple(row)
            for row in session.execute(
                text("SELECT rowid, entity_id, entity_type, terms FROM search_index ORDER BY rowid")
            )
        ]
        # rank = 1: the index checked against the content too.
        session.execute(text("INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 1)"))
        asked = search_words(session) if queries is None else queries
        answers = {
            query: [
                tuple(row)
                for row in session.execute(
                    text(
                        "SELECT rowid, bm25(search_index, 0.0, 0.0, 1.0) FROM search_index"
                        " WHERE search_index MATCH :q ORDER BY rowid"
                    ),
                    {"q": query},
                )
            ]
            for query in asked
        }
    return Derived(entities, heads, search, answers)


def assert_same(fast: Vault, general: Vault) -> Derived:
    want = derived(general)
    got = derived(fast, list(want.answers))
    assert got.entities == want.entities
    assert got.heads == want.heads
    assert got.search == want.search
    assert got.answers == want.answers
    return want


def apply_in_batches(vault: Vault, history: list[Revision]) -> None:
    at = 0
    for size in BATCHES:
        vault.revisions.apply(history[at : at + size])
        at += size
    assert at >= len(history)


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Vault, Vault]]:
    fast, general = open_vault(tmp_path / "fast"), open_vault(tmp_path / "general")
    without_fsync(fast)
    without_fsync(general)
    try:
        yield fast, general
    finally:
        fast.lock()
        general.lock()


def test_a_history_in_batches_derives_the_same_rows(
    pair: tuple[Vault, Vault], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Conflicts, deletes, deletes racing edits, merges; records deleted and
    edited again (a search row goes and comes back)."""
    fast, general = pair
    history = build_history(21, fast.services.context.identity)
    apply_in_batches(fast, history)
    with general_path(monkeypatch):
        apply_in_batches(general, history)
    want = assert_same(fast, general)
    assert len(want.entities) == 300
    assert any(row[6] for row in want.entities) and any(
        row[7] for row in want.entities
    )  # deleted, conflicted
    assert sum(len(rows) for rows in want.answers.values()) > 1000
    assert fast.verify().ok


def _damage(vault: Vault, sql: str, **params: object) -> None:
    with vault.services.context.write_transaction("test: damage derived rows") as session:
        session.execute(text(sql), params)


def test_a_reused_number_and_a_stray_search_row_are_cleared(
    pair: tuple[Vault, Vault], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The largest entity row deleted (its number is reused by the next new
    record) with its search row and heads left; another row deleted below
    it; a search row above every entity's number (the next new records
    reach it). What the general path deletes first, the fast one must too."""
    fast, general = pair
    history = build_history(22, fast.services.context.identity)
    # Whole records in each part: the second adds 100 new ones.
    first = [rev for rev in history if rev.entity_id < entity_id(200)]
    rest = [rev for rev in history if rev.entity_id >= entity_id(200)]
    for vault, path in ((fast, False), (general, True)):
        with monkeypatch.context() as patched:
            if path:
                patched.setattr(store, "refresh_entities", general_refresh)
            vault.revisions.apply(first)
            with vault.services.context.write_transaction("test: numbers") as session:
                seqs = [
                    int(s) for s in session.execute(text("SELECT seq FROM entities ORDER BY seq")).scalars()
                ]
                live = [
                    int(s)
                    for s in session.execute(text("SELECT rowid FROM search_index ORDER BY rowid")).scalars()
                ]
            assert seqs[-1] in live and seqs[3] in live
            _damage(vault, "DELETE FROM entities WHERE seq IN (:a, :b)", a=seqs[3], b=seqs[-1])
            _damage(
                vault,
                "INSERT INTO search_index (rowid, entity_id, entity_type, terms) VALUES (:r, 'stray', 'case', 'stray')",
                r=seqs[-1] + 6,
            )
            vault.revisions.apply(rest)
    want = assert_same(fast, general)
    search = want.search
    assert not [row for row in search if row[1] == "stray"]
    seq_of = {row[1]: row[0] for row in want.entities}
    # Each search row under its entity's number, but the untouched one whose entity row went.
    assert all(seq_of[row[1]] == row[0] for row in search if row[1] in seq_of)
    assert [row[1] for row in search if row[1] not in seq_of] == [entity_id(3)]


def test_updates_and_new_records_of_one_refresh_in_any_order(
    pair: tuple[Vault, Vault], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One batch editing every old record and adding as many new ones,
    their ids interleaved: old numbers and new ones in one refresh, live
    records deleted and deleted ones put again."""
    fast, general = pair
    me = fast.services.context.identity
    first = [
        create_revision(
            me,
            entity_id=entity_id(n),
            entity_type="case",
            op="delete" if n % 5 == 0 else "put",
            body={} if n % 5 == 0 else {"title": f"case {n} first", "description": "shelling", "notes": ""},
            parents=[],
            hlc=Timestamp(1_700_000_000_000 + n, 0),
        )
        for n in range(0, 200, 2)
    ]
    second = [
        create_revision(
            me,
            entity_id=entity_id(n),
            entity_type="case",
            op="delete" if n % 3 == 0 else "put",
            body={}
            if n % 3 == 0
            else {"title": f"case {n} second", "description": "checkpoint", "notes": ""},
            parents=[first[n // 2].revision_id] if n % 2 == 0 else [],
            hlc=Timestamp(1_700_000_100_000 + n, 0),
        )
        for n in range(200)
    ]
    for vault, path in ((fast, False), (general, True)):
        with monkeypatch.context() as patched:
            if path:
                patched.setattr(store, "refresh_entities", general_refresh)
            vault.revisions.apply(first)
            vault.revisions.apply(second)
    want = assert_same(fast, general)
    assert len(want.search) == len([n for n in range(200) if n % 3])


def test_re_rooted_records_derive_the_same_rows(
    pair: tuple[Vault, Vault], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records a re-root names (heads and creation time by the rule with
    ``supersedes``), updated and new in the same refreshes as others."""
    fast, general = pair
    me = fast.services.context.identity
    base = [
        create_revision(
            me,
            entity_id=entity_id(n),
            entity_type="case",
            op="put",
            body={"title": f"case {n}", "description": "", "notes": ""},
            parents=[],
            hlc=Timestamp(1_700_000_000_000 + 10 * n, 0),
        )
        for n in range(20)
    ]
    forks = [
        create_revision(
            me,
            entity_id=entity_id(n),
            entity_type="case",
            op="put",
            body={"title": f"case {n} fork", "description": "fork", "notes": ""},
            parents=[],
            hlc=Timestamp(1_699_000_000_000 + n, 0),  # older than its record's first
        )
        for n in range(0, 20, 2)
    ]
    reroots = [
        create_revision(
            me,
            entity_id=entity_id(n),
            entity_type="case",
            op="put",
            body={"title": f"case {n} re-rooted", "description": "kept", "notes": ""},
            parents=[base[n].revision_id],
            hlc=Timestamp(1_700_000_500_000 + n, 0),
            reroot=Reroot("as-before", (forks[n // 2].revision_id,)),
        )
        for n in range(0, 20, 4)
    ]
    new = [
        create_revision(
            me,
            entity_id=entity_id(n),
            entity_type="case",
            op="put",
            body={"title": f"case {n} new", "description": "", "notes": ""},
            parents=[],
            hlc=Timestamp(1_700_000_600_000 + n, 0),
        )
        for n in range(20, 30)
    ]
    for vault, path in ((fast, False), (general, True)):
        with monkeypatch.context() as patched:
            if path:
                patched.setattr(store, "refresh_entities", general_refresh)
            vault.revisions.apply(base[:10])
            vault.revisions.apply(base[10:] + forks)
            vault.revisions.apply(reroots + new)
    want = assert_same(fast, general)
    assert any(row[7] for row in want.entities)  # a re-root leaves an unrevoked fork a head: a conflict


def test_a_type_clash_fails_the_same_and_changes_nothing(
    pair: tuple[Vault, Vault], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record whose heads hold two types (a damaged vault) fails the
    refresh as entity-mixed-types, naming it, and changes no row; a received
    revision of another type than its record's is refused before."""
    fast, general = pair
    me = fast.services.context.identity
    history = build_history(23, me)[:500]
    clashing = create_revision(
        me,
        entity_id=entity_id(40),  # a person in the history
        entity_type="case",
        op="put",
        body={"title": "clash", "description": "", "notes": ""},
        parents=[],
        hlc=Timestamp(1_800_000_000_000, 0),
    )
    victim = entity_id(41)
    for vault, refresh in ((fast, store.refresh_entities), (general, general_refresh)):
        with monkeypatch.context() as patched:
            patched.setattr(store, "refresh_entities", refresh)
            vault.revisions.apply(history)
            with pytest.raises(RevisionRejected):
                vault.revisions.apply([clashing])
        # A second head of the record, stored with another type by hand.
        _damage(
            vault,
            "INSERT INTO revisions (revision_id, entity_id, entity_type, op, hlc_ms, hlc_counter, device_id,"
            " signed, signature, local_seq) SELECT :rid, entity_id, 'case', op, hlc_ms + 1, hlc_counter,"
            " device_id, signed, signature, (SELECT max(local_seq) + 1 FROM revisions) FROM revisions"
            " WHERE revision_id = (SELECT revision_id FROM heads WHERE entity_id = :e LIMIT 1)",
            rid="f" * 64,
            e=victim,
        )
        before = derived(vault, [])
        with (
            pytest.raises(VaultDamaged) as failed,
            vault.services.context.write_transaction("test: refresh the damaged record") as session,
        ):
            refresh(session, [entity_id(n) for n in range(30, 60)])
        assert failed.value.code == "entity-mixed-types" and failed.value.params == {"entity_id": victim}
        assert derived(vault, []) == before
    assert_same(fast, general)


def _vm_steps_to_refresh(vault: Vault, record: str) -> int:
    """SQLite's virtual machine steps (in hundreds) refresh_entities takes
    for ``record``: a count, not a clock, so a loaded machine moves it not."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0  # go on

    with vault.services.context.write_transaction("test: count the refresh") as session:
        raw = session.connection().connection.driver_connection
        assert raw is not None
        raw.set_progress_handler(count, 100)
        try:
            store.refresh_entities(session, [record])
        finally:
            raw.set_progress_handler(None, 0)
    return steps


def test_a_record_edited_many_times_refreshes_in_time_linear_in_its_edits(tmp_path: Path) -> None:
    """The heads query finds a revision's children by the parent index: a
    record's next edit costs in proportion to its edits, not their square
    (as it did, session 17: 2,000 edits took ~1 s a refresh)."""
    vault = open_vault(tmp_path / "v")
    without_fsync(vault)
    try:
        me = vault.services.context.identity
        record = entity_id(1)
        chain: list[Revision] = []
        for n in range(1600):
            chain.append(
                create_revision(
                    me,
                    entity_id=record,
                    entity_type="case",
                    op="put",
                    body={"title": f"case v{n}", "description": "", "notes": ""},
                    parents=[chain[-1].revision_id] if chain else [],
                    hlc=Timestamp(1_700_000_000_000 + n, 0),
                )
            )
        vault.revisions.apply(chain[:400])
        short = _vm_steps_to_refresh(vault, record)
        vault.revisions.apply(chain[400:])
        long = _vm_steps_to_refresh(vault, record)
        assert long < 8 * short, (short, long)  # 4x the edits: ~4x linear, ~16x quadratic
        assert vault.cases.get(record).title == "case v1599"
    finally:
        vault.lock()
