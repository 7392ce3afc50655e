"""The server's storage: its migrations give exactly the tables the code
declares, and the directory payload store keeps bytes through the staged ->
committed steps, never takes a name from outside, and repeats a commit
harmlessly (what start-up recovery relies on)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from sync.server.payload_dir import DirectoryPayloadStore, OffsetMismatch
from sync.server.schema import metadata
from sync.server.storage import open_engine, sqlite_url, upgrade

UPLOAD = "0123456789abcdef0123456789abcdef"
KEY = "fedcba9876543210fedcba9876543210"


def test_migrations_build_the_declared_schema(tmp_path: Path) -> None:
    _migrations_match(sqlite_url(tmp_path / "server.db"))


def test_the_same_migrations_build_it_on_postgresql(postgres_url: str) -> None:
    _migrations_match(postgres_url)


def _migrations_match(url: str) -> None:
    engine = open_engine(url)
    upgrade(engine)
    upgrade(engine)  # a second start changes nothing
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_staged_bytes_resume_commit_and_read_back(tmp_path: Path) -> None:
    store = DirectoryPayloadStore(tmp_path / "payloads")
    assert store.staged_length(UPLOAD) == 0
    assert store.append(UPLOAD, 0, [b"abc", b"def"]) == 6
    with pytest.raises(OffsetMismatch) as mismatch:
        store.append(UPLOAD, 3, [b"xyz"])
    assert mismatch.value.stored == 6 and store.staged_length(UPLOAD) == 6
    assert store.append(UPLOAD, 6, [b"ghij"]) == 10
    assert b"".join(store.read_staged(UPLOAD)) == b"abcdefghij"
    store.commit(UPLOAD, KEY)
    store.commit(UPLOAD, KEY)  # after a crash between rename and the database: a no-op
    assert store.staged_length(UPLOAD) == 0 and store.size(KEY) == 10
    assert b"".join(store.read_range(KEY, 2, 7)) == b"cdefg"
    assert (tmp_path / "payloads" / "bundles" / KEY).stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("name", ["../../etc/passwd", "a" * 31, "A" * 32, "0123456789abcdef0123456789abcde/"])
def test_names_from_outside_never_become_paths(tmp_path: Path, name: str) -> None:
    store = DirectoryPayloadStore(tmp_path / "payloads")
    with pytest.raises(ValueError):
        store.append(name, 0, [b"x"])
    with pytest.raises(ValueError):
        store.size(name)
    assert list((tmp_path / "payloads" / "staged").iterdir()) == []


def test_a_commit_with_nothing_staged_and_nothing_committed_fails(tmp_path: Path) -> None:
    store = DirectoryPayloadStore(tmp_path / "payloads")
    with pytest.raises(FileNotFoundError):
        store.commit(UPLOAD, KEY)
