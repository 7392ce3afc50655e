"""Errors the vault raises, each with a message a field worker can act on.

Messages name ids, never content: an error may end up in a log or on screen.
The fields a message is made of are kept as attributes too (``path``,
``entity_id``, ``errno``…), so that the GUI can say the same in the user's
language (desktop/messages.py).
"""

from __future__ import annotations

import errno


class FieldvaultError(Exception):
    """Base of every error meant for the user. ``str(err)`` is safe to show."""


class VaultNotFound(FieldvaultError):
    def __init__(self, path: str) -> None:
        super().__init__(f"No vault at {path}. Create one with 'fieldvault init'.")
        self.path = path


class VaultExists(FieldvaultError):
    def __init__(self, path: str) -> None:
        super().__init__(f"A vault already exists at {path}; refusing to overwrite it.")
        self.path = path


class IncompleteVault(FieldvaultError):
    def __init__(self, path: str) -> None:
        super().__init__(
            f"{path} holds a vault database but no key file (an interrupted creation, or "
            "vault.keys was removed). If you have a copy of vault.keys, put it back; "
            "otherwise nothing can decrypt this database: delete the folder and create "
            "the vault again."
        )
        self.path = path


class DatabaseMissing(FieldvaultError):
    """The key file is there but the database is missing, empty or holds no
    vault: opening would start an empty vault beside the evidence files."""

    def __init__(self, path: str) -> None:
        super().__init__(
            f"The vault database (vault.db) in {path} is missing, empty or incomplete. "
            "Nothing was changed and no evidence file was touched. Put back vault.db "
            "from the copy or backup it came from, then unlock again."
        )
        self.path = path


class NotAVaultFolder(FieldvaultError):
    """A command that creates or destroys a vault was pointed at a folder that
    is not (or not only) a vault: it touches nothing there."""

    def __init__(self, path: str, reason: str) -> None:
        reasons = {
            "not-empty": "is not empty; a new vault needs an empty or new folder",
            "not-a-folder": "is not a folder",
            "not-a-vault": "is not a Fieldvault vault (no vault.keys, and files Fieldvault did not make)",
        }
        super().__init__(f"{path} {reasons[reason]}. Nothing was changed.")
        self.path = path
        self.reason = reason


class ExaminationRefused(FieldvaultError):
    """Read-only examination cannot look at this vault without writing to it."""

    def __init__(self, path: str, reason: str) -> None:
        reasons = {
            "wal": "its database has changes not yet merged into vault.db (a vault.db-wal file)",
            "schema": "its database uses an older schema, which only an upgrade (a write) can read",
        }
        super().__init__(
            f"Cannot examine {path} read-only: {reasons[reason]}. Nothing was changed. "
            "Make a copy of the folder and verify the copy without --read-only."
        )
        self.path = path
        self.reason = reason


class VaultLocked(FieldvaultError):
    def __init__(self) -> None:
        super().__init__("The vault is locked. Unlock it with your passphrase first.")


class WrongPassphrase(FieldvaultError):
    def __init__(self) -> None:
        super().__init__("Wrong passphrase. Nothing was changed; try again.")


class WrongRecoveryKey(FieldvaultError):
    def __init__(self) -> None:
        super().__init__(
            "That recovery key does not open this vault. Check it for typos "
            "(letters and digits only; dashes and spaces are ignored)."
        )


class KeyringSecretMissing(FieldvaultError):
    def __init__(self) -> None:
        super().__init__(
            "This vault needs a secret from this computer's keyring, and the "
            "keyring does not have it (another computer or user account?). "
            "Unlock with the recovery key instead."
        )


class VaultDamaged(FieldvaultError):
    """The vault's files are not what Fieldvault wrote (corruption or tampering)."""


class PlaintextDatabase(VaultDamaged):
    def __init__(self, path: str) -> None:
        super().__init__(
            f"{path} is an unencrypted SQLite database, not a Fieldvault vault. "
            "Refusing to open it: someone may have replaced the vault file."
        )
        self.path = path


class StorageError(FieldvaultError):
    """Writing to disk failed (disk full, I/O error); the previous state is kept."""

    def __init__(self, what: str, cause: OSError) -> None:
        reason = cause.strerror or type(cause).__name__
        advice = (
            # SQLite's "database is locked": another process held the write lock too long.
            "Another program is writing to this vault; wait for it to finish or close it"
            if cause.errno == errno.EBUSY
            else "Free disk space or check the drive"
        )
        super().__init__(
            f"Could not {what}: {reason}. Nothing was lost: the vault still "
            f"holds its previous state. {advice}, then retry."
        )
        self.errno = cause.errno


class NotFound(FieldvaultError):
    def __init__(self, kind: str, entity_id: str) -> None:
        super().__init__(f"No {kind} with id {entity_id}.")
        self.kind = kind
        self.entity_id = entity_id


class InvalidInput(FieldvaultError):
    """Data from a user or file that the vault refuses, with the field named."""


class RevisionRejected(FieldvaultError):
    """A revision from elsewhere failed a check; ``reason`` says which."""

    def __init__(self, revision_id: str, reason: str) -> None:
        super().__init__(f"Revision {revision_id} rejected: {reason}")
        self.revision_id = revision_id
        self.reason = reason
