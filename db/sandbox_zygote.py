"""A preloaded parent for the parser sandbox's children (Linux): ``python -m
db.sandbox_zygote FD``, or in a packaged build the app itself, ``fieldvault
--sandbox-zygote FD`` (packaging/fieldvault_app.py, as its spawned children
are ``fieldvault --sandbox-worker TASK``).

Every evidence intake and every image or PDF page shown starts a parser
child (db/sandbox.py). Spawned, each one pays an interpreter's start and its
imports (site, logging, libmagic and its database, Pillow, pypdfium2, c2pa,
db.capture): ~0.2 s, three quarters of its life. The zygote pays them once:
a fresh interpreter that the app spawns (exec'd, never forked from the app,
so it holds no key, passphrase or other app state whenever it starts),
imports those modules, and forks a child per request. It never reads a byte
of any input: it receives the child's stdin as an fd and hands it on.

Protocol, over a Unix ``SOCK_SEQPACKET`` socketpair (one message is one
record; the same ideas as the tests' fork server, tests/fork_server.py,
written again here: product code takes nothing from tests/):

- ``ready``, zygote -> app on the control socket, once its imports are
  done: the app spawns children until then.
- request, app -> zygote on the control socket: JSON ``{"argv", "env",
  "rlimits", "umask"}`` with four fds (SCM_RIGHTS) ``[reply, stdin, stdout,
  stderr]``.
- replies, zygote -> app on that request's own ``reply`` socket: ``{"pid":
  P}`` once the child runs, then ``{"status": S}`` (as ``subprocess``'s
  returncode: ``-9`` for SIGKILL) once the zygote has reaped it, or
  ``{"error": word}`` instead of both (the app then spawns the child).
- ``kill`` from the app on the reply socket, or the reply socket closed:
  the zygote kills the child (SIGKILL through its pidfd: never another
  process that reused the pid) and still reports its status.
- EOF on the control socket (the app is gone, or gave the zygote up): the
  zygote kills its children and exits.

The child, forked from the zygote, does what a spawned ``python -m
db.sandbox_worker TASK`` does, in the same order (``_child``): a new
session, fds 0, 1 and 2 from the request and every other fd closed (the
control socket, other requests' reply sockets and fds, pidfds), the
request's environment (``db.sandbox.child_environment``), ``/`` as its
working directory, fresh standard streams, then ``db.sandbox_worker.main``:
confine, prepare, close the box (audit hook), the task, the answer on
stdout. It also asks for SIGKILL when the zygote dies (``PR_SET_PDEATHSIG``),
so no child outlives the zygote.

The zygote's own state is plain so that nothing of it reaches a child: fds
are ints (no socket object whose finaliser could close a reused number in
the child), ``select.poll`` (no epoll fd), no thread (checked before each
fork). It is not dumpable and gets no new privileges: a child that a
hostile file took over runs as the same user and could otherwise attach to
it (ptrace) and take its control socket.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

try:
    import resource
except ImportError:  # Windows: the zygote is never used there (db/sandbox.py)
    resource = None  # type: ignore[assignment]

ZYGOTE_MODULE = "db.sandbox_zygote"
# A packaged build's first argument for the zygote (packaging/fieldvault_app.py).
ZYGOTE_ARGUMENT = "--sandbox-zygote"
WORKER_FILE = str(Path(__file__).resolve().with_name("sandbox_worker.py"))
MAX_MESSAGE = 1 << 16
FDS_PER_REQUEST = 4  # reply, stdin, stdout, stderr
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38
# The limits a spawned child would inherit from the app, sent with each
# request (the worker then sets its own: core, file size, CPU, memory, files).
RLIMIT_NAMES = (
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
# After a kill asked for, how long the zygote may take to report the exit
# before the app takes it for stuck and kills the zygote itself.
KILL_GRACE_S = 10.0
# A child's status after SIGKILL, as subprocess gives it. Windows has no
# signal.SIGKILL, and db/sandbox.py imports this module there too.
KILLED_STATUS = -int(getattr(signal, "SIGKILL", 9))


def supported() -> bool:
    """Whether this interpreter has what a zygote calls (the zygote runs
    the same one): Linux, pidfds, ``SOCK_SEQPACKET`` with fd passing,
    ``select.poll``, ``fcntl``. db/sandbox.py spawns every child where not
    (Windows, macOS, a Python built without pidfds)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import fcntl  # noqa: F401 - only whether it imports
    except ImportError:
        return False
    return (
        hasattr(os, "pidfd_open")
        and hasattr(signal, "pidfd_send_signal")
        and hasattr(socket, "SOCK_SEQPACKET")
        and hasattr(socket, "send_fds")
        and hasattr(select, "poll")
    )


class ZygoteLost(Exception):
    """The zygote refused a request, went away or does not answer."""


# -- the app's side ----------------------------------------------------------------------------


class Zygote:
    """One zygote process, spawned by ``start`` with the environment ``env``
    (what acts when an interpreter starts, PYTHONPATH and the locale, is then
    the zygote's and so its children's, as it would be a spawned child's)."""

    def __init__(self, process: subprocess.Popen[bytes], control: socket.socket) -> None:
        self.process = process
        self._control = control
        self._lock = threading.Lock()
        self.broken = False
        # Retired: no new request; the control socket is closed (the zygote
        # ends) once its last child is done (db/sandbox.py retires a zygote
        # whose child crashed or timed out: the next child gets a fresh
        # memory layout).
        self.retired = False
        self._in_flight = 0
        self.ready = False  # its imports done: it said "ready" on the control socket

    @classmethod
    def start(cls, command: list[str], env: Mapping[str, str]) -> Zygote:
        """``command``: the interpreter and how it runs this module, e.g.
        ``[sys.executable, "-m", ZYGOTE_MODULE]``; the control fd is appended."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with theirs:
            process = subprocess.Popen(
                [*command, str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                env=dict(env),
                cwd=Path(os.sep).resolve(),  # as a spawned child's: sys.path[0] is the same
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                close_fds=True,
                start_new_session=True,  # a Ctrl+C on the terminal is the app's to handle
            )
        return cls(process, ours)

    def is_ready(self) -> bool:
        """Whether it has said "ready" (without waiting)."""
        return self.wait_ready(0)

    def wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not self.ready and self.alive():
            with self._lock:
                if self._control.fileno() < 0:
                    return False
                try:
                    said = self._control.recv(16, socket.MSG_DONTWAIT)
                except (BlockingIOError, InterruptedError):
                    said = None
                except OSError:
                    said = b""
            if said == b"ready":
                self.ready = True
            elif said is not None:  # EOF or anything else: not a zygote to use
                self.broken = True
            elif time.monotonic() >= deadline:
                return False
            else:
                waiting = select.poll()
                waiting.register(self._control.fileno(), select.POLLIN)
                waiting.poll(max(1, int(min(0.1, deadline - time.monotonic()) * 1000)))
        return self.ready and self.alive()

    def alive(self) -> bool:
        return not self.broken and not self.retired and self.process.poll() is None

    def retire(self) -> None:
        with self._lock:
            self.retired = True
            last = self._in_flight == 0
        if last:
            self.close()

    def _child_done(self) -> None:
        with self._lock:
            self._in_flight -= 1
            last = self.retired and self._in_flight == 0
        if last:
            self.close()

    def fork_child(self, argv: list[str], env: Mapping[str, str], stdin: int | None) -> ZygoteChild:
        """Ask for a child running ``argv`` with ``stdin`` (an fd, or None
        for a pipe that the returned child's ``stdin`` writes to). Returns at
        once: ``ZygoteChild.started`` waits for its pid. Raises
        ``ZygoteLost`` when the request cannot be sent."""
        reply, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        stdout_read, stdout_write = os.pipe()
        stdin_read, stdin_write = os.pipe() if stdin is None else (stdin, -1)
        stderr = os.open(os.devnull, os.O_WRONLY | os.O_CLOEXEC)
        request = {"argv": argv, "env": dict(env), "rlimits": _rlimits(), "umask": _current_umask()}
        try:
            with self._lock:
                if self._control.fileno() < 0:
                    raise OSError("closed")
                socket.send_fds(
                    self._control,
                    [json.dumps(request).encode()],
                    [theirs.fileno(), stdin_read, stdout_write, stderr],
                )
                self._in_flight += 1
        except OSError as err:
            self.broken = True
            reply.close()
            for fd in (stdout_read, stdin_write):
                if fd >= 0:
                    os.close(fd)
            raise ZygoteLost("send") from err
        finally:
            theirs.close()
            for fd in (stdout_write, stderr) if stdin is not None else (stdout_write, stderr, stdin_read):
                os.close(fd)
        return ZygoteChild(
            self,
            reply,
            os.fdopen(stdout_read, "rb"),  # closed by SandboxRun with the child
            os.fdopen(stdin_write, "wb") if stdin_write >= 0 else None,
        )

    def close(self, timeout: float = 5.0) -> None:
        """EOF on the control socket: the zygote kills its children and
        exits; killed if it has not within ``timeout``."""
        with self._lock:
            self.broken = True
            if self._control.fileno() < 0:
                return  # closed already
            self._control.close()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """The zygote is stuck: SIGKILL it (its children get SIGKILL too,
        PR_SET_PDEATHSIG) and reap it."""
        self.broken = True
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.wait()


class ZygoteChild:
    """A child the zygote forked, with the part of ``subprocess.Popen``'s
    interface that db/sandbox.py uses. ``lost`` once the zygote went away
    before it reported the child's exit (``returncode`` is then
    ``LOST_STATUS``)."""

    LOST_STATUS = KILLED_STATUS

    def __init__(
        self, zygote: Zygote, reply: socket.socket, stdout: BinaryIO, stdin: BinaryIO | None
    ) -> None:
        self.zygote = zygote
        self.stdout = stdout
        self.stdin = stdin
        self.pid: int | None = None
        self.returncode: int | None = None
        self.lost = False
        self._reply = reply
        self._lock = threading.Lock()
        self._kill_asked_at: float | None = None

    def started(self, deadline: float) -> bool:
        """Wait until the zygote gives the pid (True) or until ``deadline``
        (``time.monotonic``; True: the run's own timeout then acts), or it is
        killed. False if the zygote refused or went away first: nothing ran."""
        while self.pid is None and self.returncode is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return True
            self._wait_for_message(remaining)
        # Started, or killed before its fork (its status says so, or, when
        # stop_all killed the zygote too, the zygote's end): never spawned anew.
        return not self.lost or self.kill_asked

    def poll(self) -> int | None:
        with self._lock:
            self._take_message()
            return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """The exit status; ``subprocess.TimeoutExpired`` after ``timeout``.
        A zygote that does not report a killed child's exit within
        ``KILL_GRACE_S`` is killed (and the child with it)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.returncode is None:
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                raise subprocess.TimeoutExpired(ZYGOTE_MODULE, timeout or 0.0)
            if self._kill_asked_at is not None and now - self._kill_asked_at > KILL_GRACE_S:
                self.zygote.kill()  # EOF on the reply socket follows
            step = 0.5 if deadline is None else min(0.5, deadline - now)
            self._wait_for_message(step)
        return self.returncode

    @property
    def kill_asked(self) -> bool:
        """Was this child asked to die (``kill``)?"""
        return self._kill_asked_at is not None

    def kill(self) -> None:
        """SIGKILL, through the zygote (it holds the child's pidfd)."""
        with self._lock:
            if self.returncode is not None or self._kill_asked_at is not None:
                return
            self._kill_asked_at = time.monotonic()
            with contextlib.suppress(OSError):  # the zygote is gone: so is the child
                self._reply.send(b"kill")
            if self.pid is None:
                # Not forked yet (a zygote still importing, at its first
                # run): it forks no child for a request whose reply socket
                # holds "kill", and kills one it forked just before reading
                # it. Done now, not when a busy zygote gets to it (stop_all).
                self.returncode = KILLED_STATUS

    def close(self) -> None:
        """Drop the reply socket (a child still running is then killed)."""
        with self._lock:
            if self._reply.fileno() < 0:
                return
            self._reply.close()
        self.zygote._child_done()

    def _wait_for_message(self, timeout: float) -> None:
        waiting = select.poll()
        with self._lock:
            if self._reply.fileno() < 0:
                return
            waiting.register(self._reply.fileno(), select.POLLIN)
        if waiting.poll(max(0, int(timeout * 1000))):
            with self._lock:
                self._take_message()

    def _take_message(self) -> None:
        """One message, if one is there (under ``_lock``: two threads may
        have seen the socket readable; one of them gets the message)."""
        if self.returncode is not None:
            return
        try:
            data = self._reply.recv(MAX_MESSAGE, socket.MSG_DONTWAIT)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        try:
            message = json.loads(data) if data else {}
        except ValueError:
            message = {}
        if isinstance(message.get("pid"), int):
            self.pid = message["pid"]
        elif isinstance(message.get("status"), int):
            self.returncode = message["status"]
        else:  # EOF, a refusal or nonsense: the zygote is no longer to be trusted
            self.lost = True
            self.zygote.broken = True
            self.returncode = self.LOST_STATUS


def _rlimits() -> dict[str, list[int]]:
    if resource is None:
        return {}
    return {name: list(resource.getrlimit(getattr(resource, name))) for name in RLIMIT_NAMES}


def _current_umask() -> int:
    """This process's umask, read without changing it (os.umask would, for a
    moment, for every thread)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    return 0o077


# -- the zygote ------------------------------------------------------------------------------


def preload() -> None:
    """What the worker's prepare() and tasks import, once. No input exists
    here; libmagic's database and the parsers' libraries are loaded from
    the installation."""
    import importlib

    for module in ("db.sandbox_worker", "db.capture", "db.c2pa_read"):  # the child's main, its tasks
        importlib.import_module(module)

    with contextlib.suppress(Exception):  # a missing library: the task fails as a spawned one would
        import magic

        magic.from_buffer(b"", mime=True)  # find_library (a subprocess) and the database, now
    with contextlib.suppress(Exception):
        from PIL import Image, ImageOps  # noqa: F401 - the image task

        Image.preinit()  # the plugins Image.open would import, in its order
        Image.init()
    for name in (
        "pypdf",
        "pypdfium2",
        "c2pa",
        "mutagen",
        "mutagen.aac",
        "mutagen.ac3",
        "mutagen.aiff",
        "mutagen.asf",
        "mutagen.flac",
        "mutagen.mp3",
        "mutagen.oggflac",
        "mutagen.oggopus",
        "mutagen.oggspeex",
        "mutagen.oggtheora",
        "mutagen.oggvorbis",
        "mutagen.wave",
    ):
        with contextlib.suppress(Exception):
            __import__(name)


def _harden_zygote() -> None:
    """Not dumpable (no ptrace by a same-user child, no /proc/PID/fd), no new
    privileges, no core dump."""
    if resource is not None:
        with contextlib.suppress(ValueError, OSError):
            _soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
            resource.setrlimit(resource.RLIMIT_CORE, (0, hard))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 or libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl")


# VmSize the preload added: a child's memory cap is raised by it, so that
# the parse gets what it gets in a spawned child (db/sandbox_worker.py
# ``preloaded_bytes``).
_preloaded_bytes = 0


def _address_space() -> int:
    """This process's VmSize in bytes (0 where /proc says nothing)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


@dataclass
class _Child:
    pid: int
    pidfd: int
    reply: int  # -1 once reported


def serve(control_fd: int) -> None:
    """Answer requests until the app closes the control socket."""
    global _preloaded_bytes
    _harden_zygote()
    before = _address_space()
    preload()
    _preloaded_bytes = max(0, _address_space() - before)
    with contextlib.suppress(OSError):  # the app is gone: EOF below
        os.write(control_fd, b"ready")
    control = socket.socket(fileno=control_fd)
    poll = select.poll()
    poll.register(control_fd, select.POLLIN)
    by_pidfd: dict[int, _Child] = {}
    by_reply: dict[int, _Child] = {}
    while True:
        for fd, _event in poll.poll():
            if fd == control_fd:
                try:
                    data, fds, _flags, _address = socket.recv_fds(control, MAX_MESSAGE, FDS_PER_REQUEST)
                except OSError:
                    data, fds = b"", []
                if not data:  # the app is gone: so are its children
                    for fd_ in fds:
                        os.close(fd_)
                    for child in by_pidfd.values():
                        _kill(child)
                        os.waitpid(child.pid, 0)
                    return
                started = _start(data, fds)
                if started is not None:
                    by_pidfd[started.pidfd] = by_reply[started.reply] = started
                    poll.register(started.pidfd, select.POLLIN)
                    poll.register(started.reply, select.POLLIN)
            elif fd in by_pidfd:  # a child ended
                child = by_pidfd.pop(fd)
                poll.unregister(fd)
                os.close(fd)
                _, status = os.waitpid(child.pid, 0)
                with contextlib.suppress(OSError):  # the app may have dropped the run
                    os.write(child.reply, json.dumps({"status": os.waitstatus_to_exitcode(status)}).encode())
                if child.reply in by_reply:
                    poll.unregister(child.reply)
                    del by_reply[child.reply]
                os.close(child.reply)
            elif fd in by_reply:  # "kill", or the app dropped the run
                child = by_reply.pop(fd)
                with contextlib.suppress(OSError):
                    os.read(fd, 64)
                _kill(child)
                poll.unregister(fd)  # its exit is still reported on it


def _kill(child: _Child) -> None:
    with contextlib.suppress(ProcessLookupError):
        signal.pidfd_send_signal(child.pidfd, signal.SIGKILL)


def _start(data: bytes, fds: list[int]) -> _Child | None:
    """Fork the request's child; the fds received are closed here after."""
    if not fds:
        return None
    reply, sources = fds[0], fds[1:]
    try:
        request = json.loads(data)
        if len(sources) != 3:
            raise ValueError("fds")
        if sum(1 for _ in Path("/proc/self/task").iterdir()) != 1:  # a fork would copy only this thread
            raise RuntimeError("threads")
        cancelled = select.poll()
        cancelled.register(reply, select.POLLIN)
        if cancelled.poll(0):  # "kill" or the reply socket closed before the fork: no child at all
            with contextlib.suppress(OSError):
                os.write(reply, json.dumps({"status": KILLED_STATUS}).encode())
            os.close(reply)
            return None
        zygote = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child: never returns into the loop
            _child(zygote, request, sources)
        pidfd = os.pidfd_open(pid)
    except Exception as err:  # noqa: BLE001 - the app is told (a type name) and spawns instead
        with contextlib.suppress(OSError):
            os.write(reply, json.dumps({"error": type(err).__name__}).encode())
        os.close(reply)
        return None
    finally:
        for fd in sources:
            os.close(fd)
    child = _Child(pid, pidfd, reply)
    try:
        os.write(reply, json.dumps({"pid": pid}).encode())
    except OSError:  # the app gave up already
        _kill(child)
    return child


# -- the child, forked from the zygote ---------------------------------------------------------


def _child(zygote: int, request: dict[str, Any], sources: list[int]) -> NoReturn:
    """Become what ``python -m db.sandbox_worker ARGV`` would be, then its main."""
    code = 1
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        if os.getppid() != zygote:  # the zygote died before the line above
            os._exit(code)
        os.setsid()  # start_new_session, as SandboxRun spawns
        _place_fds(sources)
        if resource is not None:
            for name, (soft, hard) in request["rlimits"].items():
                with contextlib.suppress(ValueError, OSError, AttributeError):  # above ours: as inherited
                    resource.setrlimit(getattr(resource, name), (soft, hard))
        os.umask(request["umask"])
        os.chdir(Path(os.sep).resolve())
        os.environ.clear()
        os.environ.update(request["env"])
        _fresh_stdio()
        argv = [str(arg) for arg in request["argv"]]
        sys.argv = _worker_argv(argv)
        import db.sandbox_worker as worker

        worker.preloaded_bytes = _preloaded_bytes
        code = worker.main(argv)
    except SystemExit as exit_:
        # As the interpreter exits: sys.exit() or sys.exit(None) is 0, a message is 1 (review 24 F4).
        code = exit_.code if isinstance(exit_.code, int) else 0 if exit_.code is None else 1
    except BaseException:  # noqa: BLE001 - as the interpreter would: exit 1 (its stderr is /dev/null)
        code = 1
    finally:
        with contextlib.suppress(BaseException):  # a closed stream: as at exit
            sys.stdout.flush()
        os._exit(code)


def _worker_argv(argv: list[str]) -> list[str]:
    """``sys.argv`` as a spawned worker has it: in a packaged build the app
    started with ``--sandbox-worker`` (db/sandbox.py worker_command)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "--sandbox-worker", *argv]
    return [WORKER_FILE, *argv]


def _place_fds(sources: list[int]) -> None:
    """stdin, stdout, stderr at 0, 1, 2, every other fd closed: what a
    spawned child with ``close_fds`` has. Copies go above 2 first, so a
    source sitting on 0, 1 or 2 is not overwritten."""
    import fcntl

    above = max([2, *sources]) + 1
    copies = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, above) for fd in sources]
    for target, copy in enumerate(copies):
        os.dup2(copy, target)  # inheritable, as subprocess makes them
    for entry in list(Path("/proc/self/fd").iterdir()):
        if int(entry.name) > 2:
            with contextlib.suppress(OSError):  # the listing's own fd, closed already
                os.close(int(entry.name))


def _fresh_stdio() -> None:
    """Standard streams on the fds just placed, made as the interpreter
    makes them at start-up with the zygote's settings (the zygote started
    with a child's environment: the same encoding and buffering)."""
    streams = []
    for fd, old in ((0, sys.__stdin__), (1, sys.__stdout__), (2, sys.__stderr__)):
        assert old is not None
        buffered = not old.write_through
        mode, buffering = ("rb", -1) if fd == 0 else ("wb", -1 if buffered else 0)
        binary = os.fdopen(fd, mode, buffering=buffering, closefd=False)  # lives as long as the child
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
        setattr(sys, name, stream)


def _is_socket(fd: int) -> bool:
    import stat

    try:
        return stat.S_ISSOCK(os.fstat(fd).st_mode)
    except OSError:
        return False


def main(argv: list[str]) -> int:
    """``FD``, the control socket the app passed; anything else: exit 2 (a
    person who typed ``fieldvault --sandbox-zygote``), touching nothing."""
    if len(argv) != 1 or not argv[0].isdigit() or not _is_socket(int(argv[0])):
        return 2
    with contextlib.suppress(KeyboardInterrupt):
        serve(int(argv[0]))
        # The app closed the control socket and every child is reaped:
        # nothing is left to flush (stdout and stderr are /dev/null) or
        # clean up. An interpreter's shutdown with every parser loaded
        # takes 80-220 ms, which the app waits for when it retires a
        # zygote after a child's timeout or crash (Zygote.close).
        os._exit(0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
