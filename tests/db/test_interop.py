"""The vault opens with independent tools, following docs/vault-format.md alone.

No Fieldvault code is used to read the vault here: the key file is unwrapped
with argon2-cffi and cryptography as the document describes, and the database
is read with SQLite3 Multiple Ciphers (apsw-sqlite3mc), an independent
implementation of the SQLCipher 4 format, not the sqlcipher3 binding the app links.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path

import apsw
import pytest
from argon2.low_level import Type, hash_secret_raw
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from db.vault import Vault
from tests.factory import make_testimony
from tests.vault_helpers import PASSPHRASE

NARRATIVE = "Свідок W-3 бачив, як полонених вивели до лісосмуги. Witness W-3 saw it."


def hkdf(ikm: bytes, salt: bytes | None, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


def database_key_from_documented_steps(vault_dir: Path, passphrase: str) -> bytes:
    doc = json.loads((vault_dir / "vault.keys").read_text())
    slot = doc["passphrase"]
    stretched = hash_secret_raw(
        passphrase.encode(),
        base64.b64decode(slot["salt"]),
        time_cost=slot["time_cost"],
        memory_cost=slot["memory_kib"],
        parallelism=slot["parallelism"],
        hash_len=32,
        type=Type.ID,
    )
    kek = hkdf(stretched, None, b"fieldvault/kek/passphrase")
    aad = f"fieldvault-keyslot-v1|{doc['vault_id']}|passphrase".encode()
    master = AESGCM(kek).decrypt(base64.b64decode(slot["nonce"]), base64.b64decode(slot["wrapped"]), aad)
    return hkdf(master, doc["vault_id"].encode(), b"fieldvault/subkey/database/v1")


@pytest.fixture
def closed_vault(vault: Vault, vault_dir: Path) -> str:
    testimony = make_testimony(vault, narrative=NARRATIVE)
    vault.lock()
    return testimony.id


def test_independent_sqlcipher4_reads_a_testimony(closed_vault: str, vault_dir: Path) -> None:
    key = database_key_from_documented_steps(vault_dir, PASSPHRASE)
    connection = apsw.Connection(str(vault_dir / "vault.db"), flags=apsw.SQLITE_OPEN_READONLY)
    assert list(connection.execute("PRAGMA cipher = 'sqlcipher'")) == [("sqlcipher",)]
    assert list(connection.execute("PRAGMA legacy = 4")) == [("4",)]
    connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    ((body,),) = list(connection.execute("SELECT body FROM entities WHERE entity_id = ?", (closed_vault,)))
    assert json.loads(body)["narrative"] == NARRATIVE
    # The signed revision is there too, verifiable on its own (docs/vault-format.md).
    ((signed,),) = list(
        connection.execute("SELECT signed FROM revisions WHERE entity_id = ?", (closed_vault,))
    )
    assert json.loads(signed)["body"]["narrative"] == NARRATIVE
    connection.close()


def test_independent_sqlcipher4_refuses_a_wrong_key(closed_vault: str, vault_dir: Path) -> None:
    connection = apsw.Connection(str(vault_dir / "vault.db"), flags=apsw.SQLITE_OPEN_READONLY)
    connection.execute("PRAGMA cipher = 'sqlcipher'")
    connection.execute("PRAGMA legacy = 4")
    connection.execute(f"PRAGMA key = \"x'{'00' * 32}'\"")
    with pytest.raises(apsw.NotADBError):
        list(connection.execute("SELECT count(*) FROM sqlite_master"))
    connection.close()


def test_plain_sqlite_cannot_read_the_vault(closed_vault: str, vault_dir: Path) -> None:
    connection = sqlite3.connect(f"file:{vault_dir / 'vault.db'}?mode=ro", uri=True)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    connection.close()
    assert not (vault_dir / "vault.db").read_bytes().startswith(b"SQLite format 3")
