"""What tests share to make and open vaults: the test passphrase, cheap
Argon2 parameters and ``open_vault``. The fixtures built on them are in
tests/conftest.py."""

from __future__ import annotations

import time
from pathlib import Path

from db.keyring_store import NoKeyring
from db.keys import Argon2Params
from db.vault import DB_FILE, Vault
from db.wal_checkpoints import CHECKPOINT_BACKLOG, wal_index

# Tests unlock vaults hundreds of times; real vaults calibrate to ~0.5-1 s.
# Parameters are stored per vault, so this only affects vaults tests create.
FAST_ARGON2 = Argon2Params(time_cost=1, memory_kib=8 * 1024, parallelism=1)
PASSPHRASE = "correct horse battery staple"


def open_vault(folder: Path, passphrase: str = PASSPHRASE) -> Vault:
    return Vault.open(folder, passphrase, keyring=NoKeyring())


def checkpoints_settled(folder: Path, within: float = 10.0) -> tuple[int, int]:
    """Wait until no background checkpoint is pending for the vault in
    ``folder`` (db/wal_checkpoints.py: its WAL's backlog is below
    CHECKPOINT_BACKLOG, so none is asked for, and one asked for has ended),
    or ``within`` seconds passed; returns the last (frames, copied). For
    tests that compare the files' bytes before and after something that
    must write nothing."""
    deadline = time.monotonic() + within
    while True:
        frames, copied = wal_index(folder / DB_FILE) or (0, 0)
        if frames - copied < CHECKPOINT_BACKLOG or time.monotonic() > deadline:
            return frames, copied
        time.sleep(0.02)
