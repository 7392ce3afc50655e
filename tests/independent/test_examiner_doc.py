"""docs/examiner.md's procedure: hash the folder, verify a copy read-only,
and the copy's files are byte for byte what they were."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from tests.independent.appdriver import App, create_vault, new_app


def hashes(folder: Path) -> dict[str, str]:
    """Every file under the folder, hidden ones too, by relative path."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_read_only_verify_of_a_copy_changes_no_file(tmp_path: Path) -> None:
    app = new_app(tmp_path)
    create_vault(app)  # test-speed Argon2; the procedure is the same for any cost
    case = app.cli_json("case", "new", "Case")["id"]
    evidence = tmp_path / "photo.jpg"
    evidence.write_bytes(b"\xff\xd8\xff\xe0" + b"pixels" * 5000)
    app.cli("ingest", str(evidence), "--case", case)
    original = hashes(app.vault)

    copy = tmp_path / "vault-copy"
    shutil.copytree(app.vault, copy)
    assert hashes(copy) == original
    examined = App(copy, app.home)
    report = json.loads(examined.cli("verify", "--read-only"))

    assert report["ok"] is True, report
    assert hashes(copy) == original
    assert hashes(app.vault) == original
