"""A real server on a free loopback port, with TLS and its own certificate
(what ``fieldvault serve`` runs), in a thread of the test process; and a
small organisation made from the pure functions of sync/org.py."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyrage
import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.client.transport import ServerClient
from sync.org import (
    Coordinator,
    Profile,
    SignedProfile,
    device_id_of,
    make_token,
    new_profile,
    next_version,
    sign_profile,
)
from sync.server.deploy import cert_sha256, configure_logging, init_server, open_app
from sync.server.payloads import PayloadStore
from sync.server.service import Limits


@dataclass(frozen=True)
class Backend:
    """Where a test server keeps its metadata (a SQLAlchemy URL) and its
    payloads; None and None: SQLite and a directory in its data folder."""

    db: str | None = None
    payloads: PayloadStore | None = None


# What running_server uses. tests/sync/server/test_server_scaleout.py sets it
# to PostgreSQL + S3 and runs the same end-to-end tests again.
BACKEND = Backend()


@dataclass
class RunningServer:
    url: str
    cert_sha256: str
    data: Path
    log: Path
    server: uvicorn.Server
    thread: threading.Thread

    def client(self) -> ServerClient:
        return ServerClient(self.url, self.cert_sha256)

    def stop(self) -> None:
        self.server.should_exit = True
        self.server.force_exit = True  # do not wait for idle keep-alive connections
        self.thread.join(timeout=10)


def _serve(data: Path, log: Path, limits: Limits | None, port: int = 0) -> RunningServer:
    configure_logging(path=log)
    app = open_app(data, BACKEND.db, limits, BACKEND.payloads)
    # IPPROTO_TCP named, not left 0: asyncio turns Nagle off (TCP_NODELAY)
    # only on accepted sockets whose proto says TCP, as `fieldvault serve`'s
    # own (uvicorn.run: getaddrinfo) are. With proto 0 every answer waited
    # for a delayed ACK: ~45 ms a request on loopback instead of ~1 ms.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        ssl_certfile=str(data / "tls-cert.pem"),
        ssl_keyfile=str(data / "tls-key.pem"),
        access_log=False,
        log_level="warning",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    return RunningServer(f"https://127.0.0.1:{port}", cert_sha256(data), data, log, server, thread)


@contextmanager
def running_server(
    data: Path,
    org_fingerprint: str | None = None,
    *,
    profile: bytes | None = None,
    limits: Limits | None = None,
) -> Iterator[RunningServer]:
    """Initialise ``data`` when org_fingerprint is given, then serve it."""
    if org_fingerprint is not None:
        init_server(data, org_fingerprint, profile=profile, db=BACKEND.db, payloads=BACKEND.payloads)
    running = _serve(data, data.parent / f"{data.name}.log", limits)
    try:
        yield running
    finally:
        running.stop()


@dataclass
class Org:
    key: Ed25519PrivateKey
    coordinator_key: Ed25519PrivateKey
    coordinator_identity: pyrage.x25519.Identity
    signed: SignedProfile

    @property
    def profile(self) -> Profile:
        return self.signed.profile

    @property
    def coordinator_id(self) -> str:
        return device_id_of(self.coordinator_key.public_key().public_bytes_raw())

    @property
    def recipients(self) -> list[str]:
        return [c.age_recipient for c in self.profile.coordinators]

    def token(self, *, expires_ms: int | None = None) -> str:
        expires = expires_ms if expires_ms is not None else int(time.time() * 1000) + 3_600_000
        return make_token(self.key, self.profile.org_id, expires).text

    def next_version(self, **change: object) -> SignedProfile:
        """The next version with ``change``, as the key holder signs it
        (sync.org.next_version works out ``coordinators_since``; a copy of
        the previous version would keep a stale one when coordinators
        change)."""
        self.signed = sign_profile(next_version(self.profile, **change), self.key)
        return self.signed


def make_org(name: str = "Field Org", *, org_id: str | None = None) -> Org:
    from dataclasses import replace

    key = Ed25519PrivateKey.generate()
    coordinator_key = Ed25519PrivateKey.generate()
    identity = pyrage.x25519.Identity.generate()
    public = coordinator_key.public_key().public_bytes_raw()
    coordinator = Coordinator(device_id_of(public), public, str(identity.to_public()), "coordinator")
    profile = new_profile(name, key, coordinator)
    if org_id is not None:
        profile = replace(profile, org_id=org_id)
    return Org(key, coordinator_key, identity, sign_profile(profile, key))


def device_id(key: Ed25519PrivateKey) -> str:
    return device_id_of(key.public_key().public_bytes_raw())
