"""Coordinator review filters over many testimonies (db/review.py, issue 14).

Ours: ``ReviewService.records(ReviewFilter(...))``, a first page of 50 and
the count (up to COUNT_LIMIT), on the encrypted vault that
benchmarks/bench_search.py builds and caches (``--rows``: 100,000 testimonies
by default, dated over March-December 2022, placed in 40 towns, with the
violation types of their topics; one signing device).

Baseline, same run, same rows: the same filter written by hand as plain SQL
on bench_search's unencrypted SQLite copy of the rows (stdlib sqlite3, no
revisions table: the device filter's baseline is a plain scan), first page
and bounded count. The ratio says what encryption, the compound statement
and the Python around it cost on top of the floor of scanning the rows.

No target is set by the issue for the filters; the search's (p95 < 100 ms
at 1M) is the yardstick. The machine's load is printed with the figures:
on shared cores the numbers are not a target's proof.

A vault built with ``--no-baseline`` (bench_search's 1M run: no plain copy,
for the disk) is measured alone: the baseline columns are then left out.

    python benchmarks/bench_review.py [--rows 100000] [--reps 5] [--cache-dir DIR | --built FOLDER]
        [--narrative-bytes 2048] [--no-baseline]
    # at 1M, on the vault bench_search built: --built $TMPDIR/fvbench-cache/search-1000000-640-nobase-KEY
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import json
import math
import os
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

from benchmarks._common import PASSPHRASE, Result, base_parser, machine_line, percentile, write_results_json
from benchmarks.bench_search import DEFAULT_ROWS, NARRATIVE_BYTES, QUICK_ROWS, prepared
from db.api import ReviewFilter, ReviewService, Vault
from db.keyring_store import NoKeyring

DEFAULT_REPS = 5
TARGET_P95_S = 0.100
PAGE = 50
COUNT_LIMIT = 10_000


def _filters(device_id: str) -> dict[str, tuple[ReviewFilter, str, tuple[Any, ...]]]:
    """Name -> (our filter, the baseline's WHERE, its parameters)."""
    date = "json_extract(body, '$.interview_date')"
    place = "json_extract(body, '$.interview_place')"
    return {
        "none": (ReviewFilter(), "1", ()),
        "one month": (
            ReviewFilter(date_from="2022-05", date_to="2022-05"),
            f"{date} >= '2022-05' AND {date} <= '2022-05~'",
            (),
        ),
        "place": (ReviewFilter(place="ізюм"), f"instr(lower({place}), ?) > 0", ("ізюм",)),
        "violation type": (
            ReviewFilter(violation_types=("torture",)),
            "EXISTS (SELECT 1 FROM json_each(body, '$.violation_types') v WHERE v.value = ?)",
            ("torture",),
        ),
        "device": (ReviewFilter(device_id=device_id), "1", ()),
        "has evidence": (ReviewFilter(has_evidence=True), "0", ()),
        "month+type+place": (
            ReviewFilter(date_from="2022-05", date_to="2022-06", violation_types=("torture",), place="ізюм"),
            f"{date} >= '2022-05' AND {date} <= '2022-06~' AND instr(lower({place}), ?) > 0 AND "
            "EXISTS (SELECT 1 FROM json_each(body, '$.violation_types') v WHERE v.value = ?)",
            ("ізюм", "torture"),
        ),
        "text+month": (
            ReviewFilter(text="полонених", date_from="2022-05", date_to="2022-05"),
            f"{date} >= '2022-05' AND {date} <= '2022-05~'",
            (),
        ),
    }


def _timed(run: Callable[[], object], reps: int) -> list[float]:
    run()  # warm the page cache and the statement cache
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        run()
        samples.append(time.perf_counter() - t0)
    return samples


def run(
    rows: int,
    reps: int,
    cache_dir: str | None,
    built: Path | None = None,
    narrative_bytes: int = NARRATIVE_BYTES,
    with_baseline: bool = True,
) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="fvbench-review-") as scratch:
        if built is not None:
            # A copy of a folder bench_search built (its cache key may be stale;
            # opening it upgrades its schema, as bench_search does).
            folder, meta = built, json.loads((built / "meta.json").read_text())
            rows = meta["rows"]
        else:
            folder, meta, _cached = prepared(cache_dir, rows, Path(scratch), narrative_bytes, with_baseline)
        load_before = os.getloadavg()
        vault = Vault.open(folder / "vault", PASSPHRASE, keyring=NoKeyring())
        has_plain = (folder / "baseline.sqlite").exists()
        plain = sqlite3.connect(
            f"file:{folder / 'baseline.sqlite'}?mode=ro" if has_plain else ":memory:", uri=True
        )
        try:
            service = ReviewService(vault.services.context)
            with vault.services.context.sessions() as session:
                from sqlalchemy import text

                device_id = session.execute(
                    text("SELECT device_id FROM revisions WHERE entity_type = 'testimony' LIMIT 1")
                ).scalar_one()
            lines: dict[str, dict[str, Any]] = {}
            ours_all: list[float] = []
            base_all: list[float] = []
            for name, (review, where, params) in _filters(device_id).items():
                found: list[Any] = []

                def ours(review: ReviewFilter = review, found: list[Any] = found) -> None:
                    page = service.records(review, limit=PAGE)
                    found[:] = [page.total, page.total_capped, page.ranking_bounded]

                def baseline(where: str = where, params: tuple[Any, ...] = params) -> None:
                    where_t = f"entity_type = 'testimony' AND {where}"
                    plain.execute(
                        f"SELECT seq, body FROM entities WHERE {where_t} ORDER BY seq DESC LIMIT {PAGE}",
                        params,
                    ).fetchall()
                    plain.execute(
                        f"SELECT count(*) FROM (SELECT 1 FROM entities WHERE {where_t} LIMIT {COUNT_LIMIT + 1})",
                        params,
                    ).fetchone()

                o = _timed(ours, reps)
                b = _timed(baseline, reps) if has_plain else []
                ours_all += o
                base_all += b
                total, capped, bounded = found
                lines[name] = {
                    "ours p50/p95 ms": f"{statistics.median(o) * 1000:.1f}/{percentile(o, 95) * 1000:.1f}",
                    "baseline p50/p95 ms": (
                        f"{statistics.median(b) * 1000:.1f}/{percentile(b, 95) * 1000:.1f}" if b else "-"
                    ),
                    "matches": f"{'>' if capped else ''}{total}{' (ranking bounded)' if bounded else ''}",
                }
        finally:
            plain.close()
            vault.lock()
    load_after = os.getloadavg()
    ours_p95, base_p95 = percentile(ours_all, 95), percentile(base_all, 95)
    result = Result(
        name=f"review filters, {rows} testimonies (first page of {PAGE} and count)",
        metric="p95 over all filters",
        ours=ours_p95 * 1000,
        baseline=base_p95 * 1000,
        unit="ms",
        ratio=ours_p95 / base_p95 if base_p95 else math.nan,
        ratio_meaning="ours / hand-written SQL on plain SQLite; lower is better",
        target=f"none set; p95 < {TARGET_P95_S * 1000:.0f} ms as for search",
        passed=ours_p95 < TARGET_P95_S,
        details={"machine": machine_line(), "load (1/5/15 min) before / after": (load_before, load_after)}
        | {"build": meta, "baseline": "plain SQLite copy" if base_all else "none built (--no-baseline)"}
        | {name: "; ".join(f"{k} {v}" for k, v in line.items()) for name, line in lines.items()},
    )
    return [result]


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, help=f"testimonies (default {DEFAULT_ROWS}, quick {QUICK_ROWS})")
    parser.add_argument("--reps", type=int, default=DEFAULT_REPS, help="runs of each filter")
    parser.add_argument(
        "--cache-dir",
        default=os.environ.get("FIELDVAULT_BENCH_CACHE_DIR")
        or str(Path(tempfile.gettempdir()) / "fvbench-cache"),
        help="bench_search's cache of built vaults",
    )
    parser.add_argument(
        "--built",
        type=Path,
        help="a folder bench_search built (vault/, baseline.sqlite, meta.json), used as it is",
    )
    parser.add_argument(
        "--narrative-bytes",
        type=int,
        default=NARRATIVE_BYTES,
        help="as bench_search's (which vault to build)",
    )
    parser.add_argument("--no-baseline", action="store_true", help="as bench_search's: no plain copy")
    args = parser.parse_args(argv)
    rows = args.rows or (QUICK_ROWS if args.quick else DEFAULT_ROWS)
    results = run(rows, args.reps, args.cache_dir, args.built, args.narrative_bytes, not args.no_baseline)
    for result in results:
        result.print()
    write_results_json(results, args.json)
    return 0 if all(result.passed for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
