"""A stop cuts an upload whose link went silent (session 23; what aad65cd
did for downloads). A PATCH was sent with the client's full timeouts (120 s)
and the worker's stop was asked only between chunks, so on a link gone
silent with its connection open (a dropped Wi-Fi, a filtering network) a
lock's stop waited for the timeout, and the connection outlived the lock
(which waits 5 s). Now a request given a stop asks it after every
STOP_POLL_S of silence, sending or awaiting the answer, and without a stop
asked goes on waiting on the same connection: a silence shorter than the
timeout costs nothing (no chunk sent again, no new connection), as before.

Real vaults, a real server on loopback behind a relay that goes silent:
the connections open at that moment pass nothing more either way and stay
open, until they are cut or the link comes back."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest

from db.api import OperationCancelled, SyncClientState
from sync.client.connection import session, target_of
from sync.client.pull import pull
from sync.client.push import make_bundle, push, queued_bundles
from sync.client.transport import STOP_POLL_S, Stopped
from tests.sync.child_processes import ran_within
from tests.sync.client.sync_helpers import (
    CuttingProxy,
    Org,
    Socks5Proxy,
    organisation,
    quick_backoff,
    record_work,
)
from tests.sync.client.test_pull_cancel import _Stop
from tests.sync.client.test_sync_one_login import _logins

CHUNK = 256 * 1024  # fixed, so that what is sent twice is known: at most one chunk
FREEZE_AFTER = 1 << 20  # bytes from the client before the link goes silent


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


class SilentLink(CuttingProxy):
    """A relay on loopback that waits ``pace`` seconds before each piece
    from the client (a slow upload), and once ``freeze_after`` bytes went
    from the client goes silent: the connections open then pass nothing
    more either way (the piece that crossed the mark included) and stay
    open until ``cut_frozen`` or ``thaw``, or until they drop by themselves
    ``drop_after`` seconds later (as the code before this change needed,
    waiting on them for its 120 s timeouts); connections made later pass.
    Its receive buffer is small, so that a client sending a chunk larger
    than its own send buffer is still sending it when the link goes silent."""

    def __init__(self, target_port: int, *, freeze_after: int, pace: float, drop_after: float = 20.0) -> None:
        super().__init__(target_port, every=1 << 40, cuts=0)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        self.freeze_after, self.pace_up = freeze_after, pace
        self.froze = threading.Event()
        self.cut_made = 0
        self._drop = threading.Timer(drop_after, self.cut_frozen)
        self._drop.daemon = True
        self._gates: dict[int, threading.Event] = {}
        self._pairs: dict[int, tuple[socket.socket, ...]] = {}
        self._frozen: list[int] = []
        self._cut: set[int] = set()

    def _gate(self, pair: tuple[socket.socket, ...]) -> threading.Event:
        with self._lock:
            if id(pair) not in self._gates:
                gate = threading.Event()
                gate.set()
                self._gates[id(pair)], self._pairs[id(pair)] = gate, pair
            return self._gates[id(pair)]

    def _count(self, size: int) -> None:
        with self._lock:
            self.upstream += size
            if self.upstream >= self.freeze_after and not self.froze.is_set():
                for key, gate in self._gates.items():
                    if key not in self._cut:
                        gate.clear()
                        self._frozen.append(key)
                self.froze.set()
                self._drop.start()

    def _pipe(
        self, source: socket.socket, dest: socket.socket, upstream: bool, pair: tuple[socket.socket, ...]
    ) -> None:
        gate = self._gate(pair)
        try:
            while data := source.recv(65536):
                if upstream:
                    time.sleep(self.pace_up)
                    self._count(len(data))
                gate.wait()
                if id(pair) in self._cut:
                    break
                dest.sendall(data)
        except OSError:
            pass
        _close(pair)

    def cut_frozen(self) -> None:
        """The silent connections drop (both ends see it)."""
        with self._lock:
            keys, self._frozen = self._frozen, []
            self._cut.update(keys)
            self.cut_made += len(keys)
        for key in keys:
            self._gates[key].set()
            _close(self._pairs[key])

    @property
    def connections(self) -> int:
        """How many connections it relayed."""
        return len(self._gates)

    def thaw(self) -> None:
        """The link comes back: the silent connections pass again."""
        with self._lock:
            keys, self._frozen = self._frozen, []
        for key in keys:
            self._gates[key].set()

    def close(self) -> None:
        self._drop.cancel()
        self.cut_frozen()
        super().close()


def _close(pair: tuple[socket.socket, ...]) -> None:
    for sock in pair:
        with suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()


@pytest.mark.parametrize("through_socks", [False, True], ids=["direct", "socks5"])
def test_a_stop_cuts_an_upload_whose_link_went_silent_and_the_next_push_resumes_it(
    org: Org, tmp_path: Path, through_socks: bool
) -> None:
    """Directly, and through a SOCKS5 proxy as through Tor (httpx sends a
    proxy's requests through a transport of their own)."""
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna", size=4 << 20)
    silent = SilentLink(org.port, freeze_after=FREEZE_AFTER, pace=0.02)
    org.point_at(silent.url, org.server.cert_sha256)
    socks = Socks5Proxy() if through_socks else None
    proxy = socks.url if socks is not None else None
    stop = _Stop()
    stopped_at: list[float] = []

    def stop_once_silent() -> None:
        # The mark is crossed by a PATCH's body: the client is inside that
        # PATCH, its link silent, when the stop comes.
        if silent.froze.wait(60):
            stopped_at.append(time.monotonic())
            stop.event.set()

    try:
        threading.Thread(target=stop_once_silent, daemon=True).start()
        done, outcome = ran_within(
            60, lambda: push(anna, proxy=proxy, backoff=quick_backoff(), chunk=CHUNK, cancel=stop), lambda: []
        )
        ended = time.monotonic()
        assert done and stopped_at, "the push did not end, or the link never went silent"
        assert len(outcome) == 1 and isinstance(outcome[0], OperationCancelled), outcome
        waited = ended - stopped_at[0]
        assert waited < 2 * STOP_POLL_S + 1, f"the stop waited {waited:.1f} s on a silent link"
        assert socks is None or socks.connected, "nothing went through the proxy"
        silent.cut_frozen()

        # Nothing lost: the bundle waits in the spool, its upload kept to resume.
        (queued,) = queued_bundles(anna, target_of(anna))
        size = queued.path.stat().st_size
        delivery = SyncClientState.of(anna).delivery(queued.bundle_id)
        assert delivery is not None and delivery.upload_url and not delivery.delivered

        with session(anna) as client:
            kept = client.offset(delivery.upload_url)
        assert FREEZE_AFTER // 2 < kept < size, kept

        again = push(anna, proxy=proxy, backoff=quick_backoff(), chunk=CHUNK)
        assert again.sent == [queued.bundle_id]  # its receipt checked against the file
        assert again.bytes_sent == size - kept, "the next push did not resume where the server was"
        assert not queued.path.exists()
        pulled = pull(org.coordinator, backoff=quick_backoff())
        assert [r.bundle_id for r in pulled.received] == [queued.bundle_id]
    finally:
        silent.close()
        if socks is not None:
            socks.close()


def test_a_silence_without_a_stop_costs_nothing(org: Org, tmp_path: Path) -> None:
    """A stop to heed but not asked: the link goes silent for three spells
    of STOP_POLL_S while a 16 MiB chunk is being sent (the client's send
    buffer full), then comes back. The upload goes on on the same
    connection: nothing sent twice, no new connection or login, and the
    server takes the chunk as sent (its checksum), so the bytes sent in
    spells came out whole. Closing the connection after a silent spell
    instead would lose the chunk on a slow link that buffers (Tor's client
    takes hundreds of kilobytes at once, and the answer then comes late)."""
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna", size=24 << 20)
    silent = SilentLink(org.port, freeze_after=4 << 20, pace=0.0)
    org.point_at(silent.url, org.server.cert_sha256)
    made = make_bundle(anna, target_of(anna))  # made here to know its size: the push delivers it
    assert made is not None
    size = made.path.stat().st_size
    before = _logins(org, anna.device_id)
    silence = 3 * STOP_POLL_S
    connections: list[int] = []

    def thaw_later() -> None:
        if silent.froze.wait(60):
            connections.append(silent.connections)
            time.sleep(silence)
            silent.thaw()

    try:
        threading.Thread(target=thaw_later, daemon=True).start()
        started = time.monotonic()
        pushed = push(anna, backoff=quick_backoff(), chunk=16 << 20, cancel=_Stop())
        took = time.monotonic() - started
        assert silent.froze.is_set(), "the link never went silent"
        assert took > silence, "the silence was not waited out"
        assert silent.cut_made == 0
        assert pushed.sent == [made.bundle_id]  # the receipt checked against the file
        assert pushed.bytes_sent == size, (pushed.bytes_sent, size)  # nothing sent twice
        assert silent.connections == connections[0], "a new connection was made after the silence"
        assert pushed.retries == 0 and _logins(org, anna.device_id) - before == 1
        pulled = pull(org.coordinator, backoff=quick_backoff())
        assert [r.bundle_id for r in pulled.received] == [made.bundle_id]
    finally:
        silent.close()


def test_the_transports_upload_heeds_a_stop_on_a_silent_link_and_resumes(org: Org, tmp_path: Path) -> None:
    """ServerClient.upload (the server tests' and benchmarks' uploader)
    takes the same stop: Stopped, with the location a later call resumes;
    the receipt of the resumed upload checks against the server's key."""
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna", size=4 << 20)
    silent = SilentLink(org.port, freeze_after=1 << 40, pace=0.0)
    org.point_at(silent.url, org.server.cert_sha256)
    made = make_bundle(anna, target_of(anna))
    assert made is not None
    stop = threading.Event()
    stopped_at: list[float] = []

    def stop_once_silent() -> None:
        if silent.froze.wait(60):
            stopped_at.append(time.monotonic())
            stop.set()

    try:
        with session(anna) as client:
            silent.freeze_after = silent.upstream + FREEZE_AFTER  # counted from the upload's start
            silent.pace_up = 0.02
            threading.Thread(target=stop_once_silent, daemon=True).start()
            with pytest.raises(Stopped) as stopped:
                client.upload(made.path, chunk=CHUNK, stop=stop.is_set)
            waited = time.monotonic() - stopped_at[0]
            assert waited < 2 * STOP_POLL_S + 1, f"the stop waited {waited:.1f} s on a silent link"
            silent.cut_frozen()
            location = stopped.value.location
            assert location is not None
            held = client.offset(location)
            assert FREEZE_AFTER // 2 < held < made.path.stat().st_size
            silent.pace_up = 0.0
            uploaded = client.upload(made.path, location=location, chunk=CHUNK)
        assert uploaded.body["bundle_id"] == made.bundle_id
        assert uploaded.body["size"] == made.path.stat().st_size
    finally:
        silent.close()
