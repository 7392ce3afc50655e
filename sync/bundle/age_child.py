"""A bundle's age layer decrypted in a short-lived child process, so that
decryption runs on one core while this process stores the plaintext on the
other (issue 11; docs/development.md, "Import").

Why a process: pyrage holds the GIL for the whole of a decryption (measured
in docs/development.md: ``decrypt_file`` lets another thread no more than a
few MiB/s of hashing; ``decrypt_io`` gives it back only in its Python
callbacks), so no thread of ours can run beside it. In a child of its own,
``pyrage.decrypt_file`` reads the payload from its stdin and writes the
plaintext to its stdout with no Python in between, and the importing
process hashes, parses, checks and encrypts at rest meanwhile.

The child (``python -I`` this file, or the packaged app with
``--bundle-decrypt``) gets the identity first on its stdin (length-prefixed:
never in its arguments, environment or a file), then the payload bytes that
a thread here reads and hashes (so the payload hash covers exactly the bytes
decrypted), and gives the plaintext back on its stdout. Its stderr is
``/dev/null``; it makes itself not dumpable, with no core file and no file
writes (``RLIMIT_FSIZE`` 0: pipes are not files), and dies with its parent
(``PR_SET_PDEATHSIG``; its stdin and stdout also end then). It is killed on
cancel or on a refusal, with its worker (a process group of
their own). Once confined it forks and only waits, ending as
its fork does, so that the key arrives only in memory that was never
dumpable (``_work_in_fresh_memory``). Its exit status says how decryption failed; the
caller maps that to the same refusals as a decryption in this process.

Linux only for now (``AVAILABLE``): elsewhere ``read_bundle`` decrypts in
its own process as before (measured only here; macOS and Windows lack
``PR_SET_PDEATHSIG``, and Windows ``/dev/stdin``).

This file is also the child's program: it imports nothing of ours and only
the standard library and pyrage at the top, so the child starts in ~0.1 s
(``import sync.bundle`` alone takes ~1 s)."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pyrage

# The child's exit statuses (besides 0).
NOT_A_RECIPIENT = 64  # pyrage.DecryptError "No matching keys": the reader's not-a-recipient
NOT_AGE = 65  # another pyrage.DecryptError: payload-form
STREAM_FAILED = 66  # an OSError while decrypting (a chunk failing its tag, a cut): payload-form
BAD_START = 67  # no identity could be read: our own fault, never the bundle's
MAX_IDENTITY = 4096
FROZEN_FLAG = "--bundle-decrypt"  # the packaged app's main() dispatches it (fieldvault/__main__.py)
AVAILABLE = sys.platform.startswith("linux")

_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_PR_SET_DUMPABLE = 4
_F_SETPIPE_SZ = 1031  # linux/fcntl.h
PIPE_SIZE = 1 << 20  # the most an ordinary user may ask for (/proc/sys/fs/pipe-max-size)
WAKE_SECONDS = 0.25  # how long a cancel may wait while the child gives nothing
_KILLING = threading.Lock()  # _kill's


# -- the child ------------------------------------------------------------------


def _prctl(option: int, value: int) -> bool:
    """``prctl(option, value)``; False when it failed (ctypes raises nothing:
    the call's -1 must be looked at)."""
    import ctypes

    try:
        return int(ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _confine(parent: int) -> None:
    """No core, no file writes (best effort), and, or no start at all
    (``BAD_START``: the caller then decrypts in its own process), not
    dumpable and dying with ``parent``: a worker that outlived a cancel
    would hold the key and block the caller's wait for it (review 30 F5)."""
    import resource

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)  # pyrage or Python must print nothing anywhere
    os.close(devnull)
    for limit in (resource.RLIMIT_CORE, resource.RLIMIT_FSIZE):
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(limit, (0, 0))
    if not (_prctl(_PR_SET_DUMPABLE, 0) and _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)):
        os._exit(BAD_START)
    if os.getppid() != parent:  # the parent died before PDEATHSIG was set
        os._exit(BAD_START)
    _work_in_fresh_memory()


def _work_in_fresh_memory() -> None:
    """Go on in a forked process, this one only waiting for it (review 29
    F1). A process of the same user may open this one's /proc/PID/mem in
    the instant between its start and PR_SET_DUMPABLE, and such a handle
    still reads after it; the fork's memory is new, not dumpable from its
    first instant (the setting is inherited), and is where the key and the
    payload ever arrive. The waiting process holds no descriptor, and it
    ends as the worker did; killed, it takes the worker with it."""
    waiting = os.getpid()
    worker = os.fork()
    if worker == 0:
        if not _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) or os.getppid() != waiting:
            os._exit(BAD_START)  # it would outlive its parent, or did already
        return
    os.closerange(0, 1 << 16)  # the pipes are the worker's alone
    status = os.waitpid(worker, 0)[1]
    code = os.waitstatus_to_exitcode(status)
    os._exit(code if code >= 0 else 128 - code)


def _read_exact(fd: int, size: int) -> bytes:
    """``size`` bytes from ``fd`` and not one more (what follows is the
    payload, read by pyrage from the same pipe)."""
    data = b""
    while len(data) < size:
        more = os.read(fd, size - len(data))
        if not more:
            raise EOFError
        data += more
    return data


def child_main(args: list[str]) -> int:
    """The child: ``args`` is the parent's process id."""
    try:
        _confine(int(args[0]))
        (length,) = struct.unpack(">I", _read_exact(0, 4))
        if not 0 < length <= MAX_IDENTITY:
            return BAD_START
        identity = pyrage.x25519.Identity.from_str(_read_exact(0, length).decode("ascii"))
        # pyrage opens both ends by name: one it cannot open (no /dev or
        # /proc in this mount namespace, a security module, no file handle
        # left) is this machine's fault, never the bundle's, so it must not
        # come out as a stream failure, which the importer refuses as
        # payload-form (review 19 F3).
        for end, flags in (("/dev/stdin", os.O_RDONLY), ("/dev/stdout", os.O_WRONLY)):
            os.close(os.open(end, flags))
    except Exception:  # noqa: BLE001 - a failed start has one status; nothing is printed
        return BAD_START
    try:
        # Rust reads the pipe and writes the pipe: no Python per chunk.
        pyrage.decrypt_file("/dev/stdin", "/dev/stdout", [identity])
    except pyrage.DecryptError as error:
        return NOT_A_RECIPIENT if "No matching keys" in str(error) else NOT_AGE
    except OSError:
        return STREAM_FAILED
    return 0


# -- the parent -----------------------------------------------------------------


def command(parent: int) -> list[str]:
    """How the child starts: the packaged app runs itself with a flag (there
    ``sys.executable`` is the app, as for db/sandbox.py's worker); otherwise
    this file by path, isolated (``-I``: no PYTHON* variables, no user site,
    not the working folder) and without importing our packages."""
    if getattr(sys, "frozen", False):
        return [sys.executable, FROZEN_FLAG, str(parent)]
    return [sys.executable, "-I", str(Path(__file__).resolve()), str(parent)]


def identity_message(identity: str) -> bytes:
    data = identity.encode("ascii")
    return struct.pack(">I", len(data)) + data


def widen_pipe(fd: int) -> None:
    """A 1 MiB pipe instead of 64 KiB: fewer wake-ups each way."""
    import fcntl

    with contextlib.suppress(OSError):
        fcntl.fcntl(fd, _F_SETPIPE_SZ, PIPE_SIZE)


class ChildUnavailable(Exception):
    """The child could not be started, or started and could not decrypt at
    all (``BAD_START``, nothing written): the caller decrypts in its own
    process instead, reading the payload again from its start."""


class ChildFailed(RuntimeError):
    """The child ended in a way no bundle causes (killed by the system, a
    start that failed): the import stops, the bundle is not blamed."""

    def __init__(self, status: int) -> None:
        super().__init__(
            f"a helper process of the bundle's decryption was stopped (status {status}), perhaps by the "
            "system for lack of memory; nothing of this bundle was kept. Try again."
        )
        self.status = status


class ChildPipeFailed(ChildFailed):
    """A pipe to or from the child failed for a reason other than the
    child having ended (review 29): the child would have seen a payload cut
    short, or the caller a plaintext cut short, and either would have been
    taken for a damaged bundle, so this is said instead (the bundle is not
    judged). ``errno`` names the system's error."""

    def __init__(self, errno: int) -> None:
        RuntimeError.__init__(
            self,
            f"the bundle's bytes could not be exchanged with the helper process of its decryption "
            f"(error {errno}); nothing of this bundle was kept. Try again.",
        )
        self.status = -1
        self.errno = errno


def decrypt_in_child(
    read: Callable[[int], bytes],
    write: Callable[[bytes], object],
    identity: str,
    after_chunk: Callable[[], None],
    chunk: int = 1 << 20,
) -> None:
    """What ``pyrage.decrypt_io`` does with a reader, a writer and one
    identity, in a child: the payload that ``read(chunk)`` returns (b"" at
    its end; called on a thread of its own) is decrypted there, and the
    plaintext goes to ``write`` on the calling thread, ``after_chunk()``
    after each piece (progress, cancel), and also every ``WAKE_SECONDS``
    that the child gives nothing, so that a cancel stops a stalled child.
    Raises what pyrage would: ``pyrage.DecryptError`` (no matching key, not
    an age file) or ``OSError`` (the stream failed), and ``ChildFailed``
    otherwise (``ChildPipeFailed``: a pipe to or from it failed); what
    ``read``, ``write`` or ``after_chunk`` raise propagates once the child
    is stopped. ``ChildUnavailable``: the child did not start."""
    try:
        process = subprocess.Popen(
            command(os.getpid()),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={"LC_ALL": "C.UTF-8"},  # nothing of ours: no proxies, paths or display
            cwd=Path(os.sep).resolve(),
            close_fds=True,
            bufsize=0,
            # A group of its own, so that a cancel kills its worker too, even
            # one stopped before it could set PR_SET_PDEATHSIG (``_kill``).
            process_group=0,
        )
    except OSError as error:
        raise ChildUnavailable() from error
    assert process.stdin is not None and process.stdout is not None
    stdin, stdout = process.stdin, process.stdout
    for stream in (stdin, stdout):
        widen_pipe(stream.fileno())
    read_error: list[BaseException] = []
    pipe_error: list[OSError] = []

    def hand_over(pipe: int, data: bytes) -> bool:
        """False once the payload can go no further: the child ended (its
        status then says why), or the pipe failed otherwise (said as that,
        since the child, cut short, would fail as if the bundle were)."""
        try:
            _write_all(pipe, data)
        except BrokenPipeError:
            return False
        except OSError as error:
            pipe_error.append(error)
            _kill(process)
            return False
        return True

    def feed() -> None:
        pipe = stdin.fileno()
        try:
            if not hand_over(pipe, identity_message(identity)):
                return
            while True:
                try:
                    data = read(chunk)
                except BaseException as error:  # noqa: BLE001 - raised on the calling thread
                    read_error.append(error)
                    _kill(process)
                    return
                if not data or not hand_over(pipe, data):
                    return
        finally:
            with contextlib.suppress(OSError):
                stdin.close()  # end of payload

    wrote = False
    feeder = threading.Thread(target=feed, name="bundle-age-feed", daemon=True)
    feeder.start()
    try:
        out = stdout.fileno()
        waiting = select.poll()
        waiting.register(out, select.POLLIN)
        while True:
            if not waiting.poll(WAKE_SECONDS * 1000):
                after_chunk()  # nothing yet: a cancel is still seen
                continue
            try:
                data = os.read(out, PIPE_SIZE)
            except OSError as error:  # not the bundle's doing: said as such, not as a cut plaintext
                pipe_error.append(error)
                _kill(process)
                break
            if not data:
                break
            wrote = True
            write(data)
            after_chunk()
    except BaseException:
        _kill(process)
        # Its worker dies with it (PR_SET_PDEATHSIG); should it not, it
        # gets EPIPE writing its plaintext and ends, and so the feeder's
        # write to it: the wait below never hangs on it (review 30 F5).
        with contextlib.suppress(OSError):
            stdout.close()
        raise
    finally:
        feeder.join()
        process.wait()
        with contextlib.suppress(OSError):
            stdout.close()
    if read_error:
        raise read_error[0]
    if pipe_error:
        raise ChildPipeFailed(pipe_error[0].errno or 0)
    status = process.returncode
    if status == 0:
        return
    if status == NOT_A_RECIPIENT:
        raise pyrage.DecryptError("No matching keys found")
    if status == NOT_AGE:
        raise pyrage.DecryptError("the payload is not an age file this identity reads")
    if status == STREAM_FAILED:
        raise OSError("decryption error")
    if status == BAD_START and not wrote:
        # It decrypted nothing: the caller may read the payload again and
        # decrypt it in its own process (reader.read_bundle).
        raise ChildUnavailable()
    raise ChildFailed(status)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Kill the child and its worker. The worker dies with the child
    (PR_SET_PDEATHSIG), but not one stopped (SIGSTOP, a debugger, the
    system) in the instant between its fork and that setting: orphaned
    and stopped, it held both pipes for ever, and the feeder's wait to
    write to it with them. The child leads a process group of its own
    (``process_group=0``), which its worker joins at its fork; while the
    child is not reaped the group's id is still its own, never another's."""
    # One thread at a time (the feeder and the caller's may both kill): a
    # poll() of one may reap the child between the other's poll() and its
    # killpg(), and the group's id could then, in theory, be another's.
    with _KILLING:
        if process.poll() is None:
            with contextlib.suppress(OSError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                process.kill()  # should the group have been left


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
