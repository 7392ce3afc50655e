"""Read and check a bundle (docs/bundle-format.md §5), streaming.

``check_bundle`` does what needs no private key (a server's checks: §5.1-4
and 7). ``read_bundle`` also decrypts with a coordinator's age identity in
one pass over the payload — hashing the ciphertext while pyrage decrypts it
(on Linux in a child process, sync/bundle/age_child.py, so that decryption
and the work on the plaintext use two cores) and the tar parser checks the
members — and checks §5.8-10 and the parts of
11-13 that need no vault (each revision, custody event and evidence file is
exactly what the manifest lists). Checks against the vault (known devices,
sequence, signers, custody chains, evidence ids) are the caller's.

Evidence bytes reach ``blob_sink`` before the whole bundle is checked: the
caller must keep them apart (one transaction, temporary blobs) until
``read_bundle`` returns, and discard them if it raises."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import pyrage

from sync.bundle import age_child
from sync.bundle.archive import ArchiveParser
from sync.bundle.errors import BundleNotRead, BundleRejected
from sync.bundle.format import (
    BLOB_PREFIX,
    CUSTODY_NAME,
    MAGIC,
    MANIFEST_NAME,
    MANIFEST_SIG_NAME,
    MAX_HEADER,
    MEMBER_LIMITS,
    REVISIONS_NAME,
    SIGNATURE_SIZE,
    BlobEntry,
    BundleHeader,
    Manifest,
    bundle_id_of,
    check_header_signature,
    check_manifest_signature,
    is_canonical,
    parse_header,
    parse_manifest,
    strict_json,
    wire_signed_bytes,
)
from sync.bundle.hashing import HashingThread, ThreadedSha256
from sync.bundle.regular_file import open_regular

CHUNK = 1024 * 1024
# Decrypt the age layer in a child process where one can be used
# (sync/bundle/age_child.py): then decryption and the work on the plaintext
# run on two cores. Tests turn it off to check this process's path too.
DECRYPT_IN_CHILD = age_child.AVAILABLE
# ... but only for a payload this large: starting the child costs ~80 ms
# (measured: a small bundle's import 2.7 ms here, 85 ms with a child), and
# the overlap saves about 1 ms a MiB (512 MiB: 2.98 against 3.48 s), so it
# pays from about 100 MiB. Every small bundle of a pull or a merge (500 of
# them: +40 s) would pay the start for nothing.
CHILD_FROM_BYTES = 128 * 2**20
MAX_LINE = 128 * 2**20  # one revision: a long narrative, base64 in its signed bytes
# Hash on a helper thread (sync/bundle/hashing.py) only a payload this large
# (every byte is hashed either way). Below it the overlap with decryption is
# worth less than the thread: the merge benchmark's 130 KiB payloads hash in
# ~0.1 ms, and starting and joining the thread alone took ~0.12 ms of CPU
# (measured 2026-11-30), before its hand-overs, on every small bundle.
THREAD_HASH_FROM_BYTES = 4 * CHUNK


@dataclass(frozen=True)
class CheckedBundle:
    """What §5.1-4 and 7 established without a private key."""

    header: BundleHeader
    bundle_id: str
    header_bytes: bytes
    signature: bytes


@dataclass(frozen=True)
class OpenedBundle:
    """A decrypted bundle whose every vault-free check passed."""

    checked: CheckedBundle
    manifest: Manifest
    revisions: list[dict[str, Any]]  # wire form, in manifest order (empty with on_revision)
    custody: list[dict[str, Any]]  # wire form, in chain order (empty with on_custody)
    # The manifest as the sender signed it (§3: its bytes and its 64-byte
    # signature): a coordinator keeps a field device's (db/worker_manifests.py).
    manifest_bytes: bytes = b""
    manifest_signature: bytes = b""

    @property
    def header(self) -> BundleHeader:
        return self.checked.header

    @property
    def bundle_id(self) -> str:
        return self.checked.bundle_id


class BlobSink(Protocol):
    """Where one evidence file's bytes go. ``close`` is called once its bytes
    hashed to the manifest's SHA-256 and size; a file that does not is
    refused (BundleRejected) without a ``close``: the caller discards it.

    A sink whose ``checks_sha256`` attribute is True hashes every byte
    itself and its ``close`` refuses (BundleRejected ``blob``) bytes that do
    not match the SHA-256 it was opened for, the manifest's: the reader then
    does not hash them a second time and calls ``close`` to have them checked."""

    def write(self, data: bytes, /) -> object: ...

    def close(self) -> None: ...


# Called with each evidence file as it starts; returns where its bytes go
# (None: hash them and drop them, as `bundle verify` does).
OpenBlob = Callable[[BlobEntry], BlobSink | None]
Progress = Callable[[int, int], None]  # (payload bytes read, payload size)


def _open(source: Path | BinaryIO) -> tuple[BinaryIO, bool]:
    if isinstance(source, Path):
        # A FIFO or device at a bundle's path is refused, never waited on (regular_file.py).
        return open_regular(source), True
    return source, False


def _read_exact(file: BinaryIO, size: int) -> bytes:
    """``size`` bytes, fewer only at the end (a pipe or socket may return
    short reads before its end)."""
    data = file.read(size) or b""
    while 0 < len(data) < size:
        more = file.read(size - len(data))
        if not more:
            break
        data += more
    return data


def _check_prefix(file: BinaryIO, org_id: str | None) -> CheckedBundle:
    """§5.1-5.4, leaving ``file`` at the payload's first byte."""
    magic = _read_exact(file, len(MAGIC))
    if magic != MAGIC[: len(magic)] or not magic:
        raise BundleRejected("magic")
    if len(magic) < len(MAGIC):
        raise BundleRejected("truncated")
    length_bytes = _read_exact(file, 4)
    if len(length_bytes) < 4:
        raise BundleRejected("truncated")
    length = int.from_bytes(length_bytes, "big")
    if not 1 <= length <= MAX_HEADER:
        raise BundleRejected("header-size")
    header_bytes = _read_exact(file, length)
    signature = _read_exact(file, SIGNATURE_SIZE)
    if len(header_bytes) < length or len(signature) < SIGNATURE_SIZE:
        raise BundleRejected("truncated")
    header = _verified_header(header_bytes, signature)
    if org_id is not None and header.org_id != org_id:
        raise BundleRejected("organisation")
    return CheckedBundle(header, bundle_id_of(header_bytes, signature), header_bytes, signature)


@lru_cache(maxsize=16)
def _verified_header(header_bytes: bytes, signature: bytes) -> BundleHeader:
    """§5.2-3: the header parsed and its signature checked. The same bytes
    check the same way: an import reads each bundle's header twice
    (check_header, then read_bundle: ~0.3 ms of parsing and Ed25519 each),
    so the second read of the very same bytes is answered from here. Keyed
    by the whole header and signature: any other byte is checked afresh; a
    refusal raises and is never kept. Headers carry ids, sizes and hashes,
    no witness data; at most 16 of at most MAX_HEADER bytes are kept."""
    header = parse_header(header_bytes)
    check_header_signature(header, header_bytes, signature)
    return header


def _check_size(file: BinaryIO, checked: CheckedBundle) -> None:
    """§5.7's sizes, from the file's length when it has one."""
    start = file.tell()
    end = file.seek(0, os.SEEK_END)
    file.seek(start)
    actual = end - start
    if actual < checked.header.payload_size:
        raise BundleRejected("truncated")
    if actual > checked.header.payload_size:
        raise BundleRejected("trailing-data")


class _PayloadReader(io.RawIOBase):
    """The payload as pyrage reads it: exactly ``payload_size`` bytes, hashed
    (on ``hasher``'s thread when given). pyrage asks for 8 KiB at a time:
    ``buffered()`` puts a 1 MiB buffer in front, so this reads and hashes
    1 MiB at a time; ``drain`` reads and hashes the rest, so every byte of
    the payload is hashed whatever pyrage read."""

    def __init__(
        self, file: BinaryIO, size: int, progress: Progress | None, hasher: HashingThread | None = None
    ) -> None:
        super().__init__()
        self._file = file
        self._size = size
        self._left = size
        self._progress = progress
        self.digest: Any = ThreadedSha256(hasher) if hasher is not None else hashlib.sha256()
        self.error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def buffered(self) -> io.BufferedReader:
        return io.BufferedReader(self, CHUNK)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        memoryview(buffer).cast("B")[: len(data)] = data
        return len(data)

    def read(self, n: int = -1) -> bytes:
        # pyrage turns an exception raised in a read into its own error;
        # the original (a cut, a cancel) is kept here.
        try:
            return self._read(n)
        except BaseException as error:
            # The first one: pyrage may call again after a failure (a flush).
            self.error = self.error or error
            raise

    def _read(self, n: int) -> bytes:
        if n == 0:
            return b""
        if n < 0:
            n = self._left
        data = _read_exact(self._file, min(n, self._left))
        self._left -= len(data)
        if data:
            self.digest.update(data)
            if self._progress:
                self._progress(self._size - self._left, self._size)
        elif self._left:
            raise BundleRejected("truncated")
        return data

    def drain(self) -> None:
        while self._left:
            self._read(CHUNK)
        if _read_exact(self._file, 1):
            raise BundleRejected("trailing-data")

    def hash_matches(self, expected: str) -> bool:
        return bool(self.digest.hexdigest() == expected)

    @property
    def read_so_far(self) -> int:
        return self._size - self._left


class _PlainWriter:
    """The plaintext as pyrage writes it (8 KiB at a time), into the archive
    parser about 1 MiB at a time; keeps the exception a write raised so it
    is told apart from pyrage's own."""

    def __init__(self, parser: ArchiveParser) -> None:
        self._parser = parser
        self._pending: list[bytes] = []
        self._pending_size = 0
        self.error: BaseException | None = None

    def write(self, data: bytes) -> int:
        if self.error is not None:  # nothing more reaches the parser or a sink
            raise self.error
        self._pending.append(data)
        self._pending_size += len(data)
        if self._pending_size >= CHUNK:
            self.push()
        return len(data)

    def push(self) -> None:
        """Hand what is held to the parser (also once pyrage is done)."""
        if self.error is not None:
            raise self.error
        pending = self._pending
        data = pending[0] if len(pending) == 1 else b"".join(pending)
        self._pending, self._pending_size = [], 0
        try:
            self._parser.write(data)
        except BaseException as error:
            # The first one: pyrage may call again after a failure (a flush).
            self.error = self.error or error
            raise

    def flush(self) -> None:
        pass


def check_header(source: Path | BinaryIO, *, org_id: str | None = None) -> CheckedBundle:
    """§5.1-4 only, from the file's first bytes: the sender and the bundle id
    are known before the payload is read (an importer answers a replay or an
    unknown device at once; ``read_bundle`` then checks everything)."""
    file, owned = _open(source)
    try:
        return _check_prefix(file, org_id)
    finally:
        if owned:
            file.close()


def check_bundle(source: Path | BinaryIO, *, org_id: str | None = None) -> CheckedBundle:
    """§5.1-4 and 7, with no private key: what a server checks. ``org_id``
    is the reader's organisation (None: not checked)."""
    file, owned = _open(source)
    try:
        checked = _check_prefix(file, org_id)
        if file.seekable():
            _check_size(file, checked)
        payload = _PayloadReader(file, checked.header.payload_size, None)
        payload.drain()
        if not payload.hash_matches(checked.header.payload_sha256):
            raise BundleRejected("payload-hash")
        return checked
    finally:
        if owned:
            file.close()


def _line_value(line: bytes) -> dict[str, Any]:
    """One line of a JSON Lines member: a canonical JSON object."""
    try:
        value = strict_json(line)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BundleRejected("archive-form") from None
    if not isinstance(value, dict) or not is_canonical(value, line):
        raise BundleRejected("archive-form")
    return value


# A wire item's line as the writer makes it: its three members in RFC 8785's
# order, 64 hex digits and two base64 texts. Such a line is canonical JSON
# of the object it holds (no escapes, no numbers, no duplicates; json.dumps
# writes these values as they are), so it is taken without parsing it and
# writing it again, which was most of read_bundle's own time (~25 us a line).
# Any other line, whatever it holds, is judged by _line_value as before: the
# pattern only chooses the path, never what is accepted.
_REVISION_LINE = re.compile(
    rb'\{"id":"([0-9a-f]{64})","signature":"([A-Za-z0-9+/=]*)","signed":"([A-Za-z0-9+/=]*)"\}'
)
_CUSTODY_LINE = re.compile(
    rb'\{"hash":"([0-9a-f]{64})","signature":"([A-Za-z0-9+/=]*)","signed":"([A-Za-z0-9+/=]*)"\}'
)


def _wire_line(line: bytes, shape: re.Pattern[bytes], id_key: str) -> dict[str, Any]:
    """What ``_line_value(line)`` returns (or raises) for a line of a wire
    member whose items are keyed by ``id_key``, quicker for the writer's form."""
    match = shape.fullmatch(line)
    if match is None:
        return _line_value(line)
    ident, signature, signed = match.groups()
    return {
        id_key: ident.decode("ascii"),
        "signature": signature.decode("ascii"),
        "signed": signed.decode("ascii"),
    }


# Called with each revision or custody event (wire form) once it is checked
# against the manifest; with a callback the reader keeps none of them.
OnItem = Callable[[dict[str, Any]], None]
# Called with the manifest once its signature is checked, before any
# revision: what it vouches for (§4 ``devices``) applies to what follows.
OnManifest = Callable[[Manifest], None]


class _Contents:
    """The member handler: expects §3's members in order and checks each.
    The JSON Lines members are checked line by line as they arrive."""

    def __init__(
        self,
        checked: CheckedBundle,
        open_blob: OpenBlob | None,
        on_revision: OnItem | None,
        on_custody: OnItem | None,
        hasher: HashingThread | None,
        on_manifest: OnManifest | None = None,
    ) -> None:
        self.checked = checked
        self.on_manifest = on_manifest
        self.hasher = hasher
        self.open_blob = open_blob
        self.manifest: Manifest | None = None
        self.manifest_bytes = b""
        self.manifest_signature = b""
        self.revisions: list[dict[str, Any]] = []
        self.custody: list[dict[str, Any]] = []
        self.on_revision = on_revision or self.revisions.append
        self.on_custody = on_custody or self.custody.append
        self.lines = 0  # lines of the current JSON Lines member
        self.last_custody: str | None = None
        self.done = 0  # members complete
        self.name = ""
        self.buffer = bytearray()
        self.blob: BlobEntry | None = None
        self.blob_digest: Any = self._digest()
        self.own_hash = True
        self.sink: BlobSink | None = None

    def _digest(self) -> Any:
        """An evidence file's SHA-256: on the hashing thread when there is one."""
        return ThreadedSha256(self.hasher) if self.hasher is not None else hashlib.sha256()

    def expected(self) -> str | None:
        fixed = [MANIFEST_NAME, MANIFEST_SIG_NAME, REVISIONS_NAME, CUSTODY_NAME]
        if self.done < len(fixed):
            return fixed[self.done]
        assert self.manifest is not None
        index = self.done - len(fixed)
        return BLOB_PREFIX + self.manifest.blobs[index].sha256 if index < len(self.manifest.blobs) else None

    def begin(self, name: str, size: int) -> None:
        expected = self.expected()
        if name != expected:
            raise BundleRejected("archive-form")
        self.name = name
        self.lines = 0
        if name.startswith(BLOB_PREFIX):
            assert self.manifest is not None
            self.blob = self.manifest.blobs[self.done - 4]
            if size != self.blob.size:
                raise BundleRejected("blob", self.blob.sha256)
            self.blob_digest = self._digest()
            self.sink = self.open_blob(self.blob) if self.open_blob else None
            # One hash of these bytes, not two: the sink's when it checks them.
            self.own_hash = getattr(self.sink, "checks_sha256", False) is not True
        elif size > MEMBER_LIMITS[name]:
            raise BundleRejected("archive-form")
        self.buffer.clear()

    def data(self, chunk: bytes) -> None:
        if self.blob is not None:
            if self.own_hash:
                self.blob_digest.update(chunk)
            if self.sink is not None:
                self.sink.write(chunk)
            return
        self.buffer += chunk
        if self.name in (REVISIONS_NAME, CUSTODY_NAME):
            buffer, start = self.buffer, 0
            if self.name == REVISIONS_NAME:
                check, shape, id_key = self._revision, _REVISION_LINE, "id"
            else:
                check, shape, id_key = self._custody, _CUSTODY_LINE, "hash"
            try:
                while (end := buffer.find(b"\n", start)) >= 0:
                    line = bytes(buffer[start:end])
                    start = end + 1
                    check(_wire_line(line, shape, id_key))
                    self.lines += 1
            finally:
                del buffer[:start]  # once per chunk: the lines are cut from it by offset
            if len(self.buffer) > MAX_LINE:
                raise BundleRejected("archive-form")

    def end(self) -> None:
        data = bytes(self.buffer)
        self.buffer.clear()
        if self.blob is not None:
            if self.own_hash and self.blob_digest.hexdigest() != self.blob.sha256:
                raise BundleRejected("blob", self.blob.sha256)
            if self.sink is not None:
                self.sink.close()  # a sink that checks the bytes refuses them here
            self.blob, self.sink = None, None
        elif self.name == MANIFEST_NAME:
            self.manifest = parse_manifest(data)
            self.manifest_bytes = data
        elif self.name == MANIFEST_SIG_NAME:
            assert self.manifest is not None
            if len(data) != SIGNATURE_SIZE:
                raise BundleRejected("manifest-signature")
            check_manifest_signature(self.checked.header, self.manifest, self.manifest_bytes, data)
            self.manifest_signature = data
            if self.on_manifest is not None:
                self.on_manifest(self.manifest)
        else:
            if data:  # the last line has no line feed
                raise BundleRejected("archive-form")
            self._lines_complete()
        self.done += 1

    def _revision(self, value: dict[str, Any]) -> None:
        assert self.manifest is not None
        listed = self.manifest.revisions
        wire_signed_bytes(value, "id", "revision")
        if self.lines >= len(listed) or value["id"] != listed[self.lines]:
            raise BundleRejected("revision", value["id"])
        self.on_revision(value)

    def _custody(self, value: dict[str, Any]) -> None:
        assert self.manifest is not None
        listed = self.manifest.custody
        signed = wire_signed_bytes(value, "hash", "custody")
        try:
            envelope = strict_json(signed)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise BundleRejected("custody", value["hash"]) from None
        seq = envelope.get("seq") if isinstance(envelope, dict) else None
        if self.lines >= len(listed) or (seq, value["hash"]) != (
            listed[self.lines].seq,
            listed[self.lines].hash,
        ):
            raise BundleRejected("custody", value["hash"])
        self.last_custody = value["hash"]
        self.on_custody(value)

    def _lines_complete(self) -> None:
        assert self.manifest is not None
        if self.name == REVISIONS_NAME:
            if self.lines < len(self.manifest.revisions):
                raise BundleRejected("revision", self.manifest.revisions[self.lines])
            return
        if self.lines < len(self.manifest.custody):
            raise BundleRejected("custody", self.manifest.custody[self.lines].hash)
        head = self.checked.header.custody_head
        if self.last_custody is not None and self.last_custody != head:
            raise BundleRejected("custody", self.last_custody)

    def finish(self) -> None:
        if self.expected() is not None:
            raise BundleRejected("archive-form")


def _identity(identity: str | pyrage.x25519.Identity) -> Any:
    if isinstance(identity, str):
        return pyrage.x25519.Identity.from_str(identity)
    return identity


def _decrypt_in_child(
    payload: _PayloadReader, plain: _PlainWriter, identity: Any, progress: Progress | None
) -> None:
    """``pyrage.decrypt_io(payload, plain, [identity])`` with the decryption
    in a child process; it raises what that would (age_child)."""

    def report() -> None:
        if progress is not None:
            try:
                progress(payload.read_so_far, payload._size)
            except BaseException as error:
                # A cancel: read_bundle raises what stopped the reading.
                payload.error = payload.error or error
                raise

    try:
        age_child.decrypt_in_child(payload.read, plain.write, str(identity), report, CHUNK)
    except age_child.ChildPipeFailed as failed:
        raise BundleNotRead.helper_pipe(failed.errno) from None
    except age_child.ChildFailed as failed:
        raise BundleNotRead.helper_stopped(failed.status) from None


def read_bundle(
    source: Path | BinaryIO,
    identity: str | pyrage.x25519.Identity,
    *,
    org_id: str | None = None,
    open_blob: OpenBlob | None = None,
    on_revision: OnItem | None = None,
    on_custody: OnItem | None = None,
    progress: Progress | None = None,
    on_manifest: OnManifest | None = None,
) -> OpenedBundle:
    """Check and decrypt a bundle with a coordinator's age identity
    ("AGE-SECRET-KEY-1…"). The first failing check of §5 raises
    BundleRejected with its reason; a payload that does not hash to the
    signed value is always ``payload-hash``, whatever else broke first.

    Revisions and custody events are checked line by line as they arrive;
    given ``on_revision``/``on_custody``, each goes there (and the result's
    lists stay empty), so a large bundle is never held whole. Like evidence
    bytes, they count only once ``read_bundle`` returns."""
    age_identity = _identity(identity)
    file, owned = _open(source)
    stack = ExitStack()
    try:
        checked = _check_prefix(file, org_id)
        if file.seekable():
            _check_size(file, checked)
        size = checked.header.payload_size
        # Every byte is hashed either way; only the thread differs.
        hasher = stack.enter_context(HashingThread()) if size >= THREAD_HASH_FROM_BYTES else None
        payload_start = file.tell() if file.seekable() else None
        in_child = DECRYPT_IN_CHILD and size >= CHILD_FROM_BYTES
        # In a child, the payload is read and hashed on a thread of
        # age_child's (hashlib lets it run beside this one) and progress is
        # reported here, on the calling thread, as each piece of plaintext is done.
        payload = (
            _PayloadReader(file, size, None) if in_child else _PayloadReader(file, size, progress, hasher)
        )
        contents = _Contents(checked, open_blob, on_revision, on_custody, hasher, on_manifest)
        parser = ArchiveParser(contents)
        plain = _PlainWriter(parser)
        failure: BundleRejected | None = None
        try:
            if in_child:
                try:
                    _decrypt_in_child(payload, plain, age_identity, progress)
                except age_child.ChildUnavailable:
                    # Nothing decrypted: here, then, from the payload's start
                    # (a child that started and failed may have taken some).
                    if payload.read_so_far:
                        if payload_start is None or payload.error is not None:
                            raise BundleNotRead.helper_stopped(age_child.BAD_START) from None
                        file.seek(payload_start)
                    payload = _PayloadReader(file, size, progress, hasher)
                    pyrage.decrypt_io(payload.buffered(), plain, [age_identity])
            else:
                pyrage.decrypt_io(payload.buffered(), plain, [age_identity])
            plain.push()
            parser.finish()
            contents.finish()
        except BaseException as error:  # noqa: BLE001 - sorted below; what is not ours is re-raised
            if payload.error is not None:  # reading the bundle failed (cut, cancel): the cause
                raise payload.error from None
            if plain.error is None and isinstance(error, pyrage.DecryptError | OSError):
                # What age decrypted before failing reaches the parser, as it
                # did before plaintext was gathered: its refusal comes first.
                with contextlib.suppress(BaseException):  # kept in plain.error
                    plain.push()
            cause = plain.error or error
            if isinstance(cause, BundleRejected):
                failure = cause
            elif cause is error and isinstance(error, pyrage.DecryptError | OSError):
                # DecryptError: an age header this identity cannot open;
                # OSError: pyrage's "decryption error", a chunk failing its tag.
                no_key = isinstance(error, pyrage.DecryptError) and "No matching keys" in str(error)
                failure = BundleRejected("not-a-recipient" if no_key else "payload-form")
            else:  # the blob sink's own failure (disk full), a cancel
                raise cause from None
        # §5.7 comes before 8-13: finish hashing what the device signed.
        payload.drain()
        if progress:
            # Once more at the end: reads are 1 MiB, so a cancel asked for
            # during the last one is seen here, before anything is applied.
            progress(checked.header.payload_size, checked.header.payload_size)
        if not payload.hash_matches(checked.header.payload_sha256):
            raise BundleRejected("payload-hash")
        if failure is not None:
            raise failure
        assert contents.manifest is not None
        return OpenedBundle(
            checked,
            contents.manifest,
            contents.revisions,
            contents.custody,
            contents.manifest_bytes,
            contents.manifest_signature,
        )
    finally:
        stack.close()
        if owned:
            file.close()
