"""Errors the vault raises, each with a message a field worker can act on.

Messages name ids, never content: an error may end up in a log or on screen.

Each error carries, besides its English message (which the CLI prints):

- ``code``: a stable name for what was refused or went wrong
  (``"invalid-date"``, ``"file-not-regular"``). The GUI translates from the
  code and the params alone (desktop/messages.py), never from the English
  text, so rewording a message here changes nothing on screen.
- ``field``: the record field the error concerns (``"stated_date"``), or None;
  a form shows the message under that field.
- ``params``: what the message names (ids, paths, an errno, a limit), never
  witness content.

Every code is declared once, on the class that carries it (``codes``: code ->
the names of its params); ``CODES`` lists them all. A test checks that each
code has an English and a Ukrainian message (tests/desktop/test_error_messages.py)
and that every raise in db/ names a declared code with its params.
"""

from __future__ import annotations

import errno
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

# What a param may be: an id, a path, a name, a number (an errno, a limit).
Param = str | int | None
# A class's codes: code -> the names of its params.
Codes = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class ErrorCode:
    error: type[FieldvaultError]  # the class that declares it (or a subclass) carries it
    params: tuple[str, ...]


# Every code an error of the core can carry, filled as the classes are defined.
CODES: dict[str, ErrorCode] = {}


class FieldvaultError(Exception):
    """Base of every error meant for the user. ``str(err)`` is safe to show.

    The core's errors always carry a ``code``; only the CLI's own errors
    (fieldvault/), which never reach the GUI, may have none."""

    codes: ClassVar[Codes] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for code, names in cls.__dict__.get("codes", {}).items():
            if code in CODES:
                raise TypeError(f"error code {code!r} is declared twice")
            CODES[code] = ErrorCode(cls, tuple(names))

    def __init__(
        self, message: str, code: str | None = None, *, field: str | None = None, **params: Param
    ) -> None:
        super().__init__(message)
        if code is not None:
            declared = CODES.get(code)
            if (
                declared is None
                or not isinstance(self, declared.error)
                or set(params) != set(declared.params)
            ):
                raise TypeError(
                    f"{type(self).__name__} does not carry code {code!r} with params {sorted(params)}"
                )
        self.code = code
        self.field = field
        self.params: dict[str, Param] = params


class CodedError(FieldvaultError):
    """Base of an error family whose every raise names its code (one of the
    family's ``codes``) and that code's params, and no form field: the
    vault's damage (VaultDamaged), sync's failures (sync/client/errors.py),
    the merge tools' refusals (sync/merge/errors.py). It declares no code
    itself."""

    def __init__(self, message: str, code: str, **params: Param) -> None:
        super().__init__(message, code, field=None, **params)


class VaultNotFound(FieldvaultError):
    codes: ClassVar[Codes] = {"vault-not-found": ("path",)}

    def __init__(self, path: str) -> None:
        super().__init__(
            f"No vault at {path}. Create one with 'fieldvault init'.", "vault-not-found", path=path
        )
        self.path = path


class VaultExists(FieldvaultError):
    codes: ClassVar[Codes] = {"vault-exists": ("path",)}

    def __init__(self, path: str) -> None:
        super().__init__(
            f"A vault already exists at {path}; refusing to overwrite it.", "vault-exists", path=path
        )
        self.path = path


class IncompleteVault(FieldvaultError):
    codes: ClassVar[Codes] = {"vault-incomplete": ("path",)}

    def __init__(self, path: str) -> None:
        super().__init__(
            f"{path} holds a vault database but no key file (an interrupted creation, or "
            "vault.keys was removed). If you have a copy of vault.keys, put it back; "
            "otherwise nothing can decrypt this database: delete the folder and create "
            "the vault again.",
            "vault-incomplete",
            path=path,
        )
        self.path = path


class DatabaseMissing(FieldvaultError):
    """The key file is there but the database is missing, empty or holds no
    vault: opening would start an empty vault beside the evidence files."""

    codes: ClassVar[Codes] = {"database-missing": ("path",)}

    def __init__(self, path: str) -> None:
        super().__init__(
            f"The vault database (vault.db) in {path} is missing, empty or incomplete. "
            "Nothing was changed and no evidence file was touched. Put back vault.db "
            "from the copy or backup it came from, then unlock again.",
            "database-missing",
            path=path,
        )
        self.path = path


class NotAVaultFolder(FieldvaultError):
    """A command that creates or destroys a vault was pointed at a folder that
    is not (or not only) a vault: it touches nothing there."""

    codes: ClassVar[Codes] = {
        "folder-not-empty": ("path",),
        "not-a-folder": ("path",),
        "not-a-vault": ("path",),
    }
    _reasons: ClassVar[dict[str, tuple[str, str]]] = {
        # reason: (code, English)
        "not-empty": ("folder-not-empty", "is not empty; a new vault needs an empty or new folder"),
        "not-a-folder": ("not-a-folder", "is not a folder"),
        "not-a-vault": (
            "not-a-vault",
            "is not a Fieldvault vault (no vault.keys, and files Fieldvault did not make)",
        ),
    }

    def __init__(self, path: str, reason: str) -> None:
        code, english = self._reasons[reason]
        super().__init__(f"{path} {english}. Nothing was changed.", code, path=path)
        self.path = path
        self.reason = reason


class ExaminationRefused(FieldvaultError):
    """Read-only examination cannot look at this vault without writing to it."""

    codes: ClassVar[Codes] = {"examination-needs-merge": ("path",), "examination-needs-upgrade": ("path",)}
    _reasons: ClassVar[dict[str, tuple[str, str]]] = {
        "wal": (
            "examination-needs-merge",
            "its database has changes not yet merged into vault.db (a vault.db-wal file)",
        ),
        "schema": (
            "examination-needs-upgrade",
            "its database uses an older schema, which only an upgrade (a write) can read",
        ),
    }

    def __init__(self, path: str, reason: str) -> None:
        code, english = self._reasons[reason]
        super().__init__(
            f"Cannot examine {path} read-only: {english}. Nothing was changed. "
            "Make a copy of the folder and verify the copy without --read-only.",
            code,
            path=path,
        )
        self.path = path
        self.reason = reason


class VaultLocked(FieldvaultError):
    codes: ClassVar[Codes] = {"vault-locked": ()}

    def __init__(self) -> None:
        super().__init__("The vault is locked. Unlock it with your passphrase first.", "vault-locked")


class WrongPassphrase(FieldvaultError):
    codes: ClassVar[Codes] = {"wrong-passphrase": ()}

    def __init__(self) -> None:
        super().__init__("Wrong passphrase. Nothing was changed; try again.", "wrong-passphrase")


class WrongRecoveryKey(FieldvaultError):
    codes: ClassVar[Codes] = {"wrong-recovery-key": ()}

    def __init__(self) -> None:
        super().__init__(
            "That recovery key does not open this vault. Check it for typos "
            "(letters and digits only; dashes and spaces are ignored).",
            "wrong-recovery-key",
        )


class KeyringSecretMissing(FieldvaultError):
    codes: ClassVar[Codes] = {"keyring-secret-missing": ()}

    def __init__(self) -> None:
        super().__init__(
            "This vault needs a secret from this computer's keyring, and the "
            "keyring does not have it (another computer or user account?). "
            "Unlock with the recovery key instead.",
            "keyring-secret-missing",
        )


class VaultDamaged(CodedError):
    """The vault's files are not what Fieldvault wrote (corruption or tampering)."""

    codes: ClassVar[Codes] = {
        "sqlcipher-missing": (),
        "database-undecryptable": (),
        "database-damaged": (),
        "key-file-damaged": ("name",),
        "key-file-of-another-vault": ("path",),
        "key-file-changed": ("path",),
        "device-key-undecryptable": ("device_id",),
        "device-key-mismatch": ("device_id",),
        # the age identity and organisation key (db/vault_keys.py)
        "vault-key-undecryptable": ("purpose",),
        "vault-key-mismatch": ("purpose",),
        "vault-key-missing": ("purpose",),
        "entity-mixed-types": ("entity_id",),
        "blob-key-undecryptable": ("blob_id",),
        "blob-missing": ("blob_id",),
        "evidence-untrusted": ("entity_id",),
    }


class PlaintextDatabase(VaultDamaged):
    codes: ClassVar[Codes] = {"database-plaintext": ("path",)}

    def __init__(self, path: str) -> None:
        super().__init__(
            f"{path} is an unencrypted SQLite database, not a Fieldvault vault. "
            "Refusing to open it: someone may have replaced the vault file.",
            "database-plaintext",
            path=path,
        )
        self.path = path


class StorageError(FieldvaultError):
    """Writing to disk failed (disk full, I/O error); the previous state is kept.

    One code: the GUI says what the ``errno`` param means."""

    codes: ClassVar[Codes] = {"storage-failed": ("errno",)}

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
            f"holds its previous state. {advice}, then retry.",
            "storage-failed",
            errno=cause.errno,
        )
        self.errno = cause.errno


class NotFound(FieldvaultError):
    """``kind`` is a record type (``"case"``, ``"evidence"``…); the stored
    file of an evidence item has a code of its own."""

    codes: ClassVar[Codes] = {
        "not-found": ("kind", "entity_id"),
        "stored-file-not-found": ("kind", "entity_id"),
    }

    def __init__(self, kind: str, entity_id: str, code: str = "not-found") -> None:
        super().__init__(f"No {kind} with id {entity_id}.", code, kind=kind, entity_id=entity_id)
        self.kind = kind
        self.entity_id = entity_id


class InvalidInput(FieldvaultError):
    """Data from a user or file that the vault refuses, with the field named.

    A code per distinct refusal; ``record_type`` is an entity type
    (``"testimony"``), ``name`` a file's name, ``path`` a path."""

    codes: ClassVar[Codes] = {
        # a file to add as evidence (db/evidence.py)
        "file-not-regular": ("name",),
        "file-missing": ("name",),
        "file-permission-denied": ("name",),
        "file-unreadable": ("name", "errno"),
        # the record of an item that lacks its file is in conflict (an edit and a deletion)
        "file-record-in-conflict": ("entity_id",),
        # where an export writes (db/export_files.py)
        "export-target-unusable": ("path", "errno"),
        "export-target-symlink": ("path",),
        "export-target-not-regular": ("path",),
        "export-target-exists": ("path",),
        # records (db/entities.py, db/services.py)
        "field-wrong-type": ("record_type",),
        "field-unencodable": ("record_type",),
        "field-not-an-id": ("record_type",),
        "field-not-a-choice": ("record_type",),
        "invalid-date": ("record_type",),
        "unknown-violation-type": ("record_type",),
        "case-title-required": (),
        "latitude-out-of-range": (),
        "longitude-out-of-range": (),
        "unknown-person-role": (),
        "invalid-language": (),
        "invalid-sha256": (),
        "negative-size": (),
        "invalid-relation": (),
        # consent records and evidence links (db/consent.py, db/evidence_links.py)
        "consent-unknown-scope": ("record_type",),
        "consent-scope-both": ("record_type",),
        "consent-no-scope": ("record_type",),
        "consent-not-narrowing": (),
        "link-target-type": ("record_type",),
        "link-other-case": (),
        "deletion-holds-more": ("record_type",),
        "unknown-field": ("record_type",),
        "required-field-missing": ("record_type",),
        "new-record-has-id": ("record_type",),
        "unknown-record-type": (),
        # settings, drafts and search (db/services.py)
        "unknown-setting": ("key",),
        "auto-lock-out-of-range": ("minimum", "maximum"),
        "draft-key-length": ("maximum",),
        "search-no-candidates": (),
        # keys and passphrases (db/keys.py, db/vault.py)
        "recovery-key-characters": (),
        "recovery-key-mistyped": (),
        "passphrase-is-duress": (),
        "duress-same-as-passphrase": (),
        "vault-read-only": (),
        # a coordinator's decisions (db/parked_set_aside.py)
        "decision-not-a-quarantine": ("decision_id",),
    }

    def __init__(self, message: str, code: str, *, field: str | None = None, **params: Param) -> None:
        super().__init__(message, code, field=field, **params)


class RevisionRejected(FieldvaultError):
    """A revision from elsewhere failed a check; ``reason`` says which (in
    English, for the CLI and logs)."""

    codes: ClassVar[Codes] = {"revision-rejected": ("revision_id",)}

    def __init__(self, revision_id: str, reason: str) -> None:
        super().__init__(
            f"Revision {revision_id} rejected: {reason}", "revision-rejected", revision_id=revision_id
        )
        self.revision_id = revision_id
        self.reason = reason


class ImportRejected(FieldvaultError):
    """Part of a bundle being imported failed a check (db/sync_import.py);
    nothing of the import was stored. ``reason`` says which check, in English
    (for the CLI and logs); the params name what was refused by id or hash."""

    codes: ClassVar[Codes] = {
        "custody-event-rejected": ("event_hash",),
        "blob-rejected": ("sha256",),
        "bundle-rejected": ("bundle_id",),
    }

    def __init__(self, message: str, code: str, reason: str, **params: Param) -> None:
        super().__init__(message, code, field=None, **params)
        self.reason = reason


class OrgProfileOutdated(FieldvaultError):
    """An organisation profile older than (or as old as, yet different from)
    the one the vault holds: an older version never replaces a newer one."""

    codes: ClassVar[Codes] = {"org-profile-outdated": ("held", "offered")}

    def __init__(self, held: int, offered: int) -> None:
        super().__init__(
            f"This organisation profile (version {offered}) is not newer than the one this "
            f"vault holds (version {held}); it was not used.",
            "org-profile-outdated",
            held=held,
            offered=offered,
        )
        self.held = held
        self.offered = offered
