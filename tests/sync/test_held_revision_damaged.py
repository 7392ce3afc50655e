"""A revision the import holds aside that no longer verifies is this vault's
fault, not the sender's (issue 14; review 14 F5; docs/sync.md §2.3).

``import_bundle`` turned every RevisionRejected from the import unit's own
re-checks into BundleRejected('revision'): the bundle refused as if its
sender had signed something bad, and a pull passed it for good (its cursor
moved on, the file was dropped). A re-check fails only when what the vault
holds aside changed under it, so the bundle is sound: now it is a local
error (``held-revision-damaged``, "run verify") that leaves the pull's
cursor before the bundle, and the next pull imports it.

The scene, real vaults and a real server on loopback: a field worker
unknown to the Lviv desk pushes its work (Lviv holds that bundle in
quarantine); Kyiv pulls it, edits the worker's testimony and pushes its own
bundle, the edit alone; someone else is revoked, so Lviv holds the edit
back while it reads the bundle (its parent is not here). The damage: a
trigger in Lviv's database rewrites each revision id the import holds back,
as a damaged row would read."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from db.api import SyncClientState, Vault
from sync.bundle.vault_io import HeldRevisionDamaged
from sync.client.pull import CURSOR, pull
from tests.sync.client.sync_helpers import organisation, quick_backoff, record_work
from tests.sync.desk_world import add_desk, desk_push, revoke, worker_push

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


def _sql(vault: Vault, *statements: str) -> None:
    with vault.services.context.write_transaction("test: the database as damage left it") as session:
        for statement in statements:
            session.execute(text(statement))


def _cursor(vault: Vault) -> int:
    return int(SyncClientState.of(vault).value(CURSOR) or "0")


def test_a_damaged_held_revision_fails_the_pull_locally_and_the_bundle_is_taken_later(tmp_path: Path) -> None:
    with organisation(tmp_path) as org:
        kyiv = org.coordinator
        lviv = add_desk(kyiv, tmp_path / "lviv", label="Lviv", publish=True)
        worker, bystander = org.worker("field"), org.worker("bystander")
        try:
            work = record_work(worker, tmp_path, "field work", size=3_000)
            worker_push(worker)
            pull(kyiv, proxy=False, backoff=quick_backoff(1))  # Kyiv takes the worker's bundle
            edit = kyiv.testimonies.edit(work.testimony_id, title="checked at Kyiv").revision
            revoke(kyiv, bystander.device_id, publish=True, tell=[lviv])
            shared = desk_push(kyiv)
            assert shared.made is not None and shared.made.revisions == 1  # the edit alone
            kyivs = shared.made.bundle_id

            _sql(lviv, *DAMAGE)
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
            assert [h.bundle_id for h in lviv.sync.held_bundles()] != [kyivs]  # not held as refused

            # Tried again while the damage is there: the same, the cursor stays.
            with pytest.raises(HeldRevisionDamaged):
                pull(lviv, proxy=False, backoff=quick_backoff(1))
            assert _cursor(lviv) == stopped_at

            _sql(lviv, "DROP TRIGGER damage_held_back", "DROP TABLE import_held_back")  # dealt with
            again = pull(lviv, proxy=False, backoff=quick_backoff(1))
            assert again.refused == []
            [taken] = [r for r in again.received if r.bundle_id == kyivs]
            assert taken.parked_revisions == (edit,)  # waits for the worker's revisions, as it should
            assert _cursor(lviv) > stopped_at
        finally:
            lviv.lock()
