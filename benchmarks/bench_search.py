"""Full-text search latency over many testimonies, against plain SQLite FTS5;
and search as you type: a two-letter prefix.

Ours: ``vault.search.query(q, limit=50)`` on an encrypted vault (SQLCipher,
SQLAlchemy, and the hits' snippets and highlight spans).

Baseline, built from the same rows in the same run: an unencrypted SQLite file
(stdlib sqlite3) with the same two tables the vault queries (entities with the
JSON body, and an FTS5 index of the same normalised terms from
``db.search_terms.index_text`` with the same tokenizer), queried with the very
statement the service runs (``db.services.search_statement(parse_query(q))``:
bm25 top 50 among at most ``RANK_CANDIDATES`` newest matches of each group
of record types, then the entity rows), all rows fetched. Diagnostic
columns run that statement on the encrypted vault (raw sqlcipher3: no
SQLAlchemy, no snippets) and on the plain file through sqlcipher3's SQLite, to
split the cost between the SQLite build, encryption and Python; and both
sides once more ranking every match (``candidates=None``), to show what the
candidate bound saves and how many of the exact top 50 it keeps.

Target (issue): p95 under 50 ms, and p95 within 1.5x of the baseline.

Search as you type (a second result): two-letter prefixes typed into the
search box, ``vault.search.query(p, as_you_type=True)``, against the same
statement on the same baseline file, whose index has the same two- and
three-letter prefix indexes (migration 0006); such a query ranks at most
``SHORT_PREFIX_CANDIDATES`` newest matches of each group. Target (issue 9):
p95 under 50 ms at 100,000 testimonies.

The vault is filled through the service API in batches: testimonies are signed
as revisions by a second device identity and stored with
``vault.revisions.apply(batch)``, the path a sync import takes. It runs the same
``refresh_entity`` (entity row, FTS terms) as ``testimonies.create`` but commits
once per batch. ``--cache-dir`` (default FIELDVAULT_BENCH_CACHE_DIR or
$TMPDIR/fvbench-cache) keeps the built vault between runs; ``--no-cache``
builds it in a temp dir and deletes it.

    python benchmarks/bench_search.py [--rows 100000] [--reps 5] [--quick] [--cache-dir DIR | --no-cache]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gc
import hashlib
import json
import os
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

import sqlcipher3

from benchmarks import corpus
from benchmarks._common import (
    PASSPHRASE,
    REPO_ROOT,
    Result,
    base_parser,
    bench_tempdir,
    env_int,
    fast_argon2,
    machine_line,
    percentile,
    write_results_json,
)
from db.device import DeviceIdentity
from db.engine import make_engine
from db.entities import Case, Testimony
from db.hlc import Timestamp
from db.ids import new_id
from db.keyring_store import NoKeyring
from db.keys import KeyFile, derive_subkeys
from db.revisions import Revision, create_revision
from db.search_terms import index_text, parse_query
from db.services import RANK_CANDIDATES, SHORT_PREFIX_CANDIDATES, candidates_for, search_statement
from db.vault import DB_FILE, KEY_FILE, Vault

DEFAULT_ROWS = env_int("FIELDVAULT_BENCH_SEARCH_ROWS", 100_000)
QUICK_ROWS = 10_000
DEFAULT_REPS = 5
QUICK_REPS = 3
BATCH = 1000
SEED = 20220224
LIMIT = 50
TARGET_P95_S = 0.050
TARGET_RATIO = 1.5
CASES = 20
# Bump when build() changes what it stores, so cached vaults are rebuilt.
# 2: the baseline index as migration 0006 (prefix indexes, entity_type indexed).
BUILD_VERSION = 2
FINGERPRINT_TERM_ROWS = 300

TARGET_PREFIX_P95_S = 0.050
# Two-letter prefixes, as the first two letters typed into the search box:
# common word beginnings of the corpus (Ukrainian and English).
PREFIXES: tuple[str, ...] = (
    "по", "пі", "пр", "ко", "ви", "за", "на", "ро", "ка", "бл",
    "ок", "мо", "зр", "ев", "сі", "ді", "шк", "лі", "ра", "вб",
    "pr", "sh", "ba", "to", "ch", "ci", "gr", "ev", "he", "mi",
)  # fmt: skip

# The same index as the vault's (migration 0006).
BASELINE_SCHEMA = (
    "CREATE TABLE entities (seq INTEGER PRIMARY KEY AUTOINCREMENT, entity_id TEXT NOT NULL UNIQUE, "
    "entity_type TEXT NOT NULL, case_id TEXT, body TEXT NOT NULL)",
    "CREATE VIRTUAL TABLE search_index USING fts5("
    "entity_id UNINDEXED, entity_type, terms, prefix = '2 3', tokenize = 'unicode61 remove_diacritics 0')",
)


def _fingerprint(rows: int) -> str:
    """Changes when anything that shapes the built data changes."""
    digest = hashlib.sha256(f"{rows}|{SEED}|{corpus.CORPUS_VERSION}|{BUILD_VERSION}|{BATCH}".encode())
    # The generated rows themselves (a sample), and the code that stores and indexes them.
    sample = [corpus.testimony_fields(SEED, i, "case") for i in (0, 1, 2, rows - 1)]
    digest.update(json.dumps(sample, ensure_ascii=False).encode())
    # The index terms of enough rows to hold the corpus's whole vocabulary:
    # a change to the term rules shows here, a change to query-side code
    # (parsing, snippets) in db/search_terms.py needs no rebuild.
    for i in range(FINGERPRINT_TERM_ROWS):
        digest.update(index_text(corpus.testimony_fields(SEED, i, "case")["narrative"]).encode())
    sources = [
        REPO_ROOT / "db" / "store.py",
        REPO_ROOT / "db" / "entities.py",
        *sorted((REPO_ROOT / "db" / "migrations" / "versions").glob("*.py")),
    ]
    for path in sources:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _batches(rows: int, case_ids: list[str], identity: DeviceIdentity) -> Iterator[list[Revision]]:
    """Signed revisions of the generated testimonies, BATCH at a time."""
    base_ms = 1_650_000_000_000
    batch: list[Revision] = []
    for index in range(rows):
        record = Testimony(**corpus.testimony_fields(SEED, index, case_ids[index % len(case_ids)]))
        batch.append(
            create_revision(
                identity,
                entity_id=new_id(),
                entity_type="testimony",
                op="put",
                body=record.body(),
                parents=[],
                hlc=Timestamp(base_ms + index, 0),
            )
        )
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def build(folder: Path, rows: int) -> dict[str, Any]:
    """Create the vault (service API) and the baseline file from the same rows."""
    folder.mkdir(parents=True, exist_ok=True)
    vault_dir = folder / "vault"
    baseline_path = folder / "baseline.sqlite"
    created = Vault.create(vault_dir, PASSPHRASE, keyring=NoKeyring(), argon2=fast_argon2())
    vault = created.vault
    baseline = sqlite3.connect(baseline_path, isolation_level=None)
    for statement in BASELINE_SCHEMA:
        baseline.execute(statement)
    baseline.execute("PRAGMA journal_mode = WAL")
    vault_s = baseline_s = 0.0
    started = time.perf_counter()
    try:
        cases = [vault.cases.create(Case(title=f"Case {n + 1}")) for n in range(CASES)]
        case_ids = [case.id for case in cases]
        # The cases are in the vault's search index too (they count in bm25's statistics).
        baseline.execute("BEGIN")
        for case in cases:
            seq = baseline.execute(
                "INSERT INTO entities (entity_id, entity_type, case_id, body) VALUES (?, 'case', NULL, ?)",
                (case.id, json.dumps(case.body(), ensure_ascii=False)),
            ).lastrowid
            baseline.execute(
                "INSERT INTO search_index (rowid, entity_id, entity_type, terms) VALUES (?, ?, 'case', ?)",
                (seq, case.id, index_text(case.search_text())),
            )
        baseline.execute("COMMIT")
        identity = DeviceIdentity.generate()
        for done, batch in enumerate(_batches(rows, case_ids, identity), start=1):
            t0 = time.perf_counter()
            vault.revisions.apply(batch)
            t1 = time.perf_counter()
            # The vault numbers entities in the order apply() refreshes them
            # (sorted ids); the baseline does the same so rowids, and so bm25
            # ties, line up.
            ordered = sorted(batch, key=lambda rev: rev.entity_id)
            baseline.execute("BEGIN")
            baseline.executemany(
                "INSERT INTO entities (entity_id, entity_type, case_id, body) VALUES (?, ?, ?, ?)",
                [
                    (r.entity_id, r.entity_type, r.body["case_id"], json.dumps(r.body, ensure_ascii=False))
                    for r in ordered
                ],
            )
            baseline.executemany(
                "INSERT INTO search_index (rowid, entity_id, entity_type, terms) "
                "SELECT seq, entity_id, entity_type, ? FROM entities WHERE entity_id = ?",
                [(index_text(Testimony.from_body(r.body).search_text()), r.entity_id) for r in ordered],
            )
            baseline.execute("COMMIT")
            t2 = time.perf_counter()
            vault_s += t1 - t0
            baseline_s += t2 - t1
            if done % 10 == 0:
                elapsed = time.perf_counter() - started
                print(f"  built {done * BATCH} rows in {elapsed:.0f} s", flush=True)
    finally:
        baseline.close()
        vault.lock()
    total = time.perf_counter() - started
    return {
        "rows": rows,
        "build_total_s": round(total, 1),
        "build_vault_apply_s": round(vault_s, 1),
        "build_baseline_s": round(baseline_s, 1),
        "vault_bytes": sum(p.stat().st_size for p in vault_dir.glob(f"{DB_FILE}*")),
        "baseline_bytes": sum(p.stat().st_size for p in folder.glob("baseline.sqlite*")),
    }


def prepared(cache_dir: str | None, rows: int, scratch: Path) -> tuple[Path, dict[str, Any], bool]:
    """The folder holding vault/ and baseline.sqlite, built or from the cache."""
    if not cache_dir:
        print(f"building {rows} testimonies in {scratch} ...", flush=True)
        return scratch, build(scratch, rows), False
    folder = Path(cache_dir) / f"search-{rows}-{_fingerprint(rows)}"
    meta_path = folder / "meta.json"
    if meta_path.exists():
        print(f"using cached vault {folder}", flush=True)
        return folder, json.loads(meta_path.read_text()), True
    shutil.rmtree(folder, ignore_errors=True)
    print(f"building {rows} testimonies in {folder} (cached for later runs) ...", flush=True)
    meta = build(folder, rows)
    meta_path.write_text(json.dumps(meta))
    return folder, meta, False


def _sql_runner(
    connection: Any, *, candidates: int | None = RANK_CANDIDATES, as_you_type: bool = False
) -> Callable[[str], list[Any]]:
    """The service's statement for a query, run on ``connection``."""

    def run(query: str) -> list[Any]:
        parsed = parse_query(query, prefix_last=as_you_type)
        if parsed is None:
            return []
        bound = candidates_for(parsed, candidates)  # as the service: fewer for a short prefix
        sql, params = search_statement(parsed, limit=LIMIT, candidates=bound)
        rows: list[Any] = connection.execute(sql, params).fetchall()
        return rows

    return run


def _encrypted_connection(vault_dir: Path) -> tuple[Any, Any]:
    """A raw sqlcipher3 connection to the vault (diagnostic column), keyed with
    the public key functions; same per-connection pragmas as the app."""
    key_file = KeyFile.from_bytes((vault_dir / KEY_FILE).read_bytes(), source=KEY_FILE)
    master = key_file.unwrap_with_passphrase(key_file.stretch(PASSPHRASE), None)
    engine = make_engine(vault_dir / DB_FILE, derive_subkeys(master, key_file.vault_id).database)
    return engine, engine.raw_connection()


def _plain_connection(module: Any, path: Path) -> Any:
    connection = module.connect(str(path), isolation_level=None)
    # As the vault's connections: SQLCipher's build default of an 8 MB page
    # cache (DEFAULT_CACHE_SIZE=-8000; stdlib's is 2 MB), temp data in memory.
    connection.execute("PRAGMA cache_size = -8000")
    connection.execute("PRAGMA temp_store = MEMORY")
    return connection


SIDES = {
    "ours": "ours: vault.search.query (SQLCipher + SQLAlchemy + snippets)",
    "baseline": "baseline: same SQL, plain file, stdlib sqlite3",
    "encrypted_sql": "diagnostic: same SQL on the vault, raw sqlcipher3",
    "sqlcipher_plain": "diagnostic: same SQL, plain file, sqlcipher3's SQLite",
    "ours_exact": "diagnostic: ours ranking every match (candidates=None)",
    "baseline_exact": "diagnostic: baseline ranking every match",
}
# Query classes by the share of documents that match.
CLASSES = (
    ("rare", "under 1% of documents match", 0.0, 0.01),
    ("selective", "1-10%", 0.01, 0.10),
    ("common", "10-25%", 0.10, 0.25),
    ("broad", "over 25%", 0.25, 1.01),
)


def measure(folder: Path, scratch: Path, reps: int) -> dict[str, Any]:
    # sqlcipher3 reads its own copy: two SQLite libraries must not share a
    # file in one process (their POSIX locks would clash).
    plain_copy = scratch / "baseline-copy.sqlite"
    shutil.copyfile(folder / "baseline.sqlite", plain_copy)
    vault = Vault.open(folder / "vault", PASSPHRASE, keyring=NoKeyring())
    baseline = _plain_connection(sqlite3, folder / "baseline.sqlite")
    lib_plain = _plain_connection(sqlcipher3, plain_copy)
    engine, raw = _encrypted_connection(folder / "vault")

    def ours(query: str) -> list[Any]:
        return vault.search.query(query, limit=LIMIT)

    def ours_exact(query: str) -> list[Any]:
        return vault.search.query(query, limit=LIMIT, candidates=None)

    sides: dict[str, Callable[[str], list[Any]]] = {
        "ours": ours,
        "baseline": _sql_runner(baseline),
        "encrypted_sql": _sql_runner(raw),
        "sqlcipher_plain": _sql_runner(lib_plain),
        "ours_exact": ours_exact,
        "baseline_exact": _sql_runner(baseline, candidates=None),
    }
    queries = list(corpus.QUERIES)
    samples: dict[str, dict[str, list[float]]] = {side: {q: [] for q in queries} for side in sides}
    matches: dict[str, int] = {}
    kept: dict[str, float] = {}
    mismatched: list[str] = []
    try:
        documents = baseline.execute("SELECT count(*) FROM search_index").fetchone()[0]
        # Warm-up: page caches, the word-form cache, SQLAlchemy's statement
        # cache; a check that both sides return the same hits; and how many
        # of the exact top hits the candidate bound keeps.
        for query in queries:
            ours_ids = [hit.entity_id for hit in ours(query)]
            base_ids = [row[0] for row in sides["baseline"](query)]
            exact_ids = [hit.entity_id for hit in ours_exact(query)]
            base_exact_ids = [row[0] for row in sides["baseline_exact"](query)]
            sides["encrypted_sql"](query)
            sides["sqlcipher_plain"](query)
            if ours_ids != base_ids or exact_ids != base_exact_ids:
                mismatched.append(query)
            if exact_ids:
                kept[query] = len(set(ours_ids) & set(exact_ids)) / len(exact_ids)
            parsed = parse_query(query)
            matches[query] = (
                baseline.execute(
                    "SELECT count(*) FROM search_index WHERE search_index MATCH ?",
                    (f"terms : ({parsed.fts})",),
                ).fetchone()[0]
                if parsed
                else 0
            )
        rng = random.Random(SEED)
        gc.collect()
        for _ in range(reps):
            order = queries[:]
            rng.shuffle(order)
            for query in order:
                names = list(sides)
                rng.shuffle(names)  # no side always runs first
                for name in names:
                    started = time.perf_counter()
                    sides[name](query)
                    samples[name][query].append(time.perf_counter() - started)
    finally:
        raw.close()
        engine.dispose()
        baseline.close()
        lib_plain.close()
        vault.lock()
        plain_copy.unlink(missing_ok=True)
    return {
        "samples": samples,
        "matches": matches,
        "kept": kept,
        "documents": documents,
        "mismatched": mismatched,
        "queries": queries,
    }


def _stats(samples: dict[str, list[float]], queries: list[str]) -> tuple[float, float]:
    flat = [t for q in queries for t in samples[q]]
    return percentile(flat, 50), percentile(flat, 95)


def measure_prefix(folder: Path, reps: int) -> dict[str, Any]:
    """Two-letter prefixes as typed: ours against the same statement on the
    baseline file, and on the vault through raw sqlcipher3 (diagnostic)."""
    vault = Vault.open(folder / "vault", PASSPHRASE, keyring=NoKeyring())
    baseline = _plain_connection(sqlite3, folder / "baseline.sqlite")
    engine, raw = _encrypted_connection(folder / "vault")

    def ours(prefix: str) -> list[Any]:
        return vault.search.query(prefix, limit=LIMIT, as_you_type=True)

    sides: dict[str, Callable[[str], list[Any]]] = {
        "ours": ours,
        "baseline": _sql_runner(baseline, as_you_type=True),
        "encrypted_sql": _sql_runner(raw, as_you_type=True),
    }
    samples: dict[str, dict[str, list[float]]] = {side: {p: [] for p in PREFIXES} for side in sides}
    matches: dict[str, int] = {}
    mismatched: list[str] = []
    try:
        for prefix in PREFIXES:
            if [hit.entity_id for hit in ours(prefix)] != [row[0] for row in sides["baseline"](prefix)]:
                mismatched.append(prefix)
            sides["encrypted_sql"](prefix)
            parsed = parse_query(prefix, prefix_last=True)
            assert parsed is not None
            matches[prefix] = baseline.execute(
                "SELECT count(*) FROM search_index WHERE search_index MATCH ?", (f"terms : ({parsed.fts})",)
            ).fetchone()[0]
        rng = random.Random(SEED)
        gc.collect()
        for _ in range(reps):
            order = list(PREFIXES)
            rng.shuffle(order)
            for prefix in order:
                names = list(sides)
                rng.shuffle(names)
                for name in names:
                    started = time.perf_counter()
                    sides[name](prefix)
                    samples[name][prefix].append(time.perf_counter() - started)
    finally:
        raw.close()
        engine.dispose()
        baseline.close()
        vault.lock()
    return {"samples": samples, "matches": matches, "mismatched": mismatched}


def prefix_result(m: dict[str, Any], rows: int, reps: int) -> Result:
    samples = m["samples"]
    prefixes = list(PREFIXES)
    p50: dict[str, float] = {}
    p95: dict[str, float] = {}
    for side in samples:
        p50[side], p95[side] = _stats(samples[side], prefixes)
    slowest = sorted(prefixes, key=lambda p: statistics.median(samples["ours"][p]), reverse=True)[:5]
    shares = sorted(m["matches"][p] / rows for p in prefixes)
    details: dict[str, Any] = {
        "prefixes": f"{len(prefixes)} two-letter prefixes x {reps} runs each, as typed "
        f"(as_you_type=True), limit {LIMIT}, on {rows} testimonies, at most "
        f"{SHORT_PREFIX_CANDIDATES} newest matches of each group ranked (SHORT_PREFIX_CANDIDATES)",
        "p50 / p95 ms, ours: vault.search.query": f"{p50['ours'] * 1000:.1f} / {p95['ours'] * 1000:.1f}",
        "p50 / p95 ms, baseline: same SQL, plain file with the same prefix index": (
            f"{p50['baseline'] * 1000:.1f} / {p95['baseline'] * 1000:.1f}"
        ),
        "p50 / p95 ms, diagnostic: same SQL on the vault, raw sqlcipher3": (
            f"{p50['encrypted_sql'] * 1000:.1f} / {p95['encrypted_sql'] * 1000:.1f}"
        ),
        "share of documents matching: min / median / max": (
            f"{shares[0]:.0%} / {statistics.median(shares):.0%} / {shares[-1]:.0%}"
        ),
        "slowest prefixes (ours median ms, matching docs)": ", ".join(
            f"{p!r} {statistics.median(samples['ours'][p]) * 1000:.1f} ({m['matches'][p]})" for p in slowest
        ),
        "same hits as baseline": f"{len(prefixes) - len(m['mismatched'])}/{len(prefixes)} prefixes",
    }
    notes = [f"hits differ from the baseline for: {m['mismatched']}"] if m["mismatched"] else []
    return Result(
        name="prefix",
        metric="p95 two-letter prefix",
        ours=p95["ours"] * 1000,
        baseline=p95["baseline"] * 1000,
        unit="ms",
        ratio=p95["ours"] / p95["baseline"],
        ratio_meaning="ours p95 / baseline p95, lower is better",
        target=f"p95 < {TARGET_PREFIX_P95_S * 1000:.0f} ms",
        passed=p95["ours"] < TARGET_PREFIX_P95_S,
        details=details,
        notes=notes,
    )


def run(rows: int, reps: int, cache_dir: str | None) -> list[Result]:
    print(machine_line())
    with bench_tempdir("search") as scratch:
        folder, meta, cached = prepared(cache_dir, rows, scratch)
        print(f"measuring {len(corpus.QUERIES)} queries x {reps} runs ...", flush=True)
        m = measure(folder, scratch, reps)
        print(f"measuring {len(PREFIXES)} two-letter prefixes x {reps} runs ...", flush=True)
        prefix = prefix_result(measure_prefix(folder, reps), rows, reps)
    samples, queries = m["samples"], m["queries"]
    p50: dict[str, float] = {}
    p95: dict[str, float] = {}
    for side in samples:
        p50[side], p95[side] = _stats(samples[side], queries)
    ratio = p95["ours"] / p95["baseline"]
    passed = p95["ours"] < TARGET_P95_S and ratio <= TARGET_RATIO

    def median(side: str, query: str) -> float:
        return statistics.median(samples[side][query])

    ratios = sorted(median("ours", q) / median("baseline", q) for q in queries)
    slowest = sorted(queries, key=lambda q: median("ours", q), reverse=True)[:5]
    bounded = [q for q in queries if m["matches"][q] > RANK_CANDIDATES]

    def ms(x: float) -> str:
        return f"{x * 1000:.1f}"

    details: dict[str, Any] = {
        "rows": f"{rows} testimonies, ~{_mean_narrative_bytes()} bytes of narrative each (UTF-8)",
        "queries": f"{len(queries)} queries x {reps} runs each, limit {LIMIT}, "
        f"at most {RANK_CANDIDATES} newest matches ranked",
    }
    for side, label in SIDES.items():
        details[f"p50 / p95 ms, {label}"] = f"{ms(p50[side])} / {ms(p95[side])}"
    details["p50 ratio ours/baseline"] = f"{p50['ours'] / p50['baseline']:.2f}x"
    details["per-query median ratio ours/baseline: min / median / max"] = (
        f"{ratios[0]:.2f}x / {statistics.median(ratios):.2f}x / {ratios[-1]:.2f}x"
    )
    details["split of ours/baseline at p50"] = (
        f"SQLite build {p50['sqlcipher_plain'] / p50['baseline']:.2f}x, "
        f"then encryption {p50['encrypted_sql'] / p50['sqlcipher_plain']:.2f}x, "
        f"then SQLAlchemy + snippets {p50['ours'] / p50['encrypted_sql']:.2f}x "
        f"(+{ms(p50['ours'] - p50['encrypted_sql'])} ms)"
    )
    for name, share, low, high in CLASSES:
        group = [q for q in queries if low * m["documents"] <= m["matches"][q] < high * m["documents"]]
        if not group:
            continue
        cells = []
        for side in ("ours", "baseline", "encrypted_sql", "ours_exact", "baseline_exact"):
            s50, s95 = _stats(samples[side], group)
            cells.append(f"{side} {ms(s50)}/{ms(s95)}")
        details[f"{name} ({share}): {len(group)} queries, p50/p95 ms"] = ", ".join(cells)
    if bounded:
        shares = [m["kept"][q] for q in bounded]
        details[f"queries with more than {RANK_CANDIDATES} matches (ranked among the newest)"] = (
            f"{len(bounded)}/{len(queries)}; they keep {statistics.mean(shares):.0%} of the exact "
            f"top {LIMIT} on average (least {min(shares):.0%}); the others are exact"
        )
    details["slowest queries (ours median ms, matching docs)"] = ", ".join(
        f"{q!r} {ms(median('ours', q))} ({m['matches'][q]})" for q in slowest
    )
    details["same hits as baseline"] = f"{len(queries) - len(m['mismatched'])}/{len(queries)} queries"
    details["build time"] = (
        f"{meta['build_total_s']} s total ({meta['build_vault_apply_s']} s in vault.revisions.apply, "
        f"{meta['build_baseline_s']} s baseline inserts)" + (" [from cache]" if cached else "")
    )
    details["database size"] = (
        f"vault {meta['vault_bytes'] / 1e6:.0f} MB, baseline {meta['baseline_bytes'] / 1e6:.0f} MB"
    )
    notes = []
    if m["mismatched"]:
        notes.append(f"hits differ from the baseline for: {m['mismatched']}")
    search = Result(
        name="search",
        metric="p95 query latency",
        ours=p95["ours"] * 1000,
        baseline=p95["baseline"] * 1000,
        unit="ms",
        ratio=ratio,
        ratio_meaning="ours p95 / baseline p95, lower is better",
        target=f"p95 < {TARGET_P95_S * 1000:.0f} ms and ratio <= {TARGET_RATIO}x",
        passed=passed,
        details=details,
        notes=notes,
    )
    return [search, prefix]


def _mean_narrative_bytes() -> int:
    sizes = [len(corpus.testimony_fields(SEED, i, "x")["narrative"].encode()) for i in range(200)]
    return round(statistics.mean(sizes))


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, help=f"testimonies (default {DEFAULT_ROWS}, quick {QUICK_ROWS})")
    parser.add_argument(
        "--reps", type=int, help=f"runs of each query (default {DEFAULT_REPS}, quick {QUICK_REPS})"
    )
    parser.add_argument(
        "--cache-dir",
        default=os.environ.get("FIELDVAULT_BENCH_CACHE_DIR")
        or str(Path(tempfile.gettempdir()) / "fvbench-cache"),
        help="keep the built vault here and reuse it (env FIELDVAULT_BENCH_CACHE_DIR; "
        "default $TMPDIR/fvbench-cache)",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="build in a temp dir and delete it afterwards"
    )
    args = parser.parse_args(argv)
    rows = args.rows or (QUICK_ROWS if args.quick else DEFAULT_ROWS)
    reps = args.reps or (QUICK_REPS if args.quick else DEFAULT_REPS)
    results = run(rows, reps, None if args.no_cache else args.cache_dir)
    for result in results:
        result.print()
    write_results_json(results, args.json)
    return 0 if all(result.passed for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
