"""A held-back revision damaged in this vault that keeps its id is still
this vault's fault, not the sender's (issue 14; review 15 F5;
sync/bundle/vault_io.py ``_Applier.refusal``).

The fix of review 14 F5 judged by the id: a re-checked revision the
bundle's signed manifest lists was the sender's fault. A held-back row
whose signature (not its id) is damaged kept a listed id, so Kyiv's sound
bundle was refused as ``bundle-revision`` and the pull passed it for good:
the cursor moved past it and, the damage removed, nothing took it again.
The re-check of a held-back revision reads this vault's copy of bytes that
verified moments before, so any failure of it is ``held-revision-damaged``.

Real vaults and a real server (tests/sync/pull_parked_scene.py): Lviv's
pull holds Kyiv's edit back while it reads Kyiv's bundle. The damage: a
trigger in Lviv's database overwrites each held-back row's signature."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.api import SyncClientState, Vault
from sync.bundle.vault_io import HeldRevisionDamaged
from sync.client.pull import CURSOR, pull
from tests.sync.client.sync_helpers import quick_backoff
from tests.sync.pull_parked_scene import lviv_behind_kyivs_edit, run_sql

# The import's own table (db/sync_import.py HELD_BACK), made ahead with a
# trigger that damages the signature of every row held back in it.
DAMAGE_SIGNATURES = (
    """CREATE TABLE import_held_back (
        pos INTEGER NOT NULL PRIMARY KEY, revision_id VARCHAR(64) NOT NULL,
        entity_id VARCHAR(36) NOT NULL, device_id VARCHAR(64) NOT NULL,
        signed BLOB NOT NULL, signature BLOB NOT NULL)""",
    """CREATE TRIGGER damage_held_back AFTER INSERT ON import_held_back BEGIN
        UPDATE import_held_back SET signature = zeroblob(64) WHERE pos = NEW.pos; END""",
)


def _cursor(vault: Vault) -> int:
    return int(SyncClientState.of(vault).value(CURSOR) or "0")


def test_a_held_back_signature_damaged_here_stops_the_pull_and_the_bundle_is_taken_later(
    tmp_path: Path,
) -> None:
    with lviv_behind_kyivs_edit(tmp_path) as scene:
        lviv, edit, kyivs = scene.lviv, scene.edit, scene.kyivs_bundle
        run_sql(lviv, *DAMAGE_SIGNATURES)
        with pytest.raises(HeldRevisionDamaged) as failed:
            pull(lviv, proxy=False, backoff=quick_backoff(1))
        # Before: BundleRejected('revision', edit) reported as a refusal, the
        # cursor moved past Kyiv's bundle, and the next pull never took it.
        assert failed.value.params == {"revision_id": edit, "bundle_id": kyivs}
        message = str(failed.value)
        # It no longer promises that verify finds the damage (verify does not
        # read what an import holds aside): it says what to do instead.
        assert "not in the bundle" in message and "import or sync again" in message
        assert "does not" in message and "backup" in message
        stopped_at = _cursor(lviv)
        assert lviv.sync.received_bundle(kyivs) is None  # nothing of it applied
        assert edit not in {r.revision_id for r in lviv.revisions.all()}

        with pytest.raises(HeldRevisionDamaged):  # again, while the damage is there
            pull(lviv, proxy=False, backoff=quick_backoff(1))
        assert _cursor(lviv) == stopped_at

        run_sql(lviv, "DROP TRIGGER damage_held_back", "DROP TABLE import_held_back")  # dealt with
        again = pull(lviv, proxy=False, backoff=quick_backoff(1))
        assert again.refused == []
        [taken] = [r for r in again.received if r.bundle_id == kyivs]
        assert taken.parked_revisions == (edit,)  # waits for the worker's revisions, as it should
        assert _cursor(lviv) > stopped_at
        assert lviv.verify().ok
