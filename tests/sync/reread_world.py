"""The world of the re-read tests (review 17 D1; sync/bundle/reread.py),
real vaults and real signed bundles by USB: Kyiv, the key desk, enrols
field worker W by its first bundle, then adds the Rivne desk; W takes the
new profile, so its second bundle (a testimony and a photo) is encrypted to
both desks. Kyiv imports it and hands its history over to Rivne, dropping
the testimony and the photo (Kyiv's real writer with those filtered out of
its walk, signed with its real key). Rivne counts W's bundle 2 as received:
the worker's own file of it is a replay there, and the check against W's
signed manifest lists the two as missing.

Test modules take the fixture by importing it:
``from tests.sync.reread_world import scene``. The scene is built once per
test process (the first test that asks) and each test gets its own copy of
its folders (tests/sync/usb_world.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

import db.api as vault_api
from db.api import PendingBlob, Vault, unaccounted_list
from sync import org_vault
from sync.bundle import hand_over as hand_over_module
from sync.bundle.hand_over import hand_over
from sync.bundle.reread import RereadBundle, reread_bundle
from sync.bundle.vault_io import ExportedBundle
from tests.db.sync_fixtures import FieldWork
from tests.sync.desk_world import ack_by_usb, add_desk, import_by_usb
from tests.sync.trust_fixtures import Organisation, make_organisation
from tests.sync.usb_world import SavedUsbOrg, built_once, rebased, save

PHOTO = b"\xff\xd8\xff\xe0 photo of the shelled school, taken by W " * 64


@dataclass
class Scene:
    org: Organisation
    worker: FieldWork
    rivne: Vault
    bundle: ExportedBundle  # W's bundle 2, as its file on the stick
    dropped: tuple[str, str]  # the testimony's revision, the photo's revision
    photo_item: str

    @property
    def kyiv(self) -> Vault:
        return self.org.coordinator

    def reread(self, path: Path | None = None) -> RereadBundle:
        return reread_bundle(
            self.rivne,
            self.bundle.path if path is None else path,
            self.rivne.vault_keys.age_identity(),
            org_id=self.org.org_id,
        )

    def missing(self) -> list[str]:
        rows, _total = unaccounted_list(self.rivne)
        return sorted(r.revision_id or "" for r in rows if r.problem == "missing")


def stored(vault: Vault) -> set[str]:
    return {r.revision_id for r in vault.revisions.all()}


def state(vault: Vault) -> tuple[object, ...]:
    """What a refused or empty re-read must leave as it was: revisions, the
    received bundles' records, the custody log, the devices' last numbers."""
    return (
        sorted(stored(vault)),
        sorted((b.bundle_id, b.sequence, b.previous, b.imported_ms) for b in vault.sync.received_bundles()),
        len(vault.evidence.custody_log()),
        sorted((d.device_id, d.status) for d in vault.sync.devices()),
    )


def _build(folder: Path) -> tuple[SavedUsbOrg, tuple[ExportedBundle, tuple[str, str], str]]:
    org = make_organisation(folder)
    worker = org.worker("field", token=org.token())
    first = org.import_(org.export(worker.vault).path)  # Kyiv enrols W by its first bundle
    ack_by_usb(org.coordinator, worker.vault, first.bundle_id)  # W's next bundle holds only new work
    rivne = add_desk(org.coordinator, folder / "rivne", label="Rivne")
    signed = org_vault.current_signed(org.coordinator).signed
    org_vault.update_profile(rivne, signed)
    org_vault.update_profile(worker.vault, signed)  # W's next bundle is for Rivne too
    testimony = worker.vault.testimonies.create(
        vault_api.Testimony(
            case_id=worker.case_id, title="Statement of witness W-3", language="uk", narrative="..."
        )
    )
    source = folder / "school.jpg"
    source.write_bytes(PHOTO)
    photo = worker.vault.evidence.ingest(source, worker.case_id).item
    source.unlink()
    dropped = {testimony.id: "", photo.id: ""}
    for rev in worker.vault.revisions.all():
        if rev.entity_id in dropped:
            dropped[rev.entity_id] = rev.revision_id
    bundle = org.export(worker.vault)
    taken = org.import_(bundle.path)
    assert taken.revisions == 2 and taken.blobs == 1
    ack_by_usb(org.coordinator, worker.vault, taken.bundle_id)
    # The compromised maker: its real writer, the two revisions and the
    # photo's bytes filtered out of its walk, signed with its real key.
    carried = hand_over_module._Split.carried
    placed = hand_over_module._Split.place_blobs
    left_out = set(dropped.values())

    def without(self: hand_over_module._Split, after: int, end: int | None) -> Iterator[object]:
        return (rev for rev in carried(self, after, end) if rev.revision_id not in left_out)

    def no_photo(self: hand_over_module._Split, blobs: list[PendingBlob]) -> list[list[PendingBlob]]:
        return placed(self, [b for b in blobs if photo.id not in b.evidence_ids])

    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(hand_over_module._Split, "carried", without)
        patched.setattr(hand_over_module._Split, "place_blobs", no_photo)
        stick = folder / "hand-over"
        stick.mkdir()
        made = hand_over(org.coordinator, stick, rivne.device_id)
    import_by_usb(rivne, made.path, org.org_id)
    made_scene = Scene(org, worker, rivne, bundle, (dropped[testimony.id], dropped[photo.id]), photo.id)
    assert made_scene.missing() == sorted(left_out)
    # The worker's own file is a replay at Rivne: it applies nothing.
    assert import_by_usb(rivne, bundle.path, org.org_id).replay
    assert not left_out & stored(rivne)
    return save(org, {"rivne": rivne}), (bundle, made_scene.dropped, photo.id)


@pytest.fixture
def scene(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    """The scene, built once per test process: this test's own copy."""
    saved, (bundle, dropped, photo_item) = built_once("reread-world", tmp_path_factory, _build)
    with saved.copy(tmp_path) as (org, desks):
        [worker] = org.workers
        moved = replace(bundle, path=rebased(saved.folder, tmp_path)(bundle.path))
        yield Scene(org, worker, desks["rivne"], moved, dropped, photo_item)
