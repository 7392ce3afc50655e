"""Applying a large batch of received revisions in one call (the set-based
path in db/store.py) stores exactly what applying them one at a time does,
and verify, which rebuilds each entity from its revisions, finds no problem."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text

from db.device import DeviceIdentity
from db.hlc import Timestamp
from db.keyring_store import NoKeyring
from db.revisions import Revision, create_revision
from db.vault import Vault
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

CASES = 30
PEOPLE = 270
REVISIONS = 2000


def entity_id(n: int) -> str:
    return f"01900000-0000-7000-8000-{n:012d}"


def build_history(seed: int, device: DeviceIdentity) -> list[Revision]:
    """Revisions of 300 entities: edits, forks (two heads racing: a
    conflict), merges of forks, deletes and deletes racing edits. Signed by
    the receiving vault's own device (as if restored from its own bundle),
    so that verify knows the key."""
    rng = random.Random(seed)
    entities = [(entity_id(n), "case" if n < CASES else "person") for n in range(CASES + PEOPLE)]
    heads: dict[str, list[str]] = {}
    revisions: list[Revision] = []
    for step in range(REVISIONS):
        # Every entity gets a first revision, then random ones get more.
        eid, etype = entities[step] if step < len(entities) else rng.choice(entities)
        current = heads.get(eid, [])
        roll = rng.random()
        if not current or roll < 0.15:
            parents: list[str] = rng.sample(current, k=min(len(current), 1)) if roll < 0.1 else []
        else:
            parents = list(current)  # merges every head it sees
        if roll < 0.05 and current:
            parents = rng.sample(current, k=1)  # a fork against a sibling: conflict
        op = "delete" if etype == "person" and rng.random() < 0.08 else "put"
        body: dict[str, object] = (
            {"title": f"case {eid[-4:]} v{step}", "description": "shelling", "notes": ""}
            if etype == "case"
            else {
                "case_id": entity_id(rng.randrange(CASES)),
                "pseudonym": f"W-{step}",
                "name": "",
                "roles": [],
                "sensitive": {},
                "notes": f"seen at checkpoint {step}",
            }
        )
        rev = create_revision(
            device,
            entity_id=eid,
            entity_type=etype,
            op=op,
            body=body if op == "put" else {},
            parents=parents,
            hlc=Timestamp(1_700_000_000_000 + step * 10 + rng.randint(0, 30), rng.randint(0, 3)),
        )
        revisions.append(rev)
        heads[eid] = [*(h for h in current if h not in parents), rev.revision_id]
    return revisions


def snapshot(vault: Vault) -> dict[str, object]:
    """Everything derived from revisions, keyed so that the order rows were
    written in does not matter."""
    with vault.services.context.write_transaction("read derived tables") as session:
        entities = {
            row[0]: tuple(row[1:])
            for row in session.execute(
                text(
                    "SELECT entity_id, entity_type, case_id, head_revision_id, body, deleted,"
                    " conflicted, created_ms, updated_ms FROM entities"
                )
            )
        }
        heads = {tuple(row) for row in session.execute(text("SELECT entity_id, revision_id FROM heads"))}
        search = {
            tuple(row)
            for row in session.execute(
                text(
                    "SELECT s.entity_id, s.entity_type, s.terms, e.entity_id FROM search_index s"
                    " JOIN entities e ON e.seq = s.rowid"
                )
            )
        }
        revisions = session.execute(text("SELECT count(*), count(DISTINCT local_seq) FROM revisions")).one()
    return {"entities": entities, "heads": heads, "search": search, "revisions": tuple(revisions)}


def open_vault(folder: Path) -> Vault:
    return Vault.create(folder, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault


def without_fsync(vault: Vault) -> None:
    """The reference vault's 2,000 one-revision transactions each waited for
    an fsync (most of this test's time on a busy disk). What a commit stores
    does not depend on when it reaches the platter, so the reference skips
    the wait; the bulk vault keeps the vault's own setting (FULL)."""
    with vault.services.context.write_transaction("test: find the engine") as session:
        engine = session.get_bind()
    assert isinstance(engine, Engine)

    def no_fsync(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA synchronous = OFF")  # after the vault's own FULL

    event.listen(engine, "connect", no_fsync)
    engine.dispose()  # the pooled connections come back with it
    with vault.services.context.write_transaction("test: check") as session:
        assert session.execute(text("PRAGMA synchronous")).scalar() == 0


def test_a_bulk_apply_stores_what_applying_one_by_one_does(tmp_path: Path) -> None:
    bulk = open_vault(tmp_path / "bulk")
    single = open_vault(tmp_path / "single")
    without_fsync(single)
    try:
        history = build_history(11, bulk.services.context.identity)
        # Some entities exist before the bulk apply, so it updates rows as well as adding them.
        for rev in history[:100]:
            assert bulk.revisions.apply([rev]) == 1
        assert bulk.revisions.apply(history) == REVISIONS - 100  # the first 100 are skipped
        for rev in history:
            single.revisions.apply([rev])

        got, want = snapshot(bulk), snapshot(single)
        entities = want["entities"]
        assert isinstance(entities, dict) and len(entities) == CASES + PEOPLE
        assert any(row[5] for row in entities.values()), "the history must include deletes"
        assert any(row[6] for row in entities.values()), "the history must include conflicts"
        assert got == want
        report = bulk.verify()
        assert report.ok, [(p.kind, p.subject[:12], p.detail) for p in report.problems[:3]]
    finally:
        bulk.lock()
        single.lock()
