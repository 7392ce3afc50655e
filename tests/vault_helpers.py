"""What tests share to make and open vaults: the test passphrase, cheap
Argon2 parameters and ``open_vault``. The fixtures built on them are in
tests/conftest.py."""

from __future__ import annotations

from pathlib import Path

from db.keyring_store import NoKeyring
from db.keys import Argon2Params
from db.vault import Vault

# Tests unlock vaults hundreds of times; real vaults calibrate to ~0.5-1 s.
# Parameters are stored per vault, so this only affects vaults tests create.
FAST_ARGON2 = Argon2Params(time_cost=1, memory_kib=8 * 1024, parallelism=1)
PASSPHRASE = "correct horse battery staple"


def open_vault(folder: Path, passphrase: str = PASSPHRASE) -> Vault:
    return Vault.open(folder, passphrase, keyring=NoKeyring())
