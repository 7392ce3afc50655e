"""A bundle's age layer encrypted in a child process (sync/bundle/age_child.py
``encrypt_in_child``, used by write_bundle on Linux from CHILD_FROM_BYTES):
the bundle reads back whole and the Debian age tool decrypts it; the child
gets only public recipients, writes no file and dumps no core; a cancel, a
changed evidence file, a full disk or a killed child leave no file and no
child; a child that cannot start leaves the bundle to this process."""

from __future__ import annotations

import errno
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


def test_the_child_gets_public_recipients_only_and_is_confined(tmp_path):
    seen: dict[str, str] = {}

    def look(done: int, total: int) -> None:
        for pid in _children():
            proc = Path(f"/proc/{pid}")
            try:
                cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
                environ = (proc / "environ").read_bytes().decode(errors="replace")
                limits = (proc / "limits").read_text()
            except (FileNotFoundError, ProcessLookupError):  # it ended since the listing
                continue
            if cmdline:  # not a zombie
                seen.update(cmdline=cmdline, environ=environ, limits=limits)

    made = sample([os.urandom(BIG)])
    write_bundle(tmp_path / "b.fvbundle", made.contents, signing(made.device), [RECIPIENT], progress=look)
    assert seen, "no child was seen while the bundle was written"
    assert seen["cmdline"].split("\x00")[-2] == age_child.ENCRYPT
    assert seen["environ"] == "LC_ALL=C.UTF-8\x00"
    limits = {line[:26].strip(): line[26:].split()[0] for line in seen["limits"].splitlines()[1:]}
    assert limits["Max core file size"] == "0"
    assert limits["Max file size"] == "0"
    assert _children() == set()


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


def test_a_full_disk_is_raised_as_itself_and_leaves_no_file(tmp_path, monkeypatch, where):
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
    assert len(started) == 1
    _read_back(tmp_path / "child.fvbundle", made)


def test_without_a_child_the_bundle_is_made_here(tmp_path, monkeypatch):
    def cannot_start(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setattr(subprocess, "Popen", cannot_start)
    path = tmp_path / "b.fvbundle"
    made = write_sample(path, [RECIPIENT], blobs=[os.urandom(BIG)])
    monkeypatch.undo()
    _read_back(path, made)


def _mount_namespaces() -> bool:
    try:
        return subprocess.run(["unshare", "-m", "true"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.mark.skipif(not _mount_namespaces(), reason="needs unshare -m (root, as in CI)")
def test_a_child_that_cannot_open_its_pipes_leaves_the_whole_bundle_to_this_process(tmp_path, monkeypatch):
    """With no /proc the child cannot open /dev/stdin or /dev/stdout: it
    says so before it takes any plaintext, and the bundle is made here,
    whole (the evidence is read once: a piece taken by the child would be
    missing from it)."""
    real = age_child.command

    def without_proc(parent: int, **how: bool) -> list[str]:
        mount_then_run = 'mount -t tmpfs none /proc && exec "$0" "$@"'
        return ["unshare", "-m", "--", "sh", "-c", mount_then_run, *real(parent, **how)]

    monkeypatch.setattr(age_child, "command", without_proc)
    path = tmp_path / "no-proc.fvbundle"
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
        assert wait_for(lambda: bool(all_children(exporter.pid)))
        (child,) = all_children(exporter.pid)
        exporter.send_signal(signal.SIGKILL)
        exporter.wait()
        assert wait_for(lambda: gone(child)), "the child lives on"
    finally:
        if exporter.poll() is None:
            exporter.kill()
            exporter.wait()
        exporter.stdout.close()
    left = _left(tmp_path)
    assert left and all(name.startswith(".b.fvbundle.") and name.endswith(".tmp") for name in left)
    assert sorted(p.name for p in bundle_writer.remove_partial_files(tmp_path)) == left
    assert _left(tmp_path) == []


def test_the_packaged_app_starts_the_encrypting_child_through_its_main(monkeypatch):
    """Frozen, ``sys.executable`` is the app: it is run with the flag, and
    the app's main() hands over to the child's (faked frozen, not built)."""
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert age_child.command(123, encrypt=True) == [sys.executable, age_child.FROZEN_ENCRYPT_FLAG, "123"]
    monkeypatch.undo()
    plaintext = b"evidence bytes " * 10000
    result = subprocess.run(
        [sys.executable, "-m", "fieldvault", age_child.FROZEN_ENCRYPT_FLAG, str(os.getpid())],
        input=age_child.recipients_message([RECIPIENT]) + plaintext,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout[:1] == age_child.READY
    assert pyrage.decrypt(result.stdout[1:], [IDENTITY]) == plaintext
