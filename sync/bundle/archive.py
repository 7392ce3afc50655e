"""The payload archive (docs/bundle-format.md §3): a POSIX tar stream made
and parsed chunk by chunk, so that no member, however large, is held whole.

Headers are those of the standard library's tarfile (``TarInfo.tobuf`` /
``TarInfo.frombuf``); the streaming around them is ours because the age
layer pulls its plaintext (pyrage ``encrypt_io`` reads) and pushes it back
out (``decrypt_io`` writes), and a push parser needs no thread or pipe."""

from __future__ import annotations

import tarfile
from typing import Protocol

from sync.bundle.errors import BundleRejected

BLOCK = 512
END_OF_ARCHIVE = bytes(2 * BLOCK)
MAX_PAX = 64 * 1024


def member_header(name: str, size: int, mtime: int) -> bytes:
    """A regular file's header: pax format, which is plain ustar unless a
    field needs more (a file of 8 GiB or more gets a pax ``size`` record)."""
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = mtime
    info.mode = 0o600
    info.type = tarfile.REGTYPE
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info.tobuf(tarfile.PAX_FORMAT, "utf-8", "strict")


def padding(size: int) -> bytes:
    return bytes(-size % BLOCK)


class MemberHandler(Protocol):
    """What the parser calls for the members it meets, in order."""

    def begin(self, name: str, size: int) -> None:
        """A member starts; refuse (BundleRejected) a name, order or size not expected."""

    def data(self, chunk: bytes) -> None:
        """The next bytes of the current member."""

    def end(self) -> None:
        """The current member is complete."""


def _pax_records(data: bytes) -> dict[str, str]:
    """Parse pax extended header records ("<len> <key>=<value>\\n")."""
    records: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        space = data.find(b" ", pos)
        if space <= pos:
            raise BundleRejected("archive-form")
        try:
            length = int(data[pos:space].decode("ascii"))
        except (ValueError, UnicodeDecodeError):
            raise BundleRejected("archive-form") from None
        record = data[space + 1 : pos + length]
        if length <= space - pos or pos + length > len(data) or not record.endswith(b"\n"):
            raise BundleRejected("archive-form")
        key, eq, value = record[:-1].partition(b"=")
        if not eq:
            raise BundleRejected("archive-form")
        try:
            records[key.decode("utf-8")] = value.decode("utf-8")
        except UnicodeDecodeError:
            raise BundleRejected("archive-form") from None
        pos += length
    return records


class ArchiveParser:
    """A push parser of the tar stream: ``write`` takes the plaintext as the
    age layer hands it out; members go to ``handler``. Only regular files
    (each with at most one pax header before it) and the end of archive (two
    zero blocks, then nothing but zeros) are accepted."""

    def __init__(self, handler: MemberHandler) -> None:
        self._handler = handler
        self._buffer = bytearray()
        self._state = "header"  # header | pax | data | pad | end
        self._remaining = 0  # bytes left of the current member's data, pax data or padding
        self._padding = 0  # padding after the current member's data
        self._pax_length = 0
        self._pax: dict[str, str] | None = None  # the records of a pax header just read
        self._end_zeros = 0  # zero bytes after the first end block

    def write(self, chunk: bytes) -> int:
        size = len(chunk)
        if self._state == "data" and not self._buffer and self._remaining:
            # The common case, evidence bytes: the chunk (or its first part)
            # goes to the handler as it is, not through the buffer.
            take = min(self._remaining, size)
            self._remaining -= take
            self._handler.data(chunk if take == size else chunk[:take])
            chunk = chunk[take:] if take < size else b""
        self._buffer += chunk
        self._advance()
        return size

    def flush(self) -> None:
        pass

    def finish(self) -> None:
        """The plaintext ended: the archive must have ended exactly."""
        if self._state != "end" or self._end_zeros < BLOCK:
            raise BundleRejected("archive-form")

    def _advance(self) -> None:
        # Bytes are consumed by offset and cut from the buffer once at the
        # end: a chunk of ~1 MiB may hold many small members.
        buffer, pos = self._buffer, 0
        try:
            while True:
                available = len(buffer) - pos
                if self._state == "data":
                    if self._remaining == 0:
                        self._handler.end()
                        self._state, self._remaining = "pad", self._padding
                        continue
                    if not available:
                        return
                    take = min(self._remaining, available)
                    data = bytes(buffer[pos : pos + take])
                    pos += take
                    self._remaining -= take
                    self._handler.data(data)
                    continue
                if self._state == "end":
                    if buffer.count(0, pos) != available:
                        raise BundleRejected("archive-form")
                    self._end_zeros += available
                    pos = len(buffer)
                    return
                need = BLOCK if self._state == "header" else self._remaining
                if available < need:
                    return
                block = bytes(buffer[pos : pos + need])
                pos += need
                if self._state == "pad":
                    if any(block):
                        raise BundleRejected("archive-form")
                    self._state = "header"
                elif self._state == "pax":
                    self._pax = _pax_records(block[: self._pax_length])
                    self._state = "header"
                else:
                    self._header(block)
        finally:
            del buffer[:pos]

    def _header(self, block: bytes) -> None:
        if not any(block):
            if self._pax is not None:
                raise BundleRejected("archive-form")
            self._state = "end"
            return
        try:
            info = tarfile.TarInfo.frombuf(block, "utf-8", "strict")
        except (tarfile.HeaderError, UnicodeDecodeError, ValueError):
            raise BundleRejected("archive-form") from None
        if info.type == tarfile.XHDTYPE and self._pax is None:
            if not 0 <= info.size <= MAX_PAX:
                raise BundleRejected("archive-form")
            self._pax_length = info.size
            self._state, self._remaining = "pax", info.size + len(padding(info.size))
            return
        if info.type not in (tarfile.REGTYPE, tarfile.AREGTYPE):
            raise BundleRejected("archive-form")
        name, size = info.name, info.size
        if self._pax is not None:
            name = self._pax.get("path", name)
            if "size" in self._pax:
                text = self._pax["size"]
                if not text.isascii() or not text.isdigit():
                    raise BundleRejected("archive-form")
                size = int(text)
            self._pax = None
        if size < 0:
            raise BundleRejected("archive-form")
        self._handler.begin(name, size)
        self._state, self._remaining, self._padding = "data", size, len(padding(size))
