"""Conflict round trip (issue 14): two devices edit one testimony; the
coordinator resolves the conflict; the resolution reaches every vault and
they converge.

The devices are real vaults of one organisation and every step travels in
real bundle files (tests/sync/merge/conflict_fixtures.py). The resolution
is the core's ordinary save path: saving a record in conflict writes one
revision, signed by the coordinator's device, whose parents are all heads.

The way back is a bundle the coordinator makes for each worker
(sync/bundle/send_back.py; docs/merge.md, "Sending back to the field"):
under the default policy (``held-records``) it holds the revisions of the
records that worker holds which it lacks — the merge revision and the
other worker's edit, its parent — and vouches for the other worker's key,
so that the worker accepts that edit. The coordinators' ordinary bundle,
which vouches for nobody, is still refused by a worker (pinned below).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from db.api import Vault
from sync import org_vault
from sync.bundle.errors import BundleRejected
from sync.bundle.reader import read_bundle
from sync.bundle.send_back import SentBack, send_back
from sync.bundle.vault_io import import_bundle
from tests.sync.merge.conflict_fixtures import (
    FIRST_NARRATIVE,
    SECOND_NARRATIVE,
    ConflictScene,
    build_conflict,
)


@pytest.fixture
def scene(tmp_path: Path) -> Iterator[ConflictScene]:
    built = build_conflict(tmp_path)
    yield built
    built.close()


def _heads(vault: Vault, entity_id: str) -> frozenset[str]:
    return vault.revisions.heads()[entity_id]


def resolve(scene: ConflictScene) -> str:
    """The coordinator keeps the first worker's title and narrative and the
    second's interviewer, as the Conflicts dialog does: one save. Returns
    the merge revision's id."""
    coordinator = scene.coordinator
    heads = {h.revision_id: h for h in coordinator.testimonies.history(scene.testimony_id) if h.is_head}
    by_device = {h.device_id: h.body for h in heads.values()}
    first, second = by_device[scene.first.device_id], by_device[scene.second.device_id]
    current = coordinator.testimonies.get(scene.testimony_id)
    chosen = replace(
        current, title=first["title"], narrative=first["narrative"], interviewer=second["interviewer"]
    )
    merged = coordinator.testimonies.save(chosen)
    assert not merged.conflicted
    (merge,) = [h for h in coordinator.testimonies.history(scene.testimony_id) if h.is_head]
    assert set(merge.parents) == set(heads), "the merge revision's parents are both heads"
    assert merge.device_id == coordinator.device_id
    return merge.revision_id


def test_the_coordinator_resolves_with_one_signed_revision_of_both_heads(scene: ConflictScene) -> None:
    coordinator = scene.coordinator
    (conflict,) = coordinator.revisions.conflicts()
    assert len(conflict.head_revision_ids) == 2
    merge_id = resolve(scene)
    assert coordinator.revisions.conflicts() == []
    assert _heads(coordinator, scene.testimony_id) == {merge_id}
    merged = coordinator.testimonies.get(scene.testimony_id)
    assert (merged.title, merged.narrative, merged.interviewer) == (
        "Statement of W-1 (corrected)",
        FIRST_NARRATIVE,
        "Mariia Koval",
    )
    assert merged.narrative != SECOND_NARRATIVE
    report = coordinator.verify()
    assert report.ok, report.problems


def test_the_merge_revision_travels_to_the_coordinators_own_next_bundle(scene: ConflictScene) -> None:
    """The resolution syncs like any revision: the coordinator's next bundle
    carries it (what a worker does with that bundle is the next test)."""
    merge_id = resolve(scene)
    bundle = scene.send_back()
    carried = read_bundle(
        bundle.path, scene.first.vault_keys.age_identity(), org_id=scene.org.org_id
    ).manifest.revisions
    edited = {h.revision_id for h in scene.coordinator.testimonies.history(scene.testimony_id) if h.parents}
    assert merge_id in carried
    assert edited <= set(carried), "the workers' edits travel with the merge revision"


def _send_back_to(scene: ConflictScene, worker: Vault) -> SentBack:
    sent = send_back(scene.coordinator, scene.org.usb, worker.device_id)
    assert sent is not None, "the resolution is due to each worker"
    return sent


def _import(scene: ConflictScene, worker: Vault, sent: SentBack) -> None:
    import_bundle(worker, sent.path, worker.vault_keys.age_identity(), org_id=scene.org.org_id)


def test_the_resolution_reaches_every_vault_and_they_converge(scene: ConflictScene) -> None:
    merge_id = resolve(scene)
    for worker, other in ((scene.first, scene.second), (scene.second, scene.first)):
        sent = _send_back_to(scene, worker)
        # The merge revision and the other worker's edit; its own edit stays home.
        carried = set(
            read_bundle(
                sent.path, worker.vault_keys.age_identity(), org_id=scene.org.org_id
            ).manifest.revisions
        )
        assert merge_id in carried
        own = {
            h.revision_id
            for h in worker.testimonies.history(scene.testimony_id)
            if h.device_id == worker.device_id
        }
        assert not carried & own
        assert sent.vouched == (other.device_id,)
        _import(scene, worker, sent)
        assert worker.sync.device(other.device_id) is not None
        assert worker.sync.device(other.device_id).vouched_by == scene.coordinator.device_id  # type: ignore[union-attr]
    for vault in (scene.first, scene.second, scene.coordinator):
        assert _heads(vault, scene.testimony_id) == {merge_id}
        assert vault.revisions.conflicts() == []
        report = vault.verify()
        assert report.ok, report.problems
    assert scene.first.testimonies.get(scene.testimony_id) == scene.second.testimonies.get(scene.testimony_id)
    assert scene.first.testimonies.get(scene.testimony_id) == scene.coordinator.testimonies.get(
        scene.testimony_id
    )
    # Nothing more is due: the next send-back to either worker makes no bundle.
    assert send_back(scene.coordinator, scene.org.usb, scene.first.device_id) is None
    assert send_back(scene.coordinator, scene.org.usb, scene.second.device_id) is None


def test_a_later_edit_by_one_worker_reaches_the_other_through_the_coordinator(scene: ConflictScene) -> None:
    """After the round trip, the record is shared: the first worker's next
    edit goes to the coordinator in its bundle and from there to the second
    worker, with no conflict anywhere."""
    resolve(scene)
    for worker in (scene.first, scene.second):
        _import(scene, worker, _send_back_to(scene, worker))
    scene.first.testimonies.edit(scene.testimony_id, title="Statement of W-1 (final)")
    scene.org.import_(scene.org.export(scene.first).path)
    _import(scene, scene.second, _send_back_to(scene, scene.second))
    assert scene.second.testimonies.get(scene.testimony_id).title == "Statement of W-1 (final)"
    assert _heads(scene.second, scene.testimony_id) == _heads(scene.first, scene.testimony_id)
    assert scene.second.verify().ok


def test_the_coordinators_own_bundle_is_still_refused_by_a_worker(scene: ConflictScene) -> None:
    """The coordinators' ordinary bundle (encrypted to both workers, what
    ``bundle export`` makes) vouches for nobody: a worker refuses it, naming
    the other worker's revision, and nothing is applied. The way back is the
    bundle made for each worker."""
    resolve(scene)
    bundle = scene.send_back()
    for worker, other in ((scene.first, scene.second), (scene.second, scene.first)):
        before = worker.revisions.heads()
        with pytest.raises(BundleRejected) as refused:
            scene.receive(worker, bundle)
        other_edit = {h.revision_id for h in other.testimonies.history(scene.testimony_id)} - {
            h.revision_id for h in worker.testimonies.history(scene.testimony_id)
        }
        assert refused.value.subject in other_edit
        assert worker.revisions.heads() == before


def test_the_merge_revision_alone_converges_heads_but_leaves_a_missing_parent(scene: ConflictScene) -> None:
    """Why sending a worker only the coordinator's own revisions is no fix
    (docs/merge.md, Conflicts): a worker accepts the merge revision (its
    signer is a coordinator), its heads become the coordinator's, but the
    other worker's edit, a parent of the merge, is not in its vault and
    verify says so."""
    merge_id = resolve(scene)
    (merge,) = [rev for rev in scene.coordinator.revisions.all() if rev.revision_id == merge_id]
    for worker in (scene.first, scene.second):
        with worker.sync.begin_import() as unit:
            assert unit.add_revisions([merge.to_wire()]) == 1
        assert _heads(worker, scene.testimony_id) == {merge_id}
        report = worker.verify()
        assert not report.ok
        assert [p.subject for p in report.problems] == [merge_id]
        assert "not in the vault" in report.problems[0].detail


def test_a_vouched_device_made_a_coordinator_is_known_from_the_profile(scene: ConflictScene) -> None:
    """A device a worker knows only on a coordinator's word sends it nothing
    itself; once the profile names it a coordinator, it does (its
    ``vouched_by`` is cleared)."""
    resolve(scene)
    _import(scene, scene.first, _send_back_to(scene, scene.first))
    vouched = scene.first.sync.device(scene.second.device_id)
    assert vouched is not None and vouched.vouched_by == scene.coordinator.device_id
    org_vault.add_coordinator(scene.coordinator, org_vault.own_device_card(scene.second).text)
    org_vault.update_profile(scene.first, org_vault.current_signed(scene.coordinator).signed)
    known = scene.first.sync.device(scene.second.device_id)
    assert known is not None and (known.role, known.status, known.vouched_by) == (
        "coordinator",
        "enrolled",
        None,
    )
