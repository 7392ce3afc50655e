"""How fast the confined parser child (db/sandbox.py) goes away when asked.

Timing moved here from the unit tests, which keep only the behaviour (the
child is stopped, the file stored with "metadata not read: timed out"):

- stop: ``sandbox.stop_all()`` (what lock and panic wipe call) with a child
  blocked on its input, until no child is alive; baseline: kill and reap a
  bare ``python -c`` child of the same interpreter, timed the same way, in the
  same run. Target: under 1 s (the panic wipe's budget, issue 9).
- timeout: an intake's metadata run (``examine``) whose child, the real
  worker forked by a ready zygote, is still reading its input at its
  wall-clock limit (0.5 s): its input is a FIFO whose write end is held open,
  so it cannot finish however fast it is (a 0.01 s limit on a small JPEG was a
  race a forked child could win). Measured: from the limit until the run
  fails "timed out" (the child killed and reaped, and its zygote, retired by
  the timeout, waited for until it has exited: most of the time), against
  killing a bare child (as for stop). Target: under 5 s.
- start: one ``examine`` child (what an intake runs first) on a small JPEG,
  forked by the zygote (db/sandbox_zygote.py) against spawned
  (``FIELDVAULT_SANDBOX_SPAWN=1``), alternated in the same run, the
  zygote's own start to ready (once a process) reported apart. Target: the forked
  child takes under half the spawned one's time.

The ratios are medians of per-run ratios, so other load on the machine cancels
out mostly.

    python benchmarks/bench_sandbox.py [--runs 7] [--quick]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import contextlib
import os
import statistics
import subprocess
import threading
import time
from collections.abc import Callable

from benchmarks._common import (
    Result,
    base_parser,
    bench_tempdir,
    fmt_ms,
    machine_line,
    write_results_json,
)
from db import capture, sandbox
from db.sandbox import Limits, SandboxFailed, SandboxRun

DEFAULT_RUNS = 7
QUICK_RUNS = 3
STOP_TARGET_S = 1.0
TIMEOUT_TARGET_S = 5.0
TIMEOUT_WALL_S = 0.5
START_TARGET_RATIO = 0.5
POLL_S = 0.001


def wait_until(condition: Callable[[], bool], limit: float = 30.0) -> None:
    deadline = time.perf_counter() + limit
    while not condition():
        if time.perf_counter() > deadline:
            raise RuntimeError("the child did not get there in time")
        time.sleep(POLL_S)


def stop_once() -> float:
    """Seconds from stop_all() until no sandbox child is alive."""
    release = threading.Event()

    def blocked_feed(_write: object) -> None:
        release.wait(30)  # the child waits for input that does not come

    sandbox_run = SandboxRun("image", "64")

    def run() -> None:
        with contextlib.suppress(SandboxFailed):  # "stopped": what is measured
            sandbox_run.run(feed=blocked_feed)

    def child_running() -> bool:
        # A zygote's child has a pid once forked (killed before, none runs).
        process = sandbox_run._process
        return sandbox.running() == 1 and process is not None and process.pid is not None

    thread = threading.Thread(target=run)
    thread.start()
    wait_until(child_running)
    started = time.perf_counter()
    sandbox.stop_all()
    wait_until(lambda: sandbox.running() == 0)
    elapsed = time.perf_counter() - started
    release.set()
    thread.join()
    return elapsed


def kill_bare_child_once() -> float:
    """Seconds from kill() until a bare child started the same way is reaped."""
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; print('up', flush=True); time.sleep(60)"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
    )
    assert child.stdout is not None
    child.stdout.readline()
    started = time.perf_counter()
    child.kill()
    wait_until(lambda: child.poll() is not None)
    elapsed = time.perf_counter() - started
    child.stdout.close()
    return elapsed


def make_photo(path: Path) -> Path:
    """A small JPEG: its intake starts a metadata child."""
    from PIL import Image

    Image.new("RGB", (64, 48), (120, 80, 40)).save(path, format="JPEG")
    return path


def timed_out_once(folder: Path, run: int) -> float:
    """Seconds past its wall time until a metadata run whose child is still
    reading at its deadline returns timed out."""
    sandbox.start_zygote()  # a timed-out child retired the last one
    fifo = folder / f"held-{run}.jpg"
    os.mkfifo(fifo)
    held = _HeldOpen(fifo)
    try:
        held.write(make_photo(folder / f"photo-{run}.jpg").read_bytes())
        started = time.perf_counter()
        with fifo.open("rb") as source:
            SandboxRun("examine", limits=Limits(wall_seconds=TIMEOUT_WALL_S)).run(stdin_file=source)
    except SandboxFailed as failed:
        if failed.reason != sandbox.TIMED_OUT:
            raise RuntimeError(f"the child was not timed out: {failed.reason}") from None
        return time.perf_counter() - started - TIMEOUT_WALL_S
    finally:
        held.close()
    raise RuntimeError("the child was not timed out: it answered")


class _HeldOpen:
    """A FIFO's write end, held open so that its reader never sees its end;
    closed after ``guard_s`` at the latest (a child not killed at its wall
    time then finishes, and the run fails as not timed out, not hangs)."""

    def __init__(self, fifo: Path, guard_s: float = 60.0) -> None:
        self._fd = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
        self._lock = threading.Lock()
        self._guard = threading.Timer(guard_s, self.close)
        self._guard.daemon = True
        self._guard.start()

    def write(self, data: bytes) -> None:
        os.write(self._fd, data)  # a small JPEG: within the pipe's buffer

    def close(self) -> None:
        self._guard.cancel()
        with self._lock:
            fd, self._fd = self._fd, -1
        if fd >= 0:
            os.close(fd)


def examine_once(photo: Path, *, spawned: bool) -> float:
    """Seconds for one examine child on ``photo``, forked or spawned."""
    if spawned:
        os.environ[sandbox.SPAWN_SWITCH] = "1"
    try:
        started = time.perf_counter()
        with photo.open("rb") as source:
            SandboxRun("examine", limits=capture.INTAKE_LIMITS).run(stdin_file=source)
        return time.perf_counter() - started
    finally:
        os.environ.pop(sandbox.SPAWN_SWITCH, None)


def start_result(folder: Path, runs: int) -> Result:
    """Forked against spawned, per run; the zygote's own start apart."""
    photo = make_photo(folder / "start.jpg")
    os.environ.pop(sandbox.SPAWN_SWITCH, None)
    had_zygote = sandbox.zygote_pid() is not None
    started = time.perf_counter()
    if sandbox.start_zygote() is None:  # (the app starts it after a few spawned runs)
        raise RuntimeError("no zygote on this platform: nothing to compare")
    zygote_start = time.perf_counter() - started
    examine_once(photo, spawned=False)  # the same warm page cache for both
    examine_once(photo, spawned=True)
    forked, spawned = [], []
    for _ in range(runs):
        forked.append(examine_once(photo, spawned=False))
        spawned.append(examine_once(photo, spawned=True))
    ratio = statistics.median(f / s for f, s in zip(forked, spawned, strict=True))
    return Result(
        name="sandbox-start",
        metric="one examine child, start to answer (p50)",
        ours=statistics.median(forked) * 1000,
        baseline=statistics.median(spawned) * 1000,
        unit="ms",
        ratio=ratio,
        ratio_meaning="forked by the zygote / spawned",
        target=f"under {START_TARGET_RATIO:.1f}x",
        passed=ratio < START_TARGET_RATIO,
        details={
            "runs": runs,
            "zygote start to ready (once a process)": "not measured: started before"
            if had_zygote
            else fmt_ms(zygote_start),
            "per run forked/spawned ms": ", ".join(
                f"{f * 1000:.0f}/{s * 1000:.0f}" for f, s in zip(forked, spawned, strict=True)
            ),
        },
    )


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=None)
    args = parser.parse_args(argv)
    runs = args.runs or (QUICK_RUNS if args.quick else DEFAULT_RUNS)
    print(machine_line())

    with bench_tempdir("sandbox-start") as folder:
        start = start_result(folder, max(runs, 10))

    stops, bares = [], []
    for _ in range(runs):
        stops.append(stop_once())
        bares.append(kill_bare_child_once())
    stop = statistics.median(stops)
    bare = statistics.median(bares)
    stop_result = Result(
        name="sandbox-stop",
        metric="stop_all to no child (p50)",
        ours=stop * 1000,
        baseline=bare * 1000,
        unit="ms",
        ratio=statistics.median(s / b for s, b in zip(stops, bares, strict=True)),
        ratio_meaning="ours / killing a bare child",
        target=f"under {STOP_TARGET_S:.0f} s",
        passed=max(stops) < STOP_TARGET_S,
        details={"runs": runs, "slowest": fmt_ms(max(stops))},
    )

    pasts, bare_kills = [], []
    with bench_tempdir("sandbox-timeout") as folder:
        for run in range(runs):
            pasts.append(timed_out_once(folder, run))
            bare_kills.append(kill_bare_child_once())
    timeout_result = Result(
        name="sandbox-timeout",
        metric="a metadata run past its wall time, limit to timed out (p50)",
        ours=statistics.median(pasts) * 1000,
        baseline=statistics.median(bare_kills) * 1000,
        unit="ms",
        ratio=statistics.median(p / b for p, b in zip(pasts, bare_kills, strict=True)),
        ratio_meaning="ours / killing a bare child",
        target=f"under {TIMEOUT_TARGET_S:.0f} s",
        passed=max(pasts) < TIMEOUT_TARGET_S,
        details={"runs": runs, "wall time": fmt_ms(TIMEOUT_WALL_S), "slowest": fmt_ms(max(pasts))},
    )
    results = [start, stop_result, timeout_result]
    for result in results:
        result.print()
    write_results_json(results, args.json)
    return 0 if all(result.passed for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
