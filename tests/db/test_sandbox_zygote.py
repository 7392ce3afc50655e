"""Parser children forked by the sandbox zygote (db/sandbox_zygote.py) are
the children a spawn gives (db/sandbox.py), and the zygote is no way out of
the box.

A child forked by the zygote and one spawned (``FIELDVAULT_SANDBOX_SPAWN=1``)
both run the real worker's ``selftest`` task, which reports what the box
achieved and the process it finds itself in: they must match (environment,
fds and their kinds, rlimits, dumpable flag, no_new_privs, a network
namespace of their own, the audit hook refusing a socket and a file write),
as tests/test_cli_helpers.py compares served and spawned commands.
Then the adversarial cases: a child sees no socket and no other child's fd;
a crashed or timed-out child retires the zygote (the next child comes
from a new one) without counting as its loss; a zygote killed -9
mid-run fails that run with a fixed phrase, takes its child with it, and
the next run works; the zygote ends with the process that started it."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from db import sandbox, sandbox_zygote
from db.sandbox import CRASHED, STOPPED, TIMED_OUT, Limits, SandboxFailed, SandboxRun
from db.sandbox_zygote import ZygoteChild

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the zygote is Linux only")

REPO = Path(__file__).resolve().parents[2]
WAIT_S = 30.0


def selftest(limits: Limits | None = None) -> dict[str, object]:
    answer = json.loads(SandboxRun("selftest", limits=limits).run(feed=lambda write: None))
    assert isinstance(answer, dict)
    return answer


def wait_for(condition: Callable[[], bool], what: str, timeout: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"no {what} within {timeout} s"
        time.sleep(0.01)


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its reaper is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):  # gone, or going as we read
        return False
    return state not in ("Z", "X")


@pytest.fixture
def spawn_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(sandbox.SPAWN_SWITCH, "1")


class BlockedRun:
    """A run whose child waits for input that does not come (the image task
    reading its stdin), in a thread; ``outcome`` holds how it ended."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.release = threading.Event()
        self.run = SandboxRun("image", "64", limits=limits)
        self.outcome: list[BaseException | bytes] = []
        self.thread = threading.Thread(target=self._run)
        self.thread.start()

    def _run(self) -> None:
        def feed(_write: Callable[[bytes], None]) -> None:
            self.release.wait(WAIT_S)  # the child waits for input that does not come

        try:
            self.outcome.append(self.run.run(feed=feed))
        except BaseException as err:  # noqa: BLE001 - the test looks at it
            self.outcome.append(err)

    def child_pid(self) -> int:
        def known() -> bool:
            process = self.run._process
            return process is not None and process.pid is not None

        wait_for(known, "child pid")
        process = self.run._process
        assert process is not None and process.pid is not None
        return process.pid

    def reason(self) -> str:
        """How the run ended (its feed let go first)."""
        self.release.set()
        self.thread.join(WAIT_S)
        assert not self.thread.is_alive()
        assert len(self.outcome) == 1 and isinstance(self.outcome[0], SandboxFailed), self.outcome
        return self.outcome[0].reason


@pytest.fixture
def blocked() -> Iterator[list[BlockedRun]]:
    runs: list[BlockedRun] = []
    yield runs
    for run in runs:
        run.run.kill()
        run.release.set()
        run.thread.join(WAIT_S)


def ready_zygote() -> int:
    """This process's zygote, started now if need be (the app starts it after
    a few spawned runs) and ready: runs from now on fork from it."""
    zygote = sandbox.start_zygote()
    assert zygote is not None
    return zygote


def test_a_zygote_child_is_the_child_a_spawn_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    limits = Limits(memory_bytes=700 << 20, cpu_seconds=9, open_files=48)
    zygote = ready_zygote()
    forked = selftest(limits)
    assert forked["ppid"] == zygote  # the zygote's child, not ours
    monkeypatch.setenv(sandbox.SPAWN_SWITCH, "1")
    spawned = selftest(limits)
    assert spawned["ppid"] == os.getpid()

    assert forked.pop("ppid") != spawned.pop("ppid")
    ours = str(Path("/proc/self/ns/net").readlink())
    assert forked.pop("net_namespace") != ours and spawned.pop("net_namespace") != ours
    # The parent's fds: the zygote is not dumpable; as root (CAP_SYS_PTRACE)
    # every process's are readable, the test process's and the zygote's alike.
    forked_parent, _spawned_parent = forked.pop("parent_fds"), spawned.pop("parent_fds")
    if os.geteuid() != 0:
        assert forked_parent == "PermissionError"
    # The memory cap: memory_bytes for the parse in both, on top of the
    # parsers a forked child holds already (review 24 F1).
    preloaded = forked.pop("preloaded_bytes")
    assert spawned.pop("preloaded_bytes") == 0
    assert isinstance(preloaded, int) and 20 << 20 < preloaded < 400 << 20
    forked_limits, spawned_limits = forked["rlimits"], spawned["rlimits"]
    assert isinstance(forked_limits, dict) and isinstance(spawned_limits, dict)
    forked_as, spawned_as = forked_limits.pop("RLIMIT_AS"), spawned_limits.pop("RLIMIT_AS")
    assert spawned_as == [700 << 20, 700 << 20]
    assert forked_as == [(700 << 20) + preloaded, (700 << 20) + preloaded]
    assert forked == spawned  # env, fds, cwd, status (umask, NoNewPrivs, signals), rlimits, flags
    # What they share is the box (test_sandbox.py checks it for spawned children):
    env = forked["env"]
    assert isinstance(env, dict) and json.loads(env["FIELDVAULT_SANDBOX_LIMITS"])["cpu_seconds"] == 9
    assert forked["socket"] == "Refused" and forked["file_write"] != "open"
    assert all(forked[flag] is True for flag in ("core", "file_size", "cpu", "memory", "not_dumpable"))
    assert forked["no_new_privs"] is True and forked["network_namespace"] is True
    status = forked["status"]
    assert isinstance(status, dict) and status["NoNewPrivs"] == "1" and status["Threads"] == "1"
    rlimits = forked["rlimits"]
    assert isinstance(rlimits, dict)
    assert rlimits["RLIMIT_NOFILE"] == [48, 48]


def test_a_child_holds_no_socket_and_no_other_childs_fd(blocked: list[BlockedRun]) -> None:
    # Two children of the same zygote at once: the second must not find
    # the first one's pipes, nor the zygote's control or reply sockets.
    zygote = ready_zygote()
    blocked.append(BlockedRun())
    blocked[0].child_pid()
    answer = selftest()
    assert answer["ppid"] == zygote
    fds = answer["fds"]
    assert isinstance(fds, dict)
    # stdin (the feed's pipe), stdout (a pipe), stderr and the worker's own
    # /dev/null (opened in confine): nothing else.
    assert fds == {"0": "pipe", "1": "pipe", "2": "device", "3": "device"}


def test_the_zygote_reads_no_input_and_holds_only_its_own_fds() -> None:
    zygote = ready_zygote()
    selftest()  # a run that ended

    # Its fds: /dev/null as 0, 1, 2, its control socket, and nothing of a
    # run that ended (a reply socket or an fd received for the child) once
    # it has closed that run's reply socket, just after writing the status.
    def kinds() -> list[str]:
        return sorted(
            os.readlink(f"/proc/{zygote}/fd/{fd}").split(":")[0] for fd in os.listdir(f"/proc/{zygote}/fd")
        )

    wait_for(
        lambda: kinds() == ["/dev/null", "/dev/null", "/dev/null", "socket"],
        "the zygote holding only its own fds",
    )
    status = Path(f"/proc/{zygote}/status").read_text(encoding="ascii")
    assert "\nThreads:\t1\n" in status and "\nNoNewPrivs:\t1\n" in status
    # No memory a child shares with the zygote and could write, for the
    # next child to find (a fork copies the rest on write).
    maps = Path(f"/proc/{zygote}/maps").read_text(encoding="ascii").splitlines()
    assert not [line for line in maps if line.split()[1][1] == "w" and line.split()[1][3] == "s"]


@pytest.mark.parametrize("spawned", [False, True], ids=["forked", "spawned"])
@pytest.mark.parametrize(
    ("signal_number", "phrase"),
    [
        (signal.SIGXCPU, TIMED_OUT),
        (signal.SIGKILL, CRASHED),  # not the app's kill: not "stopped"
        (signal.SIGSEGV, CRASHED),
        (signal.SIGABRT, CRASHED),
    ],
)
def test_a_child_ended_by_a_signal_gives_the_same_phrase_forked_or_spawned(
    blocked: list[BlockedRun],
    monkeypatch: pytest.MonkeyPatch,
    spawned: bool,
    signal_number: int,
    phrase: str,
) -> None:
    # What the kernel does to a child past RLIMIT_CPU (SIGXCPU), out of
    # memory (SIGKILL by the OOM killer) or crashed: the status the zygote
    # relays maps to the phrase a spawned child's exit maps to. A SIGKILL
    # the app did not ask for is a crash: "stopped" is for a cancel or a
    # lock (the viewer shows nothing for it).
    if spawned:
        monkeypatch.setenv(sandbox.SPAWN_SWITCH, "1")
    else:
        ready_zygote()
    run = BlockedRun()
    blocked.append(run)
    child = run.child_pid()
    assert isinstance(run.run._process, ZygoteChild) != spawned
    os.kill(child, signal_number)
    assert run.reason() == phrase


@pytest.mark.parametrize(
    ("ending", "phrase"),
    [("crash", CRASHED), ("cpu_time", TIMED_OUT), ("wall_time", TIMED_OUT)],
)
def test_after_a_crashed_or_timed_out_child_the_next_comes_from_a_new_zygote(
    blocked: list[BlockedRun], monkeypatch: pytest.MonkeyPatch, ending: str, phrase: str
) -> None:
    # A crash is how an exploit that guesses addresses fails, and a hang
    # (killed past its wall time, or by the kernel past its CPU time) how
    # one that probes them may end; a zygote's children share its memory
    # layout: the next child gets a new one. Not a lost zygote: no count
    # towards spawning for good (MAX_ZYGOTE_LOSSES).
    monkeypatch.setattr(sandbox, "_zygote_losses", 0)
    zygote = ready_zygote()
    # (2 s: its pid is known long before, even under load; a run timed out
    # before its fork has no child to look at.)
    ended = BlockedRun(Limits(wall_seconds=2.0) if ending == "wall_time" else None)
    blocked.append(ended)
    child = ended.child_pid()
    if ending == "wall_time":
        wait_for(lambda: not alive(child), "end of the hung child")  # killed at its wall time
    else:
        os.kill(child, signal.SIGSEGV if ending == "crash" else signal.SIGXCPU)
    assert ended.reason() == phrase
    wait_for(lambda: not alive(zygote), "end of the retired zygote")
    answer = selftest()  # spawned while a new zygote gets ready
    assert answer["socket"] == "Refused" and answer["ppid"] != zygote
    new = ready_zygote()
    assert new != zygote and selftest()["ppid"] == new
    assert sandbox.running() == 0
    assert sandbox._zygote_losses == 0


def test_a_zygote_that_does_not_end_a_timed_out_child_counts_as_lost(
    blocked: list[BlockedRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The zygote kills a timed-out child on the app's word; one that does
    # not report it (here: stopped, as a hostile sibling could) is killed
    # by the app, with the child, and that is a loss of the zygote.
    monkeypatch.setattr(sandbox, "_zygote_losses", 0)
    monkeypatch.setattr(sandbox_zygote, "KILL_GRACE_S", 0.5)
    zygote = ready_zygote()
    hung = BlockedRun(Limits(wall_seconds=3.0))  # stopped below long before its wall time
    blocked.append(hung)
    child = hung.child_pid()
    os.kill(zygote, signal.SIGSTOP)
    try:
        wait_for(lambda: not alive(zygote), "the app to kill the stopped zygote")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(zygote, signal.SIGCONT)
    assert hung.reason() == TIMED_OUT
    wait_for(lambda: not alive(child), "end of the zygote's child")  # PR_SET_PDEATHSIG
    assert sandbox.zygote_pid() is None  # the lost zygote is let go of: counted
    assert sandbox._zygote_losses == 1
    assert selftest()["socket"] == "Refused"  # the next run works (spawned, or a new zygote's)
    assert sandbox.running() == 0


def test_a_zygote_retired_with_children_running_ends_after_the_last(blocked: list[BlockedRun]) -> None:
    # Another run's child of the same zygote finishes its work first.
    zygote = ready_zygote()
    other = BlockedRun()
    blocked.append(other)
    other.child_pid()
    crashed = BlockedRun()
    blocked.append(crashed)
    os.kill(crashed.child_pid(), signal.SIGSEGV)
    assert crashed.reason() == CRASHED
    assert alive(zygote)  # still serving its running child
    assert selftest()["ppid"] != zygote  # new runs: spawned, then a new zygote's
    other.release.set()  # its input ends: the child answers (no image in no bytes)
    other.thread.join(WAIT_S)
    assert other.outcome == [b'{"error": "unreadable file (UnidentifiedImageError)"}\n']
    wait_for(lambda: not alive(zygote), "end of the retired zygote")


def test_a_zygote_killed_mid_run_fails_that_run_and_the_next_one_works(blocked: list[BlockedRun]) -> None:
    zygote = ready_zygote()
    run = BlockedRun()
    blocked.append(run)
    child = run.child_pid()
    os.kill(zygote, signal.SIGKILL)
    assert run.reason() == CRASHED  # a fixed phrase
    wait_for(lambda: not alive(child), "end of the zygote's child")  # PR_SET_PDEATHSIG
    assert sandbox.running() == 0
    answer = selftest()
    assert answer["socket"] == "Refused" and answer["ppid"] != zygote  # a new zygote, or spawned
    assert answer["ppid"] in (sandbox.zygote_pid(), os.getpid())


@pytest.mark.parametrize("spawned", [False, True], ids=["forked", "spawned"])
def test_stop_all_kills_a_zygote_child(
    blocked: list[BlockedRun], monkeypatch: pytest.MonkeyPatch, spawned: bool
) -> None:
    # Its SIGKILL is the app's: "stopped", spawned or forked.
    if spawned:
        monkeypatch.setenv(sandbox.SPAWN_SWITCH, "1")
    else:
        ready_zygote()
    run = BlockedRun()
    blocked.append(run)
    child = run.child_pid()
    assert isinstance(run.run._process, ZygoteChild) != spawned
    assert sandbox.running() == 1
    sandbox.stop_all()
    assert run.reason() == STOPPED
    assert not alive(child) and sandbox.running() == 0


def test_a_run_stopped_before_its_fork_gets_no_child(blocked: list[BlockedRun]) -> None:
    # A zygote busy elsewhere (here: stopped) has not forked the child when
    # stop_all() comes (a lock, a panic wipe): the run counts as stopped at
    # once, and no child is forked for it later.
    zygote = ready_zygote()
    os.kill(zygote, signal.SIGSTOP)
    try:
        run = BlockedRun()
        blocked.append(run)
        wait_for(lambda: sandbox.running() == 1, "the run")
        sandbox.stop_all()
        assert sandbox.running() == 0
    finally:
        with contextlib.suppress(ProcessLookupError):  # killed by stop_all
            os.kill(zygote, signal.SIGCONT)
    assert run.reason() == STOPPED
    process = run.run._process
    assert process is not None and process.pid is None
    # stop_all killed the zygote of a forked run (review 24 F3): whatever it
    # had forked died with it; the next run comes from a new one.
    assert not alive(zygote)
    new_zygote = ready_zygote()
    assert new_zygote != zygote and selftest()["ppid"] == new_zygote


def test_stop_all_kills_a_forked_child_whose_zygote_a_hostile_sibling_stopped(
    blocked: list[BlockedRun],
) -> None:
    # A child taken over by a hostile file runs as the same user: it can
    # SIGSTOP the zygote, which kills forked children on the app's word. The
    # lock (stop_all) must still end every child at once, the viewer's with
    # decrypted pages among them (review 24 F3): the zygote is killed, its
    # children die with it (PR_SET_PDEATHSIG).
    zygote = ready_zygote()
    run = BlockedRun()
    blocked.append(run)
    child = run.child_pid()
    os.kill(zygote, signal.SIGSTOP)
    try:
        sandbox.stop_all()
        wait_for(lambda: not alive(child), "the child to die", timeout=2.0)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(zygote, signal.SIGCONT)
    assert run.reason() == STOPPED
    assert not alive(zygote) and sandbox.running() == 0


def test_the_zygote_ends_with_the_process_that_started_it(tmp_path: Path) -> None:
    # A process that starts a zygote, leaves a child blocked and dies
    # without any clean-up (os._exit): EOF on the control socket.
    script = f"""
import json, os, sys, threading, time
sys.path.insert(0, {str(REPO)!r})
from db import sandbox
sandbox.start_zygote()
run = sandbox.SandboxRun("image", "64")
threading.Thread(target=lambda: run.run(feed=lambda write: time.sleep(60)), daemon=True).start()
while run._process is None or run._process.pid is None:
    time.sleep(0.01)
print(json.dumps([sandbox.zygote_pid(), run._process.pid]), flush=True)
os._exit(0)
"""
    env = {key: value for key, value in os.environ.items() if key != sandbox.SPAWN_SWITCH}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=WAIT_S, env=env, check=True
    )
    zygote, child = json.loads(done.stdout)
    assert isinstance(zygote, int) and isinstance(child, int)
    wait_for(lambda: not alive(zygote), "end of the zygote")
    wait_for(lambda: not alive(child), "end of its child")


def test_the_spawn_switch_spawns(spawn_only: None) -> None:
    assert sandbox.start_zygote() is None
    assert selftest()["ppid"] == os.getpid()


def test_a_process_spawns_its_first_runs_then_forks() -> None:
    # A command that examines a file or two (two children each: examine,
    # c2pa) ends before a zygote's imports would pay off; a longer-lived
    # process (the GUI, a batch) starts one after a few runs and forks from
    # it once it is ready, spawning meanwhile.
    script = f"""
import json, os, sys, time
sys.path.insert(0, {str(REPO)!r})
from db import sandbox
def parent():
    return json.loads(sandbox.SandboxRun("selftest").run(feed=lambda write: None))["ppid"]
first = [parent() for _ in range(sandbox.ZYGOTE_AFTER_RUNS)]
started = sandbox.zygote_pid()
later = [parent() for _ in range(3)]
deadline = time.monotonic() + 60
while sandbox.zygote_pid() is None or parent() != sandbox.zygote_pid():
    assert time.monotonic() < deadline
print(json.dumps([os.getpid(), first, started, later, sandbox.zygote_pid()]))
"""
    env = {key: value for key, value in os.environ.items() if key != sandbox.SPAWN_SWITCH}
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=WAIT_S * 4,
        env=env,
        check=True,
    )
    pid, first, started, later, zygote = json.loads(done.stdout)
    assert first == [pid] * 4 and started is None  # spawned, no zygote yet
    assert zygote is not None and set(later) <= {pid, zygote}  # spawned until it is ready


def sandbox_children(parent: int) -> list[int]:
    """Processes (zombies too) whose parent is ``parent`` and that are a
    zygote or a parser child (their command line names the sandbox)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, ValueError):  # gone as we read
            continue
        if ppid == parent and b"sandbox" in command:
            found.append(int(entry.name))
    return found


def test_a_timed_out_childs_zygote_is_gone_when_the_run_returns(blocked: list[BlockedRun]) -> None:
    # The retired zygote is waited for before the run returns (Zygote.close):
    # no zygote, no child of it, not even a zombie, is left behind.
    zygote = ready_zygote()
    hung = BlockedRun(Limits(wall_seconds=2.0))
    blocked.append(hung)
    child = hung.child_pid()
    wait_for(lambda: not alive(child), "end of the hung child")  # killed at its wall time
    assert hung.reason() == TIMED_OUT  # the run has returned
    assert not Path(f"/proc/{zygote}").exists()  # exited and reaped
    assert not Path(f"/proc/{child}").exists()
    assert sandbox_children(os.getpid()) == [] and sandbox_children(zygote) == []
    assert sandbox.running() == 0 and sandbox.zygote_pid() is None


def test_a_zygote_told_to_end_skips_the_interpreters_shutdown(tmp_path: Path) -> None:
    # Its end is waited for when a child's timeout or crash retires it, and
    # an interpreter's shutdown with every parser loaded took 80-220 ms of
    # that (its children are reaped before; it has nothing to flush).
    marker = tmp_path / "shut down"
    command = [
        sys.executable,
        "-c",
        f"import atexit, sys; atexit.register(lambda: open({str(marker)!r}, 'w').close())\n"
        "from db.sandbox_zygote import main; sys.exit(main(sys.argv[1:]))",
    ]
    env = sandbox.child_environment(Limits())
    del env["FIELDVAULT_SANDBOX_LIMITS"]
    zygote = sandbox_zygote.Zygote.start(command, env)
    assert zygote.wait_ready(WAIT_S)
    zygote.close(timeout=WAIT_S)
    assert zygote.process.returncode == 0  # ended by itself, not killed
    assert not marker.exists()


@pytest.mark.parametrize("ours", [False, True], ids=["not_ours", "cancelled"])
def test_a_sigkill_the_app_did_not_ask_for_retires_the_zygote(
    blocked: list[BlockedRun], monkeypatch: pytest.MonkeyPatch, ours: bool
) -> None:
    # The kernel's OOM killer ends a child with SIGKILL (here: this test's
    # kill, which the app did not ask for either), and running out of
    # memory is a way an exploit can fail: the zygote is retired, as after
    # a crash. A child killed on the app's own word (a cancel) is not
    # suspicious: the next child comes from the same zygote.
    monkeypatch.setattr(sandbox, "_zygote_losses", 0)
    zygote = ready_zygote()
    run = BlockedRun()
    blocked.append(run)
    child = run.child_pid()
    if ours:
        run.run.kill()
    else:
        os.kill(child, signal.SIGKILL)
    assert run.reason() == (STOPPED if ours else CRASHED)  # the run has returned
    if ours:
        assert sandbox.zygote_pid() == zygote and selftest()["ppid"] == zygote
    else:
        assert not Path(f"/proc/{zygote}").exists()  # retired, ended and reaped
        assert sandbox.zygote_pid() is None
    assert sandbox._zygote_losses == 0 and sandbox.running() == 0
