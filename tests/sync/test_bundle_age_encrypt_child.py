"""A bundle's age layer encrypted in a child process (sync/bundle/age_child.py
``encrypt_in_child``, used by write_bundle on Linux from CHILD_FROM_BYTES):
the bundle reads back whole and the Debian age tool decrypts it; the child
gets only public recipients, writes no file and dumps no core; a cancel, a
changed evidence file, a full disk or a killed child leave no file and no
child; a child that cannot start leaves the bundle to this process."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pyrage
import pytest

from sync.bundle import BlobEntry, BundleNotWritten, age_child, read_bundle, write_bundle
from sync.bundle import writer as bundle_writer
from tests.sync.bundle_samples import Sample, sample, signing, write_sample
from tests.sync.child_processes import NewChildren, all_children, gone, wait_for

pytestmark = pytest.mark.skipif(not age_child.AVAILABLE, reason="the child is used on Linux only")

IDENTITY = pyrage.x25519.Identity.generate()
RECIPIENT = str(IDENTITY.to_public())
SECRET = str(IDENTITY)
ROOT = Path(__file__).resolve().parents[2]
BIG = 12 << 20  # more than the pipes hold: the child is fed in many pieces

_children = NewChildren()


@pytest.fixture(autouse=True)
def _earlier_children() -> None:
    _children.reset()


@pytest.fixture(autouse=True)
def _child_for_any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    # The samples are small; the app starts a child only from
    # writer.CHILD_FROM_BYTES (test_a_small_bundle_starts_no_child).
    monkeypatch.setattr(bundle_writer, "CHILD_FROM_BYTES", 0)


@pytest.fixture(params=["child", "here"])
def where(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(bundle_writer, "ENCRYPT_IN_CHILD", request.param == "child")
    return str(request.param)


class _Sink(bytearray):
    def write(self, data: bytes) -> int:
        self.extend(data)
        return len(data)

    def close(self) -> None:
        pass


def _mount_namespaces() -> bool:
    try:
        return subprocess.run(["unshare", "-m", "true"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _read_back(path: Path, made: Sample) -> None:
    files: dict[str, _Sink] = {}

    def open_blob(entry: BlobEntry) -> _Sink:
        return files.setdefault(entry.sha256, _Sink())

    opened = read_bundle(path, SECRET, open_blob=open_blob)
    assert opened.revisions == list(made.contents.revisions)
    assert opened.custody == list(made.contents.custody)
    assert {sha: bytes(data) for sha, data in files.items()} == made.blob_bytes


def _left(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_bundle_made_in_the_child_reads_back_whole_and_age_decrypts_it(tmp_path, where):
    path = tmp_path / "big.fvbundle"
    made = write_sample(path, [RECIPIENT], blobs=[os.urandom(BIG), b"small evidence"])
    _read_back(path, made)
    assert _left(tmp_path) == ["big.fvbundle"]  # no temporary file beside it
    assert _children() == set()
    if shutil.which("age") is None:
        return
    data = path.read_bytes()
    header_size = int.from_bytes(data[20:24], "big")
    key = tmp_path / "key.txt"
    key.write_text(SECRET + "\n")
    plain = subprocess.run(
        ["age", "-d", "-i", str(key)], input=data[24 + header_size + 64 :], capture_output=True, timeout=120
    )
    assert plain.returncode == 0
    assert made.blob_bytes[next(iter(made.blob_bytes))] in plain.stdout  # the evidence, in the tar stream


def test_the_children_get_public_recipients_only_and_are_confined(tmp_path):
    """Two children: one encrypts (pipes only, no file writes at all), the
    other hashes and writes the ciphertext to the one file it is handed.
    Neither sees a key in its arguments or environment, both dump no core."""
    seen: dict[str, dict[str, object]] = {}

    def look(done: int, total: int) -> None:
        for pid in _children():
            proc = Path(f"/proc/{pid}")
            try:
                cmdline = (proc / "cmdline").read_bytes().decode(errors="replace").split("\x00")
                environ = (proc / "environ").read_bytes().decode(errors="replace")
                limits = (proc / "limits").read_text()
                fds = {fd.name: _kind(fd) for fd in (proc / "fd").iterdir()}
            except (FileNotFoundError, ProcessLookupError):  # it ended since the listing
                continue
            if cmdline != [""]:  # not a zombie
                mode = age_child.WRITE if age_child.WRITE in cmdline else age_child.ENCRYPT
                listed = {line[:26].strip(): line[26:].split()[0] for line in limits.splitlines()[1:]}
                seen[mode] = {"cmdline": cmdline, "environ": environ, "limits": listed, "fds": fds}

    made = sample([os.urandom(BIG)])
    write_bundle(tmp_path / "b.fvbundle", made.contents, signing(made.device), [RECIPIENT], progress=look)
    assert set(seen) == {age_child.ENCRYPT, age_child.WRITE}, "both children were seen at work"
    encrypting, writing = seen[age_child.ENCRYPT], seen[age_child.WRITE]
    for child in (encrypting, writing):
        assert child["environ"] == "LC_ALL=C.UTF-8\x00"
        assert child["limits"]["Max core file size"] == "0"  # type: ignore[index]
    assert encrypting["cmdline"][-2] == age_child.ENCRYPT  # type: ignore[index]
    assert encrypting["limits"]["Max file size"] == "0"  # type: ignore[index]
    # Its stdin and stdout, and the same pipes again, opened by name by pyrage.
    assert encrypting["fds"] == {"0": "pipe", "1": "pipe", "2": "/dev/null", "3": "pipe", "4": "pipe"}
    fd = writing["cmdline"][-2]  # type: ignore[index]
    assert writing["fds"] == {"0": "pipe", "1": "pipe", "2": "/dev/null", fd: "bundle"}
    assert _children() == set()


def _kind(fd: Path) -> str:
    target = os.readlink(fd)
    if target.startswith("pipe:"):
        return "pipe"
    if ".fvbundle." in target and target.endswith(".tmp"):
        return "bundle"
    return target


def test_a_cancel_stops_the_write_and_the_child_and_leaves_no_file(tmp_path, where):
    class Cancelled(Exception):
        pass

    calls: list[int] = []

    def cancel(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 4:
            raise Cancelled

    made = sample([os.urandom(24 << 20)])
    with pytest.raises(Cancelled):
        write_bundle(
            tmp_path / "b.fvbundle", made.contents, signing(made.device), [RECIPIENT], progress=cancel
        )
    assert len(calls) == 4
    assert _left(tmp_path) == []
    assert _children() == set()


def test_an_evidence_file_that_changed_aborts_and_leaves_no_file(tmp_path, where):
    made = sample([os.urandom(BIG)])
    blob = made.contents.blobs[0]
    blob.file.seek(BIG // 2)
    blob.file.write(b"altered")  # the bytes no longer hash to the recorded SHA-256
    blob.file.seek(0)
    with pytest.raises(BundleNotWritten):
        write_bundle(tmp_path / "b.fvbundle", made.contents, signing(made.device), [RECIPIENT])
    assert _left(tmp_path) == []
    assert _children() == set()


@pytest.mark.skipif(not _mount_namespaces(), reason="needs unshare -m (root, as in CI)")
def test_a_full_disk_under_the_child_is_raised_as_itself_and_leaves_no_file(tmp_path):
    """A real full disk: the bundle is written to an 8 MiB tmpfs, mounted in
    a mount namespace of its own, by a process whose child fills it."""
    script = (
        "import errno, os, sys\n"
        "from pathlib import Path\n"
        "from sync.bundle import write_bundle, writer\n"
        "from tests.sync.bundle_samples import sample, signing\n"
        "writer.CHILD_FROM_BYTES = 0\n"
        "made = sample([os.urandom(24 << 20)])\n"
        "folder = Path(sys.argv[1])\n"
        "try:\n"
        "    write_bundle(folder / 'b.fvbundle', made.contents, signing(made.device), [sys.argv[2]])\n"
        "except OSError as error:\n"
        "    print(errno.errorcode.get(error.errno, error.errno), type(error).__name__)\n"
        "print(sorted(p.name for p in folder.iterdir()))\n"
    )
    disk = tmp_path / "disk"
    disk.mkdir()
    mount_then_run = 'mount -t tmpfs -o size=8m none "$1" && shift && exec "$@"'
    result = subprocess.run(
        ["unshare", "-m", "--", "sh", "-c", mount_then_run, "sh", str(disk),
         sys.executable, "-c", script, str(disk), RECIPIENT],
        capture_output=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert result.stdout.decode().splitlines() == ["ENOSPC OSError", "[]"], result.stderr.decode()[-2000:]
    assert list(disk.iterdir()) == []  # the tmpfs was the namespace's alone


def test_a_full_disk_here_is_raised_as_itself_and_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setattr(bundle_writer, "ENCRYPT_IN_CHILD", False)
    real = bundle_writer._write_all
    calls: list[int] = []

    def full_after_two(fd: int, pieces: list[bytes]) -> int:
        calls.append(len(pieces))
        if len(calls) > 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, pieces)

    monkeypatch.setattr(bundle_writer, "_write_all", full_after_two)
    made = sample([os.urandom(BIG)])
    with pytest.raises(OSError) as failed:
        write_bundle(tmp_path / "b.fvbundle", made.contents, signing(made.device), [RECIPIENT])
    assert failed.value.errno == errno.ENOSPC
    assert _left(tmp_path) == []
    assert _children() == set()


def test_a_child_killed_by_the_system_fails_the_export_and_leaves_no_file(tmp_path):
    killed: list[int] = []

    def kill_child(done: int, total: int) -> None:
        if done > BIG // 3:
            for pid in _children():
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

    made = sample([os.urandom(BIG)])
    with pytest.raises(age_child.ChildFailed):
        write_bundle(
            tmp_path / "b.fvbundle", made.contents, signing(made.device), [RECIPIENT], progress=kill_child
        )
    assert killed
    assert _left(tmp_path) == []
    assert _children() == set()


def test_a_small_bundle_starts_no_child(tmp_path, monkeypatch):
    """Below CHILD_FROM_BYTES the child's start (~0.1 s) would cost more
    than it gains: the bundle is encrypted here."""
    started: list[object] = []
    real = subprocess.Popen

    def spy(*args: object, **kwargs: object) -> object:
        started.append(args)
        return real(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(subprocess, "Popen", spy)
    made = sample([b"evidence" * 1000])
    monkeypatch.setattr(bundle_writer, "CHILD_FROM_BYTES", 1 << 20)
    write_bundle(tmp_path / "small.fvbundle", made.contents, signing(made.device), [RECIPIENT])
    assert started == []
    made = sample([b"evidence" * 1000])
    monkeypatch.setattr(bundle_writer, "CHILD_FROM_BYTES", 0)
    write_bundle(tmp_path / "child.fvbundle", made.contents, signing(made.device), [RECIPIENT])
    assert len(started) == 2  # the encrypting child and the writing one
    _read_back(tmp_path / "child.fvbundle", made)


def test_without_a_child_the_bundle_is_made_here(tmp_path, monkeypatch):
    def cannot_start(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setattr(subprocess, "Popen", cannot_start)
    path = tmp_path / "b.fvbundle"
    made = write_sample(path, [RECIPIENT], blobs=[os.urandom(BIG)])
    monkeypatch.undo()
    _read_back(path, made)


def test_a_child_that_refuses_to_start_leaves_the_whole_bundle_to_this_process(tmp_path, monkeypatch):
    """The real child, handed a descriptor that is no regular file (its own
    stdin), refuses before it takes any plaintext: the bundle is made here,
    whole (the evidence is read once: a piece taken by the child would be
    missing from it), and the child is gone."""
    real = age_child.command

    def wrong_file(parent: int, mode: str | None = None, fd: int | None = None) -> list[str]:
        return real(parent, mode=mode, fd=None if fd is None else 0)

    monkeypatch.setattr(age_child, "command", wrong_file)
    path = tmp_path / "refused.fvbundle"
    made = write_sample(path, [RECIPIENT], blobs=[os.urandom(BIG)])
    monkeypatch.undo()
    _read_back(path, made)
    assert _children() == set()


def test_the_child_dies_with_its_parent_killed_9(tmp_path):
    """kill -9 of the exporting process mid-bundle: its child does not live
    on (PR_SET_PDEATHSIG), and only a temporary file of ciphertext is left,
    which the next export's clean-up removes."""
    script = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from sync.bundle import write_bundle, writer\n"
        "from tests.sync.bundle_samples import sample, signing\n"
        "writer.CHILD_FROM_BYTES = 0\n"
        "made = sample([os.urandom(24 << 20)])\n"
        "def told(done, total):\n"
        "    if done > 4 << 20:\n"
        "        print('writing', flush=True)\n"
        "        time.sleep(600)\n"
        "write_bundle(Path(sys.argv[1]) / 'b.fvbundle', made.contents, signing(made.device),"
        " [sys.argv[2]], progress=told)\n"
    )
    exporter = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path), RECIPIENT],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    assert exporter.stdout is not None
    try:
        assert exporter.stdout.readline() == b"writing\n"
        assert wait_for(lambda: len(all_children(exporter.pid)) == 2)
        children = all_children(exporter.pid)
        exporter.send_signal(signal.SIGKILL)
        exporter.wait()
        assert wait_for(lambda: all(gone(child) for child in children)), "a child lives on"
    finally:
        if exporter.poll() is None:
            exporter.kill()
            exporter.wait()
        exporter.stdout.close()
    left = _left(tmp_path)
    assert left and all(name.startswith(".b.fvbundle.") and name.endswith(".tmp") for name in left)
    assert sorted(p.name for p in bundle_writer.remove_partial_files(tmp_path)) == left
    assert _left(tmp_path) == []


def test_the_packaged_app_starts_the_children_through_its_main(monkeypatch, tmp_path):
    """Frozen, ``sys.executable`` is the app: it is run with the flags, and
    the app's main() hands over to the children's (faked frozen, not built)."""
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert age_child.command(123, mode=age_child.ENCRYPT) == [
        sys.executable,
        age_child.FROZEN_ENCRYPT_FLAG,
        "123",
    ]
    assert age_child.command(123, mode=age_child.WRITE, fd=7) == [
        sys.executable, age_child.FROZEN_WRITE_FLAG, "123", "7",
    ]  # fmt: skip
    monkeypatch.undo()
    plaintext = b"evidence bytes " * 10000
    main = [sys.executable, "-m", "fieldvault"]
    with (tmp_path / "sealed").open("w+b") as sealed:
        fd = sealed.fileno()
        encrypting = subprocess.Popen(
            [*main, age_child.FROZEN_ENCRYPT_FLAG, str(os.getpid())],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
        )  # fmt: skip
        assert encrypting.stdin is not None and encrypting.stdout is not None
        writing = subprocess.Popen(
            [*main, age_child.FROZEN_WRITE_FLAG, str(os.getpid()), str(fd)],
            stdin=encrypting.stdout, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, pass_fds=(fd,),
        )  # fmt: skip
        encrypting.stdout.close()
        encrypting.stdin.write(age_child.recipients_message([RECIPIENT]) + plaintext)
        encrypting.stdin.close()
        answer, writing_errors = writing.communicate(timeout=120)
        assert encrypting.stderr is not None
        encrypting_errors = encrypting.stderr.read()
        encrypting.stderr.close()
        encrypting.wait(timeout=120)
    ciphertext = (tmp_path / "sealed").read_bytes()
    assert (encrypting.returncode, writing.returncode) == (0, 0)
    assert (encrypting_errors, writing_errors) == (b"", b"")
    assert answer == (
        age_child.READY
        + age_child.ENCRYPTED
        + len(ciphertext).to_bytes(8, "big")
        + hashlib.sha256(ciphertext).digest()
    )
    assert pyrage.decrypt(ciphertext, [IDENTITY]) == plaintext
