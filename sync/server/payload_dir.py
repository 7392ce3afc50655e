"""Bundle bytes in a directory on one machine (the default PayloadStore).

Layout under the payload root: ``staged/<upload id>`` while an upload
arrives, ``bundles/<bundle key>`` once committed. Both names are made by the
server (random hex) and checked against that form here, so no client input
ever becomes part of a path. Every append is fsynced before it returns
(a dropped connection keeps what arrived); a commit is a rename, fsynced
in both directories, so after a crash a bundle is either still staged or
committed whole, never half.

A checked chunk (tus Upload-Checksum) is written as it arrives, hashed on
the way, and cut off again if its hash is wrong or the connection drops:
writing while receiving is what keeps a large upload near the link's speed
(docs/server.md, "Upload speed"). The writer holds an exclusive lock on the
file meanwhile; the staged length is read under a shared lock, so nobody
is told an offset that counts bytes not yet checked (busy: UploadBusy at
once; the server waits for it asynchronously, tus.py). A kill -9 while a
checked chunk is being written can leave its unchecked bytes staged: the
bundle's own signature and payload hash, checked on the last byte, still
refuse a bundle whose bytes are wrong.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from sync.server.payloads import ChecksumMismatch, OffsetMismatch, PayloadMissing, UploadBusy

__all__ = ["DirectoryPayloadStore", "OffsetMismatch"]  # OffsetMismatch: where the stores imported it first

CHUNK = 1024 * 1024
_ID = re.compile(r"[0-9a-f]{32}")
# Errors of the server process, not of one stored file: a download that
# meets one fails as the server's fault (500), never as a lost bundle.
_SERVER_FAULTS = {errno.EMFILE, errno.ENFILE, errno.ENOMEM, errno.EAGAIN, errno.EINTR}


def _checked(name: str) -> str:
    if not _ID.fullmatch(name):
        raise ValueError("a payload name is 32 hex digits made by the server")
    return name


def _writeback_starter() -> Callable[[int, int, int], object] | None:
    """Linux's sync_file_range, to start writing a piece to disk at once
    (SYNC_FILE_RANGE_WRITE: without waiting for it); None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).sync_file_range
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    function.restype = ctypes.c_int
    return lambda fd, offset, length: function(fd, offset, length, 2)


# Each piece's write-back starts as soon as it is written, while the rest of
# the chunk still arrives, so the fsync before the PATCH's answer waits only
# for the last of it (on this disk: ~0.5 s less idle link per GiB uploaded
# in 16 MiB PATCHes, docs/development.md). Only a hint to the kernel: the
# fsync still decides when the bytes count as stored.
_START_WRITEBACK = _writeback_starter()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DirectoryPayloadStore:
    # Appends to one upload never overlap, across processes (flock, with the
    # offset checked under it): the server may hash bytes as they arrive
    # (payloads.py, PayloadStore.exclusive_appends).
    exclusive_appends = True

    def __init__(self, root: Path) -> None:
        self.root = root
        self.staged = root / "staged"
        self.bundles = root / "bundles"
        for path in (root, self.staged, self.bundles):
            path.mkdir(mode=0o700, parents=True, exist_ok=True)

    def _staged(self, upload_id: str) -> Path:
        return self.staged / _checked(upload_id)

    def _bundle(self, bundle_key: str) -> Path:
        return self.bundles / _checked(bundle_key)

    def _open_for_append(self, upload_id: str, offset: int) -> int:
        """The staged file, locked for writing at ``offset`` (the caller closes it)."""
        fd = os.open(self._staged(upload_id), os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            # One writer at a time per upload, across server processes on
            # this machine: two PATCHes racing must not interleave.
            fcntl.flock(fd, fcntl.LOCK_EX)
            stored = os.fstat(fd).st_size
            if stored != offset:
                raise OffsetMismatch(stored)
            os.lseek(fd, offset, os.SEEK_SET)
        except BaseException:
            os.close(fd)
            raise
        return fd

    @staticmethod
    def _write_all(fd: int, chunk: bytes) -> None:
        view = memoryview(chunk)
        start = os.lseek(fd, 0, os.SEEK_CUR)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        if _START_WRITEBACK is not None and chunk:
            _START_WRITEBACK(fd, start, len(chunk))

    def append(self, upload_id: str, offset: int, chunks: Iterable[bytes]) -> int:
        fd = self._open_for_append(upload_id, offset)
        try:
            try:
                for chunk in chunks:
                    self._write_all(fd, chunk)
            finally:
                # What arrived before a dropped connection is kept, durably.
                os.fsync(fd)
            return os.fstat(fd).st_size
        finally:
            os.close(fd)

    def append_checked(
        self, upload_id: str, offset: int, chunks: Iterable[bytes], expected_sha256: bytes
    ) -> int:
        fd = self._open_for_append(upload_id, offset)
        try:
            digest = hashlib.sha256()
            try:
                for chunk in chunks:
                    digest.update(chunk)
                    self._write_all(fd, chunk)
                if digest.digest() != expected_sha256:
                    raise ChecksumMismatch
            except BaseException:
                # A wrong hash or a dropped connection: none of the chunk stays.
                os.ftruncate(fd, offset)
                os.fsync(fd)
                raise
            os.fsync(fd)
            return os.fstat(fd).st_size
        finally:
            os.close(fd)

    def staged_length(self, upload_id: str) -> int:
        try:
            fd = os.open(self._staged(upload_id), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            return 0
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                # The caller waits (without holding a thread) and asks again.
                raise UploadBusy from None
            return os.fstat(fd).st_size
        finally:
            os.close(fd)

    def read_staged(self, upload_id: str) -> Iterator[bytes]:
        with self._staged(upload_id).open("rb") as file:
            while chunk := file.read(CHUNK):
                yield chunk

    def commit(self, upload_id: str, bundle_key: str) -> None:
        source, target = self._staged(upload_id), self._bundle(bundle_key)
        if not source.exists():
            if target.exists():
                return  # committed before a crash: nothing to do
            raise FileNotFoundError(f"staged upload {upload_id} is gone and bundle {bundle_key} absent")
        with source.open("rb") as file:
            os.fsync(file.fileno())
        source.replace(target)
        _fsync_dir(self.bundles)
        _fsync_dir(self.staged)

    def discard(self, upload_id: str) -> None:
        self._staged(upload_id).unlink(missing_ok=True)

    def size(self, bundle_key: str) -> int | None:
        try:
            return self._bundle(bundle_key).stat().st_size
        except FileNotFoundError:
            return None

    def read_range(self, bundle_key: str, start: int, end: int) -> Iterator[bytes]:
        try:
            file = self._bundle(bundle_key).open("rb")
        except OSError as error:
            raise self._unreadable(bundle_key, error) from None
        with file:
            try:
                file.seek(start)
                left = end - start
                while left > 0:
                    chunk = file.read(min(CHUNK, left))
                    if not chunk:
                        return
                    left -= len(chunk)
                    yield chunk
            except OSError as error:
                raise self._unreadable(bundle_key, error) from None

    def _unreadable(self, bundle_key: str, error: OSError) -> OSError:
        """What a failed open or read of a committed bundle means: that
        bundle's file is gone or cannot be read (PayloadMissing: 410 for
        it alone), unless the store itself is at fault (its folder gone, as
        when the disk is not mounted; a process limit): then the error as
        it is, a 500 that stops the client's run instead of marking every
        bundle stuck."""
        if error.errno in _SERVER_FAULTS or not self.bundles.is_dir():
            return error
        return PayloadMissing(bundle_key)
