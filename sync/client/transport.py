"""A minimal client of the server (docs/server.md, "API"): HTTPS with the
certificate pinned by the organisation profile, optionally through a SOCKS5
proxy; enrolment, login by a signed challenge, profile upload, tus upload,
and the coordinator's side. The background sync worker builds on this.

Pinning: the first connection only reads the server's certificate (a GET of
/healthz, nothing secret sent) and compares its SHA-256 with the pinned one;
every later request trusts exactly that certificate and nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import httpcore
import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.client.chunking import ChunkSizer
from sync.server.protocol import TUS_VERSION, b64, challenge_message, enrol_message, unb64
from sync.server.receipts import Receipt, verify_receipt

logger = logging.getLogger(__name__)

# While a download has a stop to heed, silence on the link for this long
# closes the connection to ask it (review 32 M1: a lock's stop waited for
# the next byte, up to the read timeout); the download then goes on with a
# range request. A request given a stop (an upload's) asks it after each
# such spell without closing anything (_HeedingStream).
STOP_POLL_S = 1.0


def _read_and_hash(file: BinaryIO, size: int) -> tuple[bytes, str]:
    """The next ``size`` bytes and their base64 sha256 (tus Upload-Checksum)."""
    data = file.read(size)
    return data, base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


class ServerUnreachable(Exception):
    """No answer from the server (network, DNS, proxy, TLS handshake)."""


class Stopped(Exception):
    """A stop was asked during a request given one (``request(stop=...)``),
    heard within STOP_POLL_S even on a silent link; the connection is
    closed. From ``upload``: ``location`` is the upload, which the server
    keeps with every whole chunk it took and a later call resumes."""

    def __init__(self, location: str | None = None) -> None:
        super().__init__("stopped")
        self.location = location


class _HeedingStream(httpcore.NetworkStream):
    """A connection's byte stream that, during a request given a stop
    (``heeded()`` returns it), waits for the link in spells of STOP_POLL_S
    and asks the stop after each (review 32 M1, for uploads: a stop on a
    silent link waited for the 120 s timeout). A stop asked raises Stopped;
    otherwise the wait goes on, on the same connection, up to the request's
    own timeout, as without a stop. Nothing is cut by silence alone: a slow
    link that buffers a chunk (Tor's client takes hundreds of kilobytes at
    once) answers late but loses nothing."""

    def __init__(
        self, inner: httpcore.NetworkStream, heeded: Callable[[], Callable[[], bool] | None]
    ) -> None:
        self._inner = inner
        self._heeded = heeded

    @staticmethod
    def _step(timeout: float | None, waited: float) -> float:
        return STOP_POLL_S if timeout is None else max(0.0, min(STOP_POLL_S, timeout - waited))

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        stop = self._heeded()
        if stop is None:
            return self._inner.read(max_bytes, timeout)
        waited = 0.0
        while True:
            step = self._step(timeout, waited)
            try:
                return self._inner.read(max_bytes, step)
            except httpcore.ReadTimeout:
                waited += step
                if stop():
                    raise Stopped() from None
                if timeout is not None and waited >= timeout:
                    raise

    def _own_socket(self) -> socket.socket | None:
        """The socket to send on in spells: only one whose TLS, if any, is
        the stream's own. Through an ``https://`` proxy httpcore's stream is
        the server's TLS inside the TLS to the proxy, and its "socket" is
        the outer one: bytes sent on it would be encrypted for the proxy
        only (review 33 M2: the bearer token and the chunk in the proxy's
        clear). Such a stream, or any this cannot tell, is written through
        its own write: a stop is then heard between requests and while an
        answer is awaited, not during a silent send."""
        sock = self._inner.get_extra_info("socket")
        tls = self._inner.get_extra_info("ssl_object")
        if isinstance(sock, ssl.SSLSocket):
            # CPython's SSLSocket keeps its TLS state in _sslobj, which
            # httpcore's plain stream reports as its ssl_object; not there
            # (another Python), the fallback is the safe one.
            own = getattr(sock, "_sslobj", None)
            return sock if tls is not None and tls is own else None
        return sock if isinstance(sock, socket.socket) and tls is None else None

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        stop = self._heeded()
        sock = self._own_socket() if stop is not None else None
        if stop is None or sock is None:
            self._inner.write(buffer, timeout)
            return
        # As httpcore's own write, each send given the timeout (a TLS
        # socket's send is all or nothing within it and is asked again with
        # the same bytes), but in spells of STOP_POLL_S.
        left = memoryview(buffer)
        waited = 0.0
        while left:
            step = self._step(timeout, waited)
            try:
                sock.settimeout(step)
                sent = sock.send(left)
            except TimeoutError:
                waited += step
                if stop():
                    raise Stopped() from None
                if timeout is not None and waited >= timeout:
                    raise httpcore.WriteTimeout("the write timed out") from None
                continue
            except OSError as error:
                raise httpcore.WriteError(str(error)) from None
            left = left[sent:]
            waited = 0.0

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _HeedingStream(self._inner.start_tls(ssl_context, server_hostname, timeout), self._heeded)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _HeedingBackend(httpcore.NetworkBackend):
    """Connections whose streams are _HeedingStreams (a SOCKS proxy's too)."""

    def __init__(
        self, inner: httpcore.NetworkBackend, heeded: Callable[[], Callable[[], bool] | None]
    ) -> None:
        self._inner = inner
        self._heeded = heeded

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _HeedingStream(stream, self._heeded)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        return _HeedingStream(self._inner.connect_unix_socket(path, timeout, socket_options), self._heeded)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


_told_unheeded = False  # logged once a process (_check_heeded)


def _check_heeded(wrapped: int, expected: int) -> None:
    """Say once, with versions and counts only, that a client's pools were
    not all given heeding streams (review 33 L5): stops are then heard
    only between requests, and a stop on a silent upload waits for the
    timeout."""
    global _told_unheeded
    if wrapped == expected or _told_unheeded:
        return
    _told_unheeded = True
    logger.warning(
        "stops are heard only between requests: %d of %d connection pools could be given "
        "a heeding stream (httpx %s, httpcore %s; _heed_stops knows httpx 0.28, httpcore 1.0)",
        wrapped,
        expected,
        httpx.__version__,
        httpcore.__version__,
    )


def _heed_stops(client: httpx.Client, heeded: Callable[[], Callable[[], bool] | None]) -> int:
    """Give the client's connections _HeedingStreams, direct ones and a
    proxy's (httpx mounts a proxy's transport beside the default one).
    httpx builds its connection pools with no say in their network backend,
    so each pool's is wrapped (httpx 0.28, httpcore 1.0 internals); returns
    how many were. Were it fewer than the client's pools, stops would be
    heard only between requests there: ServerClient says so once
    (_check_heeded), and tests/sync/client/test_push_silent_link.py fails."""
    mounts = getattr(client, "_mounts", None) or {}
    wrapped = 0
    for transport in [getattr(client, "_transport", None), *mounts.values()]:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if pool is not None and isinstance(backend, httpcore.NetworkBackend):
            pool._network_backend = _HeedingBackend(backend, heeded)
            wrapped += 1
    return wrapped


class PinMismatch(Exception):
    """The server's certificate is not the pinned one: maybe an interceptor."""

    def __init__(self, expected: str, actual: str) -> None:
        super().__init__(f"the server's certificate is {actual}, not the pinned {expected}")
        self.expected = expected
        self.actual = actual


class ServerSaid(Exception):
    """The server refused: its HTTP status and stable code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Uploaded:
    bundle_id: str
    receipt: Receipt
    body: dict[str, Any]


def _raise_for(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    try:
        error = response.json()["error"]
        code, message = str(error["code"]), str(error["message"])
    except (ValueError, KeyError, TypeError):
        code = response.headers.get("Fieldvault-Error", "http-error")
        message = f"HTTP {response.status_code}"
    raise ServerSaid(response.status_code, code, message)


def _peer_certificate(response: httpx.Response) -> bytes:
    stream = response.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    der = ssl_object.getpeercert(True) if ssl_object is not None else None
    if not der:
        raise ServerUnreachable("no TLS certificate was seen")
    return bytes(der)


def pinned_context(der: bytes) -> ssl.SSLContext:
    """Trust exactly this certificate, whatever names it carries."""
    context = ssl.create_default_context(cadata=ssl.DER_cert_to_PEM_cert(der))
    context.check_hostname = False
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    return context


class ServerClient:
    def __init__(
        self,
        url: str,
        cert_sha256: str,
        *,
        proxy: str | None = None,
        timeout: float | httpx.Timeout = 30.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.cert_sha256 = cert_sha256.lower().replace(":", "")
        self.proxy = proxy
        self.timeout = timeout
        self._http: httpx.Client | None = None
        self._token: str | None = None
        self.server_key: bytes | None = None
        # The stop of the request under way on each thread (review 33 L6:
        # sync httpx does a request's I/O on its caller's thread, and a
        # request on another thread must neither ask nor clear it).
        self._stops = threading.local()

    # -- connection ------------------------------------------------------------------

    def _client(self) -> httpx.Client:
        """Connections go direct or through ``proxy``, never through one the
        environment names (``trust_env=False``: no HTTPS_PROXY, HTTP_PROXY,
        ALL_PROXY, NO_PROXY, nor .netrc credentials): sync's proxy is the
        vault's choice (docs/sync.md §4; review 33 M2)."""
        if self._http is None:
            # A bare client context: the probe trusts nothing and only reads the
            # certificate, so loading the system's CA bundle (~40 ms) is waste.
            probe_context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            probe_context.check_hostname = False
            probe_context.verify_mode = ssl.CERT_NONE
            try:
                # Streamed: the certificate is read while the connection is open
                # (a server that answers "Connection: close" has closed it once a
                # plain get() returns, and its certificate is gone).
                with (
                    httpx.Client(
                        verify=probe_context, proxy=self.proxy, timeout=self.timeout, trust_env=False
                    ) as probe,
                    probe.stream("GET", f"{self.url}/healthz") as response,
                ):
                    der = _peer_certificate(response)
            except httpx.HTTPError as error:
                raise ServerUnreachable(type(error).__name__) from None
            actual = hashlib.sha256(der).hexdigest()
            if actual != self.cert_sha256:
                raise PinMismatch(self.cert_sha256, actual)
            self._http = httpx.Client(
                base_url=self.url,
                verify=pinned_context(der),
                proxy=self.proxy,
                timeout=self.timeout,
                trust_env=False,
            )
            # The direct pool, and the proxy's (environment proxies are off).
            _check_heeded(_heed_stops(self._http, self._heeded), 2 if self.proxy else 1)
        return self._http

    def _heeded(self) -> Callable[[], bool] | None:
        """The stop of the request under way on this thread, if it has one."""
        stop: Callable[[], bool] | None = getattr(self._stops, "stop", None)
        return stop

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def __enter__(self) -> ServerClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def request(
        self, method: str, path: str, *, stop: Callable[[], bool] | None = None, **kwargs: Any
    ) -> httpx.Response:
        """``stop``: asked after every STOP_POLL_S the link is silent while
        the request is sent or its answer awaited (_HeedingStream); when it
        says True, Stopped is raised and the connection closed."""
        headers = dict(kwargs.pop("headers", {}) or {})
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token}"
        try:
            client = self._client()
            self._stops.stop = stop
            response = client.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as error:
            raise ServerUnreachable(type(error).__name__) from None
        finally:
            self._stops.stop = None
        _raise_for(response)
        return response

    # -- organisation, enrolment, login ----------------------------------------------

    def info(self) -> dict[str, Any]:
        info: dict[str, Any] = self.request("GET", "/v1/server").json()
        return info

    def put_profile(self, signed: bytes) -> dict[str, Any]:
        answer: dict[str, Any] = self.request(
            "PUT", "/v1/profile", content=signed, headers={"Content-Type": "application/octet-stream"}
        ).json()
        return answer

    def get_profile(self) -> bytes:
        return self.request("GET", "/v1/profile").content

    def enrol(self, token: str, key: Ed25519PrivateKey) -> str:
        public = key.public_key().public_bytes_raw()
        body = {
            "token": token,
            "device_key": b64(public),
            "signature": b64(key.sign(enrol_message(token, public))),
        }
        device_id: str = self.request("POST", "/v1/enrol", json=body).json()["device_id"]
        return device_id

    def login(
        self, key: Ed25519PrivateKey, device_id: str, *, expect_key: Callable[[bytes], None] | None = None
    ) -> None:
        """Log in by signing the server's challenge. ``expect_key`` sees the
        receipt key the challenge came with before anything is signed: it
        raises to stop a login to a server with the wrong key."""
        asked = self.request("POST", "/v1/auth/challenge", json={"device_id": device_id}).json()
        server_key = unb64(asked["server_key"], 32)
        if server_key is None:
            raise ServerSaid(200, "server-key-form", "the server's key is malformed")
        if expect_key is not None:
            expect_key(server_key)
        self.server_key = server_key
        signature = key.sign(challenge_message(asked["challenge"], device_id, server_key))
        answer = self.request(
            "POST",
            "/v1/auth/token",
            json={"device_id": device_id, "challenge": asked["challenge"], "signature": b64(signature)},
        ).json()
        self._token = answer["token"]

    # -- upload (tus) ------------------------------------------------------------------

    def create_upload(self, length: int, *, metadata: str | None = None) -> str:
        """A new tus upload; ``metadata`` is its ``Upload-Metadata`` (a
        coordinator's relay statement, sync/server/relay_statement.py)."""
        headers = {"Tus-Resumable": TUS_VERSION, "Upload-Length": str(length)}
        if metadata is not None:
            headers["Upload-Metadata"] = metadata
        response = self.request("POST", "/v1/uploads", headers=headers)
        location: str = response.headers["Location"]
        return location

    def offset(self, location: str, *, stop: Callable[[], bool] | None = None) -> int:
        return int(
            self.request("HEAD", location, headers={"Tus-Resumable": TUS_VERSION}, stop=stop).headers[
                "Upload-Offset"
            ]
        )

    def upload(
        self,
        path: Path,
        *,
        location: str | None = None,
        chunk: int | None = None,
        metadata: str | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> Uploaded:
        """Upload a bundle file (resuming ``location`` when given) in PATCHes
        of ``chunk`` bytes (None: sized to the link, sync/client/chunking.py)
        and return its receipt, checked against the server's key. ``metadata``:
        the new upload's ``Upload-Metadata``, as for create_upload. ``stop``
        is asked between PATCHes and, during the offset's HEAD and each
        PATCH, after every STOP_POLL_S the link is silent: when it says True,
        Stopped is raised with the upload's ``location``, which a later call
        resumes. Silence alone ends the upload only after the client's
        timeout, as without a stop."""
        size = path.stat().st_size
        location = location or self.create_upload(size, metadata=metadata)
        try:
            return self._upload(path, size, location, ChunkSizer(chunk), stop)
        except Stopped:
            raise Stopped(location) from None

    def _upload(
        self, path: Path, size: int, location: str, sizer: ChunkSizer, stop: Callable[[], bool] | None
    ) -> Uploaded:
        offset = self.offset(location, stop=stop)
        bundle_id: str | None = None
        with path.open("rb") as file, ThreadPoolExecutor(1, thread_name_prefix="upload-read") as reader:
            file.seek(offset)
            upcoming = reader.submit(_read_and_hash, file, sizer.size)
            while offset < size or bundle_id is None:
                if stop is not None and stop():
                    raise Stopped()
                data, digest = upcoming.result()
                # Sized by the PATCHes before this one: read while it travels.
                upcoming = reader.submit(_read_and_hash, file, sizer.size)
                started = time.monotonic()
                response = self.request(
                    "PATCH",
                    location,
                    content=data,
                    headers={
                        "Tus-Resumable": TUS_VERSION,
                        "Upload-Offset": str(offset),
                        "Content-Type": "application/offset+octet-stream",
                        "Upload-Checksum": f"sha256 {digest}",
                    },
                    stop=stop,
                )
                sizer.sent(len(data), time.monotonic() - started)
                offset = int(response.headers["Upload-Offset"])
                bundle_id = response.headers.get("Fieldvault-Bundle-Id")
                if not data and bundle_id is None:
                    raise ServerSaid(200, "upload-stalled", "the server took no more bytes")
        receipt = self.receipt(bundle_id)
        return Uploaded(bundle_id, receipt, self.check_receipt(receipt))

    def receipt(self, bundle_id: str) -> Receipt:
        return Receipt.from_json(self.request("GET", f"/v1/bundles/{bundle_id}/receipt").json())

    def check_receipt(self, receipt: Receipt) -> dict[str, Any]:
        if self.server_key is None:
            raise ServerSaid(0, "not-logged-in", "log in first: the server key comes with the challenge")
        return verify_receipt(receipt, self.server_key)

    # -- coordinators --------------------------------------------------------------------

    def changes(self, cursor: int = 0, limit: int = 100) -> dict[str, Any]:
        answer: dict[str, Any] = self.request(
            "GET", "/v1/changes", params={"cursor": cursor, "limit": limit}
        ).json()
        return answer

    def receipts(self, start: int = 1, limit: int = 100) -> list[Receipt]:
        answer = self.request("GET", "/v1/receipts", params={"from": start, "limit": limit}).json()
        return [Receipt.from_json(r) for r in answer["receipts"]]

    def download(
        self, bundle_id: str, out: BinaryIO, *, start: int = 0, stop: Callable[[], bool] | None = None
    ) -> int:
        """Write the bundle's bytes from ``start`` to ``out`` (a range
        request: a broken download resumes); returns the bytes written.
        ``stop`` is asked after each piece as it arrives from the network,
        and after every ``STOP_POLL_S`` of silence: when it says True the
        connection is closed there, with what came written (the caller
        resumes from it later). Without a stop, silence ends the download
        after the client's read timeout, as before; with one, each silent
        spell closes the connection and the download goes on with a range
        request, until that timeout's worth of silence in a row. A refusal
        this client answers by logging in again (a sync round's, ending
        session: ``_logged_in_again``) is asked again from the byte reached,
        and the bytes of both requests are counted in what is returned."""
        base = httpx.Timeout(self.timeout)
        polled = min(STOP_POLL_S, base.read or STOP_POLL_S)
        timeout = (
            base
            if stop is None
            else httpx.Timeout(connect=base.connect, read=polled, write=base.write, pool=base.pool)
        )
        allowed = base.read or 0.0
        written = silent = 0
        while True:
            at = start + written
            headers = {"Range": f"bytes={at}-"} if at else {}
            try:
                with self._client().stream(
                    "GET", f"/v1/bundles/{bundle_id}", headers={**headers, **self._auth()}, timeout=timeout
                ) as response:
                    if response.status_code >= 400:
                        response.read()
                        try:
                            _raise_for(response)
                        except ServerSaid as said:
                            # A session that ended on a reconnect (after a
                            # silent spell) or before the first byte: logged
                            # into again, the download goes on from what was
                            # written, never from ``start`` again.
                            if not self._logged_in_again(said):
                                raise
                            continue
                    # Each piece as the network gives it (not gathered into 4 MiB
                    # pieces as before): a stop is seen within one read, on a slow link too.
                    for piece in response.iter_bytes():
                        out.write(piece)
                        written += len(piece)
                        silent = 0
                        if stop is not None and stop():
                            return written
                    return written
            except httpx.ReadTimeout:
                # A link gone silent, the connection still open (a dropped
                # Wi-Fi, a filtering network): a lock's stop must not wait
                # for it (review 32 M1).
                if stop is None:
                    raise ServerUnreachable("ReadTimeout") from None
                if stop():
                    return written
                silent += 1
                if silent * STOP_POLL_S >= allowed:
                    raise ServerUnreachable("ReadTimeout") from None
            except httpx.HTTPError as error:
                raise ServerUnreachable(type(error).__name__) from None

    def _logged_in_again(self, said: ServerSaid) -> bool:
        """Whether a refusal was an ended session now logged into again (a
        sync round's client, connection.py ``_RoundClient``); this client
        does not log in by itself."""
        return False

    def ack(self, bundle_id: str) -> None:
        self.request("POST", f"/v1/bundles/{bundle_id}/ack")

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"} if self._token else {}
