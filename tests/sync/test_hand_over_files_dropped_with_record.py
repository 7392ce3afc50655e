"""A hand-over that dropped a photo's record AND its bytes (the re-read
scene, tests/sync/reread_world.py): the file is recorded ``missing-file``
but not listed while its item is not stored here (the record's own
``missing`` finding is what shows: one line, not two), and a re-read of the
worker's file ends both (docs/bundle-format.md §10)."""

from __future__ import annotations

import hashlib

from db.api import unaccounted_list
from db.model import HandOverUnaccounted
from tests.sync.reread_world import PHOTO, Scene, scene

__all__ = ["scene"]  # the fixture


def _recorded_files(scene: Scene) -> list[tuple[str, str]]:
    with scene.rivne.services.context.sessions() as session:
        rows = session.query(HandOverUnaccounted).filter(HandOverUnaccounted.problem == "missing-file")
        return [(r.sha256, r.evidence_id) for r in rows]


def test_the_file_of_a_dropped_record_waits_behind_the_record(scene: Scene) -> None:
    assert _recorded_files(scene) == [(hashlib.sha256(PHOTO).hexdigest(), scene.photo_item)]
    rows, total = unaccounted_list(scene.rivne)
    assert total == 2 and {r.problem for r in rows} == {"missing"}
    assert sorted(r.revision_id or "" for r in rows) == sorted(scene.dropped)
    scene.reread()
    assert unaccounted_list(scene.rivne) == ([], 0)
