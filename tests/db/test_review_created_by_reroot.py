"""The review's device filter ("created by", db/review.py) and a re-root
(db/reroot.py): an as-held re-root of a record a revoked worker created has
no parent, as a first revision has none, but the desk that signed it did
not create the record (review 20). Real vaults and bundles by USB
(tests/db/revocation_world.py): the worker's testimony reached Kyiv and
Lviv; then the worker was revoked and Kyiv re-rooted the testimony as held.
Lviv left the worker's line out: there the re-root is the record's only
revision, and the filter names Kyiv, as the list does (review 22 F1)."""

from __future__ import annotations

import pytest

from db import review as review_module
from db.api import ReviewFilter, ReviewService, Vault
from sync.merge.frozen_records import reroot
from tests.db.revocation_world import build
from tests.sync.desk_world import UsbDesks, usb_desks

desks = usb_desks  # the fixture, under the name the tests ask for


def _created_by(vault: Vault, device_id: str) -> set[str]:
    service = ReviewService(vault.services.context)
    found: set[str] = set()
    cursor = None
    while True:
        page = service.records(ReviewFilter(device_id=device_id), cursor=cursor, limit=50)
        found |= {record.entity_id for record in page.records}
        cursor = page.next_cursor
        if cursor is None:
            return found


def _records(vault: Vault) -> dict[str, str]:
    """Every record the review lists, with the device its row names."""
    service = ReviewService(vault.services.context)
    found: dict[str, str] = {}
    cursor = None
    while True:
        page = service.records(ReviewFilter(), cursor=cursor, limit=50)
        found |= {record.entity_id: record.device_id for record in page.records}
        cursor = page.next_cursor
        if cursor is None:
            return found


@pytest.mark.parametrize("dense", [False, True])
def test_a_re_rooted_record_is_listed_as_created_by_its_creator_only(
    desks: UsbDesks, dense: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both ways the filter is answered: through the device's records' seqs,
    # or on the index's entries by id (a device of many revisions).
    monkeypatch.setattr(review_module, "DENSE_DEVICE_REVISIONS", 1 if dense else 10**9)
    world = build(desks)
    [testimony] = {
        rev.entity_id
        for rev in world.kyiv.revisions.all()
        if rev.device_id == world.worker_id and rev.entity_type == "testimony"
    }
    kyiv_id = world.kyiv.device_id
    assert testimony in _created_by(world.kyiv, world.worker_id)
    assert testimony not in _created_by(world.kyiv, kyiv_id)
    done = reroot(world.kyiv, testimony, "as-held")
    assert done.parents == ()  # a root, as the worker's first revision
    assert testimony in _created_by(world.kyiv, world.worker_id)
    assert testimony not in _created_by(world.kyiv, kyiv_id)
    # What Kyiv did create is still listed as its own.
    assert world.control_case not in _created_by(world.kyiv, world.worker_id)
    # Lviv left the worker's line out: the re-root is the record's only
    # revision there, so the list names Kyiv, and Kyiv's filter finds it
    # (review 22 F1: it was in no device's filter).
    assert testimony not in _records(world.lviv)
    desks.to_lviv(desks.kyiv_bundle())
    assert _records(world.lviv)[testimony] == kyiv_id
    assert testimony in _created_by(world.lviv, kyiv_id)
    assert testimony not in _created_by(world.lviv, world.worker_id)
    # At Kyiv, which holds the line, the list and the filter name the worker.
    assert _records(world.kyiv)[testimony] == world.worker_id
