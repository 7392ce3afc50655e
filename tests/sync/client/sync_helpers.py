"""An organisation for sync tests: a coordinator's vault that created it, a
real server (TLS, loopback, in a thread) named in its profile, and field
workers' vaults enrolled with tokens; a TCP proxy that cuts connections; a
TLS server that answers garbage."""

from __future__ import annotations

import http.server
import random
import secrets
import shutil
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from db.api import Case, NoKeyring, Vault
from db.api import Testimony as TestimonyRecord
from sync import org_vault
from sync.client.org_link import publish_profile
from sync.client.retry import Backoff
from sync.server.deploy import cert_sha256, init_server
from tests.sync.server.server_helpers import RunningServer, _serve
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE, open_vault


def new_vault(folder: Path) -> Vault:
    return Vault.create(folder, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault


def quick_backoff(attempts: int = 3) -> Backoff:
    """Retries without waiting (the waits' lengths are tested apart)."""
    return Backoff(attempts=attempts, sleep=lambda _seconds: None)


@dataclass
class Work:
    case_id: str
    testimony_id: str
    narrative: str
    evidence_id: str
    evidence: bytes


def record_work(vault: Vault, tmp: Path, name: str, size: int = 40_000) -> Work:
    """A case, a testimony with a canary and an evidence file of random bytes."""
    narrative = f"CANARY-{name}-{secrets.token_hex(8)}"
    case = vault.cases.create(Case(title=f"Case of {name}"))
    testimony = vault.testimonies.create(TestimonyRecord(case_id=case.id, title=name, narrative=narrative))
    source = tmp / f"{name}-{secrets.token_hex(4)}.bin"
    data = secrets.token_bytes(size)
    source.write_bytes(data)
    evidence_id = vault.evidence.ingest(source, case.id).item.id
    return Work(case.id, testimony.id, narrative, evidence_id, data)


def add_testimony(vault: Vault, title: str) -> None:
    """One more testimony in the vault's first case: new work, no evidence."""
    case_id = vault.cases.list()[0].id
    vault.testimonies.create(TestimonyRecord(case_id=case_id, title=title, narrative=title))


@dataclass
class Org:
    tmp: Path
    coordinator: Vault
    server: RunningServer
    port: int
    workers: list[Vault] = field(default_factory=list)

    @property
    def data(self) -> Path:
        return self.tmp / "server"

    def worker(self, name: str) -> Vault:
        """A field worker's vault enrolled with a token (registered at the
        server by its first sync, as an offline enrolment is)."""
        vault = new_vault(self.tmp / name)
        # A day, not an hour: a saved world's worker may first sync long
        # after the world was built (SavedOrg copies it into later tests, and
        # a loaded CI run has taken 44 minutes).
        token = org_vault.issue_token(self.coordinator, hours=24)
        signed = org_vault.current_signed(self.coordinator)
        org_vault.enrol(vault, signed.signed, fingerprint_given=signed.profile.fingerprint, token=token.text)
        self.workers.append(vault)
        return vault

    def second_desk(self, name: str = "lviv", label: str = "Lviv desk") -> Vault:
        """A second coordinator, named in the profile the server holds
        (locked with the others)."""
        desk = new_vault(self.tmp / name)
        signed = org_vault.current_signed(self.coordinator)
        org_vault.enrol(desk, signed.signed, fingerprint_given=signed.profile.fingerprint)
        named = org_vault.add_coordinator(self.coordinator, org_vault.own_device_card(desk).text, label=label)
        assert publish_profile(named.signed, named.profile).state == "done"
        org_vault.update_profile(desk, named.signed)
        self.workers.append(desk)
        return desk

    def stop_server(self) -> None:
        self.server.stop()

    def start_server(self) -> None:
        self.server = _serve(self.data, self.tmp / "server.log", None, port=self.port)

    def point_at(self, url: str, cert: str, receipt_key: str | None = None) -> None:
        """A new profile version naming another server, certificate or receipt key."""
        signed = org_vault.set_server(self.coordinator, url, cert, receipt_key)
        for vault in self.workers:
            org_vault.update_profile(vault, signed.signed)


@contextmanager
def organisation(tmp: Path, *, port: int = 0) -> Iterator[Org]:
    coordinator = new_vault(tmp / "coordinator")
    signed = org_vault.create_organisation(coordinator, "Field Org")
    init_server(tmp / "server", signed.profile.fingerprint, profile=signed.signed)
    server = _serve(tmp / "server", tmp / "server.log", None, port=port)
    port = int(server.url.rsplit(":", 1)[1])
    org = Org(tmp, coordinator, server, port)
    try:
        named = org_vault.set_server(coordinator, server.url, server.cert_sha256)
        assert publish_profile(named.signed, named.profile).state == "done"
        yield org
    finally:
        org.server.stop()
        for vault in [*org.workers, coordinator]:
            vault.lock()


def steady_port() -> int:
    """A free loopback port below the kernel's ephemeral range (32768 on
    Linux), so that no outgoing connection takes it while its server is
    stopped: a saved world's server comes back on the port its profile names."""
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(20_000, 32_000)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 20000 and 32000")


@dataclass(frozen=True)
class SavedOrg:
    """An organisation built once, then closed (server stopped, vaults
    locked) and kept as folders: each test gets its own copy of every vault
    and of the server's data, served again on the same port (the profiles
    name it), so tests that change the world stay apart."""

    folder: Path
    port: int
    workers: tuple[str, ...]

    @contextmanager
    def copy(self, tmp: Path) -> Iterator[Org]:
        shutil.copytree(self.folder, tmp, dirs_exist_ok=True)
        coordinator = open_vault(tmp / "coordinator")
        org = Org(
            tmp, coordinator, _serve(tmp / "server", tmp / "server.log", None, port=self.port), self.port
        )
        try:
            org.workers.extend(open_vault(tmp / name) for name in self.workers)
            yield org
        finally:
            org.server.stop()
            for vault in [*org.workers, coordinator]:
                vault.lock()


@contextmanager
def saved_organisation(folder: Path) -> Iterator[Org]:
    """An organisation to build a world in (``org.worker(name)`` for the
    workers), its server on a steady_port; once the block has ended,
    ``saved(org)`` is the SavedOrg to copy."""
    with organisation(folder, port=steady_port()) as org:
        yield org


def saved(org: Org) -> SavedOrg:
    """The SavedOrg of an organisation built by ``saved_organisation``, once
    its block has ended (server stopped, vaults locked)."""
    return SavedOrg(org.tmp, org.port, tuple(Path(vault.folder).name for vault in org.workers))


def _no_delay(*socks: socket.socket) -> None:
    """Nagle off on a relay's sockets, as the client's and the server's own
    are: else a piece relayed while the one before is not yet acknowledged
    waits for a delayed ACK (~40 ms a request through the relay on loopback,
    against ~1 ms)."""
    for sock in socks:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class CuttingProxy:
    """A TCP relay on loopback that cuts the connection (both ways) each
    time another ``every`` bytes went from the client to the server, up to
    ``cuts`` times; after that it relays faithfully. TLS passes through
    untouched: the client still sees the server's own certificate."""

    def __init__(self, target_port: int, *, every: int, cuts: int, pace: float = 0.0) -> None:
        self.target_port = target_port
        self.pace = pace  # seconds slept per piece relayed, either way: a slow link
        self.every = every
        self.cuts_left = cuts
        self.cuts_made = 0
        self.upstream = 0  # bytes relayed client -> server, all connections
        self._next_cut = every
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target_port))
            pair = (client, server)
            _no_delay(*pair)
            threading.Thread(target=self._pipe, args=(client, server, True, pair), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, False, pair), daemon=True).start()

    def _cut_now(self, count: int) -> bool:
        with self._lock:
            self.upstream += count
            if self.cuts_left and self.upstream >= self._next_cut:
                self.cuts_left -= 1
                self.cuts_made += 1
                self._next_cut = self.upstream + self.every
                return True
            return False

    def _pipe(
        self, source: socket.socket, dest: socket.socket, upstream: bool, pair: tuple[socket.socket, ...]
    ) -> None:
        try:
            while data := source.recv(65536):
                if upstream and self._cut_now(len(data)):
                    break  # the connection drops: what was not relayed is lost
                if self.pace:
                    time.sleep(self.pace)
                dest.sendall(data)
        except OSError:
            pass
        for sock in pair:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def close(self) -> None:
        self._stopped = True
        self._listener.close()


class _Garbage(http.server.BaseHTTPRequestHandler):
    """Answers every request 200 with something that is not the server's JSON."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = b"<html><body>Welcome to the hotel Wi-Fi</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Upload-Offset", "not-a-number")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PATCH = do_HEAD = _answer  # noqa: N815 - http.server's names

    def log_message(self, *_args: object) -> None:
        pass


@contextmanager
def garbage_server(tmp: Path) -> Iterator[tuple[str, str]]:
    """A TLS server answering garbage, with a certificate of its own
    (made as ``fieldvault serve --init`` makes one): (url, its SHA-256)."""
    data = tmp / "garbage-server"
    init_server(data, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Garbage)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(data / "tls-cert.pem", data / "tls-key.pem")
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{httpd.server_address[1]}", cert_sha256(data)
    finally:
        httpd.shutdown()
        httpd.server_close()


class Socks5Proxy:
    """A minimal SOCKS5 proxy (no authentication, CONNECT only, RFC 1928) on
    loopback, as Tor's SOCKS port behaves; records where it connected."""

    def __init__(self) -> None:
        self.connected: list[tuple[str, int]] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"socks5h://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    @staticmethod
    def _read(sock: socket.socket, count: int) -> bytes:
        data = b""
        while len(data) < count:
            piece = sock.recv(count - len(data))
            if not piece:
                raise OSError("closed")
            data += piece
        return data

    def _serve(self, client: socket.socket) -> None:
        with suppress(OSError), client:
            _version, methods = self._read(client, 2)
            self._read(client, methods)
            client.sendall(b"\x05\x00")
            _v, command, _r, kind = self._read(client, 4)
            if kind == 1:
                host = socket.inet_ntoa(self._read(client, 4))
            elif kind == 3:
                host = self._read(client, self._read(client, 1)[0]).decode("ascii")
            else:
                return
            port = int.from_bytes(self._read(client, 2), "big")
            if command != 1:
                return
            upstream = socket.create_connection((host, port))
            _no_delay(client, upstream)
            self.connected.append((host, port))
            client.sendall(b"\x05\x00\x00\x01" + bytes(4) + bytes(2))
            pair = (client, upstream)
            threading.Thread(target=_relay, args=(upstream, client, pair), daemon=True).start()
            _relay(client, upstream, pair)

    def close(self) -> None:
        self._listener.close()


def _relay(source: socket.socket, dest: socket.socket, pair: tuple[socket.socket, ...]) -> None:
    with suppress(OSError):
        while data := source.recv(65536):
            dest.sendall(data)
    for sock in pair:
        with suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
