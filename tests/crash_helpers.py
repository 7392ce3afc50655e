"""Forked children that the parent kills with SIGKILL: the crash tests of
saves, intake, export and the key file share these.

The child runs a body that reports over a pipe, one JSON line per message
(``send``): "open" once the vault is open, then "begin"/"done" around each
operation. The parent (``run_child``) kills it a given time after "open", or
lets it die by itself at a chosen step (``die``, ``die_at_checkpoint``), and
gets back everything it sent before it died.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from db.errors import FieldvaultError, WrongPassphrase
from tests.vault_helpers import open_vault

STRESS = os.environ.get("FIELDVAULT_STRESS") == "1"  # make stress: many more kill points
MAX_DELAY = 0.150  # seconds after the child has opened the vault
CHILD_LIFETIME = 20.0  # a child never killed stops by itself
WAIT = 30.0  # longest wait for a child's message

FILLER = (
    "Свідок бачив, як двох полонених вивели з підвалу школи і повели до лісу. "
    "The witness saw two detainees taken from the school basement towards the forest. "
)


# -- the child side (runs in a forked process, never returns) -------------


def send(fd: int, **message: Any) -> None:
    """One line to the parent. Small lines (< PIPE_BUF) reach the pipe whole."""
    data = (json.dumps(message) + "\n").encode()
    assert len(data) < select.PIPE_BUF, message
    os.write(fd, data)


def child_main(fd: int, body: Callable[[int], None]) -> NoReturn:
    """Run ``body(fd)`` in the forked child and leave without returning to pytest."""
    code = 0
    try:
        body(fd)
    except Exception:  # noqa: BLE001 - sent to the parent, which fails the test with it
        code = 1
        with_tb = traceback.format_exc()
        for start in range(0, len(with_tb), 400):
            send(fd, e="error", text=with_tb[start : start + 400])
    finally:
        os._exit(code)


def die(*_args: Any, **_kwargs: Any) -> None:
    """SIGKILL this process (the child) at once; takes any arguments, so that it
    can stand in for the function a test wants to die in."""
    os.kill(os.getpid(), signal.SIGKILL)


def die_at_checkpoint(target: int) -> Callable[[], None]:
    """In the child: SIGKILL itself just before or just after the ``target``-th
    call (1-based, counting before and after separately) of the os functions
    atomic_write and fsync_directory use. SQLite's own I/O is in C, untouched.
    Returns a function that puts the os functions back."""
    counter = 0
    names = ("open", "write", "fsync", "close", "replace")
    originals = {name: getattr(os, name) for name in names}

    def checkpoint() -> None:
        nonlocal counter
        counter += 1
        if counter == target:
            os.kill(os.getpid(), signal.SIGKILL)

    def wrap(function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            checkpoint()
            result = function(*args, **kwargs)
            checkpoint()
            return result

        return wrapper

    def restore() -> None:
        for name, function in originals.items():
            setattr(os, name, function)

    for name, function in originals.items():
        setattr(os, name, wrap(function))
    return restore


# -- the parent side --------------------------------------------------------


@dataclass
class ChildRun:
    messages: list[dict[str, Any]] = field(default_factory=list)
    killed: bool = False
    exit_status: int = 0

    def errors(self) -> str:
        return "".join(m["text"] for m in self.messages if m["e"] == "error")


class Pipe:
    """Reads a child's lines from a pipe, without ever letting the pipe fill."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""
        self.messages: list[dict[str, Any]] = []
        self.closed = False

    def pump(self, until: float) -> None:
        """Read what arrives until the monotonic time ``until`` (or EOF)."""
        while not self.closed:
            left = until - time.monotonic()
            if left <= 0:
                return
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                self.read_some()

    def read_some(self) -> None:
        chunk = os.read(self.fd, 65536)
        if not chunk:
            self.closed = True
            return
        self.buffer += chunk
        *lines, self.buffer = self.buffer.split(b"\n")
        self.messages += [json.loads(line) for line in lines]

    def wait_for(self, event: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not self.closed and time.monotonic() < deadline:
            if any(m["e"] in (event, "error") for m in self.messages):
                break
            self.pump(min(deadline, time.monotonic() + 0.05))
        return any(m["e"] == event for m in self.messages)


def run_child(body: Callable[[int], None], *, kill_after: float | None) -> ChildRun:
    """Fork a child running ``body(write_fd)``; kill it ``kill_after`` seconds
    after it sent its "open" line (None: let it finish). Returns all it sent."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_fd)
        child_main(write_fd, body)
    os.close(write_fd)
    pipe = Pipe(read_fd)
    result = ChildRun()
    try:
        if kill_after is not None:
            if pipe.wait_for("open", WAIT):
                pipe.pump(time.monotonic() + kill_after)
            os.kill(pid, signal.SIGKILL)
        pipe.pump(time.monotonic() + WAIT)  # to EOF: everything sent before death
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)  # never leave a child behind
        _, status = os.waitpid(pid, 0)
        os.close(read_fd)
    result.messages = pipe.messages
    result.killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    result.exit_status = os.waitstatus_to_exitcode(status)
    assert not result.errors(), f"the child failed:\n{result.errors()}"
    return result


# -- the key file -----------------------------------------------------------


def opening_passphrases(folder: Path, candidates: list[str], where: str) -> list[str]:
    """Which of ``candidates`` open the vault (each opened vault is checked and closed)."""
    opening = []
    for passphrase in candidates:
        try:
            vault = open_vault(folder, passphrase)
        except WrongPassphrase:
            continue
        except FieldvaultError as err:
            raise AssertionError(f"{where}: the vault does not open: {err}") from err
        try:
            assert vault.integrity_check() == [], where
            assert vault.testimonies.count() == 1, where
        finally:
            vault.lock()
        opening.append(passphrase)
    return opening
