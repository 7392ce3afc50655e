"""The custody check in docs/chain-of-custody.md works, as written, on a real
vault's `fieldvault custody export`, catches tampering, and refuses a log
rewritten and re-signed with another key."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from db.keyring_store import NoKeyring
from db.vault import Vault
from tests.cli_helpers import REPO, Cli
from tests.vault_helpers import FAST_ARGON2

PASS = "a long field passphrase"


def documented_script(tmp_path: Path) -> Path:
    text = (REPO / "docs" / "chain-of-custody.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    (script,) = [b for b in blocks if "fieldvault-custody-v1" in b]
    path = tmp_path / "check.py"
    path.write_text(script, encoding="utf-8")
    return path


def run_script(
    script: Path, events: list[dict[str, str]], tmp_path: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    log = tmp_path / "events.json"
    log.write_text(json.dumps(events))
    return subprocess.run(
        [sys.executable, str(script), str(log), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def run_check(script: Path, events: list[dict[str, str]], tmp_path: Path, device_id: str) -> str:
    result = run_script(script, events, tmp_path, device_id)
    assert result.returncode == 0, result.stderr
    return result.stdout


def resigned_with_a_new_key(events: list[dict[str, str]]) -> list[dict[str, str]]:
    """The whole log rebuilt as a forger would: same content, a new key and
    device id, every hash, prev link and signature recomputed."""
    forger = Ed25519PrivateKey.generate()
    public = forger.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    prev, forged = "0" * 64, []
    for event in events:
        envelope = json.loads(base64.b64decode(event["signed"]))
        envelope |= {
            "key": base64.b64encode(public).decode("ascii"),
            "device": hashlib.sha256(public).digest()[:16].hex(),
            "prev": prev,
        }
        signed = rfc8785.dumps(envelope)
        prev = hashlib.sha256(signed).hexdigest()
        forged.append(
            {
                "hash": prev,
                "signed": base64.b64encode(signed).decode("ascii"),
                "signature": base64.b64encode(forger.sign(b"fieldvault-custody-v1\x00" + signed)).decode(
                    "ascii"
                ),
            }
        )
    return forged


def test_documented_check_accepts_the_log_and_catches_tampering(cli: Cli, tmp_path: Path) -> None:
    # Made through the API with test-speed Argon2: `init` calibrates it to
    # ~1 s per unlock (tests/e2e/test_cli.py runs init itself).
    created = Vault.create(cli.vault, PASS, keyring=NoKeyring(), argon2=FAST_ARGON2)
    device_id = created.vault.device_id
    created.vault.lock()
    case = cli.json("case", "new", "Case", secrets=[PASS])
    evidence = tmp_path / "photo.bin"
    evidence.write_bytes(b"\x89PNG fake" * 1000)
    item = cli.json("ingest", str(evidence), "--case", case["id"], secrets=[PASS])
    cli.run("evidence", "export", item["id"], str(tmp_path / "copy.bin"), secrets=[PASS])
    cli.run("verify", secrets=[PASS])
    events = json.loads(cli.run("custody", "export", secrets=[PASS]).stdout)
    assert len(events) == 3
    script = documented_script(tmp_path)

    clean = run_check(script, events, tmp_path, device_id)
    assert clean.count("OK") == 3, clean
    assert item["sha256"] in clean

    altered = [dict(e) for e in events]
    envelope = json.loads(base64.b64decode(altered[1]["signed"]))
    envelope["action"] = "view"
    altered[1]["signed"] = base64.b64encode(json.dumps(envelope).encode()).decode()
    assert "OK" not in run_check(script, altered, tmp_path, device_id).splitlines()[1]

    removed = [events[0], events[2]]
    assert "prev link" in run_check(script, removed, tmp_path, device_id)

    # A rewritten log, consistently re-signed with a new key, passes every
    # check but one: it is not the vault's device.
    forged = resigned_with_a_new_key(events)
    lines = run_check(script, forged, tmp_path, device_id).splitlines()[:3]
    assert all(line.endswith('["not the vault\'s device"]') for line in lines), lines

    # Without the device id the script does not run at all.
    refused = run_script(script, forged, tmp_path)
    assert refused.returncode != 0
    assert "usage" in refused.stderr
    assert "OK" not in refused.stdout
