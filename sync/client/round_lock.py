"""One sync round per vault at a time, across processes (review 18 R3).

``fieldvault sync`` in a shell while the app's own round runs on the same
vault were two rounds at once: the second one's hand-over step removed the
parts of a series the first was still writing (not delivered yet, noted
unfinished: sync/client/hand_over_unfinished.py), and both could make a
bundle at once (one failing ``bundle-number-taken``). A round now holds an
exclusive lock for its whole length; a second round on that vault, in
another process or another thread, does not wait behind it: it stops at
once with ``sync-round-running`` (the app's worker tries again on its
backoff; the command says so and exits).

The lock is an advisory ``flock`` on the vault's spool folder itself (a
directory descriptor, as ``db/openlock.py`` locks the vault folder for a
key change): no file is added to the vault folder, the panic wipe has
nothing more to remove, and a kill releases it with the process. On Windows
(no flock) rounds are not kept apart across processes, as key changes are
not."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import ClassVar

from db.api import Codes, FieldvaultError, Vault
from sync.client.push import spool_dir

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]


class SyncRoundRunning(FieldvaultError):
    """Another sync round holds this vault; this one did nothing."""

    codes: ClassVar[Codes] = {"sync-round-running": ()}

    def __init__(self) -> None:
        super().__init__(
            "A sync round is already running on this vault (the app's, or another 'fieldvault sync'); "
            "nothing was done. Try again once it has finished.",
            "sync-round-running",
        )


@contextlib.contextmanager
def one_round(vault: Vault) -> Iterator[None]:
    """Hold this vault's sync round lock for the ``with`` block, or raise
    SyncRoundRunning at once when another round holds it."""
    if fcntl is None:
        yield
        return
    fd = os.open(spool_dir(vault), os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SyncRoundRunning() from None
        yield
    finally:
        os.close(fd)  # releases the lock


__all__ = ["SyncRoundRunning", "one_round"]
