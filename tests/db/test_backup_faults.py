"""A USB stick that fills up (or fails) in the middle of a backup: every write
from the nth on fails (libfault, tests/faults). The backup then reports the
disk error, leaves nothing on the stick (its partial copy removed, no folder
with a backup's name), and the vault itself is untouched; a backup that did
finish opens and verifies."""

from __future__ import annotations

import errno
import json
from pathlib import Path

from db.vault import Vault
from tests.evidence_samples import make_random
from tests.factory import make_case, make_testimony
from tests.faults import run_with_faults
from tests.vault_helpers import open_vault

CHILD = r"""
import errno, json, sys
from pathlib import Path
from tests.faults import arm
from tests.vault_helpers import open_vault
from db.errors import FieldvaultError

folder, usb_root, nths = Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3])
# One interpreter for all the points (starting one per point was most of the
# test's time): each point opens the vault afresh and backs up to its own
# folder on the "stick".
for nth in nths:
    usb = usb_root / f"point-{nth}"
    usb.mkdir()
    vault = open_vault(folder)
    arm.arm("write", nth, errno.ENOSPC, sticky=True)
    try:
        result = vault.back_up(usb)
        outcome = {"ok": True, "path": str(result.path)}
    except FieldvaultError as err:
        outcome = {"ok": False, "code": err.code, "params": err.params}
    arm.disarm()
    outcome["writes"] = arm.count("write")
    vault.lock()
    print(json.dumps({"nth": nth, **outcome}), flush=True)
"""
# Points of the sweep (the first writes, the last, and evenly between).
SAMPLES = 12


def run_backups(fault_lib: Path, folder: Path, usb_root: Path, nths: list[int]) -> list[dict[str, object]]:
    """Back up with every write from the nth on failing, for each nth (0:
    count the writes only); the backup of nth goes to usb_root/point-nth."""
    usb_root.mkdir(exist_ok=True)
    done = run_with_faults(fault_lib, CHILD, [str(folder), str(usb_root), json.dumps(nths)])
    assert done.returncode == 0, done.stderr[-2000:]
    outcomes = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert [o["nth"] for o in outcomes] == nths, done.stderr[-2000:]
    return outcomes


def test_a_stick_that_fills_up_midway_leaves_nothing(fault_lib: Path, vault: Vault, tmp_path: Path) -> None:
    case = make_case(vault)
    make_testimony(vault, case.id)
    for number in range(3):
        vault.evidence.ingest(make_random(tmp_path / f"f{number}.bin", 1_500_000, seed=number), case.id)
    folder = vault.folder
    vault.lock()
    sticks = tmp_path / "usb"

    (counted,) = run_backups(fault_lib, folder, sticks, [0])  # nth 0: count the writes only
    assert counted["ok"] is True
    total = int(str(counted["writes"]))
    assert total > 10
    for entry in list((sticks / "point-0").iterdir()):
        with open_vault(entry) as copy:
            assert copy.verify().ok

    points = sorted({1, 2, 3, total, *(1 + i * total // SAMPLES for i in range(SAMPLES))})
    failed = 0
    for nth, outcome in zip(points, run_backups(fault_lib, folder, sticks, points), strict=True):
        usb = sticks / f"point-{nth}"
        if outcome["ok"]:
            # The last writes can belong to the vault's own 'last backup' setting,
            # which may fail without undoing a finished backup.
            (entry,) = list(usb.iterdir())
            with open_vault(entry) as copy:
                assert copy.verify().ok, nth
            continue
        failed += 1
        assert outcome["code"] == "storage-failed", outcome
        # SQLite reports some failed writes (a truncate, a sync) as an I/O error.
        assert outcome["params"] in ({"errno": errno.ENOSPC}, {"errno": errno.EIO}), outcome
        assert list(usb.iterdir()) == [], nth  # no partial copy, nothing that looks like a backup
    assert failed >= len(points) - 2
    with open_vault(folder) as original:
        assert original.verify().ok
        assert original.evidence.count() == 3
