"""Forked children that the parent kills with SIGKILL: the crash tests of
saves, intake, export and the key file share these.

The child runs a body that reports over a pipe, one JSON line per message
(``send``, stamped with the child's monotonic clock): "open" once the vault is
open, then "begin"/"done" around each operation. The parent (``run_child``)
kills it a given time after "open", or at a time its ``kill_when`` picks from
what the child sent so far, or lets it die by itself at a chosen step (``die``,
``die_at_checkpoint``), and gets back everything it sent before it died.

A wall-clock delay after "open" lands wherever the child happens to be, and
on a loaded machine that is often before the first operation started. Kills
meant for the inside of an operation are aimed instead: the child announces
the phases of its real write path (``announce`` wraps one of our functions so
that it sends a line when called or when it returns: observation only, the
function runs unchanged), and ``PhaseClock`` kills a chosen fraction of the
way through a chosen phase, scaled by how long that phase took in earlier
rounds, so that the kill lands inside it whatever the load.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import select
import signal
import time
import traceback
from collections.abc import Callable, Sequence
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
    """One line to the parent. Small lines (< PIPE_BUF) reach the pipe whole.
    "t" is the child's CLOCK_MONOTONIC, which the parent shares (PhaseClock)."""
    message.setdefault("t", time.monotonic())
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


def announce(fd: int, owner: Any, name: str, event: str, *, when: str = "call") -> None:
    """In the child: make ``owner.name`` (a function of ours, looked up there
    at each call) send ``{"e": event}`` when it is called (``when="call"``) or
    once it returned (``when="return"``). Observation only: the function runs
    unchanged, with the same arguments, and its result or exception passes
    through."""
    original = getattr(owner, name)
    assert when in ("call", "return"), when

    def announcing(*args: Any, **kwargs: Any) -> Any:
        if when == "call":
            send(fd, e=event)
            return original(*args, **kwargs)
        result = original(*args, **kwargs)
        send(fd, e=event)
        return result

    setattr(owner, name, announcing)


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

    def pump_once(self, until: float) -> None:
        """Read what has arrived, waiting until ``until`` at most for something."""
        ready, _, _ = select.select([self.fd], [], [], max(0.0, until - time.monotonic()))
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


KillWhen = Callable[[list[dict[str, Any]]], float | None]


def run_child(
    body: Callable[[int], None], *, kill_after: float | None, kill_when: KillWhen | None = None
) -> ChildRun:
    """Fork a child running ``body(write_fd)``; kill it ``kill_after`` seconds
    after it sent its "open" line (None: let it finish), or, with ``kill_when``,
    at the monotonic time it returns when shown the messages so far (it is asked
    again as each arrives; never asked: killed after WAIT). Returns all it sent."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_fd)
        child_main(write_fd, body)
    os.close(write_fd)
    pipe = Pipe(read_fd)
    result = ChildRun()
    try:
        if kill_when is not None:
            give_up = time.monotonic() + WAIT
            kill_at = None
            while kill_at is None and not pipe.closed and time.monotonic() < give_up:
                if any(m["e"] == "error" for m in pipe.messages):
                    break
                kill_at = kill_when(pipe.messages)
                if kill_at is None:
                    pipe.pump_once(give_up)
            if kill_at is not None:
                pipe.pump(min(kill_at, give_up))
            os.kill(pid, signal.SIGKILL)
        elif kill_after is not None:
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


# -- kills aimed at a phase ---------------------------------------------------


class PhaseClock:
    """Aims kills inside the phases of a child that repeats a round of steps.

    ``phases`` are the events the child sends in each round, in order (the
    first one starts a round); phase i runs from event i to event i+1, the last
    one to the next round's first event. The clock learns how long each phase
    took, from the child's own time stamps, in every child it saw (``learn``)
    and in the earlier rounds of the child being run; ``aim`` then kills at
    ``fraction`` of the shortest of the phase's last few durations after the
    phase began. The shortest, because a phase runs at least that long unless
    the machine got faster meanwhile: the kill lands inside it at any load, and
    on a loaded machine (a slower phase) only nearer its start. Where a kill
    landed is what the child sent last (``landed``)."""

    RECENT = 5  # durations kept a phase: the load of the last seconds

    def __init__(self, phases: Sequence[str]) -> None:
        assert len(set(phases)) == len(phases) >= 2, phases
        self.phases = tuple(phases)
        self.durations: dict[str, list[float]] = {phase: [] for phase in self.phases}

    def _rounds(self, messages: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
        rounds: list[list[dict[str, Any]]] = []
        for message in messages:
            if message["e"] == self.phases[0]:
                rounds.append([])
            if rounds and message["e"] in self.phases:
                rounds[-1].append(message)
        return rounds

    def _measured(self, messages: list[dict[str, Any]]) -> dict[str, list[tuple[float, float]]]:
        """(end, duration) of each phase that ended in ``messages``."""
        found: dict[str, list[tuple[float, float]]] = {phase: [] for phase in self.phases}
        steps = [m for round_ in self._rounds(messages) for m in round_]
        for here, following in itertools.pairwise(steps):
            i = self.phases.index(here["e"])
            if following["e"] == self.phases[(i + 1) % len(self.phases)]:
                found[here["e"]].append((following["t"], following["t"] - here["t"]))
        return found

    def learn(self, messages: list[dict[str, Any]]) -> None:
        for phase, measured in self._measured(messages).items():
            self.durations[phase] = (self.durations[phase] + [d for _, d in measured])[-self.RECENT :]

    def aim(self, phase: str, fraction: float, *, round_: int = 0) -> KillWhen:
        """Kill ``fraction`` (0-1) of the way through ``phase`` of the child's
        ``round_``-th round (0-based), or of the first round after it for which
        a duration of that phase is known."""
        assert phase in self.phases and 0 <= fraction < 1, (phase, fraction)

        def kill_when(messages: list[dict[str, Any]]) -> float | None:
            measured = self._measured(messages)[phase]
            for number, round_messages in enumerate(self._rounds(messages)):
                start = next((m for m in round_messages if m["e"] == phase), None)
                if number < round_ or start is None:
                    continue
                # From earlier children, and this child's rounds ended before.
                known = self.durations[phase] + [d for end, d in measured if end <= start["t"]]
                if known:
                    return float(start["t"]) + fraction * min(known[-self.RECENT :])
            return None

        return kill_when

    def landed(self, messages: list[dict[str, Any]]) -> str:
        """The phase the child was in when it died ("" before the first round)."""
        steps = [m["e"] for m in messages if m["e"] in self.phases]
        return steps[-1] if steps else ""


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
