"""`verify --read-only`, `quarantine list|purge`, and `wipe` of a folder that is not a vault."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from tests.cli_helpers import Cli

PASS = "a field passphrase 42"


def make_vault_with_evidence(cli: Cli, tmp_path: Path) -> str:
    cli.create_fast(PASS)
    case_id = cli.json("case", "new", "Case A", secrets=[PASS])["id"]
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(os.urandom(20_000))
    return str(cli.json("ingest", str(photo), "--case", case_id, secrets=[PASS])["id"])


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_read_only_verify_changes_no_byte_and_records_nothing(cli: Cli, tmp_path: Path) -> None:
    make_vault_with_evidence(cli, tmp_path)
    before_head = cli.json("custody", "export", secrets=[PASS])
    for name in ("vault.db-wal", "vault.db-shm", "vault.lock"):
        (cli.vault / name).unlink(missing_ok=True)
    before = tree_digest(cli.vault)
    names_before = sorted(p.name for p in cli.vault.iterdir())

    report = cli.json("verify", "--read-only", secrets=[PASS])
    log = cli.json("custody", "export", "--read-only", secrets=[PASS])

    assert report["ok"] and report["read_only"] and report["blobs"] == 1
    assert tree_digest(cli.vault) == before
    assert sorted(p.name for p in cli.vault.iterdir()) == names_before
    assert log == before_head  # read-only: the same log, and no verify events appended
    assert cli.json("custody", "export", secrets=[PASS]) == before_head


def test_quarantined_files_are_listed_and_purged_only_on_request(cli: Cli, tmp_path: Path) -> None:
    make_vault_with_evidence(cli, tmp_path)
    stray = "ef" * 16
    (cli.vault / "blobs" / stray).write_bytes(b"sealed bytes no record names")

    opened = cli.run("info", secrets=[PASS])
    assert "moved to quarantine/ (not deleted)" in opened.stderr
    report = cli.json("verify", secrets=[PASS])
    assert report["ok"] and [n["id"] for n in report["notices"]] == [stray]
    assert cli.json("quarantine", "list", secrets=[PASS]) == {"file": stray}

    refused = cli.run("quarantine", "purge", secrets=[PASS], check=False)
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert (cli.vault / "quarantine" / stray).exists()

    assert cli.json("quarantine", "purge", "--yes", secrets=[PASS]) == {"removed": [stray]}
    assert not (cli.vault / "quarantine" / stray).exists()
    assert cli.json("verify", secrets=[PASS])["notices"] == []


def test_wipe_refuses_a_folder_that_is_not_a_vault(cli: Cli, tmp_path: Path) -> None:
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "letter.txt").write_text("keep me")
    other = Cli(documents, cli.env)
    result = other.run("wipe", "--yes", check=False)
    assert result.returncode == 1
    assert "not a Fieldvault vault" in result.stderr and "Traceback" not in result.stderr
    assert (documents / "letter.txt").read_text() == "keep me"


def test_init_refuses_a_non_empty_folder(cli: Cli, tmp_path: Path) -> None:
    cli.vault.mkdir()
    (cli.vault / "photo.jpg").write_bytes(b"someone's photo")
    result = cli.run("init", "--no-keyring", secrets=[PASS, PASS], check=False)
    assert result.returncode == 1 and "not empty" in result.stderr
    assert [p.name for p in cli.vault.iterdir()] == ["photo.jpg"]
