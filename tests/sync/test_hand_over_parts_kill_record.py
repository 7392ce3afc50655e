"""kill -9 of the key desk just after a hand-over part is recorded as made
(review 18 R3). The part was noted as unfinished in a write after its
record, so a kill between the two left it recorded, in the spool and not
noted: the next round uploaded it alone, a part whose series never comes
(at the new desk it holds the devices it names until a complete hand-over
is taken). Now the part is noted before it is recorded; the next round
never uploads it, removes its spool file and makes the hand-over again.

Real vaults, a real server on loopback, the world of test_desk_hand_over
(Kyiv handed over to Lviv at its round; Lviv has not taken it yet). A day
later that hand-over is due again; the round that remakes it runs in a
child process that kills itself (SIGKILL) as soon as part 1's record is
written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from db.api import SYNC_SPOOL_DIR, SyncClientState
from sync.bundle import hand_over as hand_over_module
from sync.bundle.hand_over_in_flight import devices_awaiting
from sync.client.hand_over_sync import HAND_OVER_STATE, REMAKE_AFTER_MS, hand_over_over_server
from sync.client.worker import SyncWorker
from tests.cli_helpers import REPO
from tests.sync.desk_world import assert_verified, heads_hash
from tests.sync.test_desk_hand_over import desk_added_after_three_bundles
from tests.vault_helpers import PASSPHRASE

CHILD = """
import os, signal, sys
from pathlib import Path
from db.api import NoKeyring, Vault
from sync.bundle import hand_over as hand_over_module
from sync.client import hand_over_sync

hand_over_module.MAX_PART_LINES = 2
recorded = hand_over_module.record_or_refuse

def killed_once_recorded(*args, **kwargs):
    answer = recorded(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)  # part 1 recorded as made; nothing after it runs
    return answer

hand_over_module.record_or_refuse = killed_once_recorded
vault = Vault.open(Path(sys.argv[1]), sys.argv[2], keyring=NoKeyring())
hand_over_sync.hand_over_over_server(vault, proxy=False, now_ms=lambda: int(sys.argv[3]))
"""


def test_a_part_killed_right_after_its_record_is_never_delivered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hand_over_module, "MAX_PART_LINES", 2)
    with desk_added_after_three_bundles(tmp_path) as desks:  # Kyiv's round handed over to Lviv
        kyiv, lviv = desks.kyiv, desks.lviv
        state = SyncClientState.of(kyiv)
        later = time.time_ns() // 1_000_000 + REMAKE_AFTER_MS + 60_000  # not taken: due again
        made_before = {s.bundle_id for s in kyiv.sync.sent_bundles()}
        child = subprocess.run(
            [sys.executable, "-c", CHILD, str(kyiv.folder), PASSPHRASE, str(later)],
            env={**os.environ, "PYTHONPATH": str(REPO)},
            cwd=REPO,
            capture_output=True,
            timeout=300,
        )
        assert child.returncode == -9, child.stderr.decode(errors="replace")[-2000:]
        cut_short = [s for s in kyiv.sync.sent_bundles() if s.bundle_id not in made_before]
        assert len(cut_short) == 1  # part 1, recorded as made
        noted = json.loads(state.value(HAND_OVER_STATE) or "{}").get("unfinished", {})
        assert [s.bundle_id for s in cut_short] == noted[lviv.device_id]["parts"]  # and noted, before
        spool = kyiv.folder / SYNC_SPOOL_DIR
        files = {p.name for p in spool.iterdir()}

        hand_over_over_server(kyiv, proxy=False, now_ms=lambda: later)  # the next round
        assert state.delivery(cut_short[0].bundle_id) is None  # never uploaded
        assert len(files - {p.name for p in spool.iterdir()}) == 1  # its spool file removed

        status = SyncWorker(lviv, proxy=False).run_once()
        assert status.last_error is None and status.refused == (), status.refused
        assert devices_awaiting(lviv) == frozenset()
        assert heads_hash(lviv) == heads_hash(kyiv)
        assert_verified(kyiv, lviv)
