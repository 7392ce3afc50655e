"""The server's end-to-end and authentication tests again, on the
scale-out backends: metadata in a real PostgreSQL (tests/pg_helpers.py) and
payloads in S3 (moto's server over HTTP, tests/s3_helpers.py). The tests
(and the fixtures they use) are imported unchanged from their modules; the
autouse fixture below points running_server at PostgreSQL + S3 and, after
each test, checks that every bundle the database knows is in the bucket
and nothing half-uploaded is left there, that no payload directory or
SQLite file was made, and that no canary string of a testimony or evidence
file reached PostgreSQL or S3. (test_tus.py looks into the payload
directory itself, so it stays on the directory backend.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from sync.server.payload_s3 import S3PayloadStore
from tests.pg_helpers import PostgresServer
from tests.s3_helpers import S3Endpoint
from tests.sync.server import server_helpers
from tests.sync.server.test_server_auth import *  # noqa: F403 - its tests and fixtures, collected again here
from tests.sync.server.test_server_e2e import (  # noqa: F401 - collected again here, on PostgreSQL + S3
    test_enrol_upload_receipt_changes_range_download_import_ack,
)

CANARY = b"CANARY-"  # the prefix of every canary the end-to-end tests plant


def _database_bytes(server: PostgresServer, url: str) -> bytes:
    """Every value of every table of the database, as bytes."""
    database = url.rsplit("/", 1)[1]
    parts: list[bytes] = []
    with server.connect(database) as conn:
        tables = [
            str(row[0]) for row in conn.execute("select tablename from pg_tables where schemaname = 'public'")
        ]
        for table in tables:
            for row in conn.execute(
                psycopg.sql.SQL("select * from {}").format(psycopg.sql.Identifier(table))
            ):
                for value in row:
                    if isinstance(value, bytes | bytearray | memoryview):
                        parts.append(bytes(value))
                    elif value is not None:
                        parts.append(str(value).encode())
    return b"\n".join(parts)


def _bucket_objects(store: S3PayloadStore) -> dict[str, bytes]:
    objects = {}
    for page in store.client.get_paginator("list_objects_v2").paginate(Bucket=store.bucket):
        for item in page.get("Contents", []):
            objects[item["Key"]] = store.client.get_object(Bucket=store.bucket, Key=item["Key"])[
                "Body"
            ].read()
    return objects


@pytest.fixture(autouse=True)
def postgres_and_s3(
    request: pytest.FixtureRequest,
    postgres_server: PostgresServer,
    postgres_url: str,
    s3_endpoint: S3Endpoint,
    s3_bucket: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[S3PayloadStore]:
    store = S3PayloadStore(s3_endpoint.client(), s3_bucket, prefix="fieldvault")
    monkeypatch.setattr(server_helpers, "BACKEND", server_helpers.Backend(postgres_url, store))
    yield store
    objects = _bucket_objects(store)
    bundle_objects = [key for key in objects if key.startswith("fieldvault/bundles/")]
    assert not any(key.startswith("fieldvault/staged/") for key in objects)
    assert not list(tmp_path.rglob("payloads"))
    assert not list(tmp_path.rglob("server.db"))
    for key, data in objects.items():
        assert CANARY not in data, key
    with postgres_server.connect(postgres_url.rsplit("/", 1)[1]) as conn:
        tables = {
            str(row[0]) for row in conn.execute("select tablename from pg_tables where schemaname = 'public'")
        }
        stored = conn.execute("select count(*) from bundles").fetchone() if "bundles" in tables else (0,)
    assert stored is not None and stored[0] == len(bundle_objects)
    if request.node.name == "test_enrol_upload_receipt_changes_range_download_import_ack":
        assert bundle_objects, "the end-to-end bundle did not reach S3"
        assert tables, "the metadata did not go to PostgreSQL"
    assert CANARY not in _database_bytes(postgres_server, postgres_url)
