"""The server's end-to-end tests again, on the scale-out backends: metadata
in a real PostgreSQL (tests/pg_helpers.py) and payloads in S3 (moto's
server over HTTP, tests/s3_helpers.py). The tests are imported unchanged
from their modules; the autouse fixture below points running_server at
PostgreSQL + S3 and, after each test, checks that the bundles went to the
bucket (nothing half-uploaded left there, no payload directory) and that no
canary string of a testimony or evidence file reached PostgreSQL or S3."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from sync.server.payload_s3 import S3PayloadStore
from tests.pg_helpers import PostgresServer
from tests.s3_helpers import S3Endpoint
from tests.sync.server import server_helpers
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
    assert any(key.startswith("fieldvault/bundles/") for key in objects), "no bundle reached S3"
    assert not any(key.startswith("fieldvault/staged/") for key in objects)
    assert not list(tmp_path.rglob("payloads"))
    assert not list(tmp_path.rglob("server.db"))
    for key, data in objects.items():
        assert CANARY not in data, key
    with postgres_server.connect(postgres_url.rsplit("/", 1)[1]) as conn:
        stored = conn.execute("select count(*) from bundles").fetchone()
        receipts = conn.execute("select count(*) from receipts").fetchone()
    assert stored is not None and receipts is not None
    assert stored[0] == len([key for key in objects if "/bundles/" in key])
    assert int(str(receipts[0])) >= int(str(stored[0])) > 0
    assert CANARY not in _database_bytes(postgres_server, postgres_url)
