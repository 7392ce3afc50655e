"""Fixtures for running the real `fieldvault` command (tests/cli_helpers.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cli_helpers import REPO, Cli


@pytest.fixture
def isolated_env(tmp_path: Path) -> dict[str, str]:
    """A child environment whose home and temp folders are ours to inspect."""
    home = tmp_path / "home"
    temp = tmp_path / "tmp"
    home.mkdir()
    temp.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FIELDVAULT_", "XDG_"))}
    env |= {"HOME": str(home), "TMPDIR": str(temp), "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}
    return env


@pytest.fixture
def cli(tmp_path: Path, isolated_env: dict[str, str]) -> Cli:
    return Cli(tmp_path / "vault", isolated_env)
