"""Sync goes where the vault says, never through a proxy the environment
names (review 33 M2). The app's proxy is a vault setting, ``sync_proxy``
(SOCKS5, for Tor; docs/sync.md §4). httpx by default also takes
HTTPS_PROXY, HTTP_PROXY and ALL_PROXY from the environment: a vault with
no proxy set sent its bundles, bearer token and login through whatever
proxy the desktop session or a shell profile named, which the user never
chose in the app (and, an ``https://`` one, with a stop given, encrypted
for the proxy only). ServerClient's clients now ignore the environment.

Real vaults, the real server on loopback, a real CONNECT proxy named in
every proxy variable, recording each connection it is asked for."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.client.pull import pull
from sync.client.push import push
from tests.sync.client.connect_proxy import ConnectProxy
from tests.sync.client.sync_helpers import (
    Org,
    Socks5Proxy,
    add_testimony,
    organisation,
    quick_backoff,
    record_work,
)

VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy", "all_proxy")


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


@pytest.mark.parametrize("tls", [False, True], ids=["http-proxy", "https-proxy"])
def test_a_proxy_the_environment_names_carries_no_sync(
    org: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tls: bool
) -> None:
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna")
    proxy = ConnectProxy(tmp_path if tls else None)
    if proxy.cert is not None:
        monkeypatch.setenv("SSL_CERT_FILE", str(proxy.cert))  # trusted, were it used
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in VARIABLES:
        monkeypatch.setenv(name, proxy.url)
    socks = Socks5Proxy()
    try:
        pushed = push(anna, backoff=quick_backoff())
        assert len(pushed.sent) == 1, pushed
        pulled = pull(org.coordinator, backoff=quick_backoff())
        assert [r.bundle_id for r in pulled.received] == pushed.sent
        assert not proxy.requests, "sync went through the environment's proxy"

        # The vault's own choice still holds, the environment's set or not.
        add_testimony(anna, "through the vault's proxy")
        again = push(anna, proxy=socks.url, backoff=quick_backoff())
        assert len(again.sent) == 1, again
        assert socks.connected, "the vault's proxy was not used"
        assert not proxy.requests, "sync went through the environment's proxy"
    finally:
        proxy.close()
        socks.close()
