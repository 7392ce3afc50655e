"""Process hygiene: no core dumps, and logs without content (db/hygiene.py).

Each check runs ``fieldvault``'s real ``main()`` in a child process (the GUI
and the CLI both start there), with core dumps allowed by the parent's limits
as a desktop session may allow them, then crashes it or logs through it.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CANARY = "CANARY-Mykola-Petrenko-1987"


def allow_core_dumps() -> None:
    """As a shell with ``ulimit -c unlimited`` would start us."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))


def run_child(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=allow_core_dumps,
        check=False,
    )


STARTED = """
    import ctypes, resource, sys
    from fieldvault.__main__ import main
    main(["--vault", "{vault}", "info"])  # fails (no vault), after the start-up hardening
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl and /proc are Linux's")
def test_after_start_the_process_allows_no_core_dump_and_is_not_dumpable(tmp_path: Path) -> None:
    result = run_child(
        STARTED.format(vault=tmp_path / "none")
        + """
    libc = ctypes.CDLL(None)
    print(resource.getrlimit(resource.RLIMIT_CORE), libc.prctl(3, 0, 0, 0, 0))  # PR_GET_DUMPABLE
    """,
        tmp_path,
    )
    assert result.stdout.split("\n")[-2] == "(0, 0) 0", result.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="core_pattern is Linux's")
def test_a_crash_after_start_writes_no_core_file(tmp_path: Path) -> None:
    pattern = Path("/proc/sys/kernel/core_pattern").read_text().strip()
    if pattern.startswith("|") or "/" in pattern:
        pytest.skip(f"cores go elsewhere here ({pattern!r}): the rlimit check above covers it")
    if resource.getrlimit(resource.RLIMIT_CORE)[1] == 0:
        pytest.skip("core dumps are forbidden by this machine's hard limit")
    crash_dir = tmp_path / "crash"
    crash_dir.mkdir()
    control = tmp_path / "control"
    control.mkdir()
    # The control: the same crash without our start-up does leave a core.
    assert run_child(f'narrative = "{CANARY}"\nimport os\nos.abort()', control).returncode == -6
    if not any(p.name.startswith("core") for p in control.iterdir()):
        pytest.skip("this machine writes no core files at all")

    crashed = run_child(
        STARTED.format(vault=tmp_path / "none")
        + f'    narrative = "{CANARY}"\n    import os\n    os.abort()\n',
        crash_dir,
    )
    assert crashed.returncode == -6, crashed.stderr  # SIGABRT: it did crash
    assert [p.name for p in crash_dir.iterdir()] == []


def test_a_third_party_log_message_and_warning_never_reach_stderr(tmp_path: Path) -> None:
    result = run_child(
        STARTED.format(vault=tmp_path / "none")
        + f"""
    import logging, warnings
    logging.getLogger("pypdf._reader").warning("found %s in /Author", "{CANARY}")
    logging.getLogger("pypdf._reader").warning("preformatted {CANARY}")
    logging.getLogger("PIL.TiffImagePlugin").error("tag {CANARY}")
    warnings.warn("a library warning quoting {CANARY}")
    logging.getLogger("db.evidence").warning("item %s: no capture metadata", "0190-id")
    """,
        tmp_path,
    )
    assert CANARY not in result.stderr
    assert CANARY not in result.stdout
    # Still visible that something happened, and where.
    assert "WARNING pypdf._reader: (message withheld)" in result.stderr
    assert "ERROR PIL.TiffImagePlugin: (message withheld)" in result.stderr
    assert "py.warnings" in result.stderr
    # Our own loggers log ids, and are written whole.
    assert "WARNING db.evidence: item 0190-id: no capture metadata" in result.stderr


def test_an_uncaught_exception_prints_its_type_and_place_not_its_message(tmp_path: Path) -> None:
    result = run_child(
        STARTED.format(vault=tmp_path / "none")
        + f"""
    import threading
    def parse():
        raise ValueError("Expecting a NameObject but found '{CANARY}'")
    worker = threading.Thread(target=parse)
    worker.start(); worker.join()
    parse()
    """,
        tmp_path,
    )
    assert result.returncode != 0
    assert CANARY not in result.stderr
    assert result.stderr.count("builtins.ValueError (message withheld)") == 2
    assert "in parse" in result.stderr
