"""A fork server for the tests' `fieldvault` commands (tests/cli_helpers.py).

Spawning ``python -m fieldvault`` costs about a second of CPU per command,
mostly importing SQLAlchemy, alembic and the CLI. Forking the test process
instead is fast but copies only the calling thread: once a test process
runs other threads (Qt's, a test's server), a forked child could wait forever
on a lock one of them held. So the commands are forked from this server: a
fresh ``python -m tests.fork_server serve FD``, started once per test process
(``ForkServer.run``), which imports the CLI's modules once and never starts a
thread. Being spawned, not forked, it carries nothing of the test process:
no pytest, no test's monkeypatching, no threads, no open files.

Protocol, over a Unix SOCK_SEQPACKET socketpair (one message is one record):

- request, test process -> server on the control socket: JSON ``{"argv",
  "env", "targets", "umask", "rlimits", "entry"}`` with the fds (SCM_RIGHTS)
  ``[reply, *sources]``: ``sources[i]`` becomes fd ``targets[i]`` in the
  command (0, 1, 2 first, then the fds the argv names, e.g. --passphrase-fd).
- replies, server -> test process on that request's own ``reply`` socket:
  ``{"pid": P}`` once the command runs, ``{"status": S}`` (as
  ``subprocess``'s returncode) once the server has reaped it, or
  ``{"error": why}`` instead of both.
- ``kill`` from the test process on the reply socket, or the reply socket
  closed while the command runs: the server kills it (SIGKILL through its
  pidfd: never another process that reused the pid).
- EOF on the control socket (the test process is gone): the server kills
  what still runs and exits.

The command runs in a grandchild (forked from the server) that is set up as
a fresh ``python -m fieldvault`` would be (``_run_as_fresh_process``): only
fds 0, 1, 2 and the passed ones, the request's env, umask and resource
limits, the repository as cwd, fresh standard streams, the interpreter's
signal dispositions, logging and warning filters.

The server's own state is kept plain so nothing of it can reach a command:
fds are ints (no socket object whose finaliser could close a reused number
in the grandchild), ``select.poll`` (no epoll fd), no threads (checked
before each fork).
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import resource
import select
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
ENTRY = "fieldvault.__main__:main"
MAX_MESSAGE = 1 << 20
MAX_FDS = 32
# Resource limits a spawned child would inherit from the test process.
RLIMITS = {
    name: getattr(resource, name)
    for name in (
        "RLIMIT_CORE",
        "RLIMIT_CPU",
        "RLIMIT_FSIZE",
        "RLIMIT_DATA",
        "RLIMIT_STACK",
        "RLIMIT_NOFILE",
        "RLIMIT_AS",
        "RLIMIT_NPROC",
        "RLIMIT_MEMLOCK",
    )
}


# -- the test process's side ---------------------------------------------------------------


class ForkServerError(RuntimeError):
    """The server refused a request or is gone: a fault of the test helper."""


@dataclass
class Running:
    """A command the server started: its pid and the socket its exit comes on."""

    pid: int
    reply: socket.socket

    def wait(self, timeout: float) -> int:
        """Its exit status (as ``subprocess``'s returncode); on timeout it is
        killed and ``TimeoutError`` raised."""
        try:
            message = self._next(timeout)
            if message is None:
                self.reply.send(b"kill")
                if self._next(30) is None:
                    raise ForkServerError(f"command {self.pid} not killed by the fork server")
                raise TimeoutError(f"command {self.pid} ran longer than {timeout} s")
            return int(message["status"])
        finally:
            self.reply.close()

    def _next(self, timeout: float) -> dict[str, Any] | None:
        return _receive(self.reply, timeout)


def _receive(reply: socket.socket, timeout: float) -> dict[str, Any] | None:
    """The next message on ``reply``; None when none came within ``timeout``.
    (poll, not select: a test process may hold fds numbered over 1024.)"""
    waiting = select.poll()
    waiting.register(reply, select.POLLIN)
    if not waiting.poll(timeout * 1000):
        return None
    data = reply.recv(MAX_MESSAGE)
    if not data:
        raise ForkServerError("the fork server went away")
    message: dict[str, Any] = json.loads(data)
    if "error" in message:
        raise ForkServerError(message["error"])
    return message


class ForkServer:
    """One server per test process, started at its first use with the
    environment ``env`` (the test process's own at start-up: what acts at
    exec - locale, PYTHON* options - is then the server's)."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = dict(env)
        self._lock = threading.Lock()
        self._control: socket.socket | None = None
        self._process: Any = None
        self._owner = 0
        # The control socket's number in the server: not free there.
        self.control_fd_in_server = -1

    def start(
        self,
        argv: list[str],
        env: Mapping[str, str],
        fds: Mapping[int, int],
        timeout: float,
        entry: str = ENTRY,
    ) -> Running:
        """Start ``entry(argv)`` with ``fds`` ({number in the command: fd
        here}, 0, 1 and 2 included); the fds here stay the caller's to close."""
        targets = sorted(fds)
        request = {
            "argv": argv,
            "env": dict(env),
            "targets": targets,
            "umask": _current_umask(),
            "rlimits": {name: resource.getrlimit(number) for name, number in RLIMITS.items()},
            "entry": entry,
        }
        reply, server_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            with server_end:
                control = self._connect()
                with self._lock:
                    socket.send_fds(
                        control,
                        [json.dumps(request).encode()],
                        [server_end.fileno(), *(fds[t] for t in targets)],
                    )
            started = _receive(reply, timeout)
            if started is None:
                raise ForkServerError(f"the fork server did not start a command within {timeout} s")
            return Running(int(started["pid"]), reply)
        except BaseException:
            reply.close()
            raise

    def unavailable(self) -> bool:
        """In a fork of the process that started the server (its socket is
        the parent's to use): the command is spawned there."""
        return self._owner not in (0, os.getpid())

    def _connect(self) -> socket.socket:
        with self._lock:
            if self._control is None or self._owner != os.getpid():
                self._spawn()
            assert self._control is not None
            if self._process.poll() is not None:
                raise ForkServerError(f"the fork server exited ({self._process.returncode})")
            return self._control

    def _spawn(self) -> None:
        import atexit
        import subprocess

        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with theirs:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "tests.fork_server", "serve", str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                env=self.env,
                cwd=REPO,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
            )
            self.control_fd_in_server = theirs.fileno()
        self._control = ours
        self._owner = os.getpid()
        atexit.register(self._at_exit)

    def close(self) -> Any:
        """EOF on the control socket: the server kills what still runs and
        ends. Returns its process (a ``subprocess.Popen``) to wait for."""
        with self._lock:
            if self._control is not None:
                self._control.close()
            self._control = None
            return self._process

    def _at_exit(self) -> None:
        if self._owner == os.getpid():  # not in a fork of the test process
            with contextlib.suppress(Exception):  # exiting anyway
                self.close().wait(timeout=10)


def _current_umask() -> int:
    """This process's umask, read without changing it (os.umask would, for a
    moment, for every thread)."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("Umask:"):
            return int(line.split()[1], 8)
    raise ForkServerError("no Umask in /proc/self/status")


# -- the server ------------------------------------------------------------------------------


def _late_imports() -> list[str]:
    """The modules the CLI imports inside its functions (the same list
    tests/e2e/test_cli_runner.py checks load in a fresh interpreter), except
    Qt's: loading them here would only slow the commands that do not use them."""
    names: set[str] = set()
    for path in sorted((REPO / "fieldvault").glob("*.py")):
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(function):
                    if isinstance(node, ast.Import):
                        names |= {alias.name for alias in node.names}
                    elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                        names.add(node.module)
    return sorted(name for name in names if not name.startswith(("PySide6", "desktop")))


def preload() -> None:
    """What every command would import, once: the CLI and its late imports."""
    import importlib

    for name in ["fieldvault.__main__", "fieldvault.cli", *_late_imports()]:
        with contextlib.suppress(ImportError):  # the command itself then fails as it would
            importlib.import_module(name)


@dataclass
class _Command:
    pid: int
    pidfd: int
    reply: int  # -1 once the test process has asked for the kill


def serve(control_fd: int) -> None:
    """Answer requests until the test process closes the control socket."""
    preload()
    control = socket.socket(fileno=control_fd)
    poll = select.poll()
    poll.register(control_fd, select.POLLIN)
    by_pidfd: dict[int, _Command] = {}
    by_reply: dict[int, _Command] = {}
    while True:
        for fd, _event in poll.poll():
            if fd == control_fd:
                data, fds, _flags, _address = socket.recv_fds(control, MAX_MESSAGE, MAX_FDS)
                if not data:  # the test process is gone: so are its commands
                    for command in by_pidfd.values():
                        _kill(command)
                        os.waitpid(command.pid, 0)
                    return
                started = _start(data, fds)
                if started is not None:
                    by_pidfd[started.pidfd] = by_reply[started.reply] = started
                    poll.register(started.pidfd, select.POLLIN)
                    poll.register(started.reply, select.POLLIN)
            elif fd in by_pidfd:  # a command ended
                command = by_pidfd.pop(fd)
                poll.unregister(fd)
                os.close(fd)
                _, status = os.waitpid(command.pid, 0)
                if command.reply >= 0:
                    with contextlib.suppress(OSError):  # the test process may have gone
                        os.write(
                            command.reply, json.dumps({"status": os.waitstatus_to_exitcode(status)}).encode()
                        )
                    _forget_reply(poll, by_reply, command)
            elif fd in by_reply:  # "kill", or the test process dropped the command
                command = by_reply[fd]
                with contextlib.suppress(OSError):
                    os.read(fd, 64)
                _kill(command)
                # Its exit is still reported: the test process waits for it.
                poll.unregister(fd)
                del by_reply[fd]


def _forget_reply(poll: select.poll, by_reply: dict[int, _Command], command: _Command) -> None:
    if command.reply in by_reply:
        poll.unregister(command.reply)
        del by_reply[command.reply]
    os.close(command.reply)
    command.reply = -1


def _kill(command: _Command) -> None:
    with contextlib.suppress(ProcessLookupError):
        signal.pidfd_send_signal(command.pidfd, signal.SIGKILL)


def _start(data: bytes, fds: list[int]) -> _Command | None:
    """Fork the request's command; the fds received are closed here after."""
    reply, sources = fds[0], fds[1:]
    try:
        request = json.loads(data)
        if len(request["targets"]) != len(sources):
            raise ValueError(f"{len(request['targets'])} fd numbers for {len(sources)} fds")
        threads = os.listdir("/proc/self/task")
        if len(threads) != 1:  # a fork would copy only this one: never run like that
            raise RuntimeError(f"the fork server runs {len(threads)} threads")
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the grandchild: never returns into the loop
            _command(request, sources)
        pidfd = os.pidfd_open(pid)
    except Exception as exc:  # noqa: BLE001 - told to the test process, which raises it
        with contextlib.suppress(OSError):
            os.write(reply, json.dumps({"error": f"{type(exc).__name__}: {exc}"}).encode())
        os.close(reply)
        return None
    finally:
        for fd in sources:
            os.close(fd)
    command = _Command(pid, pidfd, reply)
    try:
        os.write(reply, json.dumps({"pid": pid}).encode())
    except OSError:  # the test process gave up already
        _kill(command)
    return command


# -- the command, in the grandchild ------------------------------------------------------------


def _command(request: dict[str, Any], sources: list[int]) -> None:
    code = 1
    try:
        _place_fds(request["targets"], sources)
        os.umask(request["umask"])
        for name, (soft, hard) in request["rlimits"].items():
            with contextlib.suppress(ValueError, OSError):  # a limit above ours: as inherited
                resource.setrlimit(RLIMITS[name], (soft, hard))
        code = _run_as_fresh_process(request["argv"], request["env"], request["entry"])
    except BaseException:  # noqa: BLE001 - as the interpreter would: the traceback, exit 1
        with contextlib.suppress(BaseException):  # nothing left to tell it to
            traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(BaseException):  # a closed stream: as at exit
                stream.flush()
        os._exit(code)


def _place_fds(targets: list[int], sources: list[int]) -> None:
    """Each source at its target number, every other fd closed: what a spawned
    child with ``pass_fds`` has. Copies go above every number first, so a
    source already sitting on another's target is not overwritten."""
    import fcntl

    above = max([2, *targets, *sources]) + 1
    copies = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, above) for fd in sources]
    for target, copy in zip(targets, copies, strict=True):
        os.dup2(copy, target)  # inheritable, as pass_fds makes them
    keep = set(targets)
    for name in os.listdir("/proc/self/fd"):
        if int(name) not in keep:
            with contextlib.suppress(OSError):  # the listing's own fd, closed already
                os.close(int(name))


def _fresh_stdio() -> None:
    """Standard streams made as the interpreter makes them at start-up
    (pylifecycle.c's create_stdio), on the fds just placed, with the
    server's encoding, errors and buffering: the command's locale and
    PYTHONUNBUFFERED are the server's, else the command is spawned."""
    streams = []
    for fd, old in ((0, sys.__stdin__), (1, sys.__stdout__), (2, sys.__stderr__)):
        assert old is not None
        buffered = not old.write_through
        mode, buffering = ("rb", -1) if fd == 0 else ("wb", -1 if buffered else 0)
        binary = open(fd, mode, buffering=buffering, closefd=False)  # noqa: SIM115 - lives as long as the command
        streams.append(
            io.TextIOWrapper(
                binary,
                encoding=old.encoding,
                errors=old.errors,
                newline="\n",
                line_buffering=buffered and (fd == 2 or os.isatty(fd)),
                write_through=not buffered,
            )
        )
    sys.stdin, sys.stdout, sys.stderr = streams
    for name, stream in zip(("__stdin__", "__stdout__", "__stderr__"), streams, strict=True):
        setattr(sys, name, stream)  # as at start-up: the same objects (final to mypy)


def _python_path(env: Mapping[str, str]) -> list[str]:
    """sys.path as a fresh interpreter would make it from env's PYTHONPATH."""
    ours = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    theirs = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    return [sys.path[0], *theirs, *sys.path[1 + len(ours) :]]


def _run_as_fresh_process(argv: list[str], env: dict[str, str], entry: str) -> int:
    """What a fresh `python -m fieldvault` would have, then its main."""
    import atexit
    import importlib

    _fresh_stdio()
    sys.argv = [str(REPO / "fieldvault" / "__main__.py"), *argv]
    sys.path[:] = _python_path(env)
    sys.dont_write_bytecode = bool(env.get("PYTHONDONTWRITEBYTECODE"))
    os.environ.clear()
    os.environ.update(env)
    time.tzset()  # TZ: a fresh interpreter's C library reads it at start
    tempfile.tempdir = None  # TMPDIR is read again
    os.chdir(REPO)

    module, _, function = entry.partition(":")
    main = getattr(importlib.import_module(module), function)
    try:
        code = main(argv)
    except SystemExit as exit_:
        if exit_.code is None or isinstance(exit_.code, int):
            code = exit_.code or 0
        else:
            print(exit_.code, file=sys.stderr)
            code = 1
    threading._shutdown()  # type: ignore[attr-defined] # as at exit: non-daemon threads are waited for
    atexit._run_exitfuncs()
    return int(code)


# -- a probe of what a command finds, for tests/test_cli_helpers.py ------------------------------------


def probe(argv: list[str]) -> int:
    """Print, as JSON, the process state a command starts with; with
    ``read-fd N``, also what fd N gives."""
    import locale
    import logging
    import warnings

    state: dict[str, Any] = {
        "argv": argv,
        "env": dict(os.environ),
        "cwd": os.getcwd(),
        "fds": sorted(fd for fd in map(int, os.listdir("/proc/self/fd")) if _is_open(fd)),
        "signals": {
            sig.name: _handler_name(signal.getsignal(sig))
            for sig in signal.Signals
            if sig not in (signal.SIGKILL, signal.SIGSTOP)
        },
        "status": {
            key: value
            for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines()
            for key, _, value in [line.partition(":\t")]
            if key in ("SigBlk", "SigIgn", "SigCgt", "Umask", "Threads", "NoNewPrivs")
        },
        "rlimits": {name: resource.getrlimit(number) for name, number in RLIMITS.items()},
        "tempdir": tempfile.gettempdir(),
        "timezone": [time.tzname, time.timezone, time.strftime("%z", time.localtime(0))],
        "sys_path": sys.path,
        "locale": locale.setlocale(locale.LC_ALL),
        "stdio": [
            (
                s.encoding,
                s.errors,
                s.line_buffering,
                getattr(s, "write_through", None),
                type(s.buffer).__name__,
            )
            for s in (sys.stdin, sys.stdout, sys.stderr)
        ],
        "stdin": sys.stdin.read(),
        "logging": [logging.getLogger().level, len(logging.getLogger().handlers)],
        "warnings": [str(f) for f in warnings.filters],
        "excepthook": sys.excepthook is sys.__excepthook__,
        "threads": threading.active_count(),
    }
    if argv[:1] == ["read-fd"]:
        with open(int(argv[1]), encoding="utf-8", closefd=False) as stream:
            state["read_fd"] = stream.read()
    print(json.dumps(state))
    return 0


def _is_open(fd: int) -> bool:
    """Not the fd that listed /proc/self/fd (closed once listed)."""
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def _handler_name(handler: Any) -> str:
    if handler in (signal.SIG_DFL, signal.SIG_IGN):
        return str(signal.Handlers(handler).name)
    return getattr(handler, "__name__", repr(handler))


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C on the run: its commands get it too
            serve(int(sys.argv[2]))
    else:  # probe, spawned: what a fresh command would import first
        import fieldvault.cli  # noqa: F401

        sys.exit(probe(sys.argv[2:]))
