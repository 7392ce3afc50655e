"""Bundles: creation and import against `tar` + Debian's `age`, and applying
revisions against `executemany` into unencrypted SQLite (issue 11).

Measured in the same run, on the same data:

(a) creation: ``export_bundle`` of a worker vault holding N MiB of random,
    incompressible evidence (files read from the vault's store, tar, age,
    signed header, fsync) vs ``tar -c | age -r RECIPIENT`` of the same files
    and ``sync -f``. Ratio = baseline time / ours: target >= 0.8x.
(b) import: ``import_bundle`` into the coordinator's vault (header and
    payload verified, decrypted, evidence stored, one transaction) vs
    ``age -d | tar -x`` and ``sync -f``. Ratio = baseline / ours: >= 0.8x.
(c) applying revisions: a bundle of R revisions (made with the worker's key)
    imported, against the floor of benchmarks/bench_merge.py measured in
    the same run (Ed25519 verification of every revision + ``executemany``
    of the same rows into SQLCipher opened as the vault opens its own):
    ours / floor within 3x; importing the same bundle again under 10% of
    the first. Issue 11's own baseline, ``executemany`` of the same rows
    (id, signed, signature) into unencrypted SQLite, is still measured and
    its ratio printed, but no longer decides PASS/MISS: verification alone
    is 8-12x that baseline, so no import that verifies every signature can
    come within 3x of it (the lead's decision of session 14, the same as
    for the coordinator merge; bench_merge.py's docstring and
    docs/development.md say why).

(a) and (b) also report, in their details and JSON only, a second ratio
against an "equal-work" baseline: standard tools doing the checks and the
work at rest that ours does and ``tar``/``age`` do not. It is NOT the
issue's target (the ratios above stay the primary ones); it says how much
of the gap is that work rather than our code. See ``equal_work_create`` and
``equal_work_import`` for each step and what it stands for.

The vaults and the organisation are set up through the public APIs
(sync.org_vault, sync.bundle.vault_io) with test-speed Argon2. Everything
lives in one temporary folder under $TMPDIR, removed afterwards: the default
2 GiB needs about 7x that of free space.

    python benchmarks/bench_bundle.py [--size-mib 2048] [--revisions 100000] [--quick] [--repeat N] [--evidence-only] [--decrypt-here]

With ``--repeat N`` each part runs N times on fresh vaults; the ratio
reported is the median of the N ratios (each ours vs its baseline of the
same repetition; of an even N, the worse of the two middle ones), and every
ratio, the load average around each and the cores free before it
(``cores_free``) are listed: on a shared machine one run says little. ``--evidence-only`` runs (a) and (b)
only, for measuring the evidence path before and after a change.
``--decrypt-here`` makes the import decrypt in this process instead of in
a child (sync/bundle/age_child.py), as it did before: run the two in turn
to compare. The import's CPU time includes the child's.
"""

from __future__ import annotations

import functools
import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import os
import resource
import shutil
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pyrage

from benchmarks._common import (
    PASSPHRASE,
    Result,
    base_parser,
    bench_tempdir,
    gib_per_s,
    machine_line,
    write_results_json,
)
from benchmarks.bench_merge import executemany_encrypted, load_word_analysers, verification_alone
from db.api import Case, NoKeyring, Vault
from db.device import DeviceIdentity as VaultDevice
from db.hlc import Timestamp
from db.keys import Argon2Params
from db.revisions import create_revision
from sync import org_vault
from sync.bundle import BundleContents, DeviceIdentity, reader, write_bundle
from sync.bundle.vault_io import export_bundle, import_bundle

# Test-speed key derivation: unlocking is not what is measured here.
BENCH_ARGON2 = Argon2Params(time_cost=1, memory_kib=8 * 1024, parallelism=1)
TARGET_SPEED = 0.8  # baseline time / ours
TARGET_APPLY = 3.0  # ours / the floor (verification + executemany into SQLCipher)
TARGET_REIMPORT = 0.10  # second import / first
FILE_MIB = 64  # evidence split into files of this size (the last may be smaller)
EQUAL_RATIO = "equal-work ratio (baseline time / ours; NOT the issue's target)"

# The equal-work baselines' shell steps. AT_REST_KEY and AT_REST_IV (hex) are
# one random benchmark key for every file: the AES work is what is compared,
# not the scheme. `openssl enc` offers no GCM, so AES-256-CTR stands for the
# vault's AES-256-GCM: the same AES work without GHASH (the baseline is
# spared GCM's authentication). SHA-256 is `openssl dgst -sha256`, not
# coreutils' `sha256sum`: Debian's sha256sum does not use the CPU's SHA
# instructions (256 MiB: 0.70 s CPU, against 0.15 s for openssl dgst and
# 0.20 s for our hashlib), so it would make the baseline slow for a reason
# that is not the work. Every step is waited for, so the time and the
# children's CPU include it all.

# Creation, one evidence file ($1), run by `xargs -P <cores>`: the vault's
# read of a stored file (AES decryption at rest) with the SHA-256 check of
# every evidence byte alongside, through a FIFO. `tar -c` can only archive
# files, so the plaintext goes to plain/ (page cache, not synced); ours
# streams it straight into the archive.
READ_ONE_FILE = """set -e
mkfifo "hashes/$1.fifo"
openssl dgst -sha256 -r < "hashes/$1.fifo" > "hashes/$1.sha256" &
openssl enc -d -aes-256-ctr -K "$AT_REST_KEY" -iv "$AT_REST_IV" -in "at-rest/$1" | tee "hashes/$1.fifo" > "plain/$1"
wait
rm "hashes/$1.fifo"
"""
# Creation: every file read as above, as many at once as there are cores;
# then the archive and age's encryption with the SHA-256 of the ciphertext
# alongside (the signed header's payload hash), then sync (our fsync).
CREATE_EQUAL_WORK = """set -e
ls at-rest | xargs -P "$CORES" -n 1 sh read_one_file.sh
mkfifo payload.fifo
openssl dgst -sha256 -r < payload.fifo > payload.sha256 &
tar -cf - -C plain . | age -r "$RECIPIENT" | tee payload.fifo > equal-work.age
wait
sync -f equal-work.age
"""
# Import, one evidence file on stdin (tar --to-command; tar runs it in its
# own starting folder, not -C's): the blob writer's SHA-256 of every byte
# (checked against the manifest afterwards) alongside its encryption at
# rest into store/, then fsync of that file (`sync FILE`).
STORE_ONE_FILE = """set -e
cd store
name=$(basename "$TAR_FILENAME")
mkfifo "$name.fifo"
openssl dgst -sha256 -r < "$name.fifo" > "$name.sha256" &
tee "$name.fifo" | openssl enc -aes-256-ctr -K "$AT_REST_KEY" -iv "$AT_REST_IV" -out "$name"
wait
rm "$name.fifo"
sync "$name"
"""
# Import: the SHA-256 of the ciphertext (the signed header's payload hash)
# alongside age's decryption, tar's parse, each file stored as above while
# the next bytes decrypt, and sync -f (our commit's and folder's fsyncs).
IMPORT_EQUAL_WORK = """set -e
mkfifo payload.fifo
openssl dgst -sha256 -r < payload.fifo > payload.sha256 &
tee payload.fifo < baseline.age | age -d -i baseline.key | tar -xf - -C store --to-command="sh $PWD/store_one_file.sh"
wait
sync -f store
"""


def new_vault(folder: Path) -> Vault:
    return Vault.create(folder, PASSPHRASE, keyring=NoKeyring(), argon2=BENCH_ARGON2).vault


def make_random_files(folder: Path, total_mib: int) -> list[Path]:
    """Incompressible files (urandom, rotated per write so no layer dedupes)."""
    folder.mkdir()
    block = os.urandom(8 << 20)
    paths, left, index = [], total_mib << 20, 0
    while left:
        size = min(FILE_MIB << 20, left)
        path = folder / f"evidence-{index:04d}.bin"
        with path.open("wb") as handle:
            written = 0
            while written < size:
                handle.write(block[: min(len(block), size - written)])
                written += min(len(block), size - written)
                block = block[1:] + block[:1]
        paths.append(path)
        left -= size
        index += 1
    return paths


def timed_shell(script: str, cwd: Path, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    environment = os.environ | (env or {})
    subprocess.run(["sh", "-c", script], cwd=cwd, check=True, stdout=subprocess.DEVNULL, env=environment)
    return time.perf_counter() - started


def sha256_of(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def hashes_written(folder: Path) -> dict[str, str]:
    """The SHA-256 outputs (`openssl dgst -r`) a baseline wrote, by file name."""
    return {p.name.removesuffix(".sha256"): p.read_text().split()[0] for p in folder.glob("*.sha256")}


def at_rest_env() -> dict[str, str]:
    return {"AT_REST_KEY": os.urandom(32).hex(), "AT_REST_IV": os.urandom(16).hex()}


def equal_work_create(folder: Path, files: list[Path], recipient: str, expected: dict[str, str]) -> float:
    """Creation with our checks and work at rest, from standard tools (the
    steps are READ_ONE_FILE and CREATE_EQUAL_WORK). The files are encrypted
    at rest with `openssl enc` before timing, as the vault holds them.
    Checked afterwards: every file's hash and the ciphertext's."""
    env = at_rest_env() | {"RECIPIENT": recipient, "CORES": str(os.cpu_count() or 1)}
    for sub in ("at-rest", "plain", "hashes"):
        (folder / sub).mkdir(parents=True)
    encrypt = 'for f; do openssl enc -aes-256-ctr -K "$AT_REST_KEY" -iv "$AT_REST_IV" -in "$f" -out "at-rest/${f##*/}"; done'
    subprocess.run(
        ["sh", "-c", encrypt, "encrypt", *map(str, files)], cwd=folder, check=True, env=os.environ | env
    )
    (folder / "read_one_file.sh").write_text(READ_ONE_FILE)
    subprocess.run(["sh", "-c", "cat at-rest/*"], cwd=folder, check=True, stdout=subprocess.DEVNULL)
    elapsed = timed_shell(CREATE_EQUAL_WORK, folder, env)
    assert hashes_written(folder / "hashes") == expected
    assert (folder / "payload.sha256").read_text().split()[0] == sha256_of(folder / "equal-work.age")
    return elapsed


def equal_work_import(folder: Path, expected: dict[str, str]) -> float:
    """Import with our checks and work at rest, from standard tools (the
    steps are IMPORT_EQUAL_WORK and STORE_ONE_FILE), decrypting the
    baseline's own bundle (baseline.age). Checked afterwards: every file's
    hash against the manifest (the source files' hashes) and the payload's."""
    (folder / "store").mkdir()
    (folder / "store_one_file.sh").write_text(STORE_ONE_FILE)
    elapsed = timed_shell(IMPORT_EQUAL_WORK, folder, at_rest_env())
    assert hashes_written(folder / "store") == expected
    assert (folder / "payload.sha256").read_text().split()[0] == sha256_of(folder / "baseline.age")
    return elapsed


def children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_note(ours: float, baseline: float) -> str:
    """CPU seconds, all threads or processes: less moved by other work on
    the machine than wall time, but blind to what runs in parallel."""
    return f"{ours:.2f} s ours vs {baseline:.2f} s baseline ({baseline / ours:.2f}x)"


def organisation(folder: Path) -> tuple[Vault, str, int, list[str]]:
    """A coordinator vault with a new organisation: (vault, org id, profile
    version, bundle recipients)."""
    coordinator = new_vault(folder / "coordinator")
    signed = org_vault.create_organisation(coordinator, "Benchmark organisation")
    recipients = [c.age_recipient for c in signed.profile.coordinators]
    return coordinator, signed.profile.org_id, signed.profile.version, recipients


def enrolled_worker(folder: Path, coordinator: Vault) -> Vault:
    worker = new_vault(folder)
    signed = org_vault.current_signed(coordinator)
    org_vault.enrol(worker, signed.signed, fingerprint_given=signed.profile.fingerprint)
    org_vault.add_device(coordinator, org_vault.own_device_card(worker).text)
    return worker


AGE_LAYER_MIB = 256
AGE_LAYER = "the age layer alone, 256 MiB file to file (pyrage / the age tool)"


def age_layer_speed(folder: Path) -> str:
    """pyrage against the Debian ``age`` tool on the same 256 MiB, file to
    file in the page cache, the best of two each (wall, and CPU: this
    process's for pyrage, the child's for the tool): the library the format
    prescribes against the tool in both baselines. How much more CPU pyrage
    needs on this machine decides much of both ratios, so each run reports
    it beside them."""
    folder.mkdir()
    plain, sealed, out = folder / "plain.bin", folder / "sealed.age", folder / "out.bin"
    plain.write_bytes(os.urandom(AGE_LAYER_MIB << 20))
    identity = pyrage.x25519.Identity.generate()
    key = folder / "layer.key"
    key.write_text(f"{identity}\n")
    key.chmod(0o600)

    def best(run: Any, cpu_clock: Any) -> tuple[float, float]:
        runs = []
        for _ in range(2):
            started, cpu = time.perf_counter(), cpu_clock()
            run()
            runs.append((time.perf_counter() - started, cpu_clock() - cpu))
        return min(runs)

    def tool(*args: str) -> None:
        subprocess.run(["age", *args], check=True)

    recipient = identity.to_public()
    encrypt = (
        best(lambda: pyrage.encrypt_file(str(plain), str(sealed), [recipient]), time.process_time),
        best(lambda: tool("-r", str(recipient), "-o", str(sealed), str(plain)), children_cpu),
    )
    decrypt = (
        best(lambda: pyrage.decrypt_file(str(sealed), str(out), [identity]), time.process_time),
        best(lambda: tool("-d", "-i", str(key), "-o", str(out), str(sealed)), children_cpu),
    )
    shutil.rmtree(folder)
    return "; ".join(
        f"{what} {ours[0]:.2f} / {theirs[0]:.2f} s ({ours[0] / theirs[0]:.2f}x), "
        f"CPU {ours[1]:.2f} / {theirs[1]:.2f} s ({ours[1] / max(theirs[1], 1e-6):.2f}x)"
        for what, (ours, theirs) in (("encrypt", encrypt), ("decrypt", decrypt))
    )


def _settled() -> None:
    """Every timed step starts with the disk as quiet as the one before it
    had it: the writes still in flight and, on a file system mounted with
    ``discard`` (this machine's), the trims of files just removed are done
    first, outside the clock. Before, ``import_bundle`` ran right after the
    equal-work creation's 2 GiB folder was removed, and paid for its trims,
    while ``age -d | tar -x`` ran after it on a quiet disk."""
    os.sync()


def bench_evidence(folder: Path, size_mib: int) -> list[Result]:
    folder.mkdir()
    coordinator, org_id, version, recipients = organisation(folder)
    worker = enrolled_worker(folder / "worker", coordinator)
    files = make_random_files(folder / "files", size_mib)
    case = worker.cases.create(Case(title="benchmark case"))
    for path in files:
        worker.evidence.ingest(path, case.id)
    (folder / "usb").mkdir()
    expected = {path.name: sha256_of(path) for path in files}  # the manifest's hashes
    subprocess.run(["cat", *map(str, files)], check=True, stdout=subprocess.DEVNULL)  # warm cache

    _settled()
    started, cpu = time.perf_counter(), time.process_time()
    made = export_bundle(worker, folder / "usb", recipients, org_id, version)
    ours_create = time.perf_counter() - started
    cpu_create = time.process_time() - cpu
    assert made.blob_bytes == size_mib << 20

    baseline_identity = pyrage.x25519.Identity.generate()
    key = folder / "baseline.key"
    key.write_text(f"{baseline_identity}\n")
    key.chmod(0o600)
    _settled()
    cpu = children_cpu()
    tar_age = timed_shell(
        f"tar -cf - -C files . | age -r {baseline_identity.to_public()} > baseline.age && sync -f baseline.age",
        folder,
    )
    cpu_tar_age = children_cpu() - cpu
    _settled()
    cpu = children_cpu()
    equal_create = equal_work_create(
        folder / "equal-create", files, str(baseline_identity.to_public()), expected
    )
    cpu_equal_create = children_cpu() - cpu
    shutil.rmtree(folder / "equal-create")

    _settled()
    started, cpu, child_cpu = time.perf_counter(), time.process_time(), children_cpu()
    imported = import_bundle(coordinator, made.path, coordinator.vault_keys.age_identity(), org_id=org_id)
    ours_import = time.perf_counter() - started
    # With the decryption's child process (sync/bundle/age_child.py): its CPU counts too.
    cpu_import = time.process_time() - cpu + children_cpu() - child_cpu
    assert imported.blobs == len(files), imported

    (folder / "unpacked").mkdir()
    _settled()
    cpu = children_cpu()
    age_tar = timed_shell(
        "age -d -i baseline.key baseline.age | tar -xf - -C unpacked && sync -f unpacked", folder
    )
    cpu_age_tar = children_cpu() - cpu
    shutil.rmtree(folder / "unpacked")
    _settled()
    cpu = children_cpu()
    equal_import = equal_work_import(folder, expected)
    cpu_equal_import = children_cpu() - cpu
    worker.lock()
    coordinator.lock()

    speed = functools.partial(gib_per_s, size_mib)
    create = Result(
        name="bundle-create",
        metric=f"bundle of {size_mib} MiB of evidence ({len(files)} files)",
        ours=ours_create,
        baseline=tar_age,
        unit="s",
        ratio=tar_age / ours_create,
        ratio_meaning="tar | age time / export_bundle time; higher is better",
        target=f">= {TARGET_SPEED}x",
        passed=tar_age / ours_create >= TARGET_SPEED,
        details={
            "export_bundle": f"{ours_create:.3f} s ({speed(ours_create)})",
            "tar -c | age -r, sync": f"{tar_age:.3f} s ({speed(tar_age)})",
            "bundle size": f"{made.path.stat().st_size >> 20} MiB",
            "CPU time": cpu_note(cpu_create, cpu_tar_age),
            "equal-work baseline: openssl enc -d + SHA-256 per file, tar -c | age -r + SHA-256, sync": (
                f"{equal_create:.3f} s ({speed(equal_create)}); CPU {cpu_equal_create:.2f} s"
            ),
            EQUAL_RATIO: round(equal_create / ours_create, 3),
        },
    )
    import_ = Result(
        name="bundle-import",
        metric=f"import of {size_mib} MiB of evidence",
        ours=ours_import,
        baseline=age_tar,
        unit="s",
        ratio=age_tar / ours_import,
        ratio_meaning="age -d | tar x time / import_bundle time; higher is better",
        target=f">= {TARGET_SPEED}x",
        passed=age_tar / ours_import >= TARGET_SPEED,
        details={
            "import_bundle (verify, decrypt, store, commit)": f"{ours_import:.3f} s ({speed(ours_import)})",
            "age -d | tar -x, sync": f"{age_tar:.3f} s ({speed(age_tar)})",
            "CPU time": cpu_note(cpu_import, cpu_age_tar),
            "equal-work baseline: age -d + SHA-256 | tar -x, per file SHA-256 + openssl enc + sync": (
                f"{equal_import:.3f} s ({speed(equal_import)}); CPU {cpu_equal_import:.2f} s"
            ),
            EQUAL_RATIO: round(equal_import / ours_import, 3),
        },
    )
    return [create, import_]


def revisions_of(device: VaultDevice, count: int) -> Iterator[dict[str, Any]]:
    """``count`` case revisions signed by the worker's key, in wire form."""
    now = int(time.time() * 1000) - count
    for i in range(count):
        yield create_revision(
            device,
            entity_id=str(uuid.UUID(int=(0x0193_6F3E_8A00_7000_8000 << 48) | i)),
            entity_type="case",
            op="put",
            body={"title": f"Case {i}", "description": f"Benchmark case number {i} " * 4, "notes": ""},
            parents=[],
            hlc=Timestamp(now + i, 0),
        ).to_wire()


def executemany_baseline(folder: Path, revisions: list[dict[str, Any]]) -> float:
    rows = [(r["id"], r["signed"], r["signature"]) for r in revisions]
    connection = sqlite3.connect(folder / "baseline.sqlite")
    connection.execute("create table revision (id text primary key, signed text, signature text)")
    started = time.perf_counter()
    with connection:
        connection.executemany("insert into revision values (?, ?, ?)", rows)
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def bench_revisions(folder: Path, count: int) -> Result:
    folder.mkdir()
    coordinator, org_id, version, recipients = organisation(folder)
    worker = enrolled_worker(folder / "worker", coordinator)
    device = VaultDevice(worker.device_id, worker.device_public_key, worker.sync.signing_key())
    revisions = list(revisions_of(device, count))
    bundle = folder / "revisions.fvbundle"
    write_bundle(
        bundle,
        BundleContents(org_id, version, 1, None, worker.sync.custody_head(), revisions=revisions),
        DeviceIdentity(device.private_key, device.device_id),
        recipients,
    )
    identity = coordinator.vault_keys.age_identity()
    load_word_analysers()  # once a process, whatever the size: not the import's

    started, cpu = time.perf_counter(), time.process_time()
    first = import_bundle(coordinator, bundle, identity, org_id=org_id)
    ours = time.perf_counter() - started
    cpu_ours = time.process_time() - cpu
    assert first.revisions == count, first
    started = time.perf_counter()
    again = import_bundle(coordinator, bundle, identity, org_id=org_id)
    reimport = time.perf_counter() - started
    assert again.replay and again.revisions == 0, again
    baseline = executemany_baseline(folder, revisions)
    rows = [(r["id"], r["signed"], r["signature"]) for r in revisions]
    verify_wall, verify_cpu = verification_alone(rows)
    encrypted, cpu_encrypted = executemany_encrypted(folder, rows)
    floor = verify_wall + encrypted
    worker.lock()
    coordinator.lock()
    return Result(
        name="bundle-apply",
        metric=f"applying {count} revisions from a bundle",
        ours=ours,
        baseline=floor,
        unit="s",
        ratio=ours / floor,
        ratio_meaning="import_bundle / the floor: Ed25519 verification of every revision + executemany "
        "into SQLCipher; lower is better",
        target=f"<= {TARGET_APPLY}x the floor (not the issue's plain executemany: see the docstring); "
        f"re-import < {TARGET_REIMPORT:.0%} of the first",
        passed=ours / floor <= TARGET_APPLY and reimport < TARGET_REIMPORT * ours,
        details={
            "issue 11's ratio (ours / executemany into unencrypted SQLite)": f"{ours / baseline:.1f}x",
            "import_bundle": f"{ours:.3f} s ({count / ours:,.0f} revisions/s)",
            "the floor: verification + executemany into SQLCipher": f"{floor:.3f} s = {verify_wall:.3f} s "
            f"+ {encrypted:.3f} s; CPU {verify_cpu + cpu_encrypted:.3f} s",
            "executemany, unencrypted": f"{baseline:.3f} s",
            "CPU time of import_bundle": f"{cpu_ours:.2f} s (all threads)",
            "re-import (replay)": f"{reimport * 1000:.1f} ms ({reimport / ours:.2%} of the first)",
        },
    )


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


PROBE = """import time
end = time.perf_counter() + {seconds}
start = time.process_time()
while time.perf_counter() < end:
    pass
print(time.process_time() - start)
"""


def cores_free(seconds: float = 0.3) -> float:
    """About how many cores a run would get now: as many busy processes as
    the machine has cores spin for ``seconds``; the CPU time they got,
    summed, over ``seconds``. The load average counts what waits to run;
    this says what is left for us. A ratio measured with fewer than all
    cores free says little about the code: the import's ratio moved from
    ~0.8x to 0.3-0.6x with the same code when other work took a core
    (docs/development.md, bundle rows of session 10)."""
    probe = PROBE.format(seconds=seconds)
    children = [
        subprocess.Popen([sys.executable, "-c", probe], stdout=subprocess.PIPE, text=True)
        for _ in range(os.cpu_count() or 1)
    ]
    return sum(float(child.communicate()[0]) for child in children) / seconds


def _median_of(runs: list[tuple[Result, str]]) -> Result:
    """One result for several repetitions of the same part: the repetition
    whose ratio is the median, with every ratio and load listed. Of an even
    number, the worse of the two middle ones (never the flattering pick)."""
    if len(runs) == 1:
        return runs[0][0]
    higher_is_better = "higher is better" in runs[0][0].ratio_meaning
    # Worst first: the lower middle of an even count is then the worse one.
    ordered = sorted(runs, key=lambda run: run[0].ratio, reverse=not higher_is_better)
    middle = ordered[(len(ordered) - 1) // 2][0]
    middle.details["ratios of the repetitions (load before-after, cores free before)"] = ", ".join(
        f"{r.ratio:.2f}x ({load})" for r, load in runs
    )
    if EQUAL_RATIO in middle.details:
        middle.details["equal-work ratios of the repetitions"] = ", ".join(
            f"{r.details[EQUAL_RATIO]:.2f}x" for r, _load in runs
        )
    middle.details["reported"] = f"the median repetition of {len(runs)}"
    return middle


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=None, help="evidence in MiB (2048; quick 200)")
    parser.add_argument("--revisions", type=int, default=None, help="revisions applied (100000; quick 10000)")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each part; the median ratio is reported"
    )
    parser.add_argument(
        "--evidence-only", action="store_true", help="creation and import only, not the revisions part"
    )
    parser.add_argument(
        "--decrypt-here",
        action="store_true",
        help="decrypt imports in this process, not in a child (the code before it, for comparison)",
    )
    args = parser.parse_args(argv)
    if args.decrypt_here:
        reader.DECRYPT_IN_CHILD = False
    print(f"import decrypts {'in a child process' if reader.DECRYPT_IN_CHILD else 'in this process'}")
    size_mib = args.size_mib or (200 if args.quick else 2048)
    count = args.revisions or (10_000 if args.quick else 100_000)
    for tool in ("age", "tar", "openssl"):
        if shutil.which(tool) is None:
            parser.error(f"the baseline needs Debian's {tool}: run scripts/system-deps.sh")
    print(machine_line())
    print(f"bundles of {size_mib} MiB of evidence; {count} revisions applied")
    runs: dict[str, list[tuple[Result, str]]] = {}
    with bench_tempdir("bundle") as folder:
        layer = age_layer_speed(folder / "age-layer")
        for repetition in range(args.repeat):
            before, free = _load(), cores_free()
            evidence = bench_evidence(folder / f"evidence-{repetition}", size_mib)
            shutil.rmtree(folder / f"evidence-{repetition}")
            for result in evidence:
                result.details["cores free before the run (busy probes)"] = f"{free:.1f} of {os.cpu_count()}"
                result.details[AGE_LAYER] = layer
                runs.setdefault(result.name, []).append((result, f"{before}-{_load()}, {free:.1f}"))
            if args.evidence_only:
                continue
            before, free = _load(), cores_free()
            applied = bench_revisions(folder / f"revisions-{repetition}", count)
            shutil.rmtree(folder / f"revisions-{repetition}")
            applied.details["cores free before the run (busy probes)"] = f"{free:.1f} of {os.cpu_count()}"
            runs.setdefault(applied.name, []).append((applied, f"{before}-{_load()}, {free:.1f}"))
    results = [_median_of(of_part) for of_part in runs.values()]
    for result in results:
        result.print()
    write_results_json(results, args.json)
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
