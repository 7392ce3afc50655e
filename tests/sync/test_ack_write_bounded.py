"""A file on the stick already named like the acknowledgement is read only up
to the acknowledgement size limit (review 12, F7): a multi-GB file of that
name is another file of that name, not replaced, and not read into memory."""

from __future__ import annotations

import os
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.acks import MAX_ACK, make_ack, write_ack
from tests.sync.trust_fixtures import Organisation, make_organisation

HUGE = 2 * 1024**3  # sparse: no disk used, but reading it whole would take 2 GiB of memory
PEAK_BOUND = 4 * 1024 * 1024  # signing and the vault's queries, with room; far below HUGE


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Organisation]:
    made = make_organisation(tmp_path)
    yield made
    made.close()


def test_a_huge_file_of_the_acknowledgements_name_is_not_read_whole_nor_replaced(org: Organisation) -> None:
    work = org.worker("field", token=org.token())
    bundle = org.export(work.vault)
    org.import_(bundle.path)
    target = org.usb / make_ack(org.coordinator, bundle.bundle_id).file_name
    with target.open("xb"):
        pass
    os.truncate(target, HUGE)
    before = sorted(p.name for p in org.usb.iterdir())

    tracemalloc.start()
    try:
        with pytest.raises(FileExistsError):
            write_ack(org.coordinator, bundle.bundle_id, org.usb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert peak < PEAK_BOUND, f"peak {peak} bytes while checking a {HUGE}-byte file"
    assert target.stat().st_size == HUGE  # not replaced
    with target.open("rb") as held:
        assert held.read(MAX_ACK) == bytes(MAX_ACK)
    assert sorted(p.name for p in org.usb.iterdir()) == before  # no temp file left

    # Once that file is gone, the acknowledgement is written as usual.
    target.unlink()
    assert write_ack(org.coordinator, bundle.bundle_id, org.usb) == target
    assert 0 < target.stat().st_size <= MAX_ACK
