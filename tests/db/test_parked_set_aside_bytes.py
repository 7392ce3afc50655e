"""The bound on the evidence bytes one signer's parked revisions name
(db/parked_bytes.py; issue 14, review 14 F2): past it a revision is past
the cap as past PARKED_CAP, never parked. Real vault, real signed
revisions imported as a desk's bundle is (``withhold``)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from db import parked_bytes
from db.keyring_store import NoKeyring
from db.parked import parked_by_signer
from db.vault import Vault
from tests.db.test_parked_import import PHOTO, PHOTO_SHA256, REVOKED, _case, _evidence
from tests.db.test_parked_set_aside import _seized_worker
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[Vault]:
    created = Vault.create(tmp_path / "vault", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2)
    try:
        yield created.vault
    finally:
        created.vault.lock()


def test_past_the_byte_bound_a_signers_evidence_revisions_do_not_park(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Room for two files of PHOTO's size: the seized worker's third item
    is past the cap (before: parked, its bytes kept, whatever their size),
    a record revision that names no file still parks, and another signer
    has its own room."""
    monkeypatch.setattr(parked_bytes, "PARKED_BYTES_CAP", 2 * len(PHOTO) + len(PHOTO) // 2)
    worker = _seized_worker(vault)
    items = [
        _evidence(worker, f"0190f3a0-0000-7000-8000-0000000001{n:02d}", n, [f"{n:064x}"]) for n in (1, 2, 3)
    ]
    note = _case(worker, 4, ["b" * 64])
    desks = _evidence(vault.services.context.identity, "0190f3a0-0000-7000-8000-000000000199", 5, ["c" * 64])
    with vault.sync.begin_import() as unit:
        unit.add_revisions([rev.to_wire() for rev in [*items, note, desks]], withhold={REVOKED.device_id})
        unit.settle_revisions()
        # As sync/bundle/vault_io.py names the items bytes are for (left-out ones dropped).
        named = unit.evidence_to_attach([item.entity_id for item in items])
        unit.add_blob(PHOTO_SHA256, len(PHOTO), io.BytesIO(PHOTO), named)
    assert unit.summary.past_parked_cap == [items[2].revision_id]
    assert sorted(unit.summary.parked_revisions) == sorted(
        [items[0].revision_id, items[1].revision_id, note.revision_id, desks.revision_id]
    )
    assert parked_by_signer(vault) == {worker.device_id: 3, vault.device_id: 1}
