"""Every error of the core becomes a message in the user's language that says
what happened and what to do, names the id it is about, and carries no
English core text, no traceback and no witness data.

The GUI translates from an error's code and params alone (db/errors.py): every
code has a message in English and in Ukrainian, and rewording the core's
English changes nothing on screen."""

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
import sync
from db.backup import BackupCancelled, BackupRefused
from db.blobformat import BlobIntegrityError
from db.blobstore import ExportCancelled, IntakeCancelled, OperationCancelled
from db.errors import (
    CODES,
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
from db.opus_writer import OpusEncoderMissing
from db.passphrase_policy import WeakPassphrase
from db.purge import EvidencePurged
from db.recording import RecordingError
from db.reroot import RerootRefused, not_a_coordinator
from db.vault import KEYRING_NOTICES, KeyringNotice
from desktop import messages
from desktop.blob_device import DeviceAborted
from desktop.i18n import install_translators, remove_translators
from desktop.record_form import refused_field
from desktop.workers import OperationFailed
from sync.acks import AckRefused
from sync.bundle import reread
from sync.bundle.admission import BundleQuarantined
from sync.bundle.errors import REASONS, BundleNotRead, BundleNotWritten, BundleRejected
from sync.bundle.quarantine import QuarantineRefused
from sync.bundle.vault_io import HeldRevisionDamaged
from sync.client.errors import SyncFailed
from sync.client.round_lock import SyncRoundRunning
from sync.exports.errors import font_missing, purpose_unknown
from sync.merge.errors import not_a_same_as_link, same_as_self
from sync.org import OrgRefused
from tests.gui_helpers import TS_FILE, compile_qm

ITEM_ID = new_id()
BLOB_ID = "9f86d081884c7d659a2feaa0c55ad015"
DEVICE_ID = "5d41402abc4b2a76b9719d911017c592"
REVISION_ID = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
FOLDER = "/media/field/Fieldvault"
TARGET = "/media/usb/x.jpg"
ORG_ID = new_id()
TOKEN_ID = new_id()
FINGERPRINT = "MFRG-GZDF-MZTW-Q2LK-NNWG-23TO-OBYX-E43U"
OTHER_FINGERPRINT = "ORSX-G5DS-N5ZG-K3TP-MFRG-GZDF-MZTW-Q2LK"
SERVER_URL = "https://vault.example.org:8443"
# What a bundle refusal names, by reason kind (a revision id, an event hash, a SHA-256).
BUNDLE_SUBJECTS = {
    "revision": REVISION_ID,
    "signer": REVISION_ID,
    "custody": REVISION_ID,
    "blob": REVISION_ID,
    "hand-over-part": "4711",  # the number of the part to take first
}
# What may stay Latin in a Ukrainian message: the names it quotes (ids, the
# folder, a file name) and names that are not English words to translate.
NOT_ENGLISH = (
    "fieldvault verify",
    "Fieldvault",
    "vault.keys",
    "vault.db",
    "SHA-256",
    "https://",
    "USB",
    "Linux",
    "uk",
    "en",
)
REWORDED = "Reworded by a maintainer (nothing the GUI may read)."


def _input(message: str, code: str, **params: str | int | None) -> InvalidInput:
    field = params.pop("field", None)
    return InvalidInput(message, code, field=str(field) if field else None, **params)


def cases() -> list[tuple[str, FieldvaultError, str]]:
    """(label, the error as the core raises it, what the message must name):
    at least one for every code of the core."""
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
        ("examination needs upgrade", ExaminationRefused(FOLDER, "schema"), FOLDER),
        (
            "examination read-only",
            _input(
                "This vault is open for examination (read-only): nothing can be changed.", "vault-read-only"
            ),
            "",
        ),
        (
            "restore of a decision that is no quarantine",
            _input(
                "Decision 7 did not move files to quarantine.", "decision-not-a-quarantine", decision_id="7"
            ),
            "7",
        ),
        ("plaintext database", PlaintextDatabase("vault.db"), "vault.db"),
        ("damaged blob", BlobIntegrityError(BLOB_ID, "segment 3 fails authentication"), BLOB_ID),
        (
            "intake copy differs",
            BlobIntegrityError(
                ITEM_ID, "stored copy does not match; the source was kept", "intake-copy-differs"
            ),
            ITEM_ID,
        ),
        (
            "export hash differs",
            BlobIntegrityError(
                ITEM_ID,
                "decrypted bytes do not match the SHA-256 of its signed record",
                "export-copy-differs",
            ),
            ITEM_ID,
        ),
        (
            "blob key",
            VaultDamaged(
                f"The key of evidence blob {BLOB_ID} does not decrypt.",
                "blob-key-undecryptable",
                blob_id=BLOB_ID,
            ),
            BLOB_ID,
        ),
        (
            "blob missing",
            VaultDamaged(
                f"Evidence blob {BLOB_ID} is missing from the vault.", "blob-missing", blob_id=BLOB_ID
            ),
            BLOB_ID,
        ),
        (
            "mixed types",
            VaultDamaged(
                f"Entity {ITEM_ID} has revisions of different types.", "entity-mixed-types", entity_id=ITEM_ID
            ),
            ITEM_ID,
        ),
        (
            "device key",
            VaultDamaged(
                f"The signing key of device {DEVICE_ID} does not decrypt.",
                "device-key-undecryptable",
                device_id=DEVICE_ID,
            ),
            DEVICE_ID,
        ),
        (
            "device key of another device",
            VaultDamaged(
                f"The signing key stored for device {DEVICE_ID} is not that device's.",
                "device-key-mismatch",
                device_id=DEVICE_ID,
            ),
            DEVICE_ID,
        ),
        (
            "untrusted evidence",
            VaultDamaged(
                f"Evidence {ITEM_ID} cannot be trusted: its versions disagree on the file's bytes. "
                "Nothing was exported.",
                "evidence-untrusted",
                entity_id=ITEM_ID,
            ),
            ITEM_ID,
        ),
        (
            "database",
            VaultDamaged(
                "The vault database cannot be decrypted with this vault's key: the file is damaged or was replaced.",
                "database-undecryptable",
            ),
            "",
        ),
        (
            "database cut short",
            VaultDamaged("The vault database is damaged (cut short or overwritten).", "database-damaged"),
            "",
        ),
        (
            "no SQLCipher",
            VaultDamaged("The database library is not SQLCipher: it would not encrypt.", "sqlcipher-missing"),
            "",
        ),
        (
            "key file damaged",
            VaultDamaged(
                "The key file vault.keys is damaged or not a Fieldvault key file (bad base64).",
                "key-file-damaged",
                name="vault.keys",
            ),
            "",
        ),
        (
            "key file of another vault",
            VaultDamaged(
                f"The key file in {FOLDER} now belongs to another vault; nothing was changed.",
                "key-file-of-another-vault",
                path=FOLDER,
            ),
            "",
        ),
        (
            "key file changed",
            VaultDamaged(
                f"The key file in {FOLDER} no longer opens this vault; nothing was changed.",
                "key-file-changed",
                path=FOLDER,
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
        ("no stored file", NotFound("stored file for evidence", ITEM_ID, "stored-file-not-found"), ITEM_ID),
        ("evidence purged after delivery", EvidencePurged(ITEM_ID), ITEM_ID),
        ("no person", NotFound("person", ITEM_ID), ITEM_ID),
        ("rejected", RevisionRejected(REVISION_ID, "bad signature"), REVISION_ID),
        (
            "custody event rejected",
            ImportRejected(
                "Custody event rejected.", "custody-event-rejected", "fork", event_hash=REVISION_ID
            ),
            REVISION_ID,
        ),
        (
            "blob rejected",
            ImportRejected("Evidence file rejected.", "blob-rejected", "hash", sha256=REVISION_ID),
            REVISION_ID,
        ),
        (
            "bundle rejected",
            ImportRejected("Bundle rejected.", "bundle-rejected", "fork", bundle_id=REVISION_ID),
            REVISION_ID,
        ),
        ("org profile outdated", OrgProfileOutdated(4, 3), "4"),
        # sync/: a bundle refused (each reason of docs/bundle-format.md §5) or not written
        *(
            (
                f"bundle refused: {kind}",
                BundleRejected(kind, BUNDLE_SUBJECTS.get(kind)),
                BUNDLE_SUBJECTS.get(kind, ""),
            )
            for kind in REASONS
        ),
        ("bundle target exists", BundleNotWritten.exists(TARGET), TARGET),
        ("bundle blob changed", BundleNotWritten.blob_changed(REVISION_ID), REVISION_ID),
        ("bundle number taken", BundleNotWritten.number_taken(7), "7"),
        ("bundle helper stopped", BundleNotRead.helper_stopped(-9), "-9"),
        ("bundle helper pipe", BundleNotRead.helper_pipe(5), "5"),
        # sync/: the organisation, its profile and enrolment tokens
        *(
            (f"org refused: {code}", OrgRefused(f"Some English about {code}.", code, **params), named)
            for code, params, named in (
                ("org-profile-form", {}, ""),
                ("org-profile-signature", {}, ""),
                ("org-fingerprint-form", {}, ""),
                (
                    "org-fingerprint-mismatch",
                    {"expected": FINGERPRINT, "actual": OTHER_FINGERPRINT},
                    FINGERPRINT,
                ),
                ("org-other-organisation", {"org_id": ORG_ID}, ORG_ID),
                ("org-key-changed", {"org_id": ORG_ID}, ORG_ID),
                ("org-exists", {"org_id": ORG_ID}, ORG_ID),
                ("org-none", {}, ""),
                ("org-not-coordinator", {"org_id": ORG_ID}, ORG_ID),
                ("org-not-key-holder", {"org_id": ORG_ID}, ORG_ID),
                ("org-token-needs-key", {"org_id": ORG_ID}, ORG_ID),
                ("org-revoke-self", {"device_id": DEVICE_ID}, DEVICE_ID),
                ("org-device-id-form", {}, ""),
                ("org-server-form", {}, ""),
                ("org-name-form", {"maximum": 120}, "120"),
                ("org-device-card-form", {}, ""),
                ("org-device-revoked", {"device_id": DEVICE_ID}, DEVICE_ID),
                ("token-form", {}, ""),
                ("token-signature", {}, ""),
                ("token-other-organisation", {"org_id": ORG_ID}, ORG_ID),
                ("token-expired", {"token_id": TOKEN_ID}, TOKEN_ID),
                ("token-unknown", {"token_id": TOKEN_ID}, TOKEN_ID),
                ("token-used", {"token_id": TOKEN_ID}, TOKEN_ID),
                ("org-enrol-payload-form", {}, ""),
            )
        ),
        # sync/: unknown devices, quarantine and acknowledgements
        (
            "bundle quarantined",
            BundleQuarantined("device-unknown", REVISION_ID, DEVICE_ID, None),
            REVISION_ID,
        ),
        *(
            (f"bundle held: {reason}", BundleQuarantined(reason, REVISION_ID, DEVICE_ID, TOKEN_ID), TOKEN_ID)
            for reason in ("token-unknown", "token-proof", "token-expired", "token-used")
        ),
        (
            "bundle held: hand-over-incomplete",
            BundleQuarantined("hand-over-incomplete", REVISION_ID, DEVICE_ID, None, awaited=(BLOB_ID, 1, 3)),
            BLOB_ID,  # the maker desk's id (32 hex, as a device's)
        ),
        *(
            (f"quarantine: {code}", QuarantineRefused(f"Some English about {code}.", code, **params), named)
            for code, params, named in (
                ("quarantine-not-found", {"bundle": REVISION_ID}, REVISION_ID),
                ("quarantine-code-form", {}, ""),
                ("quarantine-code-mismatch", {"device_id": DEVICE_ID}, DEVICE_ID),
                ("quarantine-file-changed", {"bundle_id": REVISION_ID, "path": TARGET}, TARGET),
                ("quarantine-device-revoked", {"device_id": DEVICE_ID}, DEVICE_ID),
            )
        ),
        *(
            (f"ack refused: {code}", AckRefused(f"Some English about {code}.", code, **params), named)
            for code, params, named in (
                ("ack-form", {}, ""),
                ("ack-signature", {}, ""),
                ("ack-other-organisation", {"org_id": ORG_ID}, ORG_ID),
                ("ack-other-device", {"device_id": DEVICE_ID}, DEVICE_ID),
                ("ack-not-coordinator", {"device_id": DEVICE_ID}, DEVICE_ID),
                ("ack-unknown-bundle", {"bundle_id": REVISION_ID}, REVISION_ID),
                ("ack-not-imported", {"bundle_id": REVISION_ID}, REVISION_ID),
            )
        ),
        (
            "vault key does not decrypt",
            VaultDamaged(
                "The vault's age-identity does not decrypt.",
                "vault-key-undecryptable",
                purpose="age-identity",
            ),
            "age-identity",
        ),
        (
            "vault key of another key",
            VaultDamaged(
                "The vault's org-signing-key does not match its recorded public key.",
                "vault-key-mismatch",
                purpose="org-signing-key",
            ),
            "org-signing-key",
        ),
        (
            "vault key not made yet",
            VaultDamaged("The vault has no age identity yet.", "vault-key-missing", purpose="age-identity"),
            "age-identity",
        ),
        (
            "a revision held aside no longer verifies at an import",
            HeldRevisionDamaged(REVISION_ID, BLOB_ID),
            REVISION_ID,
        ),
        (
            "not a file",
            _input("IMG_0042.jpg is not a regular file.", "file-not-regular", name="IMG_0042.jpg"),
            "IMG_0042.jpg",
        ),
        (
            "the record of an item without its file is in conflict",
            _input("Evidence … in conflict.", "file-record-in-conflict", entity_id=ITEM_ID),
            ITEM_ID,
        ),
        (
            "no such file",
            _input("IMG_0042.jpg: no such file.", "file-missing", name="IMG_0042.jpg"),
            "IMG_0042.jpg",
        ),
        (
            "unreadable",
            _input("IMG_0042.jpg: permission denied.", "file-permission-denied", name="IMG_0042.jpg"),
            "IMG_0042.jpg",
        ),
        (
            "cannot be read",
            _input(
                "IMG_0042.jpg: Too many levels of symbolic links.",
                "file-unreadable",
                name="IMG_0042.jpg",
                errno=errno.ELOOP,
            ),
            "IMG_0042.jpg",
        ),
        (
            "exists",
            _input(f"{TARGET} already exists; choose another name.", "export-target-exists", path=TARGET),
            TARGET,
        ),
        (
            "export target unusable",
            _input(
                f"Cannot export to {TARGET}: File name too long.",
                "export-target-unusable",
                path=TARGET,
                errno=errno.ENAMETOOLONG,
            ),
            TARGET,
        ),
        (
            "export through a link",
            _input(
                f"{TARGET} is a symbolic link; an export never writes through one. Choose another name.",
                "export-target-symlink",
                path=TARGET,
            ),
            TARGET,
        ),
        (
            "export over a device",
            _input(
                f"{TARGET} exists and is not a regular file; choose another name.",
                "export-target-not-regular",
                path=TARGET,
            ),
            TARGET,
        ),
        ("duress", _input("That is the duress passphrase; choose another.", "passphrase-is-duress"), ""),
        (
            "duress same",
            _input("The duress passphrase must differ from the passphrase.", "duress-same-as-passphrase"),
            "",
        ),
        (
            "key chars",
            _input("The recovery key contains characters that cannot be in one.", "recovery-key-characters"),
            "",
        ),
        (
            "key typo",
            _input("The recovery key is mistyped: its check digits do not match.", "recovery-key-mistyped"),
            "",
        ),
        (
            "date",
            _input(
                "evidence: field 'stated_date' must be YYYY, YYYY-MM or YYYY-MM-DD.",
                "invalid-date",
                field="stated_date",
                record_type="evidence",
            ),
            "",
        ),
        (
            "violation",
            _input(
                "testimony: unknown violation type code(s): xx.",
                "unknown-violation-type",
                field="violation_types",
                record_type="testimony",
            ),
            "",
        ),
        ("title", _input("case: a title is required.", "case-title-required", field="title"), ""),
        (
            "language",
            _input(
                "testimony: field 'language' must be a language code such as uk or en.",
                "invalid-language",
                field="language",
            ),
            "",
        ),
        (
            "role",
            _input("person: unknown role; use one of witness, victim.", "unknown-person-role", field="roles"),
            "",
        ),
        (
            "choice",
            _input(
                "testimony: field 'consent_scope' must be one of: internal, prosecution.",
                "field-not-a-choice",
                field="consent_scope",
                record_type="testimony",
            ),
            "",
        ),
        (
            "unencodable",
            _input(
                "testimony: field 'narrative' holds a lone surrogate.",
                "field-unencodable",
                field="narrative",
                record_type="testimony",
            ),
            "",
        ),
        (
            "consent scope",
            _input(
                "consent: at least one scope must be agreed.",
                "consent-no-scope",
                field="scopes",
                record_type="consent",
            ),
            "",
        ),
        (
            "consent narrowing",
            _input(
                "consent: a withdrawal names scopes still agreed.", "consent-not-narrowing", field="scopes"
            ),
            "",
        ),
        (
            "latitude",
            _input("incident: field 'latitude' is out of range.", "latitude-out-of-range", field="latitude"),
            "",
        ),
        (
            "longitude",
            _input(
                "incident: field 'longitude' is out of range.", "longitude-out-of-range", field="longitude"
            ),
            "",
        ),
        (
            "auto-lock",
            _input(
                "auto_lock_minutes must be a whole number of minutes, 0 to 1440.",
                "auto-lock-out-of-range",
                field="auto_lock_minutes",
                minimum=0,
                maximum=1440,
            ),
            "1440",
        ),
        # What the forms prevent: one message says the vault refused a value.
        *(
            (f"not storable: {code}", _input(f"Some English about {code}.", code, **params), "")
            for code, params in (
                ("field-wrong-type", {"field": "size", "record_type": "evidence"}),
                ("field-not-an-id", {"field": "case_id", "record_type": "testimony"}),
                ("invalid-sha256", {"field": "sha256"}),
                ("negative-size", {"field": "size"}),
                ("invalid-relation", {"field": "relation"}),
                ("consent-unknown-scope", {"field": "scopes", "record_type": "consent"}),
                ("consent-scope-both", {"field": "withdrawn_scopes", "record_type": "consent"}),
                ("link-target-type", {"field": "to_id", "record_type": "case"}),
                ("link-other-case", {"field": "to_id"}),
                ("deletion-holds-more", {"record_type": "person"}),
                ("unknown-field", {"record_type": "person"}),
                ("required-field-missing", {"field": "notes", "record_type": "person"}),
                ("new-record-has-id", {"record_type": "case"}),
                ("unknown-record-type", {}),
                ("unknown-setting", {"key": "colour"}),
                ("draft-key-length", {"maximum": 80}),
                ("search-no-candidates", {}),
            )
        ),
        (
            "backup inside the vault",
            BackupRefused("Not in the vault.", "backup-inside-vault", path=FOLDER),
            FOLDER,
        ),
        (
            "backup target not a folder",
            BackupRefused("Not a folder.", "backup-target-not-a-folder", path=FOLDER),
            FOLDER,
        ),
        # sync/: automatic sync through the server (sync/client)
        *(
            (f"sync: {code}", SyncFailed(f"Some English about {code}.", code, **params), named)
            for code, params, named in (
                ("sync-no-organisation", {}, ""),
                ("sync-no-server", {"org_id": ORG_ID}, ORG_ID),
                ("sync-offline", {"url": SERVER_URL}, SERVER_URL),
                ("sync-server-error", {"url": SERVER_URL}, SERVER_URL),
                ("sync-pin-mismatch", {"url": SERVER_URL}, SERVER_URL),
                ("sync-garbage", {"url": SERVER_URL}, SERVER_URL),
                ("sync-server-key-changed", {"url": SERVER_URL}, SERVER_URL),
                ("sync-device-revoked", {}, ""),
                ("sync-refused", {"reason": "bundle-conflict"}, "bundle-conflict"),
                ("sync-receipt-invalid", {"bundle_id": REVISION_ID}, REVISION_ID),
                ("sync-log-broken", {"index": "17"}, "17"),
                ("sync-download-mismatch", {"bundle_id": REVISION_ID}, REVISION_ID),
                ("sync-payload-missing", {"bundle_id": REVISION_ID}, REVISION_ID),
                ("sync-proxy-invalid", {}, ""),
                ("sync-unexpected", {"kind": "StopIteration"}, "StopIteration"),
            )
        ),
        ("sync round running", SyncRoundRunning(), ""),
        (
            "backup reminder",
            BackupRefused("0 to 365.", "backup-reminder-out-of-range", minimum=0, maximum=365),
            "365",
        ),
        ("backup cancelled", BackupCancelled(), ""),
        ("export font missing", font_missing(), ""),
        ("export purpose unknown", purpose_unknown("court", ("prosecution",)), "court"),
        ("same-as self", same_as_self(ITEM_ID), ITEM_ID),
        ("same-as not a link", not_a_same_as_link(ITEM_ID), ITEM_ID),
        ("re-root not frozen", RerootRefused("Not frozen.", "reroot-not-frozen", entity_id=ITEM_ID), ITEM_ID),
        (
            "re-root line not held",
            RerootRefused("Not held.", "reroot-line-not-held", entity_id=ITEM_ID),
            ITEM_ID,
        ),
        (
            "re-root nothing before",
            RerootRefused("No before.", "reroot-nothing-before", entity_id=ITEM_ID),
            ITEM_ID,
        ),
        ("re-root not a coordinator", not_a_coordinator(), ""),
        (
            "re-root too many",
            RerootRefused("Too many.", "reroot-too-many", entity_id=ITEM_ID, limit=1000),
            "1000",
        ),
        ("re-root unknown choice", RerootRefused("Which?", "reroot-unknown-choice", choice="sideways"), ""),
        (
            "re-root readers behind",
            RerootRefused(
                "Old readers.", "reroot-readers-behind", count=2, devices=f"{DEVICE_ID}, {ITEM_ID}"
            ),
            DEVICE_ID,
        ),
        ("re-read not a coordinator", reread.not_a_coordinator(), ""),
        ("re-read never received", reread.not_received(REVISION_ID), REVISION_ID),
        ("re-read another bundle", reread.differs(REVISION_ID), REVISION_ID),
        ("re-read a hand-over", reread.hand_over_refused(REVISION_ID), REVISION_ID),
        ("re-read a pending device's bundle", reread.device_pending(REVISION_ID, DEVICE_ID), DEVICE_ID),
        ("passphrase too short", WeakPassphrase("Too short.", "passphrase-too-short", minimum=8), "8"),
        ("passphrase guessable", WeakPassphrase("Guessable.", "passphrase-guessable"), ""),
        ("recording stopped", RecordingError("The recording was already stopped.", "recording-stopped"), ""),
        ("recording encoder missing", OpusEncoderMissing("libsndfile is not installed."), "libsndfile1"),
        (
            "recording audio format",
            RecordingError("Recording needs mono or stereo audio.", "recording-audio-format"),
            "",
        ),
        ("intake cancelled", IntakeCancelled(), ""),
        ("export cancelled", ExportCancelled(ITEM_ID), ITEM_ID),
        ("cancelled", OperationCancelled("Stopped; nothing was changed."), ""),
        ("reading stopped", DeviceAborted(), ""),
    ]


def a_case(label: str) -> FieldvaultError:
    """A fresh error of ``cases()``: a test may change it."""
    return next(error for case_label, error, _names in cases() if case_label == label)


def a_refusal(label: str) -> InvalidInput:
    error = a_case(label)
    assert isinstance(error, InvalidInput)
    return error


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
    for identifier in (
        ITEM_ID,
        BLOB_ID,
        DEVICE_ID,
        REVISION_ID,
        ORG_ID,
        TOKEN_ID,
        FINGERPRINT,
        OTHER_FINGERPRINT,
    ):
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


def import_the_core() -> None:
    """Every module of db/ and sync/, so that CODES holds every code they declare."""
    for package in (db, sync):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if ".migrations" not in module.name:
                importlib.import_module(module.name)


def test_every_code_of_the_core_has_a_message_and_is_tested():
    """A code without a message would show the core's English; the Ukrainian
    of each is checked above, one case per code at least. The core is db/ and
    sync/ (bundle refusals, the organisation): each of their codes counts."""
    import_the_core()
    core = set(CODES)
    assert {code for code in core if code.startswith(("bundle-", "org-", "token-"))}  # sync/ was imported
    assert sorted(core - set(messages.BY_CODE)) == []
    assert sorted(set(messages.BY_CODE) - core) == []  # no message for a code that is gone
    tested = {error.code for _label, error, _names in cases()}
    assert sorted(core - tested) == []


@pytest.mark.parametrize("label", [c[0] for c in cases()])
@pytest.mark.parametrize("language", ["en", "uk"])
def test_rewording_a_core_message_changes_nothing_on_screen(qapp, ukrainian_qm, language, label):
    """The GUI reads an error's code and params, never its English: a
    maintainer may reword any message of db/ and every translation stays."""
    if language == "uk":
        assert install_translators(qapp, QLocale("uk"), ukrainian_qm)
    try:
        error = a_case(label)
        shown = messages.error_message(error)
        error.args = (REWORDED,)
        assert str(error) == REWORDED
        assert messages.error_message(error) == shown
        assert REWORDED not in shown
    finally:
        if language == "uk":
            remove_translators(qapp)


@pytest.mark.parametrize("code", sorted(KEYRING_NOTICES))
def test_the_keyring_notice_is_translated_from_its_code(qapp, ukrainian_qm, monkeypatch, code):
    notice = KeyringNotice(code, "Secret Service")
    english = messages.keyring_notice(notice)
    assert install_translators(qapp, QLocale("uk"), ukrainian_qm)
    try:
        ukrainian = messages.keyring_notice(notice)
        assert re.search("[А-Яа-яІіЇїЄєҐґ]", ukrainian), ukrainian
        monkeypatch.setitem(KEYRING_NOTICES, code, REWORDED)
        assert notice.text == REWORDED
        assert messages.keyring_notice(notice) == ukrainian
    finally:
        remove_translators(qapp)
    assert messages.keyring_notice(notice) == english
    if code == "keyring-used":
        assert "Secret Service" in english and "Secret Service" in ukrainian


def test_a_form_finds_the_refused_field_in_the_error_not_in_its_words():
    error = a_refusal("violation")
    error.args = (REWORDED,)
    assert refused_field(error) == "violation_types"
    assert refused_field(a_refusal("date")) == "stated_date"
    assert refused_field(a_refusal("not storable: unknown-record-type")) is None


def test_the_english_keeps_what_the_tests_and_users_know():
    assert messages.error_message(WrongPassphrase()) == "Wrong passphrase. Nothing was changed; try again."
    assert "holds a vault database but no key file" in messages.error_message(IncompleteVault(FOLDER))
    assert messages.error_message(a_case("unreadable")) == "IMG_0042.jpg: permission denied."
    damaged = messages.error_message(BlobIntegrityError(BLOB_ID, "truncated"))
    assert "damaged or was altered" in damaged and "truncated" not in damaged


def test_other_errors_show_their_type_only():
    leaky = RuntimeError("Свідок бачив полонених")
    report = OperationFailed(None, type(leaky).__name__)
    assert messages.failure_message(report) == "An unexpected error stopped this (RuntimeError). Try again."
    # An error without a code (the CLI's own): its own text, safe by contract.
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
