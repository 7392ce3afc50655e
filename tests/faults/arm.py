"""In-child controls for the libfault ``LD_PRELOAD`` shim.

Import this only in a process started with :func:`tests.faults.fault_env`
(``LD_PRELOAD`` pointing at ``libfault.so``). The shim's control functions
are global symbols of the process, so ``ctypes.CDLL(None)`` finds them.

Call classes: ``"write"`` (write, pwrite, pwrite64, writev, ftruncate,
ftruncate64), ``"fsync"`` (fsync, fdatasync), ``"rename"`` (rename,
renameat, renameat2). Calls on fds 0-2 are never counted or failed.
"""

from __future__ import annotations

import ctypes
import errno
import functools

from db import wal_checkpoints

__all__ = ["CALL_CLASSES", "arm", "count", "disarm", "injected"]

# A sweep counts an operation's I/O calls and fails the nth: every call must
# come from the operation's thread, in the same order at each run. So WAL
# checkpoints run where SQLite ran them before, at the end of each write
# transaction in the thread that made it, not on the engine's own thread.
wal_checkpoints.IN_BACKGROUND = False

CALL_CLASSES = ("write", "fsync", "rename")


@functools.cache
def _lib() -> ctypes.CDLL:
    lib = ctypes.CDLL(None)
    try:
        fault_arm = lib.fault_arm
        fault_count = lib.fault_count
        fault_injected = lib.fault_injected
        fault_disarm = lib.fault_disarm
    except AttributeError as exc:
        raise RuntimeError(
            "libfault is not loaded in this process: start it with "
            "env=tests.faults.fault_env(lib) (LD_PRELOAD=libfault.so)"
        ) from exc
    fault_arm.argtypes = [ctypes.c_char_p, ctypes.c_long, ctypes.c_int, ctypes.c_int]
    fault_arm.restype = ctypes.c_int
    fault_count.argtypes = [ctypes.c_char_p]
    fault_count.restype = ctypes.c_long
    fault_injected.argtypes = [ctypes.c_char_p]
    fault_injected.restype = ctypes.c_long
    fault_disarm.argtypes = []
    fault_disarm.restype = None
    return lib


def _class_arg(call_class: str) -> bytes:
    if call_class not in CALL_CLASSES:
        raise ValueError(f"unknown call class {call_class!r}; expected one of {CALL_CLASSES}")
    return call_class.encode()


def arm(call_class: str, nth: int, err: int = errno.EIO, sticky: bool = False) -> None:
    """Make the ``nth`` (1-based) call of ``call_class`` from now on fail with ``err``.

    With ``sticky`` every call from the ``nth`` on fails (a disk that stays
    full). ``nth=0`` only counts calls (nothing fails); use it to learn how
    many calls an operation makes before sweeping ``nth = 1..count``.
    Arming from the disarmed state resets the counters of all classes;
    arming another class while armed adds to the current configuration.
    """
    if nth < 0:
        raise ValueError(f"nth must be >= 0, got {nth}")
    if nth > 0 and err <= 0:
        raise ValueError(f"err must be a positive errno value, got {err}")
    if _lib().fault_arm(_class_arg(call_class), nth, err, int(sticky)) != 0:
        raise RuntimeError(f"fault_arm({call_class!r}, {nth}, {err}, {sticky}) was rejected")


def count(call_class: str) -> int:
    """Calls of ``call_class`` seen since it was armed (frozen after :func:`disarm`)."""
    return int(_lib().fault_count(_class_arg(call_class)))


def injected(call_class: str) -> int:
    """Calls of ``call_class`` made to fail since it was armed."""
    return int(_lib().fault_injected(_class_arg(call_class)))


def disarm() -> None:
    """Stop counting and failing; counts stay readable until the next :func:`arm`."""
    _lib().fault_disarm()
