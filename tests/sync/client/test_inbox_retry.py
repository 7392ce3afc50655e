"""A send-back bundle the worker's vault refuses is not lost (docs/sync.md
§2.1): the cursor moves on, the refusal is kept with its reason and the
bundle is tried again at a later sync with growing waits; once the cause is
gone it is imported and acknowledged. One that keeps failing is set aside
for good after MAX_ATTEMPTS refusals (or at once when the same bytes can
never pass), its spool copy removed, and never tried again. A real server
on loopback, a coordinator's vault and two field workers'.

The refusal is made real in the worker's own vault: it holds the first
worker's device as revoked, so the relayed revisions are ``signer``
refusals; making the device enrolled again stands for whatever a vault
learns later (a device, an app update)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from db.api import SYNC_SPOOL_DIR, Case, Device, SyncClientState, Vault
from db.api import Testimony as TestimonyRecord
from sync import org_vault
from sync.client.inbox import (
    FINAL_KINDS,
    INBOX_RETRY,
    MAX_ATTEMPTS,
    RETRY_FIRST_MS,
    inbox_refusals,
    receive_inbox,
    send_back_over_server,
)
from sync.client.pull import PullResult, pull
from sync.client.push import push
from tests.sync.client.sync_helpers import Org, SavedOrg, quick_backoff, saved, saved_organisation


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
    clock: Clock

    def take(self) -> PullResult:
        return receive_inbox(self.second, backoff=quick_backoff(), now_ms=self.clock)


@pytest.fixture(scope="module")
def saved_scene(tmp_path_factory: pytest.TempPathFactory) -> tuple[SavedOrg, str]:
    """The coordinator's send-back carries the first worker's testimony to
    the second, whose vault holds the first worker's device as revoked.
    Built once for the module; each test gets its own copy (``scene``)."""
    with saved_organisation(tmp_path_factory.mktemp("inbox-retry-world")) as org:
        org_vault.set_policy(org.coordinator, send_to_workers="all")
        first, second = org.worker("first"), org.worker("second")
        case = first.cases.create(Case(title="Case of the basement"))
        testimony = first.testimonies.create(
            TestimonyRecord(case_id=case.id, title="Statement", narrative="Witness W-1")
        )
        second.cases.create(Case(title="Second's own case"))
        for worker in (first, second):
            push(worker, backoff=quick_backoff())
        pull(org.coordinator, backoff=quick_backoff())
        relayed = send_back_over_server(org.coordinator, backoff=quick_backoff())
        assert second.device_id in {device for device, _ in relayed.sent}
        known = org.coordinator.sync.device(first.device_id)
        assert known is not None
        second.sync.put_device(
            Device(first.device_id, known.public_key, known.age_recipient, status="revoked")
        )
    return saved(org), testimony.id


@pytest.fixture
def scene(saved_scene: tuple[SavedOrg, str], tmp_path: Path) -> Iterator[Scene]:
    """This test's own copy of the saved world: vaults and server data."""
    world, testimony_id = saved_scene
    with world.copy(tmp_path) as org:
        first, second = org.workers
        yield Scene(org, first, second, testimony_id, Clock())


def _spool_bundles(vault: Vault) -> list[str]:
    return sorted(p.name for p in (vault.folder / SYNC_SPOOL_DIR).glob("*.fvbundle"))


def test_a_refused_bundle_is_tried_again_after_its_wait_and_then_imported(scene: Scene) -> None:
    taken = scene.take()
    assert taken.received == [] and [code for _, code in taken.refused] == ["bundle-signer"]
    (refusal,) = taken.inbox_refusals
    assert (refusal.attempts, refusal.set_aside) == (1, False)
    assert refusal.next_ms == scene.clock.ms + RETRY_FIRST_MS
    assert inbox_refusals(scene.second) == [refusal]
    assert len(_spool_bundles(scene.second)) == 1  # kept for the next try

    # Not due yet: the next sync does not try it.
    scene.clock.ms += RETRY_FIRST_MS - 1
    assert scene.take().refused == [] and inbox_refusals(scene.second) == [refusal]

    # The cause goes away; once the wait is over it is tried again and imported.
    scene.second.sync.set_device_status(scene.first.device_id, "enrolled")
    scene.clock.ms += 1
    again = scene.take()
    assert [r.device_id for r in again.received] == [scene.org.coordinator.device_id]
    assert again.refused == [] and inbox_refusals(scene.second) == []
    assert scene.second.testimonies.get(scene.testimony_id).narrative == "Witness W-1"
    assert _spool_bundles(scene.second) == []


def test_a_bundle_that_keeps_failing_is_set_aside_and_not_tried_forever(scene: Scene) -> None:
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        taken = scene.take()
        (refusal,) = taken.inbox_refusals
        assert refusal.attempts == attempt
        if refusal.next_ms is not None:
            waits.append(refusal.next_ms - scene.clock.ms)
            scene.clock.ms = refusal.next_ms
    assert waits == [RETRY_FIRST_MS * 2**n for n in range(MAX_ATTEMPTS - 1)]  # doubling
    assert refusal.set_aside and inbox_refusals(scene.second)[0].set_aside
    assert _spool_bundles(scene.second) == []  # its copy removed; the server keeps it

    # Set aside: a week of syncs later it is still not tried, and still on record.
    scene.second.sync.set_device_status(scene.first.device_id, "enrolled")
    scene.clock.ms += 7 * 24 * 3600 * 1000
    later = scene.take()
    assert later.refused == [] and later.received == []
    assert [(r.attempts, r.set_aside) for r in inbox_refusals(scene.second)] == [(MAX_ATTEMPTS, True)]


def test_what_the_same_bytes_can_never_pass_is_set_aside_at_once() -> None:
    assert {"payload-hash", "not-a-recipient", "archive-form", "manifest-signature"} <= FINAL_KINDS
    assert not {"signer", "revision", "custody", "blob"} & FINAL_KINDS


def _point_retry_at(vault: Vault, **changed: object) -> str:
    """Change the stored retry record of the one refused bundle (the
    server's answer for it is then not what it was)."""
    state = SyncClientState.of(vault)
    records = json.loads(state.value(INBOX_RETRY) or "{}")
    (record,) = records.values()
    record["change"].update(changed)
    new_id = str(record["change"]["bundle_id"])
    records = {new_id: record}
    state.set_value(INBOX_RETRY, json.dumps(records, sort_keys=True))
    return new_id


def test_a_retried_bundle_the_server_no_longer_gives_is_set_aside_and_new_ones_still_come(
    scene: Scene,
) -> None:
    """Review 7 #1: a 404 for a retried bundle failed every later sync
    (sync-refused) before any new inbox page was read."""
    scene.take()
    gone = _point_retry_at(scene.second, bundle_id="ab" * 32)  # an id the server does not know
    # Something new for the second worker: the coordinator's own case, sent back.
    scene.org.coordinator.cases.create(Case(title="Coordinator's note"))
    relayed = send_back_over_server(scene.org.coordinator, backoff=quick_backoff())
    assert scene.second.device_id in {device for device, _ in relayed.sent}

    scene.clock.ms += RETRY_FIRST_MS
    taken = scene.take()  # raised SyncFailed('sync-refused') before the fix
    assert [r.device_id for r in taken.received] == [scene.org.coordinator.device_id]
    (refusal,) = inbox_refusals(scene.second)
    assert (refusal.bundle_id, refusal.set_aside) == (gone, True)
    scene.clock.ms += 7 * 24 * 3600 * 1000
    assert scene.take().refused == []  # and the sync after it runs too


def test_a_retried_bundle_whose_receipt_does_not_match_counts_as_its_refusal(scene: Scene) -> None:
    scene.take()
    bundle_id = _point_retry_at(scene.second, file_sha256="00" * 32)
    scene.clock.ms += RETRY_FIRST_MS
    taken = scene.take()  # raised SyncFailed('sync-receipt-invalid') before the fix
    (refusal,) = taken.inbox_refusals
    assert (refusal.bundle_id, refusal.code, refusal.attempts) == (bundle_id, "sync-receipt-invalid", 2)
    assert not refusal.set_aside  # tried again later, set aside after MAX_ATTEMPTS


def test_a_new_bundle_whose_stored_copy_is_damaged_is_its_refusal_and_later_ones_still_come(
    scene: Scene,
) -> None:
    """The server's copy of the waiting send-back is damaged (a flipped byte
    in its committed file): the download does not match the bytes the
    server signed for. Before, that stopped the whole inbox run at the new
    entry, before the cursor moved, so every later run (and a coordinator's
    whole round, which reads its inbox first) failed at it for good. Now it
    is that bundle's refusal, tried again later, and the bundle behind it
    is received in the same run."""
    committed = sorted((scene.org.data / "payloads" / "bundles").iterdir())
    for path in committed:  # the send-back waiting for the second worker among them
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x01
        path.write_bytes(bytes(data))
    scene.org.coordinator.cases.create(Case(title="Coordinator's note"))
    relayed = send_back_over_server(scene.org.coordinator, backoff=quick_backoff())
    assert scene.second.device_id in {device for device, _ in relayed.sent}

    taken = scene.take()  # raised SyncFailed('sync-download-mismatch') before the fix
    assert [r.device_id for r in taken.received] == [scene.org.coordinator.device_id]
    (refusal,) = taken.inbox_refusals
    assert (refusal.code, refusal.attempts, refusal.set_aside) == ("sync-download-mismatch", 1, False)
