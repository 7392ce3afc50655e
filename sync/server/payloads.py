"""Where the server keeps bundle bytes (docs/server.md, "Storage").

An upload is staged under an id the server chose (never a name built from
client input) until it is complete and its outer header checks out; then it
is committed under the bundle's storage key. The metadata database records
which state each upload is in, so a crash between the two steps is repaired
at start-up by looking at both. Two implementations: a directory on one
machine (payload_dir.py) and S3-compatible object storage (payload_s3.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import Protocol


class OffsetMismatch(Exception):
    """An append did not start where the staged upload ends (tus: 409).
    Every store raises this one, so the server tells a stale offset from a
    failure whichever store it runs on."""

    def __init__(self, stored: int) -> None:
        super().__init__(f"the staged upload holds {stored} bytes")
        self.stored = stored


class UploadBusy(Exception):
    """A checked chunk of the upload is still being written, so its length
    is not known yet (the server answers 423; tus clients try again)."""


class PayloadMissing(FileNotFoundError):
    """A committed bundle's stored bytes are gone or cannot be read (a file
    deleted or made unreadable on the server's disk, an object lost from the
    bucket): a fault of this one bundle, not of the store, so the server
    answers 410 ``bundle-payload-missing`` for it and its other bundles are
    still served (docs/server.md, "Downloads"). A store that cannot be
    reached at all (its folder gone, a process limit) raises something
    else: a 500. A FileNotFoundError, as a missing bundle always was."""

    def __init__(self, bundle_key: str) -> None:
        super().__init__(f"the stored copy of bundle {bundle_key} is gone or unreadable")
        self.bundle_key = bundle_key


class ChecksumMismatch(Exception):
    """A tus chunk did not hash to its Upload-Checksum (tus: 460); none of
    it was kept."""


def append_checked_buffered(
    store: PayloadStore, upload_id: str, offset: int, chunks: Iterable[bytes], expected_sha256: bytes
) -> int:
    """``append_checked`` for a store that cannot take bytes back: the chunk
    is gathered (its size is bounded by the server's limit), hashed, and
    appended only if it matches."""
    data = b"".join(chunks)
    if hashlib.sha256(data).digest() != expected_sha256:
        raise ChecksumMismatch
    if not data:
        return offset
    return store.append(upload_id, offset, [data])


class PayloadStore(Protocol):
    # A store may say (class attribute ``exclusive_appends = True``) that two
    # appends to one upload never both succeed at one offset, in any number
    # of server processes, and that stored bytes below a staged length never
    # change. Only then does the server trust hashes it fed as bytes arrived
    # (arrival_hashes.py); otherwise (S3: racing puts at one offset, the
    # last one wins) it reads the staged bytes back on the last byte.

    def append(self, upload_id: str, offset: int, chunks: Iterable[bytes]) -> int:
        """Write chunks at offset of the staged upload and return its new length.

        offset must equal the staged length (tus: Upload-Offset), else
        OffsetMismatch; the bytes are durable when this returns. A dropped connection keeps what arrived.
        """
        ...

    def append_checked(
        self, upload_id: str, offset: int, chunks: Iterable[bytes], expected_sha256: bytes
    ) -> int:
        """Like append for a tus chunk with Upload-Checksum: all of it is kept
        if it hashes to ``expected_sha256``, none of it otherwise
        (ChecksumMismatch) or when ``chunks`` raises (a dropped connection).
        """
        ...

    def staged_length(self, upload_id: str) -> int:
        """Bytes stored for a staged upload; 0 when none arrived yet.
        UploadBusy while a checked chunk is still being written (its bytes
        are not counted before it is checked)."""
        ...

    def read_staged(self, upload_id: str) -> Iterator[bytes]:
        """The staged bytes in order, to check the bundle before committing."""
        ...

    def commit(self, upload_id: str, bundle_key: str) -> None:
        """Make the staged upload the committed bundle bundle_key, atomically.

        Idempotent: committing again after a crash (staged gone, bundle there)
        succeeds without copying twice.
        """
        ...

    def discard(self, upload_id: str) -> None:
        """Remove a staged upload (terminated, expired or refused)."""
        ...

    def size(self, bundle_key: str) -> int | None:
        """Size of a committed bundle, or None when there is none."""
        ...

    def read_range(self, bundle_key: str, start: int, end: int) -> Iterator[bytes]:
        """Bytes start..end-1 of a committed bundle (HTTP range downloads).

        PayloadMissing (at the first ``next``) when that bundle's stored
        bytes are gone or cannot be read; any other error is the store's."""
        ...
