"""A client whose connections could not be given a heeding stream says so,
once (review 33 L5). ServerClient gives its connection pools' network
backends a wrapper (transport._heed_stops) through httpx 0.28 / httpcore
1.0 internals; an httpx or httpcore that keeps them otherwise (a distro's,
an upgrade) left every pool unwrapped without a word, and a stop on a
silent upload waited for the 120 s timeout again. Now ServerClient checks
that each pool it expects (the direct one, and the proxy's when one is
set) was wrapped, and logs once a process when not: versions and counts
only, nothing of the server, the vault or the request.

Real vaults, the real server on loopback; the internals' change is made
in httpcore (its pools' backend held as an object that is not an
httpcore.NetworkBackend, as a refactored httpcore might), not in ours."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpcore
import pytest

from sync.client import transport
from sync.client.connection import session
from tests.sync.client.sync_helpers import Org, Socks5Proxy, organisation

NOTICE = "stops are heard only between requests"


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


class _OtherBackend:
    """What another httpcore might keep: a backend that works (every call
    passed on) but is not an httpcore.NetworkBackend."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _notices(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == transport.__name__ and NOTICE in r.getMessage()]


@pytest.mark.parametrize("through_socks", [False, True], ids=["direct", "socks5"])
def test_pools_not_wrapped_are_told_once(
    org: Org, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, through_socks: bool
) -> None:
    anna = org.worker("anna")
    socks = Socks5Proxy() if through_socks else None
    proxy = socks.url if socks is not None else None
    monkeypatch.setattr(transport, "_told_unheeded", False, raising=False)
    caplog.set_level(logging.WARNING, logger=transport.__name__)
    try:
        # As shipped: every pool wrapped, nothing said.
        with session(anna, proxy=proxy) as client:
            client.info()
        assert not _notices(caplog), "the shipped httpx's pools were not all wrapped"

        made = httpcore.ConnectionPool.__init__

        def otherwise(pool: httpcore.ConnectionPool, *args: Any, **kwargs: Any) -> None:
            made(pool, *args, **kwargs)
            pool._network_backend = _OtherBackend(pool._network_backend)  # type: ignore[assignment]

        monkeypatch.setattr(httpcore.ConnectionPool, "__init__", otherwise)
        for _ in range(2):
            with session(anna, proxy=proxy) as client:
                client.info()  # requests still work, their stops heard between them
        notices = _notices(caplog)
        assert len(notices) == 1, f"told {len(notices)} times"
        said = notices[0].getMessage()
        for private in (org.server.url, str(org.port), "127.0.0.1", anna.device_id or "no device"):
            assert private not in said, "the notice names the server or the device"
        assert socks is None or socks.connected, "nothing went through the proxy"
    finally:
        if socks is not None:
            socks.close()
