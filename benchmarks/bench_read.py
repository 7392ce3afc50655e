"""Reading evidence back: random access into a large blob, and `verify` throughput.

- random access: 1,000 reads of 64 KiB at seeded random offsets of a 4 GiB
  item through ``vault.evidence.open()``; baseline: the same reads from the
  plaintext source file (page cache warm for both);
- verify: ``vault.verify()`` over the stored evidence against
  ``openssl dgst -sha256`` of the same original files. Target (issue #4): at
  least 0.8x openssl's throughput.

    python benchmarks/bench_read.py [--blob-mib 4096] [--verify-mib 1024] [--quick]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import random
import subprocess
import time

from benchmarks._common import Result, base_parser, bench_tempdir, fast_argon2, machine_line, percentile
from benchmarks.bench_ingest import make_random_file
from db.entities import Case
from db.keyring_store import NoKeyring
from db.vault import Vault

READS = 1000
READ_SIZE = 64 << 10
TARGET_VERIFY_RATIO = 0.8


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--blob-mib", type=int, default=None)
    parser.add_argument("--verify-mib", type=int, default=None)
    args = parser.parse_args(argv)
    blob_mib = args.blob_mib or (512 if args.quick else 4096)
    verify_mib = args.verify_mib or (256 if args.quick else 1024)
    print(machine_line())

    with bench_tempdir("read") as folder:
        vault = Vault.create(
            folder / "vault", "benchmark passphrase", keyring=NoKeyring(), argon2=fast_argon2()
        ).vault
        case = vault.cases.create(Case(title="bench"))

        big = folder / "big.bin"
        make_random_file(big, blob_mib << 20)
        item = vault.evidence.ingest(big, case.id).item
        rng = random.Random(4)
        offsets = [rng.randrange(0, (blob_mib << 20) - READ_SIZE) for _ in range(READS)]
        ours: list[float] = []
        with vault.evidence.open(item.id, purpose="benchmark") as reader:
            for offset in offsets:
                started = time.perf_counter()
                reader.seek(offset)
                data = reader.read(READ_SIZE)
                ours.append(time.perf_counter() - started)
                assert len(data) == READ_SIZE
        plain: list[float] = []
        with big.open("rb") as handle:
            for offset in offsets:
                started = time.perf_counter()
                handle.seek(offset)
                handle.read(READ_SIZE)
                plain.append(time.perf_counter() - started)
        with vault.evidence.open(item.id, purpose="benchmark") as reader, big.open("rb") as handle:
            for offset in offsets[:50]:
                reader.seek(offset)
                handle.seek(offset)
                assert reader.read(READ_SIZE) == handle.read(READ_SIZE), "random read differs from the source"
        random_result = Result(
            name="random-read",
            metric=f"{READS} x 64 KiB reads in {blob_mib} MiB",
            ours=sum(ours),
            baseline=sum(plain),
            unit="s",
            ratio=sum(ours) / sum(plain),
            ratio_meaning="ours / same reads of the plaintext file; no target in the issue",
            target="report only (p95 per read shown)",
            passed=True,
            details={
                "p50 per read": f"{percentile(ours, 50) * 1000:.2f} ms (plaintext {percentile(plain, 50) * 1000:.3f} ms)",
                "p95 per read": f"{percentile(ours, 95) * 1000:.2f} ms",
            },
        )
        random_result.print()
        big.unlink()

        sources = []
        for number in range(4):
            source = folder / f"evidence{number}.bin"
            make_random_file(source, (verify_mib << 20) // 4)
            vault.evidence.ingest(source, case.id)
            sources.append(source)
        vault.verify()  # warm the cache of the blob files
        started = time.perf_counter()
        report = vault.verify()
        ours_verify = time.perf_counter() - started
        assert report.ok, report.problems
        baseline_bytes = sum(s.stat().st_size for s in sources)
        started = time.perf_counter()
        subprocess.run(
            ["openssl", "dgst", "-sha256", *map(str, sources)], check=True, stdout=subprocess.DEVNULL
        )
        openssl = time.perf_counter() - started
        ours_rate = report.bytes_checked / ours_verify
        base_rate = baseline_bytes / openssl
        verify_result = Result(
            name="verify",
            metric=f"verify of {report.bytes_checked >> 20} MiB",
            ours=ours_rate / (1 << 30),
            baseline=base_rate / (1 << 30),
            unit="GiB/s",
            ratio=ours_rate / base_rate,
            ratio_meaning="our verify throughput / openssl dgst -sha256 on the originals; higher is better",
            target=f">= {TARGET_VERIFY_RATIO}x",
            passed=ours_rate / base_rate >= TARGET_VERIFY_RATIO,
            details={"random access": random_result.details["p95 per read"] + " p95 per 64 KiB read"},
        )
        verify_result.print()
        vault.lock()
    verify_result.write_json(args.json)
    return 0 if verify_result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
