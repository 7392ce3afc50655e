"""The vault's life cycle: create, unlock, lock, change passphrase, recover, wipe.

Files in a vault folder (docs/vault-format.md):

- ``vault.keys``  the key file: wrapped master key, Argon2id parameters;
- ``vault.db``    the SQLCipher 4 database (and its ``-wal``/``-shm``);
- ``blobs/``      encrypted evidence (the evidence store).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, insert, select, text
from sqlalchemy.orm import Session

from db import migrate
from db.atomicio import atomic_write, fsync_directory, remove_stale_temp_files
from db.blobstore import BlobStore
from db.device import DeviceIdentity
from db.engine import check_engine_opens, make_engine, refuse_plaintext_database
from db.entities import Case, Incident, Link, Person, Testimony
from db.errors import (
    IncompleteVault,
    InvalidInput,
    KeyringSecretMissing,
    StorageError,
    VaultExists,
    VaultLocked,
    VaultNotFound,
    WrongPassphrase,
)
from db.evidence import EvidenceService, known_blob_ids
from db.ids import new_id
from db.keyring_store import KeyringStore, SystemKeyring, new_keyring_secret
from db.keys import (
    Argon2Params,
    KeyFile,
    calibrate_argon2,
    derive_subkeys,
    format_recovery_key,
    new_key_file,
    parse_recovery_key,
)
from db.model import Device
from db.openlock import LOCK_FILE, OpenLock
from db.services import (
    DraftService,
    EntityService,
    RevisionService,
    SearchService,
    SettingsService,
    VaultContext,
    storage_errors,
)
from db.verify import VerifyProgress, VerifyReport, verify_vault

KEY_FILE = "vault.keys"
DB_FILE = "vault.db"
BLOB_DIR = "blobs"


class Services:
    """All services of an unlocked vault, as attributes."""

    def __init__(self, ctx: VaultContext) -> None:
        self.context = ctx
        self.cases: EntityService[Case] = EntityService(ctx, Case)
        self.incidents: EntityService[Incident] = EntityService(ctx, Incident)
        self.persons: EntityService[Person] = EntityService(ctx, Person)
        self.testimonies: EntityService[Testimony] = EntityService(ctx, Testimony)
        self.evidence = EvidenceService(ctx)
        self.links: EntityService[Link] = EntityService(ctx, Link)
        self.revisions = RevisionService(ctx)
        self.search = SearchService(ctx)
        self.settings = SettingsService(ctx)
        self.drafts = DraftService(ctx)
        ctx.user_label = self.settings.get("user_label")


@dataclass(frozen=True)
class VaultInfo:
    vault_id: str
    device_id: str
    folder: str
    uses_keyring: bool
    schema: str | None
    cases: int
    incidents: int
    persons: int
    testimonies: int
    evidence: int
    revisions: int
    conflicts: int


@dataclass(frozen=True)
class CreatedVault:
    vault: Vault
    recovery_key: str
    keyring_notice: str


def _read_key_file(folder: Path) -> KeyFile:
    path = folder / KEY_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise VaultNotFound(str(folder)) from None
    return KeyFile.from_bytes(data, source=KEY_FILE)


def _keyring_secret(key_file: KeyFile, keyring: KeyringStore) -> bytes | None:
    if not key_file.uses_keyring:
        return None
    secret = keyring.get(key_file.vault_id)
    if secret is None:
        raise KeyringSecretMissing()
    return secret


class Vault:
    """An unlocked vault. ``lock()`` closes the database and forgets the keys."""

    def __init__(self, folder: Path, key_file: KeyFile, master_key: bytes, keyring: KeyringStore) -> None:
        self.folder = folder
        self.vault_id = key_file.vault_id
        self._key_file = key_file
        self._keyring = keyring
        subkeys = derive_subkeys(master_key, key_file.vault_id)
        self._master_key: bytes | None = master_key
        self._blob_key: bytes | None = subkeys.blobs
        self._open_lock = OpenLock(folder)
        # Only when no other process has the vault open: its writes in
        # progress would look like leftovers.
        alone = self._open_lock.try_exclusive()
        if alone:
            remove_stale_temp_files(folder)
        with storage_errors("open the vault database"):
            self._engine: Engine | None = make_engine(folder / DB_FILE, subkeys.database)
            check_engine_opens(self._engine)
            migrate.upgrade(self._engine)
            identity = self._load_or_create_identity(subkeys.device_keys)
        self.device_id = identity.device_id
        blob_store = BlobStore(folder / BLOB_DIR)
        try:
            (folder / BLOB_DIR).mkdir(mode=0o700, exist_ok=True)
            if alone:
                with self._engine.connect() as conn, Session(conn) as session:
                    # Blobs a crash left between their rename and their commit.
                    blob_store.remove_orphans(known_blob_ids(session))
            self._open_lock.share()
        except OSError as err:
            self._engine.dispose()
            self._open_lock.release()
            raise StorageError("prepare the evidence folder", err) from err
        self._services: Services | None = Services(
            VaultContext(self._engine, identity, blob_store, subkeys.blobs)
        )
        # Drafts of records deleted since (by a received tombstone, or an
        # autosave that raced a delete) are dead text: drop them. A full disk
        # or a busy writer must not stop the unlock: then it waits for the next.
        with contextlib.suppress(StorageError):
            self._services.drafts.discard_stale()

    # -- life cycle -------------------------------------------------------

    @classmethod
    def create(
        cls,
        folder: Path,
        passphrase: str,
        *,
        keyring: KeyringStore | None = None,
        use_keyring: bool = True,
        argon2: Argon2Params | None = None,
    ) -> CreatedVault:
        """Create a vault; the recovery key in the result is shown to the user once."""
        folder = Path(folder)
        if (folder / KEY_FILE).exists():
            raise VaultExists(str(folder))
        if (folder / DB_FILE).exists():
            raise IncompleteVault(str(folder))
        keyring = keyring or SystemKeyring()
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            (folder / BLOB_DIR).mkdir(exist_ok=True, mode=0o700)
        except OSError as err:
            raise StorageError("create the vault folder", err) from err
        vault_id = new_id()
        master_key = secrets.token_bytes(32)
        recovery = secrets.token_bytes(32)
        keyring_secret = None
        notice = "Keyring not used."
        if use_keyring:
            if keyring.available():
                keyring_secret = new_keyring_secret()
                keyring.put(vault_id, keyring_secret)
                notice = f"Part of the key is kept in this computer's keyring ({keyring.description()})."
            else:
                notice = (
                    "No secure keyring on this system: the vault is protected by the "
                    "passphrase alone. Choose a long passphrase."
                )
        key_file = new_key_file(
            vault_id, master_key, passphrase, keyring_secret, argon2 or calibrate_argon2(), recovery
        )
        # The database is created before the key file is written, so a crash
        # in between leaves no key file: the folder is then not yet a vault.
        vault = None
        try:
            vault = cls(folder, key_file, master_key, keyring)
            atomic_write(folder / KEY_FILE, key_file.to_bytes(), what="write the key file")
        except BaseException:
            # Leave the folder as it was, so that creating again works.
            if vault is not None:
                vault.lock()
            _remove_database_files(folder)
            raise
        return CreatedVault(vault, format_recovery_key(recovery), notice)

    @classmethod
    def open(cls, folder: Path, passphrase: str, *, keyring: KeyringStore | None = None) -> Vault:
        """Unlock with the passphrase (slow on purpose: Argon2id). Raises
        WrongPassphrase, and changes no file, when it does not match."""
        folder = Path(folder)
        keyring = keyring or SystemKeyring()
        key_file = _read_key_file(folder)
        refuse_plaintext_database(folder / DB_FILE)
        stretched = key_file.stretch(passphrase)
        try:
            secret = _keyring_secret(key_file, keyring)
            master_key = key_file.unwrap_with_passphrase(stretched, secret)
        except (WrongPassphrase, KeyringSecretMissing):
            if key_file.is_duress(stretched):
                # Under coercion: destroy the keys, and look like a wrong passphrase.
                wipe_vault(folder, keyring=keyring, vault_id=key_file.vault_id)
                raise WrongPassphrase() from None
            raise
        return cls(folder, key_file, master_key, keyring)

    @classmethod
    def recover(
        cls,
        folder: Path,
        recovery_key: str,
        new_passphrase: str,
        *,
        keyring: KeyringStore | None = None,
        use_keyring: bool = True,
    ) -> tuple[Vault, str]:
        """Unlock with the recovery key and set a new passphrase. The used
        recovery key is replaced: the returned new one must be shown once."""
        folder = Path(folder)
        keyring = keyring or SystemKeyring()
        key_file = _read_key_file(folder)
        raw = parse_recovery_key(recovery_key)
        master_key = key_file.unwrap_with_recovery_key(raw)
        secret = None
        if use_keyring and keyring.available():
            # Reusing this machine's secret keeps the old key file valid should
            # writing the new one fail.
            secret = keyring.get(key_file.vault_id) or new_keyring_secret()
        stretched = key_file.stretch(new_passphrase)
        if key_file.is_duress(stretched):
            raise InvalidInput("That is the duress passphrase; choose another.")
        new_recovery = secrets.token_bytes(32)
        replacement = key_file.with_passphrase(master_key, stretched, secret).with_recovery_key(
            master_key, new_recovery
        )
        if secret is not None:
            keyring.put(key_file.vault_id, secret)
        # Open the database first: once the key file is replaced, the old
        # recovery key is retired, so the new one must reach the user.
        vault = cls(folder, replacement, master_key, keyring)
        try:
            atomic_write(folder / KEY_FILE, replacement.to_bytes(), what="write the key file")
        except BaseException:
            vault.lock()
            raise
        return vault, format_recovery_key(new_recovery)

    def change_passphrase(self, current: str, new: str) -> None:
        """Rewrap the master key under a new passphrase; the data is not re-encrypted."""
        master_key = self._require_master_key()
        secret = self._verify_passphrase(current)
        stretched = self._key_file.stretch(new)
        if self._key_file.is_duress(stretched):
            raise InvalidInput("That is the duress passphrase; choose another.")
        self._replace_key_file(self._key_file.with_passphrase(master_key, stretched, secret))

    def set_duress_passphrase(self, current: str, duress: str | None) -> None:
        """Set a passphrase that, typed at unlock, wipes the vault (None clears it)."""
        self._require_master_key()
        self._verify_passphrase(current)
        if duress is not None and duress == current:
            raise InvalidInput("The duress passphrase must differ from the passphrase.")
        stretched = self._key_file.stretch(duress) if duress is not None else None
        self._replace_key_file(self._key_file.with_duress(stretched))

    def _verify_passphrase(self, passphrase: str) -> bytes | None:
        """Prove the person at the keyboard knows the passphrase; returns the keyring secret."""
        secret = _keyring_secret(self._key_file, self._keyring)
        self._key_file.unwrap_with_passphrase(self._key_file.stretch(passphrase), secret)
        return secret

    def _replace_key_file(self, replacement: KeyFile) -> None:
        atomic_write(self.folder / KEY_FILE, replacement.to_bytes(), what="write the key file")
        self._key_file = replacement

    def lock(self) -> None:
        """Close the database and drop every key reference held here.

        Python cannot overwrite immutable bytes, so key material may linger in
        freed memory until reused (see docs/threat-model.md)."""
        if self._services is not None:
            self._services.context.sessions.closed = True
        if self._engine is not None:
            self._engine.dispose()
        self._engine = None
        self._services = None
        self._open_lock.release()
        self._master_key = None
        self._blob_key = None

    @property
    def is_locked(self) -> bool:
        return self._engine is None

    def wipe(self) -> None:
        """Panic wipe of this (open) vault: see ``wipe_vault``."""
        self.lock()
        wipe_vault(self.folder, keyring=self._keyring, vault_id=self.vault_id)

    # -- access -----------------------------------------------------------

    @property
    def services(self) -> Services:
        if self._services is None:
            raise VaultLocked()
        return self._services

    # The services, by name: vault.cases, vault.testimonies, vault.search…
    @property
    def cases(self) -> EntityService[Case]:
        return self.services.cases

    @property
    def incidents(self) -> EntityService[Incident]:
        return self.services.incidents

    @property
    def persons(self) -> EntityService[Person]:
        return self.services.persons

    @property
    def testimonies(self) -> EntityService[Testimony]:
        return self.services.testimonies

    @property
    def evidence(self) -> EvidenceService:
        return self.services.evidence

    @property
    def links(self) -> EntityService[Link]:
        return self.services.links

    @property
    def revisions(self) -> RevisionService:
        return self.services.revisions

    @property
    def search(self) -> SearchService:
        return self.services.search

    @property
    def settings(self) -> SettingsService:
        return self.services.settings

    @property
    def drafts(self) -> DraftService:
        return self.services.drafts

    def info(self) -> VaultInfo:
        services = self.services
        engine = self._engine
        assert engine is not None
        with engine.connect() as conn:
            revisions = int(conn.execute(text("SELECT count(*) FROM revisions")).scalar_one())
        return VaultInfo(
            vault_id=self.vault_id,
            device_id=self.device_id,
            folder=str(self.folder),
            uses_keyring=self._key_file.uses_keyring,
            schema=migrate.current_revision(engine),
            cases=services.cases.count(),
            incidents=services.incidents.count(),
            persons=services.persons.count(),
            testimonies=services.testimonies.count(),
            evidence=services.evidence.count(),
            revisions=revisions,
            conflicts=len(services.revisions.conflicts()),
        )

    def verify(self, progress: VerifyProgress | None = None) -> VerifyReport:
        """Check every blob, revision and custody event; see db/verify.py."""
        services = self.services
        return verify_vault(services.context, progress)

    def integrity_check(self) -> list[str]:
        """SQLite's own page-level check; an empty list means all is well."""
        engine = self._engine
        if engine is None:
            raise VaultLocked()
        with engine.connect() as conn:
            rows = [r[0] for r in conn.execute(text("PRAGMA integrity_check"))]
        return [] if rows == ["ok"] else rows

    def _require_master_key(self) -> bytes:
        if self._master_key is None:
            raise VaultLocked()
        return self._master_key

    def _load_or_create_identity(self, device_keys_subkey: bytes) -> DeviceIdentity:
        assert self._engine is not None
        with self._engine.begin() as conn:
            row = conn.execute(select(Device.device_id, Device.sealed_private_key)).first()
            if row is not None:
                return DeviceIdentity.unseal(row[0], row[1], device_keys_subkey)
            identity = DeviceIdentity.generate()
            conn.execute(
                insert(Device).values(
                    device_id=identity.device_id,
                    public_key=identity.public_key,
                    sealed_private_key=identity.seal(device_keys_subkey),
                    label="",
                    created_ms=time.time_ns() // 1_000_000,
                )
            )
            return identity


def _remove_database_files(folder: Path) -> None:
    for name in (DB_FILE, f"{DB_FILE}-wal", f"{DB_FILE}-shm", f"{DB_FILE}-journal"):
        with contextlib.suppress(OSError):
            (folder / name).unlink()


def wipe_vault(folder: Path, *, keyring: KeyringStore | None = None, vault_id: str | None = None) -> None:
    """Panic wipe, fastest and most important step first.

    1. Crypto-shred: overwrite the key file in place with random bytes, fsync,
       delete it. Without a wrapped master key nothing decrypts, whatever else
       survives on the disk.
    2. Delete the keyring entry.
    3. Delete the database and blobs, best effort (an SSD or journaling file
       system may keep old blocks; step 1 is what makes them useless).
    """
    folder = Path(folder)
    key_path = folder / KEY_FILE
    if vault_id is None:
        with contextlib.suppress(Exception):
            vault_id = _read_key_file(folder).vault_id
    for candidate in [key_path, *folder.glob(".tmp-*")]:
        with contextlib.suppress(OSError):
            size = candidate.stat().st_size
            with candidate.open("r+b") as handle:
                handle.write(secrets.token_bytes(max(size, 1)))
                handle.flush()
                os.fsync(handle.fileno())
            candidate.unlink()
    with contextlib.suppress(OSError):
        fsync_directory(folder)
    if vault_id is not None:
        with contextlib.suppress(Exception):
            (keyring or SystemKeyring()).delete(vault_id)
    for name in (DB_FILE, f"{DB_FILE}-wal", f"{DB_FILE}-shm", f"{DB_FILE}-journal", LOCK_FILE):
        with contextlib.suppress(OSError):
            (folder / name).unlink()
    shutil.rmtree(folder / BLOB_DIR, ignore_errors=True)
    with contextlib.suppress(OSError):
        folder.rmdir()
