"""Make a bundle file (docs/bundle-format.md), streaming: evidence files are
read once, in chunks, through the tar and age layers into a temporary file
beside the destination, at the offset where the payload will stay; the
header (which names the payload's size and SHA-256) is then written in
front of it. Nothing but ciphertext ever reaches the disk. The SHA-256s
(each evidence file against its record, the ciphertext for the header) are
computed on a helper thread while age encrypts.

Revisions and custody events are not held whole either: a tar member names
its size before its bytes, so their lines are walked twice, once to measure
(and to collect the manifest's ids) and once to write; spooling them to a
plaintext file instead would put witness text on the disk."""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import pyrage
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.bundle.archive import END_OF_ARCHIVE, member_header, padding
from sync.bundle.errors import BundleNotWritten, BundleRejected
from sync.bundle.format import (
    BLOB_PREFIX,
    CUSTODY_NAME,
    MAGIC,
    MANIFEST_NAME,
    MANIFEST_SIG_NAME,
    READS_REVISION,
    REVISIONS_NAME,
    SIGNATURE_SIZE,
    BlobEntry,
    BundleHeader,
    CarriedReceipt,
    CustodyEntry,
    HeaderEnrolment,
    LapsedDevice,
    MakerDecision,
    Manifest,
    ReceivedEntry,
    VouchedDevice,
    bundle_id_of,
    canonical,
    device_id_of,
    parse_header,
    parse_manifest,
    public_key_bytes,
    sign_header,
    sign_manifest,
    wire_signed_bytes,
)
from sync.bundle.hashing import HashingThread, ThreadedSha256

if TYPE_CHECKING:
    from db.api import BackgroundFlush

CHUNK = 1024 * 1024
# The ciphertext is flushed to the disk every 64 MiB on a thread of
# its own while age encrypts, so that the fsync before the rename waits for
# the last few MiB only (it waited ~0.2 s of a 512 MiB bundle's ~1.2 s;
# docs/development.md, bundle benchmarks). The final fsync stays.
FLUSH_EVERY = 64 << 20
# Called with (bytes of evidence done, bytes of evidence in all); an exception
# it raises (a cancel) aborts the bundle and leaves no file.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class DeviceIdentity:
    """The device's Ed25519 signing key and its id (vault-format.md)."""

    private_key: Ed25519PrivateKey
    device_id: str


@dataclass(frozen=True)
class BlobSource:
    """An evidence file to send: its recorded SHA-256 and size, the evidence
    ids that name it, and its original bytes to stream (read from the
    current position). A file that does not match aborts the bundle."""

    sha256: str
    size: int
    evidence_ids: Sequence[str]
    file: BinaryIO


@dataclass(frozen=True)
class BundleContents:
    org_id: str
    profile_version: int
    sequence: int
    previous: str | None  # the bundle id of bundle sequence - 1; None for the first
    custody_head: str | None
    # Walked twice (to measure, then to write): a Sequence, or an iterable
    # whose every iteration yields the same items (e.g. pages read from the
    # vault up to a fixed cursor), never a one-shot iterator.
    revisions: Iterable[dict[str, Any]] = ()  # wire form {"id", "signed", "signature"}
    custody: Iterable[dict[str, Any]] = ()  # {"hash", "signed", "signature"}, chain order
    blobs: Sequence[BlobSource] = field(default_factory=tuple)
    enrolment: HeaderEnrolment | None = None  # the header's optional member (§2.1)
    addressee: str | None = None  # the header's optional member (§2.2): a send-back's worker
    # The header's optional ``addressed`` (§2.3): runs of this device's numbers
    # that went to field workers since its previous bundle to coordinators.
    addressed: Sequence[tuple[int, int]] = ()
    # The manifest's optional ``devices`` (§4): a coordinator vouches for the
    # devices whose revisions it relays to a field worker.
    devices: Sequence[VouchedDevice] = ()
    # The manifest's optional ``receipts`` (§4): the server's receipts for
    # this device's earlier bundles not yet carried in an acknowledged one.
    receipts: Sequence[CarriedReceipt] = ()
    # The manifest's optional ``received`` (§10): a history hand-over's record
    # of each device's bundles, sorted by (device id, sequence).
    received: Sequence[ReceivedEntry] = ()
    # The manifest's optional ``lapsed`` (§4, §8): the field devices a
    # coordinator knows and no longer vouches for, whose stored revisions
    # its bundle may carry (sync/bundle/vouching.py ``lapsed_relays``).
    lapsed: Sequence[LapsedDevice] = ()
    # The manifest's optional ``decisions`` (§10): the revisions a history
    # hand-over's maker kept out (sync/bundle/hand_over_decisions.py).
    decisions: Sequence[MakerDecision] = ()
    # The manifest's optional ``hand_over_part`` (§10): (number, of) for a
    # part of a history hand-over split over several bundles.
    hand_over_part: tuple[int, int] | None = None
    # The manifest's ``reads`` (§4): the highest revision format version this
    # app reads, always written; None leaves the member out, as a sender that
    # predates it did (tests: the checked-in vector, an old reader's bundle).
    reads_revision: int | None = READS_REVISION


@dataclass(frozen=True)
class WrittenBundle:
    path: Path
    bundle_id: str
    header: BundleHeader
    manifest: Manifest


def bundle_file_name(org_id: str, device_id: str, sequence: int) -> str:
    return f"{org_id}-{device_id}-{sequence}.fvbundle"


def _custody_seq(event: dict[str, Any]) -> int:
    try:
        seq = json.loads(wire_signed_bytes(event, "hash", "custody")).get("seq")
    except (BundleRejected, ValueError, AttributeError):
        seq = None
    if not isinstance(seq, int) or isinstance(seq, bool):
        raise ValueError(f"custody event {event.get('hash')} is not in wire form with a seq")
    return seq


@dataclass(frozen=True)
class _Lines:
    """A JSON Lines member as measured by the first pass."""

    size: int
    sha256: bytes
    keys: tuple[str, ...]  # revision ids, or custody event hashes
    seqs: tuple[int, ...] = ()  # custody event seqs


def _walk(items: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    walk = iter(items)
    if walk is items:
        raise ValueError("revisions and custody must be iterable twice, not a one-shot iterator")
    return walk


def _measure(items: Iterable[dict[str, Any]], key: str, kind: str) -> _Lines:
    """The first pass: size and SHA-256 of the member's lines, the ids the
    manifest lists, and each item checked as the reader would (a wrong form
    is the caller's programming error, refused before any work)."""
    size, digest, keys, seqs = 0, hashlib.sha256(), [], []
    for item in _walk(items):
        try:
            wire_signed_bytes(item, key, kind)
        except BundleRejected as refused:
            raise ValueError(f"these contents make an invalid bundle ({refused.reason})") from None
        line = canonical(item) + b"\n"
        size += len(line)
        digest.update(line)
        keys.append(item[key])
        if kind == "custody":
            seqs.append(_custody_seq(item))
    return _Lines(size, digest.digest(), tuple(keys), tuple(seqs))


def _manifest(contents: BundleContents, device_id: str, revisions: _Lines, custody: _Lines) -> Manifest:
    return Manifest(
        binding={
            "org_id": contents.org_id,
            "device_id": device_id,
            "sequence": contents.sequence,
            "previous": contents.previous,
        },
        revisions=revisions.keys,
        custody=tuple(CustodyEntry(seq, h) for seq, h in zip(custody.seqs, custody.keys, strict=True)),
        blobs=tuple(BlobEntry(b.sha256, b.size, tuple(b.evidence_ids)) for b in contents.blobs),
        devices=tuple(sorted({d.device_id: d for d in contents.devices}.values(), key=lambda d: d.device_id)),
        receipts=tuple(sorted(contents.receipts, key=lambda r: r.index)),
        received=tuple(sorted(contents.received, key=lambda r: (r.device_id, r.sequence))),
        lapsed=tuple(sorted({d.device_id: d for d in contents.lapsed}.values(), key=lambda d: d.device_id)),
        decisions=tuple(
            sorted({d.revision_id: d for d in contents.decisions}.values(), key=lambda d: d.revision_id)
        ),
        hand_over_part=contents.hand_over_part or (),
        reads_revision=contents.reads_revision,
    )


def build_manifest(contents: BundleContents, device_id: str) -> Manifest:
    return _manifest(
        contents,
        device_id,
        _measure(contents.revisions, "id", "revision"),
        _measure(contents.custody, "hash", "custody"),
    )


def _lines(items: Iterable[dict[str, Any]], measured: _Lines) -> Iterator[bytes]:
    """The second pass: the member's lines in chunks of about CHUNK bytes,
    refused (ValueError, no file left) unless they are the bytes measured."""
    size, digest, batch, batched = 0, hashlib.sha256(), [], 0
    for item in _walk(items):
        line = canonical(item) + b"\n"
        size += len(line)
        digest.update(line)
        batch.append(line)
        batched += len(line)
        if size > measured.size:
            break
        if batched >= CHUNK:
            yield b"".join(batch)
            batch, batched = [], 0
    if size != measured.size or digest.digest() != measured.sha256:
        raise ValueError("the revisions or custody events changed between the writer's two passes")
    yield b"".join(batch)


class _ArchiveReader(io.RawIOBase):
    """The tar stream as a readable file, generated as pyrage pulls it."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = memoryview(b"")
        # pyrage turns an exception raised in a read into its own
        # EncryptError; the original (a refusal, a cancel) is kept here.
        self.error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            return self._readinto(buffer)
        except BaseException as error:
            # The first one: pyrage may call again after a failure (a flush).
            self.error = self.error or error
            raise

    def _readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = memoryview(chunk)
        n = min(len(view), len(self._pending))
        view[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


def _archive_chunks(
    manifest: bytes,
    manifest_sig: bytes,
    contents: BundleContents,
    measured: tuple[_Lines, _Lines],
    mtime: int,
    progress: Progress | None,
    hasher: HashingThread,
) -> Iterator[bytes]:
    for name, data in ((MANIFEST_NAME, manifest), (MANIFEST_SIG_NAME, manifest_sig)):
        yield member_header(name, len(data), mtime) + data + padding(len(data))
    for name, items, lines in (
        (REVISIONS_NAME, contents.revisions, measured[0]),
        (CUSTODY_NAME, contents.custody, measured[1]),
    ):
        yield member_header(name, lines.size, mtime)
        yield from _lines(items, lines)
        yield padding(lines.size)
    total = sum(b.size for b in contents.blobs)
    done = 0
    if progress:
        progress(done, total)
    for blob in contents.blobs:
        yield member_header(BLOB_PREFIX + blob.sha256, blob.size, mtime)
        digest = ThreadedSha256(hasher)  # checked on the helper thread while age encrypts
        left = blob.size
        while left:
            chunk = blob.file.read(min(CHUNK, left))
            if not chunk:
                raise BundleNotWritten.blob_changed(blob.sha256)
            digest.update(chunk)
            left -= len(chunk)
            done += len(chunk)
            yield chunk
            if progress:
                progress(done, total)
        if blob.file.read(1) or digest.hexdigest() != blob.sha256:
            raise BundleNotWritten.blob_changed(blob.sha256)
        yield padding(blob.size)
    yield END_OF_ARCHIVE


class _HashingWriter:
    """The ciphertext as pyrage writes it (64 KiB at a time), written and
    handed to the hashing thread about 1 MiB at a time, in one piece (fewer
    hand-overs, and one wait for the GIL a MiB on that thread);
    ``flush`` writes what is held."""

    def __init__(self, file: BinaryIO, hasher: HashingThread, flusher: BackgroundFlush) -> None:
        self.file = file
        self.flusher = flusher
        self.digest = ThreadedSha256(hasher)
        self.size = 0
        self._pending: list[bytes] = []
        self._pending_size = 0
        # pyrage turns an exception raised in a write into its own
        # EncryptError; the original (a full disk) is kept here.
        self.error: BaseException | None = None

    def write(self, data: bytes) -> int:
        self._pending.append(data)
        self._pending_size += len(data)
        self.size += len(data)
        if self._pending_size >= CHUNK:
            self._write_pending()
        return len(data)

    def _write_pending(self) -> None:
        if self._pending:
            pending = self._pending
            self._pending, self._pending_size = [], 0
            # Joined, for the hashing thread's sake: hashlib gives the GIL
            # back while it hashes, and takes it again after each update,
            # which waits while pyrage encrypts. Sixteen 64 KiB updates
            # waited sixteen times; one 1 MiB update waits once (the join's
            # copy costs less: 13% faster creation, session 21).
            joined = b"".join(pending)
            self.digest.update(joined)
            pending = [joined]
            try:
                size = _write_all(self.file.fileno(), pending)
            except BaseException as error:
                self.error = self.error or error
                raise
            self.flusher.wrote(size)

    def flush(self) -> None:
        self._write_pending()
        self.file.flush()


def _write_all(fd: int, pieces: list[bytes]) -> int:
    """Write the pieces at the file's offset in one system call where it
    can (the writer now hands over one joined piece of ~1 MiB; a write per
    pyrage piece cost ~0.1 s of CPU per 512 MiB); a short write is finished
    piece by piece."""
    size = sum(map(len, pieces))
    if not hasattr(os, "writev"):  # Windows: one write a piece
        for piece in pieces:
            view = memoryview(piece)
            while view:
                view = view[os.write(fd, view) :]
        return size
    written = os.writev(fd, pieces)
    if written < size:
        rest = memoryview(b"".join(pieces))[written:]
        while rest:
            rest = rest[os.write(fd, rest) :]
    return size


def _private(path: str, flags: int) -> int:
    """Files only their owner reads, created 0600 (not chmod'ed after)."""
    return os.open(path, flags, 0o600)


def _copy(source: BinaryIO, target: BinaryIO, size: int, offset: int = 0) -> None:
    """Append ``size`` bytes of source from ``offset`` to target, in the
    kernel where it can."""
    target.flush()
    offset_in, left = offset, size
    try:
        if not hasattr(os, "copy_file_range"):  # Linux only
            raise OSError("no copy_file_range")
        while left:
            n = os.copy_file_range(source.fileno(), target.fileno(), left, offset_in)
            if n == 0:
                break
            offset_in += n
            left -= n
    except OSError:  # not on this system or file system: copy through a buffer
        source.seek(offset_in)
        target.seek(0, os.SEEK_END)
        while left:
            chunk = source.read(min(CHUNK, left))
            if not chunk:
                break
            target.write(chunk)
            left -= len(chunk)
    if left:
        raise OSError("the temporary payload file was cut short")


def _check_own_output(
    contents: BundleContents, device: DeviceIdentity, key: bytes, created: int, manifest: bytes
) -> None:
    """Refuse, before any work, what the reader would refuse (a wrong org id,
    sequence or previous): a programming error, not the user's."""
    probe = BundleHeader(
        contents.org_id, contents.profile_version, device.device_id, key, contents.sequence,
        contents.previous, created, contents.custody_head, 0, "0" * 64, contents.enrolment,
        contents.addressee, tuple(contents.addressed),
    )  # fmt: skip
    try:
        parse_header(canonical(probe.to_json()))
        parse_manifest(manifest)  # the items themselves were checked as they were measured
    except BundleRejected as refused:
        raise ValueError(f"these contents make an invalid bundle ({refused.reason})") from None


def _estimated_payload_size(
    contents: BundleContents,
    measured: tuple[_Lines, _Lines],
    manifest: bytes,
    manifest_sig: bytes,
    recipients: int,
) -> int:
    """About the age ciphertext's size: the tar stream's exact size, plus
    age's header (~130 bytes a recipient), nonce and 16 bytes per 64 KiB.
    Only its number of digits matters (see write_bundle)."""
    sizes = [len(manifest), len(manifest_sig), measured[0].size, measured[1].size]
    sizes += [b.size for b in contents.blobs]
    tar = 2 * 512 + sum(512 + size + len(padding(size)) for size in sizes)
    return tar + 64 + 130 * recipients + 16 * (tar // 65536 + 1)


def _prefix_size(
    contents: BundleContents, device: DeviceIdentity, key: bytes, created: int, payload_size: int
) -> int:
    """Magic, length, header and signature for a payload of that size."""
    header = BundleHeader(
        contents.org_id, contents.profile_version, device.device_id, key, contents.sequence,
        contents.previous, created, contents.custody_head, payload_size, "0" * 64, contents.enrolment,
        contents.addressee, tuple(contents.addressed),
    )  # fmt: skip
    return len(MAGIC) + 4 + len(canonical(header.to_json())) + SIGNATURE_SIZE


def _publish(temporary: Path, dest: Path) -> None:
    """Give the finished file its name without ever replacing a file."""
    try:
        os.link(temporary, dest)
    except FileExistsError:
        raise BundleNotWritten.exists(str(dest)) from None
    except OSError:
        # No hard links (FAT or exFAT on a USB stick): a rename, after a check.
        # A file appearing in between is the only thing left unguarded.
        if dest.exists() or dest.is_symlink():
            raise BundleNotWritten.exists(str(dest)) from None
        temporary.rename(dest)


def remove_partial_files(directory: Path) -> list[Path]:
    """Remove what an interrupted write_bundle left in ``directory`` (killed
    before its clean-up: ciphertext only) and return it. Touches only names
    that write_bundle makes: ``.<name>.fvbundle.<16 hex>[.payload].tmp``."""
    removed = []
    for path in directory.iterdir():
        parts = path.name.split(".")
        if (
            path.name.startswith(".")
            and ".fvbundle." in path.name
            and path.name.endswith(".tmp")
            and any(len(p) == 16 and all(c in "0123456789abcdef" for c in p) for p in parts)
            and path.is_file()
            and not path.is_symlink()
        ):
            path.unlink()
            removed.append(path)
    return removed


def write_bundle(
    dest: Path,
    contents: BundleContents,
    device: DeviceIdentity,
    recipients: Sequence[str],
    *,
    created_ms: int | None = None,
    progress: Progress | None = None,
) -> WrittenBundle:
    """Write the bundle to ``dest`` (which must not exist), encrypted to the
    age X25519 ``recipients`` ("age1…"). On any failure no file is left."""
    key = public_key_bytes(device.private_key)
    if device_id_of(key) != device.device_id:
        raise ValueError("the device id does not belong to the device key")
    if not recipients:
        raise ValueError("a bundle needs at least one recipient")
    parsed = [pyrage.x25519.Recipient.from_str(r) for r in recipients]
    if dest.exists() or dest.is_symlink():
        raise BundleNotWritten.exists(str(dest))
    created = int(time.time() * 1000) if created_ms is None else created_ms

    measured = (
        _measure(contents.revisions, "id", "revision"),
        _measure(contents.custody, "hash", "custody"),
    )
    manifest = _manifest(contents, device.device_id, *measured)
    manifest_bytes = canonical(manifest.to_json())
    _check_own_output(contents, device, key, created, manifest_bytes)
    manifest_sig = sign_manifest(device.private_key, manifest_bytes)

    # The payload is written where it ends up, after the header, whose
    # length is known before the payload's size only up to that size's
    # number of digits: estimated here, and in the rare case it misses, the
    # payload is moved behind the right header (one more copy, in the kernel).
    prefix_size = _prefix_size(
        contents,
        device,
        key,
        created,
        _estimated_payload_size(contents, measured, manifest_bytes, manifest_sig, len(parsed)),
    )
    token = secrets.token_hex(8)
    bundle_path = dest.with_name(f".{dest.name}.{token}.tmp")
    moved_path = dest.with_name(f".{dest.name}.{token}.payload.tmp")
    # Loaded here, not with the module: the server imports the bundle
    # package for its header checks and must not load the blob store.
    from db.api import BackgroundFlush

    try:
        with (
            open(bundle_path, "x+b", opener=_private) as out,
            HashingThread() as hasher,
            BackgroundFlush(out.fileno(), FLUSH_EVERY) as flusher,
        ):
            out.seek(prefix_size)
            out.flush()  # the ciphertext goes to the file descriptor (os.writev) from here
            hashing = _HashingWriter(out, hasher, flusher)
            source = _ArchiveReader(
                _archive_chunks(
                    manifest_bytes, manifest_sig, contents, measured, created // 1000, progress, hasher
                )
            )
            try:
                pyrage.encrypt_io(io.BufferedReader(source, CHUNK), hashing, parsed)
            except BaseException:
                # What a read or a write raised, not pyrage's EncryptError
                # around it: a refusal, a cancel, a full disk.
                if source.error is not None:
                    raise source.error from None
                if hashing.error is not None:
                    raise hashing.error from None
                raise
            hashing.flush()
            header = BundleHeader(
                org_id=contents.org_id,
                profile_version=contents.profile_version,
                device_id=device.device_id,
                device_key=key,
                sequence=contents.sequence,
                previous=contents.previous,
                created_ms=created,
                custody_head=contents.custody_head,
                payload_size=hashing.size,
                payload_sha256=hashing.digest.hexdigest(),
                enrolment=contents.enrolment,
                addressee=contents.addressee,
                addressed=tuple(contents.addressed),
            )
            header_bytes = canonical(header.to_json())
            signature = sign_header(device.private_key, header_bytes)
            prefix = MAGIC + len(header_bytes).to_bytes(4, "big") + header_bytes + signature
            if len(prefix) == prefix_size:
                out.seek(0)
                out.write(prefix)
                out.flush()
                os.fsync(out.fileno())
            else:
                with open(moved_path, "x+b", opener=_private) as moved:
                    moved.write(prefix)
                    _copy(out, moved, hashing.size, prefix_size)
                    moved.flush()
                    os.fsync(moved.fileno())
        _publish(bundle_path if len(prefix) == prefix_size else moved_path, dest)
    finally:
        for temporary in (bundle_path, moved_path):
            temporary.unlink(missing_ok=True)
    return WrittenBundle(dest, bundle_id_of(header_bytes, signature), header, manifest)
