"""The scripts CI and the Makefile run by path stay executable: in git, a
commit that stores one as 100644 makes a clean clone's `.ci/run` fail to
start; in a copy without git (a `git archive` export, a release tarball),
the files themselves must carry the executable bit."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXECUTABLES = (".ci/run", "scripts/system-deps.sh")


def _in_git() -> bool:
    probe = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], cwd=REPO, capture_output=True, text=True, check=False
    )
    return probe.returncode == 0 and Path(probe.stdout.strip()).resolve() == REPO


def test_ci_entry_points_are_executable() -> None:
    if not _in_git():
        not_executable = [name for name in EXECUTABLES if not os.access(REPO / name, os.X_OK)]
        assert not_executable == []
        return
    listing = subprocess.run(
        ["git", "ls-files", "-s", *EXECUTABLES], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    modes = {line.split("\t")[1]: line.split()[0] for line in listing}
    assert modes == dict.fromkeys(EXECUTABLES, "100755")
