"""``fieldvault backup --to DIR`` as a user types it: the printed backup is a
vault folder that ``fieldvault --vault BACKUP info`` and ``verify`` open with
the same passphrase, with the original's device id."""

from __future__ import annotations

from pathlib import Path

from tests.cli_helpers import Cli
from tests.evidence_samples import make_random
from tests.vault_helpers import PASSPHRASE


def test_backup_to_a_usb_stick_then_open_it(cli: Cli, tmp_path: Path) -> None:
    cli.create_fast(PASSPHRASE)
    case = cli.json("case", "new", "Kharkiv", secrets=[PASSPHRASE])["id"]
    evidence = make_random(tmp_path / "photo.bin", 150_000)
    ingested = cli.json("ingest", str(evidence), "--case", case, secrets=[PASSPHRASE])
    original = cli.json("info", secrets=[PASSPHRASE])
    stick = tmp_path / "usb"
    stick.mkdir()

    made = cli.json("backup", "--to", str(stick), secrets=[PASSPHRASE])
    backup = Path(made["backup"])
    assert backup.parent == stick and made["files"] == 1 and made["missing"] == []

    copy = Cli(backup, cli.env)
    info = copy.json("info", secrets=[PASSPHRASE])
    assert info["device_id"] == original["device_id"]
    assert (info["cases"], info["evidence"]) == (1, 1)
    assert copy.json("verify", secrets=[PASSPHRASE])["ok"] is True
    exported = copy.json(
        "evidence", "export", ingested["id"], str(tmp_path / "back.bin"), secrets=[PASSPHRASE]
    )
    assert exported["sha256"] == ingested["sha256"]
    assert (tmp_path / "back.bin").read_bytes() == evidence.read_bytes()
    wrong = copy.run("info", secrets=["not the passphrase"], check=False)
    assert wrong.returncode == 1


def test_backup_refuses_a_file_and_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    cli.create_fast(PASSPHRASE)
    target = tmp_path / "notes.txt"
    target.write_text("mine")
    result = cli.run("backup", "--to", str(target), secrets=[PASSPHRASE], check=False)
    assert result.returncode == 1 and "not a folder" in result.stderr
    assert target.read_text() == "mine"
