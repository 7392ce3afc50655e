"""SHA-256 on a helper thread, so that hashing a bundle's bytes runs beside
the age layer instead of after it (hashlib releases the GIL for large
buffers). Every byte is still hashed; only the thread differs.

The queue is bounded: the producer waits when the helper falls behind, so
no more than ``depth`` chunks are held (the streaming memory bound of
docs/bundle-format.md holds)."""

from __future__ import annotations

import hashlib
import queue
import threading
from types import TracebackType
from typing import Any

_DEPTH = 8  # chunks in flight; chunks are up to ~1 MiB


class HashingThread:
    """Feeds ``hashlib`` digests on one helper thread, in the order given.
    Chunks must not change after ``update`` (bytes, not a reused buffer).
    Use as a context manager: the thread ends with the block, whatever
    happens in it."""

    def __init__(self, depth: int = _DEPTH) -> None:
        self._queue: queue.Queue[tuple[Any, bytes] | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="bundle-sha256", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                if self._error is None:
                    digest, data = item
                    digest.update(data)
            except BaseException as error:  # noqa: BLE001 - handed to the producer by settle()
                self._error = error
            finally:
                self._queue.task_done()

    def update(self, digest: Any, data: bytes) -> None:
        """``digest.update(data)`` on the helper thread, after those queued
        before. Few large chunks, not many small ones: after each update
        this thread waits for the GIL, which pyrage holds while it
        encrypts (sync/bundle/writer.py ``_HashingWriter``)."""
        if not self._thread.is_alive():
            raise RuntimeError("the hashing thread has ended")
        self._queue.put((digest, data))

    def settle(self) -> None:
        """Wait until every update queued so far is done (then a digest
        may be read)."""
        self._queue.join()
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def __enter__(self) -> HashingThread:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


class ThreadedSha256:
    """One SHA-256 fed through a HashingThread; ``hexdigest``/``digest``
    wait for what was queued."""

    def __init__(self, hasher: HashingThread) -> None:
        self._hasher = hasher
        self._digest = hashlib.sha256()

    def update(self, data: bytes) -> None:
        self._hasher.update(self._digest, data)

    def digest(self) -> bytes:
        self._hasher.settle()
        return self._digest.digest()

    def hexdigest(self) -> str:
        self._hasher.settle()
        return self._digest.hexdigest()
