"""A request's stop is that request's thread's alone (review 33 L6).
ServerClient kept the stop of "the request under way" in one attribute
for every thread using the client; its connections' streams
(transport._HeedingStream) ask it on each read and write. A request
begun on another thread while one without a stop was reading its answer
handed that one its stop: on the next silent spell the request that was
given no stop asked, and obeyed, another thread's. Now each thread's
stop is its own (threading.local): sync httpx does a request's I/O on the
caller's thread.

A real TLS server on loopback (its certificate pinned as a profile's
would be) that answers one request in three pieces, the last after a
silence longer than STOP_POLL_S, and holds the other request's answer
until the first is done, so that the second is under way, its stop given,
through that silence."""

from __future__ import annotations

import hashlib
import http.server
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.client.transport import STOP_POLL_S, ServerClient, ServerUnreachable, Stopped
from tests.sync.client.connect_proxy import self_signed

PIECE = b"x" * 1000


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    slow_arrived: threading.Event
    drip_done: threading.Event


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        if self.path == "/drip":
            self._drip()
        elif self.path == "/slow":
            self.server.slow_arrived.set()
            self.server.drip_done.wait(15)
            self._answer(b"slow")
        else:
            self._answer(b"ok")

    def _drip(self) -> None:
        """Three pieces: the second once the other request arrived (its stop
        set by then), the third after a silence longer than STOP_POLL_S."""
        self.send_response(200)
        self.send_header("Content-Length", str(3 * len(PIECE)))
        self.end_headers()
        self.wfile.write(PIECE)
        self.wfile.flush()
        self.server.slow_arrived.wait(15)
        self.wfile.write(PIECE)
        self.wfile.flush()
        threading.Event().wait(STOP_POLL_S * 1.8)
        self.wfile.write(PIECE)
        self.wfile.flush()
        self.server.drip_done.set()

    def _answer(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    cert, key = self_signed(tmp_path, "server")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    served = _Server(("127.0.0.1", 0), _Handler)
    served.slow_arrived, served.drip_done = threading.Event(), threading.Event()
    served.socket = context.wrap_socket(served.socket, server_side=True)
    threading.Thread(target=served.serve_forever, daemon=True).start()
    der = ssl.PEM_cert_to_DER_cert(cert.read_text())
    try:
        yield f"https://127.0.0.1:{served.server_address[1]}", hashlib.sha256(der).hexdigest()
    finally:
        served.shutdown()
        served.server_close()


def test_a_stop_given_on_one_thread_is_not_asked_by_a_request_on_another(server: tuple[str, str]) -> None:
    url, cert = server
    asked_on: list[str] = []

    def stop() -> bool:
        asked_on.append(threading.current_thread().name)
        return True  # obeyed by whichever request asks it

    with ServerClient(url, cert, timeout=15) as client:
        client.request("GET", "/healthz")  # connected, the certificate read and pinned
        drip: list[object] = []

        def without_a_stop() -> None:
            try:
                drip.append(client.request("GET", "/drip").content)
            except (Stopped, ServerUnreachable) as error:  # what the main thread asserts on
                drip.append(error)

        other = threading.Thread(target=without_a_stop, name="no-stop")
        other.start()
        # This thread's request, given a stop, is under way (its answer held
        # back) while the other thread's answer goes silent.
        with pytest.raises(Stopped):
            client.request("GET", "/slow", stop=stop)
        other.join(15)
    assert not other.is_alive()
    assert drip == [3 * PIECE], f"the request given no stop was ended: {drip!r}"
    assert set(asked_on) == {threading.current_thread().name}, f"the stop was asked on {asked_on}"
