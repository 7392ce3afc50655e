"""Time-stamping the head of the server's receipt log, periodically and on
demand (docs/server.md, "Independent time").

``LogStamper.stamp_now()`` reads the log's head from the metadata database,
asks the configured TSA for a token over its checkpoint (timestamping.py)
unless the head was stamped already, and records the token in the metadata
database (table log_timestamps, one per log size: every server process
behind a load balancer sees the same tokens, and two that stamp the same
size at once keep one) and, as the copy a court reads with standard tools,
side by side with its checkpoint in a folder beside the log
(``<data>/timestamps``).
``LogStamper.start(interval)`` does the same every ``interval`` seconds on
a thread of its own until ``stop()``. A TSA that is down costs a retry at
the next tick, never a request of a device.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from sync.server.protocol import GENESIS
from sync.server.schema import log_timestamps, receipts
from sync.server.service import event
from sync.server.storage import Metadata
from sync.server.timestamping import (
    LogCheckpoint,
    LogTimestamp,
    TimestampError,
    load_certificates,
    request_timestamp,
    write_timestamp,
)


@dataclass(frozen=True)
class TsaConfig:
    """The time-stamping authority: its URL and the CA certificates a token
    must chain to (the TSA publishes them)."""

    url: str
    roots: tuple[x509.Certificate, ...]

    @classmethod
    def from_files(cls, url: str, ca_pem: Path) -> TsaConfig:
        return cls(url, tuple(load_certificates(ca_pem.read_bytes())))


def log_head(metadata: Metadata) -> tuple[int, str]:
    """(size, head) of the receipt log: the last entry's index and SHA-256,
    or (0, GENESIS) while it is empty."""
    with metadata.engine.connect() as conn:
        last = conn.execute(
            select(receipts.c.idx, receipts.c.entry_sha256).order_by(receipts.c.idx.desc()).limit(1)
        ).first()
    return (int(last.idx), str(last.entry_sha256)) if last is not None else (0, GENESIS)


@dataclass(frozen=True)
class StoredTimestamp:
    """A token as the database keeps it: the checkpoint's bytes and the
    TSA's TimeStampResp (DER) over them."""

    size: int
    head: str
    checkpoint: bytes
    token: bytes
    serial: str
    gen_time_ms: int


def stored_timestamps(metadata: Metadata, start: int = 1, limit: int = 100) -> list[StoredTimestamp]:
    """Tokens for log sizes >= start, smallest first."""
    t = log_timestamps.c
    with metadata.engine.connect() as conn:
        rows = conn.execute(
            select(t.size, t.head, t.checkpoint, t.token, t.serial, t.gen_time_ms)
            .where(t.size >= start)
            .order_by(t.size)
            .limit(limit)
        ).all()
    return [
        StoredTimestamp(
            int(r.size), str(r.head), bytes(r.checkpoint), bytes(r.token), str(r.serial), int(r.gen_time_ms)
        )
        for r in rows
    ]


def stored_timestamp(metadata: Metadata, size: int) -> StoredTimestamp | None:
    found = stored_timestamps(metadata, size, 1)
    return found[0] if found and found[0].size == size else None


def _record(metadata: Metadata, stamp: LogTimestamp) -> bool:
    """Keep the token in the database; False when another process recorded
    one for this log size first (theirs stands)."""
    try:
        with metadata.engine.begin() as conn:
            conn.execute(
                insert(log_timestamps).values(
                    size=stamp.checkpoint.size,
                    head=stamp.checkpoint.head,
                    checkpoint=stamp.checkpoint.to_bytes(),
                    token=stamp.response,
                    serial=f"{stamp.serial_number:x}",
                    gen_time_ms=int(stamp.gen_time.timestamp() * 1000),
                )
            )
    except IntegrityError:
        return False
    return True


class LogStamper:
    def __init__(self, metadata: Metadata, server_key: bytes, tsa: TsaConfig, folder: Path) -> None:
        self.metadata = metadata
        self.origin = server_key.hex()
        self.tsa = tsa
        self.folder = folder
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def stamped_sizes(self) -> set[int]:
        """Log sizes that have a token in the database."""
        with self.metadata.engine.connect() as conn:
            return {int(size) for size in conn.execute(select(log_timestamps.c.size)).scalars()}

    def stamp_now(self) -> LogTimestamp | None:
        """Stamp the current head; None when it has a token already (here or
        from another server process), or the log is empty. Raises
        TimestampError when the TSA fails."""
        with self._lock:
            size, head = log_head(self.metadata)
            if size == 0 or stored_timestamp(self.metadata, size) is not None:
                return None
            return self._stamp(size, head)

    def latest(self) -> StoredTimestamp | None:
        """The token for the log's current head, stamped now when it has none
        (on demand: POST /v1/receipts/timestamps); None for an empty log.
        Raises TimestampError when the TSA fails."""
        with self._lock:
            size, head = log_head(self.metadata)
            if size == 0:
                return None
            if stored_timestamp(self.metadata, size) is None:
                self._stamp(size, head)
            return stored_timestamp(self.metadata, size)

    def _stamp(self, size: int, head: str) -> LogTimestamp | None:
        stamp = request_timestamp(self.tsa.url, LogCheckpoint(self.origin, size, head), self.tsa.roots)
        if not _record(self.metadata, stamp):
            return None  # another server process stamped this size first
        # The database is the record every process serves; the files are the
        # copy a court checks with openssl alone (a crash between the two
        # loses only this copy; the token stays in the database and the API).
        write_timestamp(self.folder, stamp)
        event("log-timestamped", size=size, serial=f"{stamp.serial_number:x}")
        return stamp

    def _run(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.stamp_now()
            except TimestampError as exc:
                event("log-timestamp-failed", code=exc.code)

    def start(self, interval: float) -> None:
        """Stamp every ``interval`` seconds (when the head moved) until stop()."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(interval,), name="log-stamper", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
