"""``fieldvault --selftest`` (fieldvault/selftest.py): the installed command
passes on a working install, touching nothing of the user's, and exits
non-zero naming the step when the install is broken (here: a frozen build
whose bundle lacks resources/, as a faulty spec would make it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "FIELDVAULT_"))}
    temporary = home.parent / "tmp"
    temporary.mkdir(exist_ok=True)
    env.update(HOME=str(home), TMPDIR=str(temporary), QT_QPA_PLATFORM="offscreen")
    return env


def test_selftest_passes_in_one_line_and_leaves_home_untouched(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "fieldvault", "--selftest"],
        capture_output=True,
        text=True,
        env=_environment(home),
        cwd=tmp_path,
        timeout=300,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    (line,) = done.stdout.splitlines()
    assert line.startswith("fieldvault selftest passed: 11 steps")
    for step in ("vault", "search", "ingest", "export", "viewer", "bundle", "window", "media", "locale"):
        assert step in line
    assert list(home.iterdir()) == []  # no vault, setting or keyring entry of the user's
    assert list((tmp_path / "tmp").iterdir()) == []  # and its temporary folder is gone


def test_a_broken_install_fails_naming_the_step(tmp_path):
    empty_bundle = tmp_path / "bundle"
    empty_bundle.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    # What a frozen app's bootloader sets: here, a bundle without resources/.
    program = (
        f"import sys; sys._MEIPASS = {str(empty_bundle)!r}\n"
        "from fieldvault.__main__ import main\n"
        "sys.exit(main(['--selftest']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        env=_environment(home),
        cwd=tmp_path,
        timeout=300,
    )

    assert done.returncode == 1
    (line,) = done.stdout.splitlines()
    assert line.startswith("fieldvault selftest FAILED at step 'resources':")
