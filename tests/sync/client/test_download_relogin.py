"""A download whose session ends on a reconnect goes on from what came
(session 23). Since aad65cd a download with a stop to heed closes its
connection after each silent spell of transport.STOP_POLL_S and goes on with
a range request; that request may be the first to hear that the server's
session ended (401 auth-required). The round's client logs in again, as it
does for any request, and the download must go on from the bytes already
written: it used to start again from where the call began, appending the
bundle's first bytes once more after the ones that had come, and a first
download was then marked stuck (sync-download-mismatch, the server's copy
blamed).

Real vaults, a real server on loopback behind a relay that paces what the
server sends (test_pull_cancel.SlowDownload); the session is ended by
setting its expiry in the server's database (test_login_reuse), and logins
are counted by the server's own log."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.client.connection import one_login
from sync.client.pull import pull
from sync.client.transport import STOP_POLL_S
from tests.sync.child_processes import wait_for
from tests.sync.client.sync_helpers import Org, organisation, quick_backoff
from tests.sync.client.test_login_reuse import _end_sessions
from tests.sync.client.test_pull_cancel import SlowDownload, _pushed_bundle, _Stop
from tests.sync.client.test_sync_one_login import _logins


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


def test_a_session_that_ends_on_a_downloads_reconnect_goes_on_from_what_came(
    org: Org, tmp_path: Path
) -> None:
    bundle_id, size = _pushed_bundle(org, tmp_path)
    slow = SlowDownload(org.port, pace=0.05, after=256 * 1024)
    org.point_at(slow.url, org.server.cert_sha256)
    came: list[int] = []

    def silent_spell_and_the_session_ends() -> None:
        if wait_for(lambda: slow.downstream > 512 * 1024, 60):
            slow.slow = 3 * STOP_POLL_S  # the next piece on this connection comes late
            _end_sessions(org)  # the range request after the spell is refused: auth-required
            came.append(slow.downstream)
            time.sleep(STOP_POLL_S / 2)
            slow.slow = 0  # any new connection is fast

    before = _logins(org, org.coordinator.device_id)
    try:
        threading.Thread(target=silent_spell_and_the_session_ends, daemon=True).start()
        with one_login(org.coordinator):
            result = pull(org.coordinator, backoff=quick_backoff(), cancel=_Stop())
    finally:
        slow.close()
    assert came, "no download was seen"
    assert [s.code for s in result.stuck] == [], "the bundle's first download was marked stuck"
    assert [r.bundle_id for r in result.received] == [bundle_id]
    # Every byte once: the rest came after the re-login, not all of it again.
    assert result.bytes_received == size, (result.bytes_received, size)
    # The round's login and one more: the 401 was met, and answered by a login.
    assert _logins(org, org.coordinator.device_id) - before == 2
