"""What deciding parked revisions costs (issue 14, review 13 F1/F3;
db/sync_import.py ``_decide_parked``, db/parked.py ``ready_order``).

A desk's bundle read while some device is revoked may carry a chain of
edits child first (an honest desk that stored an edit before its parent
arrived exports it first; a compromised one may choose any order): every
edit but the oldest parks, and is then decided. Before, one generation per
round, each round rescanning the parked table: 1,000 edits held the write
lock for 64 s, 2,000 did not finish in 15 minutes. Now one topological
walk, stored a page at a time.

Real vaults and real signed revisions fed to the import unit in pages of
1,000 as sync/bundle/vault_io.py does. The work is counted, not timed: the
SQL statements the import runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from db.device import DeviceIdentity
from db.parked import parked_revision_count
from db.vault import Vault
from tests.sync.test_settle_scale import PAGE, _case, _new_vault


class _Statements:
    """Counts the SQL statements any engine runs while open."""

    def __init__(self) -> None:
        self.count = 0

    def _one(self, *_args: Any) -> None:
        self.count += 1

    def __enter__(self) -> _Statements:
        event.listen(Engine, "before_cursor_execute", self._one)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(Engine, "before_cursor_execute", self._one)


def _chain(own: DeviceIdentity, length: int) -> list[dict[str, str]]:
    """A desk's record and ``length`` edits of it, each of the one before, newest first."""
    chain = [_case(own, 0, [])]
    for n in range(1, length + 1):
        chain.append(_case(own, n, [chain[-1].revision_id]))
    return [rev.to_wire() for rev in reversed(chain)]


def _import(vault: Vault, wires: list[dict[str, str]], withhold: set[str]) -> tuple[int, list[str]]:
    """(statements run, unparked ids) for one import of ``wires``."""
    with _Statements() as statements, vault.sync.begin_import() as unit:
        for at in range(0, len(wires), PAGE):
            unit.add_revisions(wires[at : at + PAGE], withhold=withhold)
        unit.settle_revisions()
    return statements.count, unit.summary.unparked_revisions


def _stored(vault: Vault) -> int:
    return len(vault.revisions.since(0, 100_000))


def test_a_chain_child_first_in_one_bundle_is_stored_in_one_walk(tmp_path: Path) -> None:
    withhold = {DeviceIdentity.generate().device_id}  # some device is revoked
    counted: dict[int, int] = {}
    for length in (500, 2_000):
        for vault in _new_vault(tmp_path / f"one-{length}"):
            wires = _chain(vault.services.context.identity, length)
            counted[length], _unparked = _import(vault, wires, withhold)
            assert _stored(vault) == length + 1 and parked_revision_count(vault) == 0
            assert vault.verify().ok
    # A page at a time: 95 and 153 statements here. Before, a round per
    # generation, each several statements: over 2,000 for 2,000 edits.
    assert counted[2_000] < 1_000, counted
    assert counted[2_000] < 6 * counted[500], counted


def test_a_parked_chain_whose_root_comes_later_is_stored_in_one_walk(tmp_path: Path) -> None:
    """The desk's edits of a worker's record park (the worker's bundle not
    read yet); the worker's bundle then brings the record's creation."""
    withhold = {DeviceIdentity.generate().device_id}
    counted: dict[int, int] = {}
    for length in (500, 2_000):
        for vault in _new_vault(tmp_path / f"later-{length}"):
            root = _case(vault.services.context.identity, 0, [])  # the worker's, in effect
            wires = _rechain(vault, root.to_wire(), length)
            _count, _ = _import(vault, wires[:-1], withhold)
            assert parked_revision_count(vault) == length
            counted[length], unparked = _import(vault, wires[-1:], set())
            assert len(unparked) == length and parked_revision_count(vault) == 0
            assert _stored(vault) == length + 1
    assert counted[2_000] < 1_000, counted  # 48 and 83 here; before, a round per generation
    assert counted[2_000] < 6 * counted[500], counted


def _rechain(vault: Vault, root: dict[str, str], length: int) -> list[dict[str, str]]:
    """``length`` edits by this vault of ``root``, newest first, then ``root``."""
    own = vault.services.context.identity
    parent = root["id"]
    chain = []
    for n in range(1, length + 1):
        rev = _case(own, n, [parent])
        chain.append(rev.to_wire())
        parent = rev.revision_id
    return [*reversed(chain), root]
