"""Receipts that travel in bundles (docs/bundle-format.md §4 ``receipts``;
docs/sync.md, "Fork detection").

A field worker cannot read the server's receipt log (it names every
device's deliveries), so it cannot tell whether the server showed it the
same log as the coordinators. Its next bundles therefore carry the signed
receipts it holds for its earlier bundles, until a bundle that carried them
is acknowledged; a coordinator that imports such a bundle (USB or pull)
keeps them to compare with the log it checked (sync/client/receipt_audit.py).
A difference is kept as an alarm in the vault and shown, never dropped.

State, in the vault's ``sync_client_values`` (JSON; each change is read
and written in one short write transaction, ``SyncClientState.update_value``:
a USB import, the background sync and the CLI may change one at once):

- ``receipts_carried`` (a worker): ``{"through": n, "bundles": {bundle id:
  highest receipt index it carried}}``; receipts up to ``through`` were
  carried by an acknowledged bundle and are not carried again.
- ``receipts_to_audit`` (a coordinator): the carried receipts imported and
  not yet compared with the log, each with the device and bundle that
  carried it.
- ``receipt_alarms``: every difference found, kept until someone looks
  (nothing removes them).
- ``receipt_keys`` (every device): the server receipt keys this vault has
  accepted, in the order they were pinned (base64, oldest first): a
  profile's ``server.receipt_key``, or the key trusted on first use. A
  receipt is checked against the key pinned when it was issued, not only
  the newest (sync/client/receipt_audit.py ``PinnedKeys``): after a
  legitimate re-keying the old receipts are still the server's."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from db.api import SyncClientState, Vault, VaultImport, strict_b64decode
from sync.bundle.format import MAX_CARRIED_RECEIPTS, CarriedReceipt

CARRIED = "receipts_carried"
TO_AUDIT = "receipts_to_audit"
ALARMS = "receipt_alarms"
RECEIPT_KEYS = "receipt_keys"
MAX_TO_AUDIT = 100_000  # a bound on what waits for a coordinator's next pull


# -- the kinds of alarm ----------------------------------------------------------------------

LOG_DIFFERS = "log-differs"  # the log a coordinator checked holds another entry at that index
LOG_LACKS = "log-lacks"  # the log a coordinator is shown ends before that index
RECEIPT_INVALID = "receipt-invalid"  # not signed by the server key, or names another device/bundle
RECEIPT_ORDER = "receipt-order"  # a later bundle of a device got a receipt index not above an earlier's


@dataclass(frozen=True)
class ReceiptAlarm:
    """A receipt that disagrees with the log (or with itself): the server
    showed a device something else than the coordinators, or a receipt is
    not what it claims. Names ids and hashes only."""

    kind: str
    index: int  # the receipt's index in the server's log
    device_id: str  # whose delivery the receipt is
    bundle_id: str  # the bundle that carried it (a coordinator's check) or it names (a worker's)
    carried_sha256: str  # SHA-256 of the receipt's signed entry as the device holds it
    seen_sha256: str | None  # the entry at that index in the log a coordinator checked
    detected_ms: int

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "index": self.index,
            "device_id": self.device_id,
            "bundle_id": self.bundle_id,
            "carried_sha256": self.carried_sha256,
            "seen_sha256": self.seen_sha256,
            "detected_ms": self.detected_ms,
        }

    @staticmethod
    def from_json(value: dict[str, Any]) -> ReceiptAlarm:
        return ReceiptAlarm(
            str(value["kind"]),
            int(value["index"]),
            str(value["device_id"]),
            str(value["bundle_id"]),
            str(value["carried_sha256"]),
            value["seen_sha256"] if isinstance(value.get("seen_sha256"), str) else None,
            int(value["detected_ms"]),
        )


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def entry_sha256(entry: bytes) -> str:
    return hashlib.sha256(entry).hexdigest()


def _load(state: SyncClientState, name: str, default: Any) -> Any:
    return _parse(state.value(name), default)


def _parse(text: str | None, default: Any) -> Any:
    try:
        value = json.loads(text) if text else default
    except ValueError:
        return default
    return value if isinstance(value, type(default)) else default


def receipt_of(stored: str | None) -> CarriedReceipt | None:
    """A receipt as the vault stores it (``sync_deliveries.receipt``, the
    server's JSON), or None when it is not of that form."""
    try:
        value = json.loads(stored) if stored else None
        if not isinstance(value, dict) or set(value) != {"index", "entry", "signature"}:
            return None
        index = value["index"]
    except ValueError:
        return None
    # The server's text as stored: only its canonical base64 (db/strict_b64.py).
    entry, signature = strict_b64decode(value["entry"]), strict_b64decode(value["signature"], 64)
    if type(index) is not int or index < 1 or not entry or signature is None:
        return None
    return CarriedReceipt(index, entry, signature)


# -- a field worker: what its next bundle carries ---------------------------------------------


def _folded(record: dict[str, Any], acked: set[str]) -> tuple[int, dict[str, int], bool]:
    """``receipts_carried`` with the acknowledged bundles folded into its
    ``through``: (through, the bundles left, whether anything was folded)."""
    through = record.get("through", 0) if isinstance(record.get("through"), int) else 0
    bundles = record.get("bundles", {}) if isinstance(record.get("bundles"), dict) else {}
    folded = {b: i for b, i in bundles.items() if b in acked and isinstance(i, int)}
    if folded:
        through = max(through, *folded.values())
        bundles = {b: i for b, i in bundles.items() if b not in folded and isinstance(i, int) and i > through}
    return through, bundles, bool(folded)


def _carried_json(through: int, bundles: dict[str, int]) -> str:
    return json.dumps({"through": through, "bundles": bundles}, sort_keys=True)


def _reported_through(vault: Vault, state: SyncClientState) -> int:
    """The highest receipt index an acknowledged bundle carried (what a
    coordinator holds), folding acknowledged bundles into it."""
    acked = _acked(vault)
    through, _bundles, changed = _folded(_load(state, CARRIED, {}), acked)
    if not changed:
        return through  # read only: no write lock taken when nothing changes

    def fold(text: str | None) -> str | None:
        nonlocal through
        through, bundles, changed = _folded(_parse(text, {}), acked)
        return _carried_json(through, bundles) if changed else None

    state.update_value(CARRIED, fold)
    return through


def _acked(vault: Vault) -> set[str]:
    return {b.bundle_id for b in vault.sync.sent_bundles() if b.acked_ms is not None}


def receipts_to_carry(vault: Vault) -> list[CarriedReceipt]:
    """This device's receipts that no acknowledged bundle carried yet,
    oldest first, at most MAX_CARRIED_RECEIPTS (the rest go in a later
    bundle once these are acknowledged). Empty when it has none."""
    state = SyncClientState.of(vault)
    through = _reported_through(vault, state)
    own = {b.bundle_id for b in vault.sync.sent_bundles()}
    by_index: dict[int, CarriedReceipt] = {}
    for delivery in state.deliveries():
        if delivery.bundle_id not in own or delivery.receipt is None:
            continue
        receipt = receipt_of(delivery.receipt)
        if receipt is not None and receipt.index > through:
            by_index.setdefault(receipt.index, receipt)
    return [by_index[i] for i in sorted(by_index)][:MAX_CARRIED_RECEIPTS]


def record_carried(vault: Vault, bundle_id: str, receipts: list[CarriedReceipt]) -> None:
    """Bundle ``bundle_id`` carried ``receipts``: once it is acknowledged,
    they are not carried again. (A kill before this only means they travel
    once more.)"""
    if not receipts:
        return
    acked = _acked(vault)

    def carried(text: str | None) -> str:
        through, bundles, _changed = _folded(_parse(text, {}), acked)
        bundles[bundle_id] = max(r.index for r in receipts)
        return _carried_json(through, bundles)

    SyncClientState.of(vault).update_value(CARRIED, carried)


# -- a coordinator: receipts waiting to be compared with the log ------------------------------


@dataclass(frozen=True)
class ToAudit:
    device_id: str  # the device that carried it (whose receipt it should be)
    bundle_id: str  # the bundle that carried it
    receipt: CarriedReceipt


def queue_for_audit(
    vault: Vault, device_id: str, bundle_id: str, receipts: tuple[CarriedReceipt, ...]
) -> None:
    """Keep the receipts a bundle carried until the next pull compares them
    with the receipt log (a USB import has no server to ask)."""
    if receipts:
        SyncClientState.of(vault).update_value(TO_AUDIT, _queuing(device_id, bundle_id, receipts))


def queue_with_import(
    unit: VaultImport, device_id: str, bundle_id: str, receipts: tuple[CarriedReceipt, ...]
) -> None:
    """``queue_for_audit`` in the bundle's import transaction: kept if and
    only if the bundle is (after a kill in between, the import again is a
    replay that would queue nothing, and the comparison would be lost)."""
    if receipts:
        unit.update_client_value(TO_AUDIT, _queuing(device_id, bundle_id, receipts))


def _queuing(
    device_id: str, bundle_id: str, receipts: tuple[CarriedReceipt, ...]
) -> Callable[[str | None], str]:
    def queued_with(text: str | None) -> str:
        queued: list[Any] = _parse(text, [])
        have = {
            (q.get("device_id"), q.get("receipt", {}).get("entry")) for q in queued if isinstance(q, dict)
        }
        for receipt in receipts:
            carried = receipt.to_json()
            if (device_id, carried["entry"]) not in have:
                queued.append({"device_id": device_id, "bundle_id": bundle_id, "receipt": carried})
        return json.dumps(queued[-MAX_TO_AUDIT:], sort_keys=True)

    return queued_with


def to_audit(vault: Vault) -> list[ToAudit]:
    return _to_audit_of(_load(SyncClientState.of(vault), TO_AUDIT, []))


def _to_audit_of(queued: list[Any]) -> list[ToAudit]:
    items = []
    for value in queued:
        receipt = receipt_of(json.dumps(value.get("receipt"))) if isinstance(value, dict) else None
        if receipt is not None:
            items.append(ToAudit(str(value["device_id"]), str(value["bundle_id"]), receipt))
    return items


def audited(vault: Vault, done: list[ToAudit]) -> None:
    """Drop what was compared (the alarms, if any, are kept apart). Read and
    written in one write transaction: a receipt an import queued meanwhile
    (another lane: a USB import during the pull) stays."""
    gone = {(d.device_id, d.receipt.index, d.receipt.entry) for d in done}

    def left(text: str | None) -> str:
        return json.dumps(
            [
                {"device_id": i.device_id, "bundle_id": i.bundle_id, "receipt": i.receipt.to_json()}
                for i in _to_audit_of(_parse(text, []))
                if (i.device_id, i.receipt.index, i.receipt.entry) not in gone
            ],
            sort_keys=True,
        )

    SyncClientState.of(vault).update_value(TO_AUDIT, left)


# -- alarms -------------------------------------------------------------------------------------


def alarms(vault: Vault) -> list[ReceiptAlarm]:
    """Every receipt alarm this vault found, oldest first."""
    return _alarms_of(_load(SyncClientState.of(vault), ALARMS, []))


def _alarms_of(values: list[Any]) -> list[ReceiptAlarm]:
    found = []
    for value in values:
        try:
            found.append(ReceiptAlarm.from_json(value))
        except (KeyError, TypeError, ValueError):
            continue
    return found


def add_alarms(vault: Vault, new: list[ReceiptAlarm]) -> list[ReceiptAlarm]:
    """Keep the alarms not kept already; returns those (the new ones). Read
    and written in one write transaction: an alarm another lane or process
    adds meanwhile is never overwritten (docs/sync.md §2.2)."""
    added: list[ReceiptAlarm] = []

    def with_new(text: str | None) -> str | None:
        added.clear()
        kept = _alarms_of(_parse(text, []))
        seen = {(a.kind, a.index, a.device_id, a.carried_sha256) for a in kept}
        for alarm in new:
            key = (alarm.kind, alarm.index, alarm.device_id, alarm.carried_sha256)
            if key not in seen:
                seen.add(key)
                added.append(alarm)
        return json.dumps([a.to_json() for a in kept + added], sort_keys=True) if added else None

    if new:
        SyncClientState.of(vault).update_value(ALARMS, with_new)
    return added


# -- the receipt keys pinned over time ----------------------------------------------------------


def receipt_key_history(state: SyncClientState) -> list[bytes]:
    """The receipt keys kept in ``receipt_keys``, in the order pinned."""
    return _keys_of(_load(state, RECEIPT_KEYS, []))


def _keys_of(values: list[Any]) -> list[bytes]:
    keys = []
    for value in values:
        try:
            key = base64.b64decode(value, validate=True) if isinstance(value, str) else b""
        except (ValueError, binascii.Error):
            continue
        if len(key) == 32:
            keys.append(key)
    return keys


def _with_pinned(history: list[bytes], known: bytes | None, pinned: list[bytes]) -> list[bytes]:
    """``history`` with ``known`` (the key a login accepted before) put
    first if it is not in it at all — a key remembered before this history
    was kept, so older than what it holds — then each of ``pinned`` added
    unless it is the last one already (a key pinned again after another is
    a new period of it)."""
    keys = list(history)
    if known is not None and known not in keys:
        keys.insert(0, known)
    for key in pinned:
        if not keys or keys[-1] != key:
            keys.append(key)
    return keys


def keep_receipt_keys(state: SyncClientState, known: bytes | None, pinned: list[bytes]) -> list[bytes]:
    """Add to ``receipt_keys`` what ``_with_pinned`` adds; returns the
    history. Written only when it changes, in one write transaction (a login
    on the sync lane and a check on another may do this at once)."""
    history = receipt_key_history(state)
    if _with_pinned(history, known, pinned) == history:
        return history  # read only: no write lock when nothing is new
    kept: list[bytes] = []

    def added(text: str | None) -> str | None:
        old = _keys_of(_parse(text, []))
        new = _with_pinned(old, known, pinned)
        kept[:] = new
        return json.dumps([base64.b64encode(k).decode("ascii") for k in new]) if new != old else None

    state.update_value(RECEIPT_KEYS, added)
    return kept


__all__ = [
    "LOG_DIFFERS",
    "LOG_LACKS",
    "RECEIPT_INVALID",
    "RECEIPT_KEYS",
    "RECEIPT_ORDER",
    "ReceiptAlarm",
    "ToAudit",
    "add_alarms",
    "alarms",
    "keep_receipt_keys",
    "queue_for_audit",
    "queue_with_import",
    "receipt_key_history",
    "receipts_to_carry",
    "record_carried",
    "to_audit",
]
