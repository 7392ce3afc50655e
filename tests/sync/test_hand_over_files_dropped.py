"""A history hand-over that carried a photo's record but not its bytes
(review 21 "Bytes-only drop"; docs/bundle-format.md §10 "Completeness
against the workers' signatures").

Before, the check against the worker's signed manifest read only its
``revisions``: Kyiv carried the photo's revision and dropped the file, and
Rivne listed nothing; only ``verify`` said "has no stored file". Now each
evidence file the manifest names (``blobs``: SHA-256 and items) that did not
come and is not stored at Rivne is listed ``missing-file``, by SHA-256 and
item, naming the maker, until the bytes arrive.

The scene (real vaults, real signed bundles by USB): Kyiv, the key desk,
enrols field worker W, adds the Rivne desk; W's second bundle (a photo) is
taken at Kyiv, which hands its history over to Rivne with the photo's bytes
filtered out of its walk (the compromised maker: its real writer, signed
with its real key). W's own file of bundle 2 is a replay at Rivne."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from db.api import PendingBlob, Vault, unaccounted_list
from sync import org_vault
from sync.bundle import hand_over as hand_over_module
from sync.bundle.hand_over import hand_over
from sync.bundle.reread import reread_bundle
from sync.merge.devices import devices_view
from tests.cli_helpers import Cli, child_env
from tests.db.sync_fixtures import FieldWork
from tests.sync.desk_world import ack_by_usb, add_desk, assert_verified, import_by_usb
from tests.sync.reread_world import PHOTO
from tests.sync.trust_fixtures import Organisation, make_organisation
from tests.sync.usb_world import SavedUsbOrg, built_once, rebased, save
from tests.vault_helpers import PASSPHRASE

PHOTO_SHA256 = hashlib.sha256(PHOTO).hexdigest()


@dataclass
class Scene:
    org: Organisation
    worker: FieldWork
    rivne: Vault
    bundle: Path  # W's bundle 2, its own file on the stick
    bundle_id: str
    photo_item: str
    photo_revision: str
    hand_over_id: str

    @property
    def kyiv(self) -> Vault:
        return self.org.coordinator

    def files_missing(self) -> list[tuple[str | None, str | None, str, str, int, str]]:
        rows, _total = unaccounted_list(self.rivne)
        return [
            (r.sha256, r.evidence_id, r.maker, r.bundle_id, r.sequence, r.device_id)
            for r in rows
            if r.problem == "missing-file"
        ]


def _held_bytes(vault: Vault) -> bytes | None:
    try:
        with vault.sync.open_blob(PHOTO_SHA256) as reader:
            return reader.read()
    except Exception:  # noqa: BLE001 - any refusal means: not held
        return None


def _build(folder: Path) -> tuple[SavedUsbOrg, tuple[str, str, str, str, str]]:
    org = make_organisation(folder)
    worker = org.worker("field", token=org.token())
    first = org.import_(org.export(worker.vault).path)  # Kyiv enrols W by its first bundle
    ack_by_usb(org.coordinator, worker.vault, first.bundle_id)  # W's next bundle holds only new work
    rivne = add_desk(org.coordinator, folder / "rivne", label="Rivne")
    signed = org_vault.current_signed(org.coordinator).signed
    org_vault.update_profile(rivne, signed)
    org_vault.update_profile(worker.vault, signed)  # W's next bundle is for Rivne too
    source = folder / "school.jpg"
    source.write_bytes(PHOTO)
    photo = worker.vault.evidence.ingest(source, worker.case_id).item
    source.unlink()
    [revision] = [r.revision_id for r in worker.vault.revisions.all() if r.entity_id == photo.id]
    bundle = org.export(worker.vault)
    taken = org.import_(bundle.path)
    assert taken.blobs == 1
    ack_by_usb(org.coordinator, worker.vault, taken.bundle_id)
    # The compromised maker: the photo's revision carried, its bytes not.
    placed = hand_over_module._Split.place_blobs

    def no_photo(self: hand_over_module._Split, blobs: list[PendingBlob]) -> list[list[PendingBlob]]:
        return placed(self, [b for b in blobs if photo.id not in b.evidence_ids])

    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(hand_over_module._Split, "place_blobs", no_photo)
        stick = folder / "hand-over"
        stick.mkdir()
        made = hand_over(org.coordinator, stick, rivne.device_id)
    import_by_usb(rivne, made.path, org.org_id)
    assert import_by_usb(rivne, bundle.path, org.org_id).replay  # W's own file applies nothing
    return save(org, {"rivne": rivne}), (
        str(bundle.path),
        taken.bundle_id,
        photo.id,
        revision,
        made.bundle_id,
    )


@pytest.fixture
def scene(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    """The scene, built once per test process (usb_world): this test's own copy."""
    saved, (path, bundle_id, item, revision, hand_over_id) = built_once(
        "hand-over-files-dropped", tmp_path_factory, _build
    )
    with saved.copy(tmp_path) as (org, desks):
        [worker] = org.workers
        moved = rebased(saved.folder, tmp_path)(Path(path))
        yield Scene(org, worker, desks["rivne"], moved, bundle_id, item, revision, hand_over_id)


def test_the_dropped_file_is_listed_by_sha256_and_item_naming_the_maker(scene: Scene) -> None:
    rows, total = unaccounted_list(scene.rivne)
    # The record came (nothing was refused); only its file is listed, once.
    assert scene.photo_revision in {r.revision_id for r in scene.rivne.revisions.all()}
    assert total == 1 and [r.problem for r in rows] == ["missing-file"]
    assert scene.files_missing() == [
        (
            PHOTO_SHA256,
            scene.photo_item,
            scene.kyiv.device_id,
            scene.bundle_id,
            2,
            scene.worker.vault.device_id,
        )
    ]
    assert rows[0].revision_id is None and rows[0].hand_over_id == scene.hand_over_id
    assert _held_bytes(scene.rivne) is None
    # verify names the same item (what review 21 saw alone before).
    problems = [(p.kind, p.subject, p.detail) for p in scene.rivne.verify().problems]
    assert ("evidence", scene.photo_item, "has no stored file") in problems


def test_the_devices_view_warns_on_the_workers_row_naming_the_maker(scene: Scene) -> None:
    [row] = [r for r in devices_view(scene.rivne) if r.device_id == scene.worker.vault.device_id]
    assert row.files_not_handed_over == ((scene.kyiv.device_id, 1),)
    assert row.not_handed_over == ()
    assert "not-handed-over" in row.warnings
    assert row.to_json()["files_not_handed_over"] == [{"desk": scene.kyiv.device_id, "files": 1}]


def test_a_reread_of_the_workers_file_brings_the_bytes_and_ends_the_listing(scene: Scene) -> None:
    done = reread_bundle(
        scene.rivne, scene.bundle, scene.rivne.vault_keys.age_identity(), org_id=scene.org.org_id
    )
    assert done.blobs == 1 and scene.photo_item in done.evidence_attached
    assert _held_bytes(scene.rivne) == PHOTO
    assert scene.files_missing() == []
    assert unaccounted_list(scene.rivne) == ([], 0)
    [row] = [r for r in devices_view(scene.rivne) if r.device_id == scene.worker.vault.device_id]
    assert row.files_not_handed_over == () and "not-handed-over" not in row.warnings
    assert_verified(scene.rivne)


def test_a_later_hand_over_bringing_the_bytes_ends_the_listing(scene: Scene) -> None:
    stick = scene.org.tmp_path / "again"
    stick.mkdir()
    honest = hand_over(scene.kyiv, stick, scene.rivne.device_id)
    taken = import_by_usb(scene.rivne, honest.path, scene.org.org_id)
    assert taken.blobs == 1
    assert _held_bytes(scene.rivne) == PHOTO
    assert scene.files_missing() == []
    assert_verified(scene.rivne)


def test_other_bytes_stored_here_do_not_end_it(scene: Scene, tmp_path: Path) -> None:
    """The listing asks for the bytes the worker signed, held for its item:
    another file ingested at Rivne (a stored blob, attached to an item of
    its own) does not hide the drop."""
    [case] = scene.rivne.cases.list()
    other = tmp_path / "other.jpg"
    other.write_bytes(PHOTO + b"another shot")
    assert scene.rivne.evidence.ingest(other, case.id).item.id != scene.photo_item
    assert [f[:2] for f in scene.files_missing()] == [(PHOTO_SHA256, scene.photo_item)]


def test_devices_parked_lists_it_plain_and_json(scene: Scene, tmp_path: Path) -> None:
    scene.rivne.lock()
    cli = Cli(scene.rivne.folder, child_env(tmp_path))
    listed = cli.run("--json", "devices", "parked", secrets=[PASSPHRASE]).stdout
    rows = [json.loads(line) for line in listed.splitlines() if line.strip()]
    [row] = [r for r in rows if "problem" in r]
    assert row == {
        "problem": "missing-file",
        "revision_id": None,
        "sha256": PHOTO_SHA256,
        "evidence_id": scene.photo_item,
        "device_id": scene.worker.vault.device_id,
        "bundle_id": scene.bundle_id,
        "sequence": 2,
        "maker": scene.kyiv.device_id,
        "hand_over_id": scene.hand_over_id,
        "recorded_ms": row["recorded_ms"],
    }
    plain = cli.run("devices", "parked", secrets=[PASSPHRASE])
    assert (
        f"file {PHOTO_SHA256} of evidence item {scene.photo_item}  did not come with the history "
        f"hand-over from desk {scene.kyiv.device_id}"
    ) in plain.stdout
    assert "1 evidence file(s) named by a worker's signed manifest" in plain.stderr
    assert "--reread" in plain.stderr
    # Ids and hashes only: no file name of the worker's.
    assert "school.jpg" not in plain.stdout + plain.stderr


def test_the_import_says_it_at_once_naming_the_maker(
    scene: Scene, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Kyiv hands over again, dropping the bytes again: `bundle import`
    reports the file in its findings and warns on stderr (before, the
    hand-over was told complete)."""
    placed = hand_over_module._Split.place_blobs

    def no_photo(self: hand_over_module._Split, blobs: list[PendingBlob]) -> list[list[PendingBlob]]:
        return placed(self, [b for b in blobs if scene.photo_item not in b.evidence_ids])

    monkeypatch.setattr(hand_over_module._Split, "place_blobs", no_photo)
    stick = scene.org.tmp_path / "again"
    stick.mkdir()
    made = hand_over(scene.kyiv, stick, scene.rivne.device_id)
    folder = scene.rivne.folder
    scene.rivne.lock()
    done = Cli(folder, child_env(tmp_path)).run(
        "--json", "bundle", "import", str(made.path), secrets=[PASSPHRASE]
    )
    [row] = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert row["hand_over_findings"] == {
        "maker_id": scene.kyiv.device_id,
        "missing": 0,
        "unverifiable": 0,
        "unchecked": 0,
        "verified": 2,
        "missing_files": 1,
    }
    [warning] = [line for line in done.stderr.splitlines() if "is incomplete" in line]
    assert f"from desk {scene.kyiv.device_id} is incomplete" in warning
    assert "1 evidence file(s) such a manifest names did not come with it" in warning
    assert "--reread" in warning
