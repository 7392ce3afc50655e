"""docs/examiner.md's procedure: hash the folder, verify a copy read-only,
and the copy's files are byte for byte what they were."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.independent.appdriver import REPO, App, init_vault, new_app


def read_only_supported() -> bool:
    result = subprocess.run(
        [sys.executable, "-m", "fieldvault", "verify", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    return "--read-only" in result.stdout


def hashes(folder: Path) -> dict[str, str]:
    """Every file under the folder, hidden ones too, by relative path."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.mark.skipif(not read_only_supported(), reason="`verify --read-only` is not in the CLI yet")
def test_read_only_verify_of_a_copy_changes_no_file(tmp_path: Path) -> None:
    app = new_app(tmp_path)
    init_vault(app)
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
