"""The vault's age identity and organisation key (db/vault_keys.py): made
with the vault or at the first unlock after the upgrade, sealed inside it,
bound to their purpose; enrolment tokens are good once."""

from __future__ import annotations

from pathlib import Path

import pyrage
import pytest
from alembic import command
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, text

from db import migrate
from db.engine import make_engine
from db.errors import VaultDamaged, VaultLocked
from db.keys import KeyFile, derive_subkeys
from db.paths import KEY_FILE
from db.vault import DB_FILE, Vault
from tests.vault_helpers import PASSPHRASE, open_vault


def _engine(vault_dir: Path) -> Engine:
    key_file = KeyFile.from_bytes((vault_dir / KEY_FILE).read_bytes(), source=KEY_FILE)
    master_key = key_file.unwrap_with_passphrase(key_file.stretch(PASSPHRASE), None)
    return make_engine(vault_dir / DB_FILE, derive_subkeys(master_key, key_file.vault_id).database)


def test_a_new_vault_has_an_age_identity_that_decrypts_what_is_sent_to_it(
    vault: Vault, vault_dir: Path
) -> None:
    recipient = vault.vault_keys.age_recipient()
    assert recipient.startswith("age1")
    ciphertext = pyrage.encrypt(b"bundle payload", [pyrage.x25519.Recipient.from_str(recipient)])
    assert pyrage.decrypt(ciphertext, [vault.vault_keys.age_identity()]) == b"bundle payload"
    secret = str(vault.vault_keys.age_identity()).encode()
    vault.lock()
    # Sealed: the secret is not in the database, and stays the same across unlocks.
    with _engine(vault_dir).connect() as conn:
        sealed = conn.execute(
            text("SELECT sealed FROM vault_keys WHERE purpose = 'age-identity'")
        ).scalar_one()
    assert secret not in bytes(sealed)
    with open_vault(vault_dir) as again:
        assert again.vault_keys.age_recipient() == recipient
        assert str(again.vault_keys.age_identity()).encode() == secret
    with pytest.raises(VaultLocked):
        vault.vault_keys.age_identity()


def test_a_vault_made_before_the_upgrade_gets_one_at_its_first_unlock(vault: Vault, vault_dir: Path) -> None:
    vault.lock()
    engine = _engine(vault_dir)
    config = migrate.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0009")
    engine.dispose()
    with _engine(vault_dir).connect() as conn:
        assert "vault_keys" not in {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
    with open_vault(vault_dir) as upgraded:
        recipient = upgraded.vault_keys.age_recipient()
        assert recipient.startswith("age1")
    with open_vault(vault_dir) as again:
        assert again.vault_keys.age_recipient() == recipient


def test_a_sealed_key_moved_or_relabelled_does_not_decrypt(vault: Vault, vault_dir: Path) -> None:
    other = pyrage.x25519.Identity.generate()
    vault.lock()
    engine = _engine(vault_dir)
    with engine.begin() as conn:
        # An attacker with the database key swaps in their own recipient, so
        # that bundles would be addressed to them: the seal's aad catches it.
        conn.execute(
            text("UPDATE vault_keys SET public = :p WHERE purpose = 'age-identity'"),
            {"p": str(other.to_public())},
        )
    engine.dispose()
    with open_vault(vault_dir) as tampered, pytest.raises(VaultDamaged) as err:
        tampered.vault_keys.age_identity()
    assert err.value.code == "vault-key-undecryptable"


def test_the_organisation_key_is_kept_sealed_and_never_replaced(vault: Vault, vault_dir: Path) -> None:
    assert vault.vault_keys.org_signing_key() is None
    key = Ed25519PrivateKey.generate()
    vault.vault_keys.put_org_signing_key(key)
    vault.vault_keys.put_org_signing_key(key)  # the same again changes nothing
    with pytest.raises(ValueError):
        vault.vault_keys.put_org_signing_key(Ed25519PrivateKey.generate())
    vault.lock()
    with open_vault(vault_dir) as again:
        held = again.vault_keys.org_signing_key()
        assert held is not None
        assert held.private_bytes_raw() == key.private_bytes_raw()
    with _engine(vault_dir).connect() as conn:
        sealed = conn.execute(
            text("SELECT sealed FROM vault_keys WHERE purpose = 'org-signing-key'")
        ).scalar_one()
    assert key.private_bytes_raw() not in bytes(sealed)


def test_an_enrolment_token_is_good_once_and_until_it_expires(vault: Vault) -> None:
    tokens = vault.enrolment_tokens
    tokens.record_issued("a" * 32, expires_ms=2_000, issued_ms=1_000)
    tokens.record_issued("b" * 32, expires_ms=2_000, issued_ms=1_000)
    device, other = "1" * 32, "2" * 32
    assert tokens.use("c" * 32, device, now_ms=1_500) == "unknown"
    assert tokens.use("b" * 32, device, now_ms=2_000) == "expired"
    assert tokens.use("a" * 32, device, now_ms=1_500) == "accepted"
    assert tokens.use("a" * 32, device, now_ms=1_600) == "accepted"  # the same device again
    assert tokens.use("a" * 32, other, now_ms=1_600) == "used"
    assert [(t.token_id, t.used_by) for t in tokens.issued()] == [("a" * 32, device), ("b" * 32, None)]
