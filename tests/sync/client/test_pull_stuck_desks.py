"""A bundle stuck on the server in an organisation of two coordinator desks
(issue 14, review 17 F1/F2; docs/sync.md §2 "A bundle stuck on the server").
A real server on loopback, Kyiv and Lviv, a field worker W (the saved
``server_desks`` world of tests/sync/desk_world.py).

W's bundle 2 reaches Lviv, which acknowledges it, and W takes that
acknowledgement; then the server's copy is damaged and W's bundle 3 carries
only new work. Kyiv's pull finds 2 stuck and 3 waiting behind it.

F1: the worker's next bundle (4), brought by USB, does not carry bundle 2's
work (Lviv acknowledged it). Before, Kyiv's next pull closed the stuck
record as "covered" and never asked for bundle 2 again: a repaired copy
was never pulled, and where bundle 3 edited bundle 2's testimony Kyiv
stored the edit without its parent and ``verify`` failed for good. Now the
record stays and is tried again; the repaired copy is imported after 3 and
4, and the edit waits parked until its parent comes.

F2: with evidence in bundle 2 the worker's USB bundle is refused at Kyiv
(its custody events follow bundle 2's). The stuck record names Lviv as a
desk that acknowledged it, and Lviv's history hand-over brings its work."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from db.api import Vault, parked_by_signer
from sync.bundle.errors import BundleRejected
from sync.bundle.hand_over import hand_over
from sync.bundle.vault_io import ExportedBundle, export_bundle, import_bundle
from sync.client.connection import session
from sync.client.pull import STUCK_CAP_MS, PullResult, pull, stuck_bundles
from sync.client.push import push
from sync.org_vault import held_profile
from tests.cli_helpers import Cli, child_env
from tests.sync.client.sync_helpers import add_testimony, quick_backoff, record_work
from tests.sync.client.test_pull_stuck import Clock, damage
from tests.sync.desk_world import ServerDesks, server_desks  # noqa: F401 (the fixture)
from tests.vault_helpers import PASSPHRASE, open_vault


@dataclass
class Stuck:
    desks: ServerDesks
    stored: Path  # W's bundle 2 in the server's store
    intact: bytes
    bundle_2: str  # its id
    first_testimony: str  # the id of the testimony bundle 2 created
    edited: bool  # bundle 3 edits that testimony (else it adds another)
    clock: Clock

    @property
    def kyiv(self) -> Vault:
        return self.desks.kyiv

    @property
    def worker(self) -> Vault:
        return self.desks.first

    def pull(self) -> PullResult:
        return pull(self.kyiv, proxy=False, backoff=quick_backoff(), now_ms=self.clock)

    def usb_bundle(self, usb: Path) -> ExportedBundle:
        """The worker's ``bundle export`` to a stick: its next bundle."""
        add_testimony(self.worker, "W, bundle 4")
        profile = held_profile(self.worker)
        assert profile is not None
        usb.mkdir()
        recipients = [c.age_recipient for c in profile.coordinators]
        return export_bundle(self.worker, usb, recipients, profile.org_id, profile.version)

    def import_at_kyiv(self, path: Path) -> list[tuple[int, int]]:
        imported = import_bundle(self.kyiv, path, self.kyiv.vault_keys.age_identity())
        return [(g.first, g.last) for g in imported.gaps]

    def sequences(self) -> list[int]:
        return sorted(
            r.sequence for r in self.kyiv.sync.received_bundles() if r.device_id == self.worker.device_id
        )

    def narrative_at_kyiv(self) -> str | None:
        held = {t.id: t.narrative for t in self.kyiv.testimonies.list()}
        return held.get(self.first_testimony)


def _stuck_scene(
    desks: ServerDesks, tmp_path: Path, *, evidence: bool, edit: bool, lviv_first: bool = True
) -> Stuck:
    lviv, worker = desks.lviv, desks.first
    desks.registered(worker)
    bundles = desks.org.data / "payloads" / "bundles"
    before = set(bundles.iterdir())
    if evidence:
        record_work(worker, tmp_path, "W, bundle 2", size=3_000)
    add_testimony(worker, "W, bundle 2")
    made = push(worker, backoff=quick_backoff()).made
    assert made is not None
    (stored,) = set(bundles.iterdir()) - before
    if lviv_first:
        assert [r.sequence for r in pull(lviv, proxy=False, backoff=quick_backoff()).received] == [2]
        push(worker, backoff=quick_backoff())  # takes Lviv's acknowledgement of bundle 2
    intact = damage(stored)
    (first,) = [t for t in worker.testimonies.list() if t.narrative == "W, bundle 2"]
    if edit:
        worker.testimonies.edit(first.id, narrative="W, bundle 3: an edit")
    else:
        add_testimony(worker, "W, bundle 3")
    assert push(worker, backoff=quick_backoff()).made is not None
    scene = Stuck(desks, stored, intact, made.bundle_id, first.id, edit, Clock())
    (stuck,) = scene.pull().stuck
    assert (stuck.bundle_id, stuck.sequence, stuck.waiting) == (made.bundle_id, 2, (3,))
    return scene


@pytest.fixture(params=[False, True], ids=["new-work", "edit"])
def without_evidence(
    request: pytest.FixtureRequest,
    server_desks: ServerDesks,  # noqa: F811 (the fixture)
    tmp_path: Path,
) -> Iterator[Stuck]:
    yield _stuck_scene(server_desks, tmp_path, evidence=False, edit=request.param)


def test_a_later_bundle_by_usb_releases_the_waiting_ones_but_the_stuck_one_is_still_asked_for(
    without_evidence: Stuck, tmp_path: Path
) -> None:
    scene = without_evidence
    lviv = scene.desks.lviv
    brought = scene.usb_bundle(tmp_path / "usb")
    assert brought.sequence == 4
    assert scene.import_at_kyiv(brought.path) == [(2, 3)]
    if scene.edited:
        # Bundle 4 carries bundle 3's edit, not the testimony it edits (Lviv
        # acknowledged that): parked, not stored without its parent.
        assert parked_by_signer(scene.kyiv) == {scene.worker.device_id: 1}
    assert scene.kyiv.verify().ok

    released = scene.pull()
    # Before: unstuck [(bundle 2, "covered")], stuck [] - and never asked for again.
    assert released.unstuck == []
    assert [r.sequence for r in released.received] == [3]  # no longer waits behind the hole
    (stuck,) = released.stuck
    assert (stuck.bundle_id, stuck.waiting, stuck.later) == (scene.bundle_2, (), 4)
    assert stuck.held_by == ((lviv.device_id, "Lviv"),)  # the server relays Lviv's acknowledgement
    assert scene.narrative_at_kyiv() is None  # bundle 2's work is not at Kyiv
    assert scene.kyiv.verify().ok

    # The operator repairs the server's copy; at its next try bundle 2 is
    # pulled, and accepted after 3 and 4 (3 chains to it).
    scene.stored.write_bytes(scene.intact)
    scene.clock.ms += STUCK_CAP_MS
    repaired = scene.pull()
    assert [r.sequence for r in repaired.received] == [2]
    assert repaired.unstuck == [(scene.bundle_2, "downloaded")] and repaired.stuck == []
    assert repaired.refused == []
    assert scene.sequences() == [1, 2, 3, 4]
    expected = "W, bundle 3: an edit" if scene.edited else "W, bundle 2"
    assert scene.narrative_at_kyiv() == expected  # bundle 2's testimony, with bundle 3's edit
    assert parked_by_signer(scene.kyiv) == {}
    report = scene.kyiv.verify()
    assert report.ok, report.problems
    assert stuck_bundles(scene.kyiv) == []


@pytest.fixture
def with_evidence(server_desks: ServerDesks, tmp_path: Path) -> Iterator[Stuck]:  # noqa: F811 (the fixture)
    yield _stuck_scene(server_desks, tmp_path, evidence=True, edit=False)


def test_the_worker_s_usb_bundle_is_refused_and_the_desk_that_acknowledged_it_hands_it_over(
    with_evidence: Stuck, tmp_path: Path
) -> None:
    scene = with_evidence
    lviv = scene.desks.lviv
    (stuck,) = stuck_bundles(scene.kyiv)
    assert stuck.held_by == ((lviv.device_id, "Lviv"),)  # asked at the failed try
    assert stuck.to_json()["held_by"] == [{"device_id": lviv.device_id, "label": "Lviv"}]
    # fieldvault sync's line on stderr says so (the real command, a child process).
    folder = Path(scene.kyiv.folder)
    scene.kyiv.lock()
    done = Cli(folder, child_env(tmp_path)).run("sync", secrets=[PASSPHRASE])
    scene.desks.org.coordinator = open_vault(folder)  # (locked by the test's end below)
    assert f"bundle 2 of device {scene.worker.device_id}" in done.stderr
    assert f"desk(s) Lviv ({lviv.device_id}) acknowledged it" in done.stderr
    assert f"fieldvault org hand-over --to-device {scene.kyiv.device_id}" in done.stderr
    assert "bring its work by USB" not in done.stderr

    # The remedy for a desk alone, the worker's bundle by USB, is refused:
    # its custody events follow bundle 2's, which Kyiv never got.
    brought = scene.usb_bundle(tmp_path / "usb")
    with pytest.raises(BundleRejected) as refused:
        scene.import_at_kyiv(brought.path)
    assert refused.value.code == "bundle-custody"

    # What works: a history hand-over from Lviv, which holds bundle 2.
    stick = tmp_path / "stick"
    stick.mkdir()
    made = hand_over(lviv, stick, scene.kyiv.device_id)
    for part in made.parts:
        import_bundle(scene.kyiv, part.path, scene.kyiv.vault_keys.age_identity())
    assert scene.narrative_at_kyiv() == "W, bundle 2"

    taken = scene.pull()  # bundle 2 is recorded here now: closed, and 3 follows
    assert taken.unstuck == [(scene.bundle_2, "received")] and taken.stuck == []
    assert [r.sequence for r in taken.received] == [3] and taken.refused == []
    assert scene.kyiv.verify().ok
    with session(scene.kyiv, proxy=None) as client:  # Kyiv's acknowledgement of bundle 2, as a replay
        acks = client.request("GET", f"/v1/bundles/{scene.bundle_2}/acks").json()["acks"]
    assert len(acks) == 2
    scene.kyiv.lock()


@pytest.fixture
def nobody_took_it(server_desks: ServerDesks, tmp_path: Path) -> Iterator[Stuck]:  # noqa: F811 (the fixture)
    yield _stuck_scene(server_desks, tmp_path, evidence=True, edit=False, lviv_first=False)


def test_no_desk_took_it_the_worker_s_usb_bundle_carries_its_work_and_the_repaired_copy_still_imports(
    nobody_took_it: Stuck, tmp_path: Path
) -> None:
    """The case of a desk alone: nobody acknowledged bundle 2, so the
    worker's bundle 4 carries its work, custody events included. The stuck
    record names no desk, stays after 4 (this desk cannot tell the cases
    apart), and the repaired copy is imported after 3 and 4 without a
    refusal: its events are held already."""
    scene = nobody_took_it
    (stuck,) = stuck_bundles(scene.kyiv)
    assert stuck.held_by == ()
    brought = scene.usb_bundle(tmp_path / "usb")
    assert scene.import_at_kyiv(brought.path) == [(2, 3)]
    assert scene.narrative_at_kyiv() == "W, bundle 2"  # its work came with bundle 4
    released = scene.pull()
    assert [r.sequence for r in released.received] == [3] and released.refused == []
    (stuck,) = released.stuck
    assert (stuck.later, stuck.held_by, stuck.open_because) == (4, (), "other-desks")
    scene.stored.write_bytes(scene.intact)
    scene.clock.ms += STUCK_CAP_MS
    repaired = scene.pull()
    assert [(r.sequence, r.revisions, r.custody_events) for r in repaired.received] == [(2, 0, 0)]
    assert repaired.refused == [] and repaired.unstuck == [(scene.bundle_2, "downloaded")]
    assert scene.sequences() == [1, 2, 3, 4]
    report = scene.kyiv.verify()
    assert report.ok, report.problems
