"""Evidence intake: time against two floors, and peak memory.

Floors, measured on the same file in the same run (page cache warm for all):

- hashing it: ``openssl dgst -sha256`` (SHA-NI; several times faster here than
  coreutils' ``sha256sum``, whose ratio is printed too);
- copying it: ``cp`` then ``sync``.

Target (issue #4): intake takes at most 1.25x the slower of the two floors.
Then the peak RSS of a separate process ingesting a 4 GiB (sparse) file:
target under 200 MB.

    python benchmarks/bench_ingest.py [--size-mib 2048] [--rss-size-mib 4096] [--quick]
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import os
import resource
import shutil
import subprocess
import time

from benchmarks._common import Result, base_parser, bench_tempdir, fast_argon2, gib_per_s, machine_line
from db.entities import Case
from db.keyring_store import NoKeyring
from db.vault import Vault

TARGET_RATIO = 1.25
TARGET_RSS_MB = 200
RSS_CHILD = """
import resource, sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from db.vault import Vault
from db.keyring_store import NoKeyring
from db.keys import Argon2Params
from db.entities import Case
vault = Vault.create(Path(sys.argv[2]), "benchmark passphrase", keyring=NoKeyring(),
                     argon2=Argon2Params(1, 8 * 1024, 1)).vault
case = vault.cases.create(Case(title="bench"))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
vault.evidence.ingest(Path(sys.argv[3]), case.id)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(before, after)
"""


def make_random_file(path: Path, size: int) -> None:
    block = os.urandom(8 << 20)
    with path.open("wb") as handle:
        written = 0
        while written < size:
            piece = block[: min(len(block), size - written)]
            handle.write(piece)
            written += len(piece)
            # Vary the content so no layer can compress or dedupe it.
            block = block[1:] + block[:1]


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def measure_ingest(folder: Path, source: Path) -> tuple[float, str]:
    vault = Vault.create(
        folder / "vault", "benchmark passphrase", keyring=NoKeyring(), argon2=fast_argon2()
    ).vault
    case = vault.cases.create(Case(title="bench"))
    started = time.perf_counter()
    result = vault.evidence.ingest(source, case.id)
    elapsed = time.perf_counter() - started
    vault.lock()
    shutil.rmtree(folder / "vault")
    return elapsed, result.item.sha256


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=None)
    parser.add_argument("--rss-size-mib", type=int, default=None)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    size_mib = args.size_mib or (256 if args.quick else 2048)
    rss_mib = args.rss_size_mib or (512 if args.quick else 4096)
    print(machine_line())
    print(f"ingest of a {size_mib} MiB random file; peak RSS for a {rss_mib} MiB file")

    with bench_tempdir("ingest") as folder:
        source = folder / "source.bin"
        make_random_file(source, size_mib << 20)
        subprocess.run(["cat", str(source)], check=True, stdout=subprocess.DEVNULL)  # warm the cache
        ours, hashes, openssl, sha256sum, copy = [], set(), [], [], []
        for run in range(args.runs):
            elapsed, digest = measure_ingest(folder, source)
            ours.append(elapsed)
            hashes.add(digest)
            openssl.append(timed(["openssl", "dgst", "-sha256", str(source)]))
            sha256sum.append(timed(["sha256sum", str(source)]))
            target = folder / f"copy{run}"
            copy.append(timed(["sh", "-c", f"cp '{source}' '{target}' && sync"]))
            target.unlink()
        expected = subprocess.run(
            ["openssl", "dgst", "-sha256", "-r", str(source)], capture_output=True, text=True
        )
        assert hashes == {expected.stdout.split()[0]}, "ingest hash differs from openssl's"
        best = min(ours)
        floor = max(min(openssl), min(copy))
        speed = functools.partial(gib_per_s, size_mib)
        ingest_result = Result(
            name="ingest",
            metric=f"{size_mib} MiB intake",
            ours=best,
            baseline=floor,
            unit="s",
            ratio=best / floor,
            ratio_meaning="ours / slower of (openssl dgst -sha256, cp+sync); lower is better",
            target=f"<= {TARGET_RATIO}x",
            passed=best / floor <= TARGET_RATIO,
            details={
                "ours (best of runs)": f"{best:.3f} s ({speed(best)})",
                "openssl dgst -sha256": f"{min(openssl):.3f} s ({speed(min(openssl))})",
                "cp + sync": f"{min(copy):.3f} s ({speed(min(copy))})",
                "sha256sum (coreutils)": f"{min(sha256sum):.3f} s; ours / sha256sum = {best / min(sha256sum):.2f}x",
            },
        )
        ingest_result.print()

        sparse = folder / "sparse.bin"
        with sparse.open("wb") as handle:
            handle.truncate(rss_mib << 20)
        child = subprocess.run(
            [
                sys.executable,
                "-c",
                RSS_CHILD,
                str(Path(__file__).resolve().parents[1]),
                str(folder / "rss"),
                str(sparse),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        before_kib, after_kib = (int(x) for x in child.stdout.split())
        peak_mb = after_kib / 1024
        rss_result = Result(
            name="ingest-rss",
            metric=f"peak RSS, {rss_mib} MiB intake",
            ours=peak_mb,
            baseline=before_kib / 1024,
            unit="MB",
            ratio=peak_mb / (before_kib / 1024),
            ratio_meaning="peak during intake / peak after opening the vault, before intake",
            target=f"< {TARGET_RSS_MB} MB",
            passed=peak_mb < TARGET_RSS_MB,
        )
        rss_result.print()
        _ = resource  # imported for the child's sake, documented above
    combined = Result(
        name="ingest",
        metric=ingest_result.metric,
        ours=ingest_result.ours,
        baseline=ingest_result.baseline,
        unit="s",
        ratio=ingest_result.ratio,
        ratio_meaning=ingest_result.ratio_meaning,
        target=f"{ingest_result.target}; RSS {rss_result.target}",
        passed=ingest_result.passed and rss_result.passed,
        details=ingest_result.details | {"peak RSS": f"{peak_mb:.0f} MB (target < {TARGET_RSS_MB} MB)"},
    )
    combined.write_json(args.json)
    return 0 if combined.passed else 1


if __name__ == "__main__":
    sys.exit(main())
