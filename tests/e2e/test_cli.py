"""The command-line contract of DESIGN.md, through the real `fieldvault` command."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.cli_helpers import Cli

PASS = "a long field passphrase"


def test_init_prints_the_recovery_key_once_and_info_counts(cli: Cli) -> None:
    created = cli.json("init", "--no-keyring", secrets=[PASS])
    assert created["vault"] == str(cli.vault)
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{1,4}){13}", created["recovery_key"])
    assert re.fullmatch(r"[0-9a-f]{32}", created["device_id"])
    info = cli.json("info", secrets=[PASS])
    assert info["device_id"] == created["device_id"]
    assert (info["cases"], info["testimonies"]) == (0, 0)
    assert created["recovery_key"] not in json.dumps(info)


def test_case_testimony_and_search_round_trip(cli: Cli) -> None:
    cli.create_fast(PASS)
    case = cli.json("case", "new", "Ізюм, березень 2022", secrets=[PASS])
    narrative = "Полонених вивели з підвалу і розстріляли."
    testimony = cli.json(
        "testimony",
        "new",
        "--case",
        case["id"],
        "--narrative-file",
        "-",
        "--language",
        "uk",
        secrets=[PASS],
        stdin=narrative,
    )
    hit = cli.json("search", "полонений", secrets=[PASS])
    assert hit["id"] == testimony["id"]
    assert hit["type"] == "testimony"
    start, end = hit["highlights"][0]
    assert hit["snippet"][start:end] == "Полонених"
    info = cli.json("info", secrets=[PASS])
    assert (info["cases"], info["testimonies"]) == (1, 1)


def test_narrative_from_a_file(cli: Cli, tmp_path: Path) -> None:
    cli.create_fast(PASS)
    case = cli.json("case", "new", "Case", secrets=[PASS])
    statement = tmp_path / "statement.txt"
    statement.write_text("Witness saw the executions.", encoding="utf-8")
    cli.json("testimony", "new", "--case", case["id"], "--narrative-file", str(statement), secrets=[PASS])
    assert cli.json("search", "execute", secrets=[PASS])["type"] == "testimony"


def test_wrong_passphrase_exits_1_with_a_clear_message(cli: Cli) -> None:
    cli.create_fast(PASS)
    result = cli.run("info", secrets=["not it"], check=False)
    assert result.returncode == 1
    assert "Wrong passphrase" in result.stderr
    assert "Traceback" not in result.stderr
    assert "not it" not in result.stderr + result.stdout


def test_bad_usage_exits_2(cli: Cli) -> None:
    result = cli.run("case", "explode", check=False)
    assert result.returncode == 2


def test_user_errors_exit_1_without_traceback(cli: Cli) -> None:
    missing = cli.run("info", secrets=[PASS], check=False)
    assert missing.returncode == 1 and "fieldvault init" in missing.stderr
    cli.create_fast(PASS)
    bad_case = cli.run(
        "testimony",
        "new",
        "--case",
        "01900000-0000-7000-8000-000000000000",
        "--narrative-file",
        "-",
        secrets=[PASS],
        stdin="x",
        check=False,
    )
    assert bad_case.returncode == 1 and "No case with id" in bad_case.stderr
    short = cli.run("passwd", secrets=[PASS, "short"], check=False)
    assert short.returncode == 1 and "at least 8" in short.stderr
    for result in (missing, bad_case, short):
        assert "Traceback" not in result.stderr


def test_passphrase_is_never_read_from_a_terminal_less_stdin(cli: Cli) -> None:
    result = cli.run("init", check=False)
    assert result.returncode == 1
    assert "--passphrase-fd" in result.stderr


def test_passwd_then_recover_then_wipe(cli: Cli) -> None:
    created = {"recovery_key": cli.create_fast(PASS)}
    cli.run("passwd", secrets=[PASS, "second passphrase of the field worker"])
    assert cli.run("info", secrets=[PASS], check=False).returncode == 1
    cli.run("info", secrets=["second passphrase of the field worker"])
    recovered = cli.json(
        "recover", "--no-keyring", secrets=[created["recovery_key"], "third passphrase of the field worker"]
    )
    assert recovered["recovery_key"] != created["recovery_key"]
    cli.run("info", secrets=["third passphrase of the field worker"])
    refused = cli.run("wipe", check=False)
    assert refused.returncode == 1 and cli.vault.exists()
    cli.run("wipe", "--yes")
    after = cli.run("info", secrets=["third passphrase of the field worker"], check=False)
    assert after.returncode == 1 and "No vault" in after.stderr
    again = cli.run(
        "recover", secrets=[recovered["recovery_key"], "fourth passphrase of the field worker"], check=False
    )
    assert again.returncode == 1


def test_vault_location_from_fieldvault_home(cli: Cli, tmp_path: Path) -> None:
    import subprocess
    import sys

    env = cli.env | {"FIELDVAULT_HOME": str(tmp_path / "from-env")}
    import os

    read_end, write_end = os.pipe()
    os.write(write_end, PASS.encode() + b"\n")
    os.close(write_end)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "fieldvault",
            "--json",
            "--passphrase-fd",
            str(read_end),
            "init",
            "--no-keyring",
        ],
        capture_output=True,
        text=True,
        env=env,
        pass_fds=(read_end,),
        timeout=120,
    )
    os.close(read_end)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["vault"] == str(tmp_path / "from-env")
    assert (tmp_path / "from-env" / "vault.keys").exists()


def test_duress_passphrase_from_the_command_line(cli: Cli) -> None:
    cli.create_fast(PASS)
    assert cli.json("duress", "set", secrets=[PASS, "coerced passphrase"]) == {"duress": True}
    coerced = cli.run("info", secrets=["coerced passphrase"], check=False)
    assert coerced.returncode == 1 and "Wrong passphrase" in coerced.stderr
    gone = cli.run("info", secrets=[PASS], check=False)
    assert gone.returncode == 1 and "No vault" in gone.stderr


def test_an_unexpected_error_prints_its_type_not_a_traceback(tmp_path: Path, monkeypatch, capsys) -> None:
    """A traceback could quote witness data; the CLI prints the error type only."""
    import os

    from db.vault import Vault
    from fieldvault.cli import run_cli

    def broken_open(*_args: object, **_kwargs: object) -> Vault:
        raise RuntimeError("Свідок Петренко said …")  # a message carrying witness data

    monkeypatch.setattr(Vault, "open", broken_open)
    read_end, write_end = os.pipe()
    os.write(write_end, PASS.encode() + b"\n")
    os.close(write_end)
    code = run_cli(["--vault", str(tmp_path), "--passphrase-fd", str(read_end), "info"])
    os.close(read_end)
    err = capsys.readouterr().err
    assert code == 1
    assert "RuntimeError" in err
    assert "Петренко" not in err and "Traceback" not in err
