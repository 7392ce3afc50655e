"""refresh_entities numbers new entity rows itself (max(seq) + 1, ... in
entity id order) and reads a record's search text straight off its body:
both must give exactly what SQLite's own numbering and
``from_body(body).search_text()`` give (H6, session 16). Compared here
against those, kept as the reference."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from db import store
from db.entities import RECORD_TYPES
from db.vault import Vault
from tests.db.test_bulk_apply import build_history, open_vault


def numbered_rows(vault: Vault) -> dict[str, object]:
    """The derived rows with their numbers: entities by seq, search rows by rowid."""
    with vault.services.context.write_transaction("read derived rows") as session:
        entities = [
            tuple(row)
            for row in session.execute(
                text(
                    "SELECT seq, entity_id, entity_type, case_id, head_revision_id, body, deleted,"
                    " conflicted, created_ms, updated_ms FROM entities ORDER BY seq"
                )
            )
        ]
        search = [
            tuple(row)
            for row in session.execute(
                text("SELECT rowid, entity_id, entity_type, terms FROM search_index ORDER BY rowid")
            )
        ]
    return {"entities": entities, "search": search}


def test_new_rows_get_the_numbers_sqlite_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    given = open_vault(tmp_path / "given")
    sqlite_numbered = open_vault(tmp_path / "sqlite")
    try:
        history = build_history(5, given.services.context.identity)[:600]
        # A gap below the largest number and the largest row deleted: SQLite
        # numbers from the largest remaining one, and so must we.
        for vault in (given, sqlite_numbered):
            vault.revisions.apply(history[:40])
            with vault.services.context.write_transaction("test: gaps") as session:
                seqs = [
                    int(s) for s in session.execute(text("SELECT seq FROM entities ORDER BY seq")).scalars()
                ]
                assert len(seqs) > 3
                session.execute(
                    text("DELETE FROM entities WHERE seq IN (:a, :b)"), {"a": seqs[1], "b": seqs[-1]}
                )
        given.revisions.apply(history[40:])
        with monkeypatch.context() as patched:
            patched.setattr(store, "_MAX_ROWID", 0)  # always SQLite's numbering: the code before
            sqlite_numbered.revisions.apply(history[40:])
        got, want = numbered_rows(given), numbered_rows(sqlite_numbered)
        assert len(got["entities"]) > 200  # type: ignore[arg-type]
        assert got == want
    finally:
        given.lock()
        sqlite_numbered.lock()


def test_numbers_near_sqlites_largest_are_left_to_sqlite(tmp_path: Path) -> None:
    """Past the largest rowid SQLite picks unused numbers at random: the
    rows are still stored, each with its own search row."""
    vault = open_vault(tmp_path / "v")
    try:
        history = build_history(6, vault.services.context.identity)[:300]
        vault.revisions.apply(history[:20])
        with vault.services.context.write_transaction("test: a number near the largest") as session:
            session.execute(
                text("UPDATE entities SET seq = :big WHERE seq = 1"), {"big": store._MAX_ROWID - 2}
            )
            session.execute(text("DELETE FROM search_index"))
        vault.revisions.apply(history[20:])
        rows = numbered_rows(vault)
        entities, search = rows["entities"], rows["search"]
        assert isinstance(entities, list) and isinstance(search, list)
        ids = [row[1] for row in entities]
        assert len(ids) == len(set(ids)) == len({rev.entity_id for rev in history})
        seq_of = {row[1]: row[0] for row in entities}
        live = {row[1] for row in entities if not row[6]}
        # every live entity added after the move has its search row under its own number
        added = {rev.entity_id for rev in history[20:]} - {rev.entity_id for rev in history[:20]}
        assert {(row[0], row[1]) for row in search if row[1] in added} == {
            (seq_of[e], e) for e in added if e in live
        }
        assert vault.verify().ok
    finally:
        vault.lock()


ODD_VALUES: list[object] = [
    "",
    "text",
    "line\nbreak",
    0,
    1,
    1.5,
    False,
    True,
    None,
    [],
    ["a"],
    {},
    {"k": "v"},
]


def bodies(record_type: type) -> list[dict[str, Any]]:
    """Bodies with every searched field absent or holding odd values, each
    required field present or not, and extra and bookkeeping keys."""
    import dataclasses

    fields = [f.name for f in dataclasses.fields(record_type) if f.name not in ("id", "revision")]
    searched = list(record_type.searchable)  # type: ignore[attr-defined]
    out: list[dict[str, Any]] = []
    base = {name: "x" for name in fields}
    for name in searched:
        for value in ODD_VALUES:
            out.append({**base, name: value})
        out.append({k: v for k, v in base.items() if k != name})
    for drop in fields:
        out.append({k: v for k, v in base.items() if k != drop})
    for values in itertools.product(["", "a", None, 0], repeat=min(len(searched), 3)):
        out.append({**base, **dict(zip(searched, values, strict=False)), "unknown": "y", "conflicted": True})
    out.append({})
    return out


@pytest.mark.parametrize("entity_type", sorted(RECORD_TYPES))
def test_search_text_off_the_body_is_the_records(entity_type: str) -> None:
    record_type = RECORD_TYPES[entity_type]
    assert store._search_plan(record_type) is not None  # the quick way is taken for every type
    for body in bodies(record_type):
        try:
            want: object = record_type.from_body(body).search_text()
        except TypeError as error:  # a body missing a required field
            want = type(error)
        try:
            got: object = store._search_text(record_type, body)
        except TypeError as error:
            got = type(error)
        assert got == want, (entity_type, sorted(body))


def test_a_type_of_its_own_keeps_the_record_object() -> None:
    """A record type with its own search_text or __post_init__ is not read off the body."""
    import dataclasses

    from db.entities import Incident

    @dataclasses.dataclass(kw_only=True)
    class Shouting(Incident):
        def search_text(self) -> str:
            return super().search_text().upper()

    @dataclasses.dataclass(kw_only=True)
    class Trimmed(Incident):
        def __post_init__(self) -> None:
            self.title = self.title.strip()

    @dataclasses.dataclass(kw_only=True)
    class Listed(Incident):
        tags: list[str] = dataclasses.field(default_factory=lambda: ["made"])
        searchable = ("title", "tags")

    @dataclasses.dataclass(kw_only=True)
    class SearchesItsId(Incident):
        searchable = ("title", "id")  # from_body takes no bookkeeping field from a body

    assert store._search_plan(SearchesItsId) is not None
    with_id = {"case_id": "c", "title": "t", "id": "from the body"}
    assert store._search_text(SearchesItsId, with_id) == SearchesItsId.from_body(with_id).search_text() == "t"
    assert store._search_plan(Shouting) is None and store._search_plan(Trimmed) is None
    assert store._search_plan(Listed) is None
    body = {"case_id": "c", "title": "  Loud  "}
    assert store._search_text(Shouting, body) == "  LOUD  "
    assert store._search_text(Trimmed, body) == "Loud"
    assert store._search_text(Listed, body) == "  Loud  \n['made']"
