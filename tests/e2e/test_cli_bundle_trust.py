"""`fieldvault bundle import --ack-to`, `bundle import` of an acknowledgement,
`bundle ack`, `bundle quarantine list` and `bundle approve` (docs/cli.md):
a worker enrolled with a token is accepted at its first bundle and, once it
took the acknowledgement, sends only new work; a worker without one is held
until the coordinator types the code the worker reads out."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.cli_helpers import Cli
from tests.vault_helpers import PASSPHRASE


@pytest.fixture
def org(tmp_path: Path, isolated_env: dict[str, str]) -> tuple[Cli, Path, str]:
    coordinator = Cli(tmp_path / "coord", isolated_env)
    coordinator.create_fast(PASSPHRASE)
    profile = tmp_path / "org.fvorg"
    made = coordinator.json("org", "create", "Field Org", "--out", str(profile), secrets=[PASSPHRASE])
    return coordinator, profile, made["fingerprint"]


def worker(
    tmp_path: Path, env: dict[str, str], name: str, org: tuple[Cli, Path, str], *token: str
) -> tuple[Cli, dict]:
    cli = Cli(tmp_path / name, env)
    cli.create_fast(PASSPHRASE)
    joined = cli.json("enrol", str(org[1]), "--fingerprint", org[2], *token, secrets=[PASSPHRASE])
    case = cli.json("case", "new", "Shelling of the school", secrets=[PASSPHRASE])
    source = tmp_path / f"{name}.jpg"
    source.write_bytes(os.urandom(20_000))
    cli.json("ingest", str(source), "--case", case["id"], secrets=[PASSPHRASE])
    return cli, joined


def test_a_token_enrols_at_the_first_bundle_and_an_ack_trims_the_next(
    org: tuple[Cli, Path, str], tmp_path: Path, isolated_env: dict[str, str]
) -> None:
    coordinator = org[0]
    token = coordinator.json("org", "token", secrets=[PASSPHRASE])["token"]
    field, _ = worker(tmp_path, isolated_env, "field", org, "--token", token)
    usb = tmp_path / "usb"
    usb.mkdir()
    made = field.json("bundle", "export", "--to", str(usb), secrets=[PASSPHRASE])
    imported = coordinator.json(
        "bundle", "import", made["bundle"], "--ack-to", str(usb), secrets=[PASSPHRASE]
    )
    assert imported["ok"] and imported["revisions"] >= 2 and Path(imported["ack"]).is_file()
    # The worker takes the acknowledgement like a bundle; its next bundle holds no old work.
    taken = field.json("bundle", "import", imported["ack"], secrets=[PASSPHRASE])
    assert taken == taken | {"ok": True, "bundle_id": made["bundle_id"], "sequence": 1}
    following = field.json("bundle", "export", "--to", str(usb), secrets=[PASSPHRASE])
    assert (following["revisions"], following["blobs"]) == (0, 0)
    # bundle ack writes the newest bundle's acknowledgement; import-ack takes it.
    coordinator.json("bundle", "import", following["bundle"], secrets=[PASSPHRASE])
    acks = coordinator.json("bundle", "ack", "--to", str(tmp_path), secrets=[PASSPHRASE])["acks"]
    assert [Path(a).name for a in acks] == [Path(following["bundle"]).name.replace(".fvbundle", ".fvack")]
    assert field.json("bundle", "import-ack", acks[0], secrets=[PASSPHRASE])["sequence"] == 2
    # Someone else's acknowledgement file is refused with its reason.
    forged = tmp_path / "forged.fvack"
    forged.write_bytes(Path(acks[0]).read_bytes().replace(b'"sequence":2', b'"sequence":1'))
    result = field.run("--json", "bundle", "import-ack", str(forged), secrets=[PASSPHRASE], check=False)
    assert result.returncode == 1 and json.loads(result.stdout)["reason"] == "ack-signature"


def test_an_unknown_device_is_held_and_approved_with_its_code(
    org: tuple[Cli, Path, str], tmp_path: Path, isolated_env: dict[str, str]
) -> None:
    coordinator = org[0]
    field, joined = worker(tmp_path, isolated_env, "field", org)
    made = field.json("bundle", "export", "--to", str(tmp_path), secrets=[PASSPHRASE])
    result = coordinator.run("--json", "bundle", "import", made["bundle"], secrets=[PASSPHRASE], check=False)
    assert result.returncode == 1
    row = json.loads(result.stdout)
    assert row == row | {
        "ok": False,
        "reason": "device-unknown",
        "quarantined": True,
        "bundle_id": made["bundle_id"],
    }
    held = coordinator.json("bundle", "quarantine", "list", secrets=[PASSPHRASE])
    assert held == held | {"bundle_id": made["bundle_id"], "reason": "device-unknown", "path": made["bundle"]}
    assert "release_failed" not in held
    # No release of it failed: a retry changes nothing (sync.md §2 step 5).
    retried = coordinator.json("bundle", "quarantine", "retry", made["bundle_id"], secrets=[PASSPHRASE])
    assert retried == {
        "bundle_id": made["bundle_id"],
        "device_id": held["device_id"],
        "release_failed": 0,
        "next": "import-again",
    }

    code = joined["verification_code"]
    wrong = ("1" if code[0] != "1" else "2") + code[1:]
    refused = coordinator.run(
        "--json", "bundle", "approve", made["bundle_id"], "--code", wrong, secrets=[PASSPHRASE], check=False
    )
    assert refused.returncode == 1 and "not the verification code" in refused.stderr
    approved = coordinator.json(
        "bundle",
        "approve",
        made["bundle_id"],
        "--code",
        code,
        "--ack-to",
        str(tmp_path),
        secrets=[PASSPHRASE],
    )
    assert approved["approved"] and approved["revisions"] >= 2 and Path(approved["ack"]).is_file()
    assert coordinator.json("bundle", "quarantine", "list", secrets=[PASSPHRASE]) == {"held": 0}
    gone = coordinator.run(
        "--json", "bundle", "quarantine", "retry", made["bundle_id"], secrets=[PASSPHRASE], check=False
    )
    assert gone.returncode == 1 and "is no longer held in quarantine" in gone.stderr
    assert coordinator.json("verify", secrets=[PASSPHRASE])["ok"]
