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

Targets: p95 under 50 ms and within 1.5x of the baseline at 100,000
testimonies (issue 9); p95 under 100 ms at 1,000,000 (issue 14), with the
share of queries whose top 50 differ from exact ranking reported. Also
reported, once per query: whether ``SearchResults.bounded`` was set (and that
it is set exactly when a query matches more than ``RANK_CANDIDATES``), and
whether the incidents and persons a query matches are crowded out: they are
the vault's oldest rows (the first a bound on the newest matches would
drop), and every one the exact ranking puts in the top 50 must be there.

Search as you type (a second result): two-letter prefixes typed into the
search box, ``vault.search.query(p, as_you_type=True)``, against the same
statement on the same baseline file, whose index has the same two- and
three-letter prefix indexes (migration 0006); such a query ranks at most
``SHORT_PREFIX_CANDIDATES`` newest matches of each group. Target (issue 9):
p95 under 50 ms at 100,000 testimonies.

What the vault holds: 20 cases (``cases.create``); one incident per 1,000
testimonies and one person per 500 (at least 10 and 20; short texts of the
corpus's words: a title, place and three sentences, a name and a sentence),
stored first; then the testimonies (benchmarks/corpus.py: mixed Ukrainian and
English sentences over a vocabulary of ~170 lemmas in their inflected forms,
topic words, 10 places, a few rare words). ``--narrative-bytes`` sets the
mean narrative's length (default 2048: ~2,100 UTF-8 bytes, ~225 words;
the 1M run uses 640: ~700 bytes, ~75 words, so that a million fit on this
machine's disk: the vault takes ~8 KB a row at 640, ~18 KB at 2048, and the
baseline another 60-70% of that; ``--no-baseline`` leaves it out, and only
the vault's own columns are measured).

Everything goes into the vault through the service API: the testimonies
and the incidents and persons are signed as revisions by a second device
identity and stored with ``vault.revisions.apply(batch)`` (BATCH = 5,000 per
transaction), the path a sync import takes: it verifies every signature and
runs the same ``refresh_entities`` (entity rows, FTS terms from the app's own
``index_text``) as the app. Only the making of the rows is spread: WORKERS
(2) spawned processes generate the testimonies, sign them and compute the
baseline's terms, at most IN_FLIGHT batches ahead; the parent applies them
in order. (Before: one process, 1,000 a batch: 100,000 rows took 1,496 s; now
a 20,000-row build takes 13-21 s on this machine, and 1M about half an hour;
development.md.) ``--cache-dir`` (default FIELDVAULT_BENCH_CACHE_DIR or
$TMPDIR/fvbench-cache) keeps the built vault between runs; ``--no-cache``
builds it in a temp dir and deletes it.

    python benchmarks/bench_search.py [--rows 100000] [--reps 5] [--quick] [--cache-dir DIR | --no-cache]
        [--narrative-bytes 2048] [--no-baseline]
    # the 1M run: --rows 1000000 --narrative-bytes 640 --no-baseline (~8 GB in the cache)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gc
import hashlib
import json
import math
import multiprocessing
import os
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import sqlcipher3
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

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
from db.device import DeviceIdentity, device_id_for, raw_public_key
from db.engine import make_engine
from db.entities import RECORD_TYPES, Case, Incident, Person, Record, Testimony
from db.hlc import Timestamp
from db.ids import new_id
from db.keyring_store import NoKeyring
from db.keys import KeyFile, derive_subkeys
from db.paths import KEY_FILE
from db.revisions import Revision, create_revision
from db.search_terms import index_text, parse_query
from db.services import (
    RANK_CANDIDATES,
    RANKED_APART,
    SHORT_PREFIX_CANDIDATES,
    SearchResults,
    candidates_for,
    search_statement,
)
from db.vault import DB_FILE, Vault

DEFAULT_ROWS = env_int("FIELDVAULT_BENCH_SEARCH_ROWS", 100_000)
QUICK_ROWS = 10_000
DEFAULT_REPS = 5
QUICK_REPS = 3
# Testimonies per vault.revisions.apply (one transaction): a sync import's
# bundle may carry as many.
BATCH = 5000
WORKERS = 2  # processes making and signing the testimonies
IN_FLIGHT = 3  # batches made ahead of the parent's apply
BASE_MS = 1_650_000_000_000
SEED = 20220224
LIMIT = 50
# The mean narrative's UTF-8 bytes (corpus.testimony_fields' target); --narrative-bytes.
NARRATIVE_BYTES = 2048
# Issue 9's target (100,000 testimonies), and issue 14's at a million and more.
TARGET_P95_S = 0.050
TARGET_P95_1M_S = 0.100
TARGET_RATIO = 1.5
CASES = 20
GIVEN_NAMES = (
    "Олександр",
    "Марія",
    "Іван",
    "Оксана",
    "Петро",
    "Olena",
    "Andrii",
    "Yurii",
    "Natalia",
    "Serhii",
)
FAMILY_NAMES = ("Петренко", "Коваль", "Шевчук", "Бондар", "Мельник", "Kravets", "Tkachenko", "Lysenko")
# Bump when build() changes what it stores, so cached vaults are rebuilt.
# 2: the baseline index as migration 0006 (prefix indexes, entity_type indexed).
# 3: incidents and persons beside the testimonies; workers make the rows.
BUILD_VERSION = 3
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


def _fingerprint(rows: int, narrative_bytes: int, with_baseline: bool) -> str:
    """Changes when anything that shapes the built data changes."""
    digest = hashlib.sha256(
        f"{rows}|{SEED}|{corpus.CORPUS_VERSION}|{BUILD_VERSION}|{BATCH}|{narrative_bytes}|{with_baseline}".encode()
    )
    # The generated rows themselves (a sample), and the code that stores and indexes them.
    sample = [corpus.testimony_fields(SEED, i, "case", narrative_bytes) for i in (0, 1, 2, rows - 1)]
    digest.update(json.dumps(sample, ensure_ascii=False).encode())
    digest.update(json.dumps([r.body() for r in _apart_records(rows, ["case"])], ensure_ascii=False).encode())
    # The index terms of enough rows to hold the corpus's whole vocabulary:
    # a change to the term rules shows here, a change to query-side code
    # (parsing, snippets) in db/search_terms.py needs no rebuild.
    for i in range(FINGERPRINT_TERM_ROWS):
        digest.update(
            index_text(corpus.testimony_fields(SEED, i, "case", narrative_bytes)["narrative"]).encode()
        )
    sources = [
        REPO_ROOT / "db" / "store.py",
        REPO_ROOT / "db" / "entities.py",
        *sorted((REPO_ROOT / "db" / "migrations" / "versions").glob("*.py")),
    ]
    for path in sources:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _apart_records(rows: int, case_ids: list[str]) -> list[Incident | Person]:
    """The incidents and persons beside the testimonies (one per 1,000 and one
    per 500 testimonies, at least 10 and 20): short texts with the corpus's
    words (an incident's title and description, a person's name and notes),
    so that most queries match some of them as well as many testimonies."""
    rng = random.Random(SEED + 1)
    records: list[Incident | Person] = []
    for n in range(max(10, rows // 1000)):
        lang = corpus.UK if n % 2 == 0 else corpus.EN
        topics = tuple(rng.sample(corpus.TOPICS, rng.choice((1, 2))))
        records.append(
            Incident(
                case_id=case_ids[n % len(case_ids)],
                title=corpus._sentence(rng, lang, topics)[:80].rstrip(" ,.") or f"Incident {n}",
                date=f"2022-{rng.randint(3, 12):02d}-{rng.randint(1, 28):02d}",
                date_precision="day",
                place=rng.choice(lang.places)[0],
                violation_types=sorted({code for t in topics for code in corpus.TOPIC_VIOLATIONS[t]}),
                description=" ".join(corpus._sentence(rng, lang, topics) for _ in range(3)),
            )
        )
    for n in range(max(20, rows // 500)):
        lang = corpus.UK if n % 2 == 0 else corpus.EN
        topics = (rng.choice(corpus.TOPICS),)
        records.append(
            Person(
                case_id=case_ids[n % len(case_ids)],
                name=f"{rng.choice(GIVEN_NAMES)} {rng.choice(FAMILY_NAMES)}",
                roles=[rng.choice(("victim", "witness", "perpetrator"))],
                notes=corpus._sentence(rng, lang, topics),
            )
        )
    return records


# The build's workers (a pool of WORKERS processes): each makes the
# testimonies of a range of indexes, signs them as revisions of the second
# device and computes the baseline's index terms; the parent only applies
# (the vault computes its own terms in apply, as for any received revision).
_WORKER: dict[str, Any] = {}


def _worker_start(private_key: bytes, case_ids: list[str], narrative_bytes: int) -> None:
    private = Ed25519PrivateKey.from_private_bytes(private_key)
    public = raw_public_key(private.public_key())
    _WORKER.update(
        identity=DeviceIdentity(device_id_for(public), public, private),
        case_ids=case_ids,
        narrative_bytes=narrative_bytes,
    )


def _signed(identity: DeviceIdentity, record: Record, index: int) -> Revision:
    return create_revision(
        identity,
        entity_id=new_id(),
        entity_type=record.entity_type,
        op="put",
        body=record.body(),
        parents=[],
        hlc=Timestamp(BASE_MS + index, 0),
    )


def _testimony_batch(span: tuple[int, int]) -> tuple[list[Revision], dict[str, str]]:
    """Signed revisions of testimonies start..stop-1, and each one's index
    terms (for the baseline)."""
    identity: DeviceIdentity = _WORKER["identity"]
    case_ids: list[str] = _WORKER["case_ids"]
    revisions: list[Revision] = []
    terms: dict[str, str] = {}
    for index in range(*span):
        record = Testimony(
            **corpus.testimony_fields(
                SEED, index, case_ids[index % len(case_ids)], _WORKER["narrative_bytes"]
            )
        )
        revision = _signed(identity, record, index)
        revisions.append(revision)
        terms[revision.entity_id] = index_text(record.search_text())
    return revisions, terms


def _baseline_insert(baseline: sqlite3.Connection, batch: list[Revision], terms: dict[str, str]) -> None:
    """The rows of one applied batch into the plain file. The vault numbers
    entities in the order apply() refreshes them (sorted ids); the baseline
    does the same so rowids, and so bm25 ties, line up."""
    ordered = sorted(batch, key=lambda rev: rev.entity_id)
    baseline.execute("BEGIN")
    baseline.executemany(
        "INSERT INTO entities (entity_id, entity_type, case_id, body) VALUES (?, ?, ?, ?)",
        [
            (r.entity_id, r.entity_type, r.body.get("case_id"), json.dumps(r.body, ensure_ascii=False))
            for r in ordered
        ],
    )
    baseline.executemany(
        "INSERT INTO search_index (rowid, entity_id, entity_type, terms) "
        "SELECT seq, entity_id, entity_type, ? FROM entities WHERE entity_id = ?",
        [(terms[r.entity_id], r.entity_id) for r in ordered],
    )
    baseline.execute("COMMIT")


def build(
    folder: Path, rows: int, narrative_bytes: int = NARRATIVE_BYTES, with_baseline: bool = True
) -> dict[str, Any]:
    """Create the vault (service API) and the baseline file from the same rows."""
    folder.mkdir(parents=True, exist_ok=True)
    vault_dir = folder / "vault"
    baseline_path = folder / "baseline.sqlite"
    created = Vault.create(vault_dir, PASSPHRASE, keyring=NoKeyring(), argon2=fast_argon2())
    vault = created.vault
    baseline = sqlite3.connect(baseline_path if with_baseline else ":memory:", isolation_level=None)
    for statement in BASELINE_SCHEMA:
        baseline.execute(statement)
    baseline.execute("PRAGMA journal_mode = WAL")
    vault_s = baseline_s = 0.0
    started = time.perf_counter()
    identity = DeviceIdentity.generate()
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
        # Incidents and persons first: the oldest rows, the ones a bound on
        # the newest matches would drop first if they were not ranked apart.
        apart = [_signed(identity, record, -1 - n) for n, record in enumerate(_apart_records(rows, case_ids))]
        vault.revisions.apply(apart)
        if with_baseline:
            _baseline_insert(
                baseline,
                apart,
                {
                    r.entity_id: index_text(RECORD_TYPES[r.entity_type].from_body(r.body).search_text())
                    for r in apart
                },
            )
        private = identity.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        spans = [(start, min(start + BATCH, rows)) for start in range(0, rows, BATCH)]
        context = multiprocessing.get_context("spawn")  # no fork of a process holding an open vault
        with context.Pool(WORKERS, _worker_start, (private, case_ids, narrative_bytes)) as pool:
            pending: deque[Any] = deque()
            for done in range(len(spans)):
                # At most IN_FLIGHT batches made ahead of the parent: memory stays flat.
                while len(pending) < IN_FLIGHT and done + len(pending) < len(spans):
                    pending.append(pool.apply_async(_testimony_batch, (spans[done + len(pending)],)))
                batch, terms = pending.popleft().get()
                t0 = time.perf_counter()
                vault.revisions.apply(batch)
                t1 = time.perf_counter()
                if with_baseline:
                    _baseline_insert(baseline, batch, terms)
                t2 = time.perf_counter()
                vault_s += t1 - t0
                baseline_s += t2 - t1
                if (done + 1) % max(1, 50_000 // BATCH) == 0 or done + 1 == len(spans):
                    elapsed = time.perf_counter() - started
                    print(
                        f"  built {spans[done][1]} rows in {elapsed:.0f} s, load {os.getloadavg()[0]:.1f}",
                        flush=True,
                    )
    finally:
        baseline.close()
        vault.lock()
    total = time.perf_counter() - started
    return {
        "rows": rows,
        "narrative_bytes": narrative_bytes,
        "incidents_persons": len(_apart_records(rows, ["case"])),
        "build_total_s": round(total, 1),
        "build_vault_apply_s": round(vault_s, 1),
        "build_baseline_s": round(baseline_s, 1),
        "build_load_average": round(os.getloadavg()[1], 1),
        "vault_bytes": sum(p.stat().st_size for p in vault_dir.glob(f"{DB_FILE}*")),
        "baseline_bytes": sum(p.stat().st_size for p in folder.glob("baseline.sqlite*")),
    }


def prepared(
    cache_dir: str | None,
    rows: int,
    scratch: Path,
    narrative_bytes: int = NARRATIVE_BYTES,
    with_baseline: bool = True,
) -> tuple[Path, dict[str, Any], bool]:
    """The folder holding vault/ and baseline.sqlite (if asked for), built or from the cache."""
    if not cache_dir:
        print(f"building {rows} testimonies in {scratch} ...", flush=True)
        return scratch, build(scratch, rows, narrative_bytes, with_baseline), False
    key = _fingerprint(rows, narrative_bytes, with_baseline)
    folder = Path(cache_dir) / f"search-{rows}-{narrative_bytes}{'' if with_baseline else '-nobase'}-{key}"
    meta_path = folder / "meta.json"
    if meta_path.exists():
        print(f"using cached vault {folder}", flush=True)
        return folder, json.loads(meta_path.read_text()), True
    shutil.rmtree(folder, ignore_errors=True)
    print(f"building {rows} testimonies in {folder} (cached for later runs) ...", flush=True)
    meta = build(folder, rows, narrative_bytes, with_baseline)
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


def _apart_ids(hits: list[Any]) -> set[str]:
    return {hit.entity_id for hit in hits if hit.entity_type in RANKED_APART}


def measure(folder: Path, scratch: Path, reps: int) -> dict[str, Any]:
    """Every query on every side, ``reps`` times in a shuffled order; and,
    once, what ranking only the newest candidates changes: whether each
    query's top hits differ from exact ranking, whether it was bounded,
    and whether the incidents and persons it matches are still among them."""
    with_baseline = (folder / "baseline.sqlite").exists()
    vault = Vault.open(folder / "vault", PASSPHRASE, keyring=NoKeyring())
    engine, raw = _encrypted_connection(folder / "vault")
    # sqlcipher3 reads its own copy: two SQLite libraries must not share a
    # file in one process (their POSIX locks would clash).
    plain_copy = scratch / "baseline-copy.sqlite"
    baseline = lib_plain = None
    if with_baseline:
        shutil.copyfile(folder / "baseline.sqlite", plain_copy)
        baseline = _plain_connection(sqlite3, folder / "baseline.sqlite")
        lib_plain = _plain_connection(sqlcipher3, plain_copy)
    # Match counts are read from the baseline when there is one, else from the vault itself.
    counter = baseline if baseline is not None else raw

    def ours(query: str) -> SearchResults:
        return vault.search.query(query, limit=LIMIT)

    def ours_exact(query: str) -> SearchResults:
        return vault.search.query(query, limit=LIMIT, candidates=None)

    sides: dict[str, Callable[[str], list[Any]]] = {"ours": ours}
    if baseline is not None:
        sides["baseline"] = _sql_runner(baseline)
    sides["encrypted_sql"] = _sql_runner(raw)
    if lib_plain is not None:
        sides["sqlcipher_plain"] = _sql_runner(lib_plain)
    sides["ours_exact"] = ours_exact
    if baseline is not None:
        sides["baseline_exact"] = _sql_runner(baseline, candidates=None)
    queries = list(corpus.QUERIES)
    samples: dict[str, dict[str, list[float]]] = {side: {q: [] for q in queries} for side in sides}
    matches: dict[str, int] = {}
    apart_matches: dict[str, int] = {}
    kept: dict[str, float] = {}
    mismatched: list[str] = []
    differ: list[str] = []
    differ_order: list[str] = []
    bounded: list[str] = []
    apart_shown: dict[str, int] = {}
    apart_lost: dict[str, int] = {}
    apart_types = " OR ".join(f'"{t}"' for t in RANKED_APART)
    try:
        documents = counter.execute("SELECT count(*) FROM search_index").fetchone()[0]
        # Warm-up: page caches, the word-form cache, SQLAlchemy's statement
        # cache; a check that both sides return the same hits; and how many
        # of the exact top hits the candidate bound keeps.
        for query in queries:
            hits = ours(query)
            exact = ours_exact(query)
            ours_ids = [hit.entity_id for hit in hits]
            exact_ids = [hit.entity_id for hit in exact]
            if baseline is not None:
                base_ids = [row[0] for row in sides["baseline"](query)]
                base_exact_ids = [row[0] for row in sides["baseline_exact"](query)]
                if ours_ids != base_ids or exact_ids != base_exact_ids:
                    mismatched.append(query)
                sides["sqlcipher_plain"](query)
            sides["encrypted_sql"](query)
            if exact_ids:
                kept[query] = len(set(ours_ids) & set(exact_ids)) / len(exact_ids)
            if set(ours_ids) != set(exact_ids):
                differ.append(query)
            if ours_ids != exact_ids:
                differ_order.append(query)
            if hits.bounded:
                bounded.append(query)
            # Incidents and persons: every one the exact ranking shows must be shown.
            apart_shown[query] = len(_apart_ids(hits))
            apart_lost[query] = len(_apart_ids(exact) - _apart_ids(hits))
            parsed = parse_query(query)
            matches[query] = apart_matches[query] = 0
            if parsed:
                words = f"terms : ({parsed.fts})"
                count = "SELECT count(*) FROM search_index WHERE search_index MATCH ?"
                matches[query] = counter.execute(count, (words,)).fetchone()[0]
                apart_matches[query] = counter.execute(
                    count, (f"entity_type : ({apart_types}) AND {words}",)
                ).fetchone()[0]
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
        if baseline is not None:
            baseline.close()
        if lib_plain is not None:
            lib_plain.close()
        vault.lock()
        plain_copy.unlink(missing_ok=True)
    return {
        "samples": samples,
        "matches": matches,
        "apart_matches": apart_matches,
        "apart_shown": apart_shown,
        "apart_lost": apart_lost,
        "kept": kept,
        "documents": documents,
        "mismatched": mismatched,
        "differ": differ,
        "differ_order": differ_order,
        "bounded": bounded,
        "queries": queries,
    }


def _stats(samples: dict[str, list[float]], queries: list[str]) -> tuple[float, float]:
    flat = [t for q in queries for t in samples[q]]
    return percentile(flat, 50), percentile(flat, 95)


def measure_prefix(folder: Path, reps: int) -> dict[str, Any]:
    """Two-letter prefixes as typed: ours against the same statement on the
    baseline file, and on the vault through raw sqlcipher3 (diagnostic)."""
    vault = Vault.open(folder / "vault", PASSPHRASE, keyring=NoKeyring())
    with_baseline = (folder / "baseline.sqlite").exists()
    baseline = _plain_connection(sqlite3, folder / "baseline.sqlite") if with_baseline else None
    engine, raw = _encrypted_connection(folder / "vault")
    counter = baseline if baseline is not None else raw

    def ours(prefix: str) -> list[Any]:
        return vault.search.query(prefix, limit=LIMIT, as_you_type=True)

    sides: dict[str, Callable[[str], list[Any]]] = {"ours": ours}
    if baseline is not None:
        sides["baseline"] = _sql_runner(baseline, as_you_type=True)
    sides["encrypted_sql"] = _sql_runner(raw, as_you_type=True)
    samples: dict[str, dict[str, list[float]]] = {side: {p: [] for p in PREFIXES} for side in sides}
    matches: dict[str, int] = {}
    mismatched: list[str] = []
    try:
        for prefix in PREFIXES:
            ours_ids = [hit.entity_id for hit in ours(prefix)]
            if baseline is not None and ours_ids != [row[0] for row in sides["baseline"](prefix)]:
                mismatched.append(prefix)
            sides["encrypted_sql"](prefix)
            parsed = parse_query(prefix, prefix_last=True)
            assert parsed is not None
            matches[prefix] = counter.execute(
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
        if baseline is not None:
            baseline.close()
        vault.lock()
    return {"samples": samples, "matches": matches, "mismatched": mismatched}


def _ms_pair(p50: float, p95: float) -> str:
    return f"{p50 * 1000:.1f} / {p95 * 1000:.1f}"


def prefix_result(m: dict[str, Any], rows: int, reps: int) -> Result:
    samples = m["samples"]
    prefixes = list(PREFIXES)
    p50: dict[str, float] = {}
    p95: dict[str, float] = {}
    for side in samples:
        p50[side], p95[side] = _stats(samples[side], prefixes)
    with_baseline = "baseline" in samples
    slowest = sorted(prefixes, key=lambda p: statistics.median(samples["ours"][p]), reverse=True)[:5]
    shares = sorted(m["matches"][p] / rows for p in prefixes)
    details: dict[str, Any] = {
        "prefixes": f"{len(prefixes)} two-letter prefixes x {reps} runs each, as typed "
        f"(as_you_type=True), limit {LIMIT}, on {rows} testimonies, at most "
        f"{SHORT_PREFIX_CANDIDATES} newest matches of each group ranked (SHORT_PREFIX_CANDIDATES)",
        "p50 / p95 ms, ours: vault.search.query": _ms_pair(p50["ours"], p95["ours"]),
    }
    if with_baseline:
        details["p50 / p95 ms, baseline: same SQL, plain file with the same prefix index"] = _ms_pair(
            p50["baseline"], p95["baseline"]
        )
    details["p50 / p95 ms, diagnostic: same SQL on the vault, raw sqlcipher3"] = _ms_pair(
        p50["encrypted_sql"], p95["encrypted_sql"]
    )
    details["share of documents matching: min / median / max"] = (
        f"{shares[0]:.0%} / {statistics.median(shares):.0%} / {shares[-1]:.0%}"
    )
    details["slowest prefixes (ours median ms, matching docs)"] = ", ".join(
        f"{p!r} {statistics.median(samples['ours'][p]) * 1000:.1f} ({m['matches'][p]})" for p in slowest
    )
    if with_baseline:
        details["same hits as baseline"] = f"{len(prefixes) - len(m['mismatched'])}/{len(prefixes)} prefixes"
    notes = [f"hits differ from the baseline for: {m['mismatched']}"] if m["mismatched"] else []
    base_p95 = p95["baseline"] if with_baseline else math.nan
    return Result(
        name="prefix",
        metric="p95 two-letter prefix",
        ours=p95["ours"] * 1000,
        baseline=base_p95 * 1000,
        unit="ms",
        ratio=p95["ours"] / base_p95,
        ratio_meaning="ours p95 / baseline p95, lower is better"
        + ("" if with_baseline else " (no baseline built)"),
        target=f"p95 < {TARGET_PREFIX_P95_S * 1000:.0f} ms",
        passed=p95["ours"] < TARGET_PREFIX_P95_S,
        details=details,
        notes=notes,
    )


def run(
    rows: int,
    reps: int,
    cache_dir: str | None,
    narrative_bytes: int = NARRATIVE_BYTES,
    with_baseline: bool = True,
) -> list[Result]:
    print(machine_line())
    with bench_tempdir("search") as scratch:
        folder, meta, cached = prepared(cache_dir, rows, scratch, narrative_bytes, with_baseline)
        print(f"measuring {len(corpus.QUERIES)} queries x {reps} runs ...", flush=True)
        load_before = os.getloadavg()
        m = measure(folder, scratch, reps)
        load_after = os.getloadavg()
        print(f"measuring {len(PREFIXES)} two-letter prefixes x {reps} runs ...", flush=True)
        prefix = prefix_result(measure_prefix(folder, reps), rows, reps)
    samples, queries = m["samples"], m["queries"]
    with_baseline = "baseline" in samples
    p50: dict[str, float] = {}
    p95: dict[str, float] = {}
    for side in samples:
        p50[side], p95[side] = _stats(samples[side], queries)
    target_s = TARGET_P95_1M_S if rows >= 1_000_000 else TARGET_P95_S
    ratio = p95["ours"] / p95["baseline"] if with_baseline else math.nan
    passed = p95["ours"] < target_s and (not with_baseline or ratio <= TARGET_RATIO)

    def median(side: str, query: str) -> float:
        return float(statistics.median(samples[side][query]))

    def ms(x: float) -> str:
        return f"{x * 1000:.1f}"

    slowest = sorted(queries, key=lambda q: median("ours", q), reverse=True)[:5]
    over = [q for q in queries if m["matches"][q] > RANK_CANDIDATES]
    details: dict[str, Any] = {
        "rows": f"{rows} testimonies, ~{_mean_narrative_bytes(narrative_bytes)} bytes of narrative each "
        f"(UTF-8; --narrative-bytes {narrative_bytes}), {meta.get('incidents_persons', 0)} incidents and "
        f"persons (the oldest rows), {CASES} cases",
        "queries": f"{len(queries)} queries x {reps} runs each, limit {LIMIT}, "
        f"at most {RANK_CANDIDATES} newest matches of each group ranked",
        "load average (1/5/15 min) before / after the word queries": (
            f"{' '.join(f'{x:.1f}' for x in load_before)} / {' '.join(f'{x:.1f}' for x in load_after)}"
        ),
    }
    for side, label in SIDES.items():
        if side in samples:
            details[f"p50 / p95 ms, {label}"] = _ms_pair(p50[side], p95[side])
    if with_baseline:
        ratios = sorted(median("ours", q) / median("baseline", q) for q in queries)
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
            if side in samples:
                s50, s95 = _stats(samples[side], group)
                cells.append(f"{side} {ms(s50)}/{ms(s95)}")
        details[f"{name} ({share}): {len(group)} queries, p50/p95 ms"] = ", ".join(cells)
    details["top 50 differ from exact ranking (candidates=None)"] = (
        f"{len(m['differ'])}/{len(queries)} queries ({len(m['differ']) / len(queries):.0%}) hold other records; "
        f"{len(m['differ_order'])}/{len(queries)} differ in records or order"
    )
    details["bounded (SearchResults.bounded)"] = (
        f"{len(m['bounded'])}/{len(queries)} queries; {len(over)} match more than {RANK_CANDIDATES} records"
        + (
            ""
            if set(m["bounded"]) == set(over)
            else f" (flag differs for {sorted(set(m['bounded']) ^ set(over))})"
        )
    )
    if over:
        shares = [m["kept"][q] for q in over]
        details[f"queries with more than {RANK_CANDIDATES} matches (ranked among the newest)"] = (
            f"they keep {statistics.mean(shares):.0%} of the exact top {LIMIT} on average "
            f"(least {min(shares):.0%}); the others are exact"
        )
    apart = [q for q in queries if m["apart_matches"][q]]
    lost = sum(m["apart_lost"][q] for q in apart)
    details["incidents and persons (oldest rows) among the top 50"] = (
        f"{len(apart)} queries match some; {sum(1 for q in apart if m['apart_shown'][q])} of them show at least "
        f"one ({sum(m['apart_shown'][q] for q in apart)} shown in all); of those the exact ranking shows, "
        f"{lost} missing"
    )
    details["slowest queries (ours median ms, matching docs)"] = ", ".join(
        f"{q!r} {ms(median('ours', q))} ({m['matches'][q]})" for q in slowest
    )
    if with_baseline:
        details["same hits as baseline"] = f"{len(queries) - len(m['mismatched'])}/{len(queries)} queries"
    details["build time"] = (
        f"{meta['build_total_s']} s total ({meta['build_vault_apply_s']} s in vault.revisions.apply, "
        f"{meta['build_baseline_s']} s baseline inserts; load average {meta.get('build_load_average', '?')})"
        + (" [from cache]" if cached else "")
    )
    details["database size"] = f"vault {meta['vault_bytes'] / 1e6:.0f} MB" + (
        f", baseline {meta['baseline_bytes'] / 1e6:.0f} MB" if with_baseline else ", no baseline built"
    )
    notes = []
    if m["mismatched"]:
        notes.append(f"hits differ from the baseline for: {m['mismatched']}")
    if lost:
        notes.append(f"incidents or persons of the exact top {LIMIT} missing: {lost}")
    search = Result(
        name="search",
        metric="p95 query latency",
        ours=p95["ours"] * 1000,
        baseline=p95["baseline"] * 1000 if with_baseline else math.nan,
        unit="ms",
        ratio=ratio,
        ratio_meaning="ours p95 / baseline p95, lower is better"
        + ("" if with_baseline else " (no baseline built)"),
        target=f"p95 < {target_s * 1000:.0f} ms"
        + (f" and ratio <= {TARGET_RATIO}x" if with_baseline else ""),
        passed=passed,
        details=details,
        notes=notes,
    )
    return [search, prefix]


def _mean_narrative_bytes(narrative_bytes: int) -> int:
    sizes = [
        len(corpus.testimony_fields(SEED, i, "x", narrative_bytes)["narrative"].encode()) for i in range(200)
    ]
    return int(statistics.mean(sizes))


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
    parser.add_argument(
        "--narrative-bytes",
        type=int,
        default=NARRATIVE_BYTES,
        help=f"mean narrative length to aim for, UTF-8 bytes (default {NARRATIVE_BYTES})",
    )
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help="build no plain SQLite copy (for 1M rows: disk); only the vault's own columns are measured",
    )
    args = parser.parse_args(argv)
    rows = args.rows or (QUICK_ROWS if args.quick else DEFAULT_ROWS)
    reps = args.reps or (QUICK_REPS if args.quick else DEFAULT_REPS)
    results = run(
        rows, reps, None if args.no_cache else args.cache_dir, args.narrative_bytes, not args.no_baseline
    )
    for result in results:
        result.print()
    write_results_json(results, args.json)
    return 0 if all(result.passed for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
