"""Running the real `fieldvault` command in a child process: ``Cli``. The
fixtures that make one (``cli``, ``isolated_env``) are in tests/e2e/conftest.py.

A child is made one of two ways (the same command, fds, exit status and
environment either way):

- spawned: ``python -m fieldvault`` in a fresh interpreter. Each costs about
  a second of CPU before the command starts, mostly importing SQLAlchemy,
  alembic and the CLI's modules.
- served (the default): forked by the fork server (tests/fork_server.py), a
  fresh interpreter started once per test process that has imported those
  modules and never runs a thread. The child is set up as a spawned one
  would be (only fds 0, 1, 2 and the passed ones, the given environment,
  the test process's umask and limits, the repository as its folder, fresh
  standard streams) and runs ``fieldvault.__main__.main``. Forking the
  server, not the test process, means no thread of a test (Qt's, a test's
  server) can be caught holding a lock in the copy, and no state of the test
  process (monkeypatching, pytest's logging and warning filters) reaches it.

``FIELDVAULT_TEST_SPAWN=1`` in the test run's environment spawns every child
(the faithful, slower run); ``Cli(..., spawn=True)`` spawns one command's, for
the tests about start-up itself. An environment that only acts at exec
(LD_PRELOAD, PYTHON* options, another locale than the server's) is always
spawned, and so is standard input larger than a pipe holds (it is written
before the command starts).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.fork_server import ForkServer

REPO = Path(__file__).resolve().parents[1]
TIMEOUT_S = 120
# A pipe takes this much without a reader (Linux): larger stdin is spawned.
PIPE_CAPACITY = 64 * 1024
# Variables a fresh interpreter acts on only as it starts: the server cannot honour them.
_ALLOWED_PYTHON_VARS = {"PYTHONPATH", "PYTHONDONTWRITEBYTECODE"}

# Started at the first command, with the environment the test process had at
# collection: a test's monkeypatching of os.environ never reaches the server.
SERVER = ForkServer(os.environ)


def child_env(tmp_path: Path) -> dict[str, str]:
    """A `fieldvault` child's environment whose home and temp folders are the
    test's (made here), without the caller's FIELDVAULT_/XDG_ settings, as
    tests/e2e/conftest.py's ``isolated_env``."""
    home, temp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    temp.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FIELDVAULT_", "XDG_"))}
    return env | {
        "HOME": str(home),
        "TMPDIR": str(temp),
        "PYTHONPATH": str(REPO),
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def always_spawn() -> bool:
    return os.environ.get("FIELDVAULT_TEST_SPAWN") == "1"


def _acts_at_exec(env: Mapping[str, str]) -> bool:
    """Does env differ from the server's in a variable read only at exec?"""
    for name in set(env) | set(SERVER.env):
        startup = name.startswith(("LD_", "LC_", "PYTHON")) or name in {"LANG", "LANGUAGE"}
        if startup and name not in _ALLOWED_PYTHON_VARS and env.get(name) != SERVER.env.get(name):
            return True
    return False


def run_fieldvault(
    argv: list[str],
    env: Mapping[str, str],
    *,
    stdin: str | None = "",
    pass_fds: tuple[int, ...] = (),
    spawn: bool = False,
) -> subprocess.CompletedProcess[str]:
    """``fieldvault ARGV`` (no ``--vault`` added) as ``subprocess.run(...,
    text=True, capture_output=True, cwd=REPO)`` gives it: stdin the text
    given (None: /dev/null), the fds ``pass_fds`` at their own numbers.
    Served by the fork server unless it must be spawned (the module's doc)."""
    if (
        spawn
        or always_spawn()
        or _acts_at_exec(env)
        or (stdin is not None and len(stdin.encode()) >= PIPE_CAPACITY)
        or SERVER.unavailable()
    ):
        return subprocess.run(
            [sys.executable, "-m", "fieldvault", *argv],
            input=stdin,
            stdin=subprocess.DEVNULL if stdin is None else None,
            capture_output=True,
            text=True,
            env=dict(env),
            pass_fds=pass_fds,
            timeout=TIMEOUT_S,
            cwd=REPO,
            check=False,
        )
    return run_served(argv, env, stdin=stdin, fds={fd: fd for fd in pass_fds})


def run_served(
    argv: list[str],
    env: Mapping[str, str],
    *,
    stdin: str | None = "",
    fds: Mapping[int, int] | None = None,
    entry: str = "fieldvault.__main__:main",
) -> subprocess.CompletedProcess[str]:
    """``entry(argv)`` run by the fork server; ``fds`` maps a number in the
    command to an fd here (which stays the caller's)."""
    if stdin is None:
        stdin_fd = os.open(os.devnull, os.O_RDONLY)
    else:
        stdin_fd, stdin_write = os.pipe()
        os.write(stdin_write, stdin.encode())
        os.close(stdin_write)
    try:
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            placed = {**(fds or {}), 0: stdin_fd, 1: out.fileno(), 2: err.fileno()}
            running = SERVER.start(argv, env, placed, TIMEOUT_S, entry)
            os.close(stdin_fd)
            stdin_fd = -1
            try:
                status = running.wait(TIMEOUT_S)
            except TimeoutError:
                raise subprocess.TimeoutExpired(["fieldvault", *argv], TIMEOUT_S) from None
            out.seek(0)
            err.seek(0)
            stdout, stderr = _text(out.read()), _text(err.read())
    finally:
        if stdin_fd >= 0:
            os.close(stdin_fd)
    return subprocess.CompletedProcess(["fieldvault", *argv], status, stdout, stderr)


def _text(data: bytes) -> str:
    """As ``subprocess.run(text=True)`` decodes: universal newlines."""
    return data.decode().replace("\r\n", "\n").replace("\r", "\n")


@dataclass
class Cli:
    vault: Path
    env: dict[str, str]
    spawn: bool = False

    def run(
        self, *args: str, secrets: list[str] | None = None, stdin: str = "", check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run `fieldvault --vault V [--passphrase-fd 3] ARGS`, secrets on fd 3."""
        argv = ["--vault", str(self.vault)]
        pass_fds: tuple[int, ...] = ()
        read_end = None
        if secrets is not None:
            read_end, write_end = os.pipe()
            os.write(write_end, ("\n".join(secrets) + "\n").encode())
            os.close(write_end)
            argv += ["--passphrase-fd", str(read_end)]
            pass_fds = (read_end,)
        argv += args
        try:
            result = run_fieldvault(argv, self.env, stdin=stdin, pass_fds=pass_fds, spawn=self.spawn)
        finally:
            if read_end is not None:
                os.close(read_end)
        if check and result.returncode != 0:
            raise AssertionError(f"fieldvault {args} failed ({result.returncode}): {result.stderr}")
        return result

    def create_fast(self, passphrase: str) -> str:
        """A vault made through the API with test-speed Argon2 (the commands
        then unlock it in milliseconds); returns its recovery key. For tests
        of other commands than ``init``, which calibrates Argon2 for real."""
        from db.keyring_store import NoKeyring
        from db.vault import Vault
        from tests.vault_helpers import FAST_ARGON2

        created = Vault.create(self.vault, passphrase, keyring=NoKeyring(), argon2=FAST_ARGON2)
        created.vault.lock()
        return created.recovery_key

    def json(self, *args: str, secrets: list[str] | None = None, stdin: str = "") -> Any:
        out = self.run("--json", *args, secrets=secrets, stdin=stdin).stdout
        lines = [json.loads(line) for line in out.splitlines() if line.strip()]
        return lines[0] if len(lines) == 1 else lines
