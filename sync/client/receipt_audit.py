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
cannot have been received earlier).

"The server key" is the one pinned when a receipt was issued
(``PinnedKeys``): the organisation may give its server a new receipt key (a
new profile version naming it), and the receipts and log entries signed
before the switch stay signed by the old one. The history holds only keys
the organisation pinned (or the device trusted on first use): a server
cannot add one."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any, Protocol

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
    keep_receipt_keys,
    now_ms,
    receipt_of,
    to_audit,
)
from sync.client.connection import SERVER_KEY, target_of
from sync.org_vault import held_profile
from sync.server.protocol import GENESIS
from sync.server.receipts import Receipt, ReceiptInvalid, verify_receipt

__all__ = ["PinnedKeys", "audit_carried", "check_own_receipts", "check_stretch", "pinned_keys"]


@dataclass(frozen=True)
class PinnedKeys:
    """The server receipt keys this vault accepted, in the order pinned
    (``receipt_keys``, sync/bundle/carried_receipts.py). A position is an
    index into ``keys``: along the log (and along a device's receipts) the
    position of the key that signed each entry never goes back — entries
    before the switch to a new key are signed by the old one, entries after
    it by the new one, never by the old one again."""

    keys: tuple[bytes, ...]

    def positions(self, receipt: Receipt) -> list[int]:
        """The positions whose key signed ``receipt`` (its form checked too)."""
        found = []
        verdicts: dict[bytes, bool] = {}
        for at, key in enumerate(self.keys):
            if key not in verdicts:
                try:
                    verify_receipt(receipt, key)
                    verdicts[key] = True
                except ReceiptInvalid:
                    verdicts[key] = False
            if verdicts[key]:
                found.append(at)
        return found

    def verify(
        self, receipt: Receipt, *, at_least: int = 0, at_most: int | None = None
    ) -> tuple[dict[str, Any], int]:
        """The receipt's body and the first position from ``at_least`` (to
        ``at_most``) whose key signed it; ReceiptInvalid when none did."""
        last = len(self.keys) - 1 if at_most is None else min(at_most, len(self.keys) - 1)
        tried: set[bytes] = set()
        for at in range(max(at_least, 0), last + 1):
            key = self.keys[at]
            if key in tried:
                continue
            tried.add(key)
            try:
                return verify_receipt(receipt, key), at
            except ReceiptInvalid:
                continue
        raise ReceiptInvalid(f"receipt {receipt.index}: signature")


def pinned_keys(vault: Vault) -> PinnedKeys:
    """The history of pinned receipt keys, brought up to date with the key
    remembered at the first login (profiles that pin none) and the one the
    profile the vault holds pins now (a profile names a new key before the
    device logs in under it). Logins add theirs (connection.py)."""
    state = SyncClientState.of(vault)
    remembered_text = state.value(SERVER_KEY)
    try:
        remembered = base64.b64decode(remembered_text, validate=True) if remembered_text else None
    except (ValueError, binascii.Error):
        remembered = None
    profile = held_profile(vault)
    named = profile.server.receipt_key if profile is not None and profile.server is not None else None
    return PinnedKeys(tuple(keep_receipt_keys(state, remembered, [named] if named is not None else [])))


def check_stretch(keys: PinnedKeys, receipts: list[Receipt], *, after: Receipt | None = None) -> str:
    """``sync.server.receipts.check_log`` with the pinned keys: a stretch of
    the log that follows ``after`` (None: the start), each entry signed by
    a pinned key no earlier in the history than the one before it (the key
    of ``after`` included); returns the SHA-256 of its last entry."""
    previous = after.sha256 if after is not None else GENESIS
    index = after.index + 1 if after is not None else 1
    at = min(keys.positions(after), default=0) if after is not None else 0
    for receipt in receipts:
        body, at = keys.verify(receipt, at_least=at)
        if receipt.index != index or body["previous"] != previous:
            raise ReceiptInvalid(f"receipt {receipt.index}: does not follow {index - 1}")
        previous, index = receipt.sha256, index + 1
    return previous


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


def audit_carried(vault: Vault, log: CheckedLog, keys: PinnedKeys) -> list[ReceiptAlarm]:
    """Compare every carried receipt waiting in the vault with the receipt
    log this vault checked; returns the new alarms (each also kept).

    A receipt signed by any key the organisation pinned is compared with
    the log's entry at its index, as the newest key's are: what proves a
    fork is that entry, not the key (a server re-keyed since it forked
    does not escape). One no pinned key signed is ``receipt-invalid``."""
    items = to_audit(vault)
    if not items:
        return []
    org_id = target_of(vault).profile.org_id
    found: list[ReceiptAlarm] = []
    comparable: list[ToAudit] = []
    for item in items:
        carried = Receipt(item.receipt.index, item.receipt.entry, item.receipt.signature)
        try:
            body, _at = keys.verify(carried)
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
    each signed by a pinned server key (``PinnedKeys``; along the bundles'
    sequence the key never goes back to one pinned before), each naming
    this device, its organisation, the bundle and its sequence, and their
    indexes strictly increasing with the sequence. Returns the new alarms
    (each also kept)."""
    target = target_of(vault)
    state = SyncClientState.of(vault)
    keys = pinned_keys(vault)
    if not keys.keys:
        return []  # never connected: no receipt either
    found: list[ReceiptAlarm] = []
    last = 0
    at = 0  # the position of the key that signed the receipt before
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
            body, at = keys.verify(Receipt(held.index, held.entry, held.signature), at_least=at)
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
