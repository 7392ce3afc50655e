"""The intake of a file an item of the same case names but does not hold
(session 18, H5; docs/bundle-format.md §10 "Completeness against the
workers' signatures", docs/chain-of-custody.md ``intake-attached``).

The scene of tests/sync/test_hand_over_files_dropped.py (real vaults, real
signed bundles by USB): Kyiv's history hand-over to Rivne carried worker
W's photo record and dropped its bytes, so at Rivne W's item holds no file
(``verify``: "has no stored file"; ``devices parked``: ``missing-file``).
Then Rivne's coordinator gets the photo by other means and ingests it into
W's own case.

Before, the intake took it for a duplicate of W's item, which holds
nothing: no byte was stored, an ``intake-duplicate`` event went into the
item's custody, and the coordinator was told the file was already in the
case. Now the bytes are stored and attached to W's item (its signed
SHA-256 and size are the proof they are its bytes), one ``intake-attached``
event says so, the result says ``supplied``, and the listing ends by its
own rule: the item holds its file. A file the case holds already is still
a duplicate."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import text

from db.api import Vault, unaccounted_list
from db.errors import VaultDamaged
from db.ids import new_id
from tests.cli_helpers import Cli, child_env
from tests.sync.desk_world import assert_verified
from tests.sync.reread_world import PHOTO
from tests.sync.test_hand_over_files_dropped import PHOTO_SHA256, Scene, _held_bytes
from tests.sync.test_hand_over_files_dropped import scene as dropped_scene
from tests.vault_helpers import PASSPHRASE

__all__ = ["dropped_scene"]


def _photo_file(folder: Path, name: str = "from-the-worker-by-hand.jpg") -> Path:
    source = folder / name
    source.write_bytes(PHOTO)
    return source


def _evidence_in_case(vault: Vault, case_id: str) -> list[str]:
    return sorted(item.id for item in vault.evidence.list(case_id=case_id))


def _actions(vault: Vault, evidence_id: str) -> list[str]:
    return [event.action for event in vault.evidence.custody(evidence_id)]


def test_the_missing_file_is_stored_and_attached_to_the_item(dropped_scene: Scene, tmp_path: Path) -> None:
    scene, rivne = dropped_scene, dropped_scene.rivne
    case_id = scene.worker.case_id
    before = _evidence_in_case(rivne, case_id)
    assert scene.photo_item in before and _held_bytes(rivne) is None
    assert [(r.problem, r.evidence_id) for r in unaccounted_list(rivne)[0]] == [
        ("missing-file", scene.photo_item)
    ]

    result = rivne.evidence.ingest(
        _photo_file(tmp_path), case_id, source="brought by hand, as a witness asked"
    )

    assert (result.item.id, result.duplicate, result.supplied) == (
        scene.photo_item,
        False,
        (scene.photo_item,),
    )
    assert _evidence_in_case(rivne, case_id) == before  # no new item
    assert _held_bytes(rivne) == PHOTO
    with rivne.evidence.open(scene.photo_item) as reader:
        assert reader.read() == PHOTO
    [attached] = [e for e in rivne.evidence.custody(scene.photo_item) if e.action == "intake-attached"]
    assert attached.device_id == rivne.device_id and attached.sha256 == PHOTO_SHA256
    # The name only, as for a duplicate: the source typed may name a witness.
    assert attached.details == {"name": "from-the-worker-by-hand.jpg"}
    assert rivne.evidence.get(scene.photo_item).source != "brought by hand, as a witness asked"
    assert "intake-duplicate" not in _actions(rivne, scene.photo_item)
    # The listing ends by its own rule (the item holds its file), and the
    # vault verifies: the item's file, and its custody here starts with the event.
    assert unaccounted_list(rivne) == ([], 0)
    assert_verified(rivne)


def test_the_same_file_again_is_then_a_duplicate(dropped_scene: Scene, tmp_path: Path) -> None:
    scene, rivne = dropped_scene, dropped_scene.rivne
    rivne.evidence.ingest(_photo_file(tmp_path), scene.worker.case_id)
    again = rivne.evidence.ingest(_photo_file(tmp_path, "again.jpg"), scene.worker.case_id)
    assert (again.item.id, again.duplicate, again.supplied) == (scene.photo_item, True, ())
    assert _actions(rivne, scene.photo_item)[-2:] == ["intake-attached", "intake-duplicate"]
    assert_verified(rivne)


def test_moving_the_source_in_removes_it_once_the_item_reads_back(
    dropped_scene: Scene, tmp_path: Path
) -> None:
    scene, rivne = dropped_scene, dropped_scene.rivne
    source = _photo_file(tmp_path)
    result = rivne.evidence.ingest(source, scene.worker.case_id, remove_source=True)
    assert result.supplied and result.source_removed and not source.exists()
    assert _held_bytes(rivne) == PHOTO


def test_other_bytes_are_a_new_item_and_the_file_stays_missing(dropped_scene: Scene, tmp_path: Path) -> None:
    scene, rivne = dropped_scene, dropped_scene.rivne
    other = tmp_path / "other.jpg"
    other.write_bytes(PHOTO + b"\x00")
    result = rivne.evidence.ingest(other, scene.worker.case_id)
    assert result.item.id != scene.photo_item and not result.duplicate and not result.supplied
    assert [(r.problem, r.evidence_id) for r in unaccounted_list(rivne)[0]] == [
        ("missing-file", scene.photo_item)
    ]


def test_the_cli_says_the_missing_file_was_supplied(dropped_scene: Scene, tmp_path: Path) -> None:
    scene, rivne = dropped_scene, dropped_scene.rivne
    rivne.lock()
    cli = Cli(rivne.folder, child_env(tmp_path))
    source = _photo_file(tmp_path)
    done = cli.run("ingest", str(source), "--case", scene.worker.case_id, secrets=[PASSPHRASE])
    assert done.stdout.startswith(f"{scene.photo_item}  sha256 {PHOTO_SHA256}"), done.stdout
    assert "(this item's missing file: stored and attached to it now)" in done.stdout, done.stdout
    assert "already in this case" not in done.stdout
    again = cli.run("--json", "ingest", str(source), "--case", scene.worker.case_id, secrets=[PASSPHRASE])
    [row] = [json.loads(line) for line in again.stdout.splitlines() if line.strip()]
    assert (row["id"], row["duplicate"], row["supplied"]) == (scene.photo_item, True, [])


def test_a_row_rewritten_to_name_other_bytes_stores_nothing(dropped_scene: Scene, tmp_path: Path) -> None:
    """The bytes go to an item only if its signed record names them: a
    derived row rewritten to claim other bytes (anyone with the database key
    can) is damage, refused by id, and nothing is stored or recorded."""
    scene, rivne = dropped_scene, dropped_scene.rivne
    other = tmp_path / "other.jpg"
    other.write_bytes(PHOTO + b"\x00")
    with rivne.services.context.sessions() as session:
        session.execute(
            text(
                "UPDATE entities SET body = json_set(body, '$.sha256', :sha, '$.size', :size) WHERE entity_id = :e"
            ),
            {
                "sha": hashlib.sha256(other.read_bytes()).hexdigest(),
                "size": len(PHOTO) + 1,
                "e": scene.photo_item,
            },
        )
        session.commit()
    files_before = sorted(p for p in Path(rivne.folder).rglob("*") if p.is_file() and "blobs" in p.parts)
    events_before = len(rivne.evidence.custody_log())
    with pytest.raises(VaultDamaged) as raised:
        rivne.evidence.ingest(other, scene.worker.case_id)
    assert raised.value.code == "evidence-untrusted" and scene.photo_item in str(raised.value)
    assert str(raised.value).endswith("Nothing was stored.")
    assert (
        sorted(p for p in Path(rivne.folder).rglob("*") if p.is_file() and "blobs" in p.parts) == files_before
    )
    assert len(rivne.evidence.custody_log()) == events_before
    assert other.is_file()


def test_every_item_of_the_case_without_the_file_gets_it(dropped_scene: Scene, tmp_path: Path) -> None:
    """Two items of the case naming the same bytes, neither holding them
    (say two workers' records of one photo, both handed over without it):
    the intake attaches the bytes to both, one event each, and returns the
    first. The second item is made here with the app's own write path, as
    intake makes one, less the file."""
    scene, rivne = dropped_scene, dropped_scene.rivne
    ctx = rivne.services.context
    body = rivne.evidence.get(scene.photo_item).body()
    with ctx.write_transaction("a second record of the photo") as session:
        second = ctx.commit_local(
            session,
            {"entity_id": new_id(), "entity_type": "evidence", "op": "put", "body": body, "parents": []},
        ).entity_id
    result = rivne.evidence.ingest(_photo_file(tmp_path), scene.worker.case_id)
    both = tuple(sorted((scene.photo_item, second)))
    assert (result.item.id, result.duplicate, result.supplied) == (both[0], False, both)
    for evidence_id in both:
        assert _actions(rivne, evidence_id)[-1] == "intake-attached"
        with rivne.evidence.open(evidence_id) as reader:
            assert reader.read() == PHOTO
    assert unaccounted_list(rivne) == ([], 0)
    assert_verified(rivne)


def test_devices_parked_names_the_ingest_that_supplies_the_file_and_it_does(
    dropped_scene: Scene, tmp_path: Path
) -> None:
    """``devices parked`` names the remedy for a missing file (H3, session
    19): the plain line gives the item's case in the ``ingest`` command, and
    stderr names that command; ids only. Following it supplies the file and
    ends the listing. (The JSON row is unchanged: test_hand_over_files_dropped.py
    compares it whole.)"""
    scene, rivne = dropped_scene, dropped_scene.rivne
    rivne.lock()
    cli = Cli(rivne.folder, child_env(tmp_path))
    listed = cli.run("devices", "parked", secrets=[PASSPHRASE])
    said = re.findall(
        r"fieldvault ingest FILE --case (\S+) \(stored and attached to this item", listed.stdout
    )
    assert said == [scene.worker.case_id], listed.stdout
    assert "ingest it into its item's case ('fieldvault ingest FILE --case CASE_ID'" in listed.stderr
    assert "school.jpg" not in listed.stdout + listed.stderr  # the worker's file name: never

    source = _photo_file(tmp_path)
    done = cli.run("--json", "ingest", str(source), "--case", said[0], secrets=[PASSPHRASE])
    [row] = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert (row["id"], row["supplied"]) == (scene.photo_item, [scene.photo_item])
    after = cli.run("devices", "parked", secrets=[PASSPHRASE])
    assert "did not come with the history hand-over" not in after.stdout
    assert "fieldvault ingest" not in after.stdout + after.stderr
