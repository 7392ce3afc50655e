"""Bundle bytes in a directory on one machine (the default PayloadStore).

Layout under the payload root: ``staged/<upload id>`` while an upload
arrives, ``bundles/<bundle key>`` once committed. Both names are made by the
server (random hex) and checked against that form here, so no client input
ever becomes part of a path. Every append is fsynced before it returns
(a dropped connection keeps what arrived); a commit is a rename, fsynced
in both directories, so after a crash a bundle is either still staged or
committed whole, never half.
"""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from sync.server.payloads import OffsetMismatch

__all__ = ["DirectoryPayloadStore", "OffsetMismatch"]  # OffsetMismatch: where the stores imported it first

CHUNK = 1024 * 1024
_ID = re.compile(r"[0-9a-f]{32}")


def _checked(name: str) -> str:
    if not _ID.fullmatch(name):
        raise ValueError("a payload name is 32 hex digits made by the server")
    return name


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DirectoryPayloadStore:
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

    def append(self, upload_id: str, offset: int, chunks: Iterable[bytes]) -> int:
        path = self._staged(upload_id)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            # One writer at a time per upload, across server processes on
            # this machine: two PATCHes racing must not interleave.
            fcntl.flock(fd, fcntl.LOCK_EX)
            stored = os.fstat(fd).st_size
            if stored != offset:
                raise OffsetMismatch(stored)
            os.lseek(fd, offset, os.SEEK_SET)
            try:
                for chunk in chunks:
                    view = memoryview(chunk)
                    while view:
                        written = os.write(fd, view)
                        view = view[written:]
            finally:
                # What arrived before a dropped connection is kept, durably.
                os.fsync(fd)
            return os.fstat(fd).st_size
        finally:
            os.close(fd)

    def staged_length(self, upload_id: str) -> int:
        try:
            return self._staged(upload_id).stat().st_size
        except FileNotFoundError:
            return 0

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
        with self._bundle(bundle_key).open("rb") as file:
            file.seek(start)
            left = end - start
            while left > 0:
                chunk = file.read(min(CHUNK, left))
                if not chunk:
                    return
                left -= len(chunk)
                yield chunk
