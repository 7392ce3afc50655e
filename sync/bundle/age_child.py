"""A bundle's age layer decrypted (or, when a bundle is made, encrypted) in a
short-lived child process, so that the age layer runs on one core while this
process works on the plaintext on the other (issue 11; docs/development.md,
"Import" and "Creation").

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
cancel or on a refusal. Its exit status says how decryption failed; the
caller maps that to the same refusals as a decryption in this process.

Encryption (``encrypt_in_child``) takes two children, because the
ciphertext must also be hashed and written and this process has the
plaintext to read and check: the encrypting child (``encrypt`` after the
parent's id, or ``--bundle-encrypt`` when packaged) gets the recipients
("age1…", public) first on its stdin, then the tar stream, and
``pyrage.encrypt_file`` writes the ciphertext to its stdout, a pipe to the
writing child (``write`` and a file descriptor, or ``--bundle-write``),
which hashes it and writes it to the bundle file it was handed, and at the
end answers its size and SHA-256 (or the errno of a failed write) on its
own stdout. The encrypting child sends one READY byte first, which the
writing child passes on once it too can work, so a child that cannot
start costs nothing: the caller encrypts in its own process, with none of
its plaintext taken and nothing written. Both are confined as above; only
the writing child may write a file, and it only ever sees ciphertext.

Linux only for now (``AVAILABLE``): elsewhere ``read_bundle`` decrypts and
``write_bundle`` encrypts in its own process as before (measured only here; macOS and Windows lack
``PR_SET_PDEATHSIG``, and Windows ``/dev/stdin``).

This file is also the child's program: it imports nothing of ours and only
the standard library and pyrage at the top, so the child starts in ~0.1 s
(``import sync.bundle`` alone takes ~1 s)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pyrage

# The child's exit statuses (besides 0).
NOT_A_RECIPIENT = 64  # pyrage.DecryptError "No matching keys": the reader's not-a-recipient
NOT_AGE = 65  # another pyrage.DecryptError: payload-form
STREAM_FAILED = 66  # an OSError while decrypting (a chunk failing its tag, a cut): payload-form
BAD_START = 67  # no identity could be read: our own fault, never the bundle's
MAX_IDENTITY = 4096
MAX_RECIPIENTS = 1 << 16  # bytes of recipients, one a line (~63 bytes each)
# When a bundle is made: the encrypting child's first byte, passed on by the
# writing child once it too can work; then the writing child's last message.
READY = b"\x01"
ENCRYPTED = b"\x02"  # the ciphertext's size (8 bytes) and SHA-256 (32 bytes)
FAILED_WRITE = b"\x03"  # writing the ciphertext failed with this errno (4 bytes)
WRITE_FAILED = 68  # the writing child's status after FAILED_WRITE
ENCRYPT = "encrypt"  # the child's second argument when it encrypts
WRITE = "write"  # when it hashes and writes the ciphertext
FROZEN_FLAG = "--bundle-decrypt"  # the packaged app's main() dispatches it (fieldvault/__main__.py)
FROZEN_ENCRYPT_FLAG = "--bundle-encrypt"
FROZEN_WRITE_FLAG = "--bundle-write"
AVAILABLE = sys.platform.startswith("linux")

_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_PR_SET_DUMPABLE = 4
_F_SETPIPE_SZ = 1031  # linux/fcntl.h
PIPE_SIZE = 1 << 20  # the most an ordinary user may ask for (/proc/sys/fs/pipe-max-size)


# -- the child ------------------------------------------------------------------


def _confine(parent: int, *, file_writes: bool = False) -> None:
    """No core, not dumpable, dies with ``parent``, and no file writes
    unless ``file_writes`` (the writing child writes the ciphertext to
    the bundle file it was handed). Best effort on each; the age layer does
    not depend on them."""
    import ctypes
    import resource
    import signal

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)  # pyrage or Python must print nothing anywhere
    os.close(devnull)
    for limit in (resource.RLIMIT_CORE,) if file_writes else (resource.RLIMIT_CORE, resource.RLIMIT_FSIZE):
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(limit, (0, 0))
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before PDEATHSIG was set
        os._exit(BAD_START)


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


def _open_both_ends() -> None:
    """pyrage opens both ends by name: one it cannot open (no /dev or /proc
    in this mount namespace, a security module, no file handle left) is this
    machine's fault, never the bundle's, so it must not come out as a stream
    failure, which the importer refuses as payload-form (review 19 F3)."""
    for end, flags in (("/dev/stdin", os.O_RDONLY), ("/dev/stdout", os.O_WRONLY)):
        os.close(os.open(end, flags))


def child_main(args: list[str]) -> int:
    """The child: ``args`` is the parent's process id, then ``encrypt``
    for an encrypting child, or ``write`` and the bundle file's descriptor
    for the child that hashes and writes what that one encrypts."""
    if args[1:2] == [ENCRYPT]:
        return _encrypting_child(int(args[0]))
    if args[1:2] == [WRITE]:
        return _writing_child(int(args[0]), int(args[2]))
    try:
        _confine(int(args[0]))
        (length,) = struct.unpack(">I", _read_exact(0, 4))
        if not 0 < length <= MAX_IDENTITY:
            return BAD_START
        identity = pyrage.x25519.Identity.from_str(_read_exact(0, length).decode("ascii"))
        _open_both_ends()
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


def _encrypting_child(parent: int) -> int:
    try:
        _confine(parent)
        (length,) = struct.unpack(">I", _read_exact(0, 4))
        if not 0 < length <= MAX_RECIPIENTS:
            return BAD_START
        lines = _read_exact(0, length).decode("ascii").split("\n")
        recipients = [pyrage.x25519.Recipient.from_str(line) for line in lines]
        _open_both_ends()
        os.write(1, READY)  # to the writing child, which passes it on
    except Exception:  # noqa: BLE001 - a failed start has one status; nothing is printed
        return BAD_START
    try:
        # Rust reads the pipe and writes the pipe: no Python per chunk.
        pyrage.encrypt_file("/dev/stdin", "/dev/stdout", recipients)
    except (pyrage.EncryptError, OSError):
        return STREAM_FAILED
    return 0


def _writing_child(parent: int, fd: int) -> int:
    """Hashes the ciphertext from its stdin and writes it to ``fd`` (the
    bundle file, from its offset); tells the parent on its stdout."""
    try:
        _confine(parent, file_writes=True)
        if not stat.S_ISREG(os.fstat(fd).st_mode) or _read_exact(0, len(READY)) != READY:
            return BAD_START
        os.write(1, READY)
    except Exception:  # noqa: BLE001 - a failed start has one status; nothing is printed
        return BAD_START
    digest, size = hashlib.sha256(), 0
    try:
        while data := os.read(0, PIPE_SIZE):
            digest.update(data)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            size += len(data)
    except OSError as error:
        # The disk's own error (a full disk) goes back to the parent.
        with contextlib.suppress(OSError):
            os.write(1, FAILED_WRITE + struct.pack(">I", error.errno or 0))
        return WRITE_FAILED
    os.write(1, ENCRYPTED + struct.pack(">Q", size) + digest.digest())
    return 0


# -- the parent -----------------------------------------------------------------


def command(parent: int, *, mode: str | None = None, fd: int | None = None) -> list[str]:
    """How the child starts: the packaged app runs itself with a flag (there
    ``sys.executable`` is the app, as for db/sandbox.py's worker); otherwise
    this file by path, isolated (``-I``: no PYTHON* variables, no user site,
    not the working folder) and without importing our packages. ``mode``:
    None (decrypt), ENCRYPT, or WRITE with the file descriptor ``fd``."""
    more = [] if fd is None else [str(fd)]
    if getattr(sys, "frozen", False):
        flag = {None: FROZEN_FLAG, ENCRYPT: FROZEN_ENCRYPT_FLAG, WRITE: FROZEN_WRITE_FLAG}[mode]
        return [sys.executable, flag, str(parent), *more]
    program = [sys.executable, "-I", str(Path(__file__).resolve()), str(parent)]
    return program + ([] if mode is None else [mode, *more])


def _start(
    parent: int, *, mode: str | None = None, fd: int | None = None, stdin: int | None = None
) -> subprocess.Popen[bytes]:
    """The child, with pipes on its stdin (unless given) and stdout, and the
    descriptor ``fd`` if given (raises ChildUnavailable)."""
    try:
        process = subprocess.Popen(
            command(parent, mode=mode, fd=fd),
            stdin=subprocess.PIPE if stdin is None else stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={"LC_ALL": "C.UTF-8"},  # nothing of ours: no proxies, paths or display
            cwd=Path(os.sep).resolve(),
            close_fds=True,
            pass_fds=() if fd is None else (fd,),
            bufsize=0,
        )
    except OSError as error:
        raise ChildUnavailable() from error
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            widen_pipe(stream.fileno())
    return process


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
    start that failed): the import or export stops, the bundle is not blamed."""

    def __init__(self, status: int, work: str = "decryption") -> None:
        super().__init__(f"the bundle {work} process ended unexpectedly (status {status})")
        self.status = status


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
    after each piece (progress, cancel). Raises what pyrage would:
    ``pyrage.DecryptError`` (no matching key, not an age file) or
    ``OSError`` (the stream failed), and ``ChildFailed`` otherwise; what
    ``read``, ``write`` or ``after_chunk`` raise propagates once the child
    is stopped. ``ChildUnavailable``: the child did not start."""
    process = _start(os.getpid())
    assert process.stdin is not None and process.stdout is not None
    stdin, stdout = process.stdin, process.stdout
    read_error: list[BaseException] = []

    def feed() -> None:
        pipe = stdin.fileno()
        try:
            try:
                _write_all(pipe, identity_message(identity))
            except OSError:
                return  # the child ended: its status says why
            while True:
                try:
                    data = read(chunk)
                except BaseException as error:  # noqa: BLE001 - raised on the calling thread
                    read_error.append(error)
                    _kill(process)
                    return
                if not data:
                    return
                try:
                    _write_all(pipe, data)
                except OSError:
                    return  # the child ended or was stopped: what is left is the caller's
        finally:
            with contextlib.suppress(OSError):
                stdin.close()  # end of payload

    wrote = False
    feeder = threading.Thread(target=feed, name="bundle-age-feed", daemon=True)
    feeder.start()
    try:
        out = stdout.fileno()
        while data := os.read(out, PIPE_SIZE):
            wrote = True
            write(data)
            after_chunk()
    except BaseException:
        _kill(process)
        raise
    finally:
        feeder.join()
        process.wait()
        with contextlib.suppress(OSError):
            stdout.close()
    if read_error:
        raise read_error[0]
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


def recipients_message(recipients: Sequence[str]) -> bytes:
    data = "\n".join(recipients).encode("ascii")
    return struct.pack(">I", len(data)) + data


def encrypt_in_child(chunks: Iterable[bytes], fd: int, recipients: Sequence[str]) -> tuple[int, bytes]:
    """What ``pyrage.encrypt_io`` does with a reader and these recipients,
    in two children: one encrypts (``pyrage.encrypt_file``, pipe to pipe:
    it holds its own GIL, not ours), the other hashes the ciphertext and
    writes it to ``fd`` (a regular file, from its current offset). Returns
    the ciphertext's size and SHA-256. The plaintext ``chunks`` are taken
    on the calling thread (so what they raise, a cancel or a refusal, is
    raised here, the children killed). A write the disk refuses (a full
    disk) is raised as that OSError; ``ChildFailed`` if a child ends
    otherwise than by doing all its work. ``ChildUnavailable``: a child
    did not start, and neither was one chunk taken nor one byte written."""
    encrypting = _start(os.getpid(), mode=ENCRYPT)
    assert encrypting.stdin is not None and encrypting.stdout is not None
    try:
        writing = _start(os.getpid(), mode=WRITE, fd=fd, stdin=encrypting.stdout.fileno())
    except ChildUnavailable:
        _stop(encrypting)
        raise
    encrypting.stdout.close()  # the writing child's now; its end tells the encrypting one
    assert writing.stdout is not None
    children = (encrypting, writing)
    try:
        try:
            _write_all(encrypting.stdin.fileno(), recipients_message(recipients))
            ready = os.read(writing.stdout.fileno(), len(READY))
        except OSError:
            ready = b""
        if ready != READY:  # one ended before it could work: nothing was taken
            raise ChildUnavailable()
        pipe = encrypting.stdin.fileno()
        for chunk in chunks:
            try:
                _write_all(pipe, chunk)
            except OSError:
                break  # a child ended or was stopped: the answer or a status says why
        encrypting.stdin.close()  # end of plaintext
        answer = _read_all(writing.stdout.fileno())
        for child in children:
            child.wait()
    except BaseException:
        for child in children:
            _stop(child)
        raise
    finally:
        for child in children:
            for stream in (child.stdin, child.stdout):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()
    if answer[:1] == FAILED_WRITE and len(answer) == 5:
        (number,) = struct.unpack(">I", answer[1:])
        raise OSError(number, os.strerror(number))
    for child in children:
        if child.returncode != 0:
            raise ChildFailed(child.returncode, "encryption")
    if answer[:1] != ENCRYPTED or len(answer) != 41:
        raise ChildFailed(0, "encryption")
    (size,) = struct.unpack(">Q", answer[1:9])
    return size, answer[9:]


def _stop(process: subprocess.Popen[bytes]) -> None:
    _kill(process)
    process.wait()


def _read_all(fd: int) -> bytes:
    data = b""
    while more := os.read(fd, 4096):
        data += more
    return data


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with contextlib.suppress(OSError):
            process.kill()


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
