"""A send-back its field worker did not take is sent again (docs/sync.md
§2.1, review6 F7): the coordinator watches each delivered send-back and
asks the server (``GET /v1/sent-back``) whether the worker took it from its
inbox; one not taken RESEND_AFTER_MS after delivery — refused and set aside
by the worker, withheld by the server, or the worker has not synced — is
made again as a fresh bundle with the same changes, at most MAX_RESENDS
times, and reported in ``fieldvault sync --json`` (``send_back_untaken``).

A real server on loopback, a coordinator's vault and two field workers'.
The refusal is made real in the second worker's own vault: it holds the
first worker's device as revoked, so the relayed revisions are ``signer``
refusals; making the device enrolled again stands for whatever a vault
learns later."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from db.api import Case, Device, NotFound, SyncClientState, Vault
from db.api import Testimony as TestimonyRecord
from sync import org_vault
from sync.client.inbox import (
    BY_HAND,
    MAX_ATTEMPTS,
    MAX_RESENDS,
    RESEND_AFTER_MS,
    RESENT,
    SENT_BACK_WATCH,
    WAITING,
    RelayResult,
    inbox_refusals,
    receive_inbox,
    send_back_over_server,
    untaken_send_backs,
)
from sync.client.pull import pull
from sync.client.push import push
from sync.client.transport import ServerSaid
from tests.cli_helpers import Cli
from tests.sync.client.sync_helpers import Org, SavedOrg, quick_backoff, saved, saved_organisation
from tests.sync.client.test_sync_cli import _env
from tests.vault_helpers import PASSPHRASE

PHOTO = b"first worker's photo " * 500


class Clock:
    def __init__(self) -> None:
        self.ms = 1_800_000_000_000

    def __call__(self) -> int:
        return self.ms


@dataclass
class Scene:
    org: Org
    first: Vault
    second: Vault
    testimony_id: str
    clock: Clock  # the coordinator's and the workers' wall clock
    first_bundle: str
    second_bundle: str

    def send_back(self) -> RelayResult:
        return send_back_over_server(self.org.coordinator, backoff=quick_backoff(), now_ms=self.clock)


@dataclass(frozen=True)
class SavedScene:
    world: SavedOrg
    testimony_id: str
    first_bundle: str
    second_bundle: str


@pytest.fixture(scope="module")
def saved_scene(tmp_path_factory: pytest.TempPathFactory) -> SavedScene:
    """The coordinator's send-back carries the first worker's testimony to
    the second, whose vault holds the first worker's device as revoked.
    Built once for the module; each test gets its own copy (``scene``)."""
    folder = tmp_path_factory.mktemp("send-back-resend-world")
    with saved_organisation(folder) as org:
        org_vault.set_policy(org.coordinator, send_to_workers="all")
        first, second = org.worker("first"), org.worker("second")
        case = first.cases.create(Case(title="Case of the basement"))
        testimony = first.testimonies.create(
            TestimonyRecord(case_id=case.id, title="Statement", narrative="Witness W-1")
        )
        photo = folder / "photo.bin"
        photo.write_bytes(PHOTO)
        first.evidence.ingest(photo, case.id)
        second.cases.create(Case(title="Second's own case"))
        for worker in (first, second):
            push(worker, backoff=quick_backoff())
        pull(org.coordinator, backoff=quick_backoff())
        relayed = send_back_over_server(org.coordinator, backoff=quick_backoff(), now_ms=Clock())
        sent = {device: bundle for device, bundle in relayed.sent}
        known = org.coordinator.sync.device(first.device_id)
        assert known is not None
        second.sync.put_device(
            Device(first.device_id, known.public_key, known.age_recipient, status="revoked")
        )
    return SavedScene(saved(org), testimony.id, sent[first.device_id], sent[second.device_id])


@pytest.fixture
def scene(saved_scene: SavedScene, tmp_path: Path) -> Iterator[Scene]:
    """This test's own copy of the saved world; the clock starts where the
    build's did (it did not move during the build)."""
    with saved_scene.world.copy(tmp_path) as org:
        first, second = org.workers
        yield Scene(
            org,
            first,
            second,
            saved_scene.testimony_id,
            Clock(),
            saved_scene.first_bundle,
            saved_scene.second_bundle,
        )


def _refuse_until_set_aside(scene: Scene) -> None:
    for _ in range(MAX_ATTEMPTS):
        taken = receive_inbox(scene.second, backoff=quick_backoff(), now_ms=scene.clock)
        (refusal,) = taken.inbox_refusals
        if refusal.next_ms is not None:
            scene.clock.ms = refusal.next_ms
    assert inbox_refusals(scene.second)[0].set_aside


def _own_case(vault: Vault) -> str:
    (case,) = [c.id for c in vault.cases.list() if c.title == "Second's own case"]
    return case


def _narrative(vault: Vault, testimony_id: str) -> str | None:
    try:
        return vault.testimonies.get(testimony_id).narrative
    except NotFound:
        return None


def test_a_send_back_the_worker_set_aside_is_resent_and_then_taken(scene: Scene) -> None:
    receive_inbox(scene.first, backoff=quick_backoff(), now_ms=scene.clock)  # the first takes its own
    _refuse_until_set_aside(scene)
    scene.second.sync.set_device_status(scene.first.device_id, "enrolled")  # the cause is gone
    assert receive_inbox(scene.second, backoff=quick_backoff(), now_ms=scene.clock).received == []
    assert _narrative(scene.second, scene.testimony_id) is None  # set aside: never tried again

    # Before RESEND_AFTER_MS: reported as waiting, nothing made.
    early = scene.send_back()
    assert early.made == [] and early.taken == [(scene.first.device_id, scene.first_bundle)]
    assert [(u.bundle_id, u.action) for u in early.untaken] == [(scene.second_bundle, WAITING)]

    # Once its time has come: a fresh bundle with the same changes, delivered.
    scene.clock.ms += RESEND_AFTER_MS
    late = scene.send_back()
    assert [(u.bundle_id, u.action) for u in late.untaken] == [(scene.second_bundle, RESENT)]
    (made,) = late.made
    assert made[0] == scene.second.device_id and made[1] != scene.second_bundle
    assert late.sent == [made]  # the taken one (the first worker's) is never resent
    assert untaken_send_backs(scene.org.coordinator) == [made]  # the new one is watched instead

    taken = receive_inbox(scene.second, backoff=quick_backoff(), now_ms=scene.clock)
    assert [r.bundle_id for r in taken.received] == [made[1]]
    assert _narrative(scene.second, scene.testimony_id) == "Witness W-1"
    # The evidence bytes the set-aside bundle carried came again with it.
    (item,) = [e for e in scene.second.evidence.list() if e.case_id != _own_case(scene.second)]
    with scene.second.evidence.open(item.id) as reader:
        assert reader.read() == PHOTO

    # The server now says it was taken: forgotten, nothing more is sent.
    scene.clock.ms += RESEND_AFTER_MS
    after = scene.send_back()
    assert after.taken == [made] and after.untaken == [] and after.made == []
    assert untaken_send_backs(scene.org.coordinator) == []


def test_a_worker_that_never_takes_it_gets_at_most_max_resends_then_a_person_is_asked(scene: Scene) -> None:
    made = []
    for _ in range(MAX_RESENDS):
        scene.clock.ms += RESEND_AFTER_MS
        result = scene.send_back()
        made += [bundle for device, bundle in result.made if device == scene.second.device_id]
    assert len(made) == MAX_RESENDS
    scene.clock.ms += RESEND_AFTER_MS
    last = scene.send_back()
    assert last.made == []
    second = [u for u in last.untaken if u.device_id == scene.second.device_id]
    assert [(u.bundle_id, u.resends, u.action) for u in second] == [(made[-1], MAX_RESENDS, BY_HAND)]
    with scene.org.server.client() as client:  # the worker's inbox: the first bundle and each resend
        client.login(scene.second.sync.signing_key(), scene.second.device_id)
        inbox = client.request("GET", "/v1/inbox").json()["bundles"]
    assert len(inbox) == 1 + MAX_RESENDS and not any(b["taken"] for b in inbox)


def test_a_coordinator_learns_only_of_its_own_send_backs(scene: Scene) -> None:
    ids = [scene.first_bundle, scene.second_bundle]
    with scene.org.server.client() as client:
        client.login(scene.org.coordinator.sync.signing_key(), scene.org.coordinator.device_id)
        answer = client.request("GET", "/v1/sent-back", params={"ids": ids}).json()
        assert sorted(b["addressee"] for b in answer["bundles"]) == sorted(
            [scene.first.device_id, scene.second.device_id]
        )
        # A worker's own bundle (not a send-back) is not listed.
        changes = client.changes(0)["changes"]
        workers_bundle = changes[0]["bundle_id"]
        assert (
            client.request("GET", "/v1/sent-back", params={"ids": [workers_bundle]}).json()["bundles"] == []
        )
    with scene.org.server.client() as client:  # a field worker may not ask
        client.login(scene.second.sync.signing_key(), scene.second.device_id)
        with pytest.raises(ServerSaid) as refused:
            client.request("GET", "/v1/sent-back", params={"ids": ids})
        assert refused.value.code == "coordinator-only"


def test_fieldvault_sync_json_reports_the_untaken_send_back(scene: Scene, tmp_path: Path) -> None:
    coordinator = scene.org.coordinator
    # Delivered "long ago" by the wall clock the command reads.
    state = SyncClientState.of(coordinator)
    watch = json.loads(state.value(SENT_BACK_WATCH) or "{}")
    for item in watch.values():
        item["sent_ms"] = time.time_ns() // 1_000_000 - RESEND_AFTER_MS - 1
    state.set_value(SENT_BACK_WATCH, json.dumps(watch))
    coordinator.lock()  # the command opens the vault itself
    cli = Cli(coordinator.folder, _env(tmp_path))
    run = cli.run("--json", "sync", secrets=[PASSPHRASE])
    data = json.loads(run.stdout)
    untaken = {u["bundle_id"]: u for u in data["send_back_untaken"]}
    assert {b: u["action"] for b, u in untaken.items()} == {
        scene.first_bundle: RESENT,
        scene.second_bundle: RESENT,
    }
    assert sorted(d for d, _ in [(s["device_id"], s["bundle_id"]) for s in data["sent_back"]]) == sorted(
        [scene.first.device_id, scene.second.device_id]
    )
    assert (
        f"bundle {scene.second_bundle} for field worker {scene.second.device_id} was not taken" in run.stderr
    )
    assert "sent again" in run.stderr
