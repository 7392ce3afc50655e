"""A ``missing-file`` finding when the desk ingests the very same file itself
(session 18, H3; docs/bundle-format.md §10 "Completeness against the
workers' signatures", docs/cli.md ``devices parked``).

The scene of tests/sync/test_hand_over_files_dropped.py (real vaults, real
signed bundles by USB): Kyiv's history hand-over to Rivne carried worker
W's photo record and dropped its bytes, so Rivne lists the file
``missing-file`` for W's item. Then Rivne's coordinator gets the photo by
other means and ingests it into a case of Rivne's own: the same SHA-256,
stored here, under a new item with its own record and chain.

What is right: the finding is about W's item holding no file, and it still
holds none (``verify`` still names it, and it would show no file), so it
stays listed. But the listing no longer says the bytes are "not stored
here": it names the items that hold them (``held_as``), so the
coordinator knows the file is not lost, and that a re-read of W's own file
links them to W's item without storing them again, which ends the listing.
Before, the line and stderr said only that the file was not stored here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.api import Vault, unaccounted_list
from sync.bundle.reread import reread_bundle
from tests.cli_helpers import Cli, child_env
from tests.factory import make_case
from tests.sync.desk_world import assert_verified
from tests.sync.reread_world import PHOTO
from tests.sync.test_hand_over_files_dropped import PHOTO_SHA256, Scene, _held_bytes
from tests.sync.test_hand_over_files_dropped import scene as dropped_scene
from tests.vault_helpers import PASSPHRASE

__all__ = ["dropped_scene"]


@pytest.fixture
def held(dropped_scene: Scene, tmp_path: Path) -> Iterator[tuple[Scene, str]]:
    """Rivne ingests the photo itself, into a case of its own: the item it made."""
    case = make_case(dropped_scene.rivne, title="Rivne's own copies")
    source = tmp_path / "from-the-worker-by-hand.jpg"
    source.write_bytes(PHOTO)
    item = dropped_scene.rivne.evidence.ingest(source, case.id).item
    assert item.id != dropped_scene.photo_item and item.sha256 == PHOTO_SHA256
    yield dropped_scene, item.id


def _missing_file(vault: Vault) -> list[tuple[str | None, str | None, tuple[str, ...]]]:
    rows, _total = unaccounted_list(vault)
    return [(r.sha256, r.evidence_id, r.held_as) for r in rows if r.problem == "missing-file"]


def test_it_stays_listed_naming_the_item_that_holds_the_same_bytes(held: tuple[Scene, str]) -> None:
    scene, desk_item = held
    assert _held_bytes(scene.rivne) == PHOTO  # the bytes are here now
    assert _missing_file(scene.rivne) == [(PHOTO_SHA256, scene.photo_item, (desk_item,))]
    # W's item still holds no file: the listing and verify say the same thing.
    problems = [(p.kind, p.subject, p.detail) for p in scene.rivne.verify().problems]
    assert ("evidence", scene.photo_item, "has no stored file") in problems
    assert not any(subject == desk_item for _kind, subject, _detail in problems)


def test_devices_parked_says_the_bytes_are_here_under_that_item(
    held: tuple[Scene, str], tmp_path: Path
) -> None:
    scene, desk_item = held
    scene.rivne.lock()
    cli = Cli(scene.rivne.folder, child_env(tmp_path))
    listed = cli.run("--json", "devices", "parked", secrets=[PASSPHRASE]).stdout
    [row] = [r for r in (json.loads(line) for line in listed.splitlines() if line.strip()) if "problem" in r]
    assert row["problem"] == "missing-file" and row["evidence_id"] == scene.photo_item
    assert row["held_as"] == [desk_item]
    plain = cli.run("devices", "parked", secrets=[PASSPHRASE])
    assert (
        f"the same bytes ARE stored here, as evidence item(s) {desk_item}: the file is not lost, but this "
        "item is not linked to it"
    ) in plain.stdout, plain.stdout
    assert "(1 of them stored here under another item, the same bytes: not lost, not linked)" in plain.stderr
    # The worker's item still takes the very file ingested into its own case (H3, session 19).
    assert (
        f"ingest it into the item's case: fieldvault ingest FILE --case {scene.worker.case_id} "
        in plain.stdout
    )
    assert "from-the-worker-by-hand" not in plain.stdout + plain.stderr  # ids and hashes only


def test_a_reread_links_the_bytes_held_here_and_ends_the_listing(held: tuple[Scene, str]) -> None:
    scene, desk_item = held
    done = reread_bundle(
        scene.rivne, scene.bundle, scene.rivne.vault_keys.age_identity(), org_id=scene.org.org_id
    )
    assert scene.photo_item in done.evidence_attached
    assert done.blobs == 0  # nothing stored again: the bytes held here are attached
    assert _missing_file(scene.rivne) == []
    assert unaccounted_list(scene.rivne) == ([], 0)
    assert _held_bytes(scene.rivne) == PHOTO
    assert scene.rivne.evidence.get(desk_item).sha256 == PHOTO_SHA256  # the desk's own item untouched
    assert_verified(scene.rivne)


def test_without_a_copy_here_the_listing_names_no_item(dropped_scene: Scene) -> None:
    assert _missing_file(dropped_scene.rivne) == [(PHOTO_SHA256, dropped_scene.photo_item, ())]
    rows, _total = unaccounted_list(dropped_scene.rivne)
    assert "held_as" not in rows[0].to_json()
