"""A revision the import holds aside that no longer verifies is this vault's
fault, not the sender's (issue 14; review 14 F5; docs/sync.md §2.3).

``import_bundle`` turned every RevisionRejected from the import unit's own
re-checks into BundleRejected('revision'): the bundle refused as if its
sender had signed something bad, and a pull passed it for good (its cursor
moved on, the file was dropped). A re-check fails only when what the vault
holds aside changed under it, so the bundle is sound: now it is a local
error (``held-revision-damaged``, "run verify") that leaves the pull's
cursor before the bundle, and the next pull imports it.

Real vaults and a real server (tests/sync/pull_parked_scene.py): Lviv's
pull holds Kyiv's edit back while it reads Kyiv's bundle (its parent is
not here yet). The damage: a trigger in Lviv's database rewrites each
revision id the import holds back, as a damaged row would read."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.api import SyncClientState, Vault
from sync.bundle.vault_io import HeldRevisionDamaged
from sync.client.pull import CURSOR, pull
from tests.sync.client.sync_helpers import quick_backoff
from tests.sync.pull_parked_scene import lviv_behind_kyivs_edit, run_sql

# Another revision's id: what the damaged rows name instead of their own.
FOREIGN_ID = "ab" * 32
# The import's own table (db/sync_import.py HELD_BACK), made ahead with a
# trigger that damages every row the import holds back in it.
DAMAGE = (
    """CREATE TABLE import_held_back (
        pos INTEGER NOT NULL PRIMARY KEY, revision_id VARCHAR(64) NOT NULL,
        entity_id VARCHAR(36) NOT NULL, device_id VARCHAR(64) NOT NULL,
        signed BLOB NOT NULL, signature BLOB NOT NULL)""",
    f"""CREATE TRIGGER damage_held_back AFTER INSERT ON import_held_back BEGIN
        UPDATE import_held_back SET revision_id = '{FOREIGN_ID}' WHERE pos = NEW.pos; END""",
)


def _cursor(vault: Vault) -> int:
    return int(SyncClientState.of(vault).value(CURSOR) or "0")


def test_a_damaged_held_revision_fails_the_pull_locally_and_the_bundle_is_taken_later(tmp_path: Path) -> None:
    with lviv_behind_kyivs_edit(tmp_path) as scene:
        lviv, edit, kyivs = scene.lviv, scene.edit, scene.kyivs_bundle
        run_sql(lviv, *DAMAGE)
        with pytest.raises(HeldRevisionDamaged) as failed:
            pull(lviv, proxy=False, backoff=quick_backoff(1))
        # Before: BundleRejected('revision') caught as a refusal; the
        # pull went on past Kyiv's bundle, which was never taken.
        assert failed.value.code == "held-revision-damaged"
        assert failed.value.params == {"revision_id": FOREIGN_ID, "bundle_id": kyivs}
        assert "fieldvault verify" in str(failed.value)
        stopped_at = _cursor(lviv)
        assert lviv.sync.received_bundle(kyivs) is None  # nothing of it applied
        assert edit not in {r.revision_id for r in lviv.revisions.all()}
        assert kyivs not in {h.bundle_id for h in lviv.sync.held_bundles()}  # nor held

        # Tried again while the damage is there: the same, the cursor stays.
        with pytest.raises(HeldRevisionDamaged):
            pull(lviv, proxy=False, backoff=quick_backoff(1))
        assert _cursor(lviv) == stopped_at

        run_sql(lviv, "DROP TRIGGER damage_held_back", "DROP TABLE import_held_back")  # dealt with
        again = pull(lviv, proxy=False, backoff=quick_backoff(1))
        assert again.refused == []
        [taken] = [r for r in again.received if r.bundle_id == kyivs]
        assert taken.parked_revisions == (edit,)  # waits for the worker's revisions, as it should
        assert _cursor(lviv) > stopped_at
