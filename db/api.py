"""The vault's public API: the one door through which ``sync/``, ``desktop/``
and ``fieldvault/`` use ``db/`` (DESIGN.md, "The door to the vault").
tests/test_architecture.py holds them to it: they import from ``db.api``
and from no other module of ``db``.

What is here is what other packages may rely on; everything else in ``db/``
may change without notice. Names load lazily (PEP 562): importing one name
imports only the module that defines it, so the GUI's first screen can take
``FieldvaultError`` without loading the database stack (SQLAlchemy,
SQLCipher: ``Vault``), which comes with the first name that needs it.

Sync (issue 11): ``Vault.sync`` is a ``SyncStateService`` (db/sync_state.py);
``vault.revisions.since`` gives ``StoredRevision``s; ``vault.sync.begin_import()``
yields a ``VaultImport`` (db/sync_import.py). ``vault.vault_keys`` is a
``VaultKeys`` (the age recipient and identity; a coordinator's organisation
signing key) and ``vault.enrolment_tokens`` an ``EnrolmentTokens`` (db/vault_keys.py).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from db import sandbox
    from db.backup import BackupCancelled, BackupRefused, BackupResult, days_overdue
    from db.blobformat import BlobReader
    from db.blobstore import CancelToken, ExportCancelled, IntakeCancelled, OperationCancelled
    from db.consent import ConsentService, TestimonyConsent
    from db.custody import CustodyEvent, StoredCustodyEvent
    from db.entities import (
        CONSENT_GIVEN_HOW,
        CONSENT_RECORD_SCOPES,
        CONSENT_SCOPES,
        GIVEN_HOW_WORDS,
        PERSON_ROLES,
        PLACE_PRECISIONS,
        SCOPE_WORDS,
        Case,
        Consent,
        EvidenceItem,
        Incident,
        Link,
        Person,
        Record,
        Testimony,
    )
    from db.errors import (
        CODES,
        Codes,
        DatabaseMissing,
        ExaminationRefused,
        FieldvaultError,
        ImportRejected,
        IncompleteVault,
        InvalidInput,
        KeyringSecretMissing,
        NotAVaultFolder,
        NotFound,
        OrgProfileOutdated,
        Param,
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
    from db.evidence import EvidenceService, ExportResult, IngestResult
    from db.evidence_links import EVIDENCE_OF, LINKABLE_TYPES, EvidenceLinks, LinkedRecord
    from db.hygiene import harden_process
    from db.keyring_store import KeyringStore, NoKeyring, SystemKeyring
    from db.keys import MIN_PASSPHRASE_CHARS, Argon2Params
    from db.partial_dates import PartialDateError, parse_partial_date
    from db.passphrase_policy import (
        CREATION_FLOOR,
        Judgement,
        WeakPassphrase,
        argon2_of,
        judge_passphrase,
        require_acceptable_passphrase,
        suggest_passphrase,
    )
    from db.paths import KEY_FILE, default_vault_dir
    from db.recording import Marker, Recording, RecordingError, markers_of
    from db.resources import resources_dir
    from db.revisions import Revision
    from db.sandbox import (
        IMAGE_MAX_SIDE,
        IMAGE_TYPES,
        PDF_PAGES_AT_ONCE,
        STOPPED,
        DecodedImage,
        InputFailed,
        SandboxFailed,
        SandboxRun,
        decode_image,
        image_run,
        pdf_run,
        render_pdf,
    )
    from db.sandbox_worker import main as sandbox_worker_main
    from db.services import (
        Conflict,
        EntityService,
        HistoryEntry,
        RevisionService,
        SearchHit,
        SearchResults,
        new_record_draft_key,
        record_draft_key,
    )
    from db.store import StoredRevision
    from db.sync_client import Delivery, SyncClientState
    from db.sync_import import BlobWriter, ImportSummary, ReceivedRecord, StagedBlob, VaultImport
    from db.sync_state import (
        DEVICE_ROLES,
        DEVICE_STATUSES,
        Device,
        HeldBundle,
        OrgProfile,
        OutgoingState,
        PendingBlob,
        ReceivedBundleRecord,
        SentBundleRecord,
        SyncStateService,
    )
    from db.vault import SYNC_SPOOL_DIR, CreatedVault, KeyringNotice, Vault, VaultInfo, wipe_vault
    from db.vault_keys import TOKEN_USES, EnrolmentTokens, IssuedToken, VaultKeys
    from db.verify import Problem, VerifyReport
    from db.vocabulary import violation_types

# name -> (module, attribute); a module's own name maps to the module itself.
_WHERE: dict[str, tuple[str, str | None]] = {
    "CREATION_FLOOR": ("db.passphrase_policy", "CREATION_FLOOR"),
    "Judgement": ("db.passphrase_policy", "Judgement"),
    "WeakPassphrase": ("db.passphrase_policy", "WeakPassphrase"),
    "argon2_of": ("db.passphrase_policy", "argon2_of"),
    "judge_passphrase": ("db.passphrase_policy", "judge_passphrase"),
    "require_acceptable_passphrase": ("db.passphrase_policy", "require_acceptable_passphrase"),
    "suggest_passphrase": ("db.passphrase_policy", "suggest_passphrase"),
    "BackupCancelled": ("db.backup", "BackupCancelled"),
    "BackupRefused": ("db.backup", "BackupRefused"),
    "BackupResult": ("db.backup", "BackupResult"),
    "days_overdue": ("db.backup", "days_overdue"),
    "BlobReader": ("db.blobformat", "BlobReader"),
    "CancelToken": ("db.blobstore", "CancelToken"),
    "ExportCancelled": ("db.blobstore", "ExportCancelled"),
    "IntakeCancelled": ("db.blobstore", "IntakeCancelled"),
    "OperationCancelled": ("db.blobstore", "OperationCancelled"),
    "CustodyEvent": ("db.custody", "CustodyEvent"),
    "StoredCustodyEvent": ("db.custody", "StoredCustodyEvent"),
    "CONSENT_SCOPES": ("db.entities", "CONSENT_SCOPES"),
    "CONSENT_RECORD_SCOPES": ("db.entities", "CONSENT_RECORD_SCOPES"),
    "CONSENT_GIVEN_HOW": ("db.entities", "CONSENT_GIVEN_HOW"),
    "SCOPE_WORDS": ("db.entities", "SCOPE_WORDS"),
    "GIVEN_HOW_WORDS": ("db.entities", "GIVEN_HOW_WORDS"),
    "Consent": ("db.entities", "Consent"),
    "ConsentService": ("db.consent", "ConsentService"),
    "TestimonyConsent": ("db.consent", "TestimonyConsent"),
    "EVIDENCE_OF": ("db.evidence_links", "EVIDENCE_OF"),
    "LINKABLE_TYPES": ("db.evidence_links", "LINKABLE_TYPES"),
    "EvidenceLinks": ("db.evidence_links", "EvidenceLinks"),
    "LinkedRecord": ("db.evidence_links", "LinkedRecord"),
    "Recording": ("db.recording", "Recording"),
    "RecordingError": ("db.recording", "RecordingError"),
    "Marker": ("db.recording", "Marker"),
    "markers_of": ("db.recording", "markers_of"),
    "Case": ("db.entities", "Case"),
    "EvidenceItem": ("db.entities", "EvidenceItem"),
    "Incident": ("db.entities", "Incident"),
    "Link": ("db.entities", "Link"),
    "PERSON_ROLES": ("db.entities", "PERSON_ROLES"),
    "PLACE_PRECISIONS": ("db.entities", "PLACE_PRECISIONS"),
    "Person": ("db.entities", "Person"),
    "Record": ("db.entities", "Record"),
    "Testimony": ("db.entities", "Testimony"),
    "CODES": ("db.errors", "CODES"),
    "Codes": ("db.errors", "Codes"),
    "DatabaseMissing": ("db.errors", "DatabaseMissing"),
    "ExaminationRefused": ("db.errors", "ExaminationRefused"),
    "FieldvaultError": ("db.errors", "FieldvaultError"),
    "ImportRejected": ("db.errors", "ImportRejected"),
    "IncompleteVault": ("db.errors", "IncompleteVault"),
    "InvalidInput": ("db.errors", "InvalidInput"),
    "KeyringSecretMissing": ("db.errors", "KeyringSecretMissing"),
    "NotAVaultFolder": ("db.errors", "NotAVaultFolder"),
    "NotFound": ("db.errors", "NotFound"),
    "OrgProfileOutdated": ("db.errors", "OrgProfileOutdated"),
    "Param": ("db.errors", "Param"),
    "PlaintextDatabase": ("db.errors", "PlaintextDatabase"),
    "RevisionRejected": ("db.errors", "RevisionRejected"),
    "StorageError": ("db.errors", "StorageError"),
    "VaultDamaged": ("db.errors", "VaultDamaged"),
    "VaultExists": ("db.errors", "VaultExists"),
    "VaultLocked": ("db.errors", "VaultLocked"),
    "VaultNotFound": ("db.errors", "VaultNotFound"),
    "WrongPassphrase": ("db.errors", "WrongPassphrase"),
    "WrongRecoveryKey": ("db.errors", "WrongRecoveryKey"),
    "EvidenceService": ("db.evidence", "EvidenceService"),
    "ExportResult": ("db.evidence", "ExportResult"),
    "IngestResult": ("db.evidence", "IngestResult"),
    "harden_process": ("db.hygiene", "harden_process"),
    "KeyringStore": ("db.keyring_store", "KeyringStore"),
    "NoKeyring": ("db.keyring_store", "NoKeyring"),
    "SystemKeyring": ("db.keyring_store", "SystemKeyring"),
    "Argon2Params": ("db.keys", "Argon2Params"),
    "MIN_PASSPHRASE_CHARS": ("db.keys", "MIN_PASSPHRASE_CHARS"),
    "PartialDateError": ("db.partial_dates", "PartialDateError"),
    "parse_partial_date": ("db.partial_dates", "parse_partial_date"),
    "KEY_FILE": ("db.paths", "KEY_FILE"),
    "default_vault_dir": ("db.paths", "default_vault_dir"),
    "Revision": ("db.revisions", "Revision"),
    "DecodedImage": ("db.sandbox", "DecodedImage"),
    "IMAGE_MAX_SIDE": ("db.sandbox", "IMAGE_MAX_SIDE"),
    "IMAGE_TYPES": ("db.sandbox", "IMAGE_TYPES"),
    "InputFailed": ("db.sandbox", "InputFailed"),
    "PDF_PAGES_AT_ONCE": ("db.sandbox", "PDF_PAGES_AT_ONCE"),
    "STOPPED": ("db.sandbox", "STOPPED"),
    "SandboxFailed": ("db.sandbox", "SandboxFailed"),
    "SandboxRun": ("db.sandbox", "SandboxRun"),
    "decode_image": ("db.sandbox", "decode_image"),
    "image_run": ("db.sandbox", "image_run"),
    "pdf_run": ("db.sandbox", "pdf_run"),
    "render_pdf": ("db.sandbox", "render_pdf"),
    "Conflict": ("db.services", "Conflict"),
    "EntityService": ("db.services", "EntityService"),
    "HistoryEntry": ("db.services", "HistoryEntry"),
    "RevisionService": ("db.services", "RevisionService"),
    "SearchHit": ("db.services", "SearchHit"),
    "SearchResults": ("db.services", "SearchResults"),
    "new_record_draft_key": ("db.services", "new_record_draft_key"),
    "record_draft_key": ("db.services", "record_draft_key"),
    "StoredRevision": ("db.store", "StoredRevision"),
    "BlobWriter": ("db.sync_import", "BlobWriter"),
    "ImportSummary": ("db.sync_import", "ImportSummary"),
    "StagedBlob": ("db.sync_import", "StagedBlob"),
    "VaultImport": ("db.sync_import", "VaultImport"),
    "ReceivedRecord": ("db.sync_import", "ReceivedRecord"),
    "DEVICE_ROLES": ("db.sync_state", "DEVICE_ROLES"),
    "DEVICE_STATUSES": ("db.sync_state", "DEVICE_STATUSES"),
    "Device": ("db.sync_state", "Device"),
    "OrgProfile": ("db.sync_state", "OrgProfile"),
    "OutgoingState": ("db.sync_state", "OutgoingState"),
    "PendingBlob": ("db.sync_state", "PendingBlob"),
    "HeldBundle": ("db.sync_state", "HeldBundle"),
    "SentBundleRecord": ("db.sync_state", "SentBundleRecord"),
    "ReceivedBundleRecord": ("db.sync_state", "ReceivedBundleRecord"),
    "SyncStateService": ("db.sync_state", "SyncStateService"),
    "Delivery": ("db.sync_client", "Delivery"),
    "SyncClientState": ("db.sync_client", "SyncClientState"),
    "SYNC_SPOOL_DIR": ("db.vault", "SYNC_SPOOL_DIR"),
    "CreatedVault": ("db.vault", "CreatedVault"),
    "KeyringNotice": ("db.vault", "KeyringNotice"),
    "Vault": ("db.vault", "Vault"),
    "VaultInfo": ("db.vault", "VaultInfo"),
    "wipe_vault": ("db.vault", "wipe_vault"),
    "TOKEN_USES": ("db.vault_keys", "TOKEN_USES"),
    "EnrolmentTokens": ("db.vault_keys", "EnrolmentTokens"),
    "IssuedToken": ("db.vault_keys", "IssuedToken"),
    "VaultKeys": ("db.vault_keys", "VaultKeys"),
    "Problem": ("db.verify", "Problem"),
    "VerifyReport": ("db.verify", "VerifyReport"),
    "resources_dir": ("db.resources", "resources_dir"),
    "violation_types": ("db.vocabulary", "violation_types"),
    "sandbox": ("db.sandbox", None),  # the confined child: run, stop_all
    "sandbox_worker_main": ("db.sandbox_worker", "main"),  # the child's entry point
}

# Listed (not computed) so that type checkers see the re-exports; a test
# checks it names exactly the table's entries.
__all__ = [
    "CODES",
    "CONSENT_GIVEN_HOW",
    "CONSENT_RECORD_SCOPES",
    "CONSENT_SCOPES",
    "CREATION_FLOOR",
    "DEVICE_ROLES",
    "DEVICE_STATUSES",
    "EVIDENCE_OF",
    "GIVEN_HOW_WORDS",
    "IMAGE_MAX_SIDE",
    "IMAGE_TYPES",
    "KEY_FILE",
    "LINKABLE_TYPES",
    "MIN_PASSPHRASE_CHARS",
    "PDF_PAGES_AT_ONCE",
    "PERSON_ROLES",
    "PLACE_PRECISIONS",
    "SCOPE_WORDS",
    "STOPPED",
    "SYNC_SPOOL_DIR",
    "TOKEN_USES",
    "Argon2Params",
    "BackupCancelled",
    "BackupRefused",
    "BackupResult",
    "BlobReader",
    "BlobWriter",
    "CancelToken",
    "Case",
    "Codes",
    "Conflict",
    "Consent",
    "ConsentService",
    "CreatedVault",
    "CustodyEvent",
    "DatabaseMissing",
    "DecodedImage",
    "Delivery",
    "Device",
    "EnrolmentTokens",
    "EntityService",
    "EvidenceItem",
    "EvidenceLinks",
    "EvidenceService",
    "ExaminationRefused",
    "ExportCancelled",
    "ExportResult",
    "FieldvaultError",
    "HeldBundle",
    "HistoryEntry",
    "ImportRejected",
    "ImportSummary",
    "Incident",
    "IncompleteVault",
    "IngestResult",
    "InputFailed",
    "IntakeCancelled",
    "InvalidInput",
    "IssuedToken",
    "Judgement",
    "KeyringNotice",
    "KeyringSecretMissing",
    "KeyringStore",
    "Link",
    "LinkedRecord",
    "Marker",
    "NoKeyring",
    "NotAVaultFolder",
    "NotFound",
    "OperationCancelled",
    "OrgProfile",
    "OrgProfileOutdated",
    "OutgoingState",
    "Param",
    "PartialDateError",
    "PendingBlob",
    "Person",
    "PlaintextDatabase",
    "Problem",
    "ReceivedBundleRecord",
    "ReceivedRecord",
    "Record",
    "Recording",
    "RecordingError",
    "Revision",
    "RevisionRejected",
    "RevisionService",
    "SandboxFailed",
    "SandboxRun",
    "SearchHit",
    "SearchResults",
    "SentBundleRecord",
    "StagedBlob",
    "StorageError",
    "StoredCustodyEvent",
    "StoredRevision",
    "SyncClientState",
    "SyncStateService",
    "SystemKeyring",
    "Testimony",
    "TestimonyConsent",
    "Vault",
    "VaultDamaged",
    "VaultExists",
    "VaultImport",
    "VaultInfo",
    "VaultKeys",
    "VaultLocked",
    "VaultNotFound",
    "VerifyReport",
    "WeakPassphrase",
    "WrongPassphrase",
    "WrongRecoveryKey",
    "argon2_of",
    "days_overdue",
    "decode_image",
    "default_vault_dir",
    "harden_process",
    "image_run",
    "judge_passphrase",
    "markers_of",
    "new_record_draft_key",
    "parse_partial_date",
    "pdf_run",
    "record_draft_key",
    "render_pdf",
    "require_acceptable_passphrase",
    "resources_dir",
    "sandbox",
    "sandbox_worker_main",
    "suggest_passphrase",
    "violation_types",
    "wipe_vault",
]


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'db.api' has no attribute {name!r}")
    module = importlib.import_module(where[0])
    value = module if where[1] is None else getattr(module, where[1])
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})
