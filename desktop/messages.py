"""The vault's messages, in the user's language.

The core (``db/``) knows nothing of Qt, so its messages are English. Here each
of its error classes becomes a message in the interface language that says
what happened and what to do, made from the error's fields (a folder, an
item's id, an errno), not from its English text. Errors name ids, never
content, so nothing a witness said can reach these messages; and none of them
carries a traceback.

Where the core's English already says it well, the English source here is the
same text (e.g. the wrong passphrase, a file that cannot be read).

Two cases keep English: an ``InvalidInput`` this module does not recognise
shows the core's detail inside a translated sentence, because it names the
field to correct; and a ``FieldvaultError`` of a class not handled here is
shown as ``str(err)``, which the core guarantees is safe to show. An error
that is not the vault's own is named by type only: its message could quote
data.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication

from db.blobformat import BlobIntegrityError
from db.blobstore import ExportCancelled, IntakeCancelled, OperationCancelled
from db.errors import (
    DatabaseMissing,
    ExaminationRefused,
    FieldvaultError,
    IncompleteVault,
    InvalidInput,
    KeyringSecretMissing,
    NotAVaultFolder,
    NotFound,
    PlaintextDatabase,
    RevisionRejected,
    StorageError,
    VaultDamaged,
    VaultExists,
    VaultLocked,
    VaultNotFound,
    WrongPassphrase,
    WrongRecoveryKey,
)
from desktop.blob_device import DeviceAborted
from desktop.workers import OperationFailed

CONTEXT = "Messages"

KEYRING_NOT_USED = "Keyring not used."
NO_SECURE_KEYRING = (
    "No secure keyring on this system: the vault is protected by the passphrase alone. "
    "Choose a long passphrase."
)
KEYRING_USED_PREFIX = "Part of the key is kept in this computer's keyring ("

# The ids the core's messages name: UUIDv7 entity ids, 32-hex-digit blob and
# device ids.
_ID = re.compile(r"\b(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})\b")

# BlobIntegrityError details with a message of their own (db/evidence.py).
INTAKE_MISMATCH = "stored copy does not match; the source was kept"
EXPORT_MISMATCH = "decrypted bytes do not match the SHA-256 from intake"


def _ids_in(text: str) -> str:
    """The ids an English core message names, in order, comma-separated."""
    return ", ".join(dict.fromkeys(_ID.findall(text)))


# -- the vault and its keys --------------------------------------------------------


def _wrong_passphrase(_error: WrongPassphrase) -> str:
    return QCoreApplication.translate("Messages", "Wrong passphrase. Nothing was changed; try again.")


def _wrong_recovery_key(_error: WrongRecoveryKey) -> str:
    return QCoreApplication.translate(
        "Messages",
        "That recovery key does not open this vault. Check it for typos: it has only letters "
        "and digits (dashes and spaces do not matter).",
    )


def _keyring_secret_missing(_error: KeyringSecretMissing) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This vault needs a secret from this computer's keyring, and the keyring does not "
        "have it (another computer or user account?). Unlock with the recovery key instead.",
    )


def _vault_locked(_error: VaultLocked) -> str:
    return QCoreApplication.translate("Messages", "The vault is locked. Unlock it with your passphrase.")


def _vault_not_found(error: VaultNotFound) -> str:
    return QCoreApplication.translate(
        "Messages", "There is no vault in {folder}. Check the folder, or create a new vault there."
    ).format(folder=error.path)


def _vault_exists(error: VaultExists) -> str:
    return QCoreApplication.translate(
        "Messages",
        "There is already a vault in {folder}; nothing was overwritten. Unlock it, or choose another folder.",
    ).format(folder=error.path)


def _incomplete_vault(error: IncompleteVault) -> str:
    return QCoreApplication.translate(
        "Messages",
        "{folder} holds a vault database but no key file (an interrupted creation, or "
        "vault.keys was removed). If you have a copy of vault.keys, put it back. Otherwise "
        "nothing can decrypt this database: delete the folder and create the vault again.",
    ).format(folder=error.path)


def _database_missing(error: DatabaseMissing) -> str:
    return QCoreApplication.translate(
        "Messages",
        "The vault database (vault.db) in {folder} is missing, empty or incomplete. Nothing was "
        "changed and no evidence file was touched. Put back vault.db from the copy or backup it "
        "came from, then unlock again.",
    ).format(folder=error.path)


def _not_a_vault_folder(error: NotAVaultFolder) -> str:
    reasons = {
        "not-empty": QCoreApplication.translate(
            "Messages", "{folder} is not empty. A new vault needs an empty or new folder. Nothing was changed."
        ),
        "not-a-folder": QCoreApplication.translate("Messages", "{folder} is not a folder. Nothing was changed."),
    }
    other = QCoreApplication.translate(
        "Messages", "{folder} is not a Fieldvault vault, so nothing there was changed."
    )
    return reasons.get(error.reason, other).format(folder=error.path)


def _examination_refused(error: ExaminationRefused) -> str:
    return QCoreApplication.translate(
        "Messages",
        "{folder} cannot be examined without writing to it. Nothing was changed. Make a copy of "
        "the folder and check the copy.",
    ).format(folder=error.path)


def _plaintext_database(error: PlaintextDatabase) -> str:
    return QCoreApplication.translate(
        "Messages",
        "The vault file {name} is not encrypted, so it is not a Fieldvault vault, and it was "
        "not opened: someone may have replaced it. Leave the folder as it is and ask your "
        "organisation for help.",
    ).format(name=error.path)


# -- damage ------------------------------------------------------------------------------


def _blob_integrity(error: BlobIntegrityError) -> str:
    if error.detail == INTAKE_MISMATCH:
        return QCoreApplication.translate(
            "Messages",
            "The copy of item {id} written into the vault did not match the file as it was "
            "read, so nothing was added. Your original file is untouched: add it again, and "
            "check the disk if this happens again.",
        ).format(id=error.blob_id)
    if error.detail == EXPORT_MISMATCH:
        return QCoreApplication.translate(
            "Messages",
            "Item {id} no longer matches the fingerprint (SHA-256) taken when it was added: "
            "it is damaged or was altered, and nothing was exported. The other items are not "
            "affected; restore this one from a bundle or backup.",
        ).format(id=error.blob_id)
    return QCoreApplication.translate(
        "Messages",
        "The stored file {id} is damaged or was altered. The other items are not affected; "
        "restore this one from a bundle or backup.",
    ).format(id=error.blob_id)


def _vault_damaged(error: VaultDamaged) -> str:
    ids = _ids_in(str(error))
    if ids:
        return QCoreApplication.translate(
            "Messages",
            "Part of the vault is damaged or was altered ({ids}). Nothing was changed. Check "
            "the vault (fieldvault verify) and restore what is damaged from a backup or bundle.",
        ).format(ids=ids)
    return QCoreApplication.translate(
        "Messages",
        "The vault's files are damaged or were altered, so it cannot be used as it is. "
        "Nothing was changed. Leave the folder as it is and restore it from a backup, or ask "
        "your organisation for help.",
    )


# -- the disk ------------------------------------------------------------------------------


def _storage(error: StorageError) -> str:
    code = error.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        return QCoreApplication.translate(
            "Messages",
            "The disk is full, so this could not be finished. Nothing was lost: the vault "
            "still holds its state from before. Free some disk space, then try again.",
        )
    if code == errno.EIO:
        return QCoreApplication.translate(
            "Messages",
            "The disk reported an error while writing, so this could not be finished. Nothing "
            "was lost: the vault still holds its state from before. Check the drive (or the "
            "USB stick), then try again.",
        )
    if code in (errno.EACCES, errno.EPERM):
        return QCoreApplication.translate(
            "Messages",
            "Fieldvault may not write there (permission denied), so this could not be "
            "finished. Nothing was lost. Choose another place or check the folder's "
            "permissions, then try again.",
        )
    if code == errno.EROFS:
        return QCoreApplication.translate(
            "Messages",
            "The disk is read-only, so this could not be finished. Nothing was lost. Choose "
            "a writable place, then try again.",
        )
    if code == errno.EBUSY:
        return QCoreApplication.translate(
            "Messages",
            "Another program (a second Fieldvault window or a command) was writing to the vault "
            "for too long, so this could not be finished. Nothing was lost. Wait a moment, then "
            "try again.",
        )
    if code == errno.ENOENT:
        return QCoreApplication.translate(
            "Messages",
            "The folder is not there (removed, or on a drive that was unplugged), so this "
            "could not be finished. Nothing was lost. Choose another place, then try again.",
        )
    return QCoreApplication.translate(
        "Messages",
        "Writing to the disk failed (error {code}), so this could not be finished. Nothing "
        "was lost: the vault still holds its state from before. Check the drive, then try again.",
    ).format(code=code if code is not None else "?")


# -- records -------------------------------------------------------------------------------


def _not_found(error: NotFound) -> str:
    kind, entity_id = error.kind, error.entity_id
    if kind == "case":
        return QCoreApplication.translate(
            "Messages",
            "Case {id} is not in the vault (deleted, perhaps on another device). Choose another case.",
        ).format(id=entity_id)
    if kind == "testimony":
        return QCoreApplication.translate(
            "Messages",
            "Testimony {id} is not in the vault (deleted, perhaps on another device). Choose "
            "another one from the list.",
        ).format(id=entity_id)
    if kind == "evidence":
        return QCoreApplication.translate(
            "Messages",
            "Evidence item {id} is not in the vault (deleted, perhaps on another device). "
            "Choose another one from the list.",
        ).format(id=entity_id)
    if kind == "stored file for evidence":
        return QCoreApplication.translate(
            "Messages",
            "The stored file of evidence item {id} is missing from the vault. The record is "
            "kept; restore the file from a bundle or backup.",
        ).format(id=entity_id)
    return QCoreApplication.translate(
        "Messages", "Record {id} is not in the vault (deleted, perhaps on another device)."
    ).format(id=entity_id)


def _revision_rejected(error: RevisionRejected) -> str:
    return QCoreApplication.translate(
        "Messages",
        "A change received from elsewhere (revision {id}) failed a check and was refused; "
        "nothing from it was stored. Tell your coordinator.",
    ).format(id=error.revision_id)


# InvalidInput carries only its English text: the messages the GUI can meet
# are recognised by their shape (db/evidence.py, db/entities.py, db/keys.py,
# db/vault.py). Each pattern's groups fill the translated text.
_INPUT_PATTERNS: list[tuple[re.Pattern[str], Callable[[], str]]] = [
    (
        re.compile(r"^(?P<name>.+) is not a regular file\.$", re.DOTALL),
        lambda: QCoreApplication.translate("Messages", "{name} is not a regular file."),
    ),
    (
        re.compile(r"^(?P<name>.+): no such file\.$", re.DOTALL),
        lambda: QCoreApplication.translate("Messages", "{name}: no such file."),
    ),
    (
        re.compile(r"^(?P<name>.+): permission denied\.$", re.DOTALL),
        lambda: QCoreApplication.translate("Messages", "{name}: permission denied."),
    ),
    (
        re.compile(r"^(?P<name>.+) already exists; choose another name\.$", re.DOTALL),
        lambda: QCoreApplication.translate(
            "Messages", "{name} already exists; nothing was overwritten. Choose another name."
        ),
    ),
    (
        re.compile(r"^That is the duress passphrase; choose another\.$"),
        lambda: QCoreApplication.translate(
            "Messages", "That is the duress passphrase; choose another passphrase."
        ),
    ),
    (
        re.compile(r"^The duress passphrase must differ from the passphrase\.$"),
        lambda: QCoreApplication.translate(
            "Messages", "The duress passphrase must differ from the passphrase."
        ),
    ),
    (
        re.compile(r"^The recovery key contains characters that cannot be in one\.$"),
        lambda: QCoreApplication.translate(
            "Messages",
            "The recovery key contains characters that cannot be in one: it has only letters and digits.",
        ),
    ),
    (
        re.compile(r"^The recovery key is mistyped: its check digits do not match\.$"),
        lambda: QCoreApplication.translate(
            "Messages", "The recovery key is mistyped (its check digits do not match). Check it again."
        ),
    ),
    (
        re.compile(r"field '\w+' must be YYYY, YYYY-MM or YYYY-MM-DD\.$"),
        lambda: QCoreApplication.translate(
            "Messages",
            "A date is written YYYY, YYYY-MM or YYYY-MM-DD, such as 2022, 2022-03 or 2022-03-15.",
        ),
    ),
    (
        re.compile(r"unknown violation type code"),
        lambda: QCoreApplication.translate(
            "Messages", "A violation type is not in the list. Choose the types from the list."
        ),
    ),
    (
        re.compile(r"^case: a title is required\.$"),
        lambda: QCoreApplication.translate("Messages", "A case needs a title."),
    ),
    (
        re.compile(r"field 'language' must be a language code"),
        lambda: QCoreApplication.translate("Messages", "The language is a code such as uk or en."),
    ),
]


def _invalid_input(error: InvalidInput) -> str:
    text = str(error)
    for pattern, message in _INPUT_PATTERNS:
        if match := pattern.search(text):
            return message().format(**match.groupdict())
    return QCoreApplication.translate("Messages", "The vault did not accept this: {detail}").format(
        detail=text
    )


# -- stopped on purpose ----------------------------------------------------------------


def _intake_cancelled(_error: IntakeCancelled) -> str:
    return QCoreApplication.translate("Messages", "Cancelled: nothing was added to the vault.")


def _export_cancelled(error: ExportCancelled) -> str:
    return QCoreApplication.translate(
        "Messages", "The export of item {id} was cancelled: no file was written."
    ).format(id=_ids_in(str(error)) or "?")


def _cancelled(_error: OperationCancelled) -> str:
    return QCoreApplication.translate("Messages", "Cancelled: nothing was changed.")


def _device_aborted(_error: DeviceAborted) -> str:
    return QCoreApplication.translate("Messages", "Reading the item was stopped.")


# Most specific first: a subclass before its base.
HANDLERS: list[tuple[type[FieldvaultError], Callable[[Any], str]]] = [
    (WrongPassphrase, _wrong_passphrase),
    (WrongRecoveryKey, _wrong_recovery_key),
    (KeyringSecretMissing, _keyring_secret_missing),
    (VaultLocked, _vault_locked),
    (VaultNotFound, _vault_not_found),
    (VaultExists, _vault_exists),
    (IncompleteVault, _incomplete_vault),
    (DatabaseMissing, _database_missing),
    (NotAVaultFolder, _not_a_vault_folder),
    (ExaminationRefused, _examination_refused),
    (PlaintextDatabase, _plaintext_database),
    (BlobIntegrityError, _blob_integrity),
    (VaultDamaged, _vault_damaged),
    (StorageError, _storage),
    (NotFound, _not_found),
    (RevisionRejected, _revision_rejected),
    (InvalidInput, _invalid_input),
    (IntakeCancelled, _intake_cancelled),
    (ExportCancelled, _export_cancelled),
    (OperationCancelled, _cancelled),
    (DeviceAborted, _device_aborted),
]


def error_message(error: FieldvaultError | None, error_type: str = "") -> str:
    """What happened and what to do, in the interface language."""
    if error is None:
        return QCoreApplication.translate(
            "Messages", "An unexpected error stopped this ({error_type}). Try again."
        ).format(error_type=error_type or "?")
    for error_class, message in HANDLERS:
        if isinstance(error, error_class):
            return message(error)
    return str(error)


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
