"""`fieldvault export pdf|csv|json|bagit --case ID DEST` as a user runs it:
the JSON result, plaintext only inside DEST, and Ctrl+C leaving nothing."""

from __future__ import annotations

import hashlib
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.canary_helpers import encodings, files_containing
from tests.cli_helpers import REPO, Cli
from tests.evidence_samples import make_sparse
from tests.vault_helpers import PASSPHRASE

BAGIT = str(Path(sys.executable).with_name("bagit.py"))


def new_files_containing(roots: list[Path], needles: list[bytes], newer_than: float) -> list[str]:
    """files_containing for shared folders where other people's runs come and
    go: a folder that vanishes during the walk is skipped, not an error."""
    found = []
    for root in roots:
        for folder, _dirs, names in os.walk(root, onerror=lambda _err: None):
            for name in names:
                path = Path(folder) / name
                try:
                    found_stat = path.lstat()
                    # Others' benchmark files can be GiBs; what we look for is in small files.
                    if (
                        not path.is_file()
                        or path.is_symlink()
                        or found_stat.st_mtime < newer_than
                        or found_stat.st_size > 64 << 20
                    ):
                        continue
                    data = path.read_bytes()
                except OSError:
                    continue
                found += [str(path) for needle in needles if needle in data]
    return found


def make_case(cli: Cli, tmp_path: Path, canary: str) -> str:
    cli.create_fast(PASSPHRASE)
    case = cli.json("case", "new", f"Справа {canary}", secrets=[PASSPHRASE])["id"]
    narrative = f"Свідок {canary} бачив, як вивели полонених."
    testimony = cli.json(
        "testimony", "new", "--case", case, "--narrative-file", "-", secrets=[PASSPHRASE], stdin=narrative
    )["id"]
    # Consent to the default purpose of an export (the NGO internally).
    cli.json(
        "consent", "new", "--testimony", testimony, "--scope", "the NGO internally", secrets=[PASSPHRASE]
    )
    source = tmp_path / "sources"
    source.mkdir()
    (source / "note.txt").write_text(f"handwritten note {canary}\n" * 50, encoding="utf-8")
    cli.json("ingest", str(source / "note.txt"), "--case", case, secrets=[PASSPHRASE])
    return case


def test_every_format_prints_its_path_and_hash_and_keeps_plaintext_inside_dest(cli: Cli, tmp_path):
    started = time.time() - 1
    canary = f"Канарка-{secrets.token_hex(4)}"
    case = make_case(cli, tmp_path, canary)
    dest = tmp_path / "usb"
    dest.mkdir()
    results = {}
    for kind, extra in (("bagit", ["--strip-metadata"]), ("pdf", []), ("json", []), ("csv", ["--uwazi"])):
        results[kind] = cli.json("export", kind, "--case", case, str(dest), *extra, secrets=[PASSPHRASE])
        assert set(results[kind]) >= {"path", "sha256"}
        assert Path(results[kind]["path"]).parent == dest
    bag = Path(results["bagit"]["path"])
    assert (
        subprocess.run([sys.executable, BAGIT, "--validate", str(bag)], capture_output=True).returncode == 0
    )
    assert (
        results["bagit"]["sha256"]
        == hashlib.sha256((bag / "tagmanifest-sha256.txt").read_bytes()).hexdigest()
    )
    for kind in ("pdf", "json"):
        path = Path(results[kind]["path"])
        assert results[kind]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    folder = Path(results["csv"]["path"])
    names = sorted(p.name for p in folder.iterdir())
    listing = subprocess.run(["sha256sum", *names], cwd=folder, capture_output=True, check=True).stdout
    assert results["csv"]["sha256"] == hashlib.sha256(listing).hexdigest()
    assert canary in (folder / "testimonies.csv").read_text(encoding="utf-8")
    assert {r["purpose"] for r in results.values()} == {"ngo-internal"}
    assert {r["withheld"] for r in results.values()} == {0}
    # The witness agreed to the NGO's own use only: an export for prosecution
    # leaves the testimony out and says so.
    other = dest / "for-court"
    other.mkdir()
    court = cli.json(
        "export", "json", "--case", case, str(other), "--purpose", "prosecution", secrets=[PASSPHRASE]
    )
    assert court["purpose"] == "prosecution" and court["withheld"] == 1
    court_text = Path(court["path"]).read_text(encoding="utf-8")
    assert f"Свідок {canary}" not in court_text and '"reason": "consent-not-given"' in court_text
    safe = cli.json("export", "csv", "--case", case, str(other), "--spreadsheet-safe", secrets=[PASSPHRASE])
    assert "true" in (Path(safe["path"]) / "export.csv").read_text(encoding="utf-8").splitlines()[1]
    # The custody log records every export: the bag's of the item's bytes, and
    # the PDF, JSON (twice) and CSV (twice) exports of its metadata.
    item = cli.json("evidence", "list", "--case", case, secrets=[PASSPHRASE])
    shown = cli.json("evidence", "show", item["id"], secrets=[PASSPHRASE])
    assert [e["action"] for e in shown["custody"]] == ["intake", "export"] + ["export-metadata"] * 5
    # Plaintext only in DEST (and the source the test wrote).
    needles = encodings(canary)
    roots = [cli.vault, Path(cli.env["HOME"]), Path(cli.env["TMPDIR"])]
    assert files_containing(roots, needles) == []
    shared = [p for p in (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm")) if p.exists()]
    outside = [
        hit for hit in new_files_containing(shared, needles, started) if not hit.startswith(str(tmp_path))
    ]
    assert outside == []
    inside = files_containing([tmp_path], needles)
    assert inside and all(hit.startswith((str(dest), str(tmp_path / "sources"))) for hit in inside)
    assert not [p for p in dest.iterdir() if ".partial-" in p.name]


def test_the_target_must_be_new_and_usage_is_checked(cli: Cli, tmp_path):
    case = make_case(cli, tmp_path, "x")
    existing = tmp_path / "report.pdf"
    existing.write_bytes(b"the user's report")
    refused = cli.run("export", "pdf", "--case", case, str(existing), secrets=[PASSPHRASE], check=False)
    assert refused.returncode == 1 and "already exists" in refused.stderr
    assert existing.read_bytes() == b"the user's report"
    assert cli.run("export", "docx", "--case", case, str(tmp_path), check=False).returncode == 2
    missing = cli.run("export", "json", "--case", "0" * 8, str(tmp_path), secrets=[PASSPHRASE], check=False)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr


def _growing(folder: Path, whole: int) -> bool:
    """Is a file below ``folder`` begun and not yet ``whole`` bytes?"""
    for path in folder.rglob("*"):
        try:
            size = path.stat().st_size if path.is_file() else 0
        except FileNotFoundError:  # renamed or removed since the listing
            continue
        if 0 < size < whole:
            return True
    return False


def test_ctrl_c_during_a_bag_export_leaves_nothing(cli: Cli, tmp_path):
    case = make_case(cli, tmp_path, "y")
    big = make_sparse(tmp_path / "sources" / "video.bin", 384 << 20)
    cli.json("ingest", str(big), "--case", case, secrets=[PASSPHRASE])
    dest = tmp_path / "usb"
    dest.mkdir()
    read_end, write_end = os.pipe()
    os.write(write_end, (PASSPHRASE + "\n").encode())
    os.close(write_end)
    command = [
        sys.executable,
        "-m",
        "fieldvault",
        "--vault",
        str(cli.vault),
        "--passphrase-fd",
        str(read_end),
    ]
    # At the lowest priority: on a loaded machine this test's watch below
    # gets the CPU before the export does, so the export cannot finish
    # between two looks (at load 11-13 it did, with the export at nice 0).
    # An idle machine runs it at full speed all the same.
    child = subprocess.Popen(
        ["nice", "-n", "19", *command, "export", "bagit", "--case", case, str(dest)],
        env=cli.env,
        cwd=REPO,
        pass_fds=(read_end,),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    os.close(read_end)
    # Inside the export of the large item: its copy in the partial bag has
    # begun and is not whole. (A fixed sleep after the partial folder
    # appeared let a loaded machine's export finish first.)
    deadline = time.monotonic() + 60
    while not _growing(dest, 384 << 20) and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.005)
    assert child.poll() is None, "the export ended before it could be interrupted"
    child.send_signal(signal.SIGINT)
    _out, err = child.communicate(timeout=60)
    assert child.returncode == 1, err
    assert "interrupted; nothing half-done was kept" in err
    assert list(dest.iterdir()) == []
