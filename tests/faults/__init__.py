"""Fault injection for the OS calls a process uses to persist data.

SQLite (and SQLCipher) write from C, so Python-level monkeypatching cannot
make their writes fail. Instead ``libfault.c`` is an ``LD_PRELOAD`` shim that
intercepts ``write``/``pwrite``/``pwrite64``/``writev``/``ftruncate``/
``ftruncate64`` ("write" class), ``fsync``/``fdatasync`` ("fsync" class) and
``rename``/``renameat``/``renameat2`` ("rename" class). It does nothing until
armed from inside the child process with :mod:`tests.faults.arm`.

Typical use in a test::

    lib = build_fault_library(tmp_dir)
    proc = run_with_faults(lib, child_code)  # child imports tests.faults.arm

This module must stay light: child processes import ``tests.faults.arm``,
which imports this package first. Only the standard library is used here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "FAULT_SOURCE",
    "REPO_ROOT",
    "FaultLibraryUnavailableError",
    "build_fault_library",
    "fault_env",
    "run_with_faults",
]

FAULT_SOURCE = Path(__file__).resolve().with_name("libfault.c")
REPO_ROOT = Path(__file__).resolve().parents[2]
_LIBRARY_NAME = "libfault.so"


class FaultLibraryUnavailableError(RuntimeError):
    """The shim cannot be built here (no C compiler)."""


def build_fault_library(build_dir: Path) -> Path:
    """Compile ``libfault.c`` into ``build_dir`` and return the absolute ``.so`` path.

    The build is skipped when the ``.so`` already there is newer than the
    source. Raises :class:`FaultLibraryUnavailableError` (a ``RuntimeError``)
    when gcc is missing and ``RuntimeError`` when compilation fails.
    """
    gcc = shutil.which("gcc")
    if gcc is None:
        raise FaultLibraryUnavailableError(
            "gcc was not found on PATH; it is needed to build the LD_PRELOAD "
            f"fault-injection shim {FAULT_SOURCE} (install it, e.g. `apt-get install gcc`)"
        )
    build_dir.mkdir(parents=True, exist_ok=True)
    lib = (build_dir / _LIBRARY_NAME).resolve()
    if lib.exists() and lib.stat().st_mtime_ns > FAULT_SOURCE.stat().st_mtime_ns:
        return lib
    # Build under a temporary name and rename, so concurrent builders
    # (e.g. pytest-xdist workers sharing a dir) never see a half-written .so.
    tmp = lib.with_name(f".{_LIBRARY_NAME}.{os.getpid()}.tmp")
    cmd = [
        gcc,
        "-shared",
        "-fPIC",
        "-O2",
        "-Wall",
        "-Wextra",
        "-o",
        str(tmp),
        str(FAULT_SOURCE),
        "-ldl",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise RuntimeError(
            f"building {FAULT_SOURCE} failed (exit {proc.returncode}):\n"
            f"$ {' '.join(cmd)}\n{proc.stdout}{proc.stderr}"
        )
    os.replace(tmp, lib)
    return lib


def fault_env(lib: Path) -> dict[str, str]:
    """Return a copy of ``os.environ`` for a child process running under the shim.

    Sets ``LD_PRELOAD`` to ``lib`` (ahead of any existing preloads),
    ``PYTHONDONTWRITEBYTECODE=1`` (so ``.pyc`` writes don't add to the
    counts) and puts the repository root first on ``PYTHONPATH`` so that
    ``import tests.faults.arm`` works whatever the child's cwd is.
    """
    env = dict(os.environ)
    preload = str(Path(lib).resolve())
    if existing := env.get("LD_PRELOAD"):
        preload = f"{preload}:{existing}"
    env["LD_PRELOAD"] = preload
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    pythonpath = str(REPO_ROOT)
    if existing := env.get("PYTHONPATH"):
        pythonpath = f"{pythonpath}{os.pathsep}{existing}"
    env["PYTHONPATH"] = pythonpath
    return env


def run_with_faults(
    lib: Path,
    code: str,
    args: Sequence[str] = (),
    *,
    cwd: Path = REPO_ROOT,
    timeout: float = 120.0,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -c code *args`` under the shim (``args`` land in ``sys.argv[1:]``).

    stdout/stderr are captured as text; the exit status is not checked.
    """
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env=fault_env(lib),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
