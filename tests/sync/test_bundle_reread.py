"""``fieldvault bundle import --reread`` (review 17 D1, issue 14;
docs/bundle-format.md §10 "A deliberate re-read", sync/bundle/reread.py).

The scene (real vaults, real signed bundles by USB): Kyiv, the key desk,
enrols field worker W by its first bundle, then adds the Rivne desk; W takes
the new profile, so its second bundle (a testimony and a photo) is
encrypted to both desks. Kyiv imports it and hands its history over to
Rivne, dropping the testimony and the photo (Kyiv's real writer with those
filtered out of its walk, signed with its real key). Rivne counts W's
bundle 2 as received, so the worker's own file of it was a replay there
and the check against W's signed manifest listed the two as missing. A
re-read of that very file applies them, and the listing ends."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

import db.api as vault_api
from db.api import kept_manifests
from db.model import WorkerManifest
from db.worker_manifests import keep_worker_manifest
from sync.bundle.errors import BundleRejected
from sync.bundle.format import MakerDecision
from sync.bundle.hand_over_decisions import as_kept_out
from sync.bundle.reread import RereadRefused, reread_bundle
from tests.cli_helpers import Cli, child_env
from tests.sync.desk_world import assert_verified, import_by_usb, revoke
from tests.sync.reread_world import PHOTO, Scene, scene, state, stored
from tests.vault_helpers import PASSPHRASE

__all__ = ["scene"]  # the fixture


def test_a_reread_of_the_workers_file_applies_what_the_maker_dropped(scene: Scene) -> None:
    before = {b.bundle_id: b for b in scene.rivne.sync.received_bundles()}
    last = scene.rivne.sync.device(scene.worker.vault.device_id)
    done = scene.reread()
    assert done.applied == tuple(sorted(scene.dropped))
    assert (done.already_held, done.revisions_in_bundle) == (0, 2)
    assert (done.blobs, done.blobs_already_held, done.blobs_in_bundle) == (1, 0, 1)
    assert done.evidence_attached == (scene.photo_item,)
    assert set(scene.dropped) <= stored(scene.rivne)
    # The photo's bytes as W took them in.
    with scene.rivne.sync.open_blob(hashlib.sha256(PHOTO).hexdigest()) as reader:
        assert reader.read() == PHOTO
    # The missing findings end (the existing rule: held here now).
    assert scene.missing() == []
    # Recorded: the photo's transfer, as an import's, saying it was a re-read.
    [transfer] = [e for e in scene.rivne.evidence.custody(scene.photo_item) if e.action == "transfer"]
    assert transfer.details == {
        "direction": "received",
        "bundle": scene.bundle.bundle_id,
        "device": scene.worker.vault.device_id,
        "reread": True,
    }
    assert transfer.device_id == scene.rivne.device_id
    # The bundle's bookkeeping did not move: received as before.
    assert {b.bundle_id: b for b in scene.rivne.sync.received_bundles()} == before
    assert scene.rivne.sync.device(scene.worker.vault.device_id) == last
    assert_verified(scene.rivne)
    # Both desks now hold the same revisions of W's work.
    worker_revisions = {r.revision_id for r in scene.worker.vault.revisions.all()}
    assert worker_revisions <= stored(scene.rivne)


def test_a_second_reread_applies_nothing(scene: Scene) -> None:
    scene.reread()
    before = state(scene.rivne)
    again = scene.reread()
    assert (again.applied, again.blobs, again.evidence_attached) == ((), 0, ())
    assert again.already_held == again.revisions_in_bundle
    assert again.blobs_already_held == 1
    assert state(scene.rivne) == before
    assert_verified(scene.rivne)


def test_a_file_holding_nothing_new_applies_nothing_and_says_so(scene: Scene) -> None:
    """W's bundle 3, imported at Rivne as any bundle: its re-read finds all held."""
    scene.worker.vault.testimonies.create(
        vault_api.Testimony(case_id=scene.worker.case_id, title="Later", language="uk", narrative="...")
    )
    later = scene.org.export(scene.worker.vault)
    assert import_by_usb(scene.rivne, later.path, scene.org.org_id).revisions == 1
    before = state(scene.rivne)
    done = scene.reread(later.path)
    assert done.sequence == 3
    assert done.applied == () and done.blobs == 0 and done.evidence_attached == ()
    assert done.already_held == done.revisions_in_bundle > 0
    assert done.blobs_already_held == done.blobs_in_bundle
    assert state(scene.rivne) == before
    assert scene.missing() == sorted(scene.dropped)
    assert_verified(scene.rivne)


def test_a_bundle_made_before_the_desk_was_a_recipient_cannot_be_reread(scene: Scene) -> None:
    """W's bundle 1 went to Kyiv alone: received at Rivne by the hand-over,
    unreadable there (what it carried comes only with a hand-over)."""
    first = next(scene.org.usb.glob(f"*-{scene.worker.vault.device_id}-1.fvbundle"))
    before = state(scene.rivne)
    with pytest.raises(BundleRejected) as refused:
        scene.reread(first)
    assert refused.value.kind == "not-a-recipient"
    assert state(scene.rivne) == before


def test_a_bundle_never_received_is_refused(scene: Scene) -> None:
    scene.worker.vault.testimonies.create(
        vault_api.Testimony(case_id=scene.worker.case_id, title="Later", language="uk", narrative="...")
    )
    later = scene.org.export(scene.worker.vault)
    before = state(scene.rivne)
    with pytest.raises(RereadRefused) as refused:
        scene.reread(later.path)
    assert refused.value.code == "reread-not-received"
    assert refused.value.params == {"bundle_id": later.bundle_id}
    assert state(scene.rivne) == before
    # A plain import takes it.
    assert import_by_usb(scene.rivne, later.path, scene.org.org_id).revisions == 1


def test_another_bundle_under_the_number_received_is_refused(scene: Scene) -> None:
    """Rivne's record of W's number 3 names another bundle (a maker's entry
    can): W's genuine bundle 3 is not the bundle received there."""
    scene.worker.vault.testimonies.create(
        vault_api.Testimony(case_id=scene.worker.case_id, title="Later", language="uk", narrative="...")
    )
    later = scene.org.export(scene.worker.vault)
    with scene.rivne.sync.begin_import() as unit:
        unit.record_bundle("f" * 64, scene.worker.vault.device_id, 3, None, scene.bundle.bundle_id)
    before = state(scene.rivne)
    with pytest.raises(RereadRefused) as refused:
        scene.reread(later.path)
    assert refused.value.code == "reread-differs"
    assert state(scene.rivne) == before


@pytest.mark.parametrize("where", ["payload", "header"])
def test_a_tampered_file_is_refused_with_nothing_applied(scene: Scene, tmp_path: Path, where: str) -> None:
    data = bytearray(scene.bundle.path.read_bytes())
    # The payload's last bytes (an age tag), or a byte of the header's JSON.
    index = len(data) - 20 if where == "payload" else 40
    data[index] ^= 0x01
    flipped = tmp_path / "flipped.fvbundle"
    flipped.write_bytes(bytes(data))
    before = state(scene.rivne)
    with pytest.raises((BundleRejected, RereadRefused)) as refused:
        scene.reread(flipped)
    if where == "payload":
        assert isinstance(refused.value, BundleRejected) and refused.value.kind == "payload-hash"
    assert state(scene.rivne) == before
    assert scene.missing() == sorted(scene.dropped)
    assert_verified(scene.rivne)


def test_a_revoked_workers_bundle_applies_nothing_of_its_line(scene: Scene) -> None:
    revoke(scene.kyiv, scene.worker.vault.device_id, tell=[scene.rivne])
    before = state(scene.rivne)
    with pytest.raises(BundleRejected) as refused:
        scene.reread()
    assert refused.value.kind == "device-revoked"
    assert not set(scene.dropped) & stored(scene.rivne)
    assert state(scene.rivne) == before
    assert_verified(scene.rivne)


def test_a_makers_word_binds_nothing_at_the_reread(scene: Scene) -> None:
    """The maker's ``decisions`` say it set the testimony aside: its word
    (shown in devices parked) is not enforced at the new desk, so the
    re-read decides the testimony by Rivne's own rules and stores it."""
    testimony = scene.dropped[0]
    with scene.rivne.sync.begin_import() as unit:
        unit.record_maker_decisions(
            scene.kyiv.device_id,
            "e" * 64,
            as_kept_out(
                [MakerDecision(testimony, scene.worker.vault.device_id, "set-aside", 1_764_470_000_000)]
            ),
        )
    assert scene.missing() == [scene.dropped[1]]  # explained by the maker's word, not listed
    done = scene.reread()
    assert testimony in done.applied and testimony in stored(scene.rivne)
    assert_verified(scene.rivne)


def test_a_file_whose_manifest_differs_from_the_one_kept_is_refused(scene: Scene) -> None:
    """Rivne keeps, under W's bundle 2, a signed manifest that is not the
    one the file carries (here W's bundle 1's, as a maker could have put
    under the entry): the file is not the bundle this desk checked, so it
    is refused whole."""
    [one] = [b.bundle_id for b in scene.kyiv.sync.received_bundles() if b.sequence == 1]
    data, signature = kept_manifests(scene.kyiv, {one})[one]
    with scene.rivne.services.context.sessions.begin() as session:
        session.query(WorkerManifest).filter(WorkerManifest.bundle_id == scene.bundle.bundle_id).delete()
    with scene.rivne.services.context.sessions.begin() as session:
        keep_worker_manifest(
            session, scene.bundle.bundle_id, scene.worker.vault.device_id, 2, data, signature
        )
    before = state(scene.rivne)
    with pytest.raises(RereadRefused) as refused:
        scene.reread()
    assert refused.value.code == "reread-differs"
    assert state(scene.rivne) == before
    assert not set(scene.dropped) & stored(scene.rivne)


def test_the_workers_manifest_is_kept_when_none_was(scene: Scene) -> None:
    """A desk that keeps no manifest of the bundle (a hand-over carried
    none: listed unchecked) keeps the one the worker signed in the file."""
    with scene.rivne.services.context.sessions.begin() as session:
        session.query(WorkerManifest).filter(WorkerManifest.bundle_id == scene.bundle.bundle_id).delete()
    assert kept_manifests(scene.rivne, {scene.bundle.bundle_id}) == {}
    scene.reread()
    kept = kept_manifests(scene.rivne, {scene.bundle.bundle_id})
    assert kept == kept_manifests(scene.kyiv, {scene.bundle.bundle_id})
    assert_verified(scene.rivne)


def test_a_field_worker_does_not_reread(scene: Scene) -> None:
    with pytest.raises(RereadRefused) as refused:
        reread_bundle(
            scene.worker.vault,
            scene.bundle.path,
            scene.worker.vault.vault_keys.age_identity(),
            org_id=scene.org.org_id,
        )
    assert refused.value.code == "reread-not-coordinator"


def test_the_command(scene: Scene, tmp_path: Path) -> None:
    copy = tmp_path / "usb-copy.fvbundle"
    shutil.copyfile(scene.bundle.path, copy)
    never = tmp_path / "never.fvbundle"
    scene.worker.vault.testimonies.create(
        vault_api.Testimony(case_id=scene.worker.case_id, title="Later", language="uk", narrative="...")
    )
    shutil.copyfile(scene.org.export(scene.worker.vault).path, never)
    scene.rivne.lock()
    cli = Cli(scene.rivne.folder, child_env(tmp_path))
    listed = cli.run("--json", "devices", "parked", secrets=[PASSPHRASE])
    assert sum('"missing"' in line for line in listed.stdout.splitlines()) == 2
    assert "'fieldvault bundle import --reread FILE'" in listed.stderr  # what to do, said
    ran = cli.run(
        "--json", "bundle", "import", "--reread", str(copy), str(never), secrets=[PASSPHRASE], check=False
    )
    assert ran.returncode == 1
    rows = [json.loads(line) for line in ran.stdout.splitlines() if line.strip()]
    assert rows[0] | {"applied_revisions": None} == {
        "bundle": str(copy),
        "ok": True,
        "reread": True,
        "bundle_id": scene.bundle.bundle_id,
        "device_id": scene.worker.vault.device_id,
        "sequence": 2,
        "revisions_in_bundle": rows[0]["revisions_in_bundle"],
        "revisions_applied": 2,
        "revisions_already_held": rows[0]["revisions_in_bundle"] - 2,
        "applied_revisions": None,
        "blobs_in_bundle": 1,
        "blobs_applied": 1,
        "blobs_already_held": 0,
        "custody_events": 0,
        "evidence_attached": [scene.photo_item],
        "withheld_revisions": [],
        "parked_revisions": [],
        "unparked_revisions": [],
        "damaged_parked": [],
        "past_parked_cap": [],
        "signer_pending": [],
        "type_clash": [],
    }
    assert sorted(rows[0]["applied_revisions"]) == sorted(scene.dropped)
    assert rows[1]["ok"] is False and rows[1]["reason"] == "reread-not-received"
    assert "bundle import FILE" in rows[1]["message"]
    # Ids and counts only: no narrative, title, file name or bytes.
    assert "W-3" not in ran.stdout + ran.stderr and "school" not in ran.stdout + ran.stderr
    parked = cli.run("--json", "devices", "parked", secrets=[PASSPHRASE]).stdout
    assert '"missing"' not in parked
    plain = cli.run("bundle", "import", "--reread", str(copy), secrets=[PASSPHRASE])
    assert "nothing new: this desk holds everything it carries" in plain.stdout
    refused = cli.run(
        "bundle",
        "import",
        "--reread",
        "--ack-to",
        str(tmp_path),
        str(copy),
        secrets=[PASSPHRASE],
        check=False,
    )
    assert refused.returncode == 1 and "--ack-to does not go with --reread" in refused.stderr


def test_a_later_edit_of_a_missing_revision_waits_parked_until_the_reread_brings_it(scene: Scene) -> None:
    """Review 21 R2: the worker edits the testimony the maker dropped; its
    next bundle, taken plainly at Rivne while the testimony is listed
    missing, parks the edit instead of storing it without its parent (the
    vault verifies throughout); the re-read brings the parent and the edit
    is stored after it."""
    dropped = scene.dropped[0]
    (original,) = [r for r in scene.worker.vault.revisions.all() if r.revision_id == dropped]
    scene.worker.vault.testimonies.edit(original.entity_id, title="Statement of witness W-3 (corrected)")
    (edit,) = [
        r.revision_id
        for r in scene.worker.vault.revisions.all()
        if r.entity_id == original.entity_id and r.revision_id != dropped
    ]
    third = import_by_usb(scene.rivne, scene.org.export(scene.worker.vault).path, scene.org.org_id)
    assert edit in third.parked_revisions
    assert edit not in stored(scene.rivne)
    assert_verified(scene.rivne)

    scene.reread()
    assert {dropped, edit} <= stored(scene.rivne)
    assert_verified(scene.rivne)
