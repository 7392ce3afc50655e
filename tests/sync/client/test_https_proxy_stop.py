"""A request given a stop keeps the server's TLS through an ``https://``
proxy (review 33 M2). While a stop is given, the connection's stream
(transport._HeedingStream) sends on the stream's socket itself, in spells
of STOP_POLL_S; through an ``https://`` proxy httpcore's stream is TLS
inside the TLS to the proxy, and its socket is the outer one: the HEAD and
PATCHes of an upload given a stop (the bearer token, the chunk) went to the
proxy encrypted only for the proxy, and the server, reading them as TLS,
broke the connection. The raw socket is now written only when the
stream's TLS is the socket's own.

Real vaults, the real server on loopback, a real CONNECT proxy behind TLS
in front of it (tests/sync/client/connect_proxy.py) whose certificate the
client trusts as a system's would (SSL_CERT_FILE): what the proxy saw,
decrypted from its own TLS, is checked for the request in the clear."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.client.connection import session, target_of
from sync.client.errors import SyncFailed
from sync.client.push import make_bundle
from tests.sync.client.connect_proxy import ConnectProxy
from tests.sync.client.sync_helpers import Org, organisation, record_work

CHUNK = 256 * 1024


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


def test_an_upload_given_a_stop_through_an_https_proxy_keeps_the_servers_tls(
    org: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna", size=1 << 20)
    made = make_bundle(anna, target_of(anna))
    assert made is not None
    bundle = made.path.read_bytes()
    proxy = ConnectProxy(tmp_path)
    assert proxy.cert is not None
    monkeypatch.setenv("SSL_CERT_FILE", str(proxy.cert))  # the proxy trusted as a system's would be
    asked: list[bool] = []

    def stop() -> bool:
        asked.append(True)
        return False

    token: str | None = None
    failed: SyncFailed | None = None
    try:
        try:
            with session(anna, proxy=proxy.url) as client:
                token = client._token
                uploaded = client.upload(made.path, chunk=CHUNK, stop=stop)
        except SyncFailed as error:  # on the code before: the server broke the connection
            failed = error
        seen = proxy.seen
        assert token is not None and proxy.connected, "the login did not go through the proxy"
        assert {port for _host, port in proxy.connected} == {org.port}, proxy.connected
        # Booleans only: a failure's message must not print what the proxy saw.
        token_seen = token.encode() in seen
        assert not token_seen, "the proxy saw the bearer token"
        in_clear = [
            clear for clear in (b"Authorization", b"PATCH ", b"HEAD ", b"Upload-Offset") if clear in seen
        ]
        assert not in_clear, f"the proxy saw {in_clear} in the clear"
        middle = len(bundle) // 2
        bundle_seen = bundle[middle : middle + 64] in seen
        assert not bundle_seen, "the proxy saw the bundle's bytes as sent"
        assert failed is None, f"the upload failed: {failed}"
        assert asked, "the stop was never asked"
        assert uploaded.body["bundle_id"] == made.bundle_id  # its receipt checked: the server took it whole
        assert uploaded.body["size"] == len(bundle)
        assert len(seen) > len(bundle), "the upload did not go through the proxy"
    finally:
        proxy.close()
