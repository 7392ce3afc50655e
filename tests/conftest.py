"""Fixtures shared by every test package: chained from tmp_path (STYLE.md)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.keyring_store import NoKeyring
from db.keys import Argon2Params
from db.vault import CreatedVault, Vault

# Tests unlock vaults hundreds of times; real vaults calibrate to ~0.5-1 s.
# Parameters are stored per vault, so this only affects vaults tests create.
FAST_ARGON2 = Argon2Params(time_cost=1, memory_kib=8 * 1024, parallelism=1)
PASSPHRASE = "correct horse battery staple"

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    return tmp_path / "vault"


@pytest.fixture
def created_vault(vault_dir: Path) -> Iterator[CreatedVault]:
    created = Vault.create(vault_dir, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2)
    yield created
    created.vault.lock()


@pytest.fixture
def vault(created_vault: CreatedVault) -> Vault:
    return created_vault.vault


def open_vault(folder: Path, passphrase: str = PASSPHRASE) -> Vault:
    return Vault.open(folder, passphrase, keyring=NoKeyring())
