"""Purge after delivery, sync's side (docs/sync.md, "Purge after delivery").

The organisation profile's ``policy.purge_after_delivery`` asks field
workers' laptops not to keep evidence bytes the server already holds: a
seized laptop then carries less. This module decides what is proven
delivered; the vault removes it (db/purge.py, through ``db.api``).

A bundle counts as delivered only when its stored receipt verifies again,
now, against the server key this vault remembered over the pinned
connection, and names this very bundle: its id, this device, its sequence
and the organisation. The evidence bytes it carried are then purged from
the vault, each item getting a ``purge`` custody event that names the
receipt. Nothing happens without the policy, in a coordinator's vault, or
for a bundle without a receipt (still queued, cut off mid-upload, carried
only by USB)."""

from __future__ import annotations

import base64
import binascii
import json

from db.api import DeliveredBundle, EvidencePurge, PurgeResult, SyncClientState, Vault
from sync.client.connection import SERVER_KEY
from sync.org_vault import held_profile
from sync.server.receipts import Receipt, ReceiptInvalid, verify_receipt


def policy_asks_purge(vault: Vault) -> bool:
    """Does the organisation profile this vault holds ask for purge after
    delivery, and is this vault a field worker's (a coordinator's vault is
    where evidence ends up: it never purges)?"""
    profile = held_profile(vault)
    if profile is None or not profile.purge_after_delivery:
        return False
    return profile.coordinator(vault.device_id) is None


def proven_deliveries(vault: Vault) -> list[DeliveredBundle]:
    """This device's bundles that carried evidence bytes and whose stored
    receipt verifies against the remembered server key, oldest first."""
    profile = held_profile(vault)
    state = SyncClientState.of(vault)
    server_key_text = state.value(SERVER_KEY)
    if profile is None or server_key_text is None:
        return []
    try:
        server_key = base64.b64decode(server_key_text, validate=True)
    except (ValueError, binascii.Error):
        return []
    proven = []
    for sent in vault.sync.sent_bundles():
        if not sent.blobs:
            continue  # carried no evidence bytes, or what it carried is not known (adopted)
        delivery = state.delivery(sent.bundle_id)
        if delivery is None or delivery.receipt is None:
            continue
        try:
            receipt = Receipt.from_json(json.loads(delivery.receipt))
            body = verify_receipt(receipt, server_key)
        except (ValueError, ReceiptInvalid):
            continue  # never proof: the bytes stay
        expected = {
            "bundle_id": sent.bundle_id,
            "device_id": vault.device_id,
            "org_id": profile.org_id,
            "sequence": sent.sequence,
        }
        if any(body.get(name) != value for name, value in expected.items()):
            continue
        proven.append(DeliveredBundle(sent.bundle_id, receipt.index, receipt.sha256, sent.blobs))
    return proven


def purge_delivered(vault: Vault) -> PurgeResult:
    """Remove from the vault the evidence bytes that a checked receipt
    proves the server holds, when the policy asks for it. Local only: no
    connection. Returns what was removed (nothing without the policy)."""
    if not policy_asks_purge(vault):
        return PurgeResult()
    return EvidencePurge.of(vault).purge(proven_deliveries(vault))
