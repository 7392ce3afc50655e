"""`fieldvault bundle export|import|verify` (docs/cli.md): a worker's vault
writes a bundle to a folder, a coordinator's vault checks and imports it;
a bad bundle among several is reported with its reason and does not stop
the others; the exit status says whether any was refused."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.cli_helpers import Cli
from tests.vault_helpers import PASSPHRASE


@pytest.fixture
def pair(tmp_path: Path, isolated_env: dict[str, str]) -> tuple[Cli, Cli, str]:
    """A worker's and a coordinator's vault of one organisation, joined as
    users do (org create, enrol, org add-device), the worker holding one
    case and one evidence file."""
    worker, coordinator = Cli(tmp_path / "worker", isolated_env), Cli(tmp_path / "coord", isolated_env)
    worker.create_fast(PASSPHRASE)
    coordinator.create_fast(PASSPHRASE)
    profile_file = tmp_path / "org.fvorg"
    made = coordinator.json("org", "create", "Field Org", "--out", str(profile_file), secrets=[PASSPHRASE])
    joined = worker.json(
        "enrol", str(profile_file), "--fingerprint", made["fingerprint"], secrets=[PASSPHRASE]
    )
    coordinator.json(
        "org",
        "add-device",
        joined["device_card"],
        "--code",
        joined["verification_code"],
        secrets=[PASSPHRASE],
    )
    case = worker.json("case", "new", "Shelling of the school", secrets=[PASSPHRASE])
    source = tmp_path / "photo.jpg"
    source.write_bytes(os.urandom(50_000))
    worker.json("ingest", str(source), "--case", case["id"], secrets=[PASSPHRASE])
    return worker, coordinator, made["org_id"]


def test_export_import_verify_and_a_bad_bundle_among_good_ones(
    pair: tuple[Cli, Cli, str], tmp_path: Path
) -> None:
    worker, coordinator, org_id = pair
    usb = tmp_path / "usb"
    usb.mkdir()
    made = worker.json("bundle", "export", "--to", str(usb), secrets=[PASSPHRASE])
    bundle = Path(made["bundle"])
    assert bundle.parent == usb and made["sequence"] == 1 and made["blobs"] == 1
    assert bundle.name.startswith(org_id)

    keyless = coordinator.json("bundle", "verify", "--without-vault", str(bundle))
    assert keyless["ok"] and keyless["checked"] == "without-key" and keyless["bundle_id"]
    full = coordinator.json("bundle", "verify", str(bundle), secrets=[PASSPHRASE])
    assert full["ok"] and full["checked"] == "everything" and full["revisions"] >= 2

    bad = tmp_path / "bad.fvbundle"
    bad.write_bytes(b"not a bundle at all")
    result = coordinator.run(
        "--json", "bundle", "import", str(bad), str(bundle), secrets=[PASSPHRASE], check=False
    )
    assert result.returncode == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0] == rows[0] | {"bundle": str(bad), "ok": False, "reason": "magic"}
    assert rows[1]["ok"] and rows[1]["blobs"] == 1 and not rows[1]["replay"]
    assert "1 of 2 bundle(s) refused" in result.stderr

    again = coordinator.json("bundle", "import", str(bundle), secrets=[PASSPHRASE])
    assert again["replay"] and again["revisions"] == 0
    assert coordinator.json("verify", secrets=[PASSPHRASE])["ok"]


def test_a_refused_bundle_is_named_by_verify(pair: tuple[Cli, Cli, str], tmp_path: Path) -> None:
    worker, coordinator, _ = pair
    made = worker.json("bundle", "export", "--to", str(tmp_path), secrets=[PASSPHRASE])
    data = bytearray(Path(made["bundle"]).read_bytes())
    data[-10] ^= 1
    flipped = tmp_path / "flipped.fvbundle"
    flipped.write_bytes(bytes(data))
    result = coordinator.run("--json", "bundle", "verify", "--without-vault", str(flipped), check=False)
    assert result.returncode == 1
    assert json.loads(result.stdout)["reason"] == "payload-hash"
    assert "Bundle refused" in result.stderr


def test_export_without_an_organisation_is_refused(cli: Cli, tmp_path: Path) -> None:
    cli.create_fast(PASSPHRASE)
    result = cli.run("bundle", "export", "--to", str(tmp_path), secrets=[PASSPHRASE], check=False)
    assert result.returncode == 1
    assert "has not joined an organisation" in result.stderr
    assert not list(tmp_path.glob("*.fvbundle"))
