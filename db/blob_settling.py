"""An import's received evidence files made durable beside the import, not in its way.

Each evidence file a bundle brings is written under a temp name, fsynced and
renamed into the blob store (db/blobstore.py). Done on the importing thread,
every file's last fsync, its rename and the fsync of the folder stopped the
import (and with it the decrypting child, whose pipe filled) for 15-50 ms a
file: ~0.15 s of a 512 MiB import of eight files, far more for a bundle of
hundreds of photos. Here one thread of the import's own does them, in the
order the files were closed, while the importing thread reads on; ``finish``
waits for every file and then fsyncs the folder once, and the import commits
only after it. So the rule of the store is kept: the database row that names
a blob is the commit point, and it commits only once the blob's bytes and
name are on the disk.

What a crash leaves is what it left before: temp files (removed at the next
unlock, they were never evidence) and files renamed before the commit, which
no row names (moved to quarantine at the next unlock, never deleted).
"""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import Future, ThreadPoolExecutor
from typing import BinaryIO

from db.atomicio import fsync_directory
from db.blobstore import BackgroundFlush, BlobStore, WrittenBlob
from db.errors import StorageError

# Files closed and not yet durable, at most: each holds an open file
# descriptor until its fsync. Past it the importing thread waits for the oldest.
MAX_UNSETTLED = 16


class BlobSettler:
    """Durability of an import's closed evidence files, on a thread of its own."""

    def __init__(self, store: BlobStore) -> None:
        self._store = store
        self._executor: ThreadPoolExecutor | None = None
        self._settling: list[tuple[Future[None], WrittenBlob]] = []
        self._waited = 0  # how many of _settling are known settled
        # Set by abandon: files not yet begun are closed, not made durable
        # only to be removed (review 31 F2).
        self._abandoned = False

    def settle(self, out: BinaryIO, flush: BackgroundFlush | None, written: WrittenBlob) -> None:
        """Take over ``out`` (the temp blob, written in full and flushed to
        the kernel) and its ``flush``: wait for that flush, fsync, close and
        rename the file to its blob id. A failure is raised by ``finish`` (or
        here, once too many files wait: then, as when this raises anything,
        the file was not taken over and stays the caller's)."""
        if len(self._settling) - self._waited >= MAX_UNSETTLED:
            self._settling[self._waited][0].result()
            self._waited += 1
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fieldvault-settle")
        future = self._executor.submit(self._make_durable, out, flush, written)
        self._settling.append((future, written))  # taken over: from here abandon removes it

    def _make_durable(self, out: BinaryIO, flush: BackgroundFlush | None, written: WrittenBlob) -> None:
        try:
            try:
                if flush is not None and not self._abandoned:
                    flush.wait()  # raises a failed flush's error
            finally:
                if flush is not None:
                    flush.close()  # before the file: a flush under way uses it
            if self._abandoned:
                return  # closed below, removed by abandon
            os.fsync(out.fileno())
        except OSError as err:
            raise StorageError("store the evidence file", err) from err
        finally:
            with contextlib.suppress(OSError):
                out.close()
        try:
            written.temp_path.replace(self._store.path(written.blob_id))
        except OSError as err:
            raise StorageError("store the evidence file", err) from err

    def finish(self) -> None:
        """Wait until every file handed over is durable under its blob id,
        then make the renames durable with one fsync of the folder (as
        ``BlobStore.commit`` does for one file). Raises the first failure."""
        for future, _written in self._settling:
            future.result()
        self._close_thread()
        if self._settling:
            with contextlib.suppress(OSError):  # as BlobStore.commit: not every file system has it
                fsync_directory(self._store.folder)

    def abandon(self) -> None:
        """The import failed: wait for the thread, then remove every file
        handed over, under whichever name it has (these bytes were this
        import's own, never committed); those not begun yet are only
        closed, not made durable first. Safe to repeat; raises nothing."""
        self._abandoned = True
        self._close_thread()
        for _future, written in self._settling:
            self._store.discard(written.temp_path)
            self._store.discard(self._store.path(written.blob_id))
        self._settling.clear()

    def _close_thread(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None


__all__ = ["MAX_UNSETTLED", "BlobSettler"]
