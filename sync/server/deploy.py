"""Setting a server up and opening it: what ``fieldvault serve`` wires
(docs/server.md, "Deployment"). The data folder holds the TLS certificate
and key, the receipt key, the SQLite database (unless --db names another)
and the payload directory."""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from fastapi import FastAPI

from sync.org import normalise_fingerprint, read_profile
from sync.server.app import ServerConfig, create_app
from sync.server.errors import ServerRefused
from sync.server.keys import ServerFiles, cert_sha256_of_pem, load_receipt_key, make_receipt_key, make_tls
from sync.server.log_stamping import TsaConfig
from sync.server.payload_dir import DirectoryPayloadStore
from sync.server.payloads import PayloadStore
from sync.server.protocol import b64
from sync.server.service import Limits, Service
from sync.server.storage import Metadata, open_engine, sqlite_url, upgrade


@dataclass(frozen=True)
class Initialised:
    cert_sha256: str
    fingerprint: str
    org_id: str | None
    receipt_key: str  # base64 of the raw Ed25519 public key: goes into the profile (org set-server)


def database_url(data: Path, db: str | None) -> str:
    return db if db else sqlite_url(data / "server.db")


def init_server(
    data: Path,
    org_fingerprint: str,
    *,
    profile: bytes | None = None,
    names: list[str] | None = None,
    db: str | None = None,
    payloads: PayloadStore | None = None,
) -> Initialised:
    """Make the server's keys in ``data`` (never replacing any), create its
    database and pin the organisation by fingerprint; with ``profile`` (a
    profile file of that organisation) also its key and first profile."""
    fp = normalise_fingerprint(org_fingerprint)
    checked = read_profile(profile, expected_fingerprint=fp) if profile is not None else None
    data.mkdir(mode=0o700, parents=True, exist_ok=True)
    files = ServerFiles(data)
    if files.cert.exists() or files.receipt_key.exists():
        raise FileExistsError(f"{data} holds a server already; it was left as it is.")
    cert = make_tls(files, names or ["localhost", "127.0.0.1", "::1"])
    make_receipt_key(files)
    metadata = Metadata(open_engine(database_url(data, db)))
    upgrade(metadata.engine)
    metadata.pin(fp)
    if profile is not None:
        store = payloads if payloads is not None else DirectoryPayloadStore(data / "payloads")
        service = Service(metadata, store, load_receipt_key(files), Limits())
        service.put_profile(profile)
    receipt_key = b64(load_receipt_key(files).public_key().public_bytes_raw())
    return Initialised(cert, fp, checked.org_id if checked else None, receipt_key)


def payload_store(data: Path, s3: str | None = None) -> PayloadStore:
    """The payload directory in ``data``, or with ``s3`` ("s3://BUCKET" or
    "s3://BUCKET/PREFIX") S3-compatible storage through boto3, which takes
    its endpoint and credentials from the standard AWS variables
    (AWS_ENDPOINT_URL_S3, AWS_ACCESS_KEY_ID, ...; docs/server.md §7)."""
    if s3 is None:
        return DirectoryPayloadStore(data / "payloads")
    bucket, _, prefix = s3.removeprefix("s3://").partition("/")
    if not s3.startswith("s3://") or not bucket:
        raise ValueError("S3 storage is given as s3://BUCKET or s3://BUCKET/PREFIX")
    import boto3

    from sync.server.payload_s3 import S3PayloadStore

    return S3PayloadStore(boto3.client("s3"), bucket, prefix=prefix)


def open_app(
    data: Path,
    db: str | None = None,
    limits: Limits | None = None,
    payloads: PayloadStore | None = None,
    *,
    tsa: TsaConfig | None = None,
    stamp_interval: float = 0.0,
) -> FastAPI:
    """The app for the server in ``data``; ``payloads`` replaces the payload
    directory (S3 for scale-out: payload_s3.py, docs/server.md). With
    ``tsa`` the receipt log's head is time-stamped every ``stamp_interval``
    seconds (0: only on demand), the tokens kept in the database and as
    files in ``data/timestamps``."""
    files = ServerFiles(data)
    metadata = Metadata(open_engine(database_url(data, db)))
    upgrade(metadata.engine)
    if metadata.org_state() is None:
        raise ServerRefused(409, "org-not-pinned", f"{data}: run 'fieldvault serve --init --org FP' first.")
    store = payloads if payloads is not None else DirectoryPayloadStore(data / "payloads")
    config = ServerConfig(
        metadata,
        store,
        load_receipt_key(files),
        limits or Limits(),
        tsa=tsa,
        timestamps_folder=data / "timestamps",
        stamp_interval=stamp_interval,
    )
    return create_app(config)


def cert_sha256(data: Path) -> str:
    return cert_sha256_of_pem(ServerFiles(data).cert.read_bytes())


class JsonLines(logging.Formatter):
    """A log record as one JSON line: time, level, event and its ids."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "t": round(record.created, 3),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
        }
        line.update(getattr(record, "ids", {}))
        return json.dumps(line, separators=(",", ":"))


def configure_logging(stream: TextIO | None = None, path: Path | None = None) -> None:
    """Our events as JSON lines; uvicorn's own access log stays off (it
    would write client addresses)."""
    handler: logging.Handler = (
        logging.FileHandler(path) if path else logging.StreamHandler(stream or sys.stderr)
    )
    handler.setFormatter(JsonLines())
    logger = logging.getLogger("fieldvault.server")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
