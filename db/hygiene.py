"""Process hygiene for the app and the command line: no core dumps, and logs
that carry ids, never content.

``harden_process()`` is called once, first thing, by ``fieldvault``'s
``main()`` (GUI and CLI alike) and again (harmlessly) by ``run_gui``.

Core dumps. A crash of a process that holds an open vault would write the
narrative on screen and the master key into a ``core`` file (or hand them to
systemd-coredump, apport, ABRT). ``RLIMIT_CORE`` 0 stops the kernel writing a
core file; on Linux ``PR_SET_DUMPABLE`` 0 also stops a core-dump *pipe* helper
(``|/usr/lib/systemd/systemd-coredump``), which ignores ``RLIMIT_CORE`` for
some kernels' settings, and keeps other processes of the same user from
attaching a debugger or reading ``/proc/<pid>/mem``. macOS honours the rlimit;
Windows has neither (Windows Error Reporting may keep a minidump: see
docs/threat-model.md).

Logs. The rule: a log line never carries what a witness, a worker or a file
said. Our own code (loggers under ``db``, ``sync``, ``desktop`` and
``fieldvault``) logs ids, counts and exception *types* only, and is reviewed
for it; its messages are written whole. A third-party library cannot be
reviewed that way: pypdf, for one, logs a malformed PDF's own ``/Author``
text, Pillow and PyAV quote tags. So for every other logger (and for Python
``warnings``, routed into logging) only the level, the logger's name and the
place in the library's code are written; the message and its arguments are
withheld. Those loggers are set to WARNING, so nothing below is even made.
Uncaught exceptions are printed as their type and the code locations of the
traceback, without the exception's message (which may quote a file).
"""

from __future__ import annotations

import ctypes
import logging
import sys
import threading
import traceback
from types import TracebackType
from typing import TextIO

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

OUR_LOGGERS = ("db", "sync", "desktop", "fieldvault")
# Quiet at WARNING: they parse files or run the database and the network, and
# their messages may quote what they read.
THIRD_PARTY_LOGGERS = (
    "PIL",
    "pypdf",
    "libav",
    "av",
    "sqlalchemy",
    "alembic",
    "asyncio",
    "urllib3",
    "httpx",
    "httpcore",
    "multipart",
    "uvicorn",
    "py.warnings",
)
PR_SET_DUMPABLE = 4  # linux/prctl.h
_HANDLER_NAME = "fieldvault-ids-only"
_lock = threading.Lock()


def _ours(name: str) -> bool:
    return any(name == top or name.startswith(top + ".") for top in OUR_LOGGERS)


class IdsOnlyFormatter(logging.Formatter):
    """Our loggers' messages whole; anyone else's withheld (see the module doc)."""

    def format(self, record: logging.LogRecord) -> str:
        if _ours(record.name):
            line = f"{record.levelname} {record.name}: {record.getMessage()}"
            if record.exc_info and record.exc_info[0] is not None:
                line += "\n" + describe_exception(record.exc_info[0], record.exc_info[2])
            return line
        # pathname and line number are the library's code, not the file it read.
        return f"{record.levelname} {record.name}: (message withheld) at {record.module}:{record.lineno}"


def describe_exception(kind: type[BaseException], tb: TracebackType | None) -> str:
    """An exception's type and where it happened: never its message."""
    places = [f"  {frame.filename}:{frame.lineno} in {frame.name}" for frame in traceback.extract_tb(tb)]
    return "\n".join([f"{kind.__module__}.{kind.__qualname__} (message withheld)", *places])


def _excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    sys.stderr.write("fieldvault: uncaught " + describe_exception(kind, tb) + "\n")


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    _excepthook(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback)


def _unraisablehook(unraisable: sys.UnraisableHookArgs) -> None:
    kind = unraisable.exc_type
    sys.stderr.write("fieldvault: ignored " + describe_exception(kind, unraisable.exc_traceback) + "\n")


def configure_logging(stream: TextIO | None = None, level: int = logging.WARNING) -> None:
    """Once per process: one handler on the root logger that writes ids only."""
    with _lock:
        root = logging.getLogger()
        for handler in root.handlers:
            if handler.get_name() == _HANDLER_NAME:
                return
        handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
        handler.set_name(_HANDLER_NAME)
        handler.setFormatter(IdsOnlyFormatter())
        root.addHandler(handler)
        root.setLevel(level)
        for name in THIRD_PARTY_LOGGERS:
            logging.getLogger(name).setLevel(max(level, logging.WARNING))
        # warnings.warn(...) from a library would print its text to stderr:
        # route it into logging, where the formatter withholds it.
        logging.captureWarnings(True)
        sys.excepthook = _excepthook
        threading.excepthook = _thread_excepthook
        sys.unraisablehook = _unraisablehook


def disable_core_dumps() -> list[str]:
    """RLIMIT_CORE 0 and, on Linux, not dumpable. Returns what could not be
    done (empty on success); never raises: a start-up must not fail here."""
    problems: list[str] = []
    if resource is not None:
        try:
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        except (ValueError, OSError):
            problems.append("RLIMIT_CORE")
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
                problems.append("PR_SET_DUMPABLE")
        except (OSError, AttributeError):
            problems.append("PR_SET_DUMPABLE")
    return problems


def harden_process() -> None:
    """No core dumps, ids-only logging. Idempotent."""
    problems = disable_core_dumps()
    configure_logging()
    if problems:
        logging.getLogger(__name__).warning("could not set %s", ", ".join(problems))
