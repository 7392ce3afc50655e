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
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from sync.bundle.format import MAGIC, PREFIX_SIZE, SIGNATURE_SIZE
from sync.bundle.hashing import HashingThread

# Uploads whose hashes one server process holds at most (about 0.5 KiB
# each); the oldest beyond this fall back to the read-back at their end.
HELD_UPLOADS = 20_000


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

    def update(self, data: bytes) -> None:
        """``feed``, by the name HashingThread calls."""
        self.feed(data)

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


class Feeding:
    """Feeds ArrivalHashes with a chunk's pieces on their way to the store:
    the first on the writer's thread, the rest on a helper thread (one per
    PATCH, only for a chunk of more than one piece), so that these two
    hashes run beside the writer's own (the chunk's checksum) and the write.
    The helper's queue is bounded (HashingThread): it holds a few pieces at
    most. Use as a context manager; ``settled`` waits for the hashing."""

    def __init__(self, hashes: ArrivalHashes) -> None:
        self.hashes = hashes
        self._helper: HashingThread | None = None

    def pieces(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """``chunks`` as they are, each fed to the hashes."""
        for index, chunk in enumerate(chunks):
            if index == 0:
                self.hashes.feed(chunk)
            else:
                self._helper = self._helper or HashingThread()
                self._helper.update(self.hashes, chunk)
            yield chunk

    def settled(self) -> ArrivalHashes | None:
        """The hashes once every piece is in them; None if hashing failed
        (the upload then falls back to the read-back)."""
        if self._helper is not None:
            try:
                self._helper.settle()
            except Exception:  # noqa: BLE001 - the stored chunk stands; only these hashes are lost
                return None
        return self.hashes

    def __enter__(self) -> Feeding:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._helper is not None:
            self._helper.close()


class HeldHashes:
    """Per upload id, the ArrivalHashes of its stored bytes. A held object
    is never changed again (PATCHes feed copies), so readers need no lock
    beyond the one around the table."""

    def __init__(self, *, enabled: bool = True, limit: int = HELD_UPLOADS) -> None:
        self.enabled = enabled  # False: nothing is ever held (a store whose appends may race)
        self.limit = limit
        self._held: collections.OrderedDict[str, ArrivalHashes] = collections.OrderedDict()
        self._lock = threading.Lock()

    def continuing(self, upload_id: str, offset: int) -> ArrivalHashes | None:
        """Hashes to feed a chunk that starts at ``offset``: a copy of the
        held ones when they end there, new ones at 0, else None (this
        process did not see the bytes before ``offset``)."""
        if not self.enabled:
            return None
        if offset == 0:
            return ArrivalHashes()
        with self._lock:
            held = self._held.get(upload_id)
        return held.copy() if held is not None and held.offset == offset else None

    def keep(self, upload_id: str, hashes: ArrivalHashes | None, stored: int) -> None:
        """The store now holds ``stored`` bytes: keep ``hashes`` if they
        cover exactly those, forget the upload's otherwise."""
        with self._lock:
            if hashes is None or hashes.offset != stored:
                self._held.pop(upload_id, None)
                return
            self._held[upload_id] = hashes
            self._held.move_to_end(upload_id)
            while len(self._held) > self.limit:
                self._held.popitem(last=False)

    def take(self, upload_id: str, length: int) -> ArrivalHashes | None:
        """The hashes of a complete upload of ``length`` bytes, if held
        (and no longer held: the last byte uses them once)."""
        with self._lock:
            held = self._held.pop(upload_id, None)
        return held if held is not None and held.offset == length else None

    def forget(self, upload_id: str) -> None:
        with self._lock:
            self._held.pop(upload_id, None)
