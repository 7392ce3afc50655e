"""One sync round per vault at a time (review 18 R3, docs/sync.md §5): a
round holds a lock on the vault's spool folder; another round of that vault
— the real ``fieldvault sync`` in a child process, or the app's worker in
this one — stops at once with ``sync-round-running`` and does nothing, and
runs as usual once the first round is over. Real vaults, a real server on
loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.client.round_lock import SyncRoundRunning, one_round
from sync.client.worker import SyncWorker
from tests.cli_helpers import Cli, child_env
from tests.sync.client.sync_helpers import Org, organisation, quick_backoff, record_work
from tests.vault_helpers import PASSPHRASE


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


def test_a_second_round_of_one_vault_stops_and_does_nothing(org: Org, tmp_path: Path) -> None:
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna")
    cli = Cli(anna.folder, child_env(tmp_path))
    with one_round(anna):  # a round under way (as the app's, or another command's)
        done = cli.run("--json", "sync", secrets=[PASSPHRASE], check=False)
        assert done.returncode != 0
        assert "A sync round is already running on this vault" in done.stderr
        status = SyncWorker(anna, retry=quick_backoff()).run_once()
        assert status.last_error is not None and status.last_error.code == "sync-round-running"
        assert status.sent == 0
        with pytest.raises(SyncRoundRunning), one_round(anna):
            pass
    # Over: the next round runs, and sends the work the stopped ones left.
    done = cli.run("--json", "sync", secrets=[PASSPHRASE])
    assert json.loads(done.stdout)["sent"] == 1
    assert SyncWorker(anna, retry=quick_backoff()).run_once().last_error is None
