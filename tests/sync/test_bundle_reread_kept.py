"""A re-read is kept in the vault (review 21 R4; db/rereads.py, migration
0028, ``fieldvault bundle rereads``): which bundle, when, at whose keyboard
and what it stored, by ids, so that a testimony a re-read brought can be
told afterwards from one a hand-over brought. The scene is the re-read
tests' (tests/sync/reread_world.py): W's bundle 2 carries a testimony and a
photo that Kyiv's hand-over to Rivne dropped."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from sync.bundle.errors import BundleRejected
from sync.bundle.reread import RereadRefused
from tests.cli_helpers import Cli, child_env
from tests.sync.reread_world import Scene, scene, state
from tests.vault_helpers import PASSPHRASE

__all__ = ["scene"]  # the fixture


def test_a_reread_is_kept_with_the_records_it_brought(scene: Scene) -> None:
    testimony_revision = scene.dropped[0]
    assert scene.rivne.sync.rereads() == []
    before_ms = time.time_ns() // 1_000_000
    scene.reread()
    after_ms = time.time_ns() // 1_000_000
    [kept] = scene.rivne.sync.rereads()
    assert (kept.bundle_id, kept.device_id, kept.sequence) == (
        scene.bundle.bundle_id,
        scene.worker.vault.device_id,
        2,
    )
    # The testimony, which has no custody event of its own: only this row
    # says a re-read brought it.
    assert testimony_revision in kept.applied
    assert kept.applied == tuple(sorted(scene.dropped))
    assert kept.evidence == (scene.photo_item,)
    assert kept.unparked == ()
    assert kept.user_label == scene.rivne.services.context.user_label
    assert before_ms <= kept.reread_ms <= after_ms
    # Every re-read is kept, one that stored nothing too (it was done).
    scene.reread()
    newest, oldest = scene.rivne.sync.rereads()
    assert oldest == kept
    assert newest.reread_id > kept.reread_id
    assert (newest.bundle_id, newest.applied, newest.evidence) == (scene.bundle.bundle_id, (), ())


def test_a_refused_reread_keeps_nothing(scene: Scene, tmp_path: Path) -> None:
    data = bytearray(scene.bundle.path.read_bytes())
    data[len(data) - 20] ^= 0x01  # an age tag of the payload
    flipped = tmp_path / "flipped.fvbundle"
    flipped.write_bytes(bytes(data))
    before = state(scene.rivne)
    with pytest.raises(BundleRejected) as refused:
        scene.reread(flipped)
    assert refused.value.kind == "payload-hash"
    first = next(scene.org.usb.glob(f"*-{scene.worker.vault.device_id}-1.fvbundle"))
    with pytest.raises(BundleRejected):  # made before Rivne was a recipient
        scene.reread(first)
    with pytest.raises(RereadRefused):
        scene.reread(scene.org.export(scene.org.coordinator).path)  # never received at Rivne
    assert scene.rivne.sync.rereads() == []
    assert state(scene.rivne) == before


def test_the_command_lists_them_by_ids_only(scene: Scene, tmp_path: Path) -> None:
    scene.rivne.lock()
    cli = Cli(scene.rivne.folder, child_env(tmp_path))
    empty = cli.run("bundle", "rereads", secrets=[PASSPHRASE])
    assert "No re-read is kept in this vault." in empty.stdout
    cli.run("--json", "bundle", "import", "--reread", str(scene.bundle.path), secrets=[PASSPHRASE])
    listed = cli.run("--json", "bundle", "rereads", secrets=[PASSPHRASE])
    [row] = [json.loads(line) for line in listed.stdout.splitlines() if line.strip()]
    assert row["bundle_id"] == scene.bundle.bundle_id
    assert row["device_id"] == scene.worker.vault.device_id and row["sequence"] == 2
    assert sorted(row["applied_revisions"]) == sorted(scene.dropped)
    assert row["evidence_attached"] == [scene.photo_item] and row["unparked_revisions"] == []
    assert set(row) == {
        "reread_id",
        "bundle_id",
        "device_id",
        "sequence",
        "reread_ms",
        "user_label",
        "applied_revisions",
        "unparked_revisions",
        "evidence_attached",
    }
    plain = cli.run("bundle", "rereads", secrets=[PASSPHRASE]).stdout
    assert f"bundle {scene.bundle.bundle_id} (#2 of {scene.worker.vault.device_id})" in plain
    assert "2 revision(s)" in plain and "1 evidence file(s) stored" in plain
    # Ids and counts only: never a title, a narrative or a file name.
    for text in (listed.stdout, listed.stderr, plain):
        assert "W-3" not in text and "school" not in text
