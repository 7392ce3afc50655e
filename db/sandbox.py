"""A box for code that reads attacker-chosen bytes.

Evidence files come from anyone: a photo's EXIF, a PDF's object tree, a video's
container are parsed by large C and Python libraries (libmagic, Pillow, pypdf,
FFmpeg) that have had memory-safety bugs, can be made to loop or eat memory,
and print what they read (pypdf logs a malformed PDF's ``/Author``). So that
parsing runs in a separate, short-lived process, ``python -m
db.sandbox_worker TASK``, never in the app's own:

- **Input through stdin only.** For intake the child's stdin is the source
  file itself, opened read-only by us (the file is already on disk: nothing
  new is written). For vault content (the viewer's images) the decrypted bytes
  go through a pipe, written by a thread here: plaintext never reaches a
  temporary file, and the child gets no path to the vault.
- **Output through stdout only**: one JSON line, or a JSON line and raw pixels.
  Its stderr is ``/dev/null``: nothing a library prints reaches the terminal or
  the system journal.
- **Limits** (``Limits``), set by the child before it imports any parser:
  address space, CPU seconds, open files, no core dumps (``RLIMIT_CORE`` 0,
  not dumpable), no file writes (``RLIMIT_FSIZE`` 0; deleting or truncating
  a file is not stopped for native code: docs/threat-model.md 2.5.1), no new
  privileges. Network: on Linux the child
  enters a new, empty network namespace (``unshare``; as an ordinary user
  together with a user namespace) where the kernel allows it; on every
  platform a Python audit hook refuses sockets, new processes and opening
  files for writing. Native code could still make a socket where
  namespaces are not available (macOS, Windows, kernels without unprivileged
  user namespaces): that is documented in docs/threat-model.md.
- **Killed** when it runs past its wall-clock time, when the caller cancels,
  or by ``stop_all()`` (lock, panic wipe). A failure is a ``SandboxFailed``
  whose ``reason`` is one of a few fixed phrases, never text from the file.
- **Forked from a zygote** on Linux (db/sandbox_zygote.py): a fresh
  ``python -m db.sandbox_zygote``, spawned after a process's first few runs
  (those, and the runs until it is ready, are spawned), imports the
  parsers once and forks each child, which then does exactly
  what a spawned worker does (same environment, fds, limits, order). After
  a child's crash or timeout the zygote is retired and the next child comes
  from a new one (a fresh memory layout); so after a SIGKILL the app did
  not ask for (the OOM killer's). A zygote that is gone or
  misbehaves is given up and the child spawned
  (``FIELDVAULT_SANDBOX_SPAWN=1`` spawns always; other platforms, a Python
  without pidfds and a fork of the app spawn too). A packaged build starts its zygote as itself with
  ``--sandbox-zygote`` (packaging/fieldvault_app.py), as it starts a
  spawned child with ``--sandbox-worker``.

On Windows and macOS the resource limits that ``resource`` lacks are skipped;
the process boundary, the stdin-only input and the silenced stderr remain.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from db.sandbox_zygote import ZYGOTE_ARGUMENT, ZYGOTE_MODULE, Zygote, ZygoteChild, ZygoteLost
from db.sandbox_zygote import supported as zygote_supported

log = logging.getLogger(__name__)

WORKER_MODULE = "db.sandbox_worker"
# Set to 1: every child is spawned, none forked from a zygote (tests of the
# spawn path; a machine where the zygote misbehaves).
SPAWN_SWITCH = "FIELDVAULT_SANDBOX_SPAWN"
# A process starts a new zygote at most this many times after one was lost
# (died, stuck, refused); then it spawns. A zygote retired after a child's
# crash or timeout is replaced without counting.
MAX_ZYGOTE_LOSSES = 3
# The folder holding the ``db`` package: the child imports it from there and
# from nowhere else we do not control.
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[1])
FEED_CHUNK = 1 << 20


@dataclass(frozen=True)
class Limits:
    """What one child may use. ``wall_seconds`` counts from its start."""

    memory_bytes: int = 1 << 30
    cpu_seconds: int = 20
    wall_seconds: float = 30.0
    open_files: int = 64
    max_input: int = 512 << 20  # bytes a child reads from a pipe (not from a file)
    max_output: int = 512 << 20


# Fixed phrases (English; the GUI shows them as part of a claim's value).
TIMED_OUT = "timed out"
TOO_MUCH_MEMORY = "too much memory"
CRASHED = "the reader crashed"
STOPPED = "stopped"
BAD_OUTPUT = "no usable answer"
TOO_LARGE = "too large"
# The other fixed phrases a child gives (db/sandbox_worker.py _error, db/c2pa_read.py).
_CHILD_PHRASES = frozenset(
    {
        TIMED_OUT,
        TOO_MUCH_MEMORY,
        CRASHED,
        STOPPED,
        BAD_OUTPUT,
        TOO_LARGE,
        "unknown task",
        "refused by the sandbox",
        "password protected",
        "not a readable PDF",
        "format not supported",
    }
)
UNREADABLE = "unreadable file"
_UNREADABLE_AS = re.compile(r"unreadable file \(([A-Za-z_][A-Za-z0-9_]{0,63})\)")


def child_reason(value: object) -> str:
    """The reason a child gave, if it is one a child gives: a fixed phrase or
    ``unreadable file (<an exception's type name>)``. Anything else becomes
    BAD_OUTPUT: a child that a hostile file took over can write anything
    there, the file's own words included, and the reason is stored and logged."""
    if isinstance(value, str) and (value in _CHILD_PHRASES or _UNREADABLE_AS.fullmatch(value)):
        return value
    return BAD_OUTPUT


def loggable_reason(reason: str) -> str:
    """What of a reason goes to a log: the fixed phrase alone (a type name
    in brackets is dropped, so a log line carries only words we wrote)."""
    reason = child_reason(reason)
    return UNREADABLE if _UNREADABLE_AS.fullmatch(reason) else reason


class SandboxFailed(Exception):
    """The child gave no answer. ``reason``: a fixed phrase, or an exception's
    type name from the child (``unreadable file (PdfReadError)``)."""

    def __init__(self, reason: str, output: bytes = b"") -> None:
        super().__init__(reason)
        self.reason = reason
        self.output = output  # what the child wrote before it failed


class InputFailed(Exception):
    """Reading the input on our side failed (a damaged vault item): the
    original error is ``__cause__``; the child was stopped."""


Child = subprocess.Popen[bytes] | ZygoteChild
_live: set[Child] = set()
# Spawned children stop_all() killed: their SIGKILL is the app's (a forked
# child's kill records it itself: ZygoteChild.kill_asked).
_stopped: weakref.WeakSet[subprocess.Popen[bytes]] = weakref.WeakSet()
_live_lock = threading.Lock()
_started = {"forked": 0, "spawned": 0}  # children_started()


def stop_all() -> None:
    """Kill every running child now (the vault locks or is wiped). A forked
    child's kill is a message to the zygote, which a child taken over by a
    hostile file could stop (SIGSTOP, same user) to keep its siblings, the
    viewer's with decrypted pages among them, running past the lock (review
    24 F3): so the zygote of any forked child running is killed as well, and
    its children die with it (``PR_SET_PDEATHSIG``). The next run after the
    lock starts a new zygote (not counted as a loss)."""
    with _live_lock:
        children = list(_live)
    for child in children:
        if isinstance(child, subprocess.Popen):
            with _live_lock:
                _stopped.add(child)
        with contextlib.suppress(OSError):
            child.kill()
    forked = [child for child in children if isinstance(child, ZygoteChild)]
    for zygote in {id(child.zygote): child.zygote for child in forked}.values():
        _drop_zygote(zygote)
    # They die by PR_SET_PDEATHSIG as their zygote goes: asynchronously, so
    # wait (briefly) until they have, as a spawned child's kill is done
    # when stop_all returns.
    _await_gone([child.pid for child in forked if child.pid is not None])


def _await_gone(pids: list[int], timeout: float = 2.0) -> None:
    """Until none of ``pids`` runs (a zombie does not), or ``timeout``."""
    deadline = time.monotonic() + timeout
    for pid in pids:
        while _runs_still(pid) and time.monotonic() < deadline:
            time.sleep(0.002)


def _runs_still(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _drop_zygote(zygote: Zygote) -> None:
    """Kill ``zygote`` (SIGKILL, never waiting on its cooperation) and forget
    it if it is this process's."""
    global _zygote
    with _zygote_lock:
        if _zygote is zygote:
            _zygote = None
    with contextlib.suppress(OSError):
        zygote.kill()


def running() -> int:
    """How many children are alive (tests)."""
    with _live_lock:
        return sum(1 for child in _live if child.poll() is None)


# The zygote of this process (db/sandbox_zygote.py), started at its first
# run; ``_zygote_owner`` is the pid that started it: a fork of the app (the
# crash tests fork) must not write on its parent's control socket.
_zygote: Zygote | None = None
_zygote_owner = 0
_zygote_losses = 0
_runs = 0
_zygote_lock = threading.Lock()
# The zygote is started at this process's run after this many, and used
# once it says it is ready (its imports take ~0.5-1 s of CPU): a command
# that examines a file or two ends before a zygote would pay for itself.
ZYGOTE_AFTER_RUNS = 4


def _zygote_for_run() -> Zygote | None:
    """The zygote to fork this run's child, if one is ready; None: spawn."""
    global _runs
    with _zygote_lock:
        _runs += 1
        early = _runs <= ZYGOTE_AFTER_RUNS
    zygote = _live_zygote(start=not early)
    return zygote if zygote is not None and zygote.is_ready() else None


def start_zygote(timeout: float = 60.0) -> int | None:
    """Start this process's zygote now, if it may have one, and wait until
    it is ready: its pid, or None (spawning here; tests, benchmarks)."""
    zygote = _live_zygote(start=True)
    if zygote is None or not zygote.wait_ready(timeout):
        return None
    return zygote.process.pid


def _live_zygote(*, start: bool) -> Zygote | None:
    """This process's zygote, started if ``start`` and none runs; None where
    children are spawned."""
    global _zygote, _zygote_owner, _zygote_losses
    if os.environ.get(SPAWN_SWITCH, "") not in ("", "0"):
        return None
    if not zygote_supported():  # Windows, macOS, a Python without pidfds
        return None
    if _zygote_owner not in (0, os.getpid()):
        return None  # a fork of the app: the zygote is its parent's
    with _zygote_lock:
        if _zygote is not None and not _zygote.alive():
            gone, _zygote = _zygote, None
            if not gone.retired:  # a retired one ends with its last child
                _zygote_losses += 1
                log.debug("sandbox zygote lost: started again or children spawned")
                with contextlib.suppress(OSError):
                    gone.kill()
        if _zygote is None and start:
            if _zygote_losses >= MAX_ZYGOTE_LOSSES:
                return None
            env = child_environment(Limits())
            del env["FIELDVAULT_SANDBOX_LIMITS"]  # sent with each request
            try:
                _zygote = Zygote.start(zygote_command(), env)
            except OSError:
                log.debug("sandbox zygote not started: children spawned")
                return None
            if _zygote_owner == 0:
                import atexit

                atexit.register(_close_zygote)
            _zygote_owner = os.getpid()
        return _zygote


def _close_zygote() -> None:
    """At exit: EOF to the zygote, which then ends (not in a fork of the app)."""
    global _zygote
    if _zygote_owner != os.getpid():
        return
    with _zygote_lock:
        zygote, _zygote = _zygote, None
    if zygote is not None:
        with contextlib.suppress(OSError):
            zygote.close()


def zygote_pid() -> int | None:
    """The pid of this process's zygote, if one runs (tests, benchmarks)."""
    zygote = _live_zygote(start=False)
    return zygote.process.pid if zygote is not None else None


def zygote_command() -> list[str]:
    """How the zygote starts (its control fd is appended): a fresh
    interpreter, never a fork of the app."""
    if getattr(sys, "frozen", False):  # a PyInstaller build: packaging/fieldvault_app.py dispatches
        return [sys.executable, ZYGOTE_ARGUMENT]
    return [sys.executable, "-m", ZYGOTE_MODULE]


def children_started() -> tuple[int, int]:
    """How many children this process has had forked by a zygote, and how
    many spawned (the installed selftest checks that an intake forks)."""
    with _live_lock:
        return _started["forked"], _started["spawned"]


def worker_command(task: str, *options: str) -> list[str]:
    if getattr(sys, "frozen", False):  # a PyInstaller build: its main() dispatches
        return [sys.executable, "--sandbox-worker", task, *options]
    return [sys.executable, "-m", WORKER_MODULE, task, *options]


def child_environment(limits: Limits) -> dict[str, str]:
    """Nearly empty: no proxies, no display, no user paths; the limits for the
    child to apply to itself."""
    env = {
        "PYTHONPATH": _PACKAGE_ROOT,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
        "LC_ALL": "C.UTF-8",
        "FIELDVAULT_SANDBOX_LIMITS": json.dumps(
            {
                "memory_bytes": limits.memory_bytes,
                "cpu_seconds": limits.cpu_seconds,
                "open_files": limits.open_files,
                "max_input": limits.max_input,
            }
        ),
    }
    for name in ("SYSTEMROOT", "PATH"):  # Windows needs SYSTEMROOT to start Python at all
        if name in os.environ and sys.platform == "win32":
            env[name] = os.environ[name]
    return env


Feed = Callable[[Callable[[bytes], None]], None]


class SandboxRun:
    """One child, one task. ``kill()`` may be called from any thread."""

    def __init__(self, task: str, *options: str, limits: Limits | None = None) -> None:
        self.task = task
        self.options = options
        self.limits = limits or Limits()
        self._process: Child | None = None
        self._killed = False
        self._lock = threading.Lock()

    def kill(self) -> None:
        with self._lock:
            self._killed = True
            process = self._process
        if process is not None:
            with contextlib.suppress(OSError):
                process.kill()

    def run(self, *, stdin_file: BinaryIO | None = None, feed: Feed | None = None) -> bytes:
        """Start the child with ``stdin_file`` as its stdin, or a pipe that
        ``feed(write)`` fills; return its stdout once it exits with 0."""
        if (stdin_file is None) == (feed is None):
            raise ValueError("give exactly one of stdin_file and feed")
        deadline = time.monotonic() + self.limits.wall_seconds
        with self._start(stdin_file, deadline) as process:
            output = bytearray()
            reader = threading.Thread(target=self._read_all, args=(process.stdout, output), daemon=True)
            reader.start()
            feed_error: list[BaseException] = []
            feeder: threading.Thread | None = None
            if feed is not None:
                feeder = threading.Thread(target=self._feed, args=(process, feed, feed_error), daemon=True)
                feeder.start()
            timed_out = False
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                timed_out = True
                process.kill()
                process.wait()
            finally:
                if feeder is not None:
                    feeder.join()
                reader.join()
            if isinstance(process, ZygoteChild):
                _retire_if_suspicious(process, timed_out)
            if feed_error:
                raise InputFailed() from feed_error[0]
            if self._killed:
                raise SandboxFailed(STOPPED, bytes(output))
            if timed_out:
                raise SandboxFailed(TIMED_OUT, bytes(output))
            if isinstance(process, ZygoteChild) and process.lost:
                # The zygote went away mid-run (its children die with it):
                # this run failed; the next one starts a zygote or spawns.
                # Killed by stop_all with its child: stopped, as a spawned one.
                raise SandboxFailed(STOPPED if process.kill_asked else CRASHED, bytes(output))
            if len(output) > self.limits.max_output:
                raise SandboxFailed(TOO_LARGE)
            return self._check_exit(process.wait(), bytes(output), kill_asked=self._kill_asked(process))

    @contextlib.contextmanager
    def _start(self, stdin_file: BinaryIO | None, deadline: float) -> Iterator[Child]:
        process = self._launch(stdin_file, fork=True)
        try:
            if isinstance(process, ZygoteChild) and not process.started(deadline):
                # The zygote refused or is gone, and nothing ran: spawn.
                log.debug("sandbox zygote gave no child: spawned instead")
                self._forget(process)
                process = self._launch(stdin_file, fork=False)
            with _live_lock:
                _started["forked" if isinstance(process, ZygoteChild) else "spawned"] += 1
            yield process
        finally:
            self._forget(process)

    def _launch(self, stdin_file: BinaryIO | None, *, fork: bool) -> Child:
        """A child forked by the zygote if there is one, else spawned."""
        with self._lock:
            if self._killed:
                raise SandboxFailed(STOPPED)
            process: Child | None = None
            zygote = _zygote_for_run() if fork else None
            if zygote is not None:
                try:
                    process = zygote.fork_child(
                        [self.task, *self.options],
                        child_environment(self.limits),
                        stdin_file.fileno() if stdin_file is not None else None,
                    )
                except ZygoteLost:
                    log.debug("sandbox zygote unreachable: spawned instead")
            if process is None:
                process = subprocess.Popen(
                    worker_command(self.task, *self.options),
                    stdin=stdin_file if stdin_file is not None else subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    env=child_environment(self.limits),
                    cwd=Path(os.sep).resolve(),  # not the user's folder
                    close_fds=True,
                    start_new_session=True,  # a Ctrl+C on the terminal is ours to handle
                )
            self._process = process
        with _live_lock:
            _live.add(process)
        return process

    @staticmethod
    def _forget(process: Child) -> None:
        """Not live any more: killed if still running, reaped, streams closed."""
        with _live_lock:
            _live.discard(process)
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        if isinstance(process, ZygoteChild):
            process.close()

    def _read_all(self, stream: IO[bytes] | None, into: bytearray) -> None:
        if stream is None:
            return
        with contextlib.suppress(OSError, ValueError):
            while chunk := stream.read(FEED_CHUNK):
                if len(into) <= self.limits.max_output:
                    into += chunk

    @staticmethod
    def _feed(process: Child, feed: Feed, errors: list[BaseException]) -> None:
        pipe = process.stdin
        assert pipe is not None

        def write(chunk: bytes) -> None:
            pipe.write(chunk)

        try:
            feed(write)
        except (BrokenPipeError, ValueError):
            pass  # the child stopped reading (done, failed or killed): its exit says which
        except BaseException as err:  # noqa: BLE001 - the caller re-raises it as InputFailed
            errors.append(err)
            with contextlib.suppress(OSError):
                process.kill()
        finally:
            with contextlib.suppress(OSError, ValueError):
                pipe.close()

    def _kill_asked(self, process: Child) -> bool:
        """Whether the app asked for ``process``'s kill (a cancel, stop_all)."""
        if self._killed:
            return True
        if isinstance(process, ZygoteChild):
            return process.kill_asked
        with _live_lock:
            return process in _stopped

    @staticmethod
    def _check_exit(returncode: int, output: bytes, *, kill_asked: bool) -> bytes:
        if returncode == 0:
            return output
        if returncode < 0:
            number = -returncode
            if number == getattr(signal, "SIGXCPU", -1):  # past RLIMIT_CPU
                raise SandboxFailed(TIMED_OUT, output)
            if number == getattr(signal, "SIGKILL", -1) and kill_asked:  # a cancel, stop_all()
                raise SandboxFailed(STOPPED, output)
            # A crash, or a SIGKILL the app did not send (the OOM killer's):
            # not "stopped", which the viewer takes for a cancel and shows nothing.
            raise SandboxFailed(CRASHED, output)
        raise SandboxFailed(_reason_from(output), output)


def _retire_if_suspicious(child: ZygoteChild, timed_out: bool) -> None:
    """A crash is how an exploit that guesses addresses fails, and a hang
    (past the wall or the CPU time) how one that probes them may end: the
    next child then comes from a new zygote, with a memory layout of its own
    (the children of one share its). A zygote lost meanwhile (it did not
    report the child's end) is not retired: it counts as lost (_live_zygote)."""
    if not child.lost and (timed_out or _suspicious(child.wait(), kill_asked=child.kill_asked)):
        child.zygote.retire()


def _suspicious(returncode: int, *, kill_asked: bool) -> bool:
    """Ended by a signal the app did not send: a crash, the CPU limit
    (SIGXCPU, TIMED_OUT as a hang past the wall time is), or a SIGKILL it
    did not ask for (the OOM killer's: running out of memory is a way an
    exploit can fail too). Only a SIGKILL asked for (a cancel) is not."""
    if returncode >= 0:
        return False
    return -returncode != getattr(signal, "SIGKILL", -1) or not kill_asked


def _reason_from(output: bytes) -> str:
    """The child's last JSON line names what went wrong (``{"error": ...}``)."""
    for line in reversed(output.splitlines()):
        with contextlib.suppress(ValueError, UnicodeDecodeError):
            answer = json.loads(line)
            if isinstance(answer, dict) and isinstance(answer.get("error"), str):
                return child_reason(answer["error"])
    return CRASHED


def split_answer(output: bytes) -> tuple[list[dict[str, object]], bytes]:
    """The JSON lines a child wrote first, and the raw bytes after the line
    ``{"raw": N}`` (N bytes), if any."""
    lines: list[dict[str, object]] = []
    rest = memoryview(output)
    while rest:
        end = bytes(rest[: 1 << 16]).find(b"\n")
        if end < 0:
            raise SandboxFailed(BAD_OUTPUT)
        try:
            answer = json.loads(bytes(rest[:end]))
        except ValueError:
            raise SandboxFailed(BAD_OUTPUT) from None
        if not isinstance(answer, dict):
            raise SandboxFailed(BAD_OUTPUT)
        rest = rest[end + 1 :]
        lines.append(answer)
        raw = answer.get("raw")
        if isinstance(raw, int):
            if raw != len(rest):
                raise SandboxFailed(BAD_OUTPUT)
            return lines, bytes(rest)
    return lines, b""


def _answer(run: SandboxRun, read: Callable[[int], bytes]) -> tuple[dict[str, object], bytes]:
    """Feed what ``read(n)`` returns to the child; its first answer and the raw
    bytes after it. A child that answered with an error raises it."""

    def feed(write: Callable[[bytes], None]) -> None:
        while chunk := read(FEED_CHUNK):
            write(chunk)

    lines, raw = split_answer(run.run(feed=feed))
    head = lines[0] if lines else {}
    if isinstance(head.get("error"), str):
        raise SandboxFailed(child_reason(head["error"]))
    return head, raw


# -- images, for the viewer and thumbnails -------------------------------------

# What the image task decodes (Pillow's decoders, nothing else).
IMAGE_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/bmp",
        "image/x-ms-bmp",
        "image/webp",
        "image/tiff",
        "image/x-portable-bitmap",
        "image/x-portable-graymap",
        "image/x-portable-pixmap",
        "image/x-portable-anymap",
        "image/vnd.microsoft.icon",
        "image/x-icon",
        "image/x-tga",
    }
)
# The viewer's largest image side: a 24-megapixel photo (6000 x 4000) whole.
IMAGE_MAX_SIDE = 6000
IMAGE_LIMITS = Limits(
    memory_bytes=2 << 30,
    cpu_seconds=20,
    wall_seconds=30.0,
    max_input=256 << 20,
    max_output=IMAGE_MAX_SIDE * IMAGE_MAX_SIDE * 4 + 4096,
)


@dataclass(frozen=True)
class DecodedImage:
    """Pixels as RGBA 8888, row after row, no padding."""

    width: int
    height: int
    rgba: bytes


def decode_image(
    read: Callable[[int], bytes], max_side: int = IMAGE_MAX_SIDE, run: SandboxRun | None = None
) -> DecodedImage:
    """Decode an image whose bytes ``read(n)`` returns (b"" at the end) in a
    child; EXIF orientation applied, scaled to fit ``max_side`` (never
    enlarged). ``run`` lets the caller ``kill()`` it from another thread.
    Raises ``SandboxFailed`` (not an image, too big, stopped…) or
    ``InputFailed`` (``read`` raised: a damaged vault item)."""
    run = run or SandboxRun("image", str(max_side), limits=IMAGE_LIMITS)
    head, raw = _answer(run, read)
    width, height = head.get("width"), head.get("height")
    if not isinstance(width, int) or not isinstance(height, int) or len(raw) != width * height * 4:
        raise SandboxFailed(BAD_OUTPUT)
    if width < 1 or height < 1 or width > max_side or height > max_side:
        raise SandboxFailed(BAD_OUTPUT)
    return DecodedImage(width, height, raw)


def image_run(max_side: int = IMAGE_MAX_SIDE) -> SandboxRun:
    """A run for ``decode_image``, made first so that it can be killed."""
    return SandboxRun("image", str(max_side), limits=IMAGE_LIMITS)


# -- PDF pages, for the viewer -------------------------------------------------

# Pages are rendered this many at a time, each this wide (and at most twice as
# tall): what the viewer shows next, never a whole long document at once.
PDF_PAGE_WIDTH = 1200
PDF_PAGES_AT_ONCE = 8
PDF_LIMITS = Limits(
    memory_bytes=2 << 30,
    cpu_seconds=20,
    wall_seconds=30.0,
    max_input=256 << 20,
    max_output=PDF_PAGES_AT_ONCE * PDF_PAGE_WIDTH * 2 * PDF_PAGE_WIDTH * 4 + 65536,
)


@dataclass(frozen=True)
class RenderedPages:
    """Pages ``first`` to ``first + len(pages) - 1`` of a document of ``total`` pages."""

    total: int
    first: int
    pages: list[DecodedImage]


def render_pdf(
    read: Callable[[int], bytes],
    *,
    first: int = 0,
    count: int = PDF_PAGES_AT_ONCE,
    width: int = PDF_PAGE_WIDTH,
    run: SandboxRun | None = None,
) -> RenderedPages:
    """Render pages of a PDF whose bytes ``read(n)`` returns, in a child
    (PDFium there, never in this process). Raises ``SandboxFailed`` with a
    fixed reason ("password protected", "not a readable PDF", too big, stopped…)
    or ``InputFailed`` (a damaged vault item)."""
    count = max(1, min(count, PDF_PAGES_AT_ONCE))
    width = max(1, min(width, PDF_PAGE_WIDTH))
    run = run or pdf_run(width, first, count)
    head, raw = _answer(run, read)
    total, sizes = head.get("pages"), head.get("sizes")
    if not isinstance(total, int) or not isinstance(sizes, list) or len(sizes) > count:
        raise SandboxFailed(BAD_OUTPUT)
    pages, offset = [], 0
    for size in sizes:
        if not (isinstance(size, list) and len(size) == 2 and all(isinstance(n, int) for n in size)):
            raise SandboxFailed(BAD_OUTPUT)
        page_width, page_height = size
        if not (0 < page_width <= width and 0 < page_height <= 2 * width):
            raise SandboxFailed(BAD_OUTPUT)
        end = offset + page_width * page_height * 4
        pages.append(DecodedImage(page_width, page_height, raw[offset:end]))
        offset = end
    if offset != len(raw):
        raise SandboxFailed(BAD_OUTPUT)
    return RenderedPages(total, first, pages)


def pdf_run(width: int = PDF_PAGE_WIDTH, first: int = 0, count: int = PDF_PAGES_AT_ONCE) -> SandboxRun:
    """A run for ``render_pdf``, made first so that it can be killed."""
    return SandboxRun("pdf", str(width), str(first), str(count), limits=PDF_LIMITS)
