"""Two devices delete the same record without seeing each other's deletion:
the record is deleted and in conflict (two tombstone heads). Deleting it
again is how that conflict is resolved (Coordinator → Conflicts…, "Keep it
deleted"): one tombstone whose parents are both. A record deleted once,
with no conflict, stays not found."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.api import NotFound, Vault
from db.keyring_store import NoKeyring
from tests.factory import make_case, make_testimony
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE


def _vault(folder: Path) -> Vault:
    return Vault.create(folder, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault


def test_two_deletions_made_apart_are_joined_by_deleting_again(tmp_path: Path) -> None:
    own, other = _vault(tmp_path / "own"), _vault(tmp_path / "other")
    try:
        testimony = make_testimony(own, make_case(own).id)
        other.revisions.apply([rev.to_wire() for rev in own.revisions.all()])
        own.testimonies.delete(testimony.id)
        other.testimonies.delete(testimony.id, reason="recorded twice")
        own.revisions.apply([rev.to_wire() for rev in other.revisions.all()])
        (conflict,) = own.revisions.conflicts()
        assert conflict.entity_id == testimony.id and len(conflict.head_revision_ids) == 2
        with pytest.raises(NotFound):
            own.testimonies.get(testimony.id)

        own.testimonies.delete(testimony.id)

        assert own.revisions.conflicts() == []
        (head,) = [h for h in own.testimonies.history(testimony.id) if h.is_head]
        assert head.op == "delete" and set(head.parents) == set(conflict.head_revision_ids)
        with pytest.raises(NotFound):
            own.testimonies.delete(testimony.id)  # deleted, no conflict: nothing to delete
    finally:
        own.lock()
        other.lock()
