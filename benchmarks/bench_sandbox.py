"""How fast the confined parser child (db/sandbox.py) goes away when asked.

Timing moved here from the unit tests, which keep only the behaviour (the
child is stopped, the file stored with "metadata not read: timed out"):

- stop: ``sandbox.stop_all()`` (what lock and panic wipe call) with a child
  blocked on its input, until no child is alive; baseline: kill and reap a
  bare ``python -c`` child of the same interpreter, timed the same way, in the
  same run. Target: under 1 s (the panic wipe's budget, issue 9).
- timeout: an intake whose metadata child exceeds its wall-clock limit (0.01 s,
  shorter than an interpreter's start) against the same intake with the normal
  limits, in the same run. Target: under 5 s.

The ratios are medians of per-run ratios, so other load on the machine cancels
out mostly.

    python benchmarks/bench_sandbox.py [--runs 7] [--quick]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import contextlib
import statistics
import subprocess
import threading
import time
from collections.abc import Callable

from benchmarks._common import (
    PASSPHRASE,
    Result,
    base_parser,
    bench_tempdir,
    fast_argon2,
    fmt_ms,
    machine_line,
    write_results_json,
)
from db import capture, sandbox
from db.entities import Case
from db.keyring_store import NoKeyring
from db.sandbox import Limits, SandboxFailed, SandboxRun
from db.vault import Vault

DEFAULT_RUNS = 7
QUICK_RUNS = 3
STOP_TARGET_S = 1.0
TIMEOUT_TARGET_S = 5.0
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

    def run() -> None:
        with contextlib.suppress(SandboxFailed):  # "stopped": what is measured
            SandboxRun("image", "64").run(feed=blocked_feed)

    thread = threading.Thread(target=run)
    thread.start()
    wait_until(lambda: sandbox.running() == 1)
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


def timed_intake(
    vault: Vault, source: Path, case_id: str, limits: Limits | None
) -> tuple[float, dict[str, str]]:
    saved = capture.INTAKE_LIMITS
    if limits is not None:
        capture.INTAKE_LIMITS = limits
    try:
        started = time.perf_counter()
        item = vault.evidence.ingest(source, case_id).item
        return time.perf_counter() - started, dict(item.claimed)
    finally:
        capture.INTAKE_LIMITS = saved


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=None)
    args = parser.parse_args(argv)
    runs = args.runs or (QUICK_RUNS if args.quick else DEFAULT_RUNS)
    print(machine_line())

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

    timed_out, normal = [], []
    with bench_tempdir("sandbox") as folder:
        vault = Vault.create(folder / "vault", PASSPHRASE, keyring=NoKeyring(), argon2=fast_argon2()).vault
        try:
            case_id = vault.cases.create(Case(title="Benchmark case")).id
            for run in range(runs):
                photo = make_photo(folder / f"photo-{run}.jpg")
                seconds, claimed = timed_intake(vault, photo, case_id, Limits(wall_seconds=0.01))
                if claimed != {"metadata": "metadata not read: timed out"}:
                    raise RuntimeError(f"the child was not timed out: {claimed}")
                timed_out.append(seconds)
                other = make_photo(folder / f"other-{run}.jpg")
                other.write_bytes(other.read_bytes() + bytes([run]))  # not a duplicate
                normal.append(timed_intake(vault, other, case_id, None)[0])
        finally:
            vault.lock()
    timeout_result = Result(
        name="sandbox-timeout",
        metric="intake, child timed out (p50)",
        ours=statistics.median(timed_out) * 1000,
        baseline=statistics.median(normal) * 1000,
        unit="ms",
        ratio=statistics.median(t / n for t, n in zip(timed_out, normal, strict=True)),
        ratio_meaning="ours / the same intake with normal limits",
        target=f"under {TIMEOUT_TARGET_S:.0f} s",
        passed=max(timed_out) < TIMEOUT_TARGET_S,
        details={"runs": runs, "slowest": fmt_ms(max(timed_out))},
    )
    for result in (stop_result, timeout_result):
        result.print()
    write_results_json([stop_result, timeout_result], args.json)
    return 0 if stop_result.passed and timeout_result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
