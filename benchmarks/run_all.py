"""Run every benchmark (`make bench`) and print a summary table.

Every ``benchmarks/bench_<name>.py`` is run, each in its own process (fresh
caches, its own memory); it prints its full report and hands its result back
as JSON. FIELDVAULT_BENCH_QUICK=1
(or --quick) runs them all at smoke-test sizes. The exit status is 1 when a
benchmark missed its target or failed, so CI can tell.

    python benchmarks/run_all.py [--quick] [--only search,save]

FIELDVAULT_BENCH_CACHE_DIR=DIR keeps the 100k-testimony search vault between
runs (building it takes about 10 minutes), and bench_merge's 500 bundles.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import json
import os
import subprocess
import time

from benchmarks._common import QUICK_ENV, base_parser, bench_tempdir

HERE = Path(__file__).resolve().parent
FIRST = ("search", "save", "unlock")
# Every benchmarks/bench_<name>.py, the vault's own first, then the others by name.
BENCHMARKS = tuple(
    sorted(
        (path.stem.removeprefix("bench_") for path in HERE.glob("bench_*.py")),
        key=lambda name: (FIRST.index(name) if name in FIRST else len(FIRST), name),
    )
)


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--only", help=f"comma-separated subset of {','.join(BENCHMARKS)}")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",")] if args.only else list(BENCHMARKS)
    unknown = set(chosen) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")

    rows: list[tuple[str, dict[str, object] | None, float, int]] = []
    env = dict(os.environ)
    if args.quick:
        env[QUICK_ENV] = "1"
    with bench_tempdir("results") as results:
        for name in chosen:
            out = results / f"{name}.json"
            command = [sys.executable, str(HERE / f"bench_{name}.py"), "--json", str(out)]
            if args.quick:
                command.append("--quick")
            print(f"\n##### {name}{' (quick)' if args.quick else ''}", flush=True)
            started = time.perf_counter()
            code = subprocess.run(command, env=env, check=False).returncode
            elapsed = time.perf_counter() - started
            data = json.loads(out.read_text()) if out.exists() else None
            # A benchmark reports one result or several (search: full words
            # and two-letter prefixes), each a row of the summary.
            for one in data if isinstance(data, list) else [data]:
                rows.append((str(one["name"]) if one else name, one, elapsed, code))

    print("\n" + "=" * 100)
    print(
        f"{'benchmark':<9} {'metric':<20} {'ours':>14} {'baseline':>14} {'ratio':>8}  {'verdict':<7} target"
    )
    print("-" * 100)
    failed = False
    for name, data, _elapsed, code in rows:
        if data is None:
            failed = True
            print(f"{name:<9} {'(no result: exit status ' + str(code) + ')':<60}  ERROR")
            continue
        unit = str(data["unit"])
        ours = f"{float(data['ours']):.1f} {unit}"  # type: ignore[arg-type]
        base = f"{float(data['baseline']):.1f} {unit}"  # type: ignore[arg-type]
        ratio = f"{float(data['ratio']):.2f}x"  # type: ignore[arg-type]
        verdict = str(data["verdict"])
        failed = failed or verdict != "PASS"
        print(
            f"{name:<9} {data['metric']!s:<20} {ours:>14} {base:>14} {ratio:>8}  {verdict:<7} {data['target']}"
        )
    print("-" * 100)
    if args.json:
        Path(args.json).write_text(json.dumps([data for _n, data, _e, _c in rows], indent=2))
    print("wall time: " + ", ".join(f"{name} {elapsed:.0f} s" for name, _d, elapsed, _c in rows))
    if args.quick:
        print("QUICK run: smoke-test sizes, not the issue's figures.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
