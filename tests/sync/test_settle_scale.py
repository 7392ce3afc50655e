"""What a coordinator's bundle costs when its revisions must wait for the
end of the bundle (issue 14, review 11 F3; db/sync_import.py
``VaultImport.settle_revisions``).

Once the organisation has revoked any device, every coordinator's bundle is
imported leniently: a revision whose parents are neither held nor stored
yet is held back until the bundle's revisions are all read, then left out
(a left-out ancestor) or stored. Before, the held-back revisions stayed in
memory whole (signed bytes and parsed bodies) and were stored in one list,
and each pass of the decision left out one generation, so a chain placed
child first took a pass per revision: 20k held back retained 38 MB (96 MB
peak), and reverse chains of 2k, 4k, 8k settled in 1.3 s, 4.2 s, 12.8 s.
Now they wait in tables of the vault, created and dropped inside the
import's transaction, and are decided by one walk along their parent links
(a recursive query), then stored a page at a time.

Real vaults and real signed revisions, fed to the import unit in pages of
1,000 as sync/bundle/vault_io.py does. The work is counted, not timed: the
lines of db/sync_import.py run while settling."""

from __future__ import annotations

import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from sqlalchemy import text

from db.device import DeviceIdentity
from db.entities import Case
from db.hlc import Timestamp
from db.keyring_store import NoKeyring
from db.parked import parked_revision_count
from db.revisions import Revision, create_revision
from db.sync_import import HELD_BACK, VaultImport
from db.vault import Vault
from db.withheld import withheld_revision_ids
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

PAGE = 1000  # as sync/bundle/vault_io.py's
ENTITY = "0190f3a0-0000-7000-8000-0000000000aa"
START_MS = 1_700_000_000_000
IMPORT_SOURCE = sys.modules[VaultImport.__module__].__file__


def _new_vault(folder: Path) -> Iterator[Vault]:
    created = Vault.create(folder, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2)
    try:
        yield created.vault
    finally:
        created.vault.lock()


def _case(identity: DeviceIdentity, n: int, parents: list[str], entity: str = ENTITY) -> Revision:
    return create_revision(
        identity,
        entity_id=entity,
        entity_type="case",
        op="put",
        body=Case(title=f"case revision {n:06d} " + "x" * 80).body(),
        parents=parents,
        hlc=Timestamp(START_MS, n),
    )


def _reverse_chain(own: DeviceIdentity, revoked: DeviceIdentity, length: int) -> list[dict[str, str]]:
    """A record a revoked device created and ``length`` edits of it, each of
    the one before, in a coordinator's bundle newest first: every edit
    waits, and every one descends from the revoked device's revision."""
    chain = [_case(revoked, 0, [])]
    for n in range(1, length + 1):
        chain.append(_case(own, n, [chain[-1].revision_id]))
    return [rev.to_wire() for rev in reversed(chain)]


class _LinesRun:
    """Counts the lines of db/sync_import.py run (other files' frames are not traced)."""

    def __init__(self) -> None:
        self.count = 0

    def __enter__(self) -> _LinesRun:
        sys.settrace(self._call)
        return self

    def __exit__(self, *_exc: object) -> None:
        sys.settrace(None)

    def _call(self, frame: FrameType, event: str, _arg: Any) -> Any:
        return self._line if frame.f_code.co_filename == IMPORT_SOURCE else None

    def _line(self, _frame: FrameType, event: str, _arg: Any) -> Any:
        if event == "line":
            self.count += 1
        return self._line


def _settle_lines(vault: Vault, wires: list[dict[str, str]], revoked: DeviceIdentity) -> tuple[int, int]:
    """(lines run settling, revisions left out) for one import of ``wires``."""
    with vault.sync.begin_import() as unit:
        for at in range(0, len(wires), PAGE):
            unit.add_revisions(wires[at : at + PAGE], withhold={revoked.device_id})
        assert unit.summary.withheld_revisions == [wires[-1]["id"]]  # only the root, so far
        with _LinesRun() as lines:
            assert unit.settle_revisions() == 0
        return lines.count, len(unit.summary.withheld_revisions)


def test_a_reverse_chain_settles_in_one_pass(tmp_path: Path) -> None:
    """Before: 2k took 6.0M lines of db/sync_import.py, 8k 96M (16x: a pass
    over every held-back revision per generation). Now 1k takes 19k and 4k
    76k (4x, about 19 a revision): lengths 1k and 4k tell linear from a pass
    per generation (4x against 16x) as well as 2k and 8k did, in half the
    time."""
    revoked = DeviceIdentity.generate()
    counted: dict[int, int] = {}
    for length in (1_000, 4_000):
        for vault in _new_vault(tmp_path / f"chain-{length}"):
            wires = _reverse_chain(vault.services.context.identity, revoked, length)
            counted[length], left_out = _settle_lines(vault, wires, revoked)
            assert left_out == length + 1
            assert withheld_revision_ids(vault) == {wire["id"] for wire in wires}
            assert vault.verify().ok
            assert _import_tables(vault) == set()  # dropped in the import's transaction
    assert counted[4_000] < 6 * counted[1_000], counted  # linear: 4x; a pass per generation: 16x
    assert counted[4_000] < 50 * 4_000, counted


def _import_tables(vault: Vault) -> set[str]:
    """The tables an import holds back revisions in that this vault holds."""
    with vault.services.context.sessions() as session:
        names = set(session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'table'")))
    return names & set(HELD_BACK.metadata.tables)


def _orphans(own: DeviceIdentity, count: int) -> list[dict[str, str]]:
    """``count`` records, each one edit naming a parent no bundle here
    carries (as when a desk's bundle arrives before the one it follows)."""
    return [
        _case(own, n, [f"{n:064x}"], entity=f"0190f3a0-0000-7000-8000-{n:012x}").to_wire()
        for n in range(1, count + 1)
    ]


def _import_peak(vault: Vault, wires: list[dict[str, str]], withhold: set[str]) -> int:
    """The peak of Python memory while importing ``wires`` in pages: with
    ``withhold``, all parked (their parents are neither here nor left
    out: db/parked.py); without, all stored."""
    tracemalloc.start()
    try:
        with vault.sync.begin_import() as unit:
            for at in range(0, len(wires), PAGE):
                unit.add_revisions(wires[at : at + PAGE], withhold=withhold)
            unit.settle_revisions()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    if withhold:
        assert unit.summary.revisions == 0 and len(unit.summary.parked_revisions) == len(wires)
    else:
        assert unit.summary.revisions == len(wires)
    return peak


def test_held_back_revisions_cost_memory_as_a_page_does(tmp_path: Path) -> None:
    """3k revisions whose parents are not here, all held back (a device is
    revoked) and then parked (stored before migration 0020): the import's
    peak stays near that of the same import without any revocation
    (nothing held back, all stored): 6.5 MB against 6.0 MB. Before review
    11 F3 the held-back revisions stayed in memory whole, then were stored
    in one list: 14.6 MB against 5.5 MB at 3k (2.7x), 38.5 MB against
    7.2 MB at 8k.

    Why 3k and not 8k (the size this was first measured at): what is
    asserted is the ratio to the import that holds nothing back, whose peak
    is about one page (1,000 revisions) whatever the count; memory that
    grows with the count shows as a ratio past 1.5 from 3 pages on (2k gave
    1.7x on the code before, 3k 2.7x, measured on a copy of ac62c8d~1), and
    under tracemalloc each revision costs time: 8k took 17 s of the suite."""
    count = 3_000
    peaks: dict[bool, int] = {}
    for held_back in (False, True):
        for vault in _new_vault(tmp_path / f"held-back-{held_back}"):
            wires = _orphans(vault.services.context.identity, count)
            withhold = {DeviceIdentity.generate().device_id} if held_back else set()
            peaks[held_back] = _import_peak(vault, wires, withhold)
            assert withheld_revision_ids(vault) == frozenset()
            stored = len(vault.revisions.since(0, 2 * count))
            assert (stored, parked_revision_count(vault)) == ((0, count) if held_back else (count, 0))
    assert peaks[True] < 1.5 * peaks[False], peaks
