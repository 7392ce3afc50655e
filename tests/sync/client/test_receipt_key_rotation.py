"""A new server receipt key (review 7 #7; docs/sync.md §2.2): the
organisation gives its server a new receipt key and names it in a new
profile version. The receipts and log entries signed before the switch stay
signed by the old key; each is checked against the key pinned when it was
issued (the vault keeps the history of pinned keys), so an honest
re-keying raises no alarm. A receipt no pinned key signed still does, a
receipt under the old key is still compared with the log (a server that
re-keys after forking does not escape), and the log may not go back to the
old key after the new one. A real server on loopback; the re-keying is
done as an operator would: a new ``receipt-key.pem``, the server restarted,
a new profile version pinning the new key."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from db.api import SyncClientState, Vault
from sync.bundle.carried_receipts import (
    LOG_DIFFERS,
    RECEIPT_INVALID,
    alarms,
    queue_for_audit,
    receipt_key_history,
    to_audit,
)
from sync.bundle.format import CarriedReceipt
from sync.client.errors import SyncFailed
from sync.client.inbox import receive_inbox
from sync.client.pull import pull
from sync.client.push import push
from sync.merge.devices import devices_view
from sync.server.keys import ServerFiles, load_receipt_key
from sync.server.protocol import GENESIS, canonical, receipt_hash
from sync.server.receipts import sign_entry
from tests.sync.client.sync_helpers import Org, add_testimony, organisation, quick_backoff, record_work


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


def _public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes_raw()


def _entry_sha(vault: Vault, bundle_id: str) -> str:
    delivery = SyncClientState.of(vault).delivery(bundle_id)
    assert delivery is not None and delivery.receipt is not None
    return hashlib.sha256(base64.b64decode(json.loads(delivery.receipt)["entry"])).hexdigest()


def _resign(db: sqlite3.Connection, key: Ed25519PrivateKey, start: int, change: bool = False) -> str:
    """Entries ``start``… signed again with ``key``, chained again (entry
    ``start`` with its ``received_ms`` moved by a second when ``change``);
    returns the SHA-256 of entry ``start`` as it is now."""
    rows = db.execute("SELECT idx, entry FROM receipts WHERE idx >= ? ORDER BY idx", (start,)).fetchall()
    before = db.execute("SELECT entry_sha256 FROM receipts WHERE idx = ?", (start - 1,)).fetchone()
    previous = before[0] if before else GENESIS
    first = ""
    for idx, entry in rows:
        body = json.loads(entry)
        if idx == start and change:
            body["received_ms"] += 1000
        body["previous"] = previous
        data = canonical(body)
        previous = receipt_hash(data)
        first = first or previous
        db.execute(
            "UPDATE receipts SET entry = ?, entry_sha256 = ?, signature = ? WHERE idx = ?",
            (data, previous, sign_entry(key, data), idx),
        )
    db.commit()
    return first


def _pin_the_servers_key(org: Org) -> None:
    """``org set-server`` as a coordinator runs it: a profile version pinning
    the key the server shows (the fixture's first profile pins none)."""
    key = _public(load_receipt_key(ServerFiles(org.data)))
    org.point_at(org.server.url, org.server.cert_sha256, base64.b64encode(key).decode("ascii"))


def _rekey(org: Org, *, resign_log: bool = False) -> tuple[Ed25519PrivateKey, Ed25519PrivateKey]:
    """The operator gives the server a new receipt key (the log is kept;
    with ``resign_log`` every entry is signed again with the new key) and a
    coordinator pins it in a new profile version, which the workers take.
    Returns (old key, new key)."""
    org.stop_server()
    files = ServerFiles(org.data)
    old = load_receipt_key(files)
    new = Ed25519PrivateKey.generate()
    files.receipt_key.unlink()
    pem = new.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(files.receipt_key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    if resign_log:
        db = sqlite3.connect(org.data / "server.db")
        try:
            _resign(db, new, 1)
        finally:
            db.close()
    org.start_server()
    org.point_at(org.server.url, org.server.cert_sha256, base64.b64encode(_public(new)).decode("ascii"))
    return old, new


def test_an_honest_rotation_raises_no_alarm_for_the_receipts_signed_before_it(
    org: Org, tmp_path: Path
) -> None:
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna")
    assert push(anna, backoff=quick_backoff()).receipts == [1]
    assert pull(org.coordinator, backoff=quick_backoff()).server_forks == []  # log checked to 1
    add_testimony(anna, "second")
    assert push(anna, backoff=quick_backoff()).receipts == [2]  # not pulled: 2 is old-key, unread

    old, new = _rekey(org)
    add_testimony(anna, "third")
    third = push(anna, backoff=quick_backoff())  # carries receipts 1 and 2 (old key)
    assert third.receipts == [3]
    assert receipt_key_history(SyncClientState.of(anna)) == [_public(old), _public(new)]

    # The coordinator reads entry 2 (old key) then 3 (new key), and compares
    # the old-key receipts the bundles carried: no alarm, nothing left over.
    pulled = pull(org.coordinator, backoff=quick_backoff())
    assert len(pulled.received) == 2
    assert pulled.server_forks == [] and alarms(org.coordinator) == []
    assert to_audit(org.coordinator) == []
    # The worker's own check of its three receipts: none is an alarm.
    assert receive_inbox(anna, backoff=quick_backoff()).server_forks == []
    assert alarms(anna) == []
    # The devices view shows nobody alarmed.
    assert all("receipt-alarm" not in row.warnings for row in devices_view(org.coordinator))
    assert receipt_key_history(SyncClientState.of(org.coordinator)) == [_public(old), _public(new)]


def test_a_receipt_no_pinned_key_signed_is_still_an_alarm_and_an_old_key_one_is_still_compared(
    org: Org, tmp_path: Path
) -> None:
    """After a rotation: a receipt under a key the organisation never pinned
    is receipt-invalid; one the old key signed (a leaked old key, say) that
    the log does not hold is log-differs — compared, not waved through.
    The coordinator never logged in under the old key: its vault knows it
    from the profile version that pinned it."""
    _pin_the_servers_key(org)
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna")
    first = push(anna, backoff=quick_backoff())
    assert first.made is not None and first.receipts == [1]
    old, _new = _rekey(org)
    assert pull(org.coordinator, backoff=quick_backoff()).server_forks == []

    delivery = SyncClientState.of(anna).delivery(first.made.bundle_id)
    assert delivery is not None and delivery.receipt is not None
    held = json.loads(delivery.receipt)
    entry = base64.b64decode(held["entry"])
    other = canonical(json.loads(entry) | {"received_ms": json.loads(entry)["received_ms"] + 1})
    queue_for_audit(
        org.coordinator,
        anna.device_id,
        "e" * 64,
        (
            CarriedReceipt(1, entry, sign_entry(Ed25519PrivateKey.generate(), entry)),  # never pinned
            CarriedReceipt(1, other, sign_entry(old, other)),  # the old key, another entry
        ),
    )
    pulled = pull(org.coordinator, backoff=quick_backoff())
    found = sorted((a.kind, a.index, a.carried_sha256) for a in pulled.server_forks)
    assert found == sorted(
        [
            (RECEIPT_INVALID, 1, hashlib.sha256(entry).hexdigest()),
            (LOG_DIFFERS, 1, hashlib.sha256(other).hexdigest()),
        ]
    )


@pytest.mark.parametrize("resign_log", [False, True], ids=["log-kept", "log-re-signed-with-new-key"])
def test_a_fork_under_the_old_key_is_still_caught_after_the_server_re_keys(
    org: Org, tmp_path: Path, resign_log: bool
) -> None:
    """The server gives the worker its receipt, rewrites that entry (old key,
    re-chained) before any coordinator reads the log, then re-keys — keeping
    the log as it is, or signing every entry again with the new key so that
    the worker's old-key receipt matches no signature in the log. Either
    way the coordinator compares the receipt with the entry: log-differs."""
    _pin_the_servers_key(org)
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna")
    first = push(anna, backoff=quick_backoff())
    assert first.made is not None and first.receipts == [1]
    held = _entry_sha(anna, first.made.bundle_id)
    org.stop_server()
    db = sqlite3.connect(org.data / "server.db")
    try:
        shown = _resign(db, load_receipt_key(ServerFiles(org.data)), 1, change=True)
    finally:
        db.close()
    org.start_server()
    _rekey(org, resign_log=resign_log)
    if resign_log:
        db = sqlite3.connect(org.data / "server.db")
        try:
            shown = db.execute("SELECT entry_sha256 FROM receipts WHERE idx = 1").fetchone()[0]
        finally:
            db.close()
    assert shown != held

    add_testimony(anna, "second")
    second = push(anna, backoff=quick_backoff())  # carries the old-key receipt 1
    assert second.made is not None and second.receipts == [2]
    pulled = pull(org.coordinator, backoff=quick_backoff())
    assert [(a.kind, a.index, a.carried_sha256, a.seen_sha256) for a in pulled.server_forks] == [
        (LOG_DIFFERS, 1, held, shown)
    ]
    assert [(a.kind, a.index) for a in alarms(org.coordinator)] == [(LOG_DIFFERS, 1)]


def test_the_log_may_not_go_back_to_the_old_key_after_the_new_one(org: Org, tmp_path: Path) -> None:
    """Entries after the switch are signed by the new key: an entry the old
    key signed after one the new key signed (the old key kept, or leaked,
    and used to write the log on) breaks the log for the coordinator."""
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna")
    assert push(anna, backoff=quick_backoff()).receipts == [1]
    old, _new = _rekey(org)
    add_testimony(anna, "second")
    assert push(anna, backoff=quick_backoff()).receipts == [2]
    add_testimony(anna, "third")
    assert push(anna, backoff=quick_backoff()).receipts == [3]
    org.stop_server()
    db = sqlite3.connect(org.data / "server.db")
    try:
        _resign(db, old, 3)  # the same entry 3, signed by the old key after 2 (new key)
    finally:
        db.close()
    org.start_server()
    with pytest.raises(SyncFailed) as broken:
        pull(org.coordinator, backoff=quick_backoff())
    assert broken.value.code == "sync-log-broken"
