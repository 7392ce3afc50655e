"""`fieldvault org …` and `fieldvault enrol` as a coordinator and a field
worker use them (DESIGN.md's command-line contract, docs/cli.md): the real
command in child processes, two vaults."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync import org
from tests.cli_helpers import Cli
from tests.vault_helpers import PASSPHRASE

FINGERPRINT = re.compile(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){7}")


def test_create_token_enrol_revoke(cli: Cli, isolated_env: dict[str, str], tmp_path: Path) -> None:
    worker = Cli(tmp_path / "worker", isolated_env)
    cli.create_fast(PASSPHRASE)
    worker.create_fast(PASSPHRASE)
    name_file = tmp_path / "name.txt"
    name_file.write_text("Kharkiv documentation group\n", encoding="utf-8")
    profile_v1 = tmp_path / "org-v1.fvorg"

    created = cli.json(
        "org",
        "create",
        "--name-file",
        str(name_file),
        "--label",
        "desk",
        "--out",
        str(profile_v1),
        secrets=[PASSPHRASE],
    )
    assert created["profile"] == str(profile_v1) and FINGERPRINT.fullmatch(created["fingerprint"])
    assert stat.S_IMODE(profile_v1.stat().st_mode) == 0o600
    assert json.loads(profile_v1.read_bytes())["profile"]["name"] == "Kharkiv documentation group"
    # The name came from a file: it is not on the command line.
    again = cli.run(
        "org", "create", "Second", "--out", str(tmp_path / "x"), secrets=[PASSPHRASE], check=False
    )
    assert again.returncode == 1 and "already belongs to organisation" in again.stderr

    token = cli.json("org", "token", "--hours", "2", secrets=[PASSPHRASE])
    assert token["token"].startswith("fvt1.") and re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", token["expires"]
    )
    assert cli.run("org", "token", "--hours", "0", secrets=[PASSPHRASE], check=False).returncode == 2

    # A wrong fingerprint (another organisation's) is refused with what was found.
    wrong = "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH"
    refused = worker.run("enrol", str(profile_v1), "--fingerprint", wrong, secrets=[PASSPHRASE], check=False)
    assert refused.returncode == 1
    assert created["fingerprint"] in refused.stderr and "forged" in refused.stderr
    token_file = tmp_path / "token.txt"
    token_file.write_text(token["token"] + "\n", encoding="utf-8")
    enrolled = worker.json(
        "enrol",
        str(profile_v1),
        "--fingerprint",
        created["fingerprint"].lower().replace("-", " "),
        "--token-file",
        str(token_file),
        secrets=[PASSPHRASE],
    )
    shown = cli.json("org", "show", secrets=[PASSPHRASE])
    assert enrolled["org_id"] == shown["org_id"]
    assert re.fullmatch(r"\d{5}( \d{5}){5}", enrolled["verification_code"])
    worker_view = worker.json("org", "show", secrets=[PASSPHRASE])
    assert worker_view["coordinator"] is False and shown["coordinator"] is True
    coordinator_id = cli.json("info", secrets=[PASSPHRASE])["device_id"]
    assert worker_view["devices"] == [
        {
            "device_id": coordinator_id,
            "role": "coordinator",
            "status": "enrolled",
            "label": "desk",
            "verification_code": worker_view["devices"][0]["verification_code"],
        }
    ]

    # The coordinator enrols the worker's device from its card, spending the
    # token; both screens show the same verification code.
    # Nothing is enrolled without the worker's code, or with another one
    # (one digit changed): the card may not be the worker's.
    worker_id = worker.json("info", secrets=[PASSPHRASE])["device_id"]
    unasked = cli.run("org", "add-device", enrolled["device_card"], secrets=[PASSPHRASE], check=False)
    assert unasked.returncode == 2 and "--code" in unasked.stderr
    code = enrolled["verification_code"]
    other_code = ("1" if code[0] != "1" else "2") + code[1:]
    mismatch = cli.run(
        "org", "add-device", enrolled["device_card"], "--code", other_code, secrets=[PASSPHRASE], check=False
    )
    assert mismatch.returncode == 1 and "does not match" in mismatch.stderr
    assert code.replace(" ", "") not in mismatch.stdout + mismatch.stderr  # no code to copy from
    assert cli.json("org", "show", secrets=[PASSPHRASE])["devices"] == []
    added = cli.json(
        "org",
        "add-device",
        enrolled["device_card"],
        "--token-file",
        str(token_file),
        "--label",
        "K-7",
        "--code",
        code.replace(" ", ""),  # spaces optional
        secrets=[PASSPHRASE],
    )
    assert added == {"device_id": worker_id, "verification_code": code}
    # another device's card (a fresh key) presenting the same token, with its own right code
    fresh_key = org.public_bytes(Ed25519PrivateKey.generate())
    org_key = org.read_profile(profile_v1.read_bytes()).org_key
    reuse = cli.run(
        "org",
        "add-device",
        org.device_card(fresh_key, enrolled["device_card"].split(".")[2]).text,
        "--token",
        token["token"],
        "--code",
        org.verification_code(org_key, fresh_key),
        secrets=[PASSPHRASE],
        check=False,
    )
    assert reuse.returncode == 1 and "already used by another device" in reuse.stderr

    # Revocation: a new version, which the worker takes; the old one is refused after it.
    profile_v2 = tmp_path / "org-v2.fvorg"
    revoked = cli.json("org", "revoke", worker_id, "--out", str(profile_v2), secrets=[PASSPHRASE])
    assert revoked == {
        "profile": str(profile_v2),
        "fingerprint": created["fingerprint"],
        "org_id": shown["org_id"],
        "version": 2,
    }
    after = cli.json("org", "show", secrets=[PASSPHRASE])
    assert after["revoked"] == [worker_id]
    assert [(d["device_id"], d["status"], d["label"]) for d in after["devices"]] == [
        (worker_id, "revoked", "K-7")
    ]
    assert (
        worker.json("enrol", str(profile_v2), "--fingerprint", created["fingerprint"], secrets=[PASSPHRASE])[
            "version"
        ]
        == 2
    )
    older = worker.run(
        "enrol", str(profile_v1), "--fingerprint", created["fingerprint"], secrets=[PASSPHRASE], check=False
    )
    assert older.returncode == 1 and "not newer" in older.stderr

    # A worker cannot revoke or issue tokens; an existing file is never overwritten.
    assert worker.run("org", "token", secrets=[PASSPHRASE], check=False).returncode == 1
    server = cli.run(
        "org",
        "set-server",
        "https://sync.example.org",
        "ab" * 32,
        "--out",
        str(profile_v2),
        secrets=[PASSPHRASE],
        check=False,
    )
    assert server.returncode == 1 and "exists already" in server.stderr
    assert cli.json("org", "show", secrets=[PASSPHRASE])["version"] == 2  # nothing was changed
    assert json.loads(profile_v2.read_bytes())["profile"]["version"] == 2

    # Coordinators come and go with new versions; a revoked device cannot become one.
    refused_coordinator = cli.run(
        "org",
        "add-coordinator",
        enrolled["device_card"],
        "--code",
        enrolled["verification_code"],
        "--out",
        str(tmp_path / "no.fvorg"),
        secrets=[PASSPHRASE],
        check=False,
    )
    assert refused_coordinator.returncode == 1 and "revoked" in refused_coordinator.stderr
    recipient = enrolled["device_card"].split(".")[2]
    card = org.device_card(org.public_bytes(Ed25519PrivateKey.generate()), recipient)
    profile_v3 = tmp_path / "org-v3.fvorg"
    added_coordinator = cli.json(
        "org",
        "add-coordinator",
        card.text,
        "--label",
        "Lviv desk",
        "--code",
        org.verification_code(org.read_profile(profile_v1.read_bytes()).org_key, card.device_key),
        "--out",
        str(profile_v3),
        secrets=[PASSPHRASE],
    )
    assert added_coordinator["version"] == 3
    profile_v4 = tmp_path / "org-v4.fvorg"
    removed = cli.json(
        "org", "remove-coordinator", card.device_id, "--out", str(profile_v4), secrets=[PASSPHRASE]
    )
    assert removed["version"] == 4
    coordinators = json.loads(profile_v4.read_bytes())["profile"]["coordinators"]
    assert [c["device_id"] for c in coordinators] == [coordinator_id]


def test_a_tampered_profile_file_is_refused(cli: Cli, isolated_env: dict[str, str], tmp_path: Path) -> None:
    worker = Cli(tmp_path / "worker", isolated_env)
    cli.create_fast(PASSPHRASE)
    worker.create_fast(PASSPHRASE)
    profile = tmp_path / "org.fvorg"
    created = cli.json("org", "create", "Group", "--out", str(profile), secrets=[PASSPHRASE])
    envelope = json.loads(profile.read_bytes())
    envelope["profile"]["policy"]["purge_after_delivery"] = True
    tampered = tmp_path / "tampered.fvorg"
    tampered.write_bytes(
        json.dumps(envelope, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode("utf-8")
    )
    result = worker.run(
        "enrol", str(tampered), "--fingerprint", created["fingerprint"], secrets=[PASSPHRASE], check=False
    )
    assert result.returncode == 1 and "signature does not verify" in result.stderr
    assert "Traceback" not in result.stderr
    # Not a terminal and no --fingerprint: a usage error, nothing stored.
    assert worker.run("enrol", str(profile), secrets=[PASSPHRASE], check=False).returncode == 2
    assert worker.run("org", "show", secrets=[PASSPHRASE], check=False).returncode == 1


def test_a_coordinator_is_added_only_with_its_code(
    cli: Cli, isolated_env: dict[str, str], tmp_path: Path
) -> None:
    """A second desk's card makes it a bundle recipient: a card swapped on
    its way (another code) is refused before any profile version is made."""
    desk = Cli(tmp_path / "desk", isolated_env)
    cli.create_fast(PASSPHRASE)
    desk.create_fast(PASSPHRASE)
    profile_v1 = tmp_path / "org-v1.fvorg"
    created = cli.json("org", "create", "Kharkiv group", "--out", str(profile_v1), secrets=[PASSPHRASE])
    joined = desk.json(
        "enrol", str(profile_v1), "--fingerprint", created["fingerprint"], secrets=[PASSPHRASE]
    )
    code = joined["verification_code"]
    swapped = ("1" if code[0] != "1" else "2") + code[1:]
    profile_v2 = tmp_path / "org-v2.fvorg"

    refused = cli.run(
        "org",
        "add-coordinator",
        joined["device_card"],
        "--code",
        swapped,
        "--out",
        str(profile_v2),
        secrets=[PASSPHRASE],
        check=False,
    )
    assert refused.returncode == 1 and "does not match" in refused.stderr
    assert not profile_v2.exists()
    assert cli.json("org", "show", secrets=[PASSPHRASE])["version"] == 1
    unasked = cli.run(
        "org",
        "add-coordinator",
        joined["device_card"],
        "--out",
        str(profile_v2),
        secrets=[PASSPHRASE],
        check=False,
    )
    assert unasked.returncode == 2 and not profile_v2.exists()

    added = cli.json(
        "org",
        "add-coordinator",
        joined["device_card"],
        "--code",
        code,
        "--out",
        str(profile_v2),
        secrets=[PASSPHRASE],
    )
    assert added["version"] == 2 and profile_v2.exists()
    desk_id = desk.json("info", secrets=[PASSPHRASE])["device_id"]
    shown = cli.json("org", "show", secrets=[PASSPHRASE])
    assert any(d["device_id"] == desk_id and d["role"] == "coordinator" for d in shown["devices"])
