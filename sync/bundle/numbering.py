"""One lock per vault for its bundle numbers (review 17 F5).

Every bundle this device makes takes the next number of its one sequence
(docs/bundle-format.md §2): its own bundle to coordinators
(``export_bundle``), a send-back, a history hand-over's parts. Each reads the
last number, writes the file, then records the number as made. The GUI runs
an export lane and a sync lane at once, so two of them could read the same
number: the later record is refused (the numbers must follow), and a file
already written under that number could stay in the spool as if it were the
recorded bundle (a fork at the other desks). A split hand-over holds the lock
across all its parts, so its numbers stay consecutive and another bundle
waits for the next free number, looking at its own cancel between short
waits (a Stop need not wait for a whole hand-over; review 18 R4).

A thread lock, per vault folder: it orders the lanes of one process. Two
processes may hold one vault open (the GUI while a CLI command runs,
db/openlock.py); between them a number can still be read twice. Then the
later record is refused: that bundle fails with BundleNotWritten
``bundle-number-taken`` and its own file is removed (``record_or_refuse``),
never left in the spool under another bundle's number."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from db.api import Vault
from sync.bundle.errors import BundleNotWritten

_GUARD = threading.Lock()
_LOCKS: dict[str, threading.RLock] = {}


def _lock_of(vault: Vault) -> threading.RLock:
    key = str(vault.folder.resolve())
    with _GUARD:
        lock = _LOCKS.get(key)
        if lock is None:
            lock = _LOCKS[key] = threading.RLock()
        return lock


# How long one wait for the lock lasts before the caller's cancel is looked
# at again: a Stop is noticed within it, not after a whole hand-over (review 18 R4).
WAIT_SLICE_S = 0.2


@contextmanager
def bundle_numbering(vault: Vault, check_cancel: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold this vault's bundle numbers: from reading the last one to
    recording the bundle(s) made. Re-entrant (a hand-over's parts, an
    adoption inside an export). While another lane holds them (a long
    hand-over), ``check_cancel`` is called between short waits and its
    exception (the caller's cancel) ends the wait."""
    lock = _lock_of(vault)
    while not lock.acquire(timeout=WAIT_SLICE_S):
        if check_cancel is not None:
            check_cancel()
    try:
        yield
    finally:
        lock.release()


def record_or_refuse(record: Callable[[], None], sequence: int) -> None:
    """Call ``record`` (the vault's ``record_bundle_made``, bound with its
    arguments). A number recorded meanwhile by another bundle (another
    process's, outside this lock) becomes BundleNotWritten
    ``bundle-number-taken`` rather than an uncoded ValueError; the caller
    removes its own file."""
    try:
        record()
    except ValueError:
        raise BundleNotWritten.number_taken(sequence) from None


__all__ = ["bundle_numbering", "record_or_refuse"]
