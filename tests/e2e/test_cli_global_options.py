"""The global options ``--vault``, ``--passphrase-fd`` and ``--json`` are
taken after the command too (issue 15), the same for every command:
``fieldvault case list --json --vault V`` is ``fieldvault --json --vault V case list``."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.cli_helpers import Cli, run_fieldvault
from tests.vault_helpers import PASSPHRASE


def fieldvault(
    cli: Cli, *args: str, secret: bool = True, spawn: bool = False
) -> subprocess.CompletedProcess[str]:
    """``fieldvault ARGS`` exactly as given; ``{fd}`` in an argument becomes
    the descriptor the passphrase is written to. Served by the fork server
    unless ``spawn`` (tests/cli_helpers.py: the same answers, without start-up)."""
    read_end, write_end = os.pipe()
    os.write(write_end, f"{PASSPHRASE}\n".encode() if secret else b"")
    os.close(write_end)
    argv = [a.replace("{fd}", str(read_end)) for a in args]
    try:
        return run_fieldvault(argv, cli.env, pass_fds=(read_end,), spawn=spawn)
    finally:
        os.close(read_end)


def json_lines(result: subprocess.CompletedProcess[str]) -> list[object]:
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture
def records(cli: Cli) -> dict[str, str]:
    cli.create_fast(PASSPHRASE)
    case = cli.json("case", "new", "Izium", secrets=[PASSPHRASE])["id"]
    person = cli.json("person", "add", "--case", case, "--pseudonym", "W-1", secrets=[PASSPHRASE])["id"]
    return {"case": case, "person": person}


def test_global_options_after_the_command_mean_what_they_mean_before_it(
    cli: Cli, records: dict[str, str]
) -> None:
    vault = str(cli.vault)
    commands = [
        ["info"],
        ["case", "list"],
        ["person", "show", records["person"]],
        ["person", "list", "--case", records["case"]],
    ]
    for command in commands:
        before = json_lines(fieldvault(cli, "--vault", vault, "--passphrase-fd", "{fd}", "--json", *command))
        after = json_lines(fieldvault(cli, *command, "--json", "--vault", vault, "--passphrase-fd", "{fd}"))
        mixed = json_lines(fieldvault(cli, "--json", *command, f"--vault={vault}", "--passphrase-fd", "{fd}"))
        assert before == after == mixed, command
        assert before, command
    # Between a command and its sub-command too.
    inner = fieldvault(cli, "--vault", vault, "case", "--json", "list", "--passphrase-fd", "{fd}")
    assert json_lines(inner) == [{"id": records["case"], "title": "Izium"}]


def test_an_option_after_the_command_wins_over_the_same_option_before_it(
    cli: Cli, records: dict[str, str], tmp_path: Path
) -> None:
    missing = str(tmp_path / "no-vault-here")
    result = fieldvault(
        cli, "--vault", missing, "case", "list", "--vault", str(cli.vault), "--passphrase-fd", "{fd}"
    )
    assert result.returncode == 0 and "Izium" in result.stdout, result.stderr
    # Without --json after the command, the one before it still holds.
    assert json_lines(
        fieldvault(cli, "--json", "--vault", str(cli.vault), "case", "list", "--passphrase-fd", "{fd}")
    )


def test_a_bad_global_option_after_the_command_is_bad_usage(cli: Cli, records: dict[str, str]) -> None:
    # Spawned: `python -m fieldvault` itself exits 2, before any command runs.
    result = fieldvault(cli, "info", "--vault", str(cli.vault), "--passphrase-fd", "x", spawn=True)
    assert result.returncode == 2 and "--passphrase-fd" in result.stderr and "Traceback" not in result.stderr
    result = fieldvault(cli, "case", "list", "--vault", spawn=True)
    assert result.returncode == 2 and "--vault" in result.stderr


def test_passphrase_fd_zero_after_the_command_still_refuses_a_second_reader_of_stdin(
    cli: Cli, records: dict[str, str]
) -> None:
    result = fieldvault(
        cli, "--vault", str(cli.vault), "testimony", "new", "--case", records["case"],
        "--narrative-file", "-", "--passphrase-fd", "0",
    )  # fmt: skip
    assert result.returncode == 2 and "Standard input can feed only one" in result.stderr
    assert (
        fieldvault(
            cli, "--vault", str(cli.vault), "--json", "testimony", "list", "--passphrase-fd", "{fd}"
        ).stdout
        == ""
    )
