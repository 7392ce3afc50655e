"""Every error class of the core becomes a message in the user's language that
says what happened and what to do, names the id it is about, and carries no
English core text, no traceback and no witness data."""

from __future__ import annotations

import errno
import importlib
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale

import db
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
from db.ids import new_id
from desktop import messages
from desktop.blob_device import DeviceAborted
from desktop.i18n import install_translators, remove_translators
from desktop.workers import OperationFailed
from tests.gui_helpers import TS_FILE, compile_qm

ITEM_ID = new_id()
BLOB_ID = "9f86d081884c7d659a2feaa0c55ad015"
REVISION_ID = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
FOLDER = "/media/field/Fieldvault"
# What may stay Latin in a Ukrainian message: the names it quotes (ids, the
# folder, a file name) and names that are not English words to translate.
NOT_ENGLISH = ("fieldvault verify", "Fieldvault", "vault.keys", "vault.db", "SHA-256", "USB", "uk", "en")


def cases() -> list[tuple[str, FieldvaultError, str]]:
    """(label, the error as the core raises it, what the message must name)."""
    return [
        ("wrong passphrase", WrongPassphrase(), ""),
        ("wrong recovery key", WrongRecoveryKey(), ""),
        ("keyring secret missing", KeyringSecretMissing(), ""),
        ("locked", VaultLocked(), ""),
        ("no vault", VaultNotFound(FOLDER), FOLDER),
        ("vault exists", VaultExists(FOLDER), FOLDER),
        ("incomplete vault", IncompleteVault(FOLDER), FOLDER),
        ("database missing", DatabaseMissing(FOLDER), FOLDER),
        ("folder not empty", NotAVaultFolder(FOLDER, "not-empty"), FOLDER),
        ("not a folder", NotAVaultFolder(FOLDER, "not-a-folder"), FOLDER),
        ("not a vault", NotAVaultFolder(FOLDER, "not-a-vault"), FOLDER),
        ("examination refused", ExaminationRefused(FOLDER, "wal"), FOLDER),
        ("plaintext database", PlaintextDatabase("vault.db"), "vault.db"),
        ("damaged blob", BlobIntegrityError(BLOB_ID, "segment 3 fails authentication"), BLOB_ID),
        (
            "intake copy differs",
            BlobIntegrityError(ITEM_ID, "stored copy does not match; the source was kept"),
            ITEM_ID,
        ),
        (
            "export hash differs",
            BlobIntegrityError(ITEM_ID, "decrypted bytes do not match the SHA-256 from intake"),
            ITEM_ID,
        ),
        ("blob key", VaultDamaged(f"The key of evidence blob {BLOB_ID} does not decrypt."), BLOB_ID),
        ("blob missing", VaultDamaged(f"Evidence blob {BLOB_ID} is missing from the vault."), BLOB_ID),
        ("mixed types", VaultDamaged(f"Entity {ITEM_ID} has revisions of different types."), ITEM_ID),
        (
            "database",
            VaultDamaged(
                "The vault database cannot be decrypted with this vault's key: "
                "the file is damaged or was replaced."
            ),
            "",
        ),
        ("disk full", StorageError("store the evidence file", OSError(errno.ENOSPC, "No space left")), ""),
        ("quota", StorageError("save the testimony", OSError(errno.EDQUOT, "Disk quota exceeded")), ""),
        ("I/O", StorageError("save the testimony", OSError(errno.EIO, "Input/output error")), ""),
        ("denied", StorageError("export to x.jpg", OSError(errno.EACCES, "Permission denied")), ""),
        ("read-only", StorageError("write the key file", OSError(errno.EROFS, "Read-only")), ""),
        ("gone", StorageError("export to x.jpg", OSError(errno.ENOENT, "No such file")), ""),
        ("busy", StorageError("save the testimony", OSError(errno.EBUSY, "the database is locked")), ""),
        ("other", StorageError("save", OSError(errno.EMFILE, "Too many open files")), str(errno.EMFILE)),
        ("no case", NotFound("case", ITEM_ID), ITEM_ID),
        ("no testimony", NotFound("testimony", ITEM_ID), ITEM_ID),
        ("no evidence", NotFound("evidence", ITEM_ID), ITEM_ID),
        ("no stored file", NotFound("stored file for evidence", ITEM_ID), ITEM_ID),
        ("no person", NotFound("person", ITEM_ID), ITEM_ID),
        ("rejected", RevisionRejected(REVISION_ID, "bad signature"), REVISION_ID),
        ("not a file", InvalidInput("IMG_0042.jpg is not a regular file."), "IMG_0042.jpg"),
        ("no such file", InvalidInput("IMG_0042.jpg: no such file."), "IMG_0042.jpg"),
        ("unreadable", InvalidInput("IMG_0042.jpg: permission denied."), "IMG_0042.jpg"),
        ("exists", InvalidInput("/media/usb/x.jpg already exists; choose another name."), "/media/usb/x.jpg"),
        ("duress", InvalidInput("That is the duress passphrase; choose another."), ""),
        ("duress same", InvalidInput("The duress passphrase must differ from the passphrase."), ""),
        ("key chars", InvalidInput("The recovery key contains characters that cannot be in one."), ""),
        ("key typo", InvalidInput("The recovery key is mistyped: its check digits do not match."), ""),
        (
            "date",
            InvalidInput("evidence: field 'stated_date' must be YYYY, YYYY-MM or YYYY-MM-DD."),
            "",
        ),
        ("violation", InvalidInput("testimony: unknown violation type code(s): xx."), ""),
        ("title", InvalidInput("case: a title is required."), ""),
        (
            "language",
            InvalidInput("testimony: field 'language' must be a language code such as uk or en."),
            "",
        ),
        ("intake cancelled", IntakeCancelled(), ""),
        ("export cancelled", ExportCancelled(ITEM_ID), ITEM_ID),
        ("cancelled", OperationCancelled("Stopped; nothing was changed."), ""),
        ("reading stopped", DeviceAborted(), ""),
    ]


@pytest.fixture(scope="module")
def ukrainian_qm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("translations")
    compile_qm(TS_FILE, folder / "fieldvault_uk.qm")
    return folder


@pytest.fixture
def ukrainian(qapp, ukrainian_qm: Path) -> Iterator[None]:
    assert install_translators(qapp, QLocale("uk"), ukrainian_qm)
    yield
    remove_translators(qapp)


def latin_left(message: str, names: str) -> str:
    for quoted in (names, *NOT_ENGLISH):
        if quoted:
            message = message.replace(quoted, "")
    for identifier in (ITEM_ID, BLOB_ID, REVISION_ID):
        message = message.replace(identifier, "")
    message = re.sub(r"\b(?:РРРР|ММ|ДД)\b", "", message)
    return " ".join(re.findall(r"[A-Za-z]+", message))


@pytest.mark.parametrize(("label", "error", "names"), cases(), ids=[c[0] for c in cases()])
def test_the_ukrainian_message_is_all_ukrainian_and_names_the_id(ukrainian, label, error, names):
    message = messages.error_message(error)
    assert message != str(error)
    assert re.search("[А-Яа-яІіЇїЄєҐґ]", message), message
    assert latin_left(message, names) == "", message
    if names:
        assert names in message
    assert "Traceback" not in message and "Error" not in message


@pytest.mark.parametrize(("label", "error", "names"), cases(), ids=[c[0] for c in cases()])
def test_the_english_message_says_what_to_do(label, error, names):
    message = messages.error_message(error)
    assert (message.strip() and message[0].isupper()) or message.startswith(("{", "/", names or "\0"))
    if names:
        assert names in message
    assert "Traceback" not in message


def test_every_error_class_of_the_core_has_its_own_message():
    for module in pkgutil.walk_packages(db.__path__, "db."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)

    def subclasses(cls: type) -> set[type]:
        found = set()
        for sub in cls.__subclasses__():
            found |= {sub} | subclasses(sub)
        return found

    core = {cls for cls in subclasses(FieldvaultError) if cls.__module__.startswith("db.")}
    handled = {cls for cls, _message in messages.HANDLERS}
    assert core <= handled, sorted(cls.__name__ for cls in core - handled)
    tested = {type(error) for _label, error, _names in cases()}
    assert core <= tested, sorted(cls.__name__ for cls in core - tested)


def test_the_english_keeps_what_the_tests_and_users_know():
    assert messages.error_message(WrongPassphrase()) == "Wrong passphrase. Nothing was changed; try again."
    assert "holds a vault database but no key file" in messages.error_message(IncompleteVault(FOLDER))
    assert messages.error_message(InvalidInput("a.pdf: permission denied.")) == "a.pdf: permission denied."
    damaged = messages.error_message(BlobIntegrityError(BLOB_ID, "truncated"))
    assert "damaged or was altered" in damaged and "truncated" not in damaged


def test_an_unknown_input_error_keeps_the_cores_detail(ukrainian):
    detail = "person: unknown role; use one of witness, victim."
    message = messages.error_message(InvalidInput(detail))
    assert message.endswith(detail) and message != detail


def test_other_errors_show_their_type_only():
    leaky = RuntimeError("Свідок бачив полонених")
    report = OperationFailed(None, type(leaky).__name__)
    assert messages.failure_message(report) == "An unexpected error stopped this (RuntimeError). Try again."
    # A vault error of a class not listed here: its own text, safe by contract.
    assert messages.error_message(FieldvaultError("Disk full.")) == "Disk full."


def test_the_messages_never_quote_the_cores_english_detail(ukrainian):
    """The core's details (a segment number, an OS reason) are for logs and the
    CLI; the GUI says what it means."""
    for error in (
        BlobIntegrityError(BLOB_ID, "segment 3 fails authentication"),
        StorageError("store the evidence file", OSError(errno.ENOSPC, "No space left on device")),
        RevisionRejected(REVISION_ID, "bad signature"),
    ):
        message = messages.error_message(error)
        for english in ("segment", "No space", "signature", "store the evidence"):
            assert english not in message
