"""``fieldvault ingest --remove-source`` for a file already in the case
(issue 15), with the real command: removed once identical bytes are checked
in the vault, kept with a message naming the item when they are not."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from db.vault import BLOB_DIR
from tests.cli_helpers import Cli
from tests.evidence_samples import file_identity, make_random
from tests.vault_helpers import PASSPHRASE

P = [PASSPHRASE]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_copy_of_evidence_already_in_the_case_is_moved_into_the_vault(cli: Cli, tmp_path: Path) -> None:
    cli.create_fast(PASSPHRASE)
    case = cli.json("case", "new", "Case", secrets=P)["id"]
    original = make_random(tmp_path / "DCIM-0001.jpg", 700_000, seed=11)
    first = cli.json("ingest", str(original), "--case", case, secrets=P)
    copy = tmp_path / "from-the-phone-again.jpg"
    shutil.copyfile(original, copy)

    row = cli.json("ingest", str(copy), "--case", case, "--remove-source", secrets=P)

    assert row == {
        "id": first["id"], "sha256": first["sha256"], "size": 700_000, "duplicate": True, "source_removed": True,
        "supplied": [],  # no item of the case lacked these bytes (3b8667d)
    }  # fmt: skip
    assert not copy.exists() and original.exists()
    cli.run("evidence", "export", first["id"], str(tmp_path / "back.jpg"), secrets=P)
    assert _sha256(tmp_path / "back.jpg") == _sha256(original)


def test_a_copy_is_kept_when_the_vault_cannot_show_it_holds_the_same_bytes(cli: Cli, tmp_path: Path) -> None:
    cli.create_fast(PASSPHRASE)
    case = cli.json("case", "new", "Case", secrets=P)["id"]
    source = make_random(tmp_path / "video.bin", 300_000, seed=12)
    item = cli.json("ingest", str(source), "--case", case, secrets=P)["id"]
    identity, digest = file_identity(source), _sha256(source)
    (blob,) = (cli.vault / BLOB_DIR).iterdir()

    # The vault's copy is missing: kept, with a note naming the item.
    aside = tmp_path / "aside"
    blob.rename(aside)
    result = cli.run("--json", "ingest", str(source), "--case", case, "--remove-source", secrets=P)
    assert '"source_removed": false' in result.stdout
    assert f"{item}: the source file was kept" in result.stderr
    assert file_identity(source) == identity
    aside.rename(blob)

    # The vault's copy is damaged: exit 1, kept, and the message says so.
    data = bytearray(blob.read_bytes())
    data[150] ^= 0x01
    blob.write_bytes(bytes(data))
    result = cli.run("ingest", str(source), "--case", case, "--remove-source", secrets=P, check=False)
    assert result.returncode == 1 and "the source was kept" in result.stderr and item in result.stderr
    assert "Traceback" not in result.stderr
    assert file_identity(source) == identity and _sha256(source) == digest
