"""The encrypted blob format: AES-256-GCM over fixed-size segments (STREAM).

A blob file is a 36-byte header followed by segments::

    header  = magic "FVBLOB\\x00\\x01" (8) ‖ segment size, u32 BE (4)
              ‖ blob id (16) ‖ nonce prefix (7) ‖ reserved 0x00 (1)
    segment i = AES-256-GCM(key, nonce_i, plaintext_i, aad = header)
    nonce_i = nonce prefix (7) ‖ i, u32 BE (4) ‖ 0x01 if last segment else 0x00 (1)

Every segment but the last holds exactly ``segment size`` plaintext bytes; the
last holds 0..segment size (an empty file is one empty last segment). The
counter in the nonce detects reordered, dropped or duplicated segments; the last
flag detects truncation at a segment boundary and appended segments; the header
as associated data ties every segment to this blob id. Each blob has its own
random key, so a blob moved under another item's key fails at once.
"""

from __future__ import annotations

import io
import os
import secrets
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, ClassVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from db.errors import Codes, VaultDamaged

MAGIC = b"FVBLOB\x00\x01"
HEADER = struct.Struct(">8sI16s7sB")
HEADER_SIZE = HEADER.size
TAG_SIZE = 16
DEFAULT_SEGMENT_SIZE = 1 << 20
MAX_SEGMENTS = 1 << 32


class BlobIntegrityError(VaultDamaged):
    """A blob does not decrypt or is not whole: damaged or tampered with.

    ``detail`` (English) says how, for the CLI and verify's report; the code
    tells the GUI only what the user must know: a damaged file, or a copy
    that did not match at intake or at export."""

    codes: ClassVar[Codes] = {
        "blob-damaged": ("blob_id",),
        "intake-copy-differs": ("blob_id",),
        "export-copy-differs": ("blob_id",),
    }

    def __init__(self, blob_id: str, detail: str, code: str = "blob-damaged") -> None:
        super().__init__(
            f"The stored file {blob_id} is damaged or was altered ({detail}). "
            "The other items are not affected; restore this one from a bundle or backup.",
            code,
            blob_id=blob_id,
        )
        self.blob_id = blob_id
        self.detail = detail


@dataclass(frozen=True)
class BlobHeader:
    blob_id: bytes
    segment_size: int
    nonce_prefix: bytes

    def to_bytes(self) -> bytes:
        return HEADER.pack(MAGIC, self.segment_size, self.blob_id, self.nonce_prefix, 0)

    @classmethod
    def new(cls, blob_id: bytes, segment_size: int = DEFAULT_SEGMENT_SIZE) -> BlobHeader:
        return cls(blob_id, segment_size, secrets.token_bytes(7))

    @classmethod
    def parse(cls, data: bytes, expected_id: bytes) -> BlobHeader:
        name = expected_id.hex()
        if len(data) < HEADER_SIZE:
            raise BlobIntegrityError(name, "header truncated")
        magic, segment_size, blob_id, prefix, reserved = HEADER.unpack(data[:HEADER_SIZE])
        if magic != MAGIC or reserved != 0:
            raise BlobIntegrityError(name, "not a Fieldvault blob")
        if blob_id != expected_id:
            raise BlobIntegrityError(name, "belongs to another item")
        if not 1024 <= segment_size <= 64 << 20:
            raise BlobIntegrityError(name, "bad segment size")
        return cls(blob_id, segment_size, prefix)

    def nonce(self, index: int, last: bool) -> bytes:
        return self.nonce_prefix + struct.pack(">I", index) + (b"\x01" if last else b"\x00")


class SegmentSealer:
    """Encrypts the plaintext segments of one blob, in order."""

    def __init__(self, key: bytes, header: BlobHeader) -> None:
        self._aead = AESGCM(key)
        self._header = header
        self._aad = header.to_bytes()
        self._index = 0

    def seal(self, plaintext: bytes | bytearray | memoryview, *, last: bool) -> bytes:
        if self._index >= MAX_SEGMENTS:
            raise ValueError("blob too large")
        if not last and len(plaintext) != self._header.segment_size:
            raise ValueError("only the last segment may be short")
        sealed = self._aead.encrypt(self._header.nonce(self._index, last), plaintext, self._aad)
        self._index += 1
        return sealed


class BlobReader(io.RawIOBase):
    """A seekable, read-only view of a blob's plaintext. Only the segments a
    read touches are decrypted, each checked against its tag; nothing
    decrypted is written anywhere."""

    def __init__(self, handle: BinaryIO, key: bytes, blob_id: bytes) -> None:
        super().__init__()
        self._handle = handle
        self._name = blob_id.hex()
        self._header = BlobHeader.parse(handle.read(HEADER_SIZE), blob_id)
        self._aead = AESGCM(key)
        self._aad = self._header.to_bytes()
        stored = os.fstat(handle.fileno()).st_size - HEADER_SIZE
        sealed_segment = self._header.segment_size + TAG_SIZE
        self._segments = max(1, -(-stored // sealed_segment))
        last_sealed = stored - (self._segments - 1) * sealed_segment
        if last_sealed < TAG_SIZE:
            raise BlobIntegrityError(self._name, "truncated")
        self._size = (self._segments - 1) * self._header.segment_size + last_sealed - TAG_SIZE
        self._position = 0
        self._cached: tuple[int, bytes] | None = None
        # Authenticates the length: a blob cut at a segment boundary fails here.
        self._segment(self._segments - 1)

    @property
    def size(self) -> int:
        return self._size

    def _segment(self, index: int) -> bytes:
        if self._cached is not None and self._cached[0] == index:
            return self._cached[1]
        sealed_segment = self._header.segment_size + TAG_SIZE
        self._handle.seek(HEADER_SIZE + index * sealed_segment)
        sealed = self._handle.read(sealed_segment)
        last = index == self._segments - 1
        try:
            plain = self._aead.decrypt(self._header.nonce(index, last), sealed, self._aad)
        except InvalidTag:
            raise BlobIntegrityError(self._name, f"segment {index} fails authentication") from None
        self._cached = (index, plain)
        return plain

    def segments(self) -> Iterator[bytes]:
        """The plaintext, segment by segment from the start, each checked.
        For reading a whole blob (hashing, export) without the copies that
        ``read`` makes into its buffer."""
        for index in range(self._segments):
            yield self._segment(index)
        self._cached = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._position = base + offset
        return self._position

    def read(self, size: int = -1) -> bytes:
        """As RawIOBase.read, but a read of exactly a whole segment from its
        start (or of everything left, if that is the last one) returns the
        decrypted segment itself: no copy into a buffer and out again (a
        bundle reads evidence 1 MiB, one segment, at a time)."""
        left = self._size - self._position
        index, offset = divmod(self._position, self._header.segment_size)
        if size > 0 and left > 0 and offset == 0 and min(size, left) == min(self._header.segment_size, left):
            plain = self._segment(index)
            self._position += len(plain)
            return plain
        data = super().read(size)
        return data if data is not None else b""

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        filled = 0
        segment_size = self._header.segment_size
        while filled < len(view) and self._position < self._size:
            index, offset = divmod(self._position, segment_size)
            plain = self._segment(index)
            take = min(len(view) - filled, len(plain) - offset)
            view[filled : filled + take] = plain[offset : offset + take]
            filled += take
            self._position += take
        return filled

    def readall(self) -> bytes:
        chunks = []
        while chunk := self.read(self._header.segment_size):
            chunks.append(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        if not self.closed:
            self._handle.close()
            self._cached = None
        super().close()
