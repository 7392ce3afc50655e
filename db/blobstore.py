"""Evidence blobs on disk: streaming, hashing and encrypting in one pass.

The plaintext is read once: each chunk goes to a hashing thread and is sealed
and written by the caller's thread, while a third thread flushes what was
written to the disk, so hashing, encryption and disk writes overlap, and at
most a few chunks are in memory whatever the file size. Blobs are written to a
``.tmp-`` name, fsynced and renamed; the database row that refers to a blob is
the commit point. A blob file no row refers to (a crash between rename and
commit, or a database put back from an older copy) is never deleted: it moves
to ``quarantine/`` at the next unlock, and back when a database that knows it
returns (docs/vault-format.md, "Quarantine").
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, ClassVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from db.atomicio import TEMP_PREFIX, fsync_directory, owner_only, sync_data
from db.blobformat import DEFAULT_SEGMENT_SIZE, BlobHeader, BlobReader, SegmentSealer
from db.errors import Codes, FieldvaultError, Param, StorageError, VaultDamaged

IN_FLIGHT_CHUNKS = 4
# Start flushing written data to the disk every so many chunks while hashing
# still runs, so that the final fsync does not wait for the whole file.
SYNC_EVERY_CHUNKS = 64
# The same for evidence received in a bundle (db/sync_import.py BlobWriter):
# its final fsync waited ~37 ms per 64 MiB file on the importing thread, 0.3 s
# of a 512 MiB import's ~1.9 s; flushed every 16 MiB on the side, the wait
# at the end is ~half that (docs/development.md, bundle benchmarks).
IMPORT_FLUSH_EVERY = 16 << 20
ProgressCallback = Callable[[int, int], None]
# A recording under way (or interrupted) and its journal (db/recording.py):
# settle leaves them alone, the unlock recovers them.
RECORDING_PREFIX = ".rec-"


class OperationCancelled(FieldvaultError):
    """The user stopped a long operation; it left nothing behind."""

    codes: ClassVar[Codes] = {"cancelled": ()}

    def __init__(
        self, message: str = "Cancelled; nothing was changed.", code: str = "cancelled", **params: Param
    ) -> None:
        super().__init__(message, code, field=None, **params)


class IntakeCancelled(OperationCancelled):
    codes: ClassVar[Codes] = {"intake-cancelled": ()}

    def __init__(self) -> None:
        super().__init__("Intake cancelled; nothing was added to the vault.", "intake-cancelled")


class ExportCancelled(OperationCancelled):
    codes: ClassVar[Codes] = {"export-cancelled": ("entity_id",)}

    def __init__(self, evidence_id: str) -> None:
        super().__init__(
            f"Export of evidence {evidence_id} cancelled; no file was written.",
            "export-cancelled",
            entity_id=evidence_id,
        )


class CancelToken:
    """Set from any thread (e.g. a Cancel button) to stop a long operation."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


class OverlappedSha256:
    """SHA-256 computed in a second thread while the caller encrypts, decrypts
    or writes: hashlib releases the GIL, so the two run on two cores. At most
    ``IN_FLIGHT_CHUNKS`` chunks wait, which bounds memory."""

    def __init__(self) -> None:
        self._digest = hashlib.sha256()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fieldvault-hash")
        self._pending: deque[Future[None]] = deque()

    def update(self, chunk: bytes) -> None:
        # One worker thread runs the updates in submission order.
        self._pending.append(self._executor.submit(self._digest.update, chunk))
        if len(self._pending) >= IN_FLIGHT_CHUNKS:
            self._pending.popleft().result()

    def hexdigest(self) -> str:
        while self._pending:
            self._pending.popleft().result()
        return self._digest.hexdigest()

    def __enter__(self) -> OverlappedSha256:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_exc: object) -> None:
        # On error the queued updates no longer matter; otherwise they finish,
        # so hexdigest() stays right after the block.
        self._executor.shutdown(wait=True, cancel_futures=exc_type is not None)


class BackgroundFlush:
    """``fdatasync`` of a file being written, run in a third thread.

    Flushing as we go keeps the final fsync short; doing it in the writing
    thread stalled that thread for each flush (0.6 s per GiB here), and with
    it the hashing thread, which ran out of chunks. At most one flush runs; a
    nudge while one is under way is dropped (the next one covers its data). A
    flush that failed raises at the next nudge or at ``wait``."""

    def __init__(self, fd: int, every: int | None = None) -> None:
        self._fd = fd
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fieldvault-flush")
        self._running: Future[None] | None = None
        self._every = every
        self._unflushed = 0

    def wrote(self, size: int) -> None:
        """``size`` more bytes were written: nudge once ``every`` bytes were
        written since the last nudge (the thread starts only then, so a
        small file never starts one)."""
        self._unflushed += size
        if self._every is not None and self._unflushed >= self._every:
            self._unflushed = 0
            self.nudge()

    def nudge(self) -> None:
        if self._running is not None:
            if not self._running.done():
                return
            self._running.result()
        self._running = self._executor.submit(sync_data, self._fd)

    def wait(self) -> None:
        if self._running is not None:
            self._running.result()

    def close(self) -> None:
        """End the thread; call it before closing the file. Safe to repeat."""
        # Always wait: the file descriptor must outlive the flush using it.
        self._executor.shutdown(wait=True)

    def __enter__(self) -> BackgroundFlush:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class WrittenBlob:
    blob_id: str
    temp_path: Path
    key: bytes
    sha256: str
    size: int


def wrap_blob_key(blobs_subkey: bytes, blob_id: str, key: bytes) -> bytes:
    nonce = secrets.token_bytes(12)
    return nonce + AESGCM(blobs_subkey).encrypt(nonce, key, f"fieldvault-blob-key|{blob_id}".encode())


def unwrap_blob_key(blobs_subkey: bytes, blob_id: str, wrapped: bytes) -> bytes:
    try:
        return AESGCM(blobs_subkey).decrypt(
            wrapped[:12], wrapped[12:], f"fieldvault-blob-key|{blob_id}".encode()
        )
    except InvalidTag:
        raise VaultDamaged(
            f"The key of evidence blob {blob_id} does not decrypt.", "blob-key-undecryptable", blob_id=blob_id
        ) from None


class BlobStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, blob_id: str) -> Path:
        return self.folder / blob_id

    def write(
        self,
        source: BinaryIO,
        total: int,
        *,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
        segment_size: int = DEFAULT_SEGMENT_SIZE,
    ) -> WrittenBlob:
        """Encrypt ``source`` into a temp blob; the caller commits or discards it."""
        blob_id = secrets.token_bytes(16)
        key = secrets.token_bytes(32)
        header = BlobHeader.new(blob_id, segment_size)
        sealer = SegmentSealer(key, header)
        temp = self.folder / f"{TEMP_PREFIX}{secrets.token_hex(8)}"
        done = 0
        try:
            with (
                OverlappedSha256() as digest,
                open(temp, "xb", buffering=0) as out,  # noqa: PTH123 - need unbuffered writes
                BackgroundFlush(out.fileno()) as flush,
            ):
                owner_only(out.fileno())
                out.write(header.to_bytes())
                chunk = source.read(segment_size)
                while True:
                    if cancel is not None and cancel.cancelled:
                        raise IntakeCancelled()
                    following = source.read(segment_size) if len(chunk) == segment_size else b""
                    digest.update(chunk)
                    out.write(sealer.seal(chunk, last=not following))
                    done += len(chunk)
                    if progress is not None:
                        # A file still growing while it is read: never past 100 %.
                        progress(done, max(total, done))
                    if done % (SYNC_EVERY_CHUNKS * segment_size) == 0:
                        flush.nudge()
                    if not following:
                        break
                    chunk = following
                sha256 = digest.hexdigest()
                flush.wait()
                os.fsync(out.fileno())
        except OSError as err:
            self.discard(temp)
            raise StorageError("store the evidence file", err) from err
        except BaseException:
            self.discard(temp)
            raise
        return WrittenBlob(blob_id.hex(), temp, key, sha256, done)

    def commit(self, written: WrittenBlob) -> None:
        """Give the temp blob its final name (random: never the hash)."""
        try:
            written.temp_path.replace(self.path(written.blob_id))
        except OSError as err:
            self.discard(written.temp_path)
            raise StorageError("store the evidence file", err) from err
        with contextlib.suppress(OSError):
            fsync_directory(self.folder)

    def discard(self, path: Path) -> None:
        with contextlib.suppress(OSError):
            path.unlink()

    def open(self, blob_id: str, key: bytes) -> BlobReader:
        try:
            handle = open(self.path(blob_id), "rb")  # noqa: SIM115, PTH123 - the reader owns it
        except FileNotFoundError:
            raise VaultDamaged(
                f"Evidence blob {blob_id} is missing from the vault.", "blob-missing", blob_id=blob_id
            ) from None
        try:
            return BlobReader(handle, key, bytes.fromhex(blob_id))
        except BaseException:
            handle.close()
            raise

    def settle(self, known: set[str], quarantine: Path) -> Settled:
        """Put every blob file where the database says it belongs.

        Our own incomplete writes (``.tmp-``) are removed: they were never
        evidence (the source is kept until the row commits). Anything else no
        row refers to moves to ``quarantine``, and a quarantined file a row
        refers to moves back. Nothing else is deleted: an unknown file may be
        the only copy of someone's evidence under a database restored from an
        older backup. Call it only while no other process writes."""
        restored: list[str] = []
        quarantined: list[str] = []
        if quarantine.is_dir():
            for path in sorted(quarantine.iterdir()):
                if path.name in known and not self.path(path.name).exists():
                    path.replace(self.path(path.name))
                    restored.append(path.name)
        for path in sorted(self.folder.iterdir()):
            if path.name.startswith(TEMP_PREFIX):
                self.discard(path)
            elif path.name.startswith(RECORDING_PREFIX):
                continue
            elif path.name not in known:
                quarantine.mkdir(mode=0o700, exist_ok=True)
                target = quarantine / path.name
                if target.exists():  # the same name twice: keep both
                    target = quarantine / f"{path.name}.{secrets.token_hex(4)}"
                path.replace(target)
                quarantined.append(path.name)
        if restored or quarantined:
            fsync_directory(self.folder)
            fsync_directory(quarantine)
        return Settled(restored=restored, quarantined=quarantined)


@dataclass(frozen=True)
class Settled:
    """What ``BlobStore.settle`` moved, by file name (blob ids)."""

    restored: list[str]
    quarantined: list[str]
