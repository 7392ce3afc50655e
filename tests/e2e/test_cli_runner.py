"""The test helper's forked child (tests/cli_helpers.py) answers as a spawned
`python -m fieldvault` does: the same exit status, stdout and stderr for a
success, a refusal, bad usage, standard input and the passphrase fd, so the
CLI tests that fork to save start-up time test what a user runs."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from tests.cli_helpers import Cli
from tests.vault_helpers import PASSPHRASE

P = [PASSPHRASE]


@pytest.mark.parametrize(
    ("args", "secrets", "stdin"),
    [
        (("--json", "case", "list"), P, ""),
        (("testimony", "show", "no-such-id"), P, ""),  # refused: exit 1
        (("case", "frobnicate"), P, ""),  # argparse: exit 2
        (("info",), ["not the passphrase"], ""),  # wrong passphrase
        (("testimony", "new", "--case", "x", "--narrative-file", "-"), P, "Свідок.\n"),
        (("--json", "search", "Izium", "--passphrase-fd", "0"), None, PASSPHRASE + "\n"),
    ],
)
def test_a_forked_child_answers_as_a_spawned_one(
    cli: Cli, args: tuple[str, ...], secrets: list[str] | None, stdin: str
) -> None:
    cli.create_fast(PASSPHRASE)
    cli.run("case", "new", "Izium", secrets=P)
    forked = cli.run(*args, secrets=secrets, stdin=stdin, check=False)
    spawned = replace(cli, spawn=True).run(*args, secrets=secrets, stdin=stdin, check=False)
    assert (forked.returncode, forked.stdout, forked.stderr) == (
        spawned.returncode,
        spawned.stdout,
        spawned.stderr,
    )


def test_a_forked_child_leaves_the_test_process_as_it_was(cli: Cli, tmp_path: Path) -> None:
    before = (os.getcwd(), dict(os.environ), sorted(os.listdir("/proc/self/fd")))
    cli.create_fast(PASSPHRASE)
    assert cli.run("--json", "info", secrets=P).returncode == 0
    assert (os.getcwd(), dict(os.environ), sorted(os.listdir("/proc/self/fd"))) == before
