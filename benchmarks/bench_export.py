"""BagIt evidence export against copying and hashing the same files.

A case holding N GiB of evidence (random bytes, in --files files) is
exported as a BagIt package (sync/exports/bag.py: decrypt, re-check SHA-256,
write, fsync, custody events, then bagit's SHA-256 and SHA-512 manifests).
In the same run, the same plaintext files are copied with ``cp`` and hashed
with coreutils' ``sha256sum``, then ``sync``ed (the export flushes its files
too). Ratio: (cp + sha256sum + sync) time / export time, higher is better;
target (issue #14) at least 0.7. The ratio without ``sync`` in the baseline
is printed as well.

    python benchmarks/bench_export.py [--size-mib 2048] [--files 4] [--quick]
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import shutil
import subprocess
import time

from benchmarks._common import Result, base_parser, bench_tempdir, fast_argon2, gib_per_s, machine_line
from benchmarks.bench_ingest import make_random_file
from db.api import Case, NoKeyring, Vault
from sync.exports.bag import export_bag

TARGET_RATIO = 0.7


def timed(command: list[str], cwd: Path | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=cwd)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=None, help="total evidence (default 2048; 128 quick)")
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args(argv)
    size_mib = args.size_mib or (128 if args.quick else 2048)
    print(machine_line())
    print(f"BagIt export of {size_mib} MiB in {args.files} files vs cp + sha256sum of the same files")
    with bench_tempdir("export") as folder:
        sources = folder / "sources"
        sources.mkdir()
        paths = []
        for number in range(args.files):
            path = sources / f"evidence-{number}.bin"
            make_random_file(path, (size_mib << 20) // args.files)
            paths.append(path)
        vault = Vault.create(
            folder / "vault", "benchmark passphrase", keyring=NoKeyring(), argon2=fast_argon2()
        ).vault
        case = vault.cases.create(Case(title="bench"))
        for path in paths:
            vault.evidence.ingest(path, case.id)
        ours, copy_hash, copy_hash_sync = [], [], []
        for run in range(args.runs):
            subprocess.run(["cat", *map(str, paths)], check=True, stdout=subprocess.DEVNULL)  # warm cache
            started = time.perf_counter()
            bag = export_bag(vault, case.id, folder / f"bag{run}")
            ours.append(time.perf_counter() - started)
            shutil.rmtree(bag.path)
            target = folder / f"copy{run}"
            target.mkdir()
            subprocess.run(["cat", *map(str, paths)], check=True, stdout=subprocess.DEVNULL)
            cp = timed(["cp", *map(str, paths), str(target)])
            hashing = timed(["sha256sum", *(p.name for p in paths)], cwd=target)
            flush = timed(["sync"])
            copy_hash.append(cp + hashing)
            copy_hash_sync.append(cp + hashing + flush)
            shutil.rmtree(target)
        vault.lock()
    best, baseline = min(ours), min(copy_hash_sync)
    ratio = baseline / best
    speed = functools.partial(gib_per_s, size_mib)
    result = Result(
        name="export",
        metric=f"BagIt export of {size_mib} MiB",
        ours=best,
        baseline=baseline,
        unit="s",
        ratio=ratio,
        ratio_meaning="(cp + sha256sum + sync) time / export time; higher is better",
        target=f">= {TARGET_RATIO}x",
        passed=ratio >= TARGET_RATIO,
        details={
            "export (best of runs)": f"{best:.3f} s ({speed(best)})",
            "cp + sha256sum + sync": f"{baseline:.3f} s ({speed(baseline)})",
            "cp + sha256sum (no sync)": f"{min(copy_hash):.3f} s; ratio {min(copy_hash) / best:.2f}x",
        },
        notes=[
            "the export also writes SHA-512 manifests and flushes every file; coreutils sha256sum has "
            "no SHA-NI here, hashlib's SHA-256 has (docs/development.md)"
        ],
    )
    result.print()
    result.write_json(args.json)
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
