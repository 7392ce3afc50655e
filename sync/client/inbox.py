"""Send-back through the server (docs/sync.md §9; docs/merge.md, "Sending
back to the field").

A coordinator's sync, after its pull, makes the send-back bundle of each
field worker with something due under the organisation's policy
(sync/bundle/send_back.py: signed by the coordinator, encrypted to that
worker alone, its header naming the worker as ``addressee``) into the
vault's spool folder and uploads it with the push machinery (push.py,
``deliver_only``). What a bundle relays is recorded as sent to the worker
(``relayed_revisions``) only once the server's signed receipt proves the
upload: until then the bundle is "in flight" (kept in the vault's
``relay_pending`` state) and no other bundle is made for that worker.

The server files an addressed bundle in the worker's inbox, never in the
coordinators' changes feed. A field worker's sync then lists its inbox
from the cursor kept in the vault, checks each entry against the server's
signed receipt, downloads it with range requests into the spool folder (a
broken download resumes, as a pull's does), imports it as from a USB stick
(sync/bundle/vault_io.py: the coordinator's signature, decryption, the
vouch rules) and acknowledges it. The cursor moves past a bundle once it
was imported, held or refused: a kill repeats at most that bundle's steps,
and an import repeated is a replay that changes nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from db.api import CancelToken, SyncClientState, Vault
from sync.bundle.errors import BundleRejected
from sync.bundle.send_back import Resend, send_back, sending_coordinators_profile, workers
from sync.client import errors
from sync.client.connection import TIMEOUT, chosen_proxy, session, target_of
from sync.client.errors import SyncFailed
from sync.client.pull import (
    Change,
    PullResult,
    _change,
    _download,
    _matches,
    import_downloaded,
    with_retries,
)
from sync.client.push import push, queued_count, spool_dir
from sync.client.receipt_audit import check_own_receipts
from sync.client.retry import Backoff
from sync.client.transport import ServerClient, ServerSaid
from sync.org_vault import held_profile
from sync.server.receipts import ReceiptInvalid, verify_receipt

INBOX_CURSOR = "inbox_cursor"
# {bundle id: {"device_id", "relayed": {revision id: entity id}, "file": spool file name}}
RELAY_PENDING = "send_back_in_flight"
PAGE = 100
Progress = Callable[[str, int, int], None]  # (bundle id, bytes downloaded, bundle size)


# -- a field worker: its inbox -------------------------------------------------------------

# A refused bundle from the inbox is tried again at later syncs, with
# growing waits, because the cause may be this vault's (a device or record
# it learns later, an older app that an update fixes); after MAX_ATTEMPTS
# refusals, or at once when the same bytes can never pass, it is set aside
# for good: kept on record with its reason, its spool copy removed, never
# acknowledged (the server keeps it untaken, for a person to look into).
INBOX_RETRY = (
    "inbox_retry"  # {bundle id: {"change", "code", "attempts", "first_ms", "next_ms" (None: set aside)}}
)
RETRY_FIRST_MS = 10 * 60 * 1000  # then doubled at each refusal
RETRY_CAP_MS = 24 * 60 * 60 * 1000
MAX_ATTEMPTS = 6
# A hand-over part refused because its part before was not taken yet: it
# waits on that one rather than spending its own attempts (review 18 R5).
HAND_OVER_PART = "bundle-hand-over-part"
# bundle-format.md §5 kinds that depend on the bytes alone (form, signatures,
# encryption, organisation) or on a history that only grows (fork, chain) or
# on a revocation: the same bundle never passes.
FINAL_KINDS = {
    "magic",
    "header-size",
    "header-form",
    "header-signature",
    "device-id",
    "organisation",
    "device-revoked",
    "fork",
    "chain",
    "truncated",
    "trailing-data",
    "payload-hash",
    "not-a-recipient",
    "payload-form",
    "archive-form",
    "manifest-signature",
    "manifest-binding",
}


@dataclass(frozen=True)
class InboxRefusal:
    """A bundle from the inbox that this vault refused: tried again at
    ``next_ms``, or set aside for good (``next_ms`` None)."""

    bundle_id: str
    code: str  # bundle-<kind>, as the GUI translates it
    attempts: int
    first_ms: int
    next_ms: int | None

    @property
    def set_aside(self) -> bool:
        return self.next_ms is None

    def to_json(self) -> dict[str, Any]:
        return {
            "bundle_id": self.bundle_id,
            "code": self.code,
            "attempts": self.attempts,
            "first_ms": self.first_ms,
            "next_try_ms": self.next_ms,
            "set_aside": self.set_aside,
        }


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _retry_records(state: SyncClientState) -> dict[str, dict[str, Any]]:
    text = state.value(INBOX_RETRY)
    value = json.loads(text) if text else {}
    return value if isinstance(value, dict) else {}


def inbox_refusals(vault: Vault) -> list[InboxRefusal]:
    """Every inbox bundle this vault refused and has not imported since:
    those waiting to be tried again and those set aside, oldest first."""
    refusals = [
        InboxRefusal(bundle_id, r["code"], r["attempts"], r["first_ms"], r["next_ms"])
        for bundle_id, r in _retry_records(SyncClientState.of(vault)).items()
    ]
    return sorted(refusals, key=lambda r: (r.first_ms, r.bundle_id))


def _in_sequence(item: tuple[str, dict[str, Any]]) -> tuple[str, int, str]:
    """A retry record's order: its sender, then its sequence number."""
    bundle_id, record = item
    change = record.get("change")
    change = change if isinstance(change, dict) else {}
    device, sequence = change.get("device_id"), change.get("sequence")
    return (
        device if isinstance(device, str) else "",
        sequence if isinstance(sequence, int) else 0,
        bundle_id,
    )


class _Inbox:
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
        self.org_id = target_of(vault).profile.org_id
        self.spool = spool_dir(vault)
        self.tried_again: set[str] = set()  # this run: each refused bundle once at most

    @property
    def cursor(self) -> int:
        return int(self.state.value(INBOX_CURSOR) or "0")

    def run(self, client: ServerClient) -> None:
        # New entries first: a retried bundle that fails in a way not
        # foreseen below can never starve what came after it.
        while True:
            page = client.request("GET", "/v1/inbox", params={"cursor": self.cursor, "limit": PAGE}).json()
            entries = [_change(value) for value in page["bundles"]]
            if not entries:
                break
            for entry in entries:
                if entry.receipt_index <= self.cursor:
                    raise errors.garbage(client.url)  # the inbox went backwards
                self._attempt(client, entry)
                self.state.set_value(INBOX_CURSOR, str(entry.receipt_index))
        self.try_again(client)

    def try_again(self, client: ServerClient) -> None:
        """The refused bundles whose wait is over, once each per run (the
        cursor moved past them: later bundles were not held up), each
        sender's in sequence order: a hand-over's part refused because the
        part before it was (``hand-over-part``) is tried after that one, not
        before it at the cost of an attempt (review 17 F7; by bundle id, a
        random order, later parts could be set aside before their
        predecessor was taken). A part refused because its part before
        was not taken (``hand-over-part``) is not tried while that one is
        still refused, so it spends no attempt then, and is tried in the
        run that takes it, its own wait over or not (review 18 R5)."""
        # (sender, number) of the bundles still refused after their turn in
        # this run, and of those taken in it.
        refused: set[tuple[str, int]] = set()
        taken: set[tuple[str, int]] = set()
        for bundle_id, record in sorted(_retry_records(self.state).items(), key=_in_sequence):
            if record["next_ms"] is None:
                continue  # set aside for good
            sender, number, _ = _in_sequence((bundle_id, record))
            behind_part = record.get("code") == HAND_OVER_PART
            if behind_part and (sender, number - 1) in refused:
                # Its part before is still not taken: tried again only once
                # that one is, so it spends no attempt meanwhile (review 18 R5).
                refused.add((sender, number))
                continue
            due = record["next_ms"] <= self.now_ms() or (behind_part and (sender, number - 1) in taken)
            if due and bundle_id not in self.tried_again:
                self.tried_again.add(bundle_id)
                self._attempt(client, _change(record["change"]))
            still = _retry_records(self.state).get(bundle_id)
            if still is None:
                taken.add((sender, number))
            elif still["next_ms"] is not None:
                refused.add((sender, number))

    def _attempt(self, client: ServerClient, entry: Change) -> None:
        """Receive one entry, new or retried. What fails because of this one
        bundle is its refusal, kept and tried again (or set aside), never
        the whole inbox's: a new entry whose stored copy is damaged stopped
        every later run at it (and a coordinator's whole round, which reads
        its inbox first) before the cursor could move past it."""
        try:
            self._check_receipt(client, entry)
            self.one(client, entry)
        except ServerSaid as said:
            # Inside the session the transport's refusal comes
            # through raw (session() translates it on the way out).
            if not refuses_the_bundle(said):
                raise
            # The server no longer gives it (removed, restored from
            # an older backup, the device lost access to it): set
            # aside for good with the server's refusal.
            self._refused(entry, "sync-refused", final=True)
            (self.spool / f"{entry.bundle_id}.fvbundle").unlink(missing_ok=True)
        except SyncFailed as failure:
            if failure.code not in {"sync-receipt-invalid", "sync-download-mismatch", "sync-payload-missing"}:
                raise
            # Not the bytes the server signed for, or its stored copy
            # gone (an operator may restore it): a refusal of this
            # bundle (tried again later, set aside after
            # MAX_ATTEMPTS), not of the whole inbox. A lost copy is
            # never set aside (review 19 F2): a restore from backup may
            # take longer than the attempts last, and nothing else brings
            # it; like a coordinator's stuck record, it is asked for at
            # the longest wait until it comes.
            lost = failure.code == "sync-payload-missing"
            if self._refused(entry, failure.code, final=False, keep_trying=lost).set_aside:
                (self.spool / f"{entry.bundle_id}.fvbundle").unlink(missing_ok=True)

    def _check_receipt(self, client: ServerClient, entry: Change) -> None:
        """The entry is the bundle the server's signed receipt names (so the
        download is checked against bytes the server signed for)."""
        assert client.server_key is not None  # session() checked it
        receipt = client.receipt(entry.bundle_id)
        try:
            verify_receipt(receipt, client.server_key)
        except ReceiptInvalid:
            raise errors.receipt_invalid(entry.bundle_id) from None
        if receipt.index != entry.receipt_index or not _matches(receipt, entry, self.org_id):
            raise errors.receipt_invalid(entry.bundle_id)

    def one(self, client: ServerClient, entry: Change) -> None:
        path = _download(client, self.spool, entry, self.result, self.progress, self.cancel)
        imported = import_downloaded(self.vault, path, entry.bundle_id, self.org_id, self.result, self.cancel)
        if isinstance(imported, BundleRejected):
            # Not acknowledged: the server keeps it untaken. Tried again later
            # (its copy kept in the spool), or set aside for good.
            final = imported.kind in FINAL_KINDS
            if self._refused(entry, imported.code or "bundle-refused", final=final).set_aside:
                path.unlink(missing_ok=True)
            return
        self._forget(entry.bundle_id)
        if imported is not None:
            client.request("POST", f"/v1/bundles/{entry.bundle_id}/ack")
            path.unlink()

    def _refused(self, entry: Change, code: str, *, final: bool, keep_trying: bool = False) -> InboxRefusal:
        records = _retry_records(self.state)
        now = self.now_ms()
        record = records.get(entry.bundle_id) or {"first_ms": now, "attempts": 0}
        attempts = record["attempts"] + 1
        final = final or (attempts >= MAX_ATTEMPTS and not keep_trying)
        wait = min(RETRY_CAP_MS, RETRY_FIRST_MS * 2 ** min(attempts - 1, 30))
        refusal = InboxRefusal(
            entry.bundle_id,
            code,
            attempts,
            record["first_ms"],
            None if final else now + wait,
        )
        records[entry.bundle_id] = {
            "change": _change_json(entry),
            "code": refusal.code,
            "attempts": attempts,
            "first_ms": refusal.first_ms,
            "next_ms": refusal.next_ms,
        }
        self.state.set_value(INBOX_RETRY, json.dumps(records, sort_keys=True))
        self.result.inbox_refusals.append(refusal)
        return refusal

    def _forget(self, bundle_id: str) -> None:
        records = _retry_records(self.state)
        if records.pop(bundle_id, None) is not None:
            self.state.set_value(INBOX_RETRY, json.dumps(records, sort_keys=True))


# 4xx codes that say something of the session or of the device, not of the
# bundle asked for: they stop the run as any request's would.
NOT_OF_THE_BUNDLE = {
    "auth-required",
    "device-revoked",
    "rate-limited",
    "upload-busy",
    "upload-idle",
    "http-error",
}


def refuses_the_bundle(said: ServerSaid) -> bool:
    """The server's answer refuses this one bundle (not-found, forbidden):
    a 4xx with a code of the server's own; 5xx and the session's codes are
    not."""
    return 400 <= said.status < 500 and said.code not in NOT_OF_THE_BUNDLE


def _change_json(entry: Change) -> dict[str, Any]:
    return {
        "bundle_id": entry.bundle_id,
        "device_id": entry.device_id,
        "sequence": entry.sequence,
        "size": entry.size,
        "file_sha256": entry.file_sha256,
        "receipt_index": entry.receipt_index,
    }


def receive_inbox(
    vault: Vault,
    *,
    proxy: str | bool | None = True,
    backoff: Backoff | None = None,
    timeout: float | httpx.Timeout = TIMEOUT,
    progress: Progress | None = None,
    now_ms: Callable[[], int] = _now_ms,
    cancel: CancelToken | None = None,
) -> PullResult:
    """Download, check, import and acknowledge every bundle a coordinator
    addressed to this device since the last run, and try again the refused
    ones whose wait is over (``inbox_refusals``). Raises SyncFailed when the
    run stops; what was imported stays imported and is not downloaded again.
    First, with no connection, the receipts this device holds are checked
    (receipt_audit.check_own_receipts): what is wrong is in ``server_forks``."""
    result = PullResult()
    result.server_forks += check_own_receipts(vault)
    inbox = _Inbox(vault, result, progress, now_ms, cancel)
    with_retries(
        vault,
        inbox.run,
        lambda: inbox.cursor,
        result,
        proxy=chosen_proxy(vault, proxy),
        backoff=backoff or Backoff(),
        timeout=timeout,
    )
    return result


# -- a coordinator: send-back bundles uploaded ----------------------------------------------


# Delivered send-backs are watched until the server says their worker took
# them (``GET /v1/sent-back``, the inbox's ``taken``; docs/sync.md §2.1):
# {bundle id: {"device_id", "relayed", "with_bytes", "sent_ms", "resends"}}.
# One not taken RESEND_AFTER_MS after its delivery (the worker refused it
# and set it aside, the server withholds it, or the worker has not synced)
# is made again — a fresh bundle with the same changes and whatever else is
# due — at most MAX_RESENDS times; after that it is shown as waiting for a
# person (a USB stick: ``bundle export --to-device --resend``).
SENT_BACK_WATCH = "send_back_watch"
RESEND_AFTER_MS = 3 * 24 * 60 * 60 * 1000
MAX_RESENDS = 3
WAITING, RESENT, BY_HAND = "waiting", "resent", "by-hand"


@dataclass(frozen=True)
class Untaken:
    """A delivered send-back its worker has not taken from its inbox (yet)."""

    device_id: str  # the worker's
    bundle_id: str
    sent_ms: int  # when its receipt was recorded here
    resends: int  # how many bundles carried its changes before it
    action: str  # WAITING (its time to be resent has not come), RESENT (now), BY_HAND (no more resends)

    def to_json(self) -> dict[str, Any]:
        return {
            "device_id": self.device_id,
            "bundle_id": self.bundle_id,
            "sent_ms": self.sent_ms,
            "resends": self.resends,
            "action": self.action,
        }


@dataclass
class RelayResult:
    made: list[tuple[str, str]] = field(default_factory=list)  # (worker device id, bundle id) made now
    sent: list[tuple[str, str]] = field(default_factory=list)  # delivered, receipt checked, recorded
    queued: list[tuple[str, str]] = field(default_factory=list)  # made, not delivered yet
    taken: list[tuple[str, str]] = field(default_factory=list)  # the worker took it (the server says)
    untaken: list[Untaken] = field(default_factory=list)  # delivered, not taken (yet)
    bytes_sent: int = 0
    retries: int = 0


def _pending(state: SyncClientState) -> dict[str, dict[str, Any]]:
    text = state.value(RELAY_PENDING)
    value = json.loads(text) if text else {}
    return value if isinstance(value, dict) else {}


def _save(state: SyncClientState, pending: dict[str, dict[str, Any]]) -> None:
    state.set_value(RELAY_PENDING, json.dumps(pending, sort_keys=True))


def _watch(state: SyncClientState) -> dict[str, dict[str, Any]]:
    text = state.value(SENT_BACK_WATCH)
    value = json.loads(text) if text else {}
    return value if isinstance(value, dict) else {}


def _save_watch(state: SyncClientState, watch: dict[str, dict[str, Any]]) -> None:
    state.set_value(SENT_BACK_WATCH, json.dumps(watch, sort_keys=True))


def _settle(
    vault: Vault, pending: dict[str, dict[str, Any]], result: RelayResult, now_ms: Callable[[], int]
) -> None:
    """Record as sent what a checked receipt proves delivered, and watch it
    until its worker takes it (a resend replaces the bundles it resent);
    forget a bundle whose spool copy is gone undelivered (its revisions stay
    due and go in the next bundle)."""
    state = SyncClientState.of(vault)
    profile = held_profile(vault)
    assert profile is not None
    spool = spool_dir(vault)
    for bundle_id, item in sorted(pending.items()):
        delivery = state.delivery(bundle_id)
        path = spool / item["file"]
        if delivery is not None and delivery.delivered:
            vault.sync.record_relayed(item["device_id"], item["relayed"], bundle_id)
            watch = _watch(state)
            for replaced in item.get("replaces", []):
                watch.pop(replaced, None)
            watch[bundle_id] = {
                "device_id": item["device_id"],
                "relayed": item["relayed"],
                "with_bytes": item.get("with_bytes", []),
                "sent_ms": now_ms(),
                "resends": item.get("resends", 0),
            }
            _save_watch(state, watch)
            result.sent.append((item["device_id"], bundle_id))
        elif not path.is_file():
            pass  # removed by hand or lost: dropped, and made again when due
        elif _revoked(vault, item["device_id"]):
            # Revoked since it was made: never sent (the server would refuse
            # it, and every later sync with it). The file is ours, ciphertext.
            path.unlink()
        else:
            result.queued.append((item["device_id"], bundle_id))
            continue
        del pending[bundle_id]
        _save(state, pending)


def _revoked(vault: Vault, worker: str) -> bool:
    profile = held_profile(vault)
    device = vault.sync.device(worker)
    return (profile is not None and worker in profile.revoked) or (
        device is not None and device.status == "revoked"
    )


def _taken_state(client: ServerClient, bundle_ids: list[str]) -> dict[str, int | None]:
    """{bundle id: taken_ms or None} for the ids the server files as this
    coordinator's send-backs (an id it does not list is not there)."""
    found: dict[str, int | None] = {}
    for start in range(0, len(bundle_ids), PAGE):
        ids = bundle_ids[start : start + PAGE]
        answer = client.request("GET", "/v1/sent-back", params={"ids": ids}).json()
        for item in answer["bundles"]:
            if item["bundle_id"] in ids:
                taken = item["taken_ms"]
                found[item["bundle_id"]] = int(taken) if taken is not None else None
    return found


def _review_watch(
    vault: Vault,
    client: ServerClient,
    pending: dict[str, dict[str, Any]],
    result: RelayResult,
    now_ms: Callable[[], int],
) -> dict[str, list[str]]:
    """Ask the server which watched send-backs their workers took: those
    are forgotten; the others are reported, and those due to be resent now
    are returned ({worker: [bundle ids]}). A bundle the server does not
    list (lost in a restore) counts as not taken; one to a worker revoked
    since is forgotten (nothing more goes to it)."""
    state = SyncClientState.of(vault)
    watch = _watch(state)
    if not watch:
        return {}
    taken = _taken_state(client, sorted(watch))
    being_resent = {b for item in pending.values() for b in item.get("replaces", [])}
    in_flight = {item["device_id"] for item in pending.values()}
    due: dict[str, list[str]] = {}
    now = now_ms()
    for bundle_id, item in sorted(watch.items()):
        worker = item["device_id"]
        if taken.get(bundle_id) is not None or _revoked(vault, worker):
            del watch[bundle_id]
            if taken.get(bundle_id) is not None:
                result.taken.append((worker, bundle_id))
            continue
        if bundle_id in being_resent:
            action = RESENT  # its replacement is made, not delivered yet
        elif now - item["sent_ms"] < RESEND_AFTER_MS or worker in in_flight:
            action = WAITING
        elif item["resends"] >= MAX_RESENDS:
            action = BY_HAND
        else:
            action = RESENT
            due.setdefault(worker, []).append(bundle_id)
        result.untaken.append(Untaken(worker, bundle_id, item["sent_ms"], item["resends"], action))
    _save_watch(state, watch)
    return due


def untaken_send_backs(vault: Vault) -> list[tuple[str, str]]:
    """(worker, bundle id) of every delivered send-back not known to be
    taken yet, as the last sync left the record."""
    return sorted(
        (item["device_id"], bundle_id) for bundle_id, item in _watch(SyncClientState.of(vault)).items()
    )


def send_back_over_server(
    vault: Vault,
    *,
    proxy: str | bool | None = True,
    backoff: Backoff | None = None,
    timeout: float | httpx.Timeout = TIMEOUT,
    cancel: CancelToken | None = None,
    now_ms: Callable[[], int] = _now_ms,
) -> RelayResult:
    """A coordinator's send-back through the server: make the bundle of each
    field worker with something due (none while one to it is in flight),
    upload what is queued, and record what each delivered bundle relayed.
    A delivered bundle its worker has not taken RESEND_AFTER_MS later is
    made again (``SENT_BACK_WATCH``). Raises SyncFailed when the upload
    stops; the bundles stay queued."""
    profile = sending_coordinators_profile(vault)
    state = SyncClientState.of(vault)
    result = RelayResult()
    pending = _pending(state)
    _settle(vault, pending, result, now_ms)  # a run killed between receipt and record
    result.sent.clear()
    result.queued.clear()
    resend: dict[str, list[str]] = {}
    if _watch(state):
        try:
            with session(vault, proxy=chosen_proxy(vault, proxy), timeout=timeout) as client:
                resend = _review_watch(vault, client, pending, result, now_ms)
        except SyncFailed as failure:
            if failure.code != "sync-refused" and not failure.transient:
                raise
            # Out of reach (the bundles due are still made, and queued), or
            # a server from before GET /v1/sent-back: nothing is known of
            # what was taken, so nothing is resent this time.
    in_flight = {item["device_id"] for item in pending.values()}
    watch = _watch(state)
    for worker in workers(vault):
        again = resend.get(worker, [])
        if worker in in_flight or not (again or vault.sync.relay_pending(worker, profile.send_to_workers)):
            continue
        what = None
        if again:
            what = Resend(
                frozenset(r for b in again for r in watch[b]["relayed"]),
                frozenset(e for b in again for e in watch[b].get("with_bytes", [])),
            )
        made = send_back(vault, spool_dir(vault), worker, record=False, cancel=cancel, again=what)
        if made is None:
            if again:  # nothing of it can go any more (a signer revoked since): not watched
                for bundle_id in again:
                    watch.pop(bundle_id, None)
                _save_watch(state, watch)
            continue
        # Kept before the upload: a kill after this leaves it queued and in flight.
        pending[made.bundle_id] = {
            "device_id": worker,
            "relayed": made.relayed,
            "file": made.path.name,
            "with_bytes": list(made.with_bytes),
            "replaces": again,
            "resends": max((watch[b]["resends"] + 1 for b in again), default=0),
        }
        _save(state, pending)
        result.made.append((worker, made.bundle_id))
    if pending or queued_count(vault):  # queued_count: also a bundle made just before a kill
        try:
            pushed = push(
                vault, proxy=proxy, backoff=backoff, timeout=timeout, cancel=cancel, deliver_only=True
            )
            result.bytes_sent, result.retries = pushed.bytes_sent, pushed.retries
        finally:
            _settle(vault, pending, result, now_ms)  # what was delivered before a failure counts
    return result


def due_workers(vault: Vault) -> list[str]:
    """Field workers with something perhaps due under the profile's policy."""
    profile = held_profile(vault)
    if profile is None:
        return []
    return [w for w in workers(vault) if vault.sync.relay_pending(w, profile.send_to_workers)]


__all__ = [
    "InboxRefusal",
    "RelayResult",
    "Untaken",
    "due_workers",
    "inbox_refusals",
    "receive_inbox",
    "send_back_over_server",
    "untaken_send_backs",
]
