"""The test helper's forked child (tests/cli_helpers.py: forked by the fork
server, tests/fork_server.py) answers as a spawned
`python -m fieldvault` does: the same exit status, stdout and stderr for a
success, a refusal, bad usage, standard input and the passphrase fd, so the
CLI tests that fork to save start-up time test what a user runs."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tests.cli_helpers import REPO, Cli
from tests.vault_helpers import PASSPHRASE

P = [PASSPHRASE]


@pytest.mark.parametrize(
    ("args", "secrets", "stdin"),
    [
        pytest.param(("--json", "case", "list"), P, "", id="success"),
        pytest.param(("testimony", "show", "no-such-id"), P, "", id="refused"),
        pytest.param(("case", "frobnicate"), P, "", id="bad-usage"),
        pytest.param(("info",), ["not the passphrase"], "", id="wrong-passphrase"),
        pytest.param(
            ("testimony", "new", "--case", "x", "--narrative-file", "-"), P, "Свідок.\n", id="stdin"
        ),
        pytest.param(
            ("--json", "search", "Izium", "--passphrase-fd", "0"), None, PASSPHRASE + "\n", id="fd-0"
        ),
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
    cli.create_fast(PASSPHRASE)
    cli.run("--json", "info", secrets=P)  # the fork server runs (its socket is an fd of ours)
    before = (os.getcwd(), dict(os.environ), sorted(os.listdir("/proc/self/fd")))
    assert cli.run("--json", "info", secrets=P).returncode == 0
    assert (os.getcwd(), dict(os.environ), sorted(os.listdir("/proc/self/fd"))) == before


def _lazy_imports(module: Path) -> list[str]:
    """The modules a command module imports inside its functions."""
    import ast

    names: list[str] = []
    for function in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                if isinstance(node, ast.Import):
                    names += [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names.append(node.module)
    return sorted(set(names))


LATE_IMPORTS = {
    path.name: names for path in sorted((REPO / "fieldvault").glob("*.py")) if (names := _lazy_imports(path))
}


@pytest.mark.parametrize(
    ("module", "lazy"), [pytest.param(name, lazy, id=name) for name, lazy in sorted(LATE_IMPORTS.items())]
)
def test_what_a_command_imports_when_it_runs_loads_in_a_fresh_interpreter(
    module: str, lazy: list[str], isolated_env: dict[str, str]
) -> None:
    """A forked child finds every module the fork server has loaded already:
    a command's own late imports are loaded here the way a fresh `fieldvault`
    loads them (after fieldvault.cli, nothing else), so an import that only
    works after the tests' imports still fails."""
    code = "import fieldvault.__main__, fieldvault.cli\n" + "".join(f"import {name}\n" for name in lazy)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=isolated_env, cwd=REPO, timeout=120
    )
    assert result.returncode == 0, result.stderr
