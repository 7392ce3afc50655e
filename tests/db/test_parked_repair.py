"""A damaged parked row is replaced by the intact revision arriving again
(issue 14, review 14 F3; db/parked.py ``unlike_parked``, db/sync_import.py
``add_revisions``).

Before, a parked id counted as known whatever its row held: the intact copy
arriving again was dropped, the damaged row stayed parked for good, its
parked descendants behind it, and ``verify`` failed for the life of the
vault. Real vaults and real signed revisions fed to
``vault.sync.begin_import()`` as sync/bundle/vault_io.py feeds a desk's
bundle."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text

from db.device import DeviceIdentity
from db.keyring_store import NoKeyring
from db.parked import parked_list, parked_revision_count
from db.revisions import Revision
from db.vault import Vault
from tests.cli_helpers import Cli, child_env
from tests.db.parked_helpers import case_revision
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

ENTITY = "0190f3a0-0000-7000-8000-0000000000f1"
REVOKED = DeviceIdentity.generate()


def _chain(vault: Vault) -> tuple[Revision, Revision, Revision]:
    own = vault.services.context.identity
    parent = case_revision(own, 0, [], ENTITY)
    child = case_revision(own, 1, [parent.revision_id], ENTITY)
    return parent, child, case_revision(own, 2, [child.revision_id], ENTITY)


def _import(vault: Vault, revisions: list[Revision], *, withhold: bool = True) -> None:
    with vault.sync.begin_import() as unit:
        unit.add_revisions([r.to_wire() for r in revisions], withhold={REVOKED.device_id} if withhold else ())
        unit.settle_revisions()


def _stored(vault: Vault) -> set[str]:
    return {r.revision_id for r in vault.revisions.since(0, 100)}


def _damage(vault: Vault, revision_id: str, column: str = "signature") -> None:
    with vault.services.context.write_transaction("damage the row") as session:
        session.execute(
            text(f"UPDATE parked_revisions SET {column} = zeroblob(64) WHERE revision_id = :id"),
            {"id": revision_id},
        )


def _damaged_listed(vault: Vault) -> set[str]:
    return {row.revision_id for row in parked_list(vault)[0] if row.damaged}


def test_the_intact_copy_arriving_again_replaces_a_damaged_row_then_the_parent_stores_the_chain(
    vault: Vault,
) -> None:
    """The brief's chain P <- C <- G: C and G parked, C's signature column
    damaged, the intact C arrives again, then P: C and G are stored."""
    parent, child, grandchild = _chain(vault)
    _import(vault, [grandchild, child])
    _damage(vault, child.revision_id)
    assert _damaged_listed(vault) == {child.revision_id}  # `devices parked` says so
    assert [p.subject for p in vault.verify().problems] == [child.revision_id]

    _import(vault, [child])  # its parent still missing: parked again, intact
    assert parked_revision_count(vault) == 2 and _damaged_listed(vault) == set()
    assert vault.verify().ok

    _import(vault, [parent], withhold=False)  # the worker's own bundle
    assert _stored(vault) == {parent.revision_id, child.revision_id, grandchild.revision_id}
    assert parked_revision_count(vault) == 0
    report = vault.verify()
    assert report.ok, report.problems


def test_the_intact_copy_arriving_after_its_parent_is_stored_with_what_waited_behind_it(
    vault: Vault,
) -> None:
    """The reviewer's order: P is stored while C's row is damaged (C and G
    stay parked), then the intact C arrives: C is stored, and G with it."""
    parent, child, grandchild = _chain(vault)
    _import(vault, [grandchild, child])
    _damage(vault, child.revision_id, "signed")
    _import(vault, [parent])
    assert _stored(vault) == {parent.revision_id} and parked_revision_count(vault) == 2

    _import(vault, [child])
    assert _stored(vault) == {parent.revision_id, child.revision_id, grandchild.revision_id}
    assert parked_revision_count(vault) == 0
    report = vault.verify()
    assert report.ok, report.problems


def test_a_replaced_row_is_never_stored_without_its_parents_even_without_withhold(vault: Vault) -> None:
    """Without ``withhold`` parents are not checked, but the replaced row's
    revision waited for its parent: it is parked again, not stored."""
    _parent, child, grandchild = _chain(vault)
    _import(vault, [grandchild, child])
    _damage(vault, child.revision_id)
    _import(vault, [child], withhold=False)
    assert _stored(vault) == set() and parked_revision_count(vault) == 2
    assert vault.verify().ok


def test_an_intact_row_arriving_again_is_still_a_no_op(vault: Vault) -> None:
    _parent, child, grandchild = _chain(vault)
    _import(vault, [grandchild, child])
    before = {row.revision_id: row.parked_ms for row in parked_list(vault)[0]}
    _import(vault, [child, grandchild])
    assert {row.revision_id: row.parked_ms for row in parked_list(vault)[0]} == before


def test_devices_parked_marks_a_damaged_row(tmp_path: Path) -> None:
    """``fieldvault devices parked``: before, a damaged row read as one
    waiting for nothing ("missing_parents": [], no flag)."""
    folder = tmp_path / "listed"
    listed = Vault.create(folder, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    _parent, child, grandchild = _chain(listed)
    _import(listed, [grandchild, child])
    _damage(listed, child.revision_id)
    listed.lock()

    cli = Cli(folder, child_env(tmp_path))
    done = cli.run("devices", "parked", "--json", secrets=[PASSPHRASE])
    rows = {row["revision_id"]: row for row in map(json.loads, done.stdout.splitlines())}
    assert rows[child.revision_id]["damaged"] is True
    assert rows[grandchild.revision_id]["damaged"] is False
    printed = cli.run("devices", "parked", secrets=[PASSPHRASE]).stdout
    assert printed.count("DAMAGED") == 1
