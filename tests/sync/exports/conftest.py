"""Fixtures of the export tests (the sample case: tests/sync/exports/samples.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from db.api import Vault
from tests.cli_helpers import REPO, Cli
from tests.sync.exports.samples import SampleCase, make_sample_case


@pytest.fixture
def sample_case(vault: Vault, tmp_path: Path) -> SampleCase:
    return make_sample_case(vault, tmp_path)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """The real command in a child whose home and temp folders are ours to inspect."""
    home, temp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    temp.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FIELDVAULT_", "XDG_"))}
    env |= {"HOME": str(home), "TMPDIR": str(temp), "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}
    return Cli(tmp_path / "vault", env)
