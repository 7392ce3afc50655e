"""What tests share to make and open vaults: the test passphrase, cheap
Argon2 parameters and ``open_vault``. The fixtures built on them are in
tests/conftest.py."""

from __future__ import annotations

import struct
import subprocess
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
    """(frames in the WAL of the vault in ``folder``, frames of them copied
    into the database file), from the -shm file's WAL-index header
    (SQLite's format: mxFrame at byte 16, nBackfill at byte 96, in the
    machine's byte order); (0, 0) without one. Read by another process:
    closing a descriptor of the file here would drop the POSIX locks SQLite
    holds on it in this process (db/wal_checkpoints.py)."""
    shm = folder / f"{DB_FILE}-shm"
    header = subprocess.run(["head", "-c", "100", str(shm)], capture_output=True, check=False).stdout
    if len(header) < 100:
        return 0, 0
    return struct.unpack_from("=I", header, 16)[0], struct.unpack_from("=I", header, 96)[0]


def checkpoints_settled(folder: Path, within: float = 10.0) -> tuple[int, int]:
    """Wait until the vault's WAL index in ``folder`` stays the same for
    0.3 s (no checkpoint under way on the engine's thread), or ``within``
    seconds passed; returns the last (frames, copied). For tests that
    compare the files' bytes before and after something that must write
    nothing."""
    deadline = time.monotonic() + within
    last = wal_index(folder)
    while True:
        time.sleep(0.3)
        now = wal_index(folder)
        if now == last or time.monotonic() > deadline:
            return now
        last = now
