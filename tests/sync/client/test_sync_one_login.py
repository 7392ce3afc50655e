"""One sync round logs in once (docs/sync.md §5): a field worker's push
and then its inbox, a coordinator's pull and then its send-back, share one
connection and one login — counted at a real server on loopback by its own
log's ``login`` events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.client.worker import SyncWorker
from tests.sync.client.sync_helpers import Org, add_testimony, organisation, quick_backoff, record_work


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


def _logins(org: Org, device_id: str) -> int:
    """The server's own count: its ``login`` events naming the device."""
    count = 0
    for line in (org.tmp / "server.log").read_text().splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("event") == "login" and record.get("device_id") == device_id:
            count += 1
    return count


def test_a_workers_round_and_a_coordinators_round_each_log_in_once(org: Org, tmp_path: Path) -> None:
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna")
    worker = SyncWorker(anna, retry=quick_backoff())
    before = _logins(org, anna.device_id)
    status = worker.run_once()  # push, then the inbox
    assert status.last_error is None and status.sent == 1
    assert _logins(org, anna.device_id) - before == 1

    coordinator = SyncWorker(org.coordinator, retry=quick_backoff())
    before = _logins(org, org.coordinator.device_id)
    status = coordinator.run_once()  # pull, then the send-back
    assert status.last_error is None and status.received == 1
    assert _logins(org, org.coordinator.device_id) - before == 1

    # The next round: one login again.
    add_testimony(anna, "more")
    before = _logins(org, anna.device_id)
    assert worker.run_once().sent == 1
    assert _logins(org, anna.device_id) - before == 1
