"""Start-up freezes the cycle collector's view of the long-lived objects.

A full (generation 2) collection rescans every object and holds every
thread, the GUI's included: 180-305 ms during a 500-item sync
(benchmarks/bench_sync.py) before the app froze the objects its start-up
imports. Checked in a fresh Python process, since this one has imported
the database stack long ago and other tests unlock vaults (which freeze too).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import gc, sys
sys.path.insert(0, sys.argv[1])
import desktop.app
assert "db.vault" not in sys.modules
before = gc.get_freeze_count()
desktop.app.load_database_stack().join(60)
assert "db.vault" in sys.modules, "the database stack did not load"
print(before, gc.get_freeze_count())
"""


def test_loading_the_database_stack_freezes_what_start_up_imported() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(REPO_ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    before, after = (int(word) for word in done.stdout.split())
    assert before == 0
    # The imports: tens of thousands of objects (about 100k with the stack).
    assert after > 20_000
