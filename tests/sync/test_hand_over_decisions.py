"""The history hand-over carries what its maker keeps out (issue 14, review
16 F4; docs/bundle-format.md §10 "The maker's decisions").

Before, the maker's parked revisions and its left-out or set-aside ids did
not travel, while the bundles that carried them counted as received at the
new desk: the new desk never saw those revisions and could not decide them.
Now the parked revisions travel as revisions the new desk decides by its own
rules, and the left-out ids as the signed manifest member ``decisions``,
taken only as ``received`` is and shown with the maker named.

The scene (real vaults, real signed bundles by USB): Kyiv, the key desk,
takes field worker W's first bundle; W then records a case and edits it.
Kyiv reads the edit without the creation (a desk's bundle carrying only the
edit, the creation being held by the server: fed to Kyiv's real import
unit as sync/bundle/vault_io.py feeds a desk's bundle), so Kyiv parks it.
Kyiv then adds the Rivne desk and hands its history over."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from db.api import Case, Vault, maker_decisions_list, parked_by_signer, set_aside_parked
from db.revisions import Revision
from sync import org_vault
from sync.bundle import hand_over as hand_over_module
from sync.bundle.errors import BundleRejected
from sync.bundle.format import MakerDecision, canonical, parse_manifest
from sync.bundle.hand_over import hand_over
from sync.bundle.writer import BundleContents, DeviceIdentity, bundle_file_name, write_bundle
from tests.cli_helpers import Cli, child_env
from tests.db.sync_fixtures import FieldWork
from tests.sync.desk_world import (
    add_desk,
    assert_verified,
    export_by_usb,
    heads_hash,
    import_by_usb,
    know_worker,
    stored_bytes,
)
from tests.sync.trust_fixtures import Organisation, make_organisation
from tests.sync.usb_world import SavedUsbOrg, built_once, save
from tests.vault_helpers import PASSPHRASE

# An import flag that only makes the unit sort out (no device has this id).
_NOBODY = "0" * 32


@dataclass
class Scene:
    org: Organisation
    worker: FieldWork
    rivne: Vault
    odesa: Vault
    created: Revision  # W's case, which Kyiv has not read
    edit: Revision  # W's edit of it, parked at Kyiv

    @property
    def kyiv(self) -> Vault:
        return self.org.coordinator

    def stick(self, name: str) -> Path:
        folder = self.org.tmp_path / name
        folder.mkdir(exist_ok=True)
        return folder

    def to_rivne(self, path: Path) -> object:
        return import_by_usb(self.rivne, path, self.org.org_id)


def _park_at(desk: Vault, revision: Revision) -> None:
    """``desk`` reads ``revision`` without its parent, as a desk's bundle
    feeds the import unit: it parks it."""
    with desk.sync.begin_import() as unit:
        unit.add_revisions([revision.to_wire()], withhold={_NOBODY})
        unit.settle_revisions()


def _build(folder: Path) -> tuple[SavedUsbOrg, tuple[Revision, Revision]]:
    org = make_organisation(folder)
    worker = org.worker("field", token=org.token())
    org.import_(org.export(worker.vault).path)  # Kyiv enrols W by its first bundle
    case_id = worker.vault.cases.create(Case(title="Shelling of the school")).id
    worker.vault.cases.edit(case_id, title="Shelling of school No. 5")
    [created, edit] = [r for r in worker.vault.revisions.all() if r.entity_id == case_id]
    assert created.revision_id in edit.parents
    _park_at(org.coordinator, edit)
    assert parked_by_signer(org.coordinator) == {worker.vault.device_id: 1}
    rivne = add_desk(org.coordinator, folder / "rivne", label="Rivne")
    odesa = add_desk(org.coordinator, folder / "odesa", label="Odesa")
    org_vault.update_profile(rivne, org_vault.current_signed(org.coordinator).signed)
    return save(org, {"rivne": rivne, "odesa": odesa}), (created, edit)


@pytest.fixture
def scene(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    """The scene, built once per test process (usb_world): this test's own copy."""
    saved, (created, edit) = built_once("hand-over-decisions", tmp_path_factory, _build)
    with saved.copy(tmp_path) as (org, desks):
        [worker] = org.workers
        yield Scene(org, worker, desks["rivne"], desks["odesa"], created, edit)


def _stored(vault: Vault) -> set[str]:
    return {r.revision_id for r in vault.revisions.all()}


def test_a_parked_child_is_handed_over_parked_there_and_stored_when_its_parent_arrives(scene: Scene) -> None:
    made = hand_over(scene.kyiv, scene.stick("stick"), scene.rivne.device_id)
    assert made.parked_revisions == 1 and made.decisions == 0
    scene.to_rivne(made.path)
    # Rivne parks it too (it keeps nothing aside itself, and would have
    # stored it without its parent); before, it never arrived.
    assert parked_by_signer(scene.rivne) == {scene.worker.vault.device_id: 1}
    assert scene.edit.revision_id not in _stored(scene.rivne)
    assert_verified(scene.rivne)

    # The creation reaches Kyiv in W's next bundle, and Rivne in Kyiv's.
    scene.org.import_(scene.org.export(scene.worker.vault).path)
    scene.to_rivne(scene.org.export(scene.kyiv).path)
    assert {scene.created.revision_id, scene.edit.revision_id} <= _stored(scene.rivne)
    assert parked_by_signer(scene.rivne) == {}
    assert heads_hash(scene.rivne) == heads_hash(scene.kyiv)
    assert_verified(scene.rivne, scene.kyiv)


def test_the_file_a_parked_evidence_revision_names_goes_with_it(scene: Scene, tmp_path: Path) -> None:
    """W takes a photo after its first bundle and edits the item's
    description; Kyiv reads the edit and the photo's bytes without the
    item's creation (parked, the bytes kept). The hand-over carries both:
    Rivne keeps the bytes with the parked edit, and stores the item with
    them when its creation comes."""
    worker = scene.worker.vault
    photo = tmp_path / "checkpoint.jpg"
    photo.write_bytes(b"a photo of the checkpoint, taken after the first bundle" * 50)
    item = worker.evidence.ingest(photo, scene.worker.case_id).item
    worker.evidence.edit(item.id, description="the checkpoint at dawn")
    [_created, edit] = [r for r in worker.revisions.all() if r.entity_id == item.id]
    with scene.kyiv.sync.begin_import() as unit:
        unit.add_revisions([edit.to_wire()], withhold={_NOBODY})
        unit.settle_revisions()
        writer = unit.blob_writer(item.sha256, photo.stat().st_size, [item.id])
        writer.write(photo.read_bytes())
        writer.close()
    made = hand_over(scene.kyiv, scene.stick("stick"), scene.rivne.device_id)
    assert made.parked_revisions == 2  # the case's edit too
    scene.to_rivne(made.path)
    assert parked_by_signer(scene.rivne) == {worker.device_id: 2}
    assert stored_bytes(scene.rivne, photo.read_bytes()) == photo.read_bytes()  # before: NotFound
    assert_verified(scene.rivne)

    scene.org.import_(scene.org.export(worker).path)
    scene.to_rivne(scene.org.export(scene.kyiv).path)
    assert parked_by_signer(scene.rivne) == {}
    assert scene.rivne.evidence.get(item.id).description == "the checkpoint at dawn"
    with scene.rivne.evidence.open(item.id) as opened:
        assert opened.read() == photo.read_bytes()
    assert_verified(scene.rivne, scene.kyiv)


def test_in_a_hand_over_split_over_several_bundles_they_go_in_the_last_part(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parked revision and the maker's word go with ``received``, in the
    last part: the parts before are taken as any, and the last decides them."""
    set_aside_parked(scene.kyiv, revision_ids=[scene.edit.revision_id])
    another = scene.worker.vault.cases.create(Case(title="Checkpoint detention")).id
    scene.worker.vault.cases.edit(another, title="Checkpoint detention, 3 March")
    [created, edit] = [r for r in scene.worker.vault.revisions.all() if r.entity_id == another]
    _park_at(scene.kyiv, edit)
    monkeypatch.setattr(hand_over_module, "MAX_PART_LINES", 4)
    made = hand_over(scene.kyiv, scene.stick("stick"), scene.rivne.device_id)
    assert len(made.parts) >= 2 and (made.parked_revisions, made.decisions) == (1, 1)
    for part in made.parts[:-1]:
        scene.to_rivne(part.path)
        assert parked_by_signer(scene.rivne) == {} and maker_decisions_list(scene.rivne) == ([], 0)
    scene.to_rivne(made.parts[-1].path)
    assert parked_by_signer(scene.rivne) == {scene.worker.vault.device_id: 1}
    assert created.revision_id not in _stored(scene.rivne)
    assert [(r.revision_id, r.reason) for r in maker_decisions_list(scene.rivne)[0]] == [
        (scene.edit.revision_id, "set-aside")
    ]
    assert_verified(scene.rivne)


def test_a_set_aside_at_the_maker_shows_at_the_new_desk_with_the_maker_named_and_binds_nothing(
    scene: Scene, tmp_path: Path
) -> None:
    set_aside_parked(scene.kyiv, revision_ids=[scene.edit.revision_id])
    made = hand_over(scene.kyiv, scene.stick("stick"), scene.rivne.device_id)
    assert (made.parked_revisions, made.decisions) == (0, 1)
    scene.to_rivne(made.path)
    rows, total = maker_decisions_list(scene.rivne)
    assert total == 1
    [row] = rows
    assert (row.revision_id, row.signer, row.reason, row.maker, row.bundle_id, row.here) == (
        scene.edit.revision_id,
        scene.worker.vault.device_id,
        "set-aside",
        scene.kyiv.device_id,
        made.bundle_id,
        "absent",
    )
    assert_verified(scene.rivne)

    # Not binding: W's own bundle, carrying the creation and the edit, reaches
    # Rivne (W took the profile naming Rivne); Rivne decides them by its own
    # rules and stores both, while Kyiv keeps the edit set aside.
    org_vault.update_profile(scene.worker.vault, org_vault.current_signed(scene.kyiv).signed)
    exported, _profile = export_by_usb(scene.worker.vault, scene.stick("w"))
    scene.to_rivne(exported.path)
    assert {scene.created.revision_id, scene.edit.revision_id} <= _stored(scene.rivne)
    [row] = maker_decisions_list(scene.rivne)[0]
    assert row.here == "stored"
    assert_verified(scene.rivne)

    # ``fieldvault devices parked`` at Rivne names the maker and its decision.
    scene.rivne.lock()
    listed = Cli(scene.rivne.folder, child_env(tmp_path)).run("devices", "parked", secrets=[PASSPHRASE])
    assert f"{scene.edit.revision_id}  set aside at desk {scene.kyiv.device_id}" in listed.stdout


def test_a_later_edit_of_a_revision_the_maker_kept_out_waits_at_the_new_desk(scene: Scene) -> None:
    """Rivne keeps nothing aside itself; Kyiv's word that it set W's edit
    aside is all it holds. W's next edit of the case reaches Rivne without
    the edit it follows (a field worker's bundle: nothing withheld): it
    waits parked, never stored without its parent (before the word was
    counted, Rivne checked no parents and stored it; verify failed)."""
    set_aside_parked(scene.kyiv, revision_ids=[scene.edit.revision_id])
    scene.to_rivne(hand_over(scene.kyiv, scene.stick("stick"), scene.rivne.device_id).path)
    worker = scene.worker.vault
    worker.cases.edit(scene.edit.entity_id, title="Shelling of school No. 5, 2 March")
    [later] = [r for r in worker.revisions.all() if scene.edit.revision_id in r.parents]
    with scene.rivne.sync.begin_import() as unit:
        unit.add_revisions([later.to_wire()])
        unit.settle_revisions()
    assert later.revision_id not in _stored(scene.rivne)
    assert parked_by_signer(scene.rivne) == {worker.device_id: 1}
    assert_verified(scene.rivne)


def test_a_set_aside_stays_in_effect_at_the_new_desk_until_a_desk_that_stored_it_hands_over(
    scene: Scene,
) -> None:
    """The usual case: the bundle that carried the set-aside edit was
    received at Kyiv, so it is a replay at Rivne and the worker's next
    bundles do not carry the edit again; the maker's decision stays in
    effect there, now shown. Odesa stored it (it set nothing aside): its
    hand-over to Rivne brings it, and Rivne, not bound by Kyiv's word,
    stores it."""
    worker = scene.worker.vault
    set_aside_parked(scene.kyiv, revision_ids=[scene.edit.revision_id])
    org_vault.update_profile(worker, org_vault.current_signed(scene.kyiv).signed)
    second, _profile = export_by_usb(worker, scene.stick("w"))  # the creation and the edit
    scene.org.import_(second.path)
    know_worker(scene.odesa, worker)
    org_vault.update_profile(scene.odesa, org_vault.current_signed(scene.kyiv).signed)
    import_by_usb(scene.odesa, second.path, scene.org.org_id)
    assert scene.edit.revision_id in _stored(scene.odesa)
    assert scene.edit.revision_id not in _stored(scene.kyiv)

    scene.to_rivne(hand_over(scene.kyiv, scene.stick("kyiv"), scene.rivne.device_id).path)
    again = import_by_usb(scene.rivne, second.path, scene.org.org_id)
    assert again.replay  # received at Kyiv: the edit does not reach Rivne this way
    assert scene.edit.revision_id not in _stored(scene.rivne)
    [row] = maker_decisions_list(scene.rivne)[0]
    assert (row.maker, row.reason, row.here) == (scene.kyiv.device_id, "set-aside", "absent")

    scene.to_rivne(hand_over(scene.odesa, scene.stick("odesa"), scene.rivne.device_id).path)
    assert scene.edit.revision_id in _stored(scene.rivne)
    [row] = maker_decisions_list(scene.rivne)[0]
    assert row.here == "stored"
    assert_verified(scene.rivne)


def _crafted(maker: Vault, dest: Path, addressee: str, recipient: str, decision: MakerDecision) -> Path:
    """A bundle with a ``decisions`` member and nothing else, signed by
    ``maker``'s device key as the real writer signs."""
    profile = org_vault.held_profile(maker)
    assert profile is not None
    sequence = maker.sync.outgoing().bundle_sequence + 1
    return write_bundle(
        dest / bundle_file_name(profile.org_id, maker.device_id, sequence),
        BundleContents(
            org_id=profile.org_id,
            profile_version=profile.version,
            sequence=sequence,
            previous=maker.sync.outgoing().previous_bundle_id,
            custody_head=None,
            addressee=addressee,
            decisions=[decision],
        ),
        DeviceIdentity(maker.sync.signing_key(), maker.device_id),
        [recipient],
    ).path


def _decision(scene: Scene) -> MakerDecision:
    """A word that W's edit was set aside: a field device or another desk's
    hand-over could otherwise make a desk believe a coordinator decided it."""
    return MakerDecision(scene.edit.revision_id, scene.worker.vault.device_id, "set-aside", 1)


def test_decisions_in_a_field_workers_bundle_are_refused_as_received_is(scene: Scene) -> None:
    worker = scene.worker.vault
    know_worker(scene.rivne, worker)  # Rivne holds its card: the bundle passes admission
    path = _crafted(
        worker,
        scene.stick("crafted"),
        scene.rivne.device_id,
        scene.rivne.vault_keys.age_recipient(),
        _decision(scene),
    )
    with pytest.raises(BundleRejected) as refused:
        scene.to_rivne(path)
    assert (refused.value.kind, refused.value.subject) == ("signer", worker.device_id)
    assert maker_decisions_list(scene.rivne) == ([], 0)


def test_decisions_in_a_bundle_addressed_to_another_desk_are_refused(scene: Scene) -> None:
    path = _crafted(
        scene.kyiv,
        scene.stick("crafted"),
        scene.odesa.device_id,
        scene.rivne.vault_keys.age_recipient(),  # a faulty or hostile maker encrypted it to Rivne
        _decision(scene),
    )
    with pytest.raises(BundleRejected) as refused:
        scene.to_rivne(path)
    assert refused.value.kind == "not-a-recipient"
    assert maker_decisions_list(scene.rivne) == ([], 0)

    # The same word, addressed to Rivne by a current coordinator, is taken.
    taken = _crafted(
        scene.kyiv,
        scene.stick("addressed"),
        scene.rivne.device_id,
        scene.rivne.vault_keys.age_recipient(),
        _decision(scene),
    )
    scene.to_rivne(taken)
    assert [(r.maker, r.reason) for r in maker_decisions_list(scene.rivne)[0]] == [
        (scene.kyiv.device_id, "set-aside")
    ]


_MANIFEST = {
    "format": "fieldvault-bundle-manifest",
    "version": 1,
    "bundle": {
        "org_id": "0190f3a0-0000-7000-8000-00000000000f",
        "device_id": "0" * 32,
        "sequence": 1,
        "previous": None,
    },
    "revisions": [],
    "custody": [],
    "blobs": [],
}


def _entry(revision_id: str, reason: str = "past-cap") -> dict[str, object]:
    return {"revision_id": revision_id, "signer": "ab" * 16, "reason": reason, "decided_ms": 5}


@pytest.mark.parametrize(
    "decisions",
    [
        [],  # present only when not empty
        [_entry("b" * 64), _entry("a" * 64)],  # sorted by revision id
        [_entry("a" * 64), _entry("a" * 64)],  # none twice
        [_entry("a" * 64, reason="forgotten")],  # a reason the format does not know
        [{**_entry("a" * 64), "title": "x"}],  # exactly these members
        [{**_entry("a" * 64), "decided_ms": -1}],
        [{**_entry("a" * 64), "signer": "AB" * 16}],
    ],
)
def test_a_decisions_member_not_of_its_form_is_archive_form(decisions: list[dict[str, object]]) -> None:
    with pytest.raises(BundleRejected) as refused:
        parse_manifest(canonical({**_MANIFEST, "decisions": decisions}))
    assert refused.value.kind == "archive-form"


def test_a_decisions_member_round_trips() -> None:
    data = canonical(
        {**_MANIFEST, "decisions": [_entry("a" * 64, "set-aside"), _entry("b" * 64, "left-out")]}
    )
    manifest = parse_manifest(data)
    assert [d.reason for d in manifest.decisions] == ["set-aside", "left-out"]
    assert canonical(manifest.to_json()) == data
    assert json.loads(data)["decisions"][0]["signer"] == "ab" * 16
