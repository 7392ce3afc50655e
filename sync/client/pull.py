"""A coordinator's pull (docs/sync.md, "Pull"): follow the server's changes
feed from the cursor kept in the vault; check the receipt log's hash chain
from the last entry checked (so that a rewritten or dropped entry is seen)
and that each change is the bundle its receipt names; download each bundle
into the vault's spool folder with range requests (a broken download
resumes where it stopped, in this run or the next); check its bytes against
the receipt; import it (all or nothing, sync/bundle/vault_io.py); then
acknowledge it on the server. The cursor moves past a bundle only once it
was imported, held in quarantine or refused, or recorded as stuck: a kill
at any point repeats at most that bundle's steps, and an import repeated is
a replay that changes nothing.

A bundle whose copy on the server is damaged (its bytes are not the ones
the receipt names), whose stored copy the server says is gone or unreadable
(410 ``bundle-payload-missing``: ``sync-payload-missing``) or that the server
no longer gives is **stuck**: kept on
record (``FEED_STUCK``) and tried again at later pulls with growing waits,
while the cursor moves on, so that the other devices' bundles behind it are
pulled. The same device's later bundles **wait** behind it (``FEED_WAITING``)
instead of being imported across the hole: that would leave a gap, and
where the device's work up to the hole was acknowledged (another desk took
the intact copy before the damage) their custody events start after events
this desk never got, so they would be refused (``bundle-custody``). They are
taken, in order, once the stuck one is downloaded intact or arrives by USB,
or once a later bundle of that device was imported here (by USB): the hole
is then behind that one, and a bundle between them is accepted (it is the
one its successor chains to).

A stuck bundle is closed when it was imported itself, downloaded or by
any other path (review 17 F1), or, in a one-desk organisation only, as
**carried** by a later bundle of its device (review 18 R2: ``_why_open``).
An intact copy the import refuses closes it as **refused**, as any refused
feed entry is settled: reported, not asked for again, not taken.
Elsewhere a later bundle of its device carries
everything of that device *no coordinator* had acknowledged when it was
made: where another desk acknowledged the stuck one first, its work is not
in the later one, and the intact copy (an operator's repair) is the only
way it still comes through the server. So it is tried again, with its
waits, until it arrives. Each failed try asks the server which other
coordinator desks acknowledged it (``held_by``): a history hand-over from
such a desk brings its work, where the worker's own USB bundle may be
refused (docs/sync.md §2, "A bundle stuck on the server")."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx

from db.api import CancelToken, SyncClientState, Vault, parked_by_signer
from sync.acks import AckRefused, make_ack, read_ack, sign_ack
from sync.bundle.admission import BundleQuarantined
from sync.bundle.carried_receipts import ReceiptAlarm
from sync.bundle.errors import BundleRejected
from sync.bundle.org_held import relayed, relays
from sync.bundle.quarantine import in_spool, release_held
from sync.bundle.vault_io import BundleCancelled, HandOverFindings, ImportedBundle, import_bundle
from sync.client import errors
from sync.client.connection import TIMEOUT, chosen_proxy, session, target_of
from sync.client.errors import SyncFailed
from sync.client.push import spool_dir
from sync.client.receipt_audit import audit_carried, check_stretch, pinned_keys
from sync.client.retry import Backoff, doubling_wait_ms
from sync.client.transport import ServerClient, ServerSaid
from sync.org import Profile
from sync.org_vault import held_profile
from sync.server.protocol import b64, unb64
from sync.server.receipts import Receipt, ReceiptInvalid

logger = logging.getLogger(__name__)

CURSOR = "changes_cursor"
LOG_HEAD = "log_head"
PAGE = 100
Progress = Callable[[str, int, int], None]  # (bundle id, bytes downloaded, bundle size)
# A feed entry that cannot be downloaded as its receipt names it:
# {bundle id: {"change", "code", "attempts", "first_ms", "last_ms", "next_ms",
# "held_by" (the other coordinator desks the server says acknowledged it)}}.
FEED_STUCK = "feed_stuck"
# Why a stuck record stays open although a later bundle of its device was
# imported here (``_why_open``; review 18 R2): another coordinator desk in the
# profile (one may have acknowledged it by USB, unseen), that device's
# revisions parked here for a parent, a sound acknowledgement of it by a key
# other than this desk's on the server (a desk removed since), or no answer
# from the server about its acknowledgements.
OPEN_BECAUSE = ("other-desks", "parked", "acknowledged-elsewhere", "no-answer")
# The same device's later entries, waiting behind a stuck one:
# {bundle id: {"change", "since_ms"}}.
FEED_WAITING = "feed_waiting"
STUCK_FIRST_MS = 10 * 60 * 1000  # then doubled at each failed try
STUCK_CAP_MS = 24 * 60 * 60 * 1000  # never given up: an operator may repair the copy any day
# What a failed download says of the one bundle, not of the link or the session.
STUCK_CODES = {"sync-download-mismatch", "sync-payload-missing"}
# The server's answer for a bundle whose stored copy is gone or unreadable
# (docs/server.md §2): said of that bundle alone, before any byte.
PAYLOAD_MISSING = "bundle-payload-missing"


@dataclass(frozen=True)
class Change:
    bundle_id: str
    device_id: str
    sequence: int
    size: int
    file_sha256: str
    receipt_index: int


@dataclass(frozen=True)
class Received:
    bundle_id: str
    device_id: str
    sequence: int
    revisions: int
    custody_events: int
    blobs: int
    replay: bool
    # Left out of a coordinator's bundle: their signer is revoked (ids only).
    withheld_revisions: tuple[str, ...] = ()
    # Parked until their parents arrive or are left out (ids only).
    parked_revisions: tuple[str, ...] = ()
    # Parked earlier, stored by this import's end; parked ones that no
    # longer verify, kept parked (review 13 F6/F7; ids only).
    unparked_revisions: tuple[str, ...] = ()
    damaged_parked: tuple[str, ...] = ()
    # Not parked: their signer's parked slots here were full (db/parked.py
    # PARKED_CAP), so they were left out (review 14 F1/F4; ids only).
    past_parked_cap: tuple[str, ...] = ()
    # Kept aside (parked): their device's coordinator's vouch lapsed here,
    # until it is enrolled again (review 15 F2; ids only).
    signer_pending: tuple[str, ...] = ()
    # Left out: their record is held here with another type (db/type_clash.py; ids only).
    type_clash: tuple[str, ...] = ()
    # A history hand-over's last part (a coordinator desk's inbox): what the
    # check against the workers' signed manifests found (counts, the maker's
    # id; vault_io.HandOverFindings). None for any other bundle.
    hand_over_findings: HandOverFindings | None = None
    # A history hand-over's custody events of devices whose vouch lapsed here
    # since it was made, checked with each one's key and not stored: (device
    # id, how many), sorted by id (ImportedBundle.custody_kept_out; empty for
    # any other bundle). Ids and counts only.
    custody_kept_out: tuple[tuple[str, int], ...] = ()

    @staticmethod
    def of(imported: ImportedBundle) -> Received:
        return Received(
            imported.bundle_id,
            imported.device_id,
            imported.sequence,
            imported.revisions,
            imported.custody_events,
            imported.blobs,
            imported.replay,
            imported.withheld_revisions,
            imported.parked_revisions,
            imported.unparked_revisions,
            imported.damaged_parked,
            imported.past_parked_cap,
            imported.signer_pending,
            imported.type_clash,
            imported.hand_over_findings,
            imported.custody_kept_out,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "bundle_id": self.bundle_id,
            "device_id": self.device_id,
            "sequence": self.sequence,
            "revisions": self.revisions,
            "custody_events": self.custody_events,
            "blobs": self.blobs,
            "replay": self.replay,
            "withheld_revisions": list(self.withheld_revisions),
            "parked_revisions": list(self.parked_revisions),
            "unparked_revisions": list(self.unparked_revisions),
            "damaged_parked": list(self.damaged_parked),
            "past_parked_cap": list(self.past_parked_cap),
            "signer_pending": list(self.signer_pending),
            "type_clash": list(self.type_clash),
            # As ``fieldvault bundle import`` lists them (docs/cli.md).
            "custody_kept_out": [
                {"device_id": device_id, "events": count, "reason": "vouch-lapsed"}
                for device_id, count in self.custody_kept_out
            ],
        }


@dataclass
class PullResult:
    received: list[Received] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # bundle ids held in quarantine
    refused: list[tuple[str, str]] = field(default_factory=list)  # (bundle id, error code)
    # A refused bundle whose maker the newest profile here revokes, read now
    # to keep its revision ids as left out: bundle id -> (ids kept, ids not
    # kept for the cap) (BundleRejected.refused_read; review 12 F1).
    refused_reads: dict[str, tuple[int, int]] = field(default_factory=dict)
    gaps: list[dict[str, Any]] = field(default_factory=list)
    bytes_received: int = 0
    retries: int = 0
    # Receipts that disagree with the receipt log this vault checked (found
    # in this run; every one found is kept in the vault: carried_receipts.alarms).
    server_forks: list[ReceiptAlarm] = field(default_factory=list)
    # A field worker's inbox: the refusals of this run, each with when it is
    # tried again or that it was set aside for good (inbox.InboxRefusal).
    inbox_refusals: list[Any] = field(default_factory=list)
    # Bundles held in quarantine by an earlier pull and imported in this run,
    # their device enrolled since (another coordinator's vouch); also in ``received``.
    released: list[str] = field(default_factory=list)
    # Bundles held by a pull whose release failed for a reason not their own
    # (bundle id, error code, failures in a row; sync/bundle/quarantine.py
    # RELEASE_FAILED): still held, their spool copy kept. At RELEASE_TRIES
    # they are passed over (listed, not tried) until a person tries again.
    release_failed: list[tuple[str, str, int]] = field(default_factory=list)
    # Bundles stuck on the server's side as this run leaves them (those of
    # earlier runs too), each with the device's later bundles waiting behind it.
    stuck: list[StuckBundle] = field(default_factory=list)
    # Stuck bundles settled in this run: (bundle id, how: "downloaded",
    # "received" (imported otherwise, e.g. by USB), "carried" (a later
    # bundle of its device brought its work: only where this desk is the
    # organisation's one coordinator and no other key acknowledged it),
    # "refused" (downloaded intact, refused by the import: in ``refused``)).
    unstuck: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class StuckBundle:
    """A bundle in the changes feed this vault could not download as its
    receipt names it: tried again at ``next_ms``, with the device's later
    bundles waiting behind it (``waiting``, their sequence numbers)."""

    bundle_id: str
    device_id: str
    sequence: int
    # sync-download-mismatch (a damaged copy), sync-payload-missing (the
    # server's stored copy is gone or unreadable) or sync-refused (the
    # server no longer gives it)
    code: str
    attempts: int
    first_ms: int  # the first failed try: stuck since
    last_ms: int  # the last failed try
    next_ms: int
    waiting: tuple[int, ...] = ()
    # Other coordinator desks whose acknowledgement of it the server relays
    # (device id, label): they hold its work, and their history hand-over
    # brings it. Asked at each failed try.
    held_by: tuple[tuple[str, str], ...] = ()
    # The device's newest bundle imported here when above this one (else 0):
    # none waits behind it any more, but its own work may still be missing.
    later: int = 0
    # With ``later``, why the record stays open, as the last pull found it
    # (OPEN_BECAUSE; "" before a pull looked): what the panel tells the user
    # instead of asking again for the USB bundle already brought.
    open_because: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "bundle_id": self.bundle_id,
            "device_id": self.device_id,
            "sequence": self.sequence,
            "code": self.code,
            "attempts": self.attempts,
            "first_ms": self.first_ms,
            "last_ms": self.last_ms,
            "next_try_ms": self.next_ms,
            "waiting": list(self.waiting),
            "held_by": [{"device_id": d, "label": label} for d, label in self.held_by],
            "later": self.later,
            "open_because": self.open_because,
        }


def _change(value: Any) -> Change:
    """A feed entry, checked for form (else TypeError: garbage)."""
    if not isinstance(value, dict):
        raise TypeError("change")
    change = Change(
        bundle_id=value["bundle_id"],
        device_id=value["device_id"],
        sequence=value["sequence"],
        size=value["size"],
        file_sha256=value["file_sha256"],
        receipt_index=value["receipt_index"],
    )
    texts = (change.bundle_id, change.device_id, change.file_sha256)
    numbers = (change.sequence, change.size, change.receipt_index)
    if not all(isinstance(t, str) and t.isalnum() and t.isascii() for t in texts):
        raise TypeError("change")
    if not all(type(n) is int and n >= 1 for n in numbers):
        raise TypeError("change")
    return change


class _Log:
    """The receipt log as far as this vault checked it: each stretch read is
    checked to join the last entry checked before (``check_stretch``), and the
    new head kept in the vault."""

    def __init__(self, vault: Vault, client: ServerClient) -> None:
        self.state = SyncClientState.of(vault)
        self.client = client
        # The log's entries are signed by the receipt key pinned when each was
        # written: an old key before the switch to a new one (receipt_audit.py).
        self.keys = pinned_keys(vault)
        head = self.state.value(LOG_HEAD)
        self.head = Receipt.from_json(json.loads(head)) if head is not None else None
        self.seen: dict[int, Receipt] = {}  # entries checked to join the head, this run

    def receipt(self, index: int) -> Receipt:
        """The checked receipt ``index``: the log is read and checked up to it."""
        if index in self.seen:
            return self.seen[index]
        if self.head is not None and index <= self.head.index:
            # Checked in an earlier run: this entry alone, by its signature.
            receipt = self.client.receipts(start=index, limit=1)[0]
            try:
                self.keys.verify(receipt, at_most=max(self.keys.positions(self.head), default=None))
            except ReceiptInvalid:
                raise errors.log_broken(index) from None
            if receipt.index != index:
                raise errors.log_broken(index)
            return receipt
        if not self.read_to(index):
            raise errors.log_broken(self.head.index + 1 if self.head is not None else 1)
        return self.seen[index]

    def read_to(self, index: int) -> bool:
        """Read and check the log forward up to ``index``; False when the
        server's log ends before it."""
        while self.head is None or self.head.index < index:
            start = self.head.index + 1 if self.head is not None else 1
            stretch = self.client.receipts(start=start, limit=min(1000, index - start + 1))
            if not stretch:
                return False
            try:
                check_stretch(self.keys, stretch, after=self.head)
            except ReceiptInvalid:
                raise errors.log_broken(start) from None
            for receipt in stretch:
                self.seen[receipt.index] = receipt
            self.head = stretch[-1]
            self.state.set_value(LOG_HEAD, json.dumps(self.head.to_json()))
        return True

    def checked_entries(self, indexes: list[int]) -> dict[int, Receipt | None]:
        """The entries at ``indexes`` of the log as this vault checked it
        (None: the log the server shows ends before that index). Entries
        before the head checked in an earlier run are read again from there
        up to the head and must join it, hash by hash (else
        ``sync-log-broken``): so they are the entries the chain this vault
        checked holds, not whatever the server answers today."""
        if not indexes:
            return {}
        beyond = max(indexes)
        if self.head is None or beyond > self.head.index:
            self.read_to(beyond)  # False: the log ends before it; those indexes are None below
        head = self.head.index if self.head is not None else 0
        missing = sorted(i for i in indexes if i not in self.seen and i <= head)
        if missing:
            self._read_back(missing[0])
        return {i: self.seen.get(i) for i in indexes}

    def _read_back(self, start: int) -> None:
        """Read entries ``start`` … up to the head checked before, and check
        that they join it (each entry's ``previous`` is the hash of the one
        before it, the last one is the head)."""
        assert self.head is not None
        head = self.head
        stretch: list[Receipt] = []
        while not stretch or stretch[-1].index < head.index:
            at = stretch[-1].index + 1 if stretch else start
            page = self.client.receipts(start=at, limit=min(1000, head.index - at + 1))
            if not page or page[0].index != at:  # (also: never loop on a page that does not move on)
                raise errors.log_broken(at)
            stretch += [r for r in page if r.index <= head.index]
        try:
            at = 0
            for receipt in stretch:
                _body, at = self.keys.verify(receipt, at_least=at)
        except ReceiptInvalid:
            raise errors.log_broken(start) from None
        joined = stretch[-1].index == head.index and stretch[-1].entry == head.entry
        for before, after in pairwise(stretch):
            joined = (
                joined and after.index == before.index + 1 and after.body.get("previous") == before.sha256
            )
        if stretch[0].index != start or not joined:
            raise errors.log_broken(start)
        for receipt in stretch:
            self.seen.setdefault(receipt.index, receipt)


def _matches(receipt: Receipt, change: Change, org_id: str) -> bool:
    body = receipt.body
    return (
        body.get("bundle_id") == change.bundle_id
        and body.get("device_id") == change.device_id
        and body.get("sequence") == change.sequence
        and body.get("size") == change.size
        and body.get("file_sha256") == change.file_sha256
        and body.get("org_id") == org_id
    )


def _sha256(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _download(
    client: ServerClient,
    spool: Path,
    change: Change,
    result: PullResult,
    progress: Progress | None,
    cancel: CancelToken | None = None,
    *,
    afresh: bool = False,
) -> Path:
    """The bundle's bytes in ``<spool>/<bundle id>.fvbundle``, resuming a
    partial download; checked against the receipt's size and SHA-256. A
    resumed one that fails the check is downloaded once more from its
    start (``afresh``) before the server's copy is blamed: the part kept
    here may be what was wrong (a power cut while it was written).
    ``cancel`` closes the connection within a piece of the download
    (BundleCancelled); what came is kept in the ``.part`` file, from which
    the next pull resumes (review 31 F3: a lock cut a coordinator's
    download only once the whole bundle was in)."""
    stop = (lambda: cancel.cancelled) if cancel is not None else None
    done = spool / f"{change.bundle_id}.fvbundle"
    if done.is_file() and not done.is_symlink():
        return done  # downloaded and checked before a kill
    part = spool / f"{change.bundle_id}.fvbundle.part"
    have = part.stat().st_size if part.is_file() else 0
    if have > change.size:
        part.unlink()
        have = 0
    if have < change.size:
        with part.open("ab") as out:
            try:
                result.bytes_received += client.download(change.bundle_id, out, start=have, stop=stop)
            except ServerSaid as said:
                if said.code == PAYLOAD_MISSING:
                    # The server lost this one bundle's bytes: said of it
                    # alone (stuck, or an inbox refusal tried again), not
                    # the run's failure. What came before stays for a resume.
                    raise errors.payload_missing(change.bundle_id) from None
                raise
            finally:
                out.flush()
                os.fsync(out.fileno())
    if cancel is not None and cancel.cancelled and part.stat().st_size < change.size:
        raise BundleCancelled()  # the part stays: resumed by the next pull
    if progress is not None:
        progress(change.bundle_id, part.stat().st_size, change.size)
    if part.stat().st_size != change.size or _sha256(part) != change.file_sha256:
        part.unlink()
        if have and not afresh:  # review 32 L1: it was marked stuck, the server's copy blamed
            return _download(client, spool, change, result, progress, cancel, afresh=True)
        raise errors.download_mismatch(change.bundle_id)
    part.replace(done)
    return done


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _change_json(change: Change) -> dict[str, Any]:
    return {
        "bundle_id": change.bundle_id,
        "device_id": change.device_id,
        "sequence": change.sequence,
        "size": change.size,
        "file_sha256": change.file_sha256,
        "receipt_index": change.receipt_index,
    }


def _records(state: SyncClientState, key: str) -> dict[str, dict[str, Any]]:
    text = state.value(key)
    value = json.loads(text) if text else {}
    return value if isinstance(value, dict) else {}


def _save_records(state: SyncClientState, key: str, records: dict[str, dict[str, Any]]) -> None:
    state.set_value(key, json.dumps(records, sort_keys=True))


def stuck_bundles(vault: Vault) -> list[StuckBundle]:
    """The bundles stuck on the server's side as the last pull left them,
    oldest first, with the sequence numbers of their device's bundles
    waiting behind each, the other desks the server says acknowledged it,
    and the device's newest bundle here when above it. One imported since
    (by USB) is left out: the next pull closes it."""
    state = SyncClientState.of(vault)
    stuck = _records(state, FEED_STUCK)
    if not stuck:
        return []
    newest = _newest_received(vault)
    waiting = [_change(w["change"]) for w in _records(state, FEED_WAITING).values()]
    profile = held_profile(vault)
    found = []
    for bundle_id, record in stuck.items():
        change = _change(record["change"])
        if vault.sync.received_bundle(bundle_id) is not None:
            continue
        behind = sorted(
            w.sequence for w in waiting if w.device_id == change.device_id and w.sequence > change.sequence
        )
        found.append(
            StuckBundle(
                bundle_id,
                change.device_id,
                change.sequence,
                record["code"],
                record["attempts"],
                record["first_ms"],
                record["last_ms"],
                record["next_ms"],
                tuple(behind),
                _desks(profile, record.get("held_by", [])),
                later if (later := newest.get(change.device_id, 0)) > change.sequence else 0,
                str(record.get("open_because", "")) if later > change.sequence else "",
            )
        )
    return sorted(found, key=lambda s: (s.first_ms, s.device_id, s.sequence))


def _newest_received(vault: Vault) -> dict[str, int]:
    """Each device's highest bundle number imported here."""
    newest: dict[str, int] = {}
    for received in vault.sync.received_bundles():
        newest[received.device_id] = max(newest.get(received.device_id, 0), received.sequence)
    return newest


def _desks(profile: Profile | None, device_ids: Any) -> tuple[tuple[str, str], ...]:
    """(device id, label) of the coordinator desks named, as the profile held here labels them."""
    if not isinstance(device_ids, list):
        return ()
    desks = []
    for device_id in device_ids:
        desk = profile.coordinator(device_id) if profile is not None and isinstance(device_id, str) else None
        desks.append((device_id, desk.label if desk is not None else ""))
    return tuple(desks)


class _Puller:
    def __init__(
        self,
        vault: Vault,
        result: PullResult,
        progress: Progress | None,
        now_ms: Callable[[], int],
        cancel: CancelToken | None = None,
    ) -> None:
        self.vault = vault
        self.result = result
        self.progress = progress
        self.now_ms = now_ms
        self.cancel = cancel
        self.state = SyncClientState.of(vault)
        self.target = target_of(vault)
        self.spool = spool_dir(vault)
        self.tried_again: set[str] = set()  # stuck bundles tried in this run: once each at most

    @property
    def cursor(self) -> int:
        return int(self.state.value(CURSOR) or "0")

    def run(self, client: ServerClient) -> None:
        log = _Log(self.vault, client)
        self.release(client)  # held ones whose device was vouched for since the last run (a USB import)
        # Why each stuck record stays open, saved now (a USB import since the
        # last run may have brought a later bundle), not only at the feed's
        # end: a run stopped on the way leaves what it learned.
        self._learn_why_open(client)
        while True:
            feed = client.changes(cursor=self.cursor, limit=PAGE)
            changes = [_change(c) for c in feed["changes"]]
            if not changes:
                # Stuck bundles after the new entries: one can never hold up what came after it.
                self.try_stuck(client)
                # The receipts imported bundles carried (USB ones too), against the log.
                self.result.server_forks += audit_carried(self.vault, log, log.keys)
                return
            for change in changes:
                if change.receipt_index <= self.cursor:
                    raise errors.garbage(client.url)  # the feed went backwards
                if not _matches(log.receipt(change.receipt_index), change, self.target.profile.org_id):
                    raise errors.log_broken(change.receipt_index)
                if self._blocked(change):
                    self._wait(change)
                else:
                    self._attempt(client, change)
                self.state.set_value(CURSOR, str(change.receipt_index))

    # -- stuck bundles and those waiting behind them ------------------------------------------

    def _attempt(self, client: ServerClient, change: Change) -> bool:
        """Pull one entry (new, stuck, or waiting). A download that fails
        because of this one bundle (a damaged copy on the server, one the
        server no longer gives) makes it stuck, not the whole pull: False."""
        try:
            refusal = self.one(client, change)
        except ServerSaid as said:
            # Inside the session the transport's refusal comes through raw.
            from sync.client.inbox import refuses_the_bundle  # (inbox.py imports this module)

            if not refuses_the_bundle(said):
                raise
            self._stuck(client, change, "sync-refused")
            return False
        except SyncFailed as failure:
            if failure.code not in STUCK_CODES:
                raise
            self._stuck(client, change, failure.code)
            return False
        # Downloaded intact but refused by the import: settled as any refused
        # feed entry is (in result.refused, never asked for again: the cursor
        # passed it), not as taken, so nobody reads "downloaded" as "here".
        self._unstuck(change.bundle_id, "downloaded" if refusal is None else "refused")
        if refusal is None:
            # An import may change why a stuck record of its device stays
            # open (a later bundle here, revisions parked or not): saved now.
            self._learn_why_open(client, change.device_id)
        return True

    def _stuck(self, client: ServerClient, change: Change, code: str) -> None:
        held_by = self._acknowledged_elsewhere(client, change)
        records = _records(self.state, FEED_STUCK)
        now = self.now_ms()
        new = change.bundle_id not in records
        record = records.get(change.bundle_id) or {"first_ms": now, "attempts": 0}
        attempts = record["attempts"] + 1
        records[change.bundle_id] = {
            "change": _change_json(change),
            "code": code,
            "attempts": attempts,
            "first_ms": record["first_ms"],
            "last_ms": now,
            "next_ms": now + doubling_wait_ms(attempts, STUCK_FIRST_MS, STUCK_CAP_MS),
            "held_by": held_by if held_by is not None else record.get("held_by", []),
            "open_because": record.get("open_because", ""),
        }
        _save_records(self.state, FEED_STUCK, records)
        # Ids and numbers only (STYLE: logs carry ids, never content).
        logger.warning(
            "bundle %s (device %s, number %d) stuck on the server (%s), try %d",
            change.bundle_id,
            change.device_id,
            change.sequence,
            code,
            attempts,
        )
        if new:
            # A later bundle of its device may be here already (by USB):
            # why the new record stays open, saved with it. (A record tried
            # again had it saved just before its try, ``try_stuck``.)
            self._learn_why_open(client, change.device_id)

    def _acknowledged_elsewhere(self, client: ServerClient, change: Change) -> list[str] | None:
        """The other coordinator desks whose signed acknowledgement of this
        bundle the server relays (``GET /v1/bundles/{id}/acks``), each
        checked: its signature, this bundle and organisation, a coordinator
        of the profile held here. They imported it, so they hold its work.
        None when the server does not answer (the last answer is kept)."""
        others = self._acks_by_others(client, change)
        if others is None:
            return None
        return sorted(d for d in others if self.target.profile.coordinator(d) is not None)

    def _unstuck(self, bundle_id: str, how: str) -> None:
        records = _records(self.state, FEED_STUCK)
        if records.pop(bundle_id, None) is not None:
            _save_records(self.state, FEED_STUCK, records)
            self.result.unstuck.append((bundle_id, how))

    def _blocked(self, change: Change) -> bool:
        """A bundle of a device with an earlier bundle stuck: it waits, not
        imported across that hole (a gap, or a custody refusal where the
        device's work up to the hole was acknowledged elsewhere). One
        imported here already is not blocked (a replay: acknowledged as one),
        nor one whose device has a bundle past the hole imported here (by
        USB): the hole is behind that one already, and this one follows it."""
        if self.vault.sync.received_bundle(change.bundle_id) is not None:
            return False
        holes: list[int] = [
            other["change"]["sequence"]
            for bundle_id, other in _records(self.state, FEED_STUCK).items()
            if other["change"]["device_id"] == change.device_id
            and other["change"]["sequence"] < change.sequence
            and bundle_id != change.bundle_id
        ]
        if not holes:
            return False
        newest: int = _newest_received(self.vault).get(change.device_id, 0)
        return newest <= max(holes)

    def _wait(self, change: Change) -> None:
        waiting = _records(self.state, FEED_WAITING)
        if change.bundle_id not in waiting:
            waiting[change.bundle_id] = {"change": _change_json(change), "since_ms": self.now_ms()}
            _save_records(self.state, FEED_WAITING, waiting)

    def try_stuck(self, client: ServerClient) -> None:
        """Close the stuck bundles imported otherwise (by USB), try again
        those whose wait is over (once each per run), then take the bundles
        that no longer wait behind one, in their device's order. A later
        bundle of its device imported here releases those waiting; it closes
        the record only where it surely carries this one's work (``_why_open``:
        one desk; review 18 R2), else it may not (review 17 F1)."""
        stuck = _records(self.state, FEED_STUCK)
        if not stuck and not _records(self.state, FEED_WAITING):
            return
        for bundle_id, record in sorted(stuck.items(), key=lambda item: item[1]["change"]["sequence"]):
            change = _change(record["change"])
            if self.vault.sync.received_bundle(bundle_id) is not None:
                self.one(client, change)  # a replay: acknowledged on the server as one
                self._unstuck(bundle_id, "received")
                continue
            why_open = self._why_open(client, change)
            if why_open is None:
                self._unstuck(bundle_id, "carried")
                continue
            self._note_why_open(bundle_id, why_open)
            if record["next_ms"] <= self.now_ms() and bundle_id not in self.tried_again:
                self.tried_again.add(bundle_id)
                self._attempt(client, change)
        self._take_waiting(client)

    def _learn_why_open(self, client: ServerClient, device_id: str | None = None) -> None:
        """Save why each stuck record (of ``device_id``, else all) stays
        open as found now (``_why_open``), and close as carried one that no
        longer needs to, as ``try_stuck`` does at the feed's end. Asked at
        the run's start, after an import of a device with a stuck record and
        when a record is made: before, only at the feed's end, so a run
        stopped on the way (a dropped link, a kill, a 5xx) left an earlier
        run's reason in the vault, which ``stuck_bundles`` (sync --json,
        the sync panel) then told as this one's. One request to the server
        at most per record with a later bundle here (``_acks_by_others``)."""
        for bundle_id, record in sorted(
            _records(self.state, FEED_STUCK).items(), key=lambda item: item[1]["change"]["sequence"]
        ):
            change = _change(record["change"])
            if device_id not in (None, change.device_id):
                continue
            if self.vault.sync.received_bundle(bundle_id) is not None:
                continue  # imported otherwise: try_stuck closes it as received, acknowledging it
            why_open = self._why_open(client, change)
            if why_open is None:
                self._unstuck(bundle_id, "carried")
            else:
                self._note_why_open(bundle_id, why_open)

    def _note_why_open(self, bundle_id: str, why_open: str) -> None:
        records = _records(self.state, FEED_STUCK)
        if bundle_id in records and records[bundle_id].get("open_because", "") != why_open:
            records[bundle_id]["open_because"] = why_open
            _save_records(self.state, FEED_STUCK, records)

    def _why_open(self, client: ServerClient, change: Change) -> str | None:
        """Why the stuck record stays open, or None: a later bundle of its
        device imported here surely carries the stuck one's work (review 18 R2): a worker's bundle carries all it
        had no coordinator's acknowledgement of, and nobody else could have
        acknowledged this one. Sound only when (1) the profile held here
        has no coordinator desk but this one, (2) the server relays no
        sound acknowledgement of it by any other key (a desk removed from
        the profile since included), (3) a later bundle of its device was
        imported here, and (4) none of that device's revisions waits here
        for a parent (an edit whose parent is in the stuck one would be
        parked). In a multi-desk organisation never: another desk may have
        acknowledged it by USB, unseen (review 17 F1). None when carried;
        else "" (no later bundle here) or the first OPEN_BECAUSE reason found."""
        if _newest_received(self.vault).get(change.device_id, 0) <= change.sequence:
            return ""
        profile = self.target.profile
        if [c.device_id for c in profile.coordinators] != [self.vault.device_id]:
            return "other-desks"
        if parked_by_signer(self.vault).get(change.device_id, 0):
            return "parked"
        others = self._acks_by_others(client, change)
        if others is None:
            return "no-answer"
        return "acknowledged-elsewhere" if others else None

    def _acks_by_others(self, client: ServerClient, change: Change) -> set[str] | None:
        """The keys other than this desk's whose sound acknowledgement of
        the bundle the server relays, whether or not the profile held here
        still lists them. None when the server does not answer."""
        try:
            answer = client.request("GET", f"/v1/bundles/{change.bundle_id}/acks").json()
        except (ServerSaid, SyncFailed, ValueError):
            return None
        texts = answer.get("acks") if isinstance(answer, dict) else None
        if not isinstance(texts, list):
            return None
        others: set[str] = set()
        for text in texts:
            data = unb64(text) if isinstance(text, str) else None
            try:
                ack = read_ack(data) if data is not None else None
            except AckRefused:
                continue  # not a sound acknowledgement: no word of any desk
            if (
                ack is not None
                and ack.bundle_id == change.bundle_id
                and ack.org_id == self.target.profile.org_id
                and ack.coordinator_id != self.vault.device_id
            ):
                others.add(ack.coordinator_id)
        return others

    def _take_waiting(self, client: ServerClient) -> None:
        waiting = _records(self.state, FEED_WAITING)
        for bundle_id, record in sorted(
            waiting.items(), key=lambda item: (item[1]["change"]["device_id"], item[1]["change"]["sequence"])
        ):
            change = _change(record["change"])
            if self._blocked(change):
                continue  # behind a bundle still stuck (perhaps one taken just before it)
            self._attempt(client, change)
            waiting = _records(self.state, FEED_WAITING)
            waiting.pop(bundle_id, None)
            _save_records(self.state, FEED_WAITING, waiting)

    def one(self, client: ServerClient, change: Change) -> BundleRejected | None:
        """Take one feed entry: the import's refusal when it refused it
        (reported in ``result.refused``), else None (imported, a replay, or
        held in quarantine)."""
        if change.device_id == self.vault.device_id:
            return None  # its own bundle to the coordinators (docs/sync.md §2.3): nothing to fetch
        if self.vault.sync.received_bundle(change.bundle_id) is not None:
            # Imported before (from a USB stick; perhaps this desk relayed it):
            # a replay, acknowledged as one without downloading it again.
            signed = sign_ack(make_ack(self.vault, change.bundle_id), self.vault.sync.signing_key())
            client.request("POST", f"/v1/bundles/{change.bundle_id}/ack", json={"signed": b64(signed)})
            if any(r.bundle_id == change.bundle_id for r in relays(self.vault)):
                relayed(self.vault, change.bundle_id)  # the server has it: not uploaded again
            return None
        path = _download(client, self.spool, change, self.result, self.progress, self.cancel)
        imported = import_downloaded(
            self.vault, path, change.bundle_id, self.target.profile.org_id, self.result, self.cancel
        )
        if isinstance(imported, BundleRejected):
            path.unlink()  # the server still holds it
            return imported
        if imported is None:
            return None  # held: the file stays where the quarantine row says
        self.imported(client, change.bundle_id, imported, path)
        if imported.vouched:
            # Another coordinator's bundle made devices known: their bundles
            # this vault pulled and held are imported now, not at the next run.
            self.release(client)
        return None

    def imported(self, client: ServerClient, bundle_id: str, imported: ImportedBundle, path: Path) -> None:
        self.result.gaps += [
            {"device_id": g.device_id, "first": g.first, "last": g.last} for g in imported.gaps
        ]
        self.acknowledge(client, bundle_id, path)

    def acknowledge(self, client: ServerClient, bundle_id: str, path: Path) -> None:
        # The signed acknowledgement goes with the server's record of it: the
        # server relays it to the worker, whose next bundle then carries only
        # new work (sync/acks.py; the worker checks the signature itself).
        signed = sign_ack(make_ack(self.vault, bundle_id), self.vault.sync.signing_key())
        client.request("POST", f"/v1/bundles/{bundle_id}/ack", json={"signed": b64(signed)})
        path.unlink()

    def _no_longer_held(self, bundle_id: str) -> None:
        # Held earlier in this very run and settled by a release after it:
        # reported once, as what became of it, not also as still held.
        if bundle_id in self.result.held:
            self.result.held.remove(bundle_id)

    def release(self, client: ServerClient) -> None:
        """Bundles a pull held in quarantine (their files in the spool) whose
        device is enrolled since — most often on another coordinator's vouch
        (docs/bundle-format.md §8) — imported now, each all or nothing, then
        acknowledged on the server like any pulled bundle. One refused is
        reported and its spool copy removed (the server still holds it); one
        whose spool file was another bundle by the import is reported
        (quarantine-file-changed) and not acknowledged. One whose release
        failed for a reason not its own (held-revision-damaged: this
        vault's state; any error of ours) is reported in ``release_failed``
        and keeps its spool copy, which this desk cannot download again;
        the pull goes on. After RELEASE_TRIES failures in a row it is no
        longer tried (still reported) until a person asks again: ``fieldvault
        bundle quarantine retry`` or Try again in Coordinator → Devices…
        (quarantine.retry_release), after which the next pull imports it as
        pulled. Importing the spool file by hand would take it as from a USB
        stick (not held by the server, staged for relay)."""
        released = release_held(
            self.vault,
            self.vault.vault_keys.age_identity(),
            org_id=self.target.profile.org_id,
            which=lambda held: in_spool(self.vault, held),
            cancel=self.cancel,
        )
        for one in released:
            path = Path(one.held.path)
            if one.imported is not None:
                self.result.received.append(Received.of(one.imported))
                self.result.released.append(one.held.bundle_id)
                self._no_longer_held(one.held.bundle_id)
                self.imported(client, one.held.bundle_id, one.imported, path)
            elif one.failed is not None:
                # Not the bundle's fault (review 14 F5, review 30 F1): the spool
                # copy stays, and the pull goes on rather than stopping at this
                # bundle at every run.
                self.result.release_failed.append((one.held.bundle_id, one.failed.code, one.failed.count))
            elif one.refusal is not None:
                self.result.refused.append((one.held.bundle_id, one.refusal.code or "bundle-refused"))
                self._no_longer_held(one.held.bundle_id)
                path.unlink(missing_ok=True)
            elif one.imported_instead is not None:
                # The spool file was another bundle by the import's read: that
                # one is imported (every check passed); the held one is neither
                # named imported nor acknowledged, and stays held.
                self.result.received.append(Received.of(one.imported_instead))
                self.result.refused.append((one.held.bundle_id, "quarantine-file-changed"))
        # Held by a pull, imported since and its spool copy still there: a
        # kill between a release and its acknowledgement, or an approval by
        # code ('bundle approve'); or counted as received on a hand-over's
        # word ("received", review 22). Acknowledged now, and the copy removed.
        for held in self.vault.sync.held_bundles(include_approved=True):
            path = Path(held.path)
            if (
                held.status in ("approved", "received")
                and in_spool(self.vault, held)
                and path.is_file()
                and self.vault.sync.received_bundle(held.bundle_id) is not None
            ):
                self.acknowledge(client, held.bundle_id, path)


def import_downloaded(
    vault: Vault,
    path: Path,
    bundle_id: str,
    org_id: str,
    result: PullResult,
    cancel: CancelToken | None = None,
) -> ImportedBundle | BundleRejected | None:
    """Import a bundle downloaded from the server as from a USB stick
    (``import_bundle``: every check, one transaction). Imported: added to
    ``result.received`` and returned. Held in quarantine (an unknown
    sender): added to ``result.held``, None (its file stays where the
    quarantine row says). Refused: added to ``result.refused`` and the
    refusal returned; what becomes of the file is the caller's choice.
    ``cancel`` stops the import (BundleCancelled; nothing of it applied),
    even while its decryption waits for a stalled helper process."""
    try:
        # The server holds it: a coordinator's own bundles do not upload
        # what it brought again (sync/bundle/org_held.py).
        imported = import_bundle(
            vault, path, vault.vault_keys.age_identity(), org_id=org_id, from_server=True, cancel=cancel
        )
    except BundleQuarantined:
        result.held.append(bundle_id)
        return None
    except BundleRejected as refused:
        result.refused.append((bundle_id, refused.code or "bundle-refused"))
        if refused.refused_read is not None:
            result.refused_reads[bundle_id] = refused.refused_read
        return refused
    result.received.append(Received.of(imported))
    return imported


def with_retries(
    vault: Vault,
    run: Callable[[ServerClient], None],
    position: Callable[[], object],
    result: PullResult,
    *,
    proxy: str | None,
    backoff: Backoff,
    timeout: float | httpx.Timeout,
) -> None:
    """``run`` in a logged-in session, again after a transient failure with
    ``backoff``: a try that moved ``position()`` or received bytes resets
    the count (the link works); ``backoff.attempts`` tries in a row without
    progress, or any other failure, raise SyncFailed."""
    failures = 0
    while True:
        before = (position(), result.bytes_received)
        try:
            with session(vault, proxy=proxy, timeout=timeout) as client:
                run(client)
            return
        except SyncFailed as failure:
            if not failure.transient:
                raise
            failures = 0 if (position(), result.bytes_received) != before else failures + 1
            if failures >= backoff.attempts:
                raise
            backoff.wait(failures)
            result.retries += 1


def pull(
    vault: Vault,
    *,
    proxy: str | bool | None = True,
    backoff: Backoff | None = None,
    timeout: float | httpx.Timeout = TIMEOUT,
    progress: Progress | None = None,
    now_ms: Callable[[], int] = _now_ms,
    cancel: CancelToken | None = None,
) -> PullResult:
    """Download, check, import and acknowledge every bundle the server
    received since the last pull, and try again the stuck ones whose wait
    is over (``stuck_bundles``). Raises SyncFailed when the run stops; what
    was imported before that stays imported and is not downloaded again.
    ``result.stuck`` is what stays stuck after the run. ``cancel`` stops
    the bundle being downloaded (within a piece; its ``.part`` kept for the
    next run to resume, review 31 F3) or imported (BundleCancelled), as the
    app's sync worker does when it stops (review 30 F6)."""
    result = PullResult()
    puller = _Puller(vault, result, progress, now_ms, cancel)
    with_retries(
        vault,
        puller.run,
        lambda: puller.cursor,
        result,
        proxy=chosen_proxy(vault, proxy),
        backoff=backoff or Backoff(),
        timeout=timeout,
    )
    result.stuck = stuck_bundles(vault)
    return result
