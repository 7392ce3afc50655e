"""Time-stamping the head of the server's receipt log, periodically and on
demand (docs/server-backends.md, "Independent time").

``LogStamper.stamp_now()`` reads the log's head from the metadata database,
asks the configured TSA for a token over its checkpoint (timestamping.py)
unless the head was stamped already, and keeps the token and checkpoint
side by side in a folder beside the log (``<data>/timestamps``).
``LogStamper.start(interval)`` does the same every ``interval`` seconds on
a thread of its own until ``stop()``. A TSA that is down costs a retry at
the next tick, never a request of a device.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from sqlalchemy import select

from sync.server.protocol import GENESIS
from sync.server.schema import receipts
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
        """Log sizes that have a token in the folder."""
        if not self.folder.is_dir():
            return set()
        return {int(path.name.split("-", 1)[0]) for path in self.folder.glob("*.tsr")}

    def stamp_now(self) -> LogTimestamp | None:
        """Stamp the current head; None when it has a token already (or the
        log is empty). Raises TimestampError when the TSA fails."""
        with self._lock:
            size, head = log_head(self.metadata)
            if size == 0 or size in self.stamped_sizes():
                return None
            stamp = request_timestamp(self.tsa.url, LogCheckpoint(self.origin, size, head), self.tsa.roots)
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
