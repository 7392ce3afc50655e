"""Running the real `fieldvault` command in a child process: ``Cli``. The
fixtures that make one (``cli``, ``isolated_env``) are in tests/e2e/conftest.py.

A child is made one of two ways (the same command, fds, exit status and
environment either way):

- spawned: ``python -m fieldvault`` in a fresh interpreter. Each costs about
  a second of CPU before the command starts, mostly importing SQLAlchemy,
  alembic and the CLI's modules.
- forked (the default): ``os.fork()`` of the test process, which has those
  modules imported already; the child sets up its environment, folder and
  standard streams as a fresh interpreter would, runs ``fieldvault.__main__
  .main`` and ends with ``os._exit``. Still a separate process: its own fds
  (stdin, the passphrase fd), file locks, ``harden_process`` and exit status.
  A fork copies only the calling thread: had another thread of the test process
  (a test's uvicorn server, Qt's pool) held a C library's lock at that moment,
  the child would wait on it until the timeout and the test fail. So a child
  is forked only while the process has no thread but those it had when this
  module was imported (pytest's and xdist's own, idle in reads) and
  pytest-timeout's timers; otherwise it is spawned.

``FIELDVAULT_TEST_SPAWN=1`` in the test run's environment spawns every child
(the faithful, slower run); ``Cli(..., spawn=True)`` spawns one command's, for
the tests about start-up itself. An environment that only acts at exec
(LD_PRELOAD, PYTHON* options, another locale) is always spawned.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
TIMEOUT_S = 120
# A pipe takes this much without a reader (Linux): larger stdin is spawned.
PIPE_CAPACITY = 64 * 1024
# Variables a fresh interpreter acts on only as it starts: a fork cannot honour them.
_ALLOWED_PYTHON_VARS = {"PYTHONPATH", "PYTHONDONTWRITEBYTECODE"}


# The threads this process had at collection: the interpreter's and xdist's
# channel reader, which hold no lock a command needs.
_THREADS_AT_IMPORT = frozenset(os.listdir("/proc/self/task"))


def _only_idle_threads() -> bool:
    """No thread a fork could catch holding a lock: none started since import
    but pytest-timeout's timers (each waits on its own condition)."""
    known = set(_THREADS_AT_IMPORT) | {str(threading.get_native_id())}
    known |= {str(t.native_id) for t in threading.enumerate() if isinstance(t, threading.Timer)}
    return set(os.listdir("/proc/self/task")) <= known


def always_spawn() -> bool:
    return os.environ.get("FIELDVAULT_TEST_SPAWN") == "1"


def _acts_at_exec(env: dict[str, str]) -> bool:
    for name in set(env) | set(os.environ):
        startup = name.startswith(("LD_", "LC_", "PYTHON")) or name in {"LANG", "LANGUAGE"}
        if startup and name not in _ALLOWED_PYTHON_VARS and env.get(name) != os.environ.get(name):
            return True
    return False


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
            spawn = (
                self.spawn
                or always_spawn()
                or _acts_at_exec(self.env)
                or len(stdin.encode()) >= PIPE_CAPACITY
                or not _only_idle_threads()
            )
            if spawn:
                result = subprocess.run(
                    [sys.executable, "-m", "fieldvault", *argv],
                    input=stdin,
                    capture_output=True,
                    text=True,
                    env=self.env,
                    pass_fds=pass_fds,
                    timeout=TIMEOUT_S,
                    cwd=REPO,
                )
            else:
                result = run_forked(argv, stdin, self.env)
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


def run_forked(argv: list[str], stdin: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`fieldvault ARGV` in a forked child (see the module's doc); stdin
    through a pipe, stdout and stderr through files, as text like
    ``subprocess.run(text=True)`` gives them."""
    import fieldvault.__main__  # noqa: F401 - imported here once, not in every child

    stdin_read, stdin_write = os.pipe()
    os.write(stdin_write, stdin.encode())
    os.close(stdin_write)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: never returns into pytest
            _child(argv, env, stdin_read, out.fileno(), err.fileno())
        os.close(stdin_read)
        status = _wait(pid)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    return subprocess.CompletedProcess(["fieldvault", *argv], status, stdout, stderr)


def _wait(pid: int) -> int:
    pidfd = os.pidfd_open(pid)
    try:
        if not select.select([pidfd], [], [], TIMEOUT_S)[0]:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise subprocess.TimeoutExpired(["fieldvault"], TIMEOUT_S)
    finally:
        os.close(pidfd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _child(argv: list[str], env: dict[str, str], stdin_fd: int, out_fd: int, err_fd: int) -> None:
    code = 1
    try:
        code = _run_as_fresh_process(argv, env, stdin_fd, out_fd, err_fd)
    except BaseException:  # noqa: BLE001 - as the interpreter would: the traceback, exit 1
        with contextlib.suppress(BaseException):  # nothing left to tell it to
            traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(BaseException):  # a closed stream: as at exit
                stream.flush()
        os._exit(code)


def _run_as_fresh_process(
    argv: list[str], env: dict[str, str], stdin_fd: int, out_fd: int, err_fd: int
) -> int:
    """What a fresh `python -m fieldvault` would have, then its main."""
    import atexit
    import faulthandler
    import logging
    import warnings

    for fd, target in ((stdin_fd, 0), (out_fd, 1), (err_fd, 2)):
        os.dup2(fd, target)
    os.close(stdin_fd)
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115 - lives as long as the child
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
    sys.argv = [str(REPO / "fieldvault" / "__main__.py"), *argv]
    os.environ.clear()
    os.environ.update(env)
    tempfile.tempdir = None  # TMPDIR is read again
    os.chdir(REPO)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    faulthandler.disable()
    atexit._clear()  # pytest's exit handlers are not the command's
    # pytest's log capture and warning filters (SAWarning as error) are not
    # a fresh interpreter's: the command logs and warns as it would alone.
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)
    logging.captureWarnings(False)
    warnings.resetwarnings()
    for action, category in (
        ("ignore", DeprecationWarning),
        ("ignore", PendingDeprecationWarning),
        ("ignore", ImportWarning),
        ("ignore", ResourceWarning),
    ):
        warnings.simplefilter(action, category)  # type: ignore[arg-type]
    sys.excepthook = sys.__excepthook__

    from fieldvault.__main__ import main

    try:
        code = main(argv)
    except SystemExit as exit_:
        if exit_.code is None or isinstance(exit_.code, int):
            code = exit_.code or 0
        else:
            print(exit_.code, file=sys.stderr)
            code = 1
    atexit._run_exitfuncs()
    return code
