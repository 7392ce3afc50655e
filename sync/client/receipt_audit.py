"""Fork detection with the receipts bundles carry (docs/sync.md, "Fork
detection"; sync/bundle/carried_receipts.py keeps the state).

A server could show a field worker one receipt log and the coordinators
another: sign a receipt for the worker's bundle, then rewrite that entry
(and re-chain everything after it) before any coordinator reads it — for
example to hide the bundle while the worker, trusting its receipt, purges
its copy. The worker cannot read the log; a coordinator cannot see the
worker's receipt. So the worker's next bundles carry its receipts, and a
coordinator compares each with the entry at that index in the log it
checked (``audit_carried``, at the end of each pull). Two different entries
signed by the server key for one index prove that the server showed two
logs: the alarm is kept in the vault and reported, never dropped.

The worker checks what it can alone (``check_own_receipts``): each receipt
signed by the server key and naming its own device, organisation, bundle
and sequence, and the indexes growing with the sequence (a later bundle
cannot have been received earlier)."""

from __future__ import annotations

import base64
from typing import Protocol

from db.api import SyncClientState, Vault
from sync.bundle.carried_receipts import (
    LOG_DIFFERS,
    LOG_LACKS,
    RECEIPT_INVALID,
    RECEIPT_ORDER,
    ReceiptAlarm,
    ToAudit,
    add_alarms,
    audited,
    entry_sha256,
    now_ms,
    receipt_of,
    to_audit,
)
from sync.client.connection import SERVER_KEY, target_of
from sync.server.receipts import Receipt, ReceiptInvalid, verify_receipt

__all__ = ["audit_carried", "check_own_receipts"]


class CheckedLog(Protocol):
    """The receipt log as a coordinator's vault checked it (pull.py ``_Log``)."""

    def checked_entries(self, indexes: list[int]) -> dict[int, Receipt | None]: ...


def _alarm(kind: str, item: ToAudit, seen: str | None = None) -> ReceiptAlarm:
    return ReceiptAlarm(
        kind,
        item.receipt.index,
        item.device_id,
        item.bundle_id,
        entry_sha256(item.receipt.entry),
        seen,
        now_ms(),
    )


def audit_carried(vault: Vault, log: CheckedLog, server_key: bytes) -> list[ReceiptAlarm]:
    """Compare every carried receipt waiting in the vault with the receipt
    log this vault checked; returns the new alarms (each also kept)."""
    items = to_audit(vault)
    if not items:
        return []
    org_id = target_of(vault).profile.org_id
    found: list[ReceiptAlarm] = []
    comparable: list[ToAudit] = []
    for item in items:
        carried = Receipt(item.receipt.index, item.receipt.entry, item.receipt.signature)
        try:
            body = verify_receipt(carried, server_key)
        except ReceiptInvalid:
            found.append(_alarm(RECEIPT_INVALID, item))
            continue
        if body.get("org_id") != org_id or body.get("device_id") != item.device_id:
            found.append(_alarm(RECEIPT_INVALID, item))
            continue
        comparable.append(item)
    seen = log.checked_entries(sorted({i.receipt.index for i in comparable}))
    for item in comparable:
        entry = seen.get(item.receipt.index)
        if entry is None:
            found.append(_alarm(LOG_LACKS, item))
        elif entry.entry != item.receipt.entry:
            found.append(_alarm(LOG_DIFFERS, item, entry.sha256))
    added = add_alarms(vault, found)  # kept before the queue is emptied: never lost
    audited(vault, items)
    return added


def check_own_receipts(vault: Vault) -> list[ReceiptAlarm]:
    """A field worker's checks of the receipts it holds, without the log:
    signed by the server key (the profile's, else the one remembered), each
    naming this device, its organisation, the bundle and its sequence, and
    their indexes strictly increasing with the sequence. Returns the new
    alarms (each also kept)."""
    target = target_of(vault)
    state = SyncClientState.of(vault)
    remembered = state.value(SERVER_KEY)
    key = target.receipt_key or (base64.b64decode(remembered) if remembered else None)
    if key is None:
        return []  # never connected: no receipt either
    found: list[ReceiptAlarm] = []
    last = 0
    deliveries = {d.bundle_id: d for d in state.deliveries()}  # one read, not one per bundle
    for sent in sorted(vault.sync.sent_bundles(), key=lambda b: b.sequence):
        delivery = deliveries.get(sent.bundle_id)
        if delivery is None or delivery.receipt is None:
            continue
        held = receipt_of(delivery.receipt)
        if held is None:
            continue  # not of the receipt's form: push never stores one (checked before)
        item = ToAudit(vault.device_id, sent.bundle_id, held)
        try:
            body = verify_receipt(Receipt(held.index, held.entry, held.signature), key)
        except ReceiptInvalid:
            found.append(_alarm(RECEIPT_INVALID, item))
            continue
        names = {
            "bundle_id": sent.bundle_id,
            "device_id": vault.device_id,
            "org_id": target.profile.org_id,
            "sequence": sent.sequence,
        }
        if any(body.get(name) != value for name, value in names.items()):
            found.append(_alarm(RECEIPT_INVALID, item))
        if held.index <= last:
            found.append(_alarm(RECEIPT_ORDER, item))
        last = max(last, held.index)
    return add_alarms(vault, found)
