"""kill -9 of the key desk while its sync round writes a split hand-over
(review 17 F3): each part is recorded as made when written, so parts 1..k
of a series whose last part never comes stayed in the spool, and the push
delivered them. Now each part is noted as unfinished as it is made; the push
leaves those alone, and the next round removes their spool files (the
desk's own) and makes the hand-over again, which the new desk takes whole.

Real vaults, a real server on loopback, the world of test_desk_hand_over
(Kyiv handed over to Lviv at its round; Lviv has not taken it yet). A day
later that hand-over is due again; the round that remakes it runs in a
child process that kills itself (SIGKILL) as the third part starts."""

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
written = hand_over_sync.hand_over

def killed_as_part_three_starts(*args, **kwargs):
    def on_part(number, of):
        if number == 3:
            os.kill(os.getpid(), signal.SIGKILL)
    return written(*args, on_part=on_part, **kwargs)

hand_over_sync.hand_over = killed_as_part_three_starts
vault = Vault.open(Path(sys.argv[1]), sys.argv[2], keyring=NoKeyring())
hand_over_sync.hand_over_over_server(vault, proxy=False, now_ms=lambda: int(sys.argv[3]))
"""


def test_a_series_cut_short_by_a_kill_is_never_delivered_and_is_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hand_over_module, "MAX_PART_LINES", 2)
    with desk_added_after_three_bundles(tmp_path) as desks:  # Kyiv's round handed over to Lviv
        kyiv, lviv = desks.kyiv, desks.lviv
        state = SyncClientState.of(kyiv)
        first = json.loads(state.value(HAND_OVER_STATE) or "{}")["watch"][lviv.device_id]
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
        assert len(cut_short) == 2  # parts 1 and 2, recorded as made
        spool = kyiv.folder / SYNC_SPOOL_DIR
        files = {p.name for p in spool.iterdir()}

        again = hand_over_over_server(kyiv, proxy=False, now_ms=lambda: later)  # the next round
        for sent in cut_short:
            assert state.delivery(sent.bundle_id) is None  # never uploaded
        assert len(files - {p.name for p in spool.iterdir()}) == 2  # their spool files removed
        watched = json.loads(state.value(HAND_OVER_STATE) or "{}")
        assert "unfinished" not in watched
        series = watched["watch"][lviv.device_id]
        assert again.made == [(lviv.device_id, series["parts"][-1])] and series["remakes"] == 1
        assert not {s.bundle_id for s in cut_short} & set(series["parts"])
        assert all((d := state.delivery(p)) is not None and d.delivered for p in series["parts"])
        assert first["parts"][-1] in series["bundle_ids"]

        status = SyncWorker(lviv, proxy=False).run_once()  # both series in its inbox
        assert status.last_error is None and status.refused == (), status.refused
        assert heads_hash(lviv) == heads_hash(kyiv)
        assert_verified(kyiv, lviv)
