"""A coordinator's pull is not stuck behind one damaged copy on the server
(issue 14; docs/sync.md §2 "A bundle stuck on the server"). A real server
on loopback, a coordinator's vault and two field workers'.

The first worker's bundle 2 is damaged in the server's store (a flipped
byte in its committed file): its download never matches the receipt.
Before, every pull stopped at it (``sync-download-mismatch``) and nothing
behind it was pulled, from any worker, until someone repaired the copy.
Now it is recorded as stuck and tried again with growing waits, the other
worker's bundles are pulled in the same run, and the first worker's bundle
3 waits behind the hole (not imported across it: a gap, or a custody
refusal where another desk had acknowledged bundle 2) until bundle 2 is
downloaded intact or arrives by USB, or a later bundle of that worker is
imported here. Two desks: test_pull_stuck_desks.py."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from db.api import Vault
from sync.acks import Acknowledgement, sign_ack
from sync.bundle.vault_io import ExportedBundle, export_bundle, import_bundle
from sync.client.connection import session
from sync.client.pull import STUCK_CAP_MS, STUCK_FIRST_MS, PullResult, pull, stuck_bundles
from sync.client.push import push
from sync.org import device_id_of
from sync.org_vault import held_profile, revoke_device
from tests.cli_helpers import Cli, child_env
from tests.sync.client.sync_helpers import (
    Org,
    SavedOrg,
    add_testimony,
    quick_backoff,
    record_work,
    saved,
    saved_organisation,
)
from tests.vault_helpers import PASSPHRASE


class Clock:
    def __init__(self) -> None:
        self.ms = 1_800_000_000_000

    def __call__(self) -> int:
        return self.ms


@dataclass(frozen=True)
class SavedWorld:
    org: SavedOrg
    damaged: str  # the name of the first worker's bundle 2 in the server's store


def _committed(org: Org) -> set[str]:
    return {p.name for p in (org.data / "payloads" / "bundles").iterdir()}


def _push_one(worker: Vault, org: Org, title: str) -> str:
    """New work, pushed: the server file of the bundle it made."""
    before = _committed(org)
    add_testimony(worker, title)
    pushed = push(worker, backoff=quick_backoff())
    assert pushed.made is not None and len(pushed.sent) == 1
    (name,) = _committed(org) - before
    return name


@pytest.fixture(scope="module")
def saved_world(tmp_path_factory: pytest.TempPathFactory) -> SavedWorld:
    """Both workers' bundle 1 pulled and acknowledged; then the first
    worker's bundles 2 and 3 and the second's bundle 2 on the server, not
    pulled. Built once; each test damages its own copy."""
    tmp = tmp_path_factory.mktemp("pull-stuck-world")
    with saved_organisation(tmp) as org:
        first, second = org.worker("first"), org.worker("second")
        for name, worker in (("first", first), ("second", second)):
            record_work(worker, tmp, name, size=4_000)
            push(worker, backoff=quick_backoff())
        assert len(pull(org.coordinator, backoff=quick_backoff()).received) == 2
        damaged = _push_one(first, org, "first, bundle 2")
        _push_one(first, org, "first, bundle 3")
        _push_one(second, org, "second, bundle 2")
    return SavedWorld(saved(org), damaged)


def damage(stored: Path) -> bytes:
    """Flip one byte of a bundle in the server's store (as a failing disk
    would); its bytes before."""
    intact = stored.read_bytes()
    data = bytearray(intact)
    data[len(data) // 2] ^= 0x01
    stored.write_bytes(bytes(data))
    return intact


def _acks_on_server(worker: Vault, bundle_id: str) -> int:
    """How many coordinators' acknowledgements the server relays for one of
    the worker's bundles (asked as the worker, docs/sync.md §1.3)."""
    with session(worker, proxy=None) as client:
        return len(client.request("GET", f"/v1/bundles/{bundle_id}/acks").json()["acks"])


def _usb_export(worker: Vault, usb: Path) -> ExportedBundle:
    """As ``fieldvault bundle export --to USB`` on the worker's laptop."""
    profile = held_profile(worker)
    assert profile is not None
    recipients = [c.age_recipient for c in profile.coordinators]
    return export_bundle(worker, usb, recipients, profile.org_id, profile.version)


@dataclass
class Scene:
    org: Org
    first: Vault
    second: Vault
    stored: Path  # the first worker's bundle 2 in the server's store
    intact: bytes  # its bytes before the damage
    clock: Clock

    def pull(self) -> PullResult:
        return pull(self.org.coordinator, backoff=quick_backoff(), now_ms=self.clock)

    def repair(self) -> None:
        self.stored.write_bytes(self.intact)

    def sequences(self, worker: Vault) -> list[int]:
        return [
            r.sequence
            for r in self.org.coordinator.sync.received_bundles()
            if r.device_id == worker.device_id
        ]


@pytest.fixture
def scene(saved_world: SavedWorld, tmp_path: Path) -> Iterator[Scene]:
    with saved_world.org.copy(tmp_path) as org:
        first, second = org.workers
        stored = org.data / "payloads" / "bundles" / saved_world.damaged
        intact = damage(stored)
        yield Scene(org, first, second, stored, intact, Clock())


def test_other_workers_are_pulled_past_a_damaged_copy_and_the_worker_waits_for_it(scene: Scene) -> None:
    taken = scene.pull()  # raised SyncFailed('sync-download-mismatch') before, and at every later pull
    assert [(r.device_id, r.sequence) for r in taken.received] == [(scene.second.device_id, 2)]
    assert taken.refused == []  # bundle 3 is not refused for the hole: it waits
    (stuck,) = taken.stuck
    assert (stuck.device_id, stuck.sequence, stuck.code, stuck.attempts) == (
        scene.first.device_id,
        2,
        "sync-download-mismatch",
        1,
    )
    assert stuck.first_ms == scene.clock.ms and stuck.next_ms == scene.clock.ms + STUCK_FIRST_MS
    assert stuck.waiting == (3,)
    assert stuck_bundles(scene.org.coordinator) == [stuck]
    assert scene.sequences(scene.first) == [1]

    # Its wait not over: not tried (nothing downloaded), still reported.
    scene.clock.ms += STUCK_FIRST_MS - 1
    again = scene.pull()
    assert again.received == [] and again.bytes_received == 0 and again.stuck == [stuck]

    # The operator repairs the server's copy: the next try takes 2, then 3.
    scene.repair()
    scene.clock.ms += 1
    repaired = scene.pull()
    assert [(r.device_id, r.sequence) for r in repaired.received] == [
        (scene.first.device_id, 2),
        (scene.first.device_id, 3),
    ]
    assert repaired.refused == [] and repaired.gaps == []
    assert repaired.stuck == [] and repaired.unstuck == [(stuck.bundle_id, "downloaded")]
    assert scene.sequences(scene.first) == [1, 2, 3]
    assert scene.org.coordinator.verify().ok  # the worker's custody chain, whole

    # Acknowledged on the server: the worker takes the acknowledgements, so
    # its next bundle carries only new work, and it imports after 3.
    add_testimony(scene.first, "first, bundle 4")
    push(scene.first, backoff=quick_backoff())
    after = scene.pull()
    assert [(r.sequence, r.revisions) for r in after.received] == [(4, 1)]


def test_a_copy_that_stays_damaged_is_tried_with_growing_waits_until_the_work_comes_by_usb(
    scene: Scene, tmp_path: Path
) -> None:
    scene.pull()
    waits = []
    for attempt in range(2, 6):
        scene.clock.ms = stuck_bundles(scene.org.coordinator)[0].next_ms
        (stuck,) = scene.pull().stuck
        assert (stuck.attempts, stuck.waiting) == (attempt, (3,))
        waits.append(stuck.next_ms - scene.clock.ms)
    assert waits == [STUCK_FIRST_MS * 2**n for n in range(1, 5)]  # doubling
    assert scene.sequences(scene.first) == [1]

    # Much later: the wait stops growing at a day, and it is still tried.
    for _ in range(6):
        scene.clock.ms = stuck_bundles(scene.org.coordinator)[0].next_ms
        scene.pull()
    (stuck,) = stuck_bundles(scene.org.coordinator)
    assert stuck.next_ms - stuck.last_ms == STUCK_CAP_MS and stuck.attempts == 11

    # The worker brings its work by USB (bundle export: its next bundle,
    # number 4, carries everything not acknowledged), imported here.
    brought = _usb_export(scene.first, tmp_path)
    assert brought.sequence == 4
    coordinator = scene.org.coordinator
    imported = import_bundle(coordinator, brought.path, coordinator.vault_keys.age_identity())
    assert [(g.first, g.last) for g in imported.gaps] == [(2, 3)]
    # One desk in the profile and nobody else's acknowledgement of bundle 2
    # on the server: bundle 4 carries its work (review 18 R2). The next pull
    # (not due yet) closes the record as carried and bundle 3 follows.
    closed = scene.pull()
    assert closed.unstuck == [(stuck.bundle_id, "carried")] and closed.stuck == []
    assert [(r.device_id, r.sequence) for r in closed.received] == [(scene.first.device_id, 3)]
    assert closed.refused == []
    assert scene.sequences(scene.first) == [1, 3, 4]
    assert "first, bundle 2" in _narratives(coordinator)
    assert coordinator.verify().ok
    # Not asked for again: nothing stuck a day later, nothing downloaded.
    scene.clock.ms += STUCK_CAP_MS
    later = scene.pull()
    assert later.stuck == [] and later.bytes_received == 0 and stuck_bundles(coordinator) == []


def _narratives(vault: Vault) -> set[str]:
    return {t.narrative for t in vault.testimonies.list()}


def _forge_ack_by_former_desk(scene: Scene, bundle_id: str) -> None:
    """A sound acknowledgement of the worker's bundle on the server, signed
    by a key the profile does not list: a coordinator desk removed since."""
    profile = held_profile(scene.first)
    assert profile is not None
    key = Ed25519PrivateKey.generate()
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    ack = Acknowledgement(
        profile.org_id, scene.first.device_id, bundle_id, 2, device_id_of(raw), raw, scene.clock.ms
    )
    with sqlite3.connect(scene.org.data / "server.db") as db:
        db.execute(
            "INSERT INTO acks (bundle_id, coordinator_id, acked_ms, signed) VALUES (?, ?, ?, ?)",
            (bundle_id, ack.coordinator_id, scene.clock.ms, sign_ack(ack, key)),
        )


def test_a_stuck_bundle_another_key_acknowledged_is_not_closed_by_a_later_bundle(
    scene: Scene, tmp_path: Path
) -> None:
    """Adversarial side of review 18 R2: the server relays an acknowledgement
    of bundle 2 by a desk the profile no longer lists. The worker's later
    bundle may leave bundle 2's work out, so the record stays open."""
    (stuck,) = scene.pull().stuck
    _forge_ack_by_former_desk(scene, stuck.bundle_id)
    coordinator = scene.org.coordinator
    brought = _usb_export(scene.first, tmp_path)
    import_bundle(coordinator, brought.path, coordinator.vault_keys.age_identity())
    taken = scene.pull()
    assert taken.unstuck == []
    assert [(r.device_id, r.sequence) for r in taken.received] == [(scene.first.device_id, 3)]
    (still,) = taken.stuck
    assert (still.bundle_id, still.later, still.held_by) == (stuck.bundle_id, 4, ())
    assert still.open_because == "acknowledged-elsewhere"  # what the panel says instead of "bring it by USB"
    # Repaired, it is pulled after 3 and 4 (3 chains to it), its work already here.
    scene.repair()
    scene.clock.ms = still.next_ms
    repaired = scene.pull()
    assert [(r.sequence, r.revisions) for r in repaired.received] == [(2, 0)]
    assert repaired.unstuck == [(stuck.bundle_id, "downloaded")] and repaired.stuck == []
    assert scene.sequences(scene.first) == [1, 2, 3, 4] and coordinator.verify().ok


def test_fieldvault_sync_json_says_what_is_stuck_and_what_to_do(scene: Scene, tmp_path: Path) -> None:
    """The coordinator's whole round, the real command in a child process."""
    scene.org.coordinator.lock()  # the command opens the vault itself
    cli = Cli(scene.org.coordinator.folder, child_env(tmp_path))
    done = cli.run("--json", "sync", secrets=[PASSPHRASE])  # exit 1 with sync-download-mismatch before
    data = json.loads(done.stdout)
    assert [(b["device_id"], b["sequence"]) for b in data["bundles"]] == [(scene.second.device_id, 2)]
    assert data["refused"] == []
    (stuck,) = data["stuck"]
    assert stuck | {"bundle_id": "", "first_ms": 0, "last_ms": 0, "next_try_ms": 0} == {
        "bundle_id": "",
        "device_id": scene.first.device_id,
        "sequence": 2,
        "code": "sync-download-mismatch",
        "attempts": 1,
        "first_ms": 0,
        "last_ms": 0,
        "next_try_ms": 0,
        "waiting": [3],
        "held_by": [],  # no other desk acknowledged it
        "later": 0,
        "open_because": "",
    }
    assert data["unstuck"] == []
    assert stuck["next_try_ms"] - stuck["last_ms"] == STUCK_FIRST_MS
    warning = f"fieldvault: bundle 2 of device {scene.first.device_id} ({stuck['bundle_id']}) cannot be"
    assert warning in done.stderr
    assert "1 later bundle(s) of it wait behind" in done.stderr
    assert "fieldvault bundle export" in done.stderr and "repair the stored copy" in done.stderr


def test_fieldvault_sync_json_says_a_stuck_bundle_was_carried(scene: Scene, tmp_path: Path) -> None:
    """One desk: after the worker's USB bundle the real command's JSON says
    the record closed as carried, and stderr no longer asks for the work."""
    (stuck,) = scene.pull().stuck
    coordinator = scene.org.coordinator
    brought = _usb_export(scene.first, tmp_path)
    import_bundle(coordinator, brought.path, coordinator.vault_keys.age_identity())
    coordinator.lock()  # the command opens the vault itself
    cli = Cli(coordinator.folder, child_env(tmp_path))
    done = cli.run("--json", "sync", secrets=[PASSPHRASE])
    data = json.loads(done.stdout)
    assert data["unstuck"] == [{"bundle_id": stuck.bundle_id, "how": "carried"}]
    assert data["stuck"] == [] and "cannot be downloaded intact" not in done.stderr
    assert [(b["device_id"], b["sequence"]) for b in data["bundles"]] == [(scene.first.device_id, 3)]


def test_the_stuck_bundle_itself_brought_by_usb_is_acknowledged_and_the_waiting_one_follows(
    scene: Scene, tmp_path: Path
) -> None:
    """The intact file reaches the desk another way (a copy from the
    operator's backup, another desk's): imported here, the next pull closes
    the record at once (its wait not over), acknowledges it on the server
    as a replay, without downloading it, and takes bundle 3."""
    (stuck,) = scene.pull().stuck
    usb = tmp_path / "usb.fvbundle"
    usb.write_bytes(scene.intact)
    coordinator = scene.org.coordinator
    import_bundle(coordinator, usb, coordinator.vault_keys.age_identity())
    assert stuck_bundles(coordinator) == []

    taken = scene.pull()
    assert taken.unstuck == [(stuck.bundle_id, "received")]
    assert [(r.device_id, r.sequence) for r in taken.received] == [(scene.first.device_id, 3)]
    assert scene.sequences(scene.first) == [1, 2, 3] and coordinator.verify().ok
    assert taken.bytes_received < len(scene.intact) * 2  # bundle 3 downloaded, not bundle 2 again
    assert _acks_on_server(scene.first, stuck.bundle_id) == 1  # the replay's acknowledgement
    # The worker's next bundle carries only new work.
    add_testimony(scene.first, "first, bundle 4")
    push(scene.first, backoff=quick_backoff())
    assert [(r.sequence, r.revisions) for r in scene.pull().received] == [(4, 1)]


def test_a_repaired_copy_the_import_refuses_is_closed_as_refused_not_as_downloaded(scene: Scene) -> None:
    """The server's copy is repaired, but the worker's laptop was revoked in
    the meantime: the intact download is refused (bundle-device-revoked). Before,
    the record closed as "downloaded" and the stuck line went away as if the
    bundle were here. Now it closes as "refused", the refusal reported like
    any refused feed entry, and the bundle is not among those imported."""
    (stuck,) = scene.pull().stuck
    coordinator = scene.org.coordinator
    revoke_device(coordinator, scene.first.device_id)  # the laptop seized, no connection needed
    scene.repair()
    scene.clock.ms = stuck.next_ms
    taken = scene.pull()
    assert taken.unstuck == [(stuck.bundle_id, "refused")]
    assert (stuck.bundle_id, "bundle-device-revoked") in taken.refused
    assert taken.stuck == [] and stuck_bundles(coordinator) == []
    assert coordinator.sync.received_bundle(stuck.bundle_id) is None
    assert scene.sequences(scene.first) == [1]  # bundle 3, from the same revoked laptop, refused too
