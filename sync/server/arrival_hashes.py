"""The two hashes the last byte of an upload needs, computed while its bytes
arrive instead of by reading the staged file back at the end
(docs/server.md, "Upload speed"): the SHA-256 of the whole file (the
receipt's ``file_sha256``) and of the bundle's payload (what its signed
header states, bundle-format.md §5.7).

Each PATCH feeds a copy of what the upload's earlier PATCHes left, and the
copy replaces it only when the store kept the whole chunk: a chunk refused
(460) or cut off by a dropped connection leaves the hashes as they were, as
it leaves the staged file. The hashes are trusted for an upload only when
they cover exactly its stored length, fed in order by this process. A
staged file only grows, except that a chunk being written is cut back to
where it began, so the bytes below a length it once had never change: a
PATCH that starts where our hashes end continues the very bytes they
covered. That needs a store whose appends to one upload cannot both
succeed at one offset (the payload directory's flock; not S3, where racing
puts at one offset leave the last one's bytes): for any other store
nothing is held. Anything else (a restart, a PATCH that went to another
server process, an upload whose hashes were evicted) leaves no hashes, and
the last byte reads the staged file back as before. Both ways the same
checks run on the same bytes; only when they are hashed differs.
"""

from __future__ import annotations

import collections
import hashlib
import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sync.bundle.format import MAGIC, PREFIX_SIZE, SIGNATURE_SIZE

# Uploads whose hashes one server process holds at most (about 0.5 KiB
# each); the oldest beyond this fall back to the read-back at their end.
HELD_UPLOADS = 20_000
# Pieces (~1 MiB each) a PATCH's hashing helper may fall behind its writer:
# as much as one checked chunk may hold (Limits.max_checked_chunk).
HELPER_DEPTH = 64


class ArrivalHashes:
    """SHA-256 of bytes [0, ``offset``) of a staged upload, and of the part
    of them after the bundle's signed prefix (magic, header length, header,
    signature), whose end the header length in the first bytes fixes."""

    def __init__(self) -> None:
        self.offset = 0
        self.file: Any = hashlib.sha256()
        self.payload: Any = hashlib.sha256()
        self.head = b""  # the first PREFIX_SIZE bytes, until they are all here
        self.payload_start: int | None = None

    def copy(self) -> ArrivalHashes:
        twin = ArrivalHashes()
        twin.offset, twin.head, twin.payload_start = self.offset, self.head, self.payload_start
        twin.file, twin.payload = self.file.copy(), self.payload.copy()
        return twin

    def feed(self, data: bytes) -> None:
        """The next bytes of the upload, in order (hashlib releases the GIL
        for them: the event loop keeps receiving meanwhile)."""
        start = self.offset
        self.file.update(data)
        if self.payload_start is None:
            self.head += data[: PREFIX_SIZE - len(self.head)]
            if len(self.head) == PREFIX_SIZE:
                # Unchecked here: the last byte checks the header itself and
                # trusts these hashes only if its prefix ends exactly here.
                length = int.from_bytes(self.head[len(MAGIC) :], "big")
                self.payload_start = PREFIX_SIZE + length + SIGNATURE_SIZE
        self.offset = start + len(data)
        if self.payload_start is not None and self.offset > self.payload_start:
            self.payload.update(memoryview(data)[max(0, self.payload_start - start) :])


class _Helper:
    """A thread that takes the hashes of the bytes before a chunk (a copy,
    once the previous chunk's helper is done) and feeds them the chunk's
    pieces, in order. Its queue is bounded (the writer waits when it falls
    that far behind) and it ends by itself once ``end`` was called and the
    pieces are hashed."""

    def __init__(self, base: _Held | None) -> None:
        self._base = base  # None: the upload's first bytes
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=HELPER_DEPTH)
        self.hashes: ArrivalHashes | None = None
        self._thread = threading.Thread(target=self._run, name="arrival-sha256", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        base, self._base = self._base, None  # no chain of helpers kept alive
        try:
            start = base.settled() if base is not None else ArrivalHashes()
            hashes = start.copy() if start is not None else None
        except BaseException:  # noqa: BLE001 - no hashes: the last byte reads the file back
            hashes = None
        while (piece := self._queue.get()) is not None:
            if hashes is not None:
                try:
                    hashes.feed(piece)
                except BaseException:  # noqa: BLE001 - as above
                    hashes = None
        self.hashes = hashes

    def put(self, piece: bytes) -> None:
        self._queue.put(piece)

    def end(self) -> None:
        self._queue.put(None)

    def wait(self) -> ArrivalHashes | None:
        """The hashes once the pieces put before ``end`` are in them; None
        if they could not be made."""
        self._thread.join()
        return self.hashes


class Feeding:
    """Feeds a chunk's pieces, on their way to the store, to a helper
    thread that hashes them (one per PATCH), so that these two hashes run
    beside the writer's own (the chunk's checksum) and the write. Neither
    the writer nor the PATCH's answer waits for them: the next chunk's
    helper does, and the last byte. Use as a context manager."""

    def __init__(self, base: _Held | None, start: int) -> None:
        self._base = base
        self.end = start  # the stored length once the pieces handed on are stored
        self.helper: _Helper | None = None
        self.failed = False  # no helper could be started: these hashes are lost

    def pieces(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """``chunks`` as they are, each handed to the helper."""
        for chunk in chunks:
            self.end += len(chunk)
            if not self.failed:
                try:
                    self.helper = self.helper or _Helper(self._base)
                except RuntimeError:  # no thread to be had: the last byte reads the file back
                    self.failed = True
                else:
                    self.helper.put(chunk)
            yield chunk

    def __enter__(self) -> Feeding:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.helper is not None:
            self.helper.end()  # never waits here: the helper ends by itself


@dataclass(frozen=True)
class _Held:
    """Hashes of a staged upload's first ``end`` bytes, done or on their way."""

    end: int
    helper: _Helper | None  # None: no bytes (end 0)

    def settled(self) -> ArrivalHashes | None:
        return self.helper.wait() if self.helper is not None else ArrivalHashes()


class HeldHashes:
    """Per upload id, the hashes of its stored bytes. Hashes once made are
    never changed again (each chunk's helper feeds a copy), so readers need
    no lock beyond the one around the table."""

    def __init__(self, *, enabled: bool = True, limit: int = HELD_UPLOADS) -> None:
        self.enabled = enabled  # False: nothing is ever held (a store whose appends may race)
        self.limit = limit
        self._held: collections.OrderedDict[str, _Held] = collections.OrderedDict()
        self._lock = threading.Lock()

    def continuing(self, upload_id: str, offset: int) -> Feeding | None:
        """A Feeding for a chunk that starts at ``offset``: continuing the
        held hashes when they end there, new ones at 0, else None (this
        process did not see the bytes before ``offset``). Never waits."""
        if not self.enabled:
            return None
        if offset == 0:
            return Feeding(None, 0)
        with self._lock:
            held = self._held.get(upload_id)
        return Feeding(held, offset) if held is not None and held.end == offset else None

    def keep(self, upload_id: str, feeding: Feeding, stored: int) -> None:
        """The store now holds ``stored`` bytes: keep the hashes ``feeding``
        feeds if they cover exactly those, forget the upload's otherwise."""
        with self._lock:
            if feeding.helper is None and feeding.end == stored and not feeding.failed:
                return  # no bytes: what is held still holds
            if feeding.end != stored or feeding.helper is None or feeding.failed:
                self._held.pop(upload_id, None)
                return
            self._held[upload_id] = _Held(feeding.end, feeding.helper)
            self._held.move_to_end(upload_id)
            while len(self._held) > self.limit:
                self._held.popitem(last=False)

    def take(self, upload_id: str, length: int) -> ArrivalHashes | None:
        """The hashes of a complete upload of ``length`` bytes, if held
        (and no longer held: the last byte uses them once); waits for their
        last pieces."""
        with self._lock:
            held = self._held.pop(upload_id, None)
        return held.settled() if held is not None and held.end == length else None

    def forget(self, upload_id: str) -> None:
        with self._lock:
            self._held.pop(upload_id, None)
