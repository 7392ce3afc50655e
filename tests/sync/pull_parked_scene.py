"""A pull in which another desk's edit waits for its parent (issue 14;
docs/sync.md §2.3), for the tests of what a pull says of parked revisions
(tests/sync/test_pull_parked_decisions.py, tests/desktop/test_parked_decisions_gui.py)
and of a held revision found damaged (tests/sync/test_held_revision_damaged.py).

Real vaults and a real server on loopback. A field worker the Lviv desk
never enrolled pushes its work; Kyiv pulls it, edits the worker's
testimony and pushes its own bundle, the edit alone; someone else is
revoked (Lviv then checks parents). At Lviv's pull the worker's bundle is
held in quarantine (an unknown device), then Kyiv's bundle holds the edit
back (its parent is not here) and parks it; Kyiv's bundle vouches for the
worker, so the held bundle is imported in the same pull, and its end
stores the edit.

The scene is built once per test process (the first test that asks) and
each test gets its own copy of the vaults and of the server's data
(sync_helpers.SavedOrg)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from db.api import Vault
from db.parked import parked_revision_count
from sync.client.pull import pull
from tests.sync.client.sync_helpers import SavedOrg, quick_backoff, record_work, saved, saved_organisation
from tests.sync.desk_world import add_desk, desk_push, revoke, worker_push
from tests.vault_helpers import open_vault

# Triggers that damage what the import keeps aside, as a damaged database
# would read: every parked row's signature, once it is written.
DAMAGE_PARKED_ROWS = (
    """CREATE TRIGGER damage_parked AFTER INSERT ON parked_revisions BEGIN
        UPDATE parked_revisions SET signature = zeroblob(64) WHERE revision_id = NEW.revision_id; END""",
)


@dataclass(frozen=True)
class Scene:
    lviv: Vault
    worker_id: str
    edit: str  # Kyiv's edit of the worker's testimony
    kyivs_bundle: str  # Kyiv's bundle carrying the edit alone


def run_sql(vault: Vault, *statements: str) -> None:
    """Statements run in the vault's database, as damage would change it."""
    with vault.services.context.write_transaction("test: the database as damage left it") as session:
        for statement in statements:
            session.execute(text(statement))


# The scene, built once per test process: (the saved world, (worker id, edit, Kyiv's bundle)).
_SAVED: list[tuple[SavedOrg, tuple[str, str, str]]] = []


def _saved_scene(base: Path) -> tuple[SavedOrg, tuple[str, str, str]]:
    if not _SAVED:
        folder = Path(tempfile.mkdtemp(prefix="lviv-behind-kyivs-edit-", dir=base))
        with saved_organisation(folder) as org:
            kyiv = org.coordinator
            lviv = add_desk(kyiv, folder / "lviv", label="Lviv", publish=True)
            worker, bystander = org.worker("field"), org.worker("bystander")
            try:
                work = record_work(worker, folder, "field work", size=3_000)
                worker_push(worker)
                pull(kyiv, proxy=False, backoff=quick_backoff(1))  # Kyiv takes the worker's bundle
                # Nothing waits at Kyiv: the world is the same whatever a
                # test patched (the parked slots) before it asked for it.
                assert parked_revision_count(kyiv) == 0
                edit = kyiv.testimonies.edit(work.testimony_id, title="checked at Kyiv").revision
                revoke(kyiv, bystander.device_id, publish=True, tell=[lviv])
                shared = desk_push(kyiv)
                assert shared.made is not None and shared.made.revisions == 1  # the edit alone
            finally:
                lviv.lock()
        _SAVED.append((saved(org), (worker.device_id, edit, shared.made.bundle_id)))
    return _SAVED[0]


@contextmanager
def lviv_behind_kyivs_edit(tmp_path: Path) -> Iterator[Scene]:
    """The scene above, up to Lviv's pull (not run); Lviv open, the server
    up: this test's own copy in ``tmp_path``."""
    world, (worker_id, edit, kyivs_bundle) = _saved_scene(tmp_path.parent)
    with world.copy(tmp_path):
        lviv = open_vault(tmp_path / "lviv")
        try:
            yield Scene(lviv, worker_id, edit, kyivs_bundle)
        finally:
            lviv.lock()
