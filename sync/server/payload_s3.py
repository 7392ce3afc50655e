"""Bundle bytes in S3-compatible object storage (the scale-out PayloadStore).

S3 has no append, so a staged upload is a run of *pieces*: each append
writes what arrives as objects ``<prefix>staged/<upload id>/<offset>`` of
PIECE_SIZE bytes (the last of an append up to PIECE_SIZE + MIN_PART) (offset as 16 hex digits, so keys sort in byte
order). The staged length is where the pieces stop joining up, read from a
listing: no process keeps state of its own, so any number of stateless
server processes share one bucket, and a dropped connection keeps every
byte that reached the server (the bytes buffered when the client vanished
are written as a last, shorter piece). Committing composes the pieces into
``<prefix>bundles/<bundle key>`` with one multipart upload, created only if
that key is absent (If-None-Match), so the bundle appears whole or not at
all and a committed bundle is never overwritten; the parts are server-side
copies (UploadPartCopy) when every piece but the last meets S3's 5 MiB part
minimum, otherwise the bytes are streamed through in PIECE_SIZE parts.
Then the pieces are deleted; a crash in between leaves both, and the next
commit sees the bundle there and only deletes the pieces.

Both names are made by the server (32 hex digits) and checked here, so no
client input becomes part of a key. The store sees only ciphertext bundles.
docs/server.md, "Storage backends".
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.exceptions import ClientError

from sync.server.payload_dir import OffsetMismatch
from sync.server.payloads import PayloadMissing, append_checked_buffered

MIB = 1024 * 1024
# The piece an append writes (its last may be up to PIECE_SIZE + MIN_PART),
# and the part size when a commit streams: a server process holds about
# that much of one request in memory.
PIECE_SIZE = 8 * MIB
# S3's smallest part of a multipart upload (all but the last).
MIN_PART = 5 * MIB
# S3's largest number of parts in one multipart upload.
MAX_PARTS = 10_000
READ_CHUNK = 1 * MIB
_ID = re.compile(r"[0-9a-f]{32}")
_PIECE = re.compile(r"[0-9a-f]{16}")
_PREFIX = re.compile(r"[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*")
_MISSING = {"404", "NoSuchKey", "NotFound"}


def _checked(name: str) -> str:
    if not _ID.fullmatch(name):
        raise ValueError("a payload name is 32 hex digits made by the server")
    return name


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class BundleConflict(Exception):
    """A commit found another bundle already stored under its key; the
    committed one is kept and the staged pieces are left for inspection."""


@dataclass(frozen=True)
class _Span:
    """Bytes skip..skip+take-1 of one piece object, in upload order."""

    key: str
    skip: int
    take: int


class S3PayloadStore:
    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        prefix = prefix.strip("/")
        if prefix and not _PREFIX.fullmatch(prefix):
            raise ValueError("an S3 key prefix is letters, digits, '._-' and '/'")
        self.client = client
        self.bucket = bucket
        self.prefix = f"{prefix}/" if prefix else ""

    # -- keys ---------------------------------------------------------------

    def _staged_prefix(self, upload_id: str) -> str:
        return f"{self.prefix}staged/{_checked(upload_id)}/"

    def _bundle_key(self, bundle_key: str) -> str:
        return f"{self.prefix}bundles/{_checked(bundle_key)}"

    # -- staged pieces ------------------------------------------------------

    def _pieces(self, upload_id: str) -> list[tuple[int, int, str]]:
        """(offset, size, key) of every piece of the upload, by offset."""
        prefix = self._staged_prefix(upload_id)
        pieces = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                name = item["Key"][len(prefix) :]
                if _PIECE.fullmatch(name):
                    pieces.append((int(name, 16), int(item["Size"]), item["Key"]))
        # A longer piece first at one offset: a retried append that started
        # where an earlier, still-running one did may have written less.
        pieces.sort(key=lambda piece: (piece[0], -piece[1]))
        return pieces

    @staticmethod
    def _spans(pieces: list[tuple[int, int, str]]) -> tuple[int, list[_Span]]:
        """The staged length and the spans that give bytes 0..length-1 once.

        Pieces overlap only when two appends at one offset raced (a client's
        retry while its first request was still arriving on another
        process); both carry the client's same bytes, and the overlap is
        read once. A gap cannot arise from appends that check the offset;
        anything after one is not part of the upload."""
        end, spans = 0, []
        for offset, size, key in pieces:
            if offset > end:
                break
            if offset + size <= end:
                continue
            skip = end - offset
            spans.append(_Span(key, skip, size - skip))
            end = offset + size
        return end, spans

    def _put_piece(self, upload_id: str, offset: int, data: bytes) -> None:
        key = f"{self._staged_prefix(upload_id)}{offset:016x}"
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data)

    def append(self, upload_id: str, offset: int, chunks: Iterable[bytes]) -> int:
        stored = self.staged_length(upload_id)
        if stored != offset:
            raise OffsetMismatch(stored)
        buffer, position = bytearray(), offset
        iterator = iter(chunks)
        while True:
            try:
                chunk = next(iterator)
            except StopIteration:
                break
            except BaseException:
                # The connection dropped: keep what arrived, so the client
                # resumes from here (tus), then let the caller see why.
                if buffer:
                    self._put_piece(upload_id, position, bytes(buffer))
                raise
            buffer += chunk
            # Hold back MIN_PART bytes: the last piece of an append of 5 MiB
            # or more is then no smaller than S3's part minimum, and a commit
            # can copy such pieces server-side instead of streaming them.
            while len(buffer) >= PIECE_SIZE + MIN_PART:
                self._put_piece(upload_id, position, bytes(buffer[:PIECE_SIZE]))
                del buffer[:PIECE_SIZE]
                position += PIECE_SIZE
        if buffer:
            self._put_piece(upload_id, position, bytes(buffer))
            position += len(buffer)
        return position

    def append_checked(
        self, upload_id: str, offset: int, chunks: Iterable[bytes], expected_sha256: bytes
    ) -> int:
        # Pieces are objects: a chunk is checked before any of it is put.
        return append_checked_buffered(self, upload_id, offset, chunks, expected_sha256)

    def staged_length(self, upload_id: str) -> int:
        length, _spans = self._spans(self._pieces(upload_id))
        return length

    def _read_spans(self, spans: list[_Span]) -> Iterator[bytes]:
        for span in spans:
            body = self.client.get_object(
                Bucket=self.bucket, Key=span.key, Range=f"bytes={span.skip}-{span.skip + span.take - 1}"
            )["Body"]
            try:
                yield from body.iter_chunks(READ_CHUNK)
            finally:
                body.close()

    def read_staged(self, upload_id: str) -> Iterator[bytes]:
        pieces = self._pieces(upload_id)
        if not pieces:
            raise FileNotFoundError(f"no staged upload {upload_id}")
        _length, spans = self._spans(pieces)
        yield from self._read_spans(spans)

    def discard(self, upload_id: str) -> None:
        keys = [key for _offset, _size, key in self._pieces(upload_id)]
        for start in range(0, len(keys), 1000):
            batch = [{"Key": key} for key in keys[start : start + 1000]]
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})

    # -- commit -------------------------------------------------------------

    def commit(self, upload_id: str, bundle_key: str) -> None:
        target = self._bundle_key(bundle_key)
        pieces = self._pieces(upload_id)
        committed = self.size(bundle_key)
        if not pieces:
            if committed is not None:
                return  # committed before a crash: nothing to do
            raise FileNotFoundError(f"staged upload {upload_id} is gone and bundle {bundle_key} absent")
        length, spans = self._spans(pieces)
        if committed is None:
            committed = self._compose(target, spans, length)
        if committed != length:
            raise BundleConflict(f"bundle {bundle_key} is stored with other bytes than upload {upload_id}")
        self.discard(upload_id)

    def _compose(self, target: str, spans: list[_Span], length: int) -> int:
        """Write the spans as the object target unless it exists; return the
        size of what is stored there afterwards."""
        if length == 0:
            try:
                self.client.put_object(Bucket=self.bucket, Key=target, Body=b"", IfNoneMatch="*")
            except ClientError as error:
                if _code(error) != "PreconditionFailed":
                    raise
            return self._size_of(target) or 0
        upload = self.client.create_multipart_upload(Bucket=self.bucket, Key=target)["UploadId"]
        try:
            if len(spans) <= MAX_PARTS and all(span.take >= MIN_PART for span in spans[:-1]):
                parts = self._copy_parts(target, upload, spans)
            else:
                parts = self._stream_parts(target, upload, spans)
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=target,
                UploadId=upload,
                MultipartUpload={"Parts": parts},
                # Never replace a committed bundle: another process that
                # committed the same upload first wins, with the same bytes.
                IfNoneMatch="*",
            )
        except ClientError as error:
            self._abort(target, upload)
            if _code(error) != "PreconditionFailed":
                raise
        except BaseException:
            self._abort(target, upload)
            raise
        return self._size_of(target) or 0

    def _abort(self, target: str, upload: str) -> None:
        # Already gone is fine; what an abort misses, abort_stale_commits or
        # a lifecycle rule clears.
        with contextlib.suppress(ClientError):
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=target, UploadId=upload)

    def _copy_parts(self, target: str, upload: str, spans: list[_Span]) -> list[dict[str, Any]]:
        parts = []
        for number, span in enumerate(spans, start=1):
            result = self.client.upload_part_copy(
                Bucket=self.bucket,
                Key=target,
                UploadId=upload,
                PartNumber=number,
                CopySource={"Bucket": self.bucket, "Key": span.key},
                CopySourceRange=f"bytes={span.skip}-{span.skip + span.take - 1}",
            )
            parts.append({"PartNumber": number, "ETag": result["CopyPartResult"]["ETag"]})
        return parts

    def _stream_parts(self, target: str, upload: str, spans: list[_Span]) -> list[dict[str, Any]]:
        parts: list[dict[str, Any]] = []
        buffer = bytearray()

        def send(data: bytes) -> None:
            number = len(parts) + 1
            if number > MAX_PARTS:
                raise ValueError(f"bundle too large for {MAX_PARTS} parts of {PIECE_SIZE} bytes")
            result = self.client.upload_part(
                Bucket=self.bucket, Key=target, UploadId=upload, PartNumber=number, Body=data
            )
            parts.append({"PartNumber": number, "ETag": result["ETag"]})

        for chunk in self._read_spans(spans):
            buffer += chunk
            while len(buffer) >= PIECE_SIZE:
                send(bytes(buffer[:PIECE_SIZE]))
                del buffer[:PIECE_SIZE]
        if buffer or not parts:
            send(bytes(buffer))
        return parts

    def abort_stale_commits(self, older_than: timedelta) -> int:
        """Abort multipart uploads into bundles/ begun before now - older_than
        (left by a process that died mid-commit; the commit is redone from
        the pieces). Returns how many were aborted. A bucket lifecycle rule
        AbortIncompleteMultipartUpload does the same without a caller."""
        cutoff = datetime.now(UTC) - older_than
        aborted = 0
        paginator = self.client.get_paginator("list_multipart_uploads")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=f"{self.prefix}bundles/"):
            for item in page.get("Uploads", []):
                if item["Initiated"] < cutoff:
                    self._abort(item["Key"], item["UploadId"])
                    aborted += 1
        return aborted

    # -- committed bundles --------------------------------------------------

    def _size_of(self, key: str) -> int | None:
        try:
            return int(self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"])
        except ClientError as error:
            if _code(error) in _MISSING:
                return None
            raise

    def size(self, bundle_key: str) -> int | None:
        return self._size_of(self._bundle_key(bundle_key))

    def read_range(self, bundle_key: str, start: int, end: int) -> Iterator[bytes]:
        key = self._bundle_key(bundle_key)
        if start < 0:
            raise ValueError("a range starts at 0 or later")
        if end <= start:
            if self._size_of(key) is None:
                raise PayloadMissing(bundle_key)
            return
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes={start}-{end - 1}")[
                "Body"
            ]
        except ClientError as error:
            if _code(error) in _MISSING:
                raise PayloadMissing(bundle_key) from None  # this object lost: 410 for it alone
            if _code(error) == "InvalidRange":
                return  # start at or past the end: nothing there, as in a file
            raise
        try:
            yield from body.iter_chunks(READ_CHUNK)
        finally:
            body.close()


def s3_store_from_url(url: str) -> S3PayloadStore:
    """An S3PayloadStore for ``s3://BUCKET[/PREFIX]``. Endpoint, region and
    credentials come from boto3's usual chain (AWS_ENDPOINT_URL_S3,
    AWS_ACCESS_KEY_ID..., an instance role), so any S3-compatible service
    works without options of ours."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError("an S3 payload location is s3://BUCKET[/PREFIX]")
    return S3PayloadStore(boto3.client("s3"), parts.netloc, parts.path)
