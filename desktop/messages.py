"""The vault's messages, in the user's language.

The core (``db/``) knows nothing of Qt, so its messages are English. The errors a
field worker meets on the first screens are mapped here to translated text (the
English is the same as the core's); any other ``FieldvaultError`` is shown as
``str(err)``, which the core guarantees is safe to show. An error that is not the
vault's own is named by type only: its message could quote data.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from db.errors import FieldvaultError, KeyringSecretMissing, VaultLocked, WrongPassphrase
from desktop.workers import OperationFailed

CONTEXT = "Messages"

KEYRING_NOT_USED = "Keyring not used."
NO_SECURE_KEYRING = (
    "No secure keyring on this system: the vault is protected by the passphrase alone. "
    "Choose a long passphrase."
)
KEYRING_USED_PREFIX = "Part of the key is kept in this computer's keyring ("


def error_message(error: FieldvaultError | None, error_type: str = "") -> str:
    if isinstance(error, WrongPassphrase):
        return QCoreApplication.translate("Messages", "Wrong passphrase. Nothing was changed; try again.")
    if isinstance(error, KeyringSecretMissing):
        return QCoreApplication.translate(
            "Messages",
            "This vault needs a secret from this computer's keyring, and the keyring does not "
            "have it (another computer or user account?). Unlock with the recovery key instead.",
        )
    if isinstance(error, VaultLocked):
        return QCoreApplication.translate("Messages", "The vault is locked. Unlock it with your passphrase.")
    if error is not None:
        return str(error)
    return QCoreApplication.translate(
        "Messages", "An unexpected error stopped this ({error_type}). Try again."
    ).format(error_type=error_type or "?")


def failure_message(report: OperationFailed) -> str:
    return error_message(report.error, report.error_type)


def keyring_notice(notice: str) -> str:
    """Vault.create's keyring notice, translated when it is one we know."""
    if notice == KEYRING_NOT_USED:
        return QCoreApplication.translate("Messages", "The keyring is not used.")
    if notice == NO_SECURE_KEYRING:
        return QCoreApplication.translate(
            "Messages",
            "No secure keyring on this system: the vault is protected by the passphrase alone. "
            "Choose a long passphrase.",
        )
    if notice.startswith(KEYRING_USED_PREFIX) and notice.endswith(")."):
        backend = notice[len(KEYRING_USED_PREFIX) : -2]
        return QCoreApplication.translate(
            "Messages", "Part of the key is kept in this computer's keyring ({backend})."
        ).format(backend=backend)
    return notice
