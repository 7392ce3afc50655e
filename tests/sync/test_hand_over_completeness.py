"""A history hand-over checked against the workers' own signed manifests
(issue 14, review 17 D2; docs/bundle-format.md §10 "Completeness against the
workers' signatures", docs/threat-model.md §2.8).

Before, a compromised maker could leave a worker's testimony out of its
hand-over (and out of ``decisions``): the new desk recorded the worker's
bundle as received and held no trace of the testimony. Now every desk keeps
the worker-signed manifest of each field device's bundle, the hand-over
carries it with the bundle's ``received`` entry, and the new desk lists
each revision a verified manifest names that did not come and nothing
explains, naming the maker; a manifest that does not verify is listed as
such and never trusted.

The scene (real vaults, real signed bundles by USB): Kyiv, the key desk,
takes field worker W's first bundle, then a second carrying a testimony;
then Kyiv adds the Rivne desk and hands its history over. The compromised
maker is Kyiv's real writer with one revision filtered out of its walk
(a test-only hook on ``_Split.carried``), signed with Kyiv's real key."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

import db.api as vault_api
from db.api import (
    Vault,
    kept_manifests,
    unaccounted_list,
)
from db.model import WorkerManifest
from db.worker_manifests import keep_worker_manifest
from sync import org_vault
from sync.bundle import hand_over as hand_over_module
from sync.bundle import hand_over_decisions, hand_over_manifests
from sync.bundle.errors import BundleRejected
from sync.bundle.format import MakerDecision, ReceivedEntry, canonical, parse_manifest
from sync.bundle.hand_over import hand_over
from sync.bundle.hand_over_decisions import MakersKeptOut
from sync.bundle.vault_io import ImportedBundle
from sync.merge.devices import devices_view
from sync.org import Profile
from tests.cli_helpers import Cli, child_env
from tests.db.sync_fixtures import FieldWork
from tests.sync.desk_world import add_desk, assert_verified, import_by_usb
from tests.sync.trust_fixtures import Organisation, make_organisation
from tests.sync.usb_world import SavedUsbOrg, built_once, save
from tests.vault_helpers import PASSPHRASE


@dataclass
class Scene:
    org: Organisation
    worker: FieldWork
    rivne: Vault
    testimony_revision: str  # W's testimony, in its second bundle
    bundles: tuple[str, str]  # W's two bundle ids

    @property
    def kyiv(self) -> Vault:
        return self.org.coordinator

    def stick(self, name: str) -> Path:
        folder = self.org.tmp_path / name
        folder.mkdir(exist_ok=True)
        return folder

    def to_rivne(self, path: Path) -> ImportedBundle:
        return import_by_usb(self.rivne, path, self.org.org_id)


def _build(folder: Path) -> tuple[SavedUsbOrg, tuple[str, tuple[str, str]]]:
    org = make_organisation(folder)
    worker = org.worker("field", token=org.token())
    first = org.import_(org.export(worker.vault).path)  # Kyiv enrols W by its first bundle
    testimony = worker.vault.testimonies.create(
        vault_api.Testimony(
            case_id=worker.case_id, title="Statement of witness W-3", language="uk", narrative="..."
        )
    )
    [revision] = [r.revision_id for r in worker.vault.revisions.all() if r.entity_id == testimony.id]
    second = org.import_(org.export(worker.vault).path)
    assert second.revisions == 1 and not second.replay
    rivne = add_desk(org.coordinator, folder / "rivne", label="Rivne")
    org_vault.update_profile(rivne, org_vault.current_signed(org.coordinator).signed)
    return save(org, {"rivne": rivne}), (revision, (first.bundle_id, second.bundle_id))


@pytest.fixture
def scene(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    """The scene, built once per test process (usb_world): this test's own copy."""
    saved, (revision, bundles) = built_once("hand-over-completeness", tmp_path_factory, _build)
    with saved.copy(tmp_path) as (org, desks):
        [worker] = org.workers
        yield Scene(org, worker, desks["rivne"], revision, bundles)


def _stored(vault: Vault) -> set[str]:
    return {r.revision_id for r in vault.revisions.all()}


def _dropping(monkeypatch: pytest.MonkeyPatch, revision_id: str) -> None:
    """The maker's real writer, walking its history without ``revision_id``."""
    carried = hand_over_module._Split.carried

    def without(self: hand_over_module._Split, after: int, end: int | None) -> Iterator[object]:
        return (rev for rev in carried(self, after, end) if rev.revision_id != revision_id)

    monkeypatch.setattr(hand_over_module._Split, "carried", without)


def _editing_carried(monkeypatch: pytest.MonkeyPatch, edit: Callable[[ReceivedEntry], ReceivedEntry]) -> None:
    """The maker's writer with each carried worker manifest passed through ``edit``."""
    real = hand_over_manifests.with_worker_manifests

    def edited(
        vault: Vault, profile: Profile, entries: Sequence[ReceivedEntry], budget: int
    ) -> hand_over_manifests.CarriedManifests:
        carried = real(vault, profile, entries, budget)
        entries = [edit(e) if e.worker_manifest is not None else e for e in carried.entries]
        return replace(carried, entries=entries)

    monkeypatch.setattr(hand_over_module, "with_worker_manifests", edited)


def test_every_desk_keeps_the_workers_signed_manifests_and_not_its_own(scene: Scene) -> None:
    kept = kept_manifests(scene.kyiv, set(scene.bundles))
    assert set(kept) == set(scene.bundles)
    data, _signature = kept[scene.bundles[1]]
    assert scene.testimony_revision in parse_manifest(data).revisions
    # A desk's own bundle is the desk's word, not a worker's: none kept.
    own = scene.org.export(scene.kyiv).path
    taken = import_by_usb(scene.rivne, own, scene.org.org_id)
    assert kept_manifests(scene.rivne, {taken.bundle_id}) == {}


def test_an_honest_hand_over_lists_nothing(scene: Scene) -> None:
    made = hand_over(scene.kyiv, scene.stick("stick"), scene.rivne.device_id)
    assert made.worker_manifests == 2 and made.manifests_not_carried == 0
    scene.to_rivne(made.path)
    assert scene.testimony_revision in _stored(scene.rivne)
    assert unaccounted_list(scene.rivne) == ([], 0)
    # Rivne keeps the verified manifests too, naming the desk that carried them,
    # so that its own hand-overs carry them on.
    assert set(kept_manifests(scene.rivne, set(scene.bundles))) == set(scene.bundles)
    with scene.rivne.services.context.sessions() as session:
        sources = {row.source for row in session.query(WorkerManifest)}
    assert sources == {scene.kyiv.device_id}
    assert_verified(scene.rivne)


def test_a_dropped_testimony_is_listed_naming_the_maker(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    _dropping(monkeypatch, scene.testimony_revision)
    made = hand_over(scene.kyiv, scene.stick("stick"), scene.rivne.device_id)
    taken = scene.to_rivne(made.path)
    assert not taken.replay  # taken, never refused on it
    assert scene.testimony_revision not in _stored(scene.rivne)  # nothing stored on the manifest's word
    rows, total = unaccounted_list(scene.rivne)
    assert total == 1
    [row] = rows
    assert (row.problem, row.revision_id, row.device_id, row.maker) == (
        "missing",
        scene.testimony_revision,
        scene.worker.vault.device_id,
        scene.kyiv.device_id,
    )
    assert (row.bundle_id, row.sequence, row.hand_over_id) == (scene.bundles[1], 2, made.bundle_id)
    assert_verified(scene.rivne)


def test_a_tampered_manifest_is_listed_unverifiable_and_not_trusted(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The maker drops the testimony and also edits the worker's manifest
    to hide it (the id taken out of its list, the worker's signature kept):
    the manifest does not verify, is listed as such, and its list is not
    trusted (the testimony is not listed as missing on its word)."""
    _dropping(monkeypatch, scene.testimony_revision)

    def hide(entry: ReceivedEntry) -> ReceivedEntry:
        assert entry.worker_manifest is not None
        data, signature = entry.worker_manifest
        value = json.loads(data)
        value["revisions"] = [r for r in value["revisions"] if r != scene.testimony_revision]
        return replace(entry, worker_manifest=(canonical(value), signature))

    _editing_carried(monkeypatch, hide)
    made = hand_over(scene.kyiv, scene.stick("stick"), scene.rivne.device_id)
    scene.to_rivne(made.path)
    rows, total = unaccounted_list(scene.rivne)
    # Bundle 1's manifest, unchanged, verifies; bundle 2's does not.
    assert [(r.problem, r.revision_id, r.bundle_id, r.maker) for r in rows] == [
        ("unverifiable", None, scene.bundles[1], scene.kyiv.device_id)
    ]
    assert total == 1
    # Not kept at Rivne: never carried on as if the worker had signed it.
    assert set(kept_manifests(scene.rivne, set(scene.bundles))) == {scene.bundles[0]}


def test_another_bundles_manifest_under_an_entry_does_not_bind(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker's own signature, but on its bundle 1's manifest, put under
    bundle 2's entry (which would hide the testimony): it names another
    number, so it is unverifiable there."""
    kept = kept_manifests(scene.kyiv, set(scene.bundles))
    _dropping(monkeypatch, scene.testimony_revision)
    _editing_carried(
        monkeypatch,
        lambda e: replace(e, worker_manifest=kept[scene.bundles[0]]) if e.sequence == 2 else e,
    )
    made = hand_over(scene.kyiv, scene.stick("stick"), scene.rivne.device_id)
    scene.to_rivne(made.path)
    rows, _total = unaccounted_list(scene.rivne)
    assert [(r.problem, r.bundle_id) for r in rows] == [("unverifiable", scene.bundles[1])]


def test_a_revision_the_makers_decisions_name_is_not_listed(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The maker leaves the testimony out and says so in ``decisions`` (set
    aside): its word explains it, shown as such, and it is not listed as
    missing."""
    _dropping(monkeypatch, scene.testimony_revision)
    real = hand_over_decisions.makers_kept_out

    def with_decision(vault: Vault, profile: Profile, revoked: frozenset[str]) -> MakersKeptOut:
        kept = real(vault, profile, revoked)
        kept.decisions = (
            MakerDecision(
                scene.testimony_revision, scene.worker.vault.device_id, "set-aside", 1_764_470_000_000
            ),
        )
        return kept

    monkeypatch.setattr(hand_over_module, "makers_kept_out", with_decision)
    made = hand_over(scene.kyiv, scene.stick("stick"), scene.rivne.device_id)
    scene.to_rivne(made.path)
    assert unaccounted_list(scene.rivne) == ([], 0)


def test_split_hand_over_past_the_manifest_budget(scene: Scene, monkeypatch: pytest.MonkeyPatch) -> None:
    """A hand-over in several parts, with room for one worker manifest only
    (the budget lowered): the drop is still found from the one carried
    (the newest: bundle 2), and the other bundle goes without one,
    counted; every part is taken."""
    monkeypatch.setattr(hand_over_module, "MAX_PART_LINES", 3)
    size = sum(len(d) + len(s) for d, s in kept_manifests(scene.kyiv, {scene.bundles[1]}).values())
    monkeypatch.setattr(hand_over_manifests, "MAX_CARRIED_MANIFEST_BYTES", size + 64)
    _dropping(monkeypatch, scene.testimony_revision)
    made = hand_over(scene.kyiv, scene.stick("stick"), scene.rivne.device_id)
    assert len(made.parts) >= 2
    assert (made.worker_manifests, made.manifests_not_carried) == (1, 1)
    for part in made.parts:
        scene.to_rivne(part.path)
    rows, _total = unaccounted_list(scene.rivne)
    # Bundle 1's entry came without its manifest: listed unchecked, not missing.
    assert sorted((r.problem, r.revision_id, r.bundle_id) for r in rows) == sorted(
        [("missing", scene.testimony_revision, scene.bundles[1]), ("unchecked", None, scene.bundles[0])]
    )
    assert_verified(scene.rivne)


def test_the_budget_leaves_room_for_the_rest_of_the_last_part() -> None:
    full = hand_over_manifests.last_part_budget(lines=0, decisions=0, entries=0, others=0)
    assert full == hand_over_manifests.MAX_CARRIED_MANIFEST_BYTES
    # A last part near its limits leaves less, never a negative budget.
    assert hand_over_manifests.last_part_budget(lines=600_000, decisions=100_000, entries=0, others=0) < full
    assert hand_over_manifests.last_part_budget(lines=900_000, decisions=100_000, entries=10, others=0) == 0


def _entry_json(manifest: object) -> bytes:
    entry = {
        "device_id": "a" * 32,
        "sequence": 1,
        "bundle_id": "b" * 64,
        "previous": None,
        "custody_head": None,
        "addressed": None,
        "manifest": manifest,
    }
    return canonical(
        {
            "format": "fieldvault-bundle-manifest",
            "version": 1,
            "bundle": {"org_id": "o", "device_id": "c" * 32, "sequence": 2, "previous": None},
            "revisions": [],
            "custody": [],
            "blobs": [],
            "received": [entry],
        }
    )


def test_the_entry_member_form() -> None:
    good = {"signed": base64.b64encode(b"{}").decode(), "signature": base64.b64encode(b"s" * 64).decode()}
    [entry] = parse_manifest(_entry_json(good)).received
    assert entry.worker_manifest == (b"{}", b"s" * 64)
    assert json.loads(canonical(entry.to_json()))["manifest"] == good
    for bad in (
        {"signed": "", "signature": good["signature"]},  # no bytes
        {"signed": good["signed"], "signature": base64.b64encode(b"s" * 63).decode()},
        {"signed": good["signed"]},
        {**good, "more": 1},
        {"signed": 5, "signature": good["signature"]},
        "text",
    ):
        with pytest.raises(BundleRejected) as refused:
            parse_manifest(_entry_json(bad))
        assert refused.value.kind == "archive-form"


def test_devices_parked_lists_it_plain_and_json(
    scene: Scene, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _dropping(monkeypatch, scene.testimony_revision)
    made = hand_over(scene.kyiv, scene.stick("stick"), scene.rivne.device_id)
    scene.to_rivne(made.path)
    scene.rivne.lock()
    cli = Cli(scene.rivne.folder, child_env(tmp_path))
    listed = cli.run("--json", "devices", "parked", secrets=[PASSPHRASE]).stdout
    rows = [json.loads(line) for line in listed.splitlines() if line.strip()]
    [row] = [r for r in rows if "problem" in r]
    assert row == {
        "problem": "missing",
        "revision_id": scene.testimony_revision,
        "device_id": scene.worker.vault.device_id,
        "bundle_id": scene.bundles[1],
        "sequence": 2,
        "maker": scene.kyiv.device_id,
        "hand_over_id": made.bundle_id,
        "recorded_ms": row["recorded_ms"],
        "sha256": None,
        "evidence_id": None,
    }
    plain = cli.run("devices", "parked", secrets=[PASSPHRASE])
    assert (
        f"{scene.testimony_revision}  did not come with the history hand-over from desk {scene.kyiv.device_id}"
        in (plain.stdout)
    )
    assert "1 revision(s) named by a worker's signed manifest" in plain.stderr


def _stripping(monkeypatch: pytest.MonkeyPatch, sequence: int) -> None:
    """The maker's writer with the ``manifest`` member left off the entry of
    the worker's bundle ``sequence`` (what a compromised maker that dropped
    that bundle's revisions would do to escape the check)."""
    _editing_carried(monkeypatch, lambda e: replace(e, worker_manifest=None) if e.sequence == sequence else e)


def test_a_stripped_manifest_is_listed_unchecked_naming_the_maker(
    scene: Scene, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The maker drops the testimony and strips the worker's manifest from
    that bundle's entry: nothing can be checked for it, and the new desk
    says so, naming the maker, the worker, the bundle and its number
    (before, the entry went silently unchecked: nothing was listed)."""
    _dropping(monkeypatch, scene.testimony_revision)
    _stripping(monkeypatch, 2)
    made = hand_over(scene.kyiv, scene.stick("stick"), scene.rivne.device_id)
    taken = scene.to_rivne(made.path)
    assert not taken.replay
    assert scene.testimony_revision not in _stored(scene.rivne)
    rows, total = unaccounted_list(scene.rivne)
    assert total == 1
    [row] = rows
    assert (row.problem, row.revision_id, row.device_id, row.bundle_id, row.sequence, row.maker) == (
        "unchecked",
        None,
        scene.worker.vault.device_id,
        scene.bundles[1],
        2,
        scene.kyiv.device_id,
    )
    assert row.hand_over_id == made.bundle_id
    # Shown in the devices view, apart from what was found short.
    [device] = [r for r in devices_view(scene.rivne) if r.device_id == scene.worker.vault.device_id]
    assert device.hand_over_unchecked == ((scene.kyiv.device_id, 1),)
    assert device.not_handed_over == ()
    assert "hand-over-unchecked" in device.warnings and "not-handed-over" not in device.warnings
    assert device.to_json()["hand_over_unchecked"] == [{"desk": scene.kyiv.device_id, "bundles": 1}]
    # And in the CLI, plain and --json.
    scene.rivne.lock()
    cli = Cli(scene.rivne.folder, child_env(tmp_path))
    listed = cli.run("--json", "devices", "parked", secrets=[PASSPHRASE]).stdout
    [found] = [json.loads(line) for line in listed.splitlines() if '"problem"' in line]
    assert (found["problem"], found["revision_id"], found["bundle_id"], found["maker"]) == (
        "unchecked",
        None,
        scene.bundles[1],
        scene.kyiv.device_id,
    )
    plain = cli.run("devices", "parked", secrets=[PASSPHRASE])
    assert (
        f"bundle {scene.bundles[1]} (#2 of {scene.worker.vault.device_id}): the history hand-over from "
        f"desk {scene.kyiv.device_id} carried no manifest of it" in plain.stdout
    )
    assert "1 bundle(s) a history hand-over named came without" in plain.stderr


def test_an_honest_hand_over_past_the_budget_lists_those_bundles_unchecked(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An honest maker with room for one manifest only: the bundle that went
    without is listed unchecked (the truth: it was not checked), nothing is
    listed missing."""
    size = sum(len(d) + len(s) for d, s in kept_manifests(scene.kyiv, {scene.bundles[1]}).values())
    monkeypatch.setattr(hand_over_manifests, "MAX_CARRIED_MANIFEST_BYTES", size + 64)
    made = hand_over(scene.kyiv, scene.stick("stick"), scene.rivne.device_id)
    assert (made.worker_manifests, made.manifests_not_carried) == (1, 1)
    scene.to_rivne(made.path)
    rows, total = unaccounted_list(scene.rivne)
    assert [(r.problem, r.bundle_id, r.sequence, r.maker) for r in rows] == [
        ("unchecked", scene.bundles[0], 1, scene.kyiv.device_id)
    ]
    assert total == 1
    assert_verified(scene.rivne)


def test_an_entry_without_a_manifest_is_checked_against_the_one_kept_here(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The new desk already keeps the worker's manifest of bundle 2 (as one
    from the worker's own file or an earlier desk's verified hand-over would
    be kept): a hand-over that drops the testimony and strips that entry's
    manifest is checked against the kept one, so the drop is found, not
    merely listed unchecked."""
    _dropping(monkeypatch, scene.testimony_revision)
    _stripping(monkeypatch, 2)
    data, signature = kept_manifests(scene.kyiv, {scene.bundles[1]})[scene.bundles[1]]
    with scene.rivne.services.context.sessions.begin() as session:
        keep_worker_manifest(
            session, scene.bundles[1], scene.worker.vault.device_id, 2, data, signature, source="x" * 32
        )
    made = hand_over(scene.kyiv, scene.stick("stick"), scene.rivne.device_id)
    scene.to_rivne(made.path)
    rows, _total = unaccounted_list(scene.rivne)
    # Checked against the kept manifest: the drop is found, not "unchecked".
    assert [(r.problem, r.revision_id, r.bundle_id) for r in rows] == [
        ("missing", scene.testimony_revision, scene.bundles[1])
    ]
