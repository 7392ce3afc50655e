"""Errors the vault raises, each with a message a field worker can act on.

Messages name ids, never content: an error may end up in a log or on screen.
The fields a message is made of are kept as attributes too (``path``,
``entity_id``, ``errno``…), so that the GUI can say the same in the user's
language (desktop/messages.py).
"""

from __future__ import annotations


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
        super().__init__(
            f"Could not {what}: {reason}. Nothing was lost: the vault still "
            "holds its previous state. Free disk space or check the drive, then retry."
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
