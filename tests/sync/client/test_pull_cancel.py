"""A pull's import stops on cancel (review 30 F6): the app's sync worker
passes its stop to pull, so a stop no longer waits for a bundle's whole
import, nor for ever on a decrypting helper process that gives nothing.
Nothing of the bundle is applied, it is not acknowledged, and the next
pull imports it. So does its download (review 31 F3): a stop closes the
connection within a piece, what came is kept, and the next pull resumes
from it.

Real vaults, a real server on loopback; the decrypting child is the real
one, stopped with SIGSTOP as a stalled process would be; a slow link is a
relay on loopback that paces what the server sends."""

from __future__ import annotations

import io
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest

from db.api import CancelToken
from sync.bundle import age_child, reader
from sync.bundle.vault_io import BundleCancelled
from sync.client.connection import session
from sync.client.pull import pull
from sync.client.push import push, spool_dir
from sync.client.retry import Backoff
from sync.client.transport import STOP_POLL_S
from sync.client.worker import STOPPED, SyncWorker
from tests.sync.child_processes import NewChildren, gone, ran_within, wait_for, workers
from tests.sync.client.sync_helpers import CuttingProxy, Org, organisation, quick_backoff, record_work


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


class _Stop(CancelToken):
    def __init__(self) -> None:
        super().__init__()
        self.event = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self.event.is_set()


def test_a_stop_ends_a_pull_whose_decrypting_child_stalled(
    org: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader, "CHILD_FROM_BYTES", 0)  # this small bundle too is decrypted in a child
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna", size=4 << 20)
    made = push(anna, backoff=quick_backoff()).made
    assert made is not None
    children = NewChildren()
    stopped: list[int] = []
    started: list[threading.Thread] = []
    stop = _Stop()
    real = age_child.decrypt_in_child

    def held_until_stopped(
        read: Callable[[int], bytes], write: Callable[[bytes], object], *args: Any
    ) -> None:
        # The child gets no payload until it was seen and stopped: else a
        # small bundle's child could finish before the test saw it (a flaky
        # "no decrypting child was seen" under load).
        def read_once_stopped(size: int) -> bytes:
            wait_for(lambda: bool(stopped), 30)
            return read(size)

        real(read_once_stopped, write, *args)

    monkeypatch.setattr(age_child, "decrypt_in_child", held_until_stopped)

    def halt_the_child_then_stop(_bundle: str, done: int, total: int) -> None:
        if done and not started:  # the download is done: the import's child will start

            def later() -> None:
                assert wait_for(lambda: bool(workers(children())), 30)
                found = workers(children())
                for pid in found:
                    os.kill(pid, signal.SIGSTOP)
                stopped.extend(found)
                time.sleep(0.5)
                stop.event.set()

            started.append(threading.Thread(target=later, daemon=True))
            started[0].start()

    done, outcome = ran_within(
        60,
        lambda: pull(
            org.coordinator, backoff=quick_backoff(), progress=halt_the_child_then_stop, cancel=stop
        ),
        lambda: stopped,
    )
    assert done, "the stop waited for the stalled child"
    assert stopped, "no decrypting child was seen"
    assert len(outcome) == 1 and isinstance(outcome[0], BundleCancelled), outcome
    assert wait_for(lambda: all(gone(pid) for pid in stopped))
    assert org.coordinator.sync.received_bundle(made.bundle_id) is None  # nothing applied

    again = pull(org.coordinator, backoff=quick_backoff())
    assert [r.bundle_id for r in again.received] == [made.bundle_id]


class SlowDownload(CuttingProxy):
    """A relay that, once ``after`` bytes came from the server, sleeps
    ``pace`` seconds before each piece it passes on to the client: a slow
    download (the logins and the feed before it go at full speed)."""

    def __init__(self, target_port: int, *, pace: float, after: int) -> None:
        super().__init__(target_port, every=1 << 40, cuts=0)
        self.slow, self.after, self.downstream = pace, after, 0

    def _pipe(
        self, source: socket.socket, dest: socket.socket, upstream: bool, pair: tuple[socket.socket, ...]
    ) -> None:
        try:
            while data := source.recv(65536):
                if not upstream:
                    self.downstream += len(data)
                    if self.slow and self.downstream >= self.after:
                        time.sleep(self.slow)
                dest.sendall(data)
        except OSError:
            pass
        for sock in pair:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


def test_a_stop_cuts_a_download_under_way_and_the_next_pull_resumes_it(org: Org, tmp_path: Path) -> None:
    """Review 31 F3: a lock (the worker's stop) was said to cut the
    connection at once, but a coordinator's download ran to its end first.
    Now the stop ends the pull within a piece of the download; the part
    downloaded stays, and the next pull downloads only the rest."""
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna", size=4 << 20)
    pushed = push(anna, backoff=quick_backoff())
    made = pushed.made
    assert made is not None
    size = pushed.bytes_sent  # one bundle, sent in one go: its size
    assert size > 4 << 20
    slow = SlowDownload(org.port, pace=0.2, after=256 * 1024)  # the whole bundle: over 12 s
    org.point_at(slow.url, org.server.cert_sha256)
    part = spool_dir(org.coordinator) / f"{made.bundle_id}.fvbundle.part"
    stop = _Stop()
    stopped_at: list[float] = []

    def stop_once_downloading() -> None:
        # Half a MiB of the bundle came through the slow link: the download is under way.
        if wait_for(lambda: slow.downstream > 512 * 1024, 60):
            stopped_at.append(time.monotonic())
            stop.event.set()

    try:
        threading.Thread(target=stop_once_downloading, daemon=True).start()
        done, outcome = ran_within(
            60, lambda: pull(org.coordinator, backoff=quick_backoff(), cancel=stop), lambda: []
        )
        ended = time.monotonic()
        assert done and stopped_at, "the pull did not end, or no download was seen"
        assert len(outcome) == 1 and isinstance(outcome[0], BundleCancelled), outcome
        # At once: a piece or two of a slow link, not the rest of the bundle.
        assert ended - stopped_at[0] < 5, f"the stop waited {ended - stopped_at[0]:.1f} s for the download"
        kept = part.stat().st_size
        assert 0 < kept < size, "the download was not cut, or what came was not kept"
        assert org.coordinator.sync.received_bundle(made.bundle_id) is None

        slow.slow = 0  # the link is fast again: the next pull resumes
        again = pull(org.coordinator, backoff=quick_backoff())
        assert [r.bundle_id for r in again.received] == [made.bundle_id]
        assert again.bytes_received == size - kept, "the next pull downloaded the bundle again from its start"
        assert not part.exists()
    finally:
        slow.close()


def _pushed_bundle(org: Org, tmp_path: Path) -> tuple[str, int]:
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna", size=4 << 20)
    pushed = push(anna, backoff=quick_backoff())
    assert pushed.made is not None
    return pushed.made.bundle_id, pushed.bytes_sent


def test_a_stop_cuts_a_download_whose_link_went_silent(org: Org, tmp_path: Path) -> None:
    """Review 32 M1: the stop was asked only as a piece arrived, so on a
    link gone silent with the connection still open (a dropped Wi-Fi, a
    filtering network) a lock's stop waited for the next byte or the 120 s
    read timeout, and the connection outlived the lock. Now silence of
    transport.STOP_POLL_S closes the connection to ask the stop."""
    bundle_id, _size = _pushed_bundle(org, tmp_path)
    slow = SlowDownload(org.port, pace=0.2, after=256 * 1024)
    org.point_at(slow.url, org.server.cert_sha256)
    stop = _Stop()
    stopped_at: list[float] = []

    def stall_then_stop() -> None:
        if wait_for(lambda: slow.downstream > 512 * 1024, 60):
            slow.slow = 20.0  # the link goes silent: the next piece would come in 20 s
            time.sleep(1.0)  # what was on the wire before has been read
            stopped_at.append(time.monotonic())
            stop.event.set()

    try:
        threading.Thread(target=stall_then_stop, daemon=True).start()
        done, outcome = ran_within(
            60, lambda: pull(org.coordinator, backoff=quick_backoff(), cancel=stop), lambda: []
        )
        ended = time.monotonic()
        assert done and stopped_at, "the pull did not end, or no download was seen"
        assert len(outcome) == 1 and isinstance(outcome[0], BundleCancelled), outcome
        waited = ended - stopped_at[0]
        assert waited < 2 * STOP_POLL_S + 1, f"the stop waited {waited:.1f} s on a silent link"
        slow.slow = 0
        again = pull(org.coordinator, backoff=quick_backoff())
        assert [r.bundle_id for r in again.received] == [bundle_id]
    finally:
        slow.close()


def test_a_download_goes_on_after_a_silent_spell(org: Org, tmp_path: Path) -> None:
    """With a stop to heed, each silent spell of STOP_POLL_S closes the
    connection; the download goes on from where it was with a range
    request, and the bundle arrives whole and is imported."""
    bundle_id, size = _pushed_bundle(org, tmp_path)
    slow = SlowDownload(org.port, pace=0.05, after=256 * 1024)
    org.point_at(slow.url, org.server.cert_sha256)
    spells: list[int] = []

    def one_silent_spell() -> None:
        if wait_for(lambda: slow.downstream > 512 * 1024, 60):
            spells.append(slow.downstream)
            slow.slow = 3 * STOP_POLL_S  # the next piece on this connection comes late
            time.sleep(STOP_POLL_S / 2)
            slow.slow = 0  # any new connection is fast

    try:
        threading.Thread(target=one_silent_spell, daemon=True).start()
        result = pull(org.coordinator, backoff=quick_backoff(), cancel=_Stop())
        assert spells, "no download was seen"
        assert [r.bundle_id for r in result.received] == [bundle_id]
        # The whole bundle once, and the pieces the silent connection had
        # buffered again at most: not a second download from the start.
        assert size <= result.bytes_received < size + (1 << 20), (result.bytes_received, size)
    finally:
        slow.close()


def test_a_damaged_part_file_is_downloaded_again_not_blamed_on_the_server(org: Org, tmp_path: Path) -> None:
    """Review 32 L1: a kept .part whose bytes are not the server's (a torn
    tail after a power cut: the size grew, the data did not reach the disk)
    failed the whole-file check, as it must, and the bundle was then made
    stuck (sync-download-mismatch, the server's copy blamed, its device's
    later bundles waiting). Now it is downloaded once more from its start."""
    bundle_id, size = _pushed_bundle(org, tmp_path)
    with session(org.coordinator) as client:
        whole = io.BytesIO()
        client.download(bundle_id, whole)
    data = whole.getvalue()
    assert len(data) == size
    part = spool_dir(org.coordinator) / f"{bundle_id}.fvbundle.part"
    have = len(data) // 2
    part.write_bytes(data[: have - 4096] + bytes(4096))  # zeros where the data did not land

    pulled = pull(org.coordinator, backoff=quick_backoff())
    assert [s.bundle_id for s in pulled.stuck] == [], [s.code for s in pulled.stuck]
    assert [r.bundle_id for r in pulled.received] == [bundle_id]
    assert pulled.bytes_received == (len(data) - have) + len(data)  # the rest, then all of it afresh
    assert not part.exists()


def test_the_apps_stop_at_a_lock_ends_a_coordinators_download_within_its_wait(
    org: Org, tmp_path: Path
) -> None:
    """What the lock does (desktop/sync_status.py: worker.stop(LOCK_STOP_S),
    5 s): the app's sync worker, downloading a bundle over a slow link in its
    own thread, stops within that wait, its thread gone, so no connection
    stays open after the vault locked (review 31 F3: it went on downloading
    the whole bundle). The next round resumes the download and imports it."""
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna", size=4 << 20)
    made = push(anna, backoff=quick_backoff()).made
    assert made is not None
    slow = SlowDownload(org.port, pace=0.2, after=256 * 1024)
    org.point_at(slow.url, org.server.cert_sha256)
    worker = SyncWorker(org.coordinator, interval=3600, retry=Backoff(base=3600, cap=3600))
    others = set(threading.enumerate())  # a sync thread another test left is not this one
    try:
        worker.start()
        assert wait_for(lambda: slow.downstream > 512 * 1024, 60), "no download was seen"
        started = time.monotonic()
        worker.stop(5.0)  # LOCK_STOP_S
        waited = time.monotonic() - started
        assert not [t for t in threading.enumerate() if t.name == "fieldvault-sync" and t not in others], (
            f"the sync thread still runs {waited:.1f} s after the stop"
        )
        assert worker.status.state == STOPPED
        assert org.coordinator.sync.received_bundle(made.bundle_id) is None

        slow.slow = 0
        status = SyncWorker(org.coordinator, interval=3600).run_once()
        assert status.last_error is None and status.received == 1
        assert org.coordinator.sync.received_bundle(made.bundle_id) is not None
    finally:
        slow.close()
