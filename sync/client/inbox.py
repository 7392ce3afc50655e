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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from db.api import CancelToken, SyncClientState, Vault
from sync.bundle.admission import BundleQuarantined
from sync.bundle.errors import BundleRejected
from sync.bundle.send_back import send_back, workers
from sync.bundle.vault_io import import_bundle
from sync.client import errors
from sync.client.connection import TIMEOUT, chosen_proxy, session, target_of
from sync.client.errors import SyncFailed
from sync.client.pull import Change, PullResult, Received, _change, _download, _matches
from sync.client.push import push, queued_count, spool_dir
from sync.client.receipt_audit import check_own_receipts
from sync.client.retry import Backoff
from sync.client.transport import ServerClient
from sync.org import OrgRefused
from sync.org_vault import held_profile
from sync.server.receipts import ReceiptInvalid, verify_receipt

INBOX_CURSOR = "inbox_cursor"
# {bundle id: {"device_id", "relayed": {revision id: entity id}, "file": spool file name}}
RELAY_PENDING = "send_back_in_flight"
PAGE = 100
Progress = Callable[[str, int, int], None]  # (bundle id, bytes downloaded, bundle size)


# -- a field worker: its inbox -------------------------------------------------------------


class _Inbox:
    def __init__(self, vault: Vault, result: PullResult, progress: Progress | None) -> None:
        self.vault = vault
        self.result = result
        self.progress = progress
        self.state = SyncClientState.of(vault)
        self.org_id = target_of(vault).profile.org_id
        self.spool = spool_dir(vault)

    @property
    def cursor(self) -> int:
        return int(self.state.value(INBOX_CURSOR) or "0")

    def run(self, client: ServerClient) -> None:
        while True:
            page = client.request("GET", "/v1/inbox", params={"cursor": self.cursor, "limit": PAGE}).json()
            entries = [_change(value) for value in page["bundles"]]
            if not entries:
                return
            for entry in entries:
                if entry.receipt_index <= self.cursor:
                    raise errors.garbage(client.url)  # the inbox went backwards
                self._check_receipt(client, entry)
                self.one(client, entry)
                self.state.set_value(INBOX_CURSOR, str(entry.receipt_index))

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
        path = _download(client, self.spool, entry, self.result, self.progress)
        identity = self.vault.vault_keys.age_identity()
        try:
            imported = import_bundle(self.vault, path, identity, org_id=self.org_id)
        except BundleQuarantined:
            self.result.held.append(entry.bundle_id)  # the file stays where the quarantine row says
            return
        except BundleRejected as refused:
            # Not acknowledged: the server keeps it untaken, for a person to look into.
            self.result.refused.append((entry.bundle_id, refused.code or "bundle-refused"))
            path.unlink()
            return
        self.result.received.append(
            Received(
                imported.bundle_id,
                imported.device_id,
                imported.sequence,
                imported.revisions,
                imported.custody_events,
                imported.blobs,
                imported.replay,
            )
        )
        client.request("POST", f"/v1/bundles/{entry.bundle_id}/ack")
        path.unlink()


def receive_inbox(
    vault: Vault,
    *,
    proxy: str | bool | None = True,
    backoff: Backoff | None = None,
    timeout: float | httpx.Timeout = TIMEOUT,
    progress: Progress | None = None,
) -> PullResult:
    """Download, check, import and acknowledge every bundle a coordinator
    addressed to this device since the last run. Raises SyncFailed when the
    run stops; what was imported stays imported and is not downloaded again.
    First, with no connection, the receipts this device holds are checked
    (receipt_audit.check_own_receipts): what is wrong is in ``server_forks``."""
    proxy_url = chosen_proxy(vault, proxy)
    backoff = backoff or Backoff()
    result = PullResult()
    result.server_forks += check_own_receipts(vault)
    inbox = _Inbox(vault, result, progress)
    failures = 0
    while True:
        before = (inbox.cursor, result.bytes_received)
        try:
            with session(vault, proxy=proxy_url, timeout=timeout) as client:
                inbox.run(client)
            return result
        except SyncFailed as failure:
            if not failure.transient:
                raise
            failures = 0 if (inbox.cursor, result.bytes_received) != before else failures + 1
            if failures >= backoff.attempts:
                raise
            backoff.wait(failures)
            result.retries += 1


# -- a coordinator: send-back bundles uploaded ----------------------------------------------


@dataclass
class RelayResult:
    made: list[tuple[str, str]] = field(default_factory=list)  # (worker device id, bundle id) made now
    sent: list[tuple[str, str]] = field(default_factory=list)  # delivered, receipt checked, recorded
    queued: list[tuple[str, str]] = field(default_factory=list)  # made, not delivered yet
    bytes_sent: int = 0
    retries: int = 0


def _pending(state: SyncClientState) -> dict[str, dict[str, Any]]:
    text = state.value(RELAY_PENDING)
    value = json.loads(text) if text else {}
    return value if isinstance(value, dict) else {}


def _save(state: SyncClientState, pending: dict[str, dict[str, Any]]) -> None:
    state.set_value(RELAY_PENDING, json.dumps(pending, sort_keys=True))


def _settle(vault: Vault, pending: dict[str, dict[str, Any]], result: RelayResult) -> None:
    """Record as sent what a checked receipt proves delivered; forget a
    bundle whose spool copy is gone undelivered (its revisions stay due and
    go in the next bundle)."""
    state = SyncClientState.of(vault)
    profile = held_profile(vault)
    assert profile is not None
    spool = spool_dir(vault)
    for bundle_id, item in sorted(pending.items()):
        delivery = state.delivery(bundle_id)
        path = spool / item["file"]
        if delivery is not None and delivery.delivered:
            vault.sync.record_relayed(item["device_id"], item["relayed"], bundle_id)
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


def send_back_over_server(
    vault: Vault,
    *,
    proxy: str | bool | None = True,
    backoff: Backoff | None = None,
    timeout: float | httpx.Timeout = TIMEOUT,
    cancel: CancelToken | None = None,
) -> RelayResult:
    """A coordinator's send-back through the server: make the bundle of each
    field worker with something due (none while one to it is in flight),
    upload what is queued, and record what each delivered bundle relayed.
    Raises SyncFailed when the upload stops; the bundles stay queued."""
    profile = held_profile(vault)
    if profile is None or profile.coordinator(vault.device_id) is None:
        raise OrgRefused(
            "Only a coordinator sends work back to field workers.", "org-not-coordinator", org_id="-"
        )
    state = SyncClientState.of(vault)
    result = RelayResult()
    pending = _pending(state)
    _settle(vault, pending, result)  # a run killed between receipt and record
    result.sent.clear()
    result.queued.clear()
    in_flight = {item["device_id"] for item in pending.values()}
    for worker in workers(vault):
        if worker in in_flight or not vault.sync.relay_pending(worker, profile.send_to_workers):
            continue
        made = send_back(vault, spool_dir(vault), worker, record=False, cancel=cancel)
        if made is None:
            continue
        # Kept before the upload: a kill after this leaves it queued and in flight.
        pending[made.bundle_id] = {"device_id": worker, "relayed": made.relayed, "file": made.path.name}
        _save(state, pending)
        result.made.append((worker, made.bundle_id))
    if pending or queued_count(vault):  # queued_count: also a bundle made just before a kill
        try:
            pushed = push(
                vault, proxy=proxy, backoff=backoff, timeout=timeout, cancel=cancel, deliver_only=True
            )
            result.bytes_sent, result.retries = pushed.bytes_sent, pushed.retries
        finally:
            _settle(vault, pending, result)  # what was delivered before a failure counts
    return result


def due_workers(vault: Vault) -> list[str]:
    """Field workers with something perhaps due under the profile's policy."""
    profile = held_profile(vault)
    if profile is None:
        return []
    return [w for w in workers(vault) if vault.sync.relay_pending(w, profile.send_to_workers)]


__all__ = ["RelayResult", "due_workers", "receive_inbox", "send_back_over_server"]
