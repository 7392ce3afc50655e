"""The vault's life cycle: create, unlock, lock, change passphrase, recover, wipe.

Files in a vault folder (docs/vault-format.md):

- ``vault.keys``  the key file: wrapped master key, Argon2id parameters;
- ``vault.db``    the SQLCipher 4 database (and its ``-wal``/``-shm``);
- ``blobs/``      encrypted evidence (the evidence store);
- ``quarantine/`` blob files no database row refers to, kept until removed
  on purpose (``fieldvault quarantine purge``);
- ``vault.lock``  the advisory lock every process with the vault open holds.

Nothing here deletes a file it did not make: an evidence file the database
does not know moves to ``quarantine/``, and a folder that is not a vault is
refused by ``create`` and ``wipe_vault`` alike.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import secrets
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, insert, select, text
from sqlalchemy.orm import Session

from db import migrate
from db.atomicio import atomic_write, fsync_directory, remove_stale_temp_files
from db.blobstore import BlobStore, Settled
from db.consent import ConsentService
from db.device import DeviceIdentity
from db.engine import check_engine_opens, make_engine, refuse_plaintext_database
from db.entities import Case, Incident, Link, Person, Testimony
from db.errors import (
    DatabaseMissing,
    ExaminationRefused,
    FieldvaultError,
    IncompleteVault,
    InvalidInput,
    KeyringSecretMissing,
    NotAVaultFolder,
    StorageError,
    VaultDamaged,
    VaultExists,
    VaultLocked,
    VaultNotFound,
    WrongPassphrase,
)
from db.evidence import EvidenceService, known_blob_ids
from db.evidence_links import EvidenceLinks
from db.export_files import remove_export_leftovers
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
from db.openlock import LOCK_FILE, OpenLock, key_file_change
from db.partial_exports import ExportsInProgress, InterruptedExport, clear_interrupted_exports
from db.paths import KEY_FILE
from db.purge import finish_purges
from db.recording import Recording, recover_interrupted
from db.search_terms import forget_words
from db.services import (
    DraftService,
    EntityService,
    RevisionService,
    SearchService,
    SettingsService,
    VaultContext,
    storage_errors,
)
from db.sync_state import SyncStateService
from db.vault_keys import EnrolmentTokens, VaultKeys
from db.verify import Problem, VerifyProgress, VerifyReport, verify_vault

if TYPE_CHECKING:
    from db.backup import BackupResult
    from db.blobstore import CancelToken

DB_FILE = "vault.db"
BLOB_DIR = "blobs"
QUARANTINE_DIR = "quarantine"
# Bundles on their way to or from the organisation's server (sync/client):
# ciphertext only, made and removed by the sync client.
SYNC_SPOOL_DIR = "sync-spool"
# Inside the spool: other devices' bundles a coordinator relays (sync/bundle/org_held.py).
SYNC_RELAY_DIR = "relay"
DB_FILES = (DB_FILE, f"{DB_FILE}-wal", f"{DB_FILE}-shm", f"{DB_FILE}-journal")
# What a vault folder may hold (docs/vault-format.md, "Files"): create and
# wipe touch these names and nothing else.
VAULT_FILES = frozenset({KEY_FILE, *DB_FILES, LOCK_FILE})
VAULT_DIRS = frozenset({BLOB_DIR, QUARANTINE_DIR, SYNC_SPOOL_DIR})
# Our temp files (db/atomicio.py), blob ids, and quarantined blob files.
OUR_TEMP_NAME = re.compile(r"\.tmp-[0-9a-f]{16}")
BLOB_NAME = re.compile(r"[0-9a-f]{32}")
QUARANTINED_NAME = re.compile(r"[0-9a-f]{32}(\.[0-9a-f]{8})?")
# Bundle files in the sync spool, and what the bundle writer leaves while writing.
SPOOL_NAME = re.compile(r"\.?[0-9a-f-]+\.fvbundle(\.part|\.[0-9a-f]{16}(\.payload)?\.tmp)?")


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
        self.consents = ConsentService(ctx)
        self.evidence_links = EvidenceLinks(ctx)
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


# What Vault.create says about the keyring, by code: the GUI translates the
# code (desktop/messages.py), the CLI prints the English.
KEYRING_NOTICES = {
    "keyring-not-used": "Keyring not used.",
    "keyring-used": "Part of the key is kept in this computer's keyring ({backend}).",
    "no-secure-keyring": (
        "No secure keyring on this system: the vault is protected by the passphrase alone. "
        "Choose a long passphrase."
    ),
}


@dataclass(frozen=True)
class KeyringNotice:
    code: str  # one of KEYRING_NOTICES
    backend: str = ""  # the keyring's description, for "keyring-used"

    @property
    def text(self) -> str:
        return KEYRING_NOTICES[self.code].format(backend=self.backend)


@dataclass(frozen=True)
class CreatedVault:
    vault: Vault
    recovery_key: str
    keyring: KeyringNotice

    @property
    def keyring_notice(self) -> str:
        """The keyring notice in English (the CLI's)."""
        return self.keyring.text


def _read_key_file(folder: Path) -> KeyFile:
    path = folder / KEY_FILE
    if path.is_symlink():
        # Read through a link, the key file could be elsewhere, out of reach
        # of a wipe of this folder: refuse the layout.
        raise VaultDamaged(
            f"The key file {KEY_FILE} in {folder} is a link, not a file; refusing to use it.",
            "key-file-damaged",
            name=KEY_FILE,
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise VaultNotFound(str(folder)) from None
    except NotADirectoryError:
        raise NotAVaultFolder(str(folder), "not-a-folder") from None
    except OSError as err:
        raise StorageError("read the key file", err) from err
    return KeyFile.from_bytes(data, source=KEY_FILE)


def _require_database(folder: Path) -> None:
    """An existing vault's database must be there and hold something: SQLite
    would otherwise start an empty one, and the vault would look empty."""
    try:
        size = (folder / DB_FILE).stat().st_size
    except FileNotFoundError:
        raise DatabaseMissing(str(folder)) from None
    except OSError as err:
        raise StorageError("open the vault database", err) from err
    if size == 0:
        raise DatabaseMissing(str(folder))


def _is_ours(folder: Path, name: str) -> bool:
    """A name Fieldvault makes in a vault folder (its own temp files included)."""
    return name in VAULT_FILES or name in VAULT_DIRS or OUR_TEMP_NAME.fullmatch(name) is not None


def _write_key_file(folder: Path, replacement: KeyFile) -> None:
    """Replace the key file, unless it is gone: a wipe in the meantime must
    not be undone by a change that read the file before it."""
    if not (folder / KEY_FILE).is_file():
        raise VaultNotFound(str(folder))
    atomic_write(folder / KEY_FILE, replacement.to_bytes(), what="write the key file")


def _key_check(master_key: bytes) -> bytes:
    """A digest that recognises the master key without being it."""
    return hashlib.sha256(b"fieldvault/master-key-check|" + master_key).digest()


def _keyring_secret(key_file: KeyFile, keyring: KeyringStore) -> bytes | None:
    if not key_file.uses_keyring:
        return None
    secret = keyring.get(key_file.vault_id)
    if secret is None:
        raise KeyringSecretMissing()
    return secret


class Vault:
    """An unlocked vault. ``lock()`` closes the database and forgets the keys."""

    def __init__(
        self,
        folder: Path,
        key_file: KeyFile,
        master_key: bytes,
        keyring: KeyringStore,
        *,
        creating: bool = False,
        read_only: bool = False,
    ) -> None:
        """Open the database of an unlocked key file.

        ``creating``: only ``create`` may start a new database; an existing
        vault whose database is missing, empty or without a schema is refused
        (DatabaseMissing), never re-created. ``read_only``: an examination
        that writes nothing to the folder (see ``Vault.examine``)."""
        self.folder = folder
        self.vault_id = key_file.vault_id
        self.read_only = read_only
        self._key_file = key_file
        self._keyring = keyring
        subkeys = derive_subkeys(master_key, key_file.vault_id)
        # The master key is not kept: a key-file change unwraps it again from
        # the file on disk. Only a digest stays, to recognise it then.
        self._master_key_check: bytes | None = _key_check(master_key)
        # Kept for ``back_up``: the copy of the database is keyed like this one.
        self._database_key: bytes | None = subkeys.database
        # What the unlock moved between blobs/ and quarantine/ (None: nothing
        # was checked, as another process had the vault open).
        self.settled: Settled | None = None
        self.purges_finished: list[str] = []  # blob ids whose purge this unlock finished (db/purge.py)
        # Evidence ids of recordings a crash had interrupted, recovered at this unlock.
        self.recovered_recordings: list[str] = []
        # Partial exports a crash left in the user's folders, found at this unlock (db/partial_exports.py).
        self.interrupted_exports: list[InterruptedExport] = []
        # Recordings under way (vault.start_recording): locking stops them.
        self._recordings: weakref.WeakSet[Recording] = weakref.WeakSet()
        if not creating:
            _require_database(folder)
        if read_only and (folder / f"{DB_FILE}-wal").is_file() and (folder / f"{DB_FILE}-wal").stat().st_size:
            raise ExaminationRefused(str(folder), "wal")
        self._open_lock = OpenLock(folder, read_only=read_only)
        # Only when no other process has the vault open: its writes in
        # progress would look like leftovers.
        alone = not read_only and self._open_lock.try_exclusive()
        if alone:
            remove_stale_temp_files(folder)
        self._engine: Engine | None = None
        try:
            with storage_errors("open the vault database"):
                self._engine = make_engine(folder / DB_FILE, subkeys.database, read_only=read_only)
                check_engine_opens(self._engine)
                self._prepare_schema(self._engine, creating=creating, read_only=read_only)
                identity = self._load_identity(subkeys.device_keys, create=creating)
        except BaseException:
            if self._engine is not None:
                self._engine.dispose()
            self._open_lock.release()
            raise
        self.device_id = identity.device_id
        blob_store = BlobStore(folder / BLOB_DIR)
        if not read_only:
            try:
                (folder / BLOB_DIR).mkdir(mode=0o700, exist_ok=True)
                if creating:
                    # A new vault: ``create`` checked that the folder was new or
                    # empty and made its database just now, so the sweeps below
                    # would find nothing to settle, finish or clear (~7 of ~80 ms
                    # of CPU a create, measured); the next unlock runs them as ever.
                    self.settled = Settled(restored=[], quarantined=[])
                elif alone:
                    with self._engine.connect() as conn, Session(conn) as session:
                        known = known_blob_ids(session)
                    # Never a deletion: a database restored from an older copy
                    # does not know newer evidence, and putting the right one
                    # back must bring it all back (docs/vault-format.md).
                    self.settled = blob_store.settle(known, folder / QUARANTINE_DIR)
                    with self._engine.connect() as conn, Session(conn) as session:
                        # Purges recorded but not unlinked (a crash between the two): finish them.
                        self.purges_finished = finish_purges(session, blob_store)
                    # Plaintext copies that interrupted exports left in the user's folders (ours only).
                    remove_export_leftovers(self._engine)
                    self.interrupted_exports = clear_interrupted_exports(self._engine)
                self._open_lock.share()
            except OSError as err:
                self._engine.dispose()
                self._open_lock.release()
                raise StorageError("prepare the evidence folder", err) from err
        self._services: Services | None = Services(
            VaultContext(self._engine, identity, blob_store, subkeys.blobs)
        )
        self._vault_keys: VaultKeys | None = VaultKeys(self._services.context, subkeys.device_keys)
        if not read_only:
            # Made with the vault, or at the first unlock after migration 0010
            # (a busy writer or a full disk puts it off to the next unlock).
            with contextlib.suppress(StorageError):
                self._vault_keys.ensure_age_identity()
        if not read_only and not creating:
            # Drafts of records deleted since (by a received tombstone, or an
            # autosave that raced a delete) are dead text: drop them. A full disk
            # or a busy writer must not stop the unlock: then it waits for the next.
            with contextlib.suppress(StorageError):
                self._services.drafts.discard_stale()
        if not read_only and alone and not creating:
            # A recording a crash interrupted becomes evidence marked
            # "interrupted" (db/recording.py); a busy writer or a full disk
            # leaves it for the next unlock.
            with contextlib.suppress(StorageError):
                services = self._services
                self.recovered_recordings = recover_interrupted(
                    services.context, services.evidence, services.evidence_links
                )

    def _prepare_schema(self, engine: Engine, *, creating: bool, read_only: bool) -> None:
        schema = None if creating else migrate.current_revision(engine)
        if not creating and schema is None:
            # A database with no schema is a new, empty one: not this vault's.
            raise DatabaseMissing(str(self.folder))
        if creating:
            migrate.create_schema(engine)
        elif not read_only:
            migrate.upgrade(engine)
        elif schema != migrate.head_revision():
            raise ExaminationRefused(str(self.folder), "schema")

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
        made_folder = _prepare_new_vault_folder(folder)
        keyring = keyring or SystemKeyring()
        try:
            (folder / BLOB_DIR).mkdir(mode=0o700)
        except OSError as err:
            _remove_what_create_made(folder, made_folder)
            raise StorageError("create the vault folder", err) from err
        vault_id = new_id()
        master_key = secrets.token_bytes(32)
        recovery = secrets.token_bytes(32)
        keyring_secret = None
        notice = KeyringNotice("keyring-not-used")
        if use_keyring:
            if keyring.available():
                keyring_secret = new_keyring_secret()
                keyring.put(vault_id, keyring_secret)
                notice = KeyringNotice("keyring-used", keyring.description())
            else:
                notice = KeyringNotice("no-secure-keyring")
        key_file = new_key_file(
            vault_id, master_key, passphrase, keyring_secret, argon2 or calibrate_argon2(), recovery
        )
        # The database is created before the key file is written, so a crash
        # in between leaves no key file: the folder is then not yet a vault.
        vault = None
        try:
            vault = cls(folder, key_file, master_key, keyring, creating=True)
            atomic_write(folder / KEY_FILE, key_file.to_bytes(), what="write the key file")
        except BaseException:
            # Leave the folder as it was, so that creating again works.
            if vault is not None:
                vault.lock()
            _remove_what_create_made(folder, made_folder)
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
    def examine(cls, folder: Path, passphrase: str, *, keyring: KeyringStore | None = None) -> Vault:
        """Open for examination: writes nothing to the folder (no lock file,
        no WAL files, no migration, no clean-up, no custody events). A duress
        passphrase is only a wrong one here: an examiner's copy is evidence."""
        folder = Path(folder)
        keyring = keyring or SystemKeyring()
        key_file = _read_key_file(folder)
        refuse_plaintext_database(folder / DB_FILE)
        secret = _keyring_secret(key_file, keyring)
        master_key = key_file.unwrap_with_passphrase(key_file.stretch(passphrase), secret)
        return cls(folder, key_file, master_key, keyring, read_only=True)

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
        raw = parse_recovery_key(recovery_key)
        _read_key_file(folder)  # no vault: say so before taking a lock in the folder
        with key_file_change(folder):
            return cls._recover_locked(folder, raw, new_passphrase, keyring, use_keyring)

    @classmethod
    def _recover_locked(
        cls, folder: Path, raw: bytes, new_passphrase: str, keyring: KeyringStore, use_keyring: bool
    ) -> tuple[Vault, str]:
        key_file = _read_key_file(folder)
        master_key = key_file.unwrap_with_recovery_key(raw)
        secret = None
        if use_keyring and keyring.available():
            # Reusing this machine's secret keeps the old key file valid should
            # writing the new one fail.
            secret = keyring.get(key_file.vault_id) or new_keyring_secret()
        stretched = key_file.stretch(new_passphrase)
        if key_file.is_duress(stretched):
            raise InvalidInput("That is the duress passphrase; choose another.", "passphrase-is-duress")
        new_recovery = secrets.token_bytes(32)
        replacement = key_file.with_passphrase(master_key, stretched, secret).with_recovery_key(
            master_key, new_recovery
        )
        if secret is not None:
            keyring.put(key_file.vault_id, secret)
        if not (folder / KEY_FILE).is_file():
            raise VaultNotFound(str(folder))  # wiped while the new passphrase was stretched
        # Open the database first: once the key file is replaced, the old
        # recovery key is retired, so the new one must reach the user.
        vault = cls(folder, replacement, master_key, keyring)
        try:
            atomic_write(folder / KEY_FILE, replacement.to_bytes(), what="write the key file")
        except BaseException:
            vault.lock()
            raise
        return vault, format_recovery_key(new_recovery)

    # Every change of the key file re-reads it from disk under an exclusive
    # lock and checks the passphrase against what it finds: another process
    # (a CLI ``recover`` while the GUI is open) may have changed it, and a
    # stale copy written back would undo that change.

    def change_passphrase(self, current: str, new: str) -> None:
        """Rewrap the master key under a new passphrase; the data is not re-encrypted."""
        self._require_unlocked()
        self._refuse_if_examining()
        with key_file_change(self.folder):
            on_disk, secret, master_key = self._verify_passphrase(current)
            stretched = on_disk.stretch(new)
            if on_disk.is_duress(stretched):
                raise InvalidInput("That is the duress passphrase; choose another.", "passphrase-is-duress")
            self._replace_key_file(on_disk.with_passphrase(master_key, stretched, secret))

    def set_duress_passphrase(self, current: str, duress: str | None) -> None:
        """Set a passphrase that, typed at unlock, wipes the vault (None clears it)."""
        self._require_unlocked()
        self._refuse_if_examining()
        with key_file_change(self.folder):
            on_disk, _secret, _master_key = self._verify_passphrase(current)
            if duress is not None and duress == current:
                raise InvalidInput(
                    "The duress passphrase must differ from the passphrase.", "duress-same-as-passphrase"
                )
            stretched = on_disk.stretch(duress) if duress is not None else None
            self._replace_key_file(on_disk.with_duress(stretched))

    def _verify_passphrase(self, passphrase: str) -> tuple[KeyFile, bytes | None, bytes]:
        """Prove the person at the keyboard knows the passphrase of the key
        file as it is on disk now; returns that key file, the keyring secret
        and the master key it unwraps (checked to be this vault's)."""
        on_disk = _read_key_file(self.folder)
        if on_disk.vault_id != self.vault_id:
            raise VaultDamaged(
                f"The key file in {self.folder} now belongs to another vault; nothing was changed.",
                "key-file-of-another-vault",
                path=str(self.folder),
            )
        secret = _keyring_secret(on_disk, self._keyring)
        master_key = on_disk.unwrap_with_passphrase(on_disk.stretch(passphrase), secret)
        if not hmac.compare_digest(_key_check(master_key), self._require_unlocked()):
            raise VaultDamaged(
                f"The key file in {self.folder} no longer opens this vault; nothing was changed.",
                "key-file-changed",
                path=str(self.folder),
            )
        return on_disk, secret, master_key

    def _replace_key_file(self, replacement: KeyFile) -> None:
        _write_key_file(self.folder, replacement)
        self._key_file = replacement

    def _refuse_if_examining(self) -> None:
        if self.read_only:
            raise InvalidInput(
                "This vault is open for examination (read-only): nothing can be changed.", "vault-read-only"
            )

    def lock(self) -> None:
        """Close the database and drop every key reference held here.

        Python cannot overwrite immutable bytes, so key material may linger in
        freed memory until reused (see docs/threat-model.md)."""
        for recording in list(self._recordings):
            if not recording.stopped:
                try:
                    recording.stop()
                except FieldvaultError:
                    recording.abandon()
        self._recordings.clear()
        if self._services is not None:
            self._services.context.close()
        if self._vault_keys is not None:
            self._vault_keys.close()
        self._vault_keys = None
        if self._engine is not None:
            self._engine.dispose()
        self._engine = None
        self._services = None
        self._open_lock.release()
        self._master_key_check = None
        self._database_key = None
        forget_words()  # the words of its records, cached for indexing and search

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.lock()

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
    def consents(self) -> ConsentService:
        return self.services.consents

    @property
    def evidence_links(self) -> EvidenceLinks:
        return self.services.evidence_links

    def start_recording(self, case_id: str, testimony_id: str = "", **audio: int) -> Recording:
        """A recording streaming into the vault (db/recording.py). Locking
        stops and records it (or, if that fails, leaves it to be recovered)."""
        services = self.services
        recording = Recording(
            services.context, services.evidence, services.evidence_links, case_id, testimony_id, **audio
        )
        self._recordings.add(recording)
        return recording

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

    @property
    def device_public_key(self) -> bytes:
        """This vault's raw 32-byte Ed25519 public key (its device id is derived from it)."""
        return self.services.context.identity.public_key

    @property
    def vault_keys(self) -> VaultKeys:
        """The age identity and, in a coordinator's vault, the organisation key (db/vault_keys.py)."""
        if self._vault_keys is None:
            raise VaultLocked()
        return self._vault_keys

    @property
    def enrolment_tokens(self) -> EnrolmentTokens:
        """The enrolment tokens this coordinator issued (db/vault_keys.py)."""
        return EnrolmentTokens(self.services.context)

    @property
    def exports_in_progress(self) -> ExportsInProgress:
        """The record of case exports being written (db/partial_exports.py)."""
        return ExportsInProgress(self.services.context)

    @property
    def sync(self) -> SyncStateService:
        """Sync state and bundle import (db/sync_state.py)."""
        return SyncStateService(self.services.context)

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
        """Check every blob, revision and custody event (db/verify.py), and
        list the quarantined files as notices. An examination records nothing."""
        services = self.services
        report = verify_vault(services.context, progress, record=not self.read_only)
        report.notices += [
            Problem(
                "quarantine",
                name,
                "an evidence file no record refers to (kept in quarantine/): put back the "
                "database it belongs to, or remove it with 'fieldvault quarantine purge'",
            )
            for name in self.quarantined()
        ]
        return report

    def back_up(
        self,
        to: Path,
        *,
        progress: Callable[[int, int], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> BackupResult:
        """An encrypted copy of the whole vault in a new folder under ``to``
        (db/backup.py); records when it finished (setting ``last_backup_at``)."""
        from db.backup import LAST_BACKUP_SETTING, write_backup

        services = self.services
        engine, database_key = self._engine, self._database_key
        if engine is None or database_key is None:
            raise VaultLocked()
        raw = engine.raw_connection()
        try:
            result = write_backup(
                vault_folder=self.folder,
                vault_id=self.vault_id,
                source_connection=raw.driver_connection,
                database_key=database_key,
                to=to,
                progress=progress,
                cancel=cancel,
            )
        finally:
            raw.close()
        if not self.read_only:
            # The backup is made: a full disk here must not report it failed.
            with contextlib.suppress(StorageError):
                services.settings.set(LAST_BACKUP_SETTING, result.finished_at)
        return result

    # -- quarantine -------------------------------------------------------

    def quarantined(self) -> list[str]:
        """Names of the files in quarantine/ (blob ids), sorted."""
        folder = self.folder / QUARANTINE_DIR
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir())

    def purge_quarantine(self) -> list[str]:
        """Delete the quarantined files: only on the user's explicit request
        (``fieldvault quarantine purge``). Returns the names removed. Files
        whose names Fieldvault would not give are left where they are."""
        self.services  # noqa: B018 - refuses when locked
        self._refuse_if_examining()
        folder = self.folder / QUARANTINE_DIR
        removed = []
        for name in self.quarantined():
            if QUARANTINED_NAME.fullmatch(name) and (folder / name).is_file():
                try:
                    (folder / name).unlink()
                except OSError as err:
                    raise StorageError("remove a quarantined file", err) from err
                removed.append(name)
        with contextlib.suppress(OSError):
            fsync_directory(folder)
        # The keys a coordinator's quarantine kept for these files go with them.
        from db.parked_set_aside import forget_quarantined_keys  # imports the import path

        forget_quarantined_keys(self, removed)
        return removed

    def integrity_check(self) -> list[str]:
        """SQLite's own page-level check; an empty list means all is well."""
        engine = self._engine
        if engine is None:
            raise VaultLocked()
        with engine.connect() as conn:
            rows = [r[0] for r in conn.execute(text("PRAGMA integrity_check"))]
        return [] if rows == ["ok"] else rows

    def _require_unlocked(self) -> bytes:
        if self._master_key_check is None:
            raise VaultLocked()
        return self._master_key_check

    def _load_identity(self, device_keys_subkey: bytes, *, create: bool) -> DeviceIdentity:
        assert self._engine is not None
        with self._engine.connect() as conn:
            row = conn.execute(select(Device.device_id, Device.sealed_private_key)).first()
        if row is not None:
            return DeviceIdentity.unseal(row[0], row[1], device_keys_subkey)
        if not create:
            # A vault always has its device key: without one, this database
            # is not the vault's (a new identity would sign as someone else).
            raise DatabaseMissing(str(self.folder))
        with self._engine.begin() as conn:
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


def _prepare_new_vault_folder(folder: Path) -> bool:
    """Make sure ``folder`` can become a vault: new, or an existing empty
    folder (then made private, 0700). Returns whether it was made here."""
    if (folder / KEY_FILE).exists():
        raise VaultExists(str(folder))
    if (folder / DB_FILE).exists():
        raise IncompleteVault(str(folder))
    try:
        folder.mkdir(parents=True, mode=0o700)
        return True
    except FileExistsError:
        if not folder.is_dir():
            raise NotAVaultFolder(str(folder), "not-a-folder") from None
    except NotADirectoryError:
        raise NotAVaultFolder(str(folder), "not-a-folder") from None
    except OSError as err:
        raise StorageError("create the vault folder", err) from err
    try:
        if any(folder.iterdir()):
            raise NotAVaultFolder(str(folder), "not-empty")
        folder.chmod(0o700)
    except OSError as err:
        raise StorageError("create the vault folder", err) from err
    return False


def _remove_what_create_made(folder: Path, made_folder: bool) -> None:
    """Undo a failed ``create``: its database, lock and empty blob folder;
    the folder itself only if create made it and it is empty."""
    for name in (*DB_FILES, LOCK_FILE):
        with contextlib.suppress(OSError):
            (folder / name).unlink()
    with contextlib.suppress(OSError):
        (folder / BLOB_DIR).rmdir()
    if made_folder:
        with contextlib.suppress(OSError):
            folder.rmdir()


def _require_vault_folder(folder: Path) -> None:
    """Wipe only a vault: a folder with our key file, or (a vault half wiped
    already) one holding nothing but names a vault has."""
    if not folder.is_dir():
        raise NotAVaultFolder(str(folder), "not-a-folder" if folder.exists() else "not-a-vault")
    if (folder / KEY_FILE).is_file():
        return
    names = [entry.name for entry in folder.iterdir()]
    if not names or not all(_is_ours(folder, name) for name in names):
        raise NotAVaultFolder(str(folder), "not-a-vault")


def _remove_our_files(folder: Path, pattern: re.Pattern[str]) -> None:
    """Delete the files in ``folder`` whose names we give, then the folder if empty."""
    if not folder.is_dir() or folder.is_symlink():
        return
    for entry in folder.iterdir():
        if pattern.fullmatch(entry.name) or OUR_TEMP_NAME.fullmatch(entry.name):
            with contextlib.suppress(OSError):
                if entry.is_file() and not entry.is_symlink():
                    entry.unlink()
    with contextlib.suppress(OSError):
        folder.rmdir()


# How long a wipe waits for a key-file change in progress to finish (an
# Argon2 run, well under this) before it goes on without the second shred.
KEY_CHANGE_WAIT = 10.0


def _shred_key_files(folder: Path) -> None:
    """Overwrite with random bytes, fsync and delete the key file and our temp
    files (a key file being written). A key file that is a link is only
    unlinked: what it points to is not the vault's to shred."""
    key_path = folder / KEY_FILE
    temps = [p for p in folder.iterdir() if OUR_TEMP_NAME.fullmatch(p.name)]
    for candidate in [key_path, *temps]:
        with contextlib.suppress(OSError):
            if candidate.is_symlink():
                candidate.unlink()
                continue
            if not candidate.is_file():
                continue
            size = candidate.stat().st_size
            with candidate.open("r+b") as handle:
                handle.write(secrets.token_bytes(max(size, 1)))
                handle.flush()
                os.fsync(handle.fileno())
            candidate.unlink()
    with contextlib.suppress(OSError):
        fsync_directory(folder)


def wipe_vault(folder: Path, *, keyring: KeyringStore | None = None, vault_id: str | None = None) -> None:
    """Panic wipe, fastest and most important step first.

    0. Refuse a folder that is not a vault (NotAVaultFolder): nothing changes.
    1. Crypto-shred: overwrite the key file in place with random bytes, fsync,
       delete it. Without a wrapped master key nothing decrypts, whatever else
       survives on the disk.
    2. Delete the keyring entry.
    3. Delete the database and blobs, best effort (an SSD or journaling file
       system may keep old blocks; step 1 is what makes them useless). Only
       names a vault has are deleted; the folder goes only if then empty.
    """
    folder = Path(folder)
    _require_vault_folder(folder)
    if vault_id is None:
        with contextlib.suppress(Exception):
            vault_id = _read_key_file(folder).vault_id
    _shred_key_files(folder)
    # A passphrase, recovery or duress change in another process (or a
    # settings worker of this one) may have read the key file before the
    # shred and be about to write a new one. Wait for it to finish (it holds
    # the key-file lock) and shred what it wrote. The keys are gone already;
    # this only makes sure they stay gone.
    with contextlib.suppress(OSError, TimeoutError), key_file_change(folder, timeout=KEY_CHANGE_WAIT):
        _shred_key_files(folder)
    if vault_id is not None:
        with contextlib.suppress(Exception):
            (keyring or SystemKeyring()).delete(vault_id)
    for name in (*DB_FILES, LOCK_FILE):
        with contextlib.suppress(OSError):
            (folder / name).unlink()
    _remove_our_files(folder / BLOB_DIR, BLOB_NAME)
    _remove_our_files(folder / QUARANTINE_DIR, QUARANTINED_NAME)
    _remove_our_files(folder / SYNC_SPOOL_DIR / SYNC_RELAY_DIR, SPOOL_NAME)
    _remove_our_files(folder / SYNC_SPOOL_DIR, SPOOL_NAME)
    with contextlib.suppress(OSError):
        folder.rmdir()
