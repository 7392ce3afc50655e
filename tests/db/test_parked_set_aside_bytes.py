"""The bound on the evidence bytes one signer's parked revisions name
(db/parked_bytes.py; issue 14, review 14 F2): past it a revision is past
the cap as past PARKED_CAP, never parked. Real vault, real signed
revisions imported as a desk's bundle is (``withhold``)."""

from __future__ import annotations

import io

import pytest

from db import parked_bytes
from db.device import DeviceIdentity
from db.entities import EvidenceItem
from db.hlc import Timestamp
from db.parked import parked_by_signer
from db.revisions import Revision, create_revision
from db.vault import Vault
from tests.db.parked_helpers import case_revision
from tests.db.test_parked_import import CASE_ID, PHOTO, PHOTO_SHA256, REVOKED, _evidence
from tests.db.test_parked_set_aside import _seized_worker


def _item(worker: DeviceIdentity, n: int, sha256: str, size: int) -> Revision:
    """An evidence item of ``worker`` naming the file (sha256, size), its
    parent missing here (so it parks)."""
    return create_revision(
        worker,
        entity_id=f"0190f3a0-0000-7000-8000-0000000002{n:02d}",
        entity_type="evidence",
        op="put",
        body=EvidenceItem(case_id=CASE_ID, original_name=f"clip {n}.mp4", sha256=sha256, size=size).body(),
        parents=[f"{n:064x}"],
        hlc=Timestamp(1_700_000_000_000, n),
    )


def _park(vault: Vault, revisions: list[Revision]) -> tuple[list[str], list[str]]:
    """(parked, past the cap) of one desk-bundle import of ``revisions``."""
    with vault.sync.begin_import() as unit:
        unit.add_revisions([rev.to_wire() for rev in revisions], withhold={REVOKED.device_id})
        unit.settle_revisions()
    return list(unit.summary.parked_revisions), list(unit.summary.past_parked_cap)


def test_past_the_byte_bound_a_signers_evidence_revisions_do_not_park(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Room for two files of PHOTO's size: the seized worker's item naming a
    third file is past the cap (before the bound: parked, its bytes kept,
    whatever their size), a record revision that names no file still
    parks, and another signer has its own room."""
    monkeypatch.setattr(parked_bytes, "PARKED_BYTES_CAP", 2 * len(PHOTO) + len(PHOTO) // 2)
    worker = _seized_worker(vault)
    items = [_evidence(worker, "0190f3a0-0000-7000-8000-000000000101", 1, ["1" * 64])] + [
        _item(worker, n, f"{n:064x}", len(PHOTO)) for n in (2, 3)
    ]
    note = case_revision(worker, 4, ["b" * 64])
    desks = _evidence(vault.services.context.identity, "0190f3a0-0000-7000-8000-000000000199", 5, ["c" * 64])
    with vault.sync.begin_import() as unit:
        unit.add_revisions([rev.to_wire() for rev in [*items, note, desks]], withhold={REVOKED.device_id})
        unit.settle_revisions()
        # As sync/bundle/vault_io.py names the items bytes are for: PHOTO is the first's.
        named = unit.evidence_to_attach([items[0].entity_id])
        unit.add_blob(PHOTO_SHA256, len(PHOTO), io.BytesIO(PHOTO), named)
    assert unit.summary.past_parked_cap == [items[2].revision_id]
    assert sorted(unit.summary.parked_revisions) == sorted(
        [items[0].revision_id, items[1].revision_id, note.revision_id, desks.revision_id]
    )
    assert parked_by_signer(vault) == {worker.device_id: 3, vault.device_id: 1}


def test_a_file_named_by_several_parked_revisions_counts_once(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review 15 F6: every revision naming a file counted its whole size, so
    an item's edits (each names the file its creation named) used up the
    room. Three items naming one file, room for one and a half: all park."""
    monkeypatch.setattr(parked_bytes, "PARKED_BYTES_CAP", len(PHOTO) + len(PHOTO) // 2)
    worker = _seized_worker(vault)
    first = [_item(worker, n, PHOTO_SHA256, len(PHOTO)) for n in (1, 2)]
    assert _park(vault, first) == (sorted(r.revision_id for r in first), [])
    third = _item(worker, 3, PHOTO_SHA256, len(PHOTO))  # a later import, the same file
    assert _park(vault, [third]) == ([third.revision_id], [])


def test_a_signer_with_nothing_parked_may_park_one_file_larger_than_the_bound(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review 15 F6: an honest recording larger than the bound could never
    wait for its parent at any desk. Its signer's first file parks whatever
    its size; a second file is past the cap."""
    monkeypatch.setattr(parked_bytes, "PARKED_BYTES_CAP", 1_000)
    worker = _seized_worker(vault)
    large = _item(worker, 1, "a" * 64, 5_000)
    assert _park(vault, [large]) == ([large.revision_id], [])
    another = _item(worker, 2, "d" * 64, 10)
    assert _park(vault, [another]) == ([], [another.revision_id])
