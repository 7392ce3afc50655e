"""Review 7 #6: the receipt alarms and the receipts waiting for a
coordinator's comparison (docs/sync.md §2.2) are read, changed and written
back by more than one lane at once — a USB import on the GUI's export lane
while the background sync's pull ends on the sync lane. Each change is one
write transaction, so what one lane adds is never overwritten by another:
"an alarm is never dropped". Two real threads on one vault."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from db.api import Vault
from sync.bundle.carried_receipts import (
    LOG_DIFFERS,
    ReceiptAlarm,
    add_alarms,
    alarms,
    audited,
    queue_for_audit,
    to_audit,
)
from sync.bundle.format import CarriedReceipt
from tests.sync.client.sync_helpers import new_vault

ROUNDS = 40


def _together(*lanes: Callable[[], None]) -> None:
    """Run the lanes on threads of their own, started at the same moment."""
    start = threading.Barrier(len(lanes))

    def run(lane: Callable[[], None]) -> None:
        start.wait()
        lane()

    with ThreadPoolExecutor(len(lanes)) as pool:
        for running in [pool.submit(run, lane) for lane in lanes]:
            running.result(timeout=120)  # a lane's failure is raised here


def _alarm(lane: str, n: int) -> ReceiptAlarm:
    return ReceiptAlarm(LOG_DIFFERS, n + 1, lane * 32, "b" * 64, f"{n:064x}", None, 1_800_000_000_000)


def _receipt(n: int) -> CarriedReceipt:
    return CarriedReceipt(n + 1, f'{{"index":{n + 1}}}'.encode(), bytes(64))


def test_alarms_added_by_two_lanes_at_once_are_all_kept(tmp_path: Path) -> None:
    vault: Vault = new_vault(tmp_path / "vault")

    def lane(name: str) -> Callable[[], None]:
        def adding() -> None:
            for n in range(ROUNDS):
                add_alarms(vault, [_alarm(name, n)])

        return adding

    _together(lane("a"), lane("c"))
    kept = {(a.device_id[0], a.index) for a in alarms(vault)}
    assert kept == {(name, n + 1) for name in "ac" for n in range(ROUNDS)}


def test_receipts_queued_by_an_import_while_a_pull_drops_what_it_compared_are_kept(
    tmp_path: Path,
) -> None:
    vault: Vault = new_vault(tmp_path / "vault")
    compared = [_receipt(n) for n in range(ROUNDS, 2 * ROUNDS)]
    for receipt in compared:
        queue_for_audit(vault, "d" * 32, "e" * 64, (receipt,))
    done = to_audit(vault)

    def importing() -> None:
        for n in range(ROUNDS):
            queue_for_audit(vault, "f" * 32, "c" * 64, (_receipt(n),))

    def pulling() -> None:
        for item in done:  # the pull drops what it compared, one by one
            audited(vault, [item])

    _together(importing, pulling)
    assert sorted(item.receipt.index for item in to_audit(vault)) == [n + 1 for n in range(ROUNDS)]
