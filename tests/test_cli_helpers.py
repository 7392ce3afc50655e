"""The fork server (tests/fork_server.py) starts each command as a spawned
``python -m fieldvault`` would start: nothing of the server (its sockets,
other commands' fds, its environment) and nothing of the test process but
what a spawned child inherits (env given, umask, limits) reaches it. The CLI
tests that run through it save start-up time and still test what a user runs.

The probe (``tests.fork_server:probe``) is run in place of fieldvault's main:
it prints the state a command starts with, served and spawned alike."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli_helpers import REPO, SERVER, Cli, run_served
from tests.fork_server import ForkServer
from tests.vault_helpers import PASSPHRASE

PROBE = "tests.fork_server:probe"
STDIN = "Свідок бачив.\r\nДруга лінія\n"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A command's environment: ours alone, plus the server's locale and
    interpreter variables (a different one is spawned, never served)."""
    given = {
        name: value
        for name, value in SERVER.env.items()
        if name.startswith(("LC_", "LANG", "LD_", "PYTHON")) and name != "PYTHONPATH"
    }
    (tmp_path / "tmp").mkdir()
    return given | {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "TMPDIR": str(tmp_path / "tmp"),
        "PYTHONPATH": str(REPO),
        "FIELDVAULT_PROBE": "only-this-command",
        # Not the server's zone: local times a command prints must be its own
        # (POSIX zones: no tzdata needed).
        "TZ": "JST-9" if time.strftime("%z") != "+0900" else "EST5",
    }


@pytest.fixture
def odd_umask() -> Iterator[int]:
    """A umask no server would have by chance: the command must get the test's."""
    previous = os.umask(0o027)
    yield 0o027
    os.umask(previous)


def pipe_with(text: str) -> int:
    read_end, write_end = os.pipe()
    os.write(write_end, text.encode())
    os.close(write_end)
    return read_end


def served_probe(env: dict[str, str], *args: str, fds: dict[int, int] | None = None) -> dict[str, Any]:
    result = run_served(list(args), env, stdin=STDIN, fds=fds, entry=PROBE)
    assert result.returncode == 0, result.stderr
    state: dict[str, Any] = json.loads(result.stdout)
    return state


def spawned_probe(env: dict[str, str], *args: str, pass_fds: tuple[int, ...] = ()) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "tests.fork_server", "probe", *args],
        input=STDIN,
        capture_output=True,
        text=True,
        env=env,
        pass_fds=pass_fds,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    state: dict[str, Any] = json.loads(result.stdout)
    return state


def test_a_served_command_starts_exactly_as_a_spawned_one(
    env: dict[str, str], odd_umask: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIELDVAULT_TEST_PROCESS_ONLY", "set by the test after the server started")
    fd = pipe_with("the secret line\n")
    try:
        served = served_probe(env, "read-fd", str(fd), fds={fd: fd})
        os.dup2(again := pipe_with("the secret line\n"), fd)  # the same number, full again
        os.close(again)
        spawned = spawned_probe(env, "read-fd", str(fd), pass_fds=(fd,))
    finally:
        os.close(fd)
    assert served == spawned
    # And what both are: exactly the given env, the repository, fds 0-2 and
    # the passed one, the interpreter's own signal handling, the test's umask.
    assert served["env"] == env
    assert served["cwd"] == str(REPO)
    assert served["fds"] == [0, 1, 2, fd]
    assert served["read_fd"] == "the secret line\n"
    assert served["stdin"] == STDIN  # "\r\n" kept, as a fresh interpreter's stdin keeps it
    assert served["tempdir"] == env["TMPDIR"]
    assert served["timezone"][2] == ("+0900" if env["TZ"] == "JST-9" else "-0500")
    assert served["status"]["Umask"] == f"{odd_umask:04o}"
    assert served["status"]["SigBlk"] == "0" * 16 and served["status"]["Threads"] == "1"
    handled = {name: how for name, how in served["signals"].items() if how != "SIG_DFL"}
    assert handled == {"SIGINT": "default_int_handler", "SIGPIPE": "SIG_IGN", "SIGXFSZ": "SIG_IGN"}


def test_nothing_of_another_running_command_or_the_server_reaches_a_command(env: dict[str, str]) -> None:
    """While a first command runs, the server holds its reply socket and pidfd
    (and always its control socket): a second command sees none of them."""
    blocking_read, blocking_write = os.pipe()
    with open(os.devnull, "r+b") as null:
        first = SERVER.start(
            ["read-fd", "7"],
            env,
            {0: null.fileno(), 1: null.fileno(), 2: null.fileno(), 7: blocking_read},
            60,
            PROBE,
        )
    try:
        second = served_probe(env)
        assert second["fds"] == [0, 1, 2]
        assert second["env"] == env
    finally:
        os.close(blocking_write)  # the first command reads EOF and ends
        os.close(blocking_read)
    assert first.wait(60) == 0


def test_the_passphrase_fd_may_be_a_number_the_server_uses(env: dict[str, str], tmp_path: Path) -> None:
    """The fds go to the numbers the argv names even where the server holds
    that number itself (its control socket)."""
    cli = Cli(tmp_path / "vault", env)
    cli.create_fast(PASSPHRASE)
    served_probe(env)  # the server runs: its control socket's number is known
    taken = SERVER.control_fd_in_server
    assert taken > 2
    secret = pipe_with(PASSPHRASE + "\n")
    try:
        argv = ["--vault", str(cli.vault), "--passphrase-fd", str(taken), "--json", "case", "list"]
        result = run_served(argv, cli.env, fds={taken: secret})
    finally:
        os.close(secret)
    assert result.returncode == 0, result.stderr  # the passphrase came through fd `taken`


def test_a_command_over_its_time_is_killed(env: dict[str, str]) -> None:
    never_written, write_end = os.pipe()
    try:
        with open(os.devnull, "r+b") as null:
            fds = {0: null.fileno(), 1: null.fileno(), 2: null.fileno(), 5: never_written}
            running = SERVER.start(["read-fd", "5"], env, fds, 60, PROBE)
        with pytest.raises(TimeoutError):
            running.wait(1)
        with pytest.raises(ProcessLookupError):  # killed and reaped by the server
            os.kill(running.pid, 0)
    finally:
        os.close(write_end)
        os.close(never_written)


def test_the_server_ends_with_the_test_process_and_takes_its_commands(env: dict[str, str]) -> None:
    server = ForkServer(SERVER.env)
    never_written, write_end = os.pipe()
    try:
        with open(os.devnull, "r+b") as null:
            fds = {0: null.fileno(), 1: null.fileno(), 2: null.fileno(), 5: never_written}
            running = server.start(["read-fd", "5"], env, fds, 60, PROBE)
        process = server.close()  # as the test process's exit closes its end
        assert process.wait(timeout=30) == 0
        # Its command, whose read would never end, was killed and reaped.
        with pytest.raises(ProcessLookupError):
            os.kill(running.pid, 0)
        running.reply.close()
    finally:
        os.close(write_end)
        os.close(never_written)
