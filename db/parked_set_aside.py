"""A coordinator's hand on what waits and what is kept (issue 14, review 14
F1/F2; docs/sync.md §2.3, docs/cli.md ``devices parked``).

Two decisions nothing else takes:

- **Set parked revisions aside** (``set_aside_parked``). A parked revision
  whose parent never comes waits for ever (db/parked.py): a seized device
  flooding its own slots with orphans, or an edit of a revision nobody will
  send. Setting it aside does what an import does to a parked revision
  whose parent is left out: it and its parked descendants become
  ``withheld_revisions`` rows (learned ``SET_ASIDE``), in no head, search,
  export or bundle; the bytes of a file an evidence revision among them
  named stay stored (its ``blobs`` row, the file's only wrapped key), as
  for any left-out parked item. It is final at this desk: the arrival of
  its parents stores nothing of it (it no longer waits), the revision
  arriving again is a no-op (db/sync_import.py ``add_revisions``), and an
  edit of it arriving later in a desk's bundle is left out as the child of
  any left-out revision. Only a backup taken before brings it back.
- **Move to quarantine the files only left-out revisions name**
  (``quarantine_left_out_files``; review 14 F2). Such bytes (planted, for
  instance, by a seized device before its revocation) are kept for ever
  otherwise. A file moves only when no stored revision and no parked
  revision names its SHA-256 and no item holds its ``blobs`` row; in the
  decision's transaction the row, the file's only wrapped key, moves to
  ``quarantined_file_keys`` (migration 0024: before, it was deleted, and
  the quarantined ciphertext could never be read again), and the file then
  moves to quarantine/, as every file no row names does, where only
  ``fieldvault quarantine purge``, another explicit act, deletes it, and
  the kept key with it (``forget_quarantined_keys``). Nothing here deletes
  a file.
- **Bring such files back** (``restore_quarantined_files``): each file of
  one quarantine decision, read back with its kept key and checked against
  its SHA-256, gets its ``blobs`` row again and moves back to blobs/.

Each decision is recorded (``coordinator_decisions``, migrations 0023 and
0024): what, when, the user label, and its subjects by ids only. Nothing
here logs or prints what a revision or file holds, nor a key."""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, and_, cast, delete, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.types import Text

from db.atomicio import fsync_directory
from db.blobformat import BlobReader
from db.blobstore import unwrap_blob_key
from db.chunked_ids import CHUNK, ids_among
from db.errors import FieldvaultError, InvalidInput
from db.model import (
    Blob,
    CoordinatorDecision,
    EvidenceBlob,
    KnownDevice,
    ParkedRevisionParent,
    PurgedBlob,
    QuarantinedFileKey,
    RevisionRow,
    WithheldRevision,
)
from db.parked import leave_out_parked, parked_among, parked_sha256s, parked_signed_by

if TYPE_CHECKING:
    from db.vault import Vault

# ``withheld_revisions.learned`` of a revision a coordinator set aside, or a
# parked descendant of one (db/withheld.py has the values imports write).
SET_ASIDE = "set-aside"


# The left-out rows whose files may go to quarantine: only those whose
# reason is final, a set-aside, or a revision left out whose signer is
# revoked here (a revocation in force). A ``left-out`` row of a signer not
# revoked may be undone: below a revision left out past the cap, it is
# stored when that one is (db/parked.py ``forget_left_out``; review 15 F3),
# and its item then needs its bytes. A file a row of any other kind names
# stays (``refused-bundle`` rows name none; a kind a later import may undo
# must keep its bytes).
def _final_left_out() -> ColumnElement[bool]:
    revoked = select(KnownDevice.device_id).where(KnownDevice.status == "revoked")
    return or_(
        WithheldRevision.learned == SET_ASIDE,
        and_(WithheldRevision.learned == "left-out", WithheldRevision.device_id.in_(revoked)),
    )


SET_ASIDE_ACTION = "set-aside"
QUARANTINE_ACTION = "quarantine-left-out-files"
RESTORE_ACTION = "restore-quarantined-files"


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _refuse_if_read_only(vault: Vault) -> None:
    if vault.read_only:
        raise InvalidInput(
            "This vault is open for examination (read-only): nothing can be changed.", "vault-read-only"
        )


def _record(session: Session, vault: Vault, action: str, subjects: dict[str, object]) -> int:
    decision = CoordinatorDecision(
        action=action,
        decided_ms=_now_ms(),
        user_label=vault.services.context.user_label,
        subjects=json.dumps(subjects, sort_keys=True, separators=(",", ":")),
    )
    session.add(decision)
    session.flush()
    return int(decision.decision_id)


def set_aside_among(session: Session, revision_ids: Iterable[str]) -> set[str]:
    """Those of ``revision_ids`` a coordinator set aside here (an import
    takes them as known: final, a no-op)."""
    # Through the driver: every import asks this (db/chunked_ids.py).
    return ids_among(session, "withheld_revisions", "revision_id", revision_ids, "learned = ?", (SET_ASIDE,))


# -- setting parked revisions aside -----------------------------------------------------


@dataclass(frozen=True)
class SetAsidePlan:
    """What ``set_aside_parked`` would set aside now: ``revision_ids`` (the
    chosen parked revisions and their parked descendants, sorted), and the
    ids asked for that do not wait here (``not_parked``)."""

    revision_ids: tuple[str, ...]
    not_parked: tuple[str, ...]


@dataclass(frozen=True)
class SetAsideRevision:
    revision_id: str
    entity_id: str
    signer: str

    def to_json(self) -> dict[str, str]:
        return {"revision_id": self.revision_id, "entity_id": self.entity_id, "signer": self.signer}


@dataclass(frozen=True)
class SetAsideResult:
    """The revisions set aside (each newly a ``withheld_revisions`` row),
    the ids asked for that did not wait here, and the decision's id in
    ``coordinator_decisions`` (None: nothing was set aside, nothing recorded)."""

    set_aside: tuple[SetAsideRevision, ...]
    not_parked: tuple[str, ...]
    decision_id: int | None


def _chosen(
    session: Session, revision_ids: Collection[str], signer: str | None
) -> tuple[set[str], list[str]]:
    asked = set(revision_ids)
    chosen = parked_among(session, asked)
    if signer is not None:
        chosen |= parked_signed_by(session, [signer])
    return chosen, sorted(asked - chosen)


def _with_parked_descendants(session: Session, revision_ids: set[str]) -> set[str]:
    """``revision_ids`` and the parked revisions below them (by the indexed
    parent links; every link row belongs to a parked revision)."""
    found = set(revision_ids)
    frontier = sorted(found)
    while frontier:
        children: set[str] = set()
        for at in range(0, len(frontier), CHUNK):
            children.update(
                session.scalars(
                    select(ParkedRevisionParent.revision_id).where(
                        ParkedRevisionParent.parent_id.in_(frontier[at : at + CHUNK])
                    )
                )
            )
        frontier = sorted(children - found)
        found |= children
    return found


def set_aside_plan(
    vault: Vault, *, revision_ids: Collection[str] = (), signer: str | None = None
) -> SetAsidePlan:
    """What setting aside ``revision_ids`` and every parked revision
    ``signer`` signed would take (for a confirmation); changes nothing."""
    with vault.services.context.sessions() as session:
        chosen, not_parked = _chosen(session, revision_ids, signer)
        every = _with_parked_descendants(session, chosen) if chosen else set()
        return SetAsidePlan(tuple(sorted(every)), tuple(not_parked))


def set_aside_parked(
    vault: Vault, *, revision_ids: Collection[str] = (), signer: str | None = None
) -> SetAsideResult:
    """Set aside the parked revisions ``revision_ids`` and every parked
    revision ``signer`` signed, with their parked descendants, in one
    transaction with the decision's record. Ids that do not wait here are
    returned, not refused (the caller checks the plan first)."""
    _refuse_if_read_only(vault)
    with vault.services.context.write_transaction("set parked revisions aside") as session:
        chosen, not_parked = _chosen(session, revision_ids, signer)
        if not chosen:
            return SetAsideResult((), tuple(not_parked), None)
        # As an import leaves out a parked revision whose parent it left out:
        # the rows move to withheld_revisions with the file they name.
        gone = leave_out_parked(session, chosen)
        ids = sorted(revision_id for revision_id, _entity, _signer in gone)
        for at in range(0, len(ids), CHUNK):
            session.execute(
                update(WithheldRevision)
                .where(WithheldRevision.revision_id.in_(ids[at : at + CHUNK]))
                .values(learned=SET_ASIDE)
            )
        decision_id = _record(
            session,
            vault,
            SET_ASIDE_ACTION,
            {"chosen": sorted(chosen), "signer": signer, "set_aside": ids},
        )
        return SetAsideResult(
            tuple(SetAsideRevision(*row) for row in sorted(gone)), tuple(not_parked), decision_id
        )


# -- files only left-out revisions name ---------------------------------------------------


@dataclass(frozen=True)
class LeftOutFile:
    """A stored evidence file no item holds that only left-out or set-aside
    revisions name: its blob id, its size, and those revisions' signers."""

    blob_id: str
    size: int
    signers: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {"blob_id": self.blob_id, "size": self.size, "signers": list(self.signers)}


@dataclass(frozen=True)
class QuarantinedFiles:
    """The files moved (their rows gone), those whose move the next unlock
    finishes (``move_pending``: their row is gone, the file still in
    blobs/), and the decision's id (None: nothing to move)."""

    moved: tuple[LeftOutFile, ...]
    move_pending: tuple[str, ...]
    decision_id: int | None


def _named_by_stored_revisions(session: Session, sha256s: list[str]) -> set[str]:
    """Those of ``sha256s`` a stored evidence revision names (any of an
    item's revisions, a deleted item's too)."""
    named = func.json_extract(cast(RevisionRow.signed, Text), "$.body.sha256")
    found: set[str] = set()
    for at in range(0, len(sha256s), CHUNK):
        found.update(
            str(sha256)
            for sha256 in session.scalars(
                select(named)
                .where(RevisionRow.entity_type == "evidence", named.in_(sha256s[at : at + CHUNK]))
                .distinct()
            )
        )
    return found


def _left_out_files(session: Session, signer: str | None) -> list[tuple[LeftOutFile, str]]:
    """(file, its SHA-256) of every stored file only left-out or set-aside
    revisions name (``signer``: one of them signed by it): no stored or
    parked revision names it, and no item holds its blob."""
    query = select(WithheldRevision.sha256, WithheldRevision.device_id).where(
        WithheldRevision.sha256.is_not(None), _final_left_out()
    )
    signers: dict[str, set[str]] = {}
    for sha256, device_id in session.execute(query):
        signers.setdefault(str(sha256), set()).add(str(device_id))
    if signer is not None:
        signers = {sha256: who for sha256, who in signers.items() if signer in who}
    # Named by a revision that is still alive here, or kept for another
    # reason that a later import may undo: never touched.
    other_kinds = select(WithheldRevision.sha256).where(
        WithheldRevision.sha256.is_not(None), ~_final_left_out()
    )
    live = (
        parked_sha256s(session)
        | _named_by_stored_revisions(session, sorted(signers))
        | {str(sha256) for sha256 in session.scalars(other_kinds)}
    )
    wanted = sorted(set(signers) - live)
    files: list[tuple[LeftOutFile, str]] = []
    for at in range(0, len(wanted), CHUNK):
        rows = session.execute(
            select(Blob.blob_id, Blob.sha256, Blob.size)
            .outerjoin(EvidenceBlob, EvidenceBlob.blob_id == Blob.blob_id)
            .outerjoin(PurgedBlob, PurgedBlob.blob_id == Blob.blob_id)
            .where(
                Blob.sha256.in_(wanted[at : at + CHUNK]),
                EvidenceBlob.evidence_id.is_(None),
                PurgedBlob.blob_id.is_(None),
            )
        ).all()
        files += [
            (LeftOutFile(str(blob_id), int(size), tuple(sorted(signers[str(sha256)]))), str(sha256))
            for blob_id, sha256, size in rows
        ]
    return sorted(files, key=lambda pair: pair[0].blob_id)


def left_out_files(vault: Vault, *, signer: str | None = None) -> list[LeftOutFile]:
    """The files ``quarantine_left_out_files`` would move now; changes nothing."""
    with vault.services.context.sessions() as session:
        return [file for file, _sha256 in _left_out_files(session, signer)]


def quarantine_left_out_files(vault: Vault, *, signer: str | None = None) -> QuarantinedFiles:
    """Move to quarantine/ the stored files only left-out or set-aside
    revisions name (``signer``: those one of its revisions names). One
    transaction records the decision, keeps each file's ``blobs`` row as a
    ``quarantined_file_keys`` row under it (the wrapped key stays in the
    encrypted database: ``restore_quarantined_files`` brings the file back)
    and drops the ``blobs`` rows (so an import running meanwhile either
    attached one first, and it stays, or finds it gone); then each file
    moves, as unlock moves a file no row names (db/blobstore.py ``settle``,
    which finishes a move cut short)."""
    from db.vault import QUARANTINE_DIR  # db.vault imports the import path, which imports this

    _refuse_if_read_only(vault)
    ctx = vault.services.context
    with ctx.write_transaction("move the files only left-out revisions name to quarantine") as session:
        found = _left_out_files(session, signer)
        if not found:
            return QuarantinedFiles((), (), None)
        ids = [file.blob_id for file, _sha256 in found]
        decision_id = _record(
            session,
            vault,
            QUARANTINE_ACTION,
            {
                "signer": signer,
                "files": [
                    {"blob_id": file.blob_id, "sha256": sha256, "size": file.size} for file, sha256 in found
                ],
            },
        )
        for at in range(0, len(ids), CHUNK):
            chunk = ids[at : at + CHUNK]
            kept = session.execute(
                select(Blob.blob_id, Blob.wrapped_key, Blob.sha256, Blob.size, Blob.created_ms).where(
                    Blob.blob_id.in_(chunk)
                )
            ).all()
            # The key first, in the same transaction: a file never sits in
            # quarantine/ without what reads it (before, the row simply went).
            session.add_all(
                QuarantinedFileKey(
                    blob_id=blob_id,
                    decision_id=decision_id,
                    wrapped_key=bytes(wrapped_key),
                    sha256=sha256,
                    size=size,
                    created_ms=created_ms,
                )
                for blob_id, wrapped_key, sha256, size, created_ms in kept
            )
            session.flush()
            session.execute(delete(Blob).where(Blob.blob_id.in_(chunk)))
    pending = [
        blob_id for blob_id in ids if not _move(ctx.blob_store.path(blob_id), vault.folder / QUARANTINE_DIR)
    ]
    return QuarantinedFiles(tuple(file for file, _sha256 in found), tuple(pending), decision_id)


# -- the way back -------------------------------------------------------------------------


@dataclass(frozen=True)
class QuarantinedFile:
    """A file a quarantine decision moved whose key this vault still keeps
    (not restored, not purged): its blob id and size."""

    blob_id: str
    size: int


@dataclass(frozen=True)
class RestoredFiles:
    """What ``restore_quarantined_files`` did: the files back in blobs/
    with their ``blobs`` row, those it could not bring back (``missing``:
    no file under the name in quarantine/ or blobs/; ``damaged``: a file
    there that does not read back to its SHA-256; both keep their key row
    for another try), and the restore decision's id (None: nothing was
    restored, nothing recorded)."""

    restored: tuple[QuarantinedFile, ...]
    missing: tuple[str, ...]
    damaged: tuple[str, ...]
    decision_id: int | None


def _quarantine_decision_keys(session: Session, decision_id: int) -> list[QuarantinedFileKey]:
    """The key rows the quarantine decision ``decision_id`` still keeps;
    refused when that decision is no quarantine of left-out files."""
    action = session.scalar(
        select(CoordinatorDecision.action).where(CoordinatorDecision.decision_id == decision_id)
    )
    if action != QUARANTINE_ACTION:
        raise InvalidInput(
            f"Decision {decision_id} did not move files to quarantine: nothing to restore "
            "(use the decision id 'devices parked --quarantine-left-out-files' printed).",
            "decision-not-a-quarantine",
            decision_id=str(decision_id),
        )
    return list(
        session.scalars(
            select(QuarantinedFileKey)
            .where(QuarantinedFileKey.decision_id == decision_id)
            .order_by(QuarantinedFileKey.blob_id)
        )
    )


def quarantined_files(vault: Vault, decision_id: int) -> list[QuarantinedFile]:
    """The files the quarantine decision ``decision_id`` moved whose keys
    are still kept (what a restore would bring back); changes nothing."""
    with vault.services.context.sessions() as session:
        return [
            QuarantinedFile(row.blob_id, row.size) for row in _quarantine_decision_keys(session, decision_id)
        ]


def _candidates(vault: Vault, blob_id: str, quarantine: Path) -> list[Path]:
    """Where a quarantined file may be: blobs/ (a move the next unlock was
    to finish), quarantine/ under its name, or with the suffix a second
    file of the same name got."""
    found = [vault.services.context.blob_store.path(blob_id), quarantine / blob_id]
    if quarantine.is_dir():
        found += sorted(quarantine.glob(f"{blob_id}.????????"))
    return [path for path in found if path.is_file()]


def _reads_back(path: Path, key: bytes, blob_id: str, sha256: str) -> bool:
    """The file at ``path`` decrypts with ``key`` to bytes of ``sha256``
    (read through, a segment at a time)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for segment in BlobReader(handle, key, bytes.fromhex(blob_id)).segments():
                digest.update(segment)
    except (OSError, ValueError, FieldvaultError):
        return False
    return digest.hexdigest() == sha256


def restore_quarantined_files(vault: Vault, decision_id: int) -> RestoredFiles:
    """Bring back the files the quarantine decision ``decision_id`` moved:
    each file found that reads back to its SHA-256 with its kept key gets
    its ``blobs`` row again (as it was) and moves back to blobs/; its key
    row goes, and the restore is recorded as a decision. The files are
    read before the transaction (no write lock while hashing); one whose
    key row went meanwhile (another restore, a purge) is left alone. A
    decision with nothing left to restore changes nothing and records
    nothing: restoring twice is a no-op."""
    from db.vault import QUARANTINE_DIR  # db.vault imports the import path, which imports this

    _refuse_if_read_only(vault)
    ctx = vault.services.context
    quarantine = vault.folder / QUARANTINE_DIR
    with ctx.sessions() as session:
        keys = [
            (row.blob_id, bytes(row.wrapped_key), row.sha256)
            for row in _quarantine_decision_keys(session, decision_id)
        ]
    found: dict[str, Path] = {}
    missing: list[str] = []
    damaged: list[str] = []
    for blob_id, wrapped_key, sha256 in keys:
        key = unwrap_blob_key(ctx.blobs_subkey, blob_id, wrapped_key)
        paths = _candidates(vault, blob_id, quarantine)
        good = next((path for path in paths if _reads_back(path, key, blob_id, sha256)), None)
        if good is not None:
            found[blob_id] = good
        elif paths:
            damaged.append(blob_id)
        else:
            missing.append(blob_id)
    if not found:
        return RestoredFiles((), tuple(missing), tuple(damaged), None)
    with ctx.write_transaction("restore files a coordinator moved to quarantine") as session:
        rows = [row for row in _quarantine_decision_keys(session, decision_id) if row.blob_id in found]
        if not rows:
            return RestoredFiles((), tuple(missing), tuple(damaged), None)
        session.add_all(
            Blob(
                blob_id=row.blob_id,
                wrapped_key=bytes(row.wrapped_key),
                sha256=row.sha256,
                size=row.size,
                created_ms=row.created_ms,
            )
            for row in rows
        )
        restored = tuple(QuarantinedFile(row.blob_id, row.size) for row in rows)
        for row in rows:
            session.delete(row)
        new_decision = _record(
            session,
            vault,
            RESTORE_ACTION,
            {"quarantine_decision": decision_id, "restored": [file.blob_id for file in restored]},
        )
    for file in restored:
        # The row is back: a move cut short here is finished by the next
        # unlock (settle moves a quarantined file a row names back).
        _move_back(found[file.blob_id], ctx.blob_store.path(file.blob_id))
    return RestoredFiles(restored, tuple(missing), tuple(damaged), new_decision)


def _move_back(path: Path, target: Path) -> None:
    if path == target:
        return
    with contextlib.suppress(OSError):
        path.replace(target)
        fsync_directory(path.parent)
        fsync_directory(target.parent)


def forget_quarantined_keys(vault: Vault, names: Collection[str]) -> None:
    """``fieldvault quarantine purge`` deleted the quarantined files
    ``names`` (blob ids, some with a ``.<8 hex>`` suffix): the keys kept
    for them go too, so nothing of them stays."""
    ids = sorted({name[:32] for name in names})
    if not ids:
        return
    with vault.services.context.write_transaction("forget the keys of purged quarantined files") as session:
        for at in range(0, len(ids), CHUNK):
            session.execute(
                delete(QuarantinedFileKey).where(QuarantinedFileKey.blob_id.in_(ids[at : at + CHUNK]))
            )


def _move(path: Path, quarantine: Path) -> bool:
    """Our blob file into quarantine/ (a second name if one is there); True
    when it is there or was gone already."""
    if not path.exists():
        return True
    try:
        quarantine.mkdir(mode=0o700, exist_ok=True)
        target = quarantine / path.name
        if target.exists():  # the same name twice: keep both, as settle does
            target = quarantine / f"{path.name}.{secrets.token_hex(4)}"
        path.replace(target)
    except OSError:
        return False
    with contextlib.suppress(OSError):
        fsync_directory(path.parent)
        fsync_directory(quarantine)
    return True


def set_aside_count(vault: Vault) -> int:
    """How many revisions a coordinator set aside here (and does not hold)."""
    with vault.services.context.sessions() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(WithheldRevision)
                .where(WithheldRevision.learned == SET_ASIDE)
            )
            or 0
        )


__all__ = [
    "QUARANTINE_ACTION",
    "RESTORE_ACTION",
    "SET_ASIDE",
    "SET_ASIDE_ACTION",
    "LeftOutFile",
    "QuarantinedFile",
    "QuarantinedFiles",
    "RestoredFiles",
    "SetAsidePlan",
    "SetAsideResult",
    "SetAsideRevision",
    "forget_quarantined_keys",
    "left_out_files",
    "quarantine_left_out_files",
    "quarantined_files",
    "restore_quarantined_files",
    "set_aside_among",
    "set_aside_count",
    "set_aside_parked",
    "set_aside_plan",
]
