"""A field worker's push (docs/sync.md, "Push"): when there is new work,
make the next bundle into the vault's private spool folder
(``<vault>/sync-spool``, never the user's folders); then deliver every bundle
queued there to the organisation's server with tus — in chunks, each with
its SHA-256 (``Upload-Checksum``), resuming at the server's offset after a
dropped connection (HEAD, then PATCH from there) — check the server's signed
receipt, store it in the vault (``sync_deliveries``) and remove the spool
copy. Coordinators' signed acknowledgements relayed by the server are taken
first, as from a USB stick (sync/acks.py), so that the new bundle carries
only what no coordinator holds yet. When the organisation's policy asks for
it, the evidence bytes that checked receipts prove delivered are then purged
from the vault (sync/client/purge.py).

A dropped connection, a server that is down or failing, is retried with
backoff (retry.py) and, when the run gives up, left queued: nothing is lost.
A certificate that is not the pinned one, a refusal, or an answer that is not
a Fieldvault server's stops the run with a coded error and marks nothing
delivered."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import httpx

from db.api import SYNC_SPOOL_DIR, CancelToken, OperationCancelled, StorageError, SyncClientState, Vault
from sync.acks import AckRefused, take_ack
from sync.bundle.errors import BundleRejected
from sync.bundle.org_held import (
    HeldRevisions,
    forget_relay,
    held_runs,
    hold_delivered,
    relayed,
    relays,
    withhold_relay,
)
from sync.bundle.reader import CheckedBundle, check_header
from sync.bundle.vault_io import ExportedBundle, export_bundle
from sync.bundle.writer import bundle_file_name
from sync.client import errors
from sync.client.chunking import ChunkSizer
from sync.client.connection import TIMEOUT, Target, chosen_proxy, session, target_of
from sync.client.errors import SyncFailed
from sync.client.hand_over_unfinished import unfinished_parts
from sync.client.purge import purge_delivered
from sync.client.retry import Backoff
from sync.client.transport import ServerClient, ServerSaid, Stopped
from sync.org import OrgRefused
from sync.org_vault import held_profile
from sync.server.protocol import TUS_VERSION, unb64
from sync.server.receipts import Receipt, ReceiptInvalid, verify_receipt
from sync.server.relay_statement import RelayStatement, upload_metadata

# One tus PATCH is sized to the link (sync/client/chunking.py): small enough
# that a cut costs little (at most the chunk in flight is sent twice) and a
# slow link finishes one within the timeout; large enough on a good link
# that round trips do not slow a big bundle down.
Progress = Callable[[int, int], None]  # (bytes delivered, bytes queued) of this run


@dataclass(frozen=True)
class Queued:
    bundle_id: str
    sequence: int
    path: Path
    device_id: str | None = None  # its maker when not this device (a coordinator's relay)
    relay_signature: bytes | None = None  # a relay's statement, signed by this desk's device key


@dataclass
class PushResult:
    made: ExportedBundle | None = None  # the bundle made in this run, if any
    sent: list[str] = field(default_factory=list)  # bundle ids delivered in this run
    receipts: list[int] = field(default_factory=list)  # their receipt indexes
    queued: list[str] = field(default_factory=list)  # bundle ids still waiting
    acknowledged: list[str] = field(default_factory=list)  # bundle ids a coordinator acknowledged
    bytes_sent: int = 0  # PATCH bodies sent, resent chunks included
    retries: int = 0  # connections tried again after a failure
    # Evidence items whose bytes were removed after a checked receipt, as the
    # organisation's policy asks (sync/client/purge.py); empty without the policy.
    purged: list[str] = field(default_factory=list)
    purge_deferred: bool = False  # the purge could not write now; the next run does it
    # A coordinator's: other devices' bundles it had by USB, uploaded as they are (§2.3).
    relayed: list[str] = field(default_factory=list)
    # Those set aside instead, (bundle id, why): refused by the server for the
    # bundle's sake (its maker revoked, another bundle at its number ...), or
    # their kept file lost or not the bundle imported. What they brought
    # travels in this desk's own bundle (a revoked maker's: nowhere, the
    # other desks refuse a revoked signer).
    relays_set_aside: list[tuple[str, str]] = field(default_factory=list)


def spool_dir(vault: Vault) -> Path:
    """The vault's private spool folder (made 0700 on first use)."""
    spool = vault.folder / SYNC_SPOOL_DIR
    spool.mkdir(mode=0o700, exist_ok=True)
    return spool


def _is_own_transfer(signed: bytes) -> bool:
    """A ``transfer`` (sent) event recorded when a bundle was made: it says
    that the work left, it is not new work by itself."""
    try:
        body = json.loads(signed)
    except ValueError:
        return False
    details = body.get("details") if isinstance(body, dict) else None
    return (
        body.get("action") == "transfer" and isinstance(details, dict) and details.get("direction") == "sent"
    )


def has_new_work(vault: Vault) -> bool:
    """Is there a revision, an own custody event (other than the transfers
    that bundles record) or evidence bytes that the last bundle made did not
    carry? With no bundle made yet: anything not acknowledged. (A
    coordinator's send-backs carry nothing to coordinators, and what it
    pulled from the server is not its to send: sync/bundle/org_held.py.)"""
    outgoing = vault.sync.outgoing()
    sent = [s for s in vault.sync.sent_bundles() if s.addressee is None]
    last = sent[-1] if sent else None
    if last is None or last.revision_seq is None or last.custody_seq is None or last.blobs is None:
        revision_cursor, custody_cursor = outgoing.acked_revision_seq, outgoing.acked_custody_seq
        carried: set[str] = set()
    else:
        revision_cursor, custody_cursor = last.revision_seq, last.custody_seq
        carried = set(last.blobs)
    held = HeldRevisions(held_runs(vault))
    while page := vault.revisions.since(held.skip(revision_cursor), 1):
        if not held.held(page[0].local_seq):
            return True
        revision_cursor = page[0].local_seq
    if any(b.sha256 not in carried for b in vault.sync.unacknowledged_blobs()):
        return True
    while events := vault.sync.custody_since(custody_cursor, 200):
        if any(not _is_own_transfer(e.signed) for e in events):
            return True
        custody_cursor = events[-1].seq
    return False


def shares_with_coordinators(vault: Vault, target: Target) -> bool:
    """Does the profile name a coordinator besides this vault? Only then
    does a coordinator's own bundle reach anyone (its bundles are encrypted
    to the coordinators of the profile)."""
    return any(c.device_id != vault.device_id for c in target.profile.coordinators)


def make_bundle(vault: Vault, target: Target, *, cancel: CancelToken | None = None) -> ExportedBundle | None:
    """This device's next bundle in the spool folder, when there is new work."""
    if not has_new_work(vault):
        return None
    profile = target.profile
    recipients = [c.age_recipient for c in profile.coordinators]
    return export_bundle(vault, spool_dir(vault), recipients, profile.org_id, profile.version, cancel=cancel)


def queued_bundles(vault: Vault, target: Target) -> list[Queued]:
    """Bundles of this device in the spool folder without a receipt, oldest first."""
    spool = spool_dir(vault)
    state = SyncClientState.of(vault)
    queued = []
    # Parts of a hand-over whose writing was cut short: the next round
    # removes them and makes it again (sync/client/hand_over_unfinished.py).
    unfinished = unfinished_parts(vault)
    for sent in vault.sync.sent_bundles():
        path = spool / bundle_file_name(target.profile.org_id, vault.device_id, sent.sequence)
        if not path.is_file() or path.is_symlink() or sent.bundle_id in unfinished:
            continue  # carried by USB, delivered and removed, or an unfinished series'
        delivery = state.delivery(sent.bundle_id)
        if delivery is not None and delivery.delivered:
            path.unlink()  # delivered before the copy could be removed
            continue
        queued.append(Queued(sent.bundle_id, sent.sequence, path))
    return queued


def queued_count(vault: Vault) -> int:
    """How many of this device's bundles wait in the spool for delivery, and
    (a coordinator's) other devices' bundles waiting for relay (0 when the
    vault belongs to no organisation). Reads only."""
    profile = held_profile(vault)
    if profile is None:
        return 0
    spool = vault.folder / SYNC_SPOOL_DIR
    state = SyncClientState.of(vault)
    count = 0
    for sent in vault.sync.sent_bundles():
        path = spool / bundle_file_name(profile.org_id, vault.device_id, sent.sequence)
        delivery = state.delivery(sent.bundle_id) if path.is_file() else None
        count += path.is_file() and not (delivery is not None and delivery.delivered)
    return count + sum(1 for relay in relays(vault) if relay.path.is_file())


def _file_sha256(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


class _ChunkReader:
    """Reads and hashes the next chunk on its own thread while the one
    before travels, and hashes the whole file on the way when the chunks
    it read follow each other from byte 0 (the receipt's ``file_sha256``
    is then checked without reading the file again)."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.whole = hashlib.sha256()
        self.hashed_to = 0  # the whole file's hash covers bytes 0..hashed_to-1
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="push-read")

    def _read(self, offset: int, size: int) -> tuple[bytes, str]:
        self.file.seek(offset)
        data = self.file.read(size)
        if offset == self.hashed_to:
            self.whole.update(data)
            self.hashed_to += len(data)
        return data, base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")

    def submit(self, offset: int, size: int) -> Future[tuple[bytes, str]]:
        return self._pool.submit(self._read, offset, size)

    def close(self) -> None:
        self._pool.shutdown(wait=True)


def _upload_state(
    client: ServerClient, location: str, stop: Callable[[], bool] | None
) -> tuple[int, str | None] | None:
    """The server's offset of an upload and, once accepted, its bundle id;
    None when the server no longer has it (expired, refused at the end).
    ``stop``: as for the PATCHes (``_Delivery._send``)."""
    try:
        response = client.request("HEAD", location, headers={"Tus-Resumable": TUS_VERSION}, stop=stop)
    except ServerSaid as said:
        if said.status in (404, 410):
            return None
        raise
    return int(response.headers["Upload-Offset"]), response.headers.get("Fieldvault-Bundle-Id")


class _Delivery:
    """One bundle's upload, resumable across connections within a run (the
    offset is the server's) and across runs (the upload's address is kept
    in the vault)."""

    def __init__(self, vault: Vault, queued: Queued, result: PushResult, sizer: ChunkSizer) -> None:
        self.vault = vault
        self.queued = queued
        self.result = result
        self.sizer = sizer
        self.state = SyncClientState.of(vault)
        self.size = queued.path.stat().st_size
        self.offset = 0
        self.file_sha256: str | None = None  # hashed while sent, when the whole file was read in order
        # The upload was one kept from an earlier run, not created by this
        # delivery: it carries what was given at its creation (a relay
        # begun by an older client: no relay statement).
        self.resumed = False

    def upload(
        self, client: ServerClient, progress: Callable[[int], None], cancel: CancelToken | None = None
    ) -> str:
        """Send what the server lacks; returns the bundle id it accepted.
        Cancelled between chunks (the worker stops at a lock) and, while the
        offset is asked or a chunk travels, after every STOP_POLL_S the link
        is silent (transport._HeedingStream; session 23: a stop on a silent
        link waited for the 120 s timeout): the server keeps every whole
        chunk it took and the next run resumes from its offset."""
        stop = (lambda: cancel.cancelled) if cancel is not None else None
        try:
            return self._upload(client, progress, cancel, stop)
        except Stopped:
            raise OperationCancelled() from None

    def _upload(
        self,
        client: ServerClient,
        progress: Callable[[int], None],
        cancel: CancelToken | None,
        stop: Callable[[], bool] | None,
    ) -> str:
        delivery = self.state.delivery(self.queued.bundle_id)
        location = delivery.upload_url if delivery is not None else None
        known = _upload_state(client, location, stop) if location is not None else None
        if known is None:
            signature = self.queued.relay_signature
            metadata = upload_metadata(signature) if signature is not None else None
            location = client.create_upload(self.size, metadata=metadata)
            self.state.set_upload(self.queued.bundle_id, location)
            self.offset, accepted = 0, None
        else:
            self.offset, accepted = known
            self.resumed = True
        assert location is not None
        progress(self.offset)
        with self.queued.path.open("rb") as file:
            reader = _ChunkReader(file)
            try:
                accepted = (
                    self._send(client, location, reader, progress, cancel, stop)
                    if accepted is None
                    else accepted
                )
            finally:
                reader.close()
            if reader.hashed_to == self.size:
                self.file_sha256 = reader.whole.hexdigest()
        return accepted

    def _send(
        self,
        client: ServerClient,
        location: str,
        reader: _ChunkReader,
        progress: Callable[[int], None],
        cancel: CancelToken | None,
        stop: Callable[[], bool] | None,
    ) -> str:
        """PATCHes from the server's offset until it accepts the bundle; the
        next chunk is read and hashed while one travels (sized by the
        PATCHes before it). ``stop`` is the cancel's, asked by the transport
        during each PATCH as well (transport.Stopped)."""
        upcoming = (self.offset, reader.submit(self.offset, self.sizer.size))
        accepted: str | None = None
        while accepted is None:
            if cancel is not None and cancel.cancelled:
                raise OperationCancelled()
            if self.offset > self.size:
                raise errors.garbage(client.url)
            if upcoming[0] != self.offset:
                upcoming = (self.offset, reader.submit(self.offset, self.sizer.size))
            data, digest = upcoming[1].result()
            if not data and self.offset < self.size:
                raise errors.garbage(client.url)  # the file changed under us: never ours to fix
            following = self.offset + len(data)
            upcoming = (following, reader.submit(following, self.sizer.size))
            self.result.bytes_sent += len(data)
            started = time.monotonic()
            response = client.request(
                "PATCH",
                location,
                content=data,
                headers={
                    "Tus-Resumable": TUS_VERSION,
                    "Upload-Offset": str(self.offset),
                    "Content-Type": "application/offset+octet-stream",
                    "Upload-Checksum": f"sha256 {digest}",
                },
                stop=stop,
            )
            self.sizer.sent(len(data), time.monotonic() - started)
            offset = int(response.headers["Upload-Offset"])
            if offset != self.offset + len(data):
                raise errors.garbage(client.url)
            self.offset = offset
            accepted = response.headers.get("Fieldvault-Bundle-Id")
            progress(self.offset)
            if not data and accepted is None:
                raise errors.garbage(client.url)  # all sent, nothing accepted
        return accepted

    def finish(self, client: ServerClient, accepted: str, org_id: str) -> Receipt:
        """Check the receipt (signature by the pinned server key, and that it
        names this very bundle file) and record the delivery."""
        bundle_id = self.queued.bundle_id
        if accepted != bundle_id:
            raise errors.garbage(client.url)
        receipt = client.receipt(bundle_id)
        assert client.server_key is not None  # session() checked it
        try:
            body = verify_receipt(receipt, client.server_key)
        except ReceiptInvalid:
            raise errors.receipt_invalid(bundle_id) from None
        expected = {
            "bundle_id": bundle_id,
            "device_id": self.queued.device_id or self.vault.device_id,
            "org_id": org_id,
            "sequence": self.queued.sequence,
            "size": self.size,
            "file_sha256": self.file_sha256 or _file_sha256(self.queued.path),
        }
        if any(body.get(name) != value for name, value in expected.items()):
            raise errors.receipt_invalid(bundle_id)
        self.state.mark_delivered(bundle_id, json.dumps(receipt.to_json()), receipt.index)
        self.queued.path.unlink()
        _fsync_dir(self.queued.path.parent)
        return receipt


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # Windows: directories cannot be opened; the rename is durable there
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def push(
    vault: Vault,
    *,
    proxy: str | bool | None = True,
    backoff: Backoff | None = None,
    chunk: int | None = None,
    timeout: float | httpx.Timeout = TIMEOUT,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    deliver_only: bool = False,
    coordinator: bool = False,
) -> PushResult:
    """Take the coordinators' relayed acknowledgements, make a bundle if
    there is new work, then deliver everything queued. ``deliver_only``: a
    coordinator delivering the send-back bundles it queued
    (sync/client/inbox.py) — no bundle of its own work, no acknowledgements,
    no purge. ``coordinator``: a coordinator's bundle to the other
    coordinators (docs/sync.md §2.3) — its own work and what it took in by
    USB, never what it pulled; a delivered one counts as acknowledged at its
    receipt (the server holds it: ``hold_delivered``); no relayed
    acknowledgements, no purge. ``proxy``: True takes
    the vault's ``sync_proxy`` setting, a string is a SOCKS5 URL, None/False
    none. Raises SyncFailed when the run stops; what was delivered before
    that is recorded, and the rest (the new bundle included: it is made
    whatever the network does) stays queued."""
    target = target_of(vault)
    proxy_url = chosen_proxy(vault, proxy)
    backoff = backoff or Backoff()
    if coordinator:
        if not shares_with_coordinators(vault, target):
            return PushResult()  # no other coordinator could read it
        hold_delivered(vault)  # one delivered before a kill: not carried again
    run = _PushRun(vault, target, result := PushResult(), chunk, progress, cancel)
    run.make = not deliver_only
    failures = 0
    while True:
        start = (len(result.sent), run.before, result.bytes_sent)
        try:
            with session(vault, proxy=proxy_url, timeout=timeout) as client:
                if not deliver_only and not coordinator:
                    result.acknowledged += take_relayed_acks(vault, client)
                if coordinator:
                    # Before its own bundle, which then leaves out what they brought.
                    _deliver_relays(vault, client, run)
                try:
                    run.prepare()
                except (ValueError, KeyError, TypeError, IndexError) as bug:
                    # Not the server's answer: never reported as "garbage" from it.
                    raise LocalFailure(type(bug).__name__) from bug
                run.deliver(client)
            if coordinator:
                result.acknowledged += hold_delivered(vault)
            if deliver_only or coordinator:
                return result
            # After the receipts, never before: only delivered bytes may go.
            try:
                result.purged = purge_delivered(vault).evidence_ids
            except StorageError:
                result.purge_deferred = True  # a busy or full disk: the next run purges them
            return result
        except SyncFailed as failure:
            if not coordinator or not relays(vault):
                # Offline or refused: the new work still waits, bundled, in the
                # queue (a coordinator's only once its relays are delivered).
                run.prepare()
            if not failure.transient:
                raise
            moved = (len(result.sent), run.before) != start[:2] or result.bytes_sent > start[2]
            failures = 0 if moved else failures + 1  # progress made: the link works, keep going
            if failures >= backoff.attempts:
                raise
            backoff.wait(failures)
            result.retries += 1


class LocalFailure(RuntimeError):
    """Making the bundle failed for a reason of this machine's, inside a
    connection (so that the connection's translation of malformed answers
    into ``sync-garbage`` does not take it for the server's)."""


class _PushRun:
    """One push: the bundle made once, then the queue delivered in order,
    over as many connections as it takes."""

    def __init__(
        self,
        vault: Vault,
        target: Target,
        result: PushResult,
        chunk: int | None,
        progress: Progress | None,
        cancel: CancelToken | None,
    ) -> None:
        self.vault = vault
        self.target = target
        self.result = result
        self.sizer = ChunkSizer(chunk)  # learnt over the run's bundles
        self.progress = progress
        self.cancel = cancel
        self.queue: list[Queued] | None = None
        self.make = True  # False: deliver what is queued, make no bundle
        self.total = 0
        self.before = 0  # bytes of the bundles delivered in this run

    def prepare(self) -> None:
        if self.queue is not None:
            return
        if self.make:
            self.result.made = make_bundle(self.vault, self.target, cancel=self.cancel)
        self.queue = queued_bundles(self.vault, self.target)
        self.result.queued = [q.bundle_id for q in self.queue]
        self.total = sum(q.path.stat().st_size for q in self.queue)

    def report(self, offset: int) -> None:
        if self.progress is not None:
            self.progress(self.before + offset, self.total)

    def deliver(self, client: ServerClient) -> None:
        assert self.queue is not None
        for queued in self.queue[len(self.result.sent) :]:
            delivery = _Delivery(self.vault, queued, self.result, self.sizer)
            accepted = delivery.upload(client, self.report, self.cancel)
            receipt = delivery.finish(client, accepted, self.target.profile.org_id)
            self.result.sent.append(queued.bundle_id)
            self.result.receipts.append(receipt.index)
            self.result.queued.remove(queued.bundle_id)
            self.before += delivery.size


def _deliver_relays(vault: Vault, client: ServerClient, run: _PushRun) -> None:
    """Upload, as they are, the bundles of other devices this coordinator
    imported from a USB stick (sync/bundle/org_held.py ``relays``): the
    server files each under its maker, and the other coordinators pull it
    whole (its custody events and its number too). Each carries this desk's
    relay statement, signed by its device key (sync/server/relay_statement.py):
    the server takes no relay on the strength of the session alone. A
    delivered one is held by the organisation; one the server refuses (an
    older server, a statement it does not take, another bundle of that maker
    with that number) or whose file was lost is forgotten, and what it
    brought travels in this coordinator's own bundle."""
    from sync.client.inbox import refuses_the_bundle

    state = SyncClientState.of(vault)
    for relay in relays(vault):
        known = state.delivery(relay.bundle_id)
        if known is not None and known.delivered:
            relayed(vault, relay.bundle_id)  # its receipt was recorded before a kill
            continue
        if not relay.path.is_file() or relay.path.is_symlink():
            _set_aside(vault, run, relay.bundle_id, "relay-file-lost")
            continue
        org_id = run.target.profile.org_id
        checked = _header_of(relay.path, org_id)
        if checked is None or checked.bundle_id != relay.bundle_id:
            # Not what was imported (changed on disk since): never uploaded,
            # the server would file a bundle this desk never checked.
            _set_aside(vault, run, relay.bundle_id, "relay-file-changed")
            continue
        # Signed by this desk's device key: the server takes a relay only
        # with it, never on the strength of the session alone (server.md §4).
        statement = RelayStatement(
            org_id=org_id,
            relayer_id=vault.device_id,
            bundle_id=checked.bundle_id,
            device_id=checked.header.device_id,
            sequence=checked.header.sequence,
            payload_sha256=checked.header.payload_sha256,
        )
        signature = statement.sign(vault.sync.signing_key())
        queued = Queued(relay.bundle_id, relay.sequence, relay.path, relay.device_id, signature)
        try:
            _deliver_relay(vault, client, run, queued, state)
        except ServerSaid as said:
            # A refusal about the bundle (bundle-device-revoked: its maker was
            # revoked since the import; bundle-conflict ...), never one about
            # this desk or its session, which stops the run as any would.
            if not refuses_the_bundle(said):
                raise
            if said.code == "bundle-device-revoked":
                withhold_relay(vault, relay.bundle_id)  # not carried: see there
            _set_aside(vault, run, relay.bundle_id, said.code)
            continue
        relayed(vault, relay.bundle_id)
        run.result.relayed.append(relay.bundle_id)


def _deliver_relay(
    vault: Vault, client: ServerClient, run: _PushRun, queued: Queued, state: SyncClientState
) -> None:
    """Upload one relay and check its receipt. An upload kept from an
    earlier run may have been created without this desk's statement (by a
    client from before relay statements, or on a server migrated since):
    refused ``relay-statement`` on its last byte, its address is forgotten
    and the relay is sent once more as a new upload, which carries the
    statement; only a refusal of that one is final (review 9 F5)."""
    delivery = _Delivery(vault, queued, run.result, run.sizer)
    try:
        accepted = delivery.upload(client, lambda _offset: None, run.cancel)
    except ServerSaid as said:
        if not (said.code == "relay-statement" and delivery.resumed):
            raise
        state.set_upload(queued.bundle_id, None)
        delivery = _Delivery(vault, queued, run.result, run.sizer)
        accepted = delivery.upload(client, lambda _offset: None, run.cancel)
    delivery.finish(client, accepted, run.target.profile.org_id)


def _header_of(path: Path, org_id: str) -> CheckedBundle | None:
    """The file's checked header, to compare with the bundle imported (its
    id is the header's hash, which covers the payload's; the server checks
    the payload); None when it is no bundle of this organisation."""
    try:
        return check_header(path, org_id=org_id)
    except (BundleRejected, OSError):
        return None


def _set_aside(vault: Vault, run: _PushRun, bundle_id: str, why: str) -> None:
    """Forget a relay that will never be delivered (and its file), and
    report it: what it brought and is not held (its maker revoked: held,
    ``withhold_relay``) travels in this desk's own bundle."""
    forget_relay(vault, bundle_id)
    run.result.relays_set_aside.append((bundle_id, why))


MAX_ACK_LOOKUPS = 20  # delivered bundles asked about per run, newest first


def take_relayed_acks(vault: Vault, client: ServerClient) -> list[str]:
    """Coordinators' signed acknowledgements of this device's delivered
    bundles, as the server relays them, taken as from a USB stick
    (sync/acks.py ``take_ack``: the coordinator's signature and its place in
    the newest profile are checked here, not trusted to the server). Newest
    first; acknowledging a bundle acknowledges the ones before it, so the
    first one taken is enough. Returns the bundle ids taken."""
    state = SyncClientState.of(vault)
    waiting = [
        sent
        for sent in reversed(vault.sync.sent_bundles())
        if sent.acked_ms is None and (d := state.delivery(sent.bundle_id)) is not None and d.delivered
    ]
    for sent in waiting[:MAX_ACK_LOOKUPS]:
        relayed = client.request("GET", f"/v1/bundles/{sent.bundle_id}/acks").json()["acks"]
        for text in relayed:
            # Not canonical base64 (or not base64): nothing to take, as a refused acknowledgement.
            signed = unb64(text) or b""
            try:
                take_ack(vault, signed)
            except (AckRefused, OrgRefused):
                continue  # not a valid acknowledgement: the work is sent again, nothing is lost
            return [sent.bundle_id]
    return []
