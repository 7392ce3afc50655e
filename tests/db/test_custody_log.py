"""The chain of custody: every intake, view, export, verification and deletion
is a signed, hash-chained event, and ``verify`` names the event that was
removed, reordered, altered or forged.

The chain is checked twice: by ``vault.verify()``, and by an independent
third-party check written here from the format in db/custody.py (SHA-256 of
the signed bytes, Ed25519 over the domain-separated bytes, ``prev`` links,
sequence numbers), which is what a court expert would do with the export.
Tampering goes through raw SQL on the vault's own session, as someone holding
the database key could.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select, text

from db.blobstore import CancelToken, IntakeCancelled
from db.custody import GENESIS, SIGNATURE_DOMAIN
from db.device import DeviceIdentity
from db.entities import EvidenceItem
from db.errors import InvalidInput, NotFound
from db.keyring_store import NoKeyring
from db.model import CustodyEventRow, Device
from db.revisions import canonical_json
from db.vault import Vault
from db.verify import Problem
from tests.evidence_samples import make_random
from tests.factory import make_case
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE, open_vault

USER = "investigator O. K."


# -- reading the log as a third party would -----------------------------------


@dataclass(frozen=True)
class Row:
    seq: int
    event_hash: str
    evidence_id: str
    signed: bytes
    signature: bytes

    @property
    def envelope(self) -> dict[str, Any]:
        return dict(json.loads(self.signed))


def rows(vault: Vault) -> list[Row]:
    with vault.services.context.sessions() as session:
        return [
            Row(r.seq, r.event_hash, r.evidence_id, r.signed, r.signature)
            for r in session.scalars(select(CustodyEventRow).order_by(CustodyEventRow.seq))
        ]


def device_key(vault: Vault) -> bytes:
    with vault.services.context.sessions() as session:
        return bytes(session.scalar(select(Device.public_key)) or b"")


def third_party_check(log: list[Row], trusted_key: bytes) -> None:
    """Fail unless the log is whole: every event hashes, links and verifies."""
    prev = GENESIS
    public = Ed25519PublicKey.from_public_bytes(trusted_key)
    for expected_seq, row in enumerate(log, start=1):
        envelope = row.envelope
        assert row.seq == envelope["seq"] == expected_seq, f"event {row.seq}: sequence"
        assert hashlib.sha256(row.signed).hexdigest() == row.event_hash, f"event {row.seq}: hash"
        assert envelope["prev"] == prev, f"event {row.seq}: not chained to event {row.seq - 1}"
        assert base64.b64decode(envelope["key"]) == trusted_key, f"event {row.seq}: signed by another key"
        public.verify(row.signature, SIGNATURE_DOMAIN + row.signed)  # raises InvalidSignature
        assert canonical_json(envelope) == row.signed, f"event {row.seq}: not canonical"
        assert envelope["evidence"] == row.evidence_id
        prev = row.event_hash


# -- a vault with a history -------------------------------------------------------


@dataclass
class History:
    vault: Vault
    items: list[EvidenceItem]
    source: Path


@dataclass(frozen=True)
class SavedHistory:
    folder: Path  # the closed vault (vault/), its sources and exports
    items: list[EvidenceItem]


@pytest.fixture(scope="module")
def saved_history(tmp_path_factory: pytest.TempPathFactory) -> SavedHistory:
    """Two items, each ingested, viewed and exported: 6 events, then one
    intake-duplicate (7). Built once; each test opens its own copy."""
    folder = tmp_path_factory.mktemp("custody-history")
    vault = Vault.create(folder / "vault", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    vault.services.context.user_label = USER
    case = make_case(vault)
    items = []
    for n in range(2):
        source = make_random(folder / f"evidence-{n}.bin", 5000 + n, seed=n)
        item = vault.evidence.ingest(source, case.id).item
        with vault.evidence.open(item.id, purpose="review") as reader:
            reader.read()
        vault.evidence.export(item.id, folder / f"exported-{n}.bin")
        items.append(item)
    vault.evidence.ingest(folder / "evidence-0.bin", case.id)
    assert len(rows(vault)) == 7
    vault.lock()
    return SavedHistory(folder, items)


@pytest.fixture
def history(saved_history: SavedHistory, tmp_path: Path) -> Iterator[History]:
    """This test's own copy of the saved vault (with the sources and exports
    beside it, where the build left them)."""
    shutil.copytree(saved_history.folder, tmp_path, dirs_exist_ok=True)
    vault = open_vault(tmp_path / "vault")
    vault.services.context.user_label = USER
    assert len(rows(vault)) == 7
    yield History(vault, saved_history.items, tmp_path / "evidence-0.bin")
    vault.lock()


def custody_problems(vault: Vault) -> list[Problem]:
    report = vault.verify()
    return [p for p in report.problems if p.kind == "custody"]


def execute(vault: Vault, sql: str, **params: Any) -> None:
    with vault.services.context.sessions() as session:
        session.execute(text(sql), params)
        session.commit()


# -- what is recorded -------------------------------------------------------------


def test_each_action_appends_an_event_with_device_and_hash(vault: Vault, tmp_path: Path) -> None:
    vault.services.context.user_label = USER
    source = make_random(tmp_path / "photo 1.jpg", 3000, seed=1)
    case = make_case(vault)
    started = datetime.now(UTC) - timedelta(seconds=5)

    item = vault.evidence.ingest(source, case.id).item
    with vault.evidence.open(item.id, purpose="playback") as reader:
        reader.read(10)
    vault.evidence.export(item.id, tmp_path / "out.jpg")
    assert vault.verify().ok
    vault.evidence.ingest(source, case.id)  # the same file again
    vault.evidence.delete(item.id, reason="duplicate of an item in another case")

    events = vault.evidence.custody(item.id)  # still readable after the deletion
    assert [e.action for e in events] == ["intake", "view", "export", "verify", "intake-duplicate", "delete"]
    assert [e.details for e in events] == [
        {"name": "photo 1.jpg"},
        {"purpose": "playback"},
        {"file_name": "out.jpg"},
        {"ok": True},
        {"name": "photo 1.jpg"},
        {"reason": "duplicate of an item in another case"},
    ]
    for event in events:
        assert event.evidence_id == item.id
        assert event.device_id == vault.device_id
        assert event.sha256 == item.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
        assert event.user == USER
        wall = datetime.fromisoformat(event.wall.replace("Z", "+00:00"))
        assert started <= wall <= datetime.now(UTC) + timedelta(seconds=5), event.wall
    assert [e.seq for e in events] == list(range(1, 7))
    hlcs = [e.hlc for e in events]
    assert all((a.ms, a.counter) < (b.ms, b.counter) for a, b in itertools.pairwise(hlcs))


def test_the_log_is_hash_chained_and_signed_by_the_device(history: History) -> None:
    log = rows(history.vault)
    third_party_check(log, device_key(history.vault))
    assert log[0].envelope["prev"] == GENESIS
    # Each event names its item; the chain runs across items.
    assert [r.evidence_id for r in log] == [history.items[0].id] * 3 + [history.items[1].id] * 3 + [
        history.items[0].id
    ]
    assert custody_problems(history.vault) == []


def test_the_log_survives_a_lock_and_unlock(history: History) -> None:
    before = rows(history.vault)
    history.vault.lock()
    vault = open_vault(history.vault.folder)
    try:
        assert rows(vault) == before
        item = history.items[1]
        with vault.evidence.open(item.id) as reader:
            reader.read(1)
        log = rows(vault)
        third_party_check(log, device_key(vault))
        assert log[-1].envelope["action"] == "view" and log[-1].envelope["prev"] == before[-1].event_hash
    finally:
        vault.lock()


def test_what_fails_is_not_recorded_as_done(history: History, tmp_path: Path) -> None:
    vault, item = history.vault, history.items[0]
    before = rows(vault)
    with pytest.raises(InvalidInput, match="already exists"):
        vault.evidence.export(item.id, tmp_path / "exported-0.bin")  # exists, no overwrite
    token = CancelToken()
    token.cancel()
    with pytest.raises(IntakeCancelled):
        vault.evidence.ingest(make_random(tmp_path / "new.bin", 10, seed=9), item.case_id, cancel=token)
    with pytest.raises(NotFound):
        vault.evidence.open("00000000-0000-0000-0000-000000000000")
    assert rows(vault) == before


def test_verify_records_its_outcome_for_every_item(history: History) -> None:
    vault = history.vault
    before = len(rows(vault))
    assert vault.verify().ok
    log = rows(vault)
    added = [r.envelope for r in log[before:]]
    assert sorted(e["evidence"] for e in added) == sorted(i.id for i in history.items)
    assert all(e["action"] == "verify" and e["details"] == {"ok": True} for e in added)
    third_party_check(log, device_key(vault))


# -- tampering ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deleted", "subject", "detail"),
    [
        ([1], "custody event 1", "missing (chain broken before event 2)"),
        ([3], "custody event 3", "missing (chain broken before event 4)"),
        ([4, 5], "custody event 4–5", "missing (chain broken before event 6)"),
    ],
    ids=["first", "middle", "two"],
)
def test_a_deleted_event_is_named(history: History, deleted: list[int], subject: str, detail: str) -> None:
    for seq in deleted:
        execute(history.vault, "DELETE FROM custody_events WHERE seq = :seq", seq=seq)
    # (Deleting an intake event also leaves its item without one: tested below.)
    chain = [p for p in custody_problems(history.vault) if p.subject.startswith("custody event")]
    assert chain == [Problem("custody", subject, detail)]


def test_an_item_whose_intake_event_was_cut_off_is_named(history: History, tmp_path: Path) -> None:
    vault = history.vault
    late = vault.evidence.ingest(
        make_random(tmp_path / "late.bin", 99, seed=3), history.items[0].case_id
    ).item
    execute(vault, "DELETE FROM custody_events WHERE evidence_id = :e", e=late.id)
    assert any(late.id in p.subject for p in vault.verify().problems)


def swap_rows(vault: Vault, a: int, b: int) -> None:
    """Swap two events' content (signed bytes, signature, hash, item) between
    their sequence slots; event_hash is unique, hence the parking first."""
    log = {r.seq: r for r in rows(vault)}
    execute(vault, "UPDATE custody_events SET event_hash = 'parked-' || seq WHERE seq IN (:a, :b)", a=a, b=b)
    for here, there in ((a, b), (b, a)):
        moved = log[there]
        execute(
            vault,
            "UPDATE custody_events SET signed = :signed, signature = :signature, "
            "event_hash = :hash, evidence_id = :evidence WHERE seq = :seq",
            signed=moved.signed,
            signature=moved.signature,
            hash=moved.event_hash,
            evidence=moved.evidence_id,
            seq=here,
        )


@pytest.mark.parametrize(("a", "b"), [(2, 5), (6, 7), (3, 4)], ids=["apart", "newest-two", "adjacent"])
def test_reordered_events_are_named(history: History, a: int, b: int) -> None:
    swap_rows(history.vault, a, b)
    problems = custody_problems(history.vault)
    reordered = [p for p in problems if "reordered" in p.detail]
    assert sorted(p.subject for p in reordered) == [f"custody event {a}", f"custody event {b}"], problems
    assert reordered[0].detail == f"carries sequence number {b} (reordered)"


@pytest.mark.parametrize(("a", "b"), [(2, 5), (3, 4)], ids=["apart", "adjacent"])
def test_reordering_names_only_the_moved_events(history: History, a: int, b: int) -> None:
    """Events that were not touched must not be accused."""
    swap_rows(history.vault, a, b)
    subjects = {p.subject for p in custody_problems(history.vault)}
    assert subjects == {f"custody event {a}", f"custody event {b}"}


def test_a_changed_byte_in_an_event_is_named(history: History) -> None:
    vault = history.vault
    target = rows(vault)[2]  # the first export
    changed = target.signed.replace(b'"export"', b'"exporT"')
    assert changed != target.signed
    execute(vault, "UPDATE custody_events SET signed = :s WHERE seq = 3", s=changed)
    assert custody_problems(vault) == [
        Problem("custody", "custody event 3", "its content does not match its hash (altered)")
    ]


def test_an_event_rewritten_as_text_is_named_not_a_crash(history: History) -> None:
    """SQLite keeps what it is given: the same JSON put back as TEXT in the
    bytes column is an altered event for verify, not a TypeError."""
    vault = history.vault
    target = rows(vault)[2]
    execute(vault, "UPDATE custody_events SET signed = :s WHERE seq = 3", s=target.signed.decode("utf-8"))
    assert custody_problems(vault) == [
        Problem("custody", "custody event 3", "its stored form is not what Fieldvault writes (altered)")
    ]


def test_a_rehashed_edit_fails_its_signature(history: History) -> None:
    """Edited and given a matching hash: the signature still fails."""
    vault = history.vault
    target = rows(vault)[-1]
    other_hash = "f" * 64
    changed = target.signed.replace(target.envelope["sha256"].encode(), other_hash.encode())
    execute(
        vault,
        "UPDATE custody_events SET signed = :s, event_hash = :h WHERE seq = :seq",
        s=changed,
        h=hashlib.sha256(changed).hexdigest(),
        seq=target.seq,
    )
    assert custody_problems(vault) == [Problem("custody", f"custody event {target.seq}", "bad signature")]


def test_a_replaced_signature_is_named(history: History) -> None:
    vault = history.vault
    execute(vault, "UPDATE custody_events SET signature = :s WHERE seq = 2", s=bytes(64))
    assert custody_problems(vault) == [Problem("custody", "custody event 2", "bad signature")]


def test_an_event_moved_to_another_item_is_named(history: History) -> None:
    vault = history.vault
    execute(vault, "UPDATE custody_events SET evidence_id = :e WHERE seq = 2", e=history.items[1].id)
    assert custody_problems(vault) == [
        Problem("custody", "custody event 2", "filed under another evidence item")
    ]


def forged(vault: Vault, identity: DeviceIdentity, seq: int, prev: str, **override: Any) -> Row:
    """An event signed by ``identity``, well-formed in every other way."""
    template = rows(vault)[0].envelope
    envelope = {
        **template,
        "seq": seq,
        "prev": prev,
        "action": "export",
        "device": identity.device_id,
        "key": base64.b64encode(identity.public_key).decode(),
        "details": {"file_name": "leaked.bin"},
        **override,
    }
    signed = canonical_json(envelope)
    return Row(
        seq,
        hashlib.sha256(signed).hexdigest(),
        envelope["evidence"],
        signed,
        identity.sign(SIGNATURE_DOMAIN + signed),
    )


def insert_row(vault: Vault, row: Row) -> None:
    execute(
        vault,
        "INSERT INTO custody_events (seq, event_hash, evidence_id, signed, signature) "
        "VALUES (:seq, :hash, :evidence, :signed, :signature)",
        seq=row.seq,
        hash=row.event_hash,
        evidence=row.evidence_id,
        signed=row.signed,
        signature=row.signature,
    )


def test_an_event_forged_by_another_device_is_named(history: History) -> None:
    """Appended at the end, signed by a key this vault never had."""
    vault = history.vault
    last = rows(vault)[-1]
    stranger = DeviceIdentity.generate()
    insert_row(vault, forged(vault, stranger, last.seq + 1, last.event_hash))
    assert custody_problems(vault) == [
        Problem(
            "custody",
            f"custody event {last.seq + 1}",
            f"signed by device {stranger.device_id}, which is not this vault's",
        )
    ]


def test_an_event_replaced_by_another_devices_is_named(history: History) -> None:
    """Event 3 (an export) replaced by one signed elsewhere, chained to event 2."""
    vault = history.vault
    log = rows(vault)
    fake = forged(vault, DeviceIdentity.generate(), 3, log[1].event_hash, action="view")
    execute(vault, "DELETE FROM custody_events WHERE seq = 3")
    insert_row(vault, fake)
    problems = custody_problems(vault)
    assert problems[0] == Problem(
        "custody", "custody event 3", f"signed by device {fake.envelope['device']}, which is not this vault's"
    ), problems
    # Event 4 still names the real event 3 as its predecessor: that link is broken too.
    assert [p.subject for p in problems] == ["custody event 3", "custody event 4"]


def test_an_event_claiming_this_device_with_another_key_is_named(history: History) -> None:
    vault = history.vault
    last = rows(vault)[-1]
    thief = DeviceIdentity.generate()
    insert_row(vault, forged(vault, thief, last.seq + 1, last.event_hash, device=vault.device_id))
    assert custody_problems(vault) == [
        Problem("custody", f"custody event {last.seq + 1}", "its device id does not match its key")
    ]


def test_tampering_leaves_the_evidence_itself_readable(history: History) -> None:
    """A broken custody log is reported, not a reason to lock the bytes away."""
    vault = history.vault
    execute(vault, "DELETE FROM custody_events WHERE seq = 2")
    report = vault.verify()
    assert {p.kind for p in report.problems} == {"custody"}
    with vault.evidence.open(history.items[0].id) as reader:
        assert reader.read() == history.source.read_bytes()
