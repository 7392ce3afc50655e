"""The child side of ``db.sandbox``: ``python -m db.sandbox_worker TASK [OPTIONS]``.

It first confines itself (``confine``), then reads its input from stdin,
parses it with the libraries of ``db.capture`` and writes its answer to
stdout as JSON lines (``{"raw": N}`` announces N raw bytes after the line).
A parser's exception becomes ``{"error": "unreadable file (Type)"}``: the type
only, since messages can quote the file. Tasks:

- ``examine``: ``{"mime": ...}`` then ``{"claims": {...}}`` (or an error line);
- ``image MAX_SIDE``: the image, EXIF orientation applied, scaled to fit
  ``MAX_SIDE`` pixels (never enlarged), as RGBA 8888 pixels;
- ``c2pa TYPE``: ``{"c2pa": {...}}``, the file's Content Credentials read and
  validated as TYPE (``db.c2pa_read``);
- ``selftest``: what the confinement achieved (tests, ``--selftest``).
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import json
import logging
import os
import signal
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

try:
    import resource
except ImportError:  # Windows: no rlimits
    resource = None  # type: ignore[assignment]

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
BLOCKED_EVENTS = (
    "socket.",
    "subprocess.",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "os.forkpty",
    "pty.spawn",
    "ctypes.",
    "os.remove",
    "os.rename",
    "os.rmdir",
    "os.mkdir",
    "os.link",
    "os.symlink",
    "os.truncate",
    "os.chmod",
    "os.chown",
    "shutil.",
    "webbrowser.",
    "urllib.",
    "http.",
    "ftplib.",
    "smtplib.",
)
_confinement: dict[str, Any] = {}
# PDFium and c2pa-rs are reached through ctypes: for the PDF and C2PA tasks
# every ctypes event but loading another library stays allowed (the library is
# loaded in prepare()). What ctypes could reach, native code inside those
# libraries reaches anyway; the kernel-side limits (no file writes, no network
# namespace) hold for both.
_allowed_ctypes = False
# The C2PA task's reading context, made in prepare() with the library.
_c2pa_context: Any = None
# /dev/null, opened for writing before the box closes: the C2PA task points
# stdout there while the native library runs (_quiet_stdout).
_devnull_fd = -1
# What a child forked from the sandbox zygote holds beyond a fresh
# interpreter when it confines itself: every parser, preloaded there
# (db/sandbox_zygote.py sets it in the child). RLIMIT_AS is an address-space
# cap, so without it a forked child would have ~100 MiB less for the parse
# than a spawned one under the same ``memory_bytes`` (review 24 F1).
preloaded_bytes = 0


class Refused(PermissionError):
    """Something the box does not allow was attempted."""


def _audit(event: str, args: tuple[Any, ...]) -> None:
    pdfium_call = _allowed_ctypes and event.startswith("ctypes.") and event != "ctypes.dlopen"
    if event.startswith(BLOCKED_EVENTS) and not pdfium_call:
        raise Refused(event)
    if event == "open" and len(args) >= 3:
        mode, flags = args[1], args[2]
        if (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & WRITE_FLAGS
        ):
            raise Refused(event)


def _limit(name: str, value: int) -> bool:
    if resource is None or not hasattr(resource, name):
        return False
    kind = getattr(resource, name)
    try:
        _soft, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(kind, (value, value if name != "RLIMIT_CPU" else value + 1))
    except (ValueError, OSError):
        return False
    return True


def _linux_confinement() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return
    _confinement["no_new_privs"] = libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0
    _confinement["not_dumpable"] = libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0
    # A new network namespace has only a downed loopback: no route anywhere.
    # An ordinary user needs a user namespace for it (where the kernel allows).
    flags = CLONE_NEWNET if os.geteuid() == 0 else CLONE_NEWUSER | CLONE_NEWNET
    _confinement["network_namespace"] = libc.unshare(flags) == 0


def confine(limits: dict[str, int]) -> None:
    """Everything the box promises, before any parser is imported."""
    global _devnull_fd
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)  # native libraries print to fd 2: nowhere
    _devnull_fd = devnull
    sys.dont_write_bytecode = True
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    if hasattr(signal, "SIGXFSZ"):
        # A write past RLIMIT_FSIZE then fails with an error instead of a signal.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    _confinement["core"] = _limit("RLIMIT_CORE", 0)
    _confinement["file_size"] = _limit("RLIMIT_FSIZE", 0)
    _confinement["cpu"] = _limit("RLIMIT_CPU", limits["cpu_seconds"])
    _confinement["memory"] = _limit("RLIMIT_AS", limits["memory_bytes"] + preloaded_bytes)
    _confinement["open_files"] = _limit("RLIMIT_NOFILE", limits["open_files"])
    if sys.platform.startswith("linux"):
        _linux_confinement()


def prepare(task: str) -> None:
    """What must load before the audit hook: python-magic finds libmagic with
    ``ctypes.util.find_library`` (a subprocess and a temp file) and loads its
    database at first use. Nothing of the input has been read yet."""
    global _allowed_ctypes, _c2pa_context
    if task == "examine":
        import magic

        magic.from_buffer(b"", mime=True)
    elif task == "pdf":
        import pypdfium2  # noqa: F401 - loads PDFium now, before the box closes

        _allowed_ctypes = True
    elif task == "c2pa":
        from db.c2pa_read import load_library

        _c2pa_context = load_library()
        _allowed_ctypes = True


def close_the_box() -> None:
    sys.addaudithook(_audit)  # last: the steps before use ctypes


# -- input ---------------------------------------------------------------------


def stdin_source(max_input: int) -> BinaryIO:
    """Stdin as a seekable file: itself when it is a file (intake), else its
    bytes read into memory, at most ``max_input`` (a pipe from the vault)."""
    stream = sys.stdin.buffer
    try:
        os.lseek(0, 0, os.SEEK_CUR)
        return open(0, "rb", closefd=False)  # lives as long as the process
    except OSError:
        pass
    data = stream.read(max_input + 1)
    if len(data) > max_input:
        raise InputTooLarge()
    return io.BytesIO(data)


class InputTooLarge(Exception):
    pass


# -- tasks ------------------------------------------------------------------------


def _say(answer: dict[str, Any], raw: bytes = b"") -> None:
    out = sys.stdout.buffer
    if raw:
        answer = {**answer, "raw": len(raw)}
    out.write(json.dumps(answer, ensure_ascii=True).encode() + b"\n")
    if raw:
        out.write(raw)
    out.flush()


def _error(err: BaseException) -> str:
    if isinstance(err, MemoryError):
        return "too much memory"
    if isinstance(err, InputTooLarge):
        return "too large"
    if isinstance(err, Refused):
        return "refused by the sandbox"
    if isinstance(err, PdfRefused):
        return "password protected" if err.args[0] == "password" else "not a readable PDF"
    return f"unreadable file ({type(err).__name__})"


def examine(source: BinaryIO) -> None:
    from db.capture import claims_of, detect_mime

    mime = detect_mime(source)
    _say({"mime": mime})
    source.seek(0)
    _say({"claims": claims_of(source, mime)})


def image(source: BinaryIO, max_side: int) -> None:
    from PIL import Image, ImageOps

    with Image.open(source) as opened:
        if opened.format == "JPEG":
            opened.draft("RGB", (max_side, max_side))  # the decoder scales by 1/2, 1/4, 1/8
        picture = ImageOps.exif_transpose(opened) or opened
        if picture.width > max_side or picture.height > max_side:
            picture.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        rgba = picture.convert("RGBA")
    _say({"width": rgba.width, "height": rgba.height}, rgba.tobytes())


def pdf(source: BinaryIO, width: int, first: int, count: int) -> None:
    """Pages ``first``..``first + count - 1`` of a PDF, each scaled to
    ``width`` pixels wide (at most twice as tall), as RGBA. The first answer
    says how many pages the document has and the size of each page sent."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(source.read())
    except pdfium.PdfiumError as err:
        raise PdfRefused("password" if "password" in str(err).lower() else "damaged") from None
    try:
        total = len(document)
        sizes: list[list[int]] = []
        pixels = bytearray()
        for number in range(first, min(total, first + count)):
            page = document[number]
            page_width, page_height = page.get_size()
            scale = min(width / max(page_width, 1.0), 2 * width / max(page_height, 1.0))
            rgba = page.render(scale=scale).to_pil().convert("RGBA")
            sizes.append([rgba.width, rgba.height])
            pixels += rgba.tobytes()
            page.close()
    finally:
        document.close()
    _say({"pages": total, "sizes": sizes}, bytes(pixels))


class PdfRefused(Exception):
    """A PDF PDFium will not open; ``args[0]`` is a fixed word, never file text."""


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Fd 1 on /dev/null while a native library runs: stdout carries the
    answer, and nothing the library might print about the file joins it."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(_devnull_fd, 1)
    try:
        yield
    finally:
        sys.stdout.flush()  # what Python code printed meanwhile goes to /dev/null too
        os.dup2(saved, 1)
        os.close(saved)


def content_credentials(source: BinaryIO, read_as: str) -> None:
    from db.c2pa_read import summarise

    with _quiet_stdout():
        summary = summarise(source, read_as, _c2pa_context)
    _say({"c2pa": summary})


def selftest() -> None:
    import socket
    import tempfile

    results: dict[str, Any] = dict(_confinement)
    try:
        socket.create_connection(("127.0.0.1", 9), timeout=1).close()
        results["socket"] = "open"
    except Exception as err:  # noqa: BLE001 - any refusal counts
        results["socket"] = type(err).__name__
    try:
        with tempfile.TemporaryFile() as handle:
            handle.write(b"x" * 10)
        results["file_write"] = "open"
    except Exception as err:  # noqa: BLE001 - any refusal counts
        results["file_write"] = type(err).__name__
    results["preloaded_bytes"] = preloaded_bytes
    if resource is not None:
        results["rlimits"] = {
            name: list(resource.getrlimit(getattr(resource, name)))
            for name in (
                "RLIMIT_CORE",
                "RLIMIT_FSIZE",
                "RLIMIT_AS",
                "RLIMIT_CPU",
                "RLIMIT_NOFILE",
                "RLIMIT_DATA",
                "RLIMIT_STACK",
                "RLIMIT_NPROC",
                "RLIMIT_MEMLOCK",
            )
            if hasattr(resource, name)
        }
    if sys.platform.startswith("linux"):
        results.update(_process_state())
    _say(results)


def _process_state() -> dict[str, Any]:
    """What a child started by a zygote must share with a spawned one
    (tests/db/test_sandbox_zygote.py compares them): environment, open fds
    and their kinds, working directory, process status, namespaces."""
    import stat

    kinds = {}
    for name in sorted((entry.name for entry in Path("/proc/self/fd").iterdir()), key=int):
        try:
            mode = os.fstat(int(name)).st_mode
        except OSError:  # the listing's own fd, closed once listed
            continue
        kinds[name] = next(
            (
                kind
                for kind, test in (
                    ("socket", stat.S_ISSOCK),
                    ("pipe", stat.S_ISFIFO),
                    ("device", stat.S_ISCHR),
                    ("file", stat.S_ISREG),
                )
                if test(mode)
            ),
            "other",
        )
    status = {}
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        key, _, value = line.partition(":")
        if key in ("Umask", "NoNewPrivs", "Threads", "SigBlk", "SigIgn", "SigCgt", "Seccomp"):
            status[key] = value.strip()
    try:
        next(Path(f"/proc/{os.getppid()}/fd").iterdir(), None)
        parent_fds = "open"
    except OSError as err:
        parent_fds = type(err).__name__
    return {
        "env": dict(os.environ),
        "fds": kinds,
        "cwd": str(Path.cwd()),
        "status": status,
        "net_namespace": str(Path("/proc/self/ns/net").readlink()),
        "ppid": os.getppid(),
        "parent_fds": parent_fds,
        "argv": sys.argv,
        "sys_path": sys.path,
        "stdio": [(s.encoding, s.errors) for s in (sys.stdin, sys.stdout, sys.stderr)],
        "flags": [sys.flags.dont_write_bytecode, sys.flags.utf8_mode, sys.flags.isolated],
    }


def main(argv: list[str]) -> int:
    limits = json.loads(os.environ.get("FIELDVAULT_SANDBOX_LIMITS", "{}")) or {
        "memory_bytes": 1 << 30,
        "cpu_seconds": 20,
        "open_files": 64,
        "max_input": 512 << 20,
    }
    task = argv[0] if argv else ""
    confine(limits)
    prepare(task)
    close_the_box()
    try:
        if task == "selftest":
            selftest()
        elif task == "examine":
            examine(stdin_source(limits["max_input"]))
        elif task == "c2pa" and len(argv) == 2:
            content_credentials(stdin_source(limits["max_input"]), argv[1])
        elif task == "image" and len(argv) == 2:
            image(stdin_source(limits["max_input"]), max(1, int(argv[1])))
        elif task == "pdf" and len(argv) == 4:
            width, first, count = (max(0, int(arg)) for arg in argv[1:])
            pdf(stdin_source(limits["max_input"]), max(1, width), first, max(1, count))
        else:
            _say({"error": "unknown task"})
            return 2
    except Exception as err:  # noqa: BLE001 - named by type, exit 0: an answer was given
        _say({"error": _error(err)})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
