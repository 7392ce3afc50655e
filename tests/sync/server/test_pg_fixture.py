"""The PostgreSQL that the server's PostgreSQL tests run against
(tests/pg_helpers.py): a real server, not run as root, reachable on
loopback only and with a password, each test in a database of its own,
and nothing left behind."""

from __future__ import annotations

import os

import psycopg
import pytest
import sqlalchemy as sa

from tests.pg_helpers import PostgresServer, postgres_or_skip


def test_the_url_opens_an_empty_database_of_its_own(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    try:
        with engine.begin() as conn:
            assert (
                conn.execute(sa.text("select count(*) from pg_tables where schemaname='public'")).scalar()
                == 0
            )
            conn.execute(sa.text("create table t (id integer primary key)"))
            conn.execute(sa.text("insert into t values (1)"))
        with engine.connect() as conn:
            assert conn.execute(sa.text("select id from t")).scalar() == 1
            assert conn.execute(sa.text("show server_version_num")).scalar() is not None
    finally:
        engine.dispose()


def test_it_runs_unprivileged_on_loopback_with_a_password(postgres_server: PostgresServer) -> None:
    with postgres_server.connect() as conn:
        data_dir = conn.execute("show data_directory").fetchone()
        listen = conn.execute("show listen_addresses").fetchone()
    assert data_dir is not None and listen is not None
    assert os.stat(str(data_dir[0])).st_uid != 0
    assert listen[0] == "127.0.0.1"
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(
            host=postgres_server.host,
            port=postgres_server.port,
            user=postgres_server.user,
            password="wrong",
            dbname="postgres",
        )


def test_a_started_server_is_gone_afterwards() -> None:
    with postgres_or_skip() as server:
        with server.connect() as conn:
            assert conn.execute("select 1").fetchone() == (1,)
        root, port = server.root, server.port
    assert not root.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(
            host="127.0.0.1", port=port, user=server.user, password=server.password, connect_timeout=2
        )
