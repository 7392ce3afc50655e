"""The steps of one sync round share one login (connection.one_login), but
the server's session ends a fixed time after the login, whatever is done in
it (docs/server.md §3): a worker's long push must not leave its inbox step a
login that ends under it. A login is reused only while the server's session
has time left (the token answer's ``expires_ms``), a session that ends
inside a step anyway is logged into again once a round, and a second ended
session is still a refusal.

Real servers on loopback; a session is ended by the server's own lifetime
(``Limits.session_ttl_ms``) or by setting its expiry in the server's
database; logins are counted by the server's own log."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from sync.client.connection import one_login
from sync.client.errors import SyncFailed
from sync.client.inbox import receive_inbox
from sync.client.push import push, spool_dir
from sync.server.service import Limits
from tests.sync.client.sync_helpers import Org, organisation, quick_backoff, record_work
from tests.sync.client.test_sync_one_login import _logins
from tests.sync.server.server_helpers import _serve


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


def _restart_with(org: Org, limits: Limits) -> None:
    org.stop_server()
    org.server = _serve(org.data, org.tmp / "server.log", limits, port=org.port)


def _end_sessions(org: Org) -> None:
    """Every session the server holds ends now, as after its 15 minutes."""
    with sqlite3.connect(org.data / "server.db") as db:
        db.execute("UPDATE sessions SET expires_ms = 0")


def _wait_until_sessions_end(org: Org) -> None:
    """Until every session the server holds has ended by its own lifetime:
    its ``expires_ms``, by the wall clock the server reads too."""
    with closing(sqlite3.connect(org.data / "server.db")) as db:
        (last,) = db.execute("SELECT max(expires_ms) FROM sessions").fetchone()
    assert last is not None, "no session to wait for"
    time.sleep(max(0.0, last / 1000 - time.time()) + 0.1)


def _sleep_until(deadline: float) -> None:
    time.sleep(max(0.0, deadline - time.monotonic()))


def test_a_session_that_ended_between_steps_is_logged_into_again(org: Org, tmp_path: Path) -> None:
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna")
    with one_login(anna):
        assert len(push(anna, backoff=quick_backoff()).sent) == 1
        _end_sessions(org)  # the push took the session's last minutes
        receive_inbox(anna, backoff=quick_backoff())  # was: sync refused (auth-required)
    assert _logins(org, anna.device_id) == 2  # the round's login, and one more


def test_a_login_is_reused_only_while_the_servers_session_lasts(org: Org, tmp_path: Path) -> None:
    # Sessions of 6 s: the second step comes after the first login ended and
    # logs in before it starts, so the one re-login of the round is left for
    # a session that ends inside a step (the third one here). Not 3 s: the
    # first push runs 0.1-0.3 s after its login on an idle machine, so one
    # slowed ten- to thirtyfold outlasts a 3 s session and takes the round's
    # one re-login; the third step is then refused.
    lifetime = 6.0
    _restart_with(org, Limits(session_ttl_ms=int(lifetime * 1000)))
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna")
    with one_login(anna):
        assert len(push(anna, backoff=quick_backoff()).sent) == 1
        pushed = time.monotonic()
        # The session ends by its own lifetime, and the client's reuse of the
        # login has ended too: about half of a short session (connection.py
        # _reuse_for) from a login it noted before the push ended, and a
        # second more, as the server's Date it reckons from can be stale.
        _wait_until_sessions_end(org)
        _sleep_until(pushed + lifetime / 2 + 1)
        receive_inbox(anna, backoff=quick_backoff())
        _end_sessions(org)
        record_work(anna, tmp_path, "anna-2")
        assert len(push(anna, backoff=quick_backoff()).sent) == 1
    assert _logins(org, anna.device_id) == 3


def test_a_second_ended_session_in_a_round_is_a_refusal(org: Org, tmp_path: Path) -> None:
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna")
    with one_login(anna):
        push(anna, backoff=quick_backoff())
        _end_sessions(org)
        receive_inbox(anna, backoff=quick_backoff())  # logged in again
        _end_sessions(org)
        record_work(anna, tmp_path, "anna-2")
        with pytest.raises(SyncFailed) as refused:
            push(anna, backoff=quick_backoff())
    assert refused.value.code == "sync-refused" and refused.value.params["reason"] == "auth-required"
    assert _logins(org, anna.device_id) == 2  # no second re-login, no loop
    assert len(list(spool_dir(anna).iterdir())) == 1  # the new bundle stays queued
