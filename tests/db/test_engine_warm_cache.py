"""A vault's engine hands out the connection used last (db/engine.py,
``use_lifo``): in WAL mode a connection drops its page cache once another
connection commits, and every page read again is decrypted and its HMAC
checked again. So a coordinator importing bundle after bundle, with reads
between them, keeps one connection and one warm cache; a second connection
is still there whenever two sessions are open at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, text

from db.keyring_store import NoKeyring
from db.vault import Vault
from tests.factory import make_case
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE


def _checkouts(vault: Vault) -> list[int]:
    engine = vault._engine  # the test looks under the services, at the pool itself
    assert engine is not None
    seen: list[int] = []

    def checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        seen.append(id(dbapi_connection))

    event.listen(engine.pool, "checkout", checkout)
    return seen


def test_writes_and_reads_one_after_another_use_one_connection(tmp_path: Path) -> None:
    vault = Vault.create(tmp_path / "v", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    try:
        sessions = vault.services.context.sessions
        # Two sessions at once, as an import's own reads inside its write
        # transaction (the held profile): the pool holds two connections now.
        with sessions() as first, sessions() as second:
            for session in (first, second):
                session.execute(text("SELECT count(*) FROM entities")).scalar_one()
        seen = _checkouts(vault)
        for number in range(4):
            case = make_case(vault, title=f"Case {number}")  # a write transaction
            assert vault.cases.get(case.id).title == f"Case {number}"  # a read
            vault.sync.received_bundle("0" * 64)  # another read, as an import makes
        assert len(seen) >= 12
        assert len(set(seen)) == 1, (
            "transactions took turns between connections: each began with a cold cache"
        )
    finally:
        vault.lock()


def test_two_sessions_open_at_once_still_get_two_connections(tmp_path: Path) -> None:
    vault = Vault.create(tmp_path / "v", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    try:
        make_case(vault)
        seen = _checkouts(vault)
        sessions = vault.services.context.sessions
        with sessions() as first, sessions() as second:
            counts = [s.execute(text("SELECT count(*) FROM entities")).scalar_one() for s in (first, second)]
        assert counts == [1, 1]
        assert len(set(seen)) == 2
    finally:
        vault.lock()
