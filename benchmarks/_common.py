"""Shared helpers for the benchmarks: options, statistics, results, temp dirs."""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
QUICK_ENV = "FIELDVAULT_BENCH_QUICK"
PASSPHRASE = "benchmark passphrase, not a secret"


def quick_from_env() -> bool:
    return os.environ.get(QUICK_ENV, "") not in ("", "0")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def base_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--quick",
        action="store_true",
        default=quick_from_env(),
        help=f"small sizes for a smoke test (default when {QUICK_ENV}=1)",
    )
    parser.add_argument("--json", metavar="PATH", help="also write the result as JSON (used by run_all.py)")
    return parser


def fast_argon2() -> Any:
    """Cheap Argon2id for vaults whose unlock is not what is measured (as tests
    do). bench_unlock.py never uses this: it calibrates like a real vault."""
    from db.keys import Argon2Params

    return Argon2Params(time_cost=1, memory_kib=8 * 1024, parallelism=1)


def percentile(values: Sequence[float], pct: float) -> float:
    """Linear-interpolation percentile (same as numpy's default)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low = math.floor(rank)
    high = math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@contextlib.contextmanager
def bench_tempdir(name: str) -> Iterator[Path]:
    """A fresh temporary directory, removed afterwards even on failure."""
    path = Path(tempfile.mkdtemp(prefix=f"fieldvault-bench-{name}-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def gib_per_s(size_mib: float, seconds: float) -> str:
    """A throughput as the reports print it: MiB moved in ``seconds``, in GiB/s."""
    return f"{size_mib / 1024 / seconds:.2f} GiB/s"


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


@dataclass
class Result:
    """One benchmark's outcome, as printed and as collected by run_all.py."""

    name: str
    metric: str
    ours: float
    baseline: float
    unit: str
    ratio: float
    ratio_meaning: str
    target: str
    passed: bool
    details: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return "PASS" if self.passed else "MISS"

    def print(self) -> None:
        print()
        print(f"== {self.name}: {self.verdict} ==")
        print(f"  ours      {self.metric}: {self.ours:.3f} {self.unit}")
        print(f"  baseline  {self.metric}: {self.baseline:.3f} {self.unit}")
        print(f"  ratio     {self.ratio:.2f}x ({self.ratio_meaning})")
        print(f"  target    {self.target}")
        for key, value in self.details.items():
            print(f"  {key}: {value}")
        for note in self.notes:
            print(f"  note: {note}")

    def write_json(self, path: str | None) -> None:
        if path:
            Path(path).write_text(json.dumps(asdict(self) | {"verdict": self.verdict}, indent=2))


def write_results_json(results: Sequence[Result], path: str | None) -> None:
    """Several results of one benchmark, as a JSON list (run_all.py reads a
    list or one object)."""
    if path:
        Path(path).write_text(json.dumps([asdict(r) | {"verdict": r.verdict} for r in results], indent=2))


def machine_line() -> str:
    import sqlite3

    import sqlcipher3

    load = ""
    with contextlib.suppress(OSError, AttributeError):
        load = f", load average {os.getloadavg()[0]:.2f} (other work on the machine skews results)"
    return (
        f"Python {platform.python_version()} on {platform.machine()} {platform.system()}, "
        f"{os.cpu_count()} CPUs{load}; SQLCipher's SQLite {sqlcipher3.sqlite_version}, "
        f"stdlib SQLite {sqlite3.sqlite_version}"
    )


def profile_points(
    profiler: Any, points: Sequence[tuple[str, Any]], per: int
) -> list[tuple[str, float, int]]:
    """Inclusive milliseconds per operation (and calls per operation) at the
    given points of a cProfile run; ``per`` is how many operations it made.
    A point is (label, function) or, for a C function, (label, name as
    cProfile shows it, e.g. "<method 'commit' of 'sqlcipher3.dbapi2.Connection' objects>")."""
    import inspect
    import pstats

    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    found: list[tuple[str, float, int]] = []
    for label, target in points:
        if isinstance(target, str):
            key = ("~", 0, target)
        else:
            code = inspect.unwrap(target).__code__
            key = (code.co_filename, code.co_firstlineno, code.co_name)
        _cc, calls, _tt, total, _callers = stats.get(key, (0, 0, 0.0, 0.0, {}))
        found.append((label, total / per * 1000, calls // per if per else 0))
    return found


def print_profile(title: str, found: list[tuple[str, float, int]]) -> None:
    print(f"\n{title}")
    for label, per_op, calls in found:
        print(f"  {per_op:9.3f} ms  {calls:4d} calls/op  {label}")
