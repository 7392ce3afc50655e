"""What tests share to make and open vaults: the test passphrase, cheap
Argon2 parameters and ``open_vault``. The fixtures built on them are in
tests/conftest.py."""

from __future__ import annotations

import struct
import time
from pathlib import Path

from db.keyring_store import NoKeyring
from db.keys import Argon2Params
from db.vault import DB_FILE, Vault

# Tests unlock vaults hundreds of times; real vaults calibrate to ~0.5-1 s.
# Parameters are stored per vault, so this only affects vaults tests create.
FAST_ARGON2 = Argon2Params(time_cost=1, memory_kib=8 * 1024, parallelism=1)
PASSPHRASE = "correct horse battery staple"


def open_vault(folder: Path, passphrase: str = PASSPHRASE) -> Vault:
    return Vault.open(folder, passphrase, keyring=NoKeyring())


def wal_index(folder: Path) -> tuple[int, int]:
    """(frames in the vault's WAL, frames of them copied into the database
    file), from the -shm file's wal-index header (SQLite's format: mxFrame
    at byte 16, nBackfill at byte 96, in the machine's byte order). The
    -shm holds no page content, only these counters and frame numbers."""
    header = (folder / f"{DB_FILE}-shm").read_bytes()[:100]
    return struct.unpack_from("=I", header, 16)[0], struct.unpack_from("=I", header, 96)[0]


def checkpointed(folder: Path, within: float = 10.0) -> tuple[int, int]:
    """Wait until the engine's checkpoint thread (db/wal_checkpoints.py) has
    copied every WAL frame into the database file, or ``within`` seconds
    passed; returns the last wal_index. For tests that compare the files'
    bytes before and after something that must write nothing."""
    deadline = time.monotonic() + within
    while True:
        frames, copied = wal_index(folder)
        if (frames and copied == frames) or time.monotonic() > deadline:
            return frames, copied
        time.sleep(0.02)
