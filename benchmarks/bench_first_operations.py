"""A vault's first operations after it opens, with the process's shared SQL compilation and without.

SQLAlchemy compiles each statement once per compiled cache, and its cache is
keyed by the dialect object. db/engine.py builds every vault engine over one
dialect and one compiled cache per process; each engine takes out again, when
it is disposed (lock), the statements it compiled, because a compiled
statement keeps its first execution's values (docs/threat-model.md 4.1). So:

- another vault open: a second vault opened while one that has done the same
  work is still open (a coordinator's desks in one process, most sync tests)
  finds its statements compiled;
- alone: a vault unlocked after a lock, no other vault open (the app's
  usual case), compiles its statements again, as before.

Each is run in two modes in the same process, alternating from trial to
trial: ``shared`` (what db/engine.py does) and ``per-engine`` (each engine
given a new dialect and an empty cache, which is what create_engine did
before; ``db.engine.new_dialect_and_cache`` in place of the shared one).
Timed, each on its own: the open (the ``Vault`` constructor given the master
key: engine, first keyed connection, migration check, identity; Argon2 is
left out), the first list of a case's testimonies, the first save of one,
the first read of it back; the process's CPU for the four (less moved by
other work on the machine than the wall, which also holds the fsyncs); and
the number of statements the vault's engine compiled for them.

    python benchmarks/bench_first_operations.py [--trials 7] [--rows 200] [--quick]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import contextlib
import time
from collections.abc import Iterator
from typing import Any

from benchmarks import corpus
from benchmarks._common import (
    PASSPHRASE,
    Result,
    base_parser,
    bench_tempdir,
    fast_argon2,
    machine_line,
    percentile,
)
from db import engine as engine_module
from db.entities import Case, Testimony
from db.keyring_store import NoKeyring
from db.keys import KeyFile
from db.paths import KEY_FILE
from db.vault import Vault

DEFAULT_TRIALS = 7
QUICK_TRIALS = 3
DEFAULT_ROWS = 200
QUICK_ROWS = 20
SEED = 20220224
MODES = ("shared", "per-engine")
SCENARIOS = ("another vault open", "alone")
PHASES = ("open", "first list", "first save", "first read")
MEASURES = (*PHASES, "CPU")


@contextlib.contextmanager
def _mode(mode: str) -> Iterator[None]:
    """Per-engine: make_engine gets a new dialect and cache, as create_engine gave it."""
    shared = engine_module.shared_dialect_and_cache
    if mode == "per-engine":
        setattr(engine_module, "shared_dialect_and_cache", engine_module.new_dialect_and_cache)  # noqa: B010
    try:
        yield
    finally:
        setattr(engine_module, "shared_dialect_and_cache", shared)  # noqa: B010


def _master_key(folder: Path) -> tuple[KeyFile, bytes]:
    key_file = KeyFile.from_bytes((folder / KEY_FILE).read_bytes(), source=KEY_FILE)
    return key_file, key_file.unwrap_with_passphrase(key_file.stretch(PASSPHRASE), None)


def _compiled_by(vault: Vault) -> int:
    engine = vault._engine  # the benchmark looks under the services
    assert engine is not None
    return len(engine.get_execution_options()["compiled_cache"])


def _first_operations(folder: Path, case_id: str, index: int) -> tuple[dict[str, float], int]:
    key_file, master = _master_key(folder)
    times: dict[str, float] = {}
    cpu_started = time.process_time()
    started = time.perf_counter()
    vault = Vault(folder, key_file, master, NoKeyring())
    times["open"] = time.perf_counter() - started
    try:
        started = time.perf_counter()
        listed = vault.testimonies.list(case_id)
        times["first list"] = time.perf_counter() - started
        assert listed
        started = time.perf_counter()
        saved = vault.testimonies.create(Testimony(**corpus.testimony_fields(SEED + 1, index, case_id)))
        times["first save"] = time.perf_counter() - started
        started = time.perf_counter()
        vault.testimonies.get(saved.id)
        times["first read"] = time.perf_counter() - started
        # The process's CPU for all four: less moved by other work on the
        # machine than the wall times, which also hold the fsyncs.
        times["CPU"] = time.process_time() - cpu_started
        return times, _compiled_by(vault)
    finally:
        vault.lock()


def _make_vault(folder: Path, rows: int) -> str:
    vault = Vault.create(folder, PASSPHRASE, keyring=NoKeyring(), argon2=fast_argon2()).vault
    try:
        case_id = vault.cases.create(Case(title="Izium, March 2022")).id
        for index in range(rows):
            vault.testimonies.create(Testimony(**corpus.testimony_fields(SEED, index, case_id)))
        return case_id
    finally:
        vault.lock()


def run(trials: int, rows: int) -> Result:
    print(machine_line())
    times: dict[tuple[str, str], dict[str, list[float]]] = {
        (scenario, mode): {measure: [] for measure in MEASURES} for scenario in SCENARIOS for mode in MODES
    }
    compiled: dict[tuple[str, str], list[int]] = {(s, m): [] for s in SCENARIOS for m in MODES}
    with bench_tempdir("first-operations") as scratch:
        target, companion = scratch / "target", scratch / "companion"
        print(f"creating two vaults of {rows} testimonies ...", flush=True)
        target_case, companion_case = _make_vault(target, rows), _make_vault(companion, rows)
        index = 0
        for trial in range(trials):
            order = MODES if trial % 2 == 0 else tuple(reversed(MODES))
            for mode in order:
                with _mode(mode):
                    for scenario in SCENARIOS:
                        other: Vault | None = None
                        if scenario == "another vault open":
                            other = Vault(companion, *_master_key(companion), NoKeyring())
                            other.testimonies.get(other.testimonies.list(companion_case)[0].id)
                            other.testimonies.create(
                                Testimony(**corpus.testimony_fields(SEED + 2, index, companion_case))
                            )
                        try:
                            got, count = _first_operations(target, target_case, index)
                        finally:
                            if other is not None:
                                other.lock()
                        index += 1
                        for phase, seconds in got.items():
                            times[(scenario, mode)][phase].append(seconds)
                        compiled[(scenario, mode)].append(count)

    def p50_ms(values: list[float]) -> float:
        return percentile(values, 50) * 1000

    details: dict[str, Any] = {"trials": f"{trials} per mode and scenario (p50 reported), modes alternated"}
    totals: dict[tuple[str, str], float] = {}
    for scenario in SCENARIOS:
        for mode in MODES:
            phases = times[(scenario, mode)]
            totals[(scenario, mode)] = sum(p50_ms(phases[phase]) for phase in PHASES)
            details[f"{scenario}, {mode}"] = (
                ", ".join(f"{phase} {p50_ms(phases[phase]):.1f} ms" for phase in PHASES)
                + f"; sum {totals[(scenario, mode)]:.1f} ms; CPU {p50_ms(phases['CPU']):.1f} ms; statements compiled "
                + f"{percentile([float(c) for c in compiled[(scenario, mode)]], 50):.0f}"
            )
    ours, baseline = totals[("another vault open", "shared")], totals[("another vault open", "per-engine")]
    alone_ratio = totals[("alone", "shared")] / totals[("alone", "per-engine")]
    cpu_ratio = p50_ms(times[("another vault open", "shared")]["CPU"]) / p50_ms(
        times[("another vault open", "per-engine")]["CPU"]
    )
    ratio = ours / baseline
    return Result(
        name="first_operations",
        metric="open + first list, save and read of a vault opened beside another, sum of p50s",
        ours=ours,
        baseline=baseline,
        unit="ms",
        ratio=ratio,
        ratio_meaning="shared compilation / a new dialect and cache per engine (the old way), same run",
        target="ratio < 1.0 with another vault open (sharing must not cost); alone ~1.0 (nothing kept over a lock)",
        passed=ratio < 1.0,
        details=details,
        notes=[
            f"CPU beside another vault: shared / per-engine {cpu_ratio:.2f}x",
            f"alone (unlock after a lock): shared / per-engine {alone_ratio:.2f}x",
        ],
    )


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, help=f"default {DEFAULT_TRIALS}, quick {QUICK_TRIALS}")
    parser.add_argument(
        "--rows", type=int, help=f"testimonies in each vault (default {DEFAULT_ROWS}, quick {QUICK_ROWS})"
    )
    args = parser.parse_args(argv)
    trials = args.trials or (QUICK_TRIALS if args.quick else DEFAULT_TRIALS)
    rows = args.rows if args.rows is not None else (QUICK_ROWS if args.quick else DEFAULT_ROWS)
    result = run(trials, rows)
    result.print()
    result.write_json(args.json)
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
