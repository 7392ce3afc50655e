"""The custody check in docs/chain-of-custody.md works, as written, on a real
vault's `fieldvault custody export`, and catches tampering."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import REPO, Cli

PASS = "a long field passphrase"


def documented_script(tmp_path: Path) -> Path:
    text = (REPO / "docs" / "chain-of-custody.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    (script,) = [b for b in blocks if "fieldvault-custody-v1" in b]
    path = tmp_path / "check.py"
    path.write_text(script, encoding="utf-8")
    return path


def run_check(script: Path, events: list[dict[str, str]], tmp_path: Path) -> str:
    log = tmp_path / "events.json"
    log.write_text(json.dumps(events))
    return subprocess.run(
        [sys.executable, str(script), str(log)], capture_output=True, text=True, check=True, timeout=60
    ).stdout


def test_documented_check_accepts_the_log_and_catches_tampering(cli: Cli, tmp_path: Path) -> None:
    cli.run("init", "--no-keyring", secrets=[PASS])
    case = cli.json("case", "new", "Case", secrets=[PASS])
    evidence = tmp_path / "photo.bin"
    evidence.write_bytes(b"\x89PNG fake" * 1000)
    item = cli.json("ingest", str(evidence), "--case", case["id"], secrets=[PASS])
    cli.run("evidence", "export", item["id"], str(tmp_path / "copy.bin"), secrets=[PASS])
    cli.run("verify", secrets=[PASS])
    events = json.loads(cli.run("custody", "export", secrets=[PASS]).stdout)
    assert len(events) == 3
    script = documented_script(tmp_path)

    clean = run_check(script, events, tmp_path)
    assert clean.count("OK") == 3, clean
    assert item["sha256"] in clean

    altered = [dict(e) for e in events]
    envelope = json.loads(base64.b64decode(altered[1]["signed"]))
    envelope["action"] = "view"
    altered[1]["signed"] = base64.b64encode(json.dumps(envelope).encode()).decode()
    assert "OK" not in run_check(script, altered, tmp_path).splitlines()[1]

    removed = [events[0], events[2]]
    assert "prev link" in run_check(script, removed, tmp_path)
