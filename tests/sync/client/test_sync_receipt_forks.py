"""Fork detection through the bundles (docs/sync.md, "Fork detection"): a
field worker's next bundle carries the server's signed receipts for its
earlier bundles, and a coordinator compares each with the receipt log it
checked. A real server on loopback plays the dishonest server: after giving
the worker its receipt, it rewrites that entry of its log (signed again with
its own receipt key, everything after it chained again, so that the log
checks out on its own) before any coordinator reads it. The coordinator's
pull — after the bundle came over the server or on a USB stick — reports
it, keeps it in the vault and says so in ``fieldvault sync --json``; an
honest server raises nothing."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from db.api import NoKeyring, SyncClientState, Vault
from db.sync_import import VaultImport
from db.sync_state import SyncStateService
from sync.bundle.carried_receipts import (
    LOG_DIFFERS,
    LOG_LACKS,
    RECEIPT_INVALID,
    RECEIPT_ORDER,
    alarms,
    queue_for_audit,
    receipts_to_carry,
    to_audit,
)
from sync.bundle.format import CarriedReceipt
from sync.bundle.vault_io import export_bundle, import_bundle
from sync.client.inbox import receive_inbox
from sync.client.pull import pull
from sync.client.push import push
from sync.org_vault import held_profile
from sync.server.keys import ServerFiles, load_receipt_key
from sync.server.protocol import GENESIS, canonical, receipt_hash
from sync.server.receipts import sign_entry
from tests.cli_helpers import Cli
from tests.sync.client.sync_helpers import Org, add_testimony, organisation, quick_backoff, record_work
from tests.sync.client.test_sync_cli import _env
from tests.vault_helpers import PASSPHRASE


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


def _entry_sha(vault: Vault, bundle_id: str) -> str:
    delivery = SyncClientState.of(vault).delivery(bundle_id)
    assert delivery is not None and delivery.receipt is not None
    return hashlib.sha256(base64.b64decode(json.loads(delivery.receipt)["entry"])).hexdigest()


def _rewrite_log(org: Org, index: int) -> str:
    """The dishonest server: entry ``index`` rewritten (its ``received_ms``
    moved by a second) and signed again, every later entry chained to it
    again and signed again; the server restarted on the same port. Returns
    the new entry's SHA-256."""
    org.stop_server()
    key = load_receipt_key(ServerFiles(org.data))
    db = sqlite3.connect(org.data / "server.db")
    try:
        rows = db.execute("SELECT idx, entry FROM receipts WHERE idx >= ? ORDER BY idx", (index,)).fetchall()
        before = db.execute("SELECT entry_sha256 FROM receipts WHERE idx = ?", (index - 1,)).fetchone()
        previous = before[0] if before else GENESIS
        rewritten = ""
        for idx, entry in rows:
            body = json.loads(entry)
            if idx == index:
                body["received_ms"] += 1000
            body["previous"] = previous
            data = canonical(body)
            previous = receipt_hash(data)
            rewritten = rewritten or previous
            db.execute(
                "UPDATE receipts SET entry = ?, entry_sha256 = ?, signature = ? WHERE idx = ?",
                (data, previous, sign_entry(key, data), idx),
            )
        db.commit()
    finally:
        db.close()
    org.start_server()
    return rewritten


def test_an_honest_server_raises_nothing_and_the_carried_receipts_are_compared(
    org: Org, tmp_path: Path
) -> None:
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna")
    first = push(anna, backoff=quick_backoff())
    assert first.made is not None and receipts_to_carry(anna)[0].index == first.receipts[0]
    assert pull(org.coordinator, backoff=quick_backoff()).server_forks == []

    add_testimony(anna, "second")
    second = push(anna, backoff=quick_backoff())
    assert second.made is not None
    pulled = pull(org.coordinator, backoff=quick_backoff())
    assert [r.bundle_id for r in pulled.received] == [second.made.bundle_id]
    assert pulled.server_forks == [] and alarms(org.coordinator) == []
    assert to_audit(org.coordinator) == []  # compared, and matched the log
    assert receive_inbox(anna, backoff=quick_backoff()).server_forks == []


def test_a_log_rewritten_after_the_workers_receipt_is_caught_by_the_coordinators_pull(
    org: Org, tmp_path: Path
) -> None:
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna")
    first = push(anna, backoff=quick_backoff())
    assert first.made is not None and first.receipts == [1]
    held = _entry_sha(anna, first.made.bundle_id)
    shown = _rewrite_log(org, 1)  # after the receipt, before any coordinator read the log
    assert shown != held

    # The coordinator's pull checks a log that is whole on its own: nothing to see yet.
    quiet = pull(org.coordinator, backoff=quick_backoff())
    assert len(quiet.received) == 1 and quiet.server_forks == []

    add_testimony(anna, "second")
    second = push(anna, backoff=quick_backoff())
    assert second.made is not None and second.receipts == [2]
    org.coordinator.lock()  # the command opens the vault itself
    coordinator = Cli(org.coordinator.folder, _env(tmp_path))
    pulled = coordinator.json("sync", secrets=[PASSPHRASE])
    assert pulled["received"] == 1 and pulled["bundles"][0]["bundle_id"] == second.made.bundle_id
    assert [(a["kind"], a["index"], a["device_id"]) for a in pulled["server_forks"]] == [
        (LOG_DIFFERS, 1, anna.device_id)
    ]
    alarm = pulled["server_forks"][0]
    assert alarm["carried_sha256"] == held and alarm["seen_sha256"] == shown
    assert alarm["bundle_id"] == second.made.bundle_id  # the bundle that carried the receipt

    # Kept in the vault, reported once: the next sync finds nothing new.
    again = coordinator.json("sync", secrets=[PASSPHRASE])
    assert again["server_forks"] == []
    reopened = Vault.open(org.coordinator.folder, PASSPHRASE, keyring=NoKeyring())
    try:
        assert [(a.kind, a.index, a.carried_sha256) for a in alarms(reopened)] == [(LOG_DIFFERS, 1, held)]
    finally:
        reopened.lock()


def test_a_receipt_carried_on_a_usb_stick_is_compared_at_the_next_pull(org: Org, tmp_path: Path) -> None:
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna")
    first = push(anna, backoff=quick_backoff())
    assert first.made is not None
    held = _entry_sha(anna, first.made.bundle_id)
    _rewrite_log(org, 1)
    assert pull(org.coordinator, backoff=quick_backoff()).server_forks == []

    # The second bundle goes by USB: imported with no server to ask, kept for the pull.
    add_testimony(anna, "by hand")
    stick = tmp_path / "stick"
    stick.mkdir()
    profile = held_profile(anna)
    assert profile is not None
    recipients = [c.age_recipient for c in profile.coordinators]
    made = export_bundle(anna, stick, recipients, profile.org_id, profile.version)
    identity = org.coordinator.vault_keys.age_identity()
    imported = import_bundle(org.coordinator, made.path, identity, org_id=profile.org_id)
    assert not imported.replay
    assert [a.receipt.index for a in to_audit(org.coordinator)] == [1]

    pulled = pull(org.coordinator, backoff=quick_backoff())
    assert [(a.kind, a.index, a.carried_sha256) for a in pulled.server_forks] == [(LOG_DIFFERS, 1, held)]
    assert to_audit(org.coordinator) == []


def test_a_server_that_rolls_its_log_back_is_caught_by_the_worker_and_the_coordinator(
    org: Org, tmp_path: Path
) -> None:
    """The server forgets the first bundle's entry (to hide the bundle from
    the coordinators) and gives the next bundle the same index: the worker
    sees its receipt indexes go backwards, and the coordinator's log names
    another bundle at the index the worker's receipt holds."""
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna")
    first = push(anna, backoff=quick_backoff())
    assert first.made is not None and first.receipts == [1]
    held = _entry_sha(anna, first.made.bundle_id)
    org.stop_server()
    db = sqlite3.connect(org.data / "server.db")
    db.execute("DELETE FROM receipts WHERE idx = 1")
    # Still there for its device, in no coordinator's feed (the feed lists receipted bundles).
    db.execute("UPDATE bundles SET receipt_index = NULL WHERE bundle_id = ?", (first.made.bundle_id,))
    db.commit()
    db.close()
    org.start_server()

    add_testimony(anna, "second")
    second = push(anna, backoff=quick_backoff())
    assert second.made is not None and second.receipts == [1]  # the same index again
    inbox = receive_inbox(anna, backoff=quick_backoff())
    assert [(a.kind, a.index, a.bundle_id) for a in inbox.server_forks] == [
        (RECEIPT_ORDER, 1, second.made.bundle_id)
    ]

    pulled = pull(org.coordinator, backoff=quick_backoff())
    assert [r.bundle_id for r in pulled.received] == [second.made.bundle_id]  # the first is hidden
    assert [(a.kind, a.index, a.carried_sha256) for a in pulled.server_forks] == [(LOG_DIFFERS, 1, held)]


def test_receipts_are_carried_until_a_bundle_that_carried_them_is_acknowledged(
    org: Org, tmp_path: Path
) -> None:
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna")
    push(anna, backoff=quick_backoff())
    assert [r.index for r in receipts_to_carry(anna)] == [1]
    add_testimony(anna, "second")
    push(anna, backoff=quick_backoff())  # bundle 2 carries receipt 1
    assert [r.index for r in receipts_to_carry(anna)] == [1, 2]  # not acknowledged yet
    pull(org.coordinator, backoff=quick_backoff())  # acknowledges bundles 1 and 2
    add_testimony(anna, "third")
    third = push(anna, backoff=quick_backoff())  # takes the acknowledgement first
    assert third.acknowledged
    # Receipt 1 went in the acknowledged bundle 2: only 2 and 3 are left to carry.
    assert [r.index for r in receipts_to_carry(anna)] == [2, 3]


def test_a_receipt_beyond_the_log_or_not_the_servers_is_an_alarm_too(org: Org, tmp_path: Path) -> None:
    """What a coordinator is given to compare may also be a receipt the
    server signed for an index its log (as shown) never reaches — a log cut
    short after the receipt — or one the server key never signed."""
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna")
    push(anna, backoff=quick_backoff())
    profile = held_profile(anna)
    assert profile is not None
    key = load_receipt_key(ServerFiles(org.data))
    body = {"format": "fieldvault-receipt", "version": 1, "index": 9, "previous": "0" * 64}
    body |= {"org_id": profile.org_id, "device_id": anna.device_id, "bundle_id": "c" * 64}
    beyond = canonical(body)
    forged = canonical(body | {"index": 8})
    queue_for_audit(
        org.coordinator,
        anna.device_id,
        "d" * 64,
        (
            CarriedReceipt(9, beyond, sign_entry(key, beyond)),
            CarriedReceipt(8, forged, sign_entry(Ed25519PrivateKey.generate(), forged)),
        ),
    )
    pulled = pull(org.coordinator, backoff=quick_backoff())
    assert sorted((a.kind, a.index) for a in pulled.server_forks) == [(LOG_LACKS, 9), (RECEIPT_INVALID, 8)]
    assert to_audit(org.coordinator) == []


class _Killed(BaseException):
    """The process dying at that point (nothing after it runs)."""


def test_a_kill_right_after_the_import_commits_keeps_the_carried_receipts_queued(
    org: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review 7 #5: the receipts were queued in a transaction of their own
    after the import's; a kill in between lost the comparison for good (the
    import again is a replay, which queues nothing)."""
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna")
    assert push(anna, backoff=quick_backoff()).made is not None
    add_testimony(anna, "by hand")
    stick = tmp_path / "stick"
    stick.mkdir()
    profile = held_profile(anna)
    assert profile is not None
    made = export_bundle(
        anna, stick, [c.age_recipient for c in profile.coordinators], profile.org_id, profile.version
    )
    identity = org.coordinator.vault_keys.age_identity()

    committing = SyncStateService.begin_import

    @contextlib.contextmanager
    def dies_once_committed(service: SyncStateService) -> Iterator[VaultImport]:
        with committing(service) as unit:
            yield unit
        raise _Killed

    monkeypatch.setattr(SyncStateService, "begin_import", dies_once_committed)
    with pytest.raises(_Killed):
        import_bundle(org.coordinator, made.path, identity, org_id=profile.org_id)
    monkeypatch.undo()
    assert org.coordinator.sync.received_bundle(made.bundle_id) is not None  # the import stands

    assert import_bundle(org.coordinator, made.path, identity, org_id=profile.org_id).replay
    assert [(a.device_id, a.receipt.index) for a in to_audit(org.coordinator)] == [(anna.device_id, 1)]
