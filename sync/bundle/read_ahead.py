"""Reading the next bundle of a series while this one is applied.

``bundle import FILE...`` (and the desktop's import of many files) imports
bundles one at a time, each in its own transaction. Most of a bundle's
import that does not touch the vault is checking its revisions: parsing
each, its canonical form and its Ed25519 signature (issue 14's merge
benchmark: ~30 ms of ~120 a bundle, and ~8 more decrypting and reading its
lines). Those depend on the bundle's bytes alone. So while bundle k is
applied, one thread reads bundle k+1 as the import will (``read_bundle``:
every check of the format, the payload's hash included) and checks its
revisions (``verify_ahead``); the import of k+1 then finds its plaintext
read (sync/bundle/reader.py ``read_ahead``: kept by bundle id, which names
the payload's hash, for a bundle without evidence files) and its revisions
checked. The checks that depend on the vault (sender, sequence,
authorisation, chain, evidence ids) are the import's, under its lock, as
before, and the import still reads and hashes the file's payload itself.

A revision is taken from the reader only when its texts are the ones the
import reads (db/revisions.py), and a read only for the very bundle id and
identity, so a file changed between the two reads is decided by the
import's read alone. A failure of the reader is never reported: it keeps
nothing, and the import meets (and names) the problem itself.

The two threads share one interpreter lock: the reader's parsing runs while
the import waits on SQLite and fsync, not beside the import's own Python.

Read ahead only when it cannot cost more than it saves, nor read what the
import would not: a payload of at most READ_AHEAD_MAX_BYTES (the reader
keeps a bundle's revisions in memory until its import ends, evidence bytes
are hashed and dropped), from a device this vault knows, enrolled and with
the key of the header, and not received already (a replay reads nothing).
A bundle from an unknown device is held in quarantine by the import without
its payload being read: the reader leaves it unread too.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyrage

from db.api import ENTITY_TYPES, Vault, forget_ahead, verify_ahead
from sync.bundle.reader import check_header, forget_read, read_ahead

log = logging.getLogger(__name__)

# A merged field worker's bundle of revisions is well under this; one with
# video is read by its import alone (it would be decrypted twice for little).
READ_AHEAD_MAX_BYTES = 32 * 1024 * 1024

# What the reader kept of one bundle: its revisions' keys (db/revisions.py)
# and its read's (sync/bundle/reader.py), forgotten once its import ends.
_Kept = tuple[list[Any], Any]
_NOTHING: _Kept = ([], None)


class _Stopped(Exception):
    """The series ended (or stopped) before the reader finished."""


class ReadAhead:
    """``over(paths)`` yields each path in turn for its import, with the
    next one read meanwhile. Use as a context manager or through ``over``
    alone: leaving the loop early stops the reader and forgets what it read."""

    def __init__(
        self,
        vault: Vault,
        identity: str | pyrage.x25519.Identity,
        *,
        org_id: str | None,
        max_payload: int = READ_AHEAD_MAX_BYTES,
    ) -> None:
        self._vault = vault
        self._identity = identity
        self._org_id = org_id
        self._max_payload = max_payload
        self._stop = threading.Event()
        # How many bundles the reader checked ahead (for tests and benchmarks).
        self.read = 0

    def over(self, paths: Sequence[Path]) -> Iterator[Path]:
        self._stop.clear()
        with ThreadPoolExecutor(1, thread_name_prefix="bundle-read-ahead") as pool:
            ahead: Future[_Kept] | None = None
            try:
                for index, path in enumerate(paths):
                    current, ahead = ahead, None
                    if index + 1 < len(paths):
                        ahead = pool.submit(self._read, paths[index + 1])
                    # Bundle k's revisions, read while k-1 was applied: waited
                    # for, so that its import does not check them a second time.
                    kept = current.result() if current is not None else _NOTHING
                    try:
                        yield path
                    finally:
                        _forget(kept)
                    if self._vault.is_locked:
                        # Locked (the vault dropped what was checked ahead):
                        # nothing more is read, the rest go through as they come.
                        self._stop.set()
            finally:
                self._stop.set()
                if ahead is not None:
                    _forget(ahead.result())

    def _read(self, path: Path) -> _Kept:
        if self._stop.is_set():
            return _NOTHING
        try:
            return self._checked_revisions(path)
        except Exception as failed:  # noqa: BLE001 -- the import reads it again and names the fault
            # The type only: a message may quote the bundle.
            log.debug("bundle not read ahead: %s", type(failed).__name__)
            return _NOTHING

    def _checked_revisions(self, path: Path) -> _Kept:
        checked = check_header(path, org_id=self._org_id)
        header = checked.header
        if header.payload_size > self._max_payload:
            return _NOTHING
        device = self._vault.sync.device(header.device_id)
        if device is None or device.status != "enrolled" or device.public_key != header.device_key:
            return _NOTHING
        if self._vault.sync.received_bundle(checked.bundle_id) is not None:
            return _NOTHING
        wires, read = read_ahead(path, self._identity, org_id=self._org_id, progress=self._progress)
        kept = (verify_ahead(wires, ENTITY_TYPES) if not self._stop.is_set() else [], read)
        if self._stop.is_set():
            _forget(kept)
            return _NOTHING
        self.read += 1
        return kept

    def _progress(self, _done: int, _total: int) -> None:
        if self._stop.is_set():
            raise _Stopped


def _forget(kept: _Kept) -> None:
    forget_ahead(kept[0])
    forget_read(kept[1])
