"""Fixtures of the export tests (the sample case: tests/sync/exports/samples.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.keyring_store import NoKeyring
from db.vault import CreatedVault, Vault
from tests.cli_helpers import REPO, Cli
from tests.sync.exports.samples import SampleCase, sample_vault
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

_SAMPLE = pytest.StashKey[SampleCase]()


@pytest.fixture
def created_vault(vault_dir: Path, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[CreatedVault]:
    """tests/conftest.py's, but for a test that asks for the sample case the
    vault holds it already (samples.sample_vault: a copy of one recorded once
    per test process), as ``vault`` then ``sample_case`` made it before."""
    if "sample_case" in request.fixturenames:
        created, case = sample_vault(vault_dir, tmp_path)
        request.node.stash[_SAMPLE] = case
    else:
        created = Vault.create(vault_dir, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2)
    yield created
    created.vault.lock()


@pytest.fixture
def sample_case(vault: Vault, request: pytest.FixtureRequest) -> SampleCase:
    return request.node.stash[_SAMPLE]


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """The real command in a child whose home and temp folders are ours to inspect."""
    home, temp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    temp.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FIELDVAULT_", "XDG_"))}
    env |= {"HOME": str(home), "TMPDIR": str(temp), "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}
    return Cli(tmp_path / "vault", env)
