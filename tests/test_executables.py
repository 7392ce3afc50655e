"""The scripts CI and the Makefile run by path stay executable in git: a
commit that stores one as 100644 makes a clean clone's `.ci/run` fail to start."""

from __future__ import annotations

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXECUTABLES = (".ci/run", "scripts/system-deps.sh")


def test_ci_entry_points_are_executable_in_git() -> None:
    listing = subprocess.run(
        ["git", "ls-files", "-s", *EXECUTABLES], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    modes = {line.split("\t")[1]: line.split()[0] for line in listing}
    assert modes == dict.fromkeys(EXECUTABLES, "100755")
