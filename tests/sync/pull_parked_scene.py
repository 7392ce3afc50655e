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
stores the edit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from db.api import Vault
from sync.client.pull import pull
from tests.sync.client.sync_helpers import organisation, quick_backoff, record_work
from tests.sync.desk_world import add_desk, desk_push, revoke, worker_push

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


@contextmanager
def lviv_behind_kyivs_edit(tmp_path: Path) -> Iterator[Scene]:
    """The scene above, up to Lviv's pull (not run); Lviv open, the server up."""
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
            yield Scene(lviv, worker.device_id, edit, shared.made.bundle_id)
        finally:
            lviv.lock()
