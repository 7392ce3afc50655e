"""`ingest`, `evidence export` and `verify` as DESIGN.md's contract states."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from tests.cli_helpers import Cli

PASS = "a long field passphrase"


def sha256_of(path: Path) -> str:
    return subprocess.run(
        ["sha256sum", str(path)], capture_output=True, text=True, check=True
    ).stdout.split()[0]


def test_ingest_export_verify_round_trip(cli: Cli, tmp_path: Path) -> None:
    cli.create_fast(PASS)
    case = cli.json("case", "new", "Case", secrets=[PASS])
    photo = tmp_path / "photo.bin"
    photo.write_bytes(bytes(range(256)) * 9000)
    note = tmp_path / "note.txt"
    note.write_text("short note", encoding="utf-8")
    rows = cli.json("ingest", str(photo), str(note), "--case", case["id"], secrets=[PASS])
    assert [(r["sha256"], r["size"]) for r in rows] == [
        (sha256_of(photo), photo.stat().st_size),
        (sha256_of(note), note.stat().st_size),
    ]
    exported = cli.json("evidence", "export", rows[0]["id"], str(tmp_path / "out.bin"), secrets=[PASS])
    assert exported == {"id": rows[0]["id"], "sha256": sha256_of(photo), "path": str(tmp_path / "out.bin")}
    assert (tmp_path / "out.bin").read_bytes() == photo.read_bytes()
    report = cli.json("verify", secrets=[PASS])
    assert report["ok"] is True and report["problems"] == []
    assert report["bytes"] == photo.stat().st_size + note.stat().st_size
    shown = cli.json("evidence", "show", rows[0]["id"], secrets=[PASS])
    assert [e["action"] for e in shown["custody"]] == ["intake", "export", "verify"]


def test_verify_names_the_damaged_item_and_exits_1(cli: Cli, tmp_path: Path) -> None:
    cli.create_fast(PASS)
    case = cli.json("case", "new", "Case", secrets=[PASS])
    first = tmp_path / "a.bin"
    first.write_bytes(b"A" * 3_000_000)
    second = tmp_path / "b.bin"
    second.write_bytes(b"B" * 10)
    rows = cli.json("ingest", str(first), str(second), "--case", case["id"], secrets=[PASS])
    blobs = sorted((cli.vault / "blobs").iterdir(), key=lambda p: p.stat().st_size)
    big = bytearray(blobs[-1].read_bytes())
    big[len(big) // 2] ^= 0x40
    blobs[-1].write_bytes(bytes(big))
    result = cli.run("--json", "verify", secrets=[PASS], check=False)
    assert result.returncode == 1
    import json

    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert [(p["kind"], p["id"]) for p in report["problems"]] == [("blob", rows[0]["id"])]
    assert "problem" in result.stderr and "Traceback" not in result.stderr
    # The undamaged item still exports.
    cli.run("evidence", "export", rows[1]["id"], str(tmp_path / "b.out"), secrets=[PASS])
    assert (tmp_path / "b.out").read_bytes() == second.read_bytes()
    damaged = cli.run(
        "evidence", "export", rows[0]["id"], str(tmp_path / "a.out"), secrets=[PASS], check=False
    )
    assert damaged.returncode == 1 and "damaged or was altered" in damaged.stderr
    assert not (tmp_path / "a.out").exists()


def test_ingest_of_a_missing_file_is_a_clear_error(cli: Cli, tmp_path: Path) -> None:
    cli.create_fast(PASS)
    case = cli.json("case", "new", "Case", secrets=[PASS])
    result = cli.run("ingest", str(tmp_path / "nope.jpg"), "--case", case["id"], secrets=[PASS], check=False)
    assert result.returncode == 1 and "nope.jpg: no such file" in result.stderr


def test_remove_source_deletes_only_after_intake(cli: Cli, tmp_path: Path) -> None:
    cli.create_fast(PASS)
    case = cli.json("case", "new", "Case", secrets=[PASS])
    source = tmp_path / "video.bin"
    source.write_bytes(b"\x00\x01" * 500_000)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    row = cli.json("ingest", str(source), "--case", case["id"], "--remove-source", secrets=[PASS])
    assert not source.exists()
    cli.run("evidence", "export", row["id"], str(tmp_path / "back.bin"), secrets=[PASS])
    assert hashlib.sha256((tmp_path / "back.bin").read_bytes()).hexdigest() == digest
