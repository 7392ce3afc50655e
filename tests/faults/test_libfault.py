"""Tests proving the libfault LD_PRELOAD shim injects write/fsync/rename faults.

Each test runs a child Python under ``LD_PRELOAD=libfault.so``; the child arms
the shim through :mod:`tests.faults.arm` and prints one JSON line of results.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.faults import build_fault_library, run_with_faults

PRELUDE = """\
import errno, json, os, sys
from tests.faults import arm

def report(**result):
    print(json.dumps(result), flush=True)
"""


def run_child(lib: Path, body: str, *args: str) -> dict[str, Any]:
    """Run PRELUDE + body under the shim; return the JSON of its last stdout line."""
    proc = run_with_faults(lib, PRELUDE + textwrap.dedent(body), args)
    assert proc.returncode == 0, (
        f"child failed ({proc.returncode})\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    )
    lines = proc.stdout.strip().splitlines()
    assert lines, f"child printed nothing\nstderr:\n{proc.stderr}"
    result: dict[str, Any] = json.loads(lines[-1])
    result["_stdout"] = proc.stdout
    return result


def test_library_builds_and_caches(fault_lib: Path) -> None:
    assert fault_lib.is_file()
    mtime = fault_lib.stat().st_mtime_ns
    assert build_fault_library(fault_lib.parent) == fault_lib
    assert fault_lib.stat().st_mtime_ns == mtime, "a fresh .so must not be rebuilt"


def test_inactive_until_armed(fault_lib: Path, tmp_path: Path) -> None:
    result = run_child(
        fault_lib,
        """
        path = os.path.join(sys.argv[1], "f")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT)
        os.write(fd, b"data"); os.fsync(fd); os.close(fd)
        os.replace(path, path + ".new")
        report(counts=[arm.count(c) for c in arm.CALL_CLASSES])
        """,
        str(tmp_path),
    )
    assert result["counts"] == [0, 0, 0]
    assert (tmp_path / "f.new").read_bytes() == b"data"


def test_fsync_nth_fails_only_that_call(fault_lib: Path, tmp_path: Path) -> None:
    """(a) fsync nth=2, non-sticky: of three fsyncs only the second fails with EIO."""
    result = run_child(
        fault_lib,
        """
        fd = os.open(os.path.join(sys.argv[1], "f"), os.O_WRONLY | os.O_CREAT)
        arm.arm("fsync", 2, errno.EIO)
        outcomes = []
        for _ in range(3):
            try:
                os.fsync(fd)
                outcomes.append(None)
            except OSError as exc:
                outcomes.append(exc.errno)
        arm.disarm()
        report(outcomes=outcomes, count=arm.count("fsync"), injected=arm.injected("fsync"))
        """,
        str(tmp_path),
    )
    assert result["outcomes"] == [None, 5, None]
    assert result["count"] == 3
    assert result["injected"] == 1


def test_sticky_enospc_write_spares_stdout(fault_lib: Path, tmp_path: Path) -> None:
    """(b) sticky ENOSPC on "write": file writes keep failing, print() still works."""
    result = run_child(
        fault_lib,
        """
        path = os.path.join(sys.argv[1], "f")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT)
        f = open(os.path.join(sys.argv[1], "g"), "wb")
        arm.arm("write", 1, errno.ENOSPC, sticky=True)
        errors = []
        for _ in range(2):
            try:
                os.write(fd, b"x")
                errors.append(None)
            except OSError as exc:
                errors.append(exc.errno)
        print("stdout still works", flush=True)
        sys.stderr.write("stderr still works\\n"); sys.stderr.flush()
        f.write(b"buffered")
        try:
            f.flush()
            flush_errno = None
        except OSError as exc:
            flush_errno = exc.errno
        count = arm.count("write")
        arm.disarm()
        f.close()  # retries the buffered write, now disarmed
        os.close(fd)
        report(errors=errors, flush_errno=flush_errno, count=count)
        """,
        str(tmp_path),
    )
    assert result["errors"] == [28, 28]
    assert result["flush_errno"] == 28
    assert result["count"] == 3
    assert "stdout still works" in result["_stdout"]
    assert (tmp_path / "f").read_bytes() == b""


def test_rename_fault_leaves_source(fault_lib: Path, tmp_path: Path) -> None:
    """(c) rename nth=1: os.replace fails, the source stays and no target appears."""
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.write_bytes(b"payload")
    result = run_child(
        fault_lib,
        """
        src, dst = sys.argv[1], sys.argv[2]
        arm.arm("rename", 1, errno.EIO)
        try:
            os.replace(src, dst)
            first = None
        except OSError as exc:
            first = exc.errno
        state = [os.path.exists(src), os.path.exists(dst)]
        os.replace(src, dst)  # nth=1 only: the second rename goes through
        arm.disarm()
        report(first=first, state=state, count=arm.count("rename"))
        """,
        str(src),
        str(dst),
    )
    assert result["first"] == 5
    assert result["state"] == [True, False]
    assert result["count"] == 2
    assert dst.read_bytes() == b"payload"


SQLITE_OLD_ROWS = [[1, "a"], [2, "b"]]
SQLITE_NEW_ROWS = [*SQLITE_OLD_ROWS, [3, "c"], [4, "d"]]


def test_sqlite_commit_with_failing_fsync_keeps_old_or_new(fault_lib: Path, tmp_path: Path) -> None:
    """(d) stdlib sqlite3: sticky fsync failure on commit -> error, then old or new state."""
    result = run_child(
        fault_lib,
        """
        import sqlite3
        path = os.path.join(sys.argv[1], "t.db")
        con = sqlite3.connect(path)
        con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        con.executemany("INSERT INTO t VALUES (?, ?)", [(1, "a"), (2, "b")])
        con.commit()
        arm.arm("fsync", 1, errno.EIO, sticky=True)
        try:
            with con:
                con.executemany("INSERT INTO t VALUES (?, ?)", [(3, "c"), (4, "d")])
            error = None
        except sqlite3.Error as exc:
            error = f"{type(exc).__name__}: {exc}"
        arm.disarm()
        con.close()
        con = sqlite3.connect(path)
        rows = con.execute("SELECT id, v FROM t ORDER BY id").fetchall()
        check = con.execute("PRAGMA integrity_check").fetchall()
        con.close()
        report(error=error, rows=rows, check=check,
               fsyncs=arm.count("fsync"), injected=arm.injected("fsync"))
        """,
        str(tmp_path),
    )
    assert result["error"] is not None, "the commit should have failed"
    assert "disk I/O error" in result["error"]
    assert result["injected"] >= 1
    assert result["rows"] in (SQLITE_OLD_ROWS, SQLITE_NEW_ROWS)
    assert result["check"] == [["ok"]]


def test_count_reports_writes(fault_lib: Path, tmp_path: Path) -> None:
    """(e) in count-only mode (nth=0) writing a file is seen as >0 "write" calls."""
    result = run_child(
        fault_lib,
        """
        arm.arm("write", 0)
        with open(os.path.join(sys.argv[1], "f"), "wb") as f:
            f.write(b"hello")
        print("to stdout: not counted", flush=True)
        arm.disarm()
        frozen = arm.count("write")
        with open(os.path.join(sys.argv[1], "g"), "wb") as f:
            f.write(b"after disarm: not counted")
        report(count=frozen, after=arm.count("write"), injected=arm.injected("write"))
        """,
        str(tmp_path),
    )
    assert result["count"] == 1
    assert result["after"] == 1
    assert result["injected"] == 0
    assert (tmp_path / "f").read_bytes() == b"hello"


def test_arm_rejects_unknown_class(fault_lib: Path) -> None:
    result = run_child(
        fault_lib,
        """
        try:
            arm.arm("unlink", 1)
            raised = False
        except ValueError:
            raised = True
        import ctypes
        raw = ctypes.CDLL(None).fault_arm(b"unlink", 1, 5, 0)
        report(raised=raised, raw=raw)
        """,
    )
    assert result == {"raised": True, "raw": -1, "_stdout": result["_stdout"]}


SWEEP = """
import importlib, shutil
db = importlib.import_module(sys.argv[2])
work = sys.argv[1]
call_class = sys.argv[3]
base = os.path.join(work, "base.db")

def connect(path):
    con = db.connect(path)
    if db.__name__ == "sqlcipher3":
        con.execute("PRAGMA key = 'test-key'")
    return con

con = connect(base)
con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
con.executemany("INSERT INTO t VALUES (?, ?)", [(1, "a"), (2, "b")])
con.commit()
con.close()

def attempt(nth):
    path = os.path.join(work, f"run{nth}.db")
    shutil.copyfile(base, path)
    con = connect(path)
    con.execute("SELECT count(*) FROM t").fetchall()
    arm.arm(call_class, nth, errno.EIO)
    try:
        with con:
            con.executemany("INSERT INTO t VALUES (?, ?)", [(3, "c"), (4, "d")])
        error = None
    except db.Error as exc:
        error = str(exc)
    arm.disarm()
    seen, injected = arm.count(call_class), arm.injected(call_class)
    con.close()
    con = connect(path)
    rows = con.execute("SELECT id, v FROM t ORDER BY id").fetchall()
    check = con.execute("PRAGMA integrity_check").fetchall()
    con.close()
    return dict(nth=nth, error=error, rows=rows, check=check, seen=seen, injected=injected)

baseline = attempt(0)
runs = [attempt(n) for n in range(1, baseline["seen"] + 1)]
report(baseline=baseline, runs=runs)
"""


@pytest.mark.parametrize("module", ["sqlite3", "sqlcipher3"])
@pytest.mark.parametrize("call_class", ["write", "fsync"])
def test_sqlite_commit_sweep(fault_lib: Path, tmp_path: Path, module: str, call_class: str) -> None:
    """Fail each write/fsync of a commit in turn: always old or new rows, never corruption.

    Also proves the shim reaches SQLCipher's statically linked SQLite.
    """
    if module == "sqlcipher3":
        pytest.importorskip("sqlcipher3")
    result = run_child(fault_lib, SWEEP, str(tmp_path), module, call_class)
    baseline = result["baseline"]
    assert baseline["error"] is None
    assert baseline["rows"] == SQLITE_NEW_ROWS
    assert baseline["seen"] > 0, f"{module} made no {call_class} calls the shim could see"
    assert len(result["runs"]) == baseline["seen"]
    for run in result["runs"]:
        assert run["injected"] == 1, run
        assert run["rows"] in (SQLITE_OLD_ROWS, SQLITE_NEW_ROWS), run
        assert run["check"] == [["ok"]], run
        if run["error"] is None:
            assert run["rows"] == SQLITE_NEW_ROWS, f"silent loss of a commit: {run}"
