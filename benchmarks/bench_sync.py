"""Automatic sync (issue 13): 500 queued items over loopback, and the
throughput of a slow link.

Measured in the same run, against a real server (TLS on loopback, in this
process) and real vaults made through the public APIs:

(a) 500 queued items: a field worker's vault holding N evidence items
    (4 KiB each, one testimony per 10) is pushed, to a server running as
    ``fieldvault serve`` in its own process, by the background worker
    (sync/client/worker.py) while a ticker thread wakes every 10 ms — a
    stand-in for the GUI's event loop, which needs the interpreter as the
    ticker does. Ours: the longest stall of the ticker during the sync;
    baseline: the longest stall of the same ticker for as long with the
    worker idle. Target: no stall over 100 ms. The delivery time is listed.
    Run twice in the same process: first without, then with
    desktop.app.settle_garbage_collector (gc.freeze) called where the app
    freezes: after start-up's imports and again at unlock, once the sync
    worker has started (desktop/window.py) — here, after the worker starts.
    The app's result is the second; the first shows what freezing buys.
(b) a link shaped to 1 Mbit/s with 200 ms round trips (a throttling TCP
    relay in this process; tc netem needs root and a network namespace):
    a push of a 2 MiB bundle (also with --quick: smaller, the fixed
    cost of connecting and logging in, about 3 s, decides the ratio). Ours: bundle bytes / seconds
    from the first connection to the stored receipt; baseline: the link's
    rate (125,000 bytes/s). Ratio = ours / baseline: target >= 0.8x.

    python benchmarks/bench_sync.py [--items 500] [--size-kib 2048] [--quick]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gc
import queue
import secrets
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from benchmarks._common import (
    PASSPHRASE,
    REPO_ROOT,
    Result,
    base_parser,
    bench_tempdir,
    fast_argon2,
    machine_line,
    write_results_json,
)
from db.api import Case, NoKeyring, Vault
from db.api import Testimony as TestimonyRecord
from desktop.app import settle_garbage_collector
from sync import org_vault
from sync.client.org_link import publish_profile
from sync.client.push import push
from sync.client.retry import Backoff
from sync.client.worker import SyncWorker
from sync.server.deploy import cert_sha256, init_server
from tests.sync.client.sync_helpers import Org, organisation

LINK_RATE = 125_000  # bytes per second: 1 Mbit/s
LINK_DELAY = 0.1  # seconds each way: 200 ms round trips
TICK = 0.010
STALL_TARGET = 0.100


class Ticker:
    """Wakes every TICK seconds and records how late each wake-up is, and
    the longest pause of the interpreter's garbage collector meanwhile (it
    holds every thread, the GUI's included)."""

    def __init__(self) -> None:
        self.worst = 0.0
        self.worst_gc = 0.0
        self._gc_started = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _gc(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started = time.monotonic()
        else:
            self.worst_gc = max(self.worst_gc, time.monotonic() - self._gc_started)

    def _run(self) -> None:
        due = time.monotonic() + TICK
        while not self._stop.is_set():
            time.sleep(max(0.0, due - time.monotonic()))
            now = time.monotonic()
            self.worst = max(self.worst, now - due)
            due = now + TICK

    def __enter__(self) -> Ticker:
        gc.callbacks.append(self._gc)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        gc.callbacks.remove(self._gc)


def _fill(vault: Vault, folder: Path, items: int) -> None:
    case = vault.cases.create(Case(title="Benchmark case"))
    folder.mkdir()
    for number in range(items):
        source = folder / f"item-{number}.bin"
        source.write_bytes(secrets.token_bytes(4096))
        vault.evidence.ingest(source, case.id)
        source.unlink()
        if number % 10 == 0:
            vault.testimonies.create(
                TestimonyRecord(case_id=case.id, title=f"t{number}", narrative="x" * 500)
            )


@contextmanager
def _server_process(folder: Path) -> Iterator[tuple[Vault, Vault, str]]:
    """An organisation whose server runs as ``fieldvault serve`` in its own
    process (so that its work does not stall this one's ticker, as it would
    not stall a laptop's GUI), a coordinator's and a worker's vault."""
    coordinator = Vault.create(
        folder / "coordinator", PASSPHRASE, keyring=NoKeyring(), argon2=fast_argon2()
    ).vault
    signed = org_vault.create_organisation(coordinator, "Benchmark Org")
    data = folder / "server"
    init_server(data, signed.profile.fingerprint, profile=signed.signed)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "fieldvault", "serve", "--data", str(data), "--port", str(port)],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"https://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the server did not start")
            time.sleep(0.1)
        named = org_vault.set_server(coordinator, url, cert_sha256(data))
        if publish_profile(named.signed, named.profile).state != "done":
            raise RuntimeError("the profile did not reach the server")
        worker = Vault.create(folder / "worker", PASSPHRASE, keyring=NoKeyring(), argon2=fast_argon2()).vault
        token = org_vault.issue_token(coordinator, hours=1)
        org_vault.enrol(worker, named.signed, fingerprint_given=named.profile.fingerprint, token=token.text)
        yield coordinator, worker, url
    finally:
        process.terminate()
        process.wait(timeout=30)


def bench_queued(folder: Path, items: int, *, settle: bool) -> Result:
    gc.unfreeze()  # each run starts as the process did: nothing frozen
    with _server_process(folder) as (coordinator, vault, _url):
        _fill(vault, folder / "sources", items)
        worker = SyncWorker(vault, interval=3600, retry=Backoff(base=0.1, cap=1.0))
        worker.pause()
        worker.start()
        if settle:  # as the app at unlock: the vault open, the worker started
            settle_garbage_collector()
        with Ticker() as quiet:  # the same wait, the worker idle
            time.sleep(3.0)
        with Ticker() as busy:
            started = time.monotonic()
            worker.resume()
            done = worker.wait_until(lambda s: s.last_success_ms is not None or s.last_error is not None, 600)
            took = time.monotonic() - started
        # What a full collection costs after the sync, whether or not one fell
        # within it: the stall one can cause (outside the ticker, after it, so
        # the sync's own collections are left as they come).
        started = time.monotonic()
        gc.collect()
        full_pass = time.monotonic() - started
        worker.stop()
        vault.lock()
        coordinator.lock()
        if done.last_error is not None:
            raise RuntimeError(f"sync failed: {done.last_error.code}")
    frozen = gc.get_freeze_count()
    gc.unfreeze()
    how = "as the app: gc frozen after start-up" if settle else "without gc.freeze (before the fix)"
    return Result(
        name=f"sync: {items} queued items, GUI-thread stalls, {how}",
        metric="longest stall",
        ours=busy.worst * 1000,
        baseline=quiet.worst * 1000,
        unit="ms",
        ratio=(busy.worst / quiet.worst) if quiet.worst > 0 else float("inf"),
        ratio_meaning="stall during sync / stall idle (lower is better)",
        target=f"no stall over {STALL_TARGET * 1000:.0f} ms",
        passed=busy.worst <= STALL_TARGET,
        details={
            "delivered in": f"{took:.2f} s",
            "bundles sent": done.sent,
            "longest garbage-collector pause during the sync": f"{busy.worst_gc * 1000:.0f} ms",
            "objects frozen": frozen,
            "one full collection after the sync (gc.collect)": f"{full_pass * 1000:.0f} ms",
        },
        notes=[
            "a stall as long as the collector's pause is the interpreter's full (generation 2) "
            "collection, which stops every thread; frozen objects are not rescanned by it"
        ],
    )


class ShapedLink:
    """A TCP relay on loopback shaped like a slow link: each direction
    carries at most LINK_RATE bytes/s and delivers each piece LINK_DELAY
    seconds after it arrived."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target_port))
            for source, dest in ((client, server), (server, client)):
                pieces: queue.Queue[tuple[float, bytes]] = queue.Queue()
                threading.Thread(target=self._read, args=(source, pieces), daemon=True).start()
                threading.Thread(target=self._send, args=(dest, pieces), daemon=True).start()

    @staticmethod
    def _read(source: socket.socket, pieces: queue.Queue[tuple[float, bytes]]) -> None:
        with suppress(OSError):
            while data := source.recv(16384):
                pieces.put((time.monotonic() + LINK_DELAY, data))
        pieces.put((time.monotonic() + LINK_DELAY, b""))

    @staticmethod
    def _send(dest: socket.socket, pieces: queue.Queue[tuple[float, bytes]]) -> None:
        free_at = 0.0  # when the link has sent what it was given
        with suppress(OSError):
            while True:
                due, data = pieces.get()
                if not data:
                    break
                start = max(due, free_at)
                time.sleep(max(0.0, start - time.monotonic()))
                dest.sendall(data)
                free_at = start + len(data) / LINK_RATE
            dest.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self._listener.close()


def bench_link(folder: Path, size_kib: int) -> Result:
    with organisation(folder) as org:
        vault = org.worker("field")
        _one_file(vault, folder, size_kib)
        link = ShapedLink(org.port)
        try:
            _point(org, link.url)
            started = time.monotonic()
            pushed = push(vault, backoff=Backoff(attempts=2))
            took = time.monotonic() - started
        finally:
            link.close()
        assert pushed.made is not None and pushed.sent == [pushed.made.bundle_id]
        size = pushed.bytes_sent
    rate = size / took
    return Result(
        name="sync: throughput over 1 Mbit/s, 200 ms round trips",
        metric="effective rate",
        ours=rate,
        baseline=float(LINK_RATE),
        unit="bytes/s",
        ratio=rate / LINK_RATE,
        ratio_meaning="ours / the link's rate (higher is better)",
        target=">= 0.8x",
        passed=rate / LINK_RATE >= 0.8,
        details={"bundle": f"{size} bytes", "push took": f"{took:.1f} s (login, upload, receipt)"},
    )


def _one_file(vault: Vault, folder: Path, size_kib: int) -> None:
    case = vault.cases.create(Case(title="Benchmark case"))
    source = folder / "video.bin"
    source.write_bytes(secrets.token_bytes(size_kib * 1024))
    vault.evidence.ingest(source, case.id)
    source.unlink()


def _point(org: Org, url: str) -> None:
    org.point_at(url, org.server.cert_sha256)


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=None, help="queued evidence items (500; quick 50)")
    parser.add_argument(
        "--size-kib", type=int, default=None, help="bundle over the slow link (2048, also quick)"
    )
    parser.add_argument("--only-stalls", action="store_true", help="part (a) only")
    args = parser.parse_args(argv)
    items = args.items or (50 if args.quick else 500)
    size_kib = args.size_kib or 2048  # smaller, the fixed cost of a login decides the ratio
    print(machine_line())
    with bench_tempdir("sync") as folder:
        results = [
            bench_queued(folder / "queued-unfrozen", items, settle=False),
            bench_queued(folder / "queued", items, settle=True),
        ]
        if not args.only_stalls:
            results.append(bench_link(folder / "link", size_kib))
    for result in results:
        result.print()
    write_results_json(results, args.json)
    # The run without the fix is the comparison, not the app: it does not decide.
    return 0 if all(r.passed for r in results[1:]) else 1


if __name__ == "__main__":
    sys.exit(main())
