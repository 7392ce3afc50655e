"""The age layer decrypted in a child process (sync/bundle/age_child.py): the
same bundles read back and the same refusals come out as when this process
decrypts; the child gets its key only through its stdin, writes no file,
dumps no core, and is gone after a cancel, a refusal or its parent's death."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyrage
import pytest

from db.api import StorageError
from sync.bundle import BlobEntry, BundleNotRead, BundleRejected, age_child, read_bundle, reader
from sync.bundle.format import MAGIC, canonical, sign_header
from tests.sync.bundle_samples import Sample, archive, forge, plain_members, write_sample
from tests.sync.child_processes import (
    NewChildren,
    all_children,
    descriptors,
    gone,
    ran_within,
    wait_for,
    workers,
)

pytestmark = pytest.mark.skipif(not age_child.AVAILABLE, reason="the child is used on Linux only")

IDENTITY = pyrage.x25519.Identity.generate()
RECIPIENT = str(IDENTITY.to_public())
SECRET = str(IDENTITY)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Sample]:
    path = tmp_path_factory.mktemp("bundle") / "sample.fvbundle"
    return path, write_sample(path, [RECIPIENT])


@pytest.fixture(autouse=True)
def _child_for_any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    # The samples here are small; the app starts a child only from
    # reader.CHILD_FROM_BYTES (test_a_small_bundle_starts_no_child).
    monkeypatch.setattr(reader, "CHILD_FROM_BYTES", 0)


@pytest.fixture(params=["child", "here"])
def where(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(reader, "DECRYPT_IN_CHILD", request.param == "child")
    return str(request.param)


_children = NewChildren()


@pytest.fixture(autouse=True)
def _earlier_children() -> None:
    _children.reset()


def _resign(data: bytes, made: Sample, payload: bytes) -> bytes:
    """``data`` with another payload, its header re-signed by the sample's
    device: a refusal must then come from the payload itself."""
    n = int.from_bytes(data[20:24], "big")
    header = json.loads(data[24 : 24 + n])
    header.update(payload_size=len(payload), payload_sha256=hashlib.sha256(payload).hexdigest())
    header_bytes = canonical(header)
    signature = sign_header(made.device.private_key, header_bytes)
    return MAGIC + len(header_bytes).to_bytes(4, "big") + header_bytes + signature + payload


def _payload(data: bytes) -> bytes:
    n = int.from_bytes(data[20:24], "big")
    return data[24 + n + 64 :]


def _reason(data: bytes, identity: object = SECRET) -> str:
    with pytest.raises(BundleRejected) as refused:
        read_bundle(io.BytesIO(data), identity)
    return refused.value.reason


class _Sink(bytearray):
    def write(self, data: bytes) -> int:
        self.extend(data)
        return len(data)

    def close(self) -> None:
        pass


def test_a_bundle_reads_back_whole(written, where):
    path, made = written
    files: dict[str, _Sink] = {}

    def open_blob(entry: BlobEntry) -> _Sink:
        return files.setdefault(entry.sha256, _Sink())

    opened = read_bundle(path, SECRET, open_blob=open_blob)
    assert opened.revisions == list(made.contents.revisions)
    assert opened.custody == list(made.contents.custody)
    assert {sha: bytes(data) for sha, data in files.items()} == made.blob_bytes
    assert _children() == set()


def test_every_refusal_gives_the_same_reason_in_the_child_and_here(written, where):
    path, made = written
    data = path.read_bytes()
    payload = _payload(data)
    other = pyrage.x25519.Identity.generate()
    middle = bytearray(payload)
    middle[len(payload) // 2] ^= 0x20  # a chunk that fails its tag
    header_end = payload.index(b"\n---") + 60  # past the age header's MAC line
    cases: dict[str, tuple[bytes, object]] = {
        "not-a-recipient": (data, other),
        "payload-form (not age)": (_resign(data, made, b"not age at all"), SECRET),
        "payload-form (a tag fails)": (_resign(data, made, bytes(middle)), SECRET),
        "payload-form (cut age stream)": (_resign(data, made, payload[: len(payload) - 100]), SECRET),
        "payload-form (age header only)": (_resign(data, made, payload[:header_end]), SECRET),
        "payload-hash": (data[:-300] + bytes([data[-300] ^ 1]) + data[-299:], SECRET),
        "truncated": (data[:-1], SECRET),
        "trailing-data": (data + b"x", SECRET),
        "archive-form": (forge(b"not a tar archive" * 100, made, [RECIPIENT]), SECRET),
        "manifest-signature": (
            forge(
                archive([plain_members(made)[0], ("manifest.sig", bytes(64)), *plain_members(made)[2:]]),
                made,
                [RECIPIENT],
            ),
            SECRET,
        ),
    }
    expected = {
        "not-a-recipient": "not-a-recipient",
        "payload-form (not age)": "payload-form",
        "payload-form (a tag fails)": "payload-form",
        "payload-form (cut age stream)": "payload-form",
        "payload-form (age header only)": "payload-form",
        "payload-hash": "payload-hash",
        "truncated": "truncated",
        "trailing-data": "trailing-data",
        "archive-form": "archive-form",
        "manifest-signature": "manifest-signature",
    }
    got = {name: _reason(bundle, identity) for name, (bundle, identity) in cases.items()}
    assert got == expected
    assert _children() == set()


def test_the_child_gets_its_key_through_stdin_only_and_is_confined(written):
    path, _ = written
    seen: dict[str, str] = {}

    def look(done: int, total: int) -> None:
        for pid in workers(_children()):
            proc = Path(f"/proc/{pid}")
            try:
                with (proc / "cmdline").open("rb") as f:
                    cmdline = f.read().decode(errors="replace")
                with (proc / "environ").open("rb") as f:
                    environ = f.read().decode(errors="replace")
                limits = (proc / "limits").read_text()
                status = (proc / "status").read_text()
            except (FileNotFoundError, ProcessLookupError):  # it ended since the listing
                continue
            if not cmdline:  # a zombie: its memory, and so its environment, is gone
                continue
            seen.update(cmdline=cmdline, environ=environ, limits=limits, status=status)

    big = bytes(range(256)) * (12 * 4096)  # 12 MiB: the read takes several pieces
    tmp = path.parent / "big.fvbundle"
    write_sample(tmp, [RECIPIENT], blobs=[big])
    read_bundle(tmp, SECRET, progress=look)
    assert seen, "no child was seen while the payload was read"
    secret_part = SECRET.split("1", 1)[1][:20]
    assert "AGE-SECRET-KEY" not in seen["cmdline"] and secret_part not in seen["cmdline"]
    assert "AGE-SECRET-KEY" not in seen["environ"] and secret_part not in seen["environ"]
    assert seen["environ"] == "LC_ALL=C.UTF-8\x00"
    limits = {line[:26].strip(): line[26:].split()[0] for line in seen["limits"].splitlines()[1:]}
    assert limits["Max core file size"] == "0"
    assert limits["Max file size"] == "0"
    assert _children() == set()


def test_the_childs_stderr_is_silenced(tmp_path):
    # Its own program, given nonsense: it prints nothing anywhere, and says
    # with its status that it could not start.
    result = subprocess.run(
        age_child.command(os.getpid()), input=b"\x00\x00\x00\x05hello", capture_output=True, timeout=60
    )
    assert result.returncode == age_child.BAD_START
    assert (result.stdout, result.stderr) == (b"", b"")


def test_a_cancel_stops_the_read_and_the_child(tmp_path, where):
    big = os.urandom(24 << 20)
    path = tmp_path / "big.fvbundle"
    write_sample(path, [RECIPIENT], blobs=[big])
    calls: list[int] = []

    class Cancelled(Exception):
        pass

    def cancel(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 3:
            raise Cancelled

    started = time.monotonic()
    with pytest.raises(Cancelled):
        read_bundle(path, SECRET, open_blob=lambda entry: _Sink(), progress=cancel)
    assert time.monotonic() - started < 20
    assert len(calls) == 3 and calls[-1] < path.stat().st_size // 2
    assert _children() == set()


def test_a_sinks_own_failure_comes_out_as_it_is(written, where):
    """The vault's blob writer turns a failed write into StorageError: that
    error, not a refusal of the bundle, and no child left."""
    path, _ = written

    class Full:
        def write(self, data: bytes) -> int:
            raise StorageError("store the evidence file", OSError(28, "No space left on device"))

        def close(self) -> None:
            pass

    with pytest.raises(StorageError):
        read_bundle(path, SECRET, open_blob=lambda entry: Full())
    assert _children() == set()


def test_a_child_killed_by_the_system_is_not_blamed_on_the_bundle(written, monkeypatch):
    """A child that dies of a signal nobody here sent (the OOM killer) stops
    the import with BundleNotRead (its code translated in the GUI), never a
    refusal of the bundle."""
    path, _ = written
    killed: list[int] = []

    def kill_child(done: int, total: int) -> None:
        for pid in _children():
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
            os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)

    big = bytes(7) * (8 << 20)
    tmp = path.parent / "killed.fvbundle"
    write_sample(tmp, [RECIPIENT], blobs=[big])
    with pytest.raises(BundleNotRead) as stopped:
        read_bundle(tmp, SECRET, open_blob=lambda entry: _Sink(), progress=kill_child)
    assert killed
    assert stopped.value.code == "bundle-helper-stopped"
    assert stopped.value.params == {"status": -signal.SIGKILL}


def test_a_pipe_that_fails_is_not_blamed_on_the_bundle(tmp_path, monkeypatch):
    """Review 29: the payload's pipe failing for another reason than the
    child's end (EIO here) left the child a payload cut short, which it
    failed as a damaged bundle (payload-form). It is said as what it is,
    and the child is stopped."""
    path = tmp_path / "big.fvbundle"
    write_sample(path, [RECIPIENT], blobs=[os.urandom(4 << 20)])
    real = age_child._write_all
    writes: list[int] = []

    def failing(fd: int, data: bytes) -> None:
        writes.append(len(data))
        if len(writes) == 3:  # the identity, one piece of payload, then this
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real(fd, data)

    monkeypatch.setattr(age_child, "_write_all", failing)
    with pytest.raises(BundleNotRead) as stopped:
        read_bundle(path, SECRET, open_blob=lambda entry: _Sink())
    assert stopped.value.code == "bundle-helper-pipe"
    assert stopped.value.params == {"errno": errno.EIO}
    assert len(writes) == 3
    assert _children() == set()


def test_a_cancel_stops_a_child_that_gives_nothing(tmp_path):
    """Review 29: while the child gave no plaintext (stopped, stalled), the
    read waited in the pipe, and a cancel was not seen until the child gave
    some. Now progress is asked every age_child.WAKE_SECONDS meanwhile: the
    cancel is seen and the child, stopped as it was, is killed."""
    path = tmp_path / "big.fvbundle"
    write_sample(path, [RECIPIENT], blobs=[os.urandom(24 << 20)])
    stopped: list[int] = []
    stopped_at: list[float] = []

    class Cancelled(Exception):
        pass

    def progress(done: int, total: int) -> None:
        if not stopped_at:
            stopped.extend(workers(_children()))
            for pid in stopped:
                os.kill(pid, signal.SIGSTOP)
            stopped_at.append(time.monotonic())
        elif time.monotonic() - stopped_at[0] > 1.0:
            raise Cancelled

    done, outcome = ran_within(
        30,
        lambda: read_bundle(path, SECRET, open_blob=lambda entry: _Sink(), progress=progress),
        lambda: stopped,
    )
    assert done, "a cancel was not seen while the child gave nothing"
    assert stopped, "no working child was seen"
    assert len(outcome) == 1 and isinstance(outcome[0], Cancelled), outcome
    assert wait_for(lambda: all(gone(pid) for pid in stopped))
    assert _children() == set()


def test_a_small_bundle_starts_no_child(written, monkeypatch):
    """A child's start (~80 ms) would cost a pull of many small bundles more
    than the overlap gains: below CHILD_FROM_BYTES the bundle is decrypted here."""
    path, made = written
    monkeypatch.setattr(reader, "CHILD_FROM_BYTES", path.stat().st_size + 1)
    started: list[object] = []
    real = subprocess.Popen

    def spy(*args: object, **kwargs: object) -> object:
        started.append(args)
        return real(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(subprocess, "Popen", spy)
    assert read_bundle(path, SECRET).revisions == list(made.contents.revisions)
    assert started == []
    monkeypatch.setattr(reader, "CHILD_FROM_BYTES", 0)
    assert read_bundle(path, SECRET).revisions == list(made.contents.revisions)
    assert len(started) == 1


def test_without_a_child_the_bundle_is_decrypted_here(written, monkeypatch):
    path, made = written

    def cannot_start(*args: object, **kwargs: object) -> None:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(subprocess, "Popen", cannot_start)
    assert read_bundle(path, SECRET).revisions == list(made.contents.revisions)


def _mount_namespaces() -> bool:
    try:
        return subprocess.run(["unshare", "-m", "true"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.mark.skipif(not _mount_namespaces(), reason="needs unshare -m (root, as in CI)")
def test_a_child_that_cannot_open_its_pipes_is_not_blamed_on_the_bundle(tmp_path, monkeypatch):
    """Review 19 F3: with no /proc (a minimal chroot, a sandbox), the child
    cannot open /dev/stdin or /dev/stdout; that is this machine's fault, and
    a genuine bundle must read back whole (decrypted here, from the
    payload's start), never be refused as payload-form, even when the
    child had already been fed part of the payload."""
    big = bytes(range(256)) * (32 << 12)  # 8 MiB: more than the pipes hold
    path = tmp_path / "no-proc.fvbundle"
    made = write_sample(path, [RECIPIENT], blobs=[big])
    real = age_child.command

    def without_proc(parent: int) -> list[str]:
        mount_then_run = 'mount -t tmpfs none /proc && exec "$0" "$@"'
        return ["unshare", "-m", "--", "sh", "-c", mount_then_run, *real(parent)]

    monkeypatch.setattr(age_child, "command", without_proc)
    files: dict[str, _Sink] = {}
    opened = read_bundle(path, SECRET, open_blob=lambda entry: files.setdefault(entry.sha256, _Sink()))
    assert opened.revisions == list(made.contents.revisions)
    assert {sha: bytes(data) for sha, data in files.items()} == made.blob_bytes


def test_a_child_dies_with_its_parent_killed_9(tmp_path):
    """kill -9 of the importing process mid-payload: its child does not live
    on holding the key (PR_SET_PDEATHSIG, and its pipes end with the parent)."""
    path = tmp_path / "big.fvbundle"
    write_sample(path, [RECIPIENT], blobs=[os.urandom(8 << 20)])
    data = path.read_bytes()
    script = (
        "import sys, pyrage\n"
        "from sync.bundle import read_bundle, reader\n"
        "reader.CHILD_FROM_BYTES = 0\n"
        "def told(done, total):\n"
        "    print('reading', flush=True)\n"
        "read_bundle(sys.stdin.buffer, sys.argv[1], progress=told)\n"
    )
    importer = subprocess.Popen(
        [sys.executable, "-c", script, SECRET],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    assert importer.stdin is not None and importer.stdout is not None
    try:
        # Half, then nothing: the import waits mid-payload.
        importer.stdin.write(data[: len(data) // 2])
        importer.stdin.flush()
        assert importer.stdout.readline() == b"reading\n"

        assert wait_for(lambda: bool(all_children(importer.pid)))
        (child,) = all_children(importer.pid)
        importer.send_signal(signal.SIGKILL)
        importer.wait()
        assert wait_for(lambda: gone(child)), "the child lives on"
    finally:
        if importer.poll() is None:
            importer.kill()
            importer.wait()
        importer.stdin.close()
        importer.stdout.close()


def test_the_packaged_app_starts_the_child_through_its_main(monkeypatch, tmp_path):
    """Frozen, ``sys.executable`` is the app: it is run with the flag, and
    the app's main() hands over to the child's (faked frozen, not built)."""
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert age_child.command(123) == [sys.executable, age_child.FROZEN_FLAG, "123"]
    monkeypatch.undo()
    plaintext = b"evidence bytes " * 10000
    ciphertext = pyrage.encrypt(plaintext, [IDENTITY.to_public()])
    result = subprocess.run(
        [sys.executable, "-m", "fieldvault", age_child.FROZEN_FLAG, str(os.getpid())],
        input=age_child.identity_message(SECRET) + ciphertext,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout == plaintext


def test_the_child_works_in_a_fork_made_after_it_was_confined(tmp_path):
    """Review 29 F1: a process of the same user could open the child's
    /proc/PID/mem in the instant before it makes itself not dumpable, and
    read its memory later through that handle. So the child, once
    confined, forks and only waits: the process that was ever open to such
    a handle holds no descriptor (no pipe) and so never receives the key or
    a byte of the payload; its one fork does the work."""
    seen: dict[int, list[tuple[list[str], set[int]]]] = {}

    def look(done: int, total: int) -> None:
        for pid in _children():
            try:
                seen.setdefault(pid, []).append((descriptors(pid), all_children(pid)))
            except (FileNotFoundError, ProcessLookupError):  # it ended since the listing
                continue

    path = tmp_path / "big.fvbundle"
    write_sample(path, [RECIPIENT], blobs=[os.urandom(12 << 20)])
    read_bundle(path, SECRET, open_blob=lambda entry: _Sink(), progress=look)
    assert len(seen) == 1
    (snapshots,) = seen.values()
    # Its fork was seen at work while it held nothing (a look may also come
    # after the fork ended, or an instant before it closed its copies).
    assert any(fds == [] and len(forks) == 1 for fds, forks in snapshots), snapshots
    assert len(set().union(*(forks for _, forks in snapshots))) == 1
    assert _children() == set()


SURVIVOR = """
import os
if os.fork() == 0:  # keeps both pipes, never reads its input, writes for ever, dies with no parent
    while True:
        os.write(1, bytes(1 << 16))
os.waitpid(-1, 0)
"""


def test_a_cancel_does_not_wait_for_a_worker_that_outlived_its_parent(tmp_path, monkeypatch):
    """Review 30 F5: should the worker outlive the child a cancel kills
    (PR_SET_PDEATHSIG refused by a sandbox), it held both pipes: the feeder
    waited for ever to write to it, and the cancel with it. The caller's
    end of the plaintext is closed on the way out, so such a worker ends on
    its next write, and the feeder with it. (The real child now refuses to
    start when PR_SET_PDEATHSIG fails.)"""
    monkeypatch.setattr(age_child, "command", lambda parent: [sys.executable, "-c", SURVIVOR])
    path = tmp_path / "big.fvbundle"
    write_sample(path, [RECIPIENT], blobs=[os.urandom(8 << 20)])
    seen: set[int] = set()

    class Cancelled(Exception):
        pass

    def cancel(done: int, total: int) -> None:
        seen.update(workers(_children()))
        raise Cancelled

    done, outcome = ran_within(
        20, lambda: read_bundle(path, SECRET, open_blob=lambda entry: _Sink(), progress=cancel), lambda: seen
    )
    assert done, "the cancel waited for the worker"
    assert len(outcome) == 1 and isinstance(outcome[0], Cancelled), outcome
    assert seen, "no worker was seen"
    assert wait_for(lambda: all(gone(pid) for pid in seen))


STOPPED_BEFORE_PDEATHSIG = """
import os, signal
if os.fork() == 0:  # stopped before it could set PR_SET_PDEATHSIG: holds both pipes, never reads
    os.kill(os.getpid(), signal.SIGSTOP)
    os._exit(0)
os.waitpid(-1, 0)
"""


def test_a_cancel_kills_a_worker_stopped_before_it_could_die_with_its_parent(tmp_path, monkeypatch):
    """A worker stopped (SIGSTOP, a debugger, the system) in the instant
    between its fork and its PR_SET_PDEATHSIG outlived the child a cancel
    killed: stopped, it held both pipes and never ended, so the feeder
    waited for ever to write to it, and the cancel with it (seen as a
    flaky tests/sync/client/test_pull_cancel.py under load). The child now
    starts a process group of its own and a cancel kills the group."""
    monkeypatch.setattr(age_child, "command", lambda parent: [sys.executable, "-c", STOPPED_BEFORE_PDEATHSIG])
    path = tmp_path / "big.fvbundle"
    write_sample(path, [RECIPIENT], blobs=[os.urandom(8 << 20)])
    seen: set[int] = set()

    class Cancelled(Exception):
        pass

    def cancel(done: int, total: int) -> None:
        seen.update(workers(_children()))
        if seen and all(_stopped(pid) for pid in seen):
            raise Cancelled

    done, outcome = ran_within(
        20, lambda: read_bundle(path, SECRET, open_blob=lambda entry: _Sink(), progress=cancel), lambda: seen
    )
    assert done, "the cancel waited for the stopped worker"
    assert len(outcome) == 1 and isinstance(outcome[0], Cancelled), outcome
    assert seen, "no worker was seen"
    assert wait_for(lambda: all(gone(pid) for pid in seen))


def _stopped(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "T"
    except OSError:
        return False


def test_a_child_that_cannot_be_made_undumpable_or_die_with_its_parent_does_not_start(tmp_path):
    """Review 30 F5: the child's prctl calls were best effort, their -1
    ignored. Where PR_SET_DUMPABLE or PR_SET_PDEATHSIG fails (a sandbox's
    filter; here each made to fail in turn), the child exits BAD_START
    before reading anything, so the caller decrypts in its own process, and
    never gets the key."""
    program = (
        "import os, sys; sys.path.insert(0, sys.argv[1]); from sync.bundle import age_child as a; "
        "real = a._prctl; refused = int(sys.argv[2]); "
        "a._prctl = lambda option, value: option != refused and real(option, value); "
        "sys.exit(a.child_main([str(os.getppid())]))"
    )
    for refused in (age_child._PR_SET_DUMPABLE, age_child._PR_SET_PDEATHSIG):
        result = subprocess.run(
            [sys.executable, "-c", program, str(ROOT), str(refused)],
            input=age_child.identity_message(SECRET) + b"not read",
            capture_output=True,
            timeout=60,
        )
        assert result.returncode == age_child.BAD_START, (refused, result.returncode)
        assert result.stdout == b""
