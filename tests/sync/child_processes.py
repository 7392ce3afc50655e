"""Watching the age child processes of sync/bundle/age_child.py from a test
(Linux /proc): which children a process has, whether one has ended."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest


def all_children(pid: int | None = None) -> set[int]:
    """The children of ``pid`` (this process by default), over all its threads."""
    found: set[int] = set()
    for task in Path(f"/proc/{os.getpid() if pid is None else pid}/task").iterdir():
        try:
            with (task / "children").open() as listed:
                found.update(int(child) for child in listed.read().split())
        except FileNotFoundError:  # a thread that ended since the listing
            continue
    return found


class NewChildren:
    """This process's children started since it was made (a fork server of
    tests/cli_helpers.py may live on from before: only new ones count)."""

    def __init__(self) -> None:
        self._earlier = all_children()

    def reset(self) -> None:
        """Count from now (at the start of each test)."""
        self._earlier = all_children()

    def __call__(self) -> set[int]:
        return all_children() - self._earlier


def wait_for(condition: Callable[[], bool], seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def zombie(pid: int) -> bool:
    try:
        return "State:\tZ" in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True


def gone(pid: int) -> bool:
    return not Path(f"/proc/{pid}").exists() or zombie(pid)


def workers(started: set[int]) -> set[int]:
    """The processes that do the work: each age child forks once it is
    confined and only waits for its fork (review 29 F1)."""
    return {worker for pid in started for worker in all_children(pid)}


def descriptors(pid: int) -> list[str]:
    return sorted(fd.name for fd in Path(f"/proc/{pid}/fd").iterdir())


KILLED_AT_START = "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"


def kill_decrypting_children(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on every decrypting child is killed by SIGKILL as it
    starts (what the OOM killer does to it, made certain), and a test's
    small bundle is decrypted in a child, as one of 128 MiB or more is
    (reader.CHILD_FROM_BYTES). age_child's own code runs as it is: only
    the program it starts is replaced (review 30)."""
    import sys

    from sync.bundle import age_child, reader

    monkeypatch.setattr(reader, "CHILD_FROM_BYTES", 0)
    monkeypatch.setattr(reader, "DECRYPT_IN_CHILD", True)
    monkeypatch.setattr(age_child, "command", lambda parent: [sys.executable, "-c", KILLED_AT_START])


def ran_within(
    seconds: float, work: Callable[[], object], release: Callable[[], Iterable[int]]
) -> tuple[bool, list[BaseException]]:
    """Run ``work`` on a thread and wait ``seconds`` for it: whether it was
    done by then, and what it raised. Then the processes ``release`` names
    are killed (SIGKILL, harmless to those already gone), so that work the
    code under test left waiting on them ends and the test can go on."""
    raised: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # noqa: BLE001 - the caller asserts on it
            raised.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=seconds)
    done = not thread.is_alive()
    for pid in release():
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    thread.join(timeout=60)
    return done, raised
