"""A bundle's ciphertext written to its file on a helper thread.

pyrage encrypts on the calling thread and holds the interpreter lock while
it does; ``os.writev`` lets go of it while the kernel makes the writer wait
(the page cache full of dirty pages: the write waits for the disk). Written
on the thread that encrypts, every such wait stopped the encryption too:
on this machine ~1.1 s of a 1 GiB export's ~3 s was spent inside writev.
Written here, the encryption goes on meanwhile, as ``age`` goes on while
``tar``'s output waits in a pipe.

The order of the writes is kept (one thread, one queue) and the queue is
bounded, so at most ``depth`` chunks of ~1 MiB wait (the streaming memory
bound of docs/bundle-format.md holds). The first write that fails is kept:
the next ``put`` or ``settle`` raises it, and nothing after it is written."""

from __future__ import annotations

import os
import queue
import threading
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from db.api import BackgroundFlush

_DEPTH = 8  # chunks in flight; chunks are ~1 MiB


class WriteBehind:
    """Writes lists of pieces to ``fd`` at its offset, in the order given,
    each followed by ``flusher.wrote``. Use as a context manager: the thread
    ends with the block, whatever happens in it (before the file closes)."""

    def __init__(self, fd: int, flusher: BackgroundFlush, depth: int = _DEPTH) -> None:
        self._fd = fd
        self._flusher = flusher
        self._queue: queue.Queue[list[bytes] | None] = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="bundle-write", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            pieces = self._queue.get()
            try:
                if pieces is None:
                    return
                if self.error is None:
                    self._flusher.wrote(write_all(self._fd, pieces))
            except BaseException as error:  # noqa: BLE001 - raised on the producer's thread (put, settle)
                self.error = error
            finally:
                self._queue.task_done()

    def put(self, pieces: list[bytes]) -> None:
        """Write ``pieces`` after those given before (the list is the
        caller's no more); a write that failed before raises here."""
        if self.error is not None:
            raise self.error
        if not self._thread.is_alive():
            raise RuntimeError("the writing thread has ended")
        self._queue.put(pieces)

    def settle(self) -> None:
        """Wait until every write given so far is done; raise the first that failed."""
        self._queue.join()
        if self.error is not None:
            raise self.error

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def __enter__(self) -> WriteBehind:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def write_all(fd: int, pieces: list[bytes]) -> int:
    """Write the pieces at the file's offset in one system call where it
    can (pyrage hands over ~32 KiB at a time: a write each cost ~0.1 s of
    CPU per 512 MiB); a short write is finished piece by piece."""
    size = sum(map(len, pieces))
    if not hasattr(os, "writev"):  # Windows: one write a piece
        for piece in pieces:
            view = memoryview(piece)
            while view:
                view = view[os.write(fd, view) :]
        return size
    written = os.writev(fd, pieces)
    if written < size:
        rest = memoryview(b"".join(pieces))[written:]
        while rest:
            rest = rest[os.write(fd, rest) :]
    return size
