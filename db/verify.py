"""`verify`: check the whole vault and name exactly what is wrong.

Only what is signed is trusted. The derived tables (``heads``, ``entities``,
``evidence_blobs``, ``blobs``) are what the app reads, and anyone holding the
database key can change them, so each is checked against the signed
revisions and the signed custody log:

- every revision: id, canonical form, format limits, body, signature, and
  that its key is one this vault trusts (``trusted_signers``); its row's
  columns and parent rows agree with its signed bytes;
- every entity is rebuilt from its revisions (db/derive.py) and compared
  with its ``entities`` row and ``heads`` rows; derived rows without
  revisions are named;
- every evidence item's SHA-256 and size, as signed in its revisions, match
  its intake custody event (and every later one), the blob it resolves to
  through ``evidence_blobs``, and that blob's decrypted bytes;
- custody events that name an item with no record (its records erased) are
  named; the log's hash chain and signatures are checked (db/custody.py);
- a blob file may be absent only when every item holding it has an intact
  ``purge`` event of this vault's chain with its SHA-256 (delivered and
  removed by the organisation's policy, db/purge.py): then its bytes are not
  checked, and the rest of the item is; a blob missing without one is a
  problem, whatever ``purged_blobs`` says (anyone with the database key
  could write a row there, but not a signed event);
- SQLite's own page-level integrity check.

Problems make the report fail; notices (a revision stamped with a clock far
ahead of this device's, quarantined files) are listed and do not.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from db.blobformat import BlobIntegrityError
from db.blobstore import OverlappedSha256, unwrap_blob_key
from db.custody import append_event, verify_chain, verify_received_chains
from db.derive import DerivedEntity, derive_entity
from db.device import DeviceIdentity
from db.entities import ENTITY_TYPES, check_revision_body
from db.errors import RevisionRejected, VaultDamaged
from db.hlc import MAX_DRIFT_MS, is_ahead
from db.model import (
    Blob,
    CustodyEventRow,
    Device,
    EntityRow,
    EvidenceBlob,
    Head,
    RevisionParent,
    RevisionRow,
    RevisionSupersedes,
)
from db.parked import check_parked, left_out_sha256s, parked_count
from db.revisions import Revision, canonical_json, verify_revision
from db.revoked_signers import revoked_signers
from db.services import VaultContext
from db.signers import stored_signers

VerifyProgress = Callable[[int, int], None]


@dataclass(frozen=True)
class Problem:
    kind: str  # "blob", "evidence", "revision", "entity", "custody", "database"
    subject: str  # the id of what is wrong
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "id": self.subject, "detail": self.detail}


@dataclass
class VerifyReport:
    problems: list[Problem] = field(default_factory=list)
    blobs_checked: int = 0
    bytes_checked: int = 0
    revisions_checked: int = 0
    entities_checked: int = 0
    custody_events_checked: int = 0
    blobs_purged: int = 0  # files absent because delivered and purged (a purge event says so)
    # Worth knowing, but not a fault of the evidence held (quarantined files,
    # revisions stamped far ahead of this device's clock): listed by
    # `verify`, and they do not make it fail.
    notices: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def trusted_signers(identity: DeviceIdentity, session: Session | None = None) -> dict[str, bytes]:
    """Device id → public key of every key whose revisions this vault accepts.

    The vault's own device, as unsealed at unlock (its private key decrypts
    under the vault's device-keys subkey), and, given ``session``, the
    organisation's devices and coordinators in ``known_devices`` that are
    enrolled or were (revoked since): db/signers.py. Never the ``device``
    table: anyone with the database key could add a row with their own
    public key there, and their forgeries would then pass. A revision signed
    by any other key, however valid its signature, is named as a problem.
    What may write *now* (imports) is the narrower ``authorised_signers``."""
    return stored_signers(identity, session)


def _foreign_device_rows(session: Session, identity: DeviceIdentity) -> list[Problem]:
    """Rows of the ``device`` table that are not this vault's own key."""
    return [
        Problem(
            "device",
            device_id,
            "a device row that is not this vault's own key: its signatures are not trusted",
        )
        for device_id, key in session.execute(select(Device.device_id, Device.public_key))
        if device_id != identity.device_id or bytes(key) != identity.public_key
    ]


@dataclass(frozen=True)
class SignedEvidence:
    """What an evidence item's signed revisions say about its file."""

    evidence_id: str
    files: frozenset[tuple[str, int]]  # (sha256, size) of every put revision
    deleted: bool

    @property
    def file(self) -> tuple[str, int] | None:
        return next(iter(self.files)) if len(self.files) == 1 else None


@dataclass(frozen=True)
class CustodyMention:
    seq: int
    action: str
    sha256: str
    intact: bool  # passed verify_chain's checks (a failed one is named there)


# -- revisions and entities ---------------------------------------------------------


_REVISION_COLUMNS = (
    RevisionRow.revision_id,
    RevisionRow.entity_id,
    RevisionRow.entity_type,
    RevisionRow.op,
    RevisionRow.hlc_ms,
    RevisionRow.hlc_counter,
    RevisionRow.device_id,
    RevisionRow.signed,
    RevisionRow.signature,
)


class _RevisionCheck:
    """One pass over the revisions, grouped by entity, rebuilding each entity."""

    def __init__(
        self, session: Session, report: VerifyReport, wall_ms: int, signers: dict[str, bytes]
    ) -> None:
        self.session = session
        self.report = report
        self.wall_ms = wall_ms
        self.signers = signers
        self.parents: dict[str, set[str]] = {}
        for revision_id, parent_id in session.execute(
            select(RevisionParent.revision_id, RevisionParent.parent_id)
        ):
            self.parents.setdefault(revision_id, set()).add(parent_id)
        self.heads: dict[str, set[str]] = {}
        for entity_id, revision_id in session.execute(select(Head.entity_id, Head.revision_id)):
            self.heads.setdefault(entity_id, set()).add(revision_id)
        self.supersedes: dict[str, set[str]] = {}
        for revision_id, superseded_id in session.execute(
            select(RevisionSupersedes.revision_id, RevisionSupersedes.superseded_id)
        ):
            self.supersedes.setdefault(revision_id, set()).add(superseded_id)
        # What a re-root hides depends on who is revoked (db/derive.py): read
        # from the stored profile's signed bytes, as the write path reads it.
        try:
            self.revoked = revoked_signers(session)
        except VaultDamaged:
            self.revoked = frozenset()
            self.problem("org_profile", "1", "its revoked devices cannot be read")
        self.evidence: dict[str, SignedEvidence] = {}
        self.seen_entities: set[str] = set()
        # The entities rows, read alongside the revisions in the same order
        # (entity id) instead of one query per entity.
        self.rows = iter(
            session.execute(
                select(
                    EntityRow.entity_id,
                    EntityRow.entity_type,
                    EntityRow.case_id,
                    EntityRow.head_revision_id,
                    EntityRow.body,
                    EntityRow.deleted,
                    EntityRow.conflicted,
                    EntityRow.created_ms,
                    EntityRow.updated_ms,
                ).order_by(EntityRow.entity_id)
            )
        )
        self.next_row: Any = next(self.rows, None)
        self.rows_without_revisions: list[str] = []

    def row_of(self, entity_id: str) -> Any:
        """The entities row of ``entity_id`` (ids arrive in ascending order),
        noting the rows passed over: they have no revisions."""
        while self.next_row is not None and self.next_row.entity_id < entity_id:
            self.rows_without_revisions.append(self.next_row.entity_id)
            self.next_row = next(self.rows, None)
        if self.next_row is not None and self.next_row.entity_id == entity_id:
            row, self.next_row = self.next_row, next(self.rows, None)
            return row
        return None

    def problem(self, kind: str, subject: str, detail: str) -> None:
        self.report.problems.append(Problem(kind, subject, detail))

    def run(self) -> None:
        rows = self.session.execute(
            select(*_REVISION_COLUMNS).order_by(RevisionRow.entity_id, RevisionRow.revision_id)
        )
        group: list[Revision] = []
        group_ids: set[str] = set()
        current: str | None = None
        for row in rows:
            if row.entity_id != current:
                if current is not None:
                    self.entity(current, group, group_ids)
                current, group, group_ids = row.entity_id, [], set()
            group_ids.add(row.revision_id)
            rev = self.revision(row)
            if rev is not None:
                group.append(rev)
        if current is not None:
            self.entity(current, group, group_ids)
        self.orphans()

    def revision(self, row: Any) -> Revision | None:
        """The revision, checked; None (and its problem named) when it fails."""
        self.report.revisions_checked += 1
        try:
            rev = verify_revision(bytes(row.signed), bytes(row.signature), row.revision_id, ENTITY_TYPES)
            check_revision_body(rev)
        except RevisionRejected as err:
            self.problem("revision", row.revision_id, err.reason)
            return None
        stored = (row.entity_id, row.entity_type, row.op, row.hlc_ms, row.hlc_counter, row.device_id)
        signed = (rev.entity_id, rev.entity_type, rev.op, rev.hlc.ms, rev.hlc.counter, rev.device_id)
        if stored != signed:
            self.problem("revision", rev.revision_id, "its row's columns differ from its signed bytes")
        if self.parents.get(rev.revision_id, set()) != set(rev.parents):
            self.problem("revision", rev.revision_id, "its parent rows differ from its signed parents")
        if self.supersedes.get(rev.revision_id, set()) != set(rev.supersedes):
            self.problem("revision", rev.revision_id, "its supersedes rows differ from its signed re-root")
        if self.signers.get(rev.device_id) != rev.public_key:
            self.problem(
                "revision",
                rev.revision_id,
                f"signed by device {rev.device_id}, which is not this vault's device (nor an enrolled one)",
            )
        if is_ahead(rev.hlc, self.wall_ms):
            days = (rev.hlc.ms - self.wall_ms) / 86_400_000
            self.report.notices.append(
                Problem(
                    "revision",
                    rev.revision_id,
                    f"clock ahead: stamped {days:.1f} days after this device's clock "
                    f"(more than the {MAX_DRIFT_MS // 3_600_000} hours allowed); kept, not followed",
                )
            )
        return rev

    def entity(self, entity_id: str, revisions: list[Revision], all_ids: set[str]) -> None:
        self.seen_entities.add(entity_id)
        row = self.row_of(entity_id)
        if not revisions:
            return  # every revision failed, each named already
        self.report.entities_checked += 1
        if len({rev.entity_type for rev in revisions}) != 1:
            self.problem("entity", entity_id, "has revisions of different types")
            return
        for rev in revisions:
            for parent in sorted(set(rev.parents) - all_ids):
                if self.signers.get(rev.device_id) == rev.public_key:
                    # A revision made here names the heads it saw here.
                    self.problem(
                        "revision", rev.revision_id, f"names parent {parent}, which is not in the vault"
                    )
                else:
                    self.report.notices.append(
                        Problem("revision", rev.revision_id, f"names parent {parent}, not received yet")
                    )
        derived = derive_entity(revisions, self.revoked)
        self.compare(derived, row)
        if derived.entity_type == "evidence":
            files = frozenset(
                (str(rev.body.get("sha256")), int(rev.body.get("size", -1)))
                for rev in revisions
                if rev.op == "put"
            )
            self.evidence[entity_id] = SignedEvidence(entity_id, files, derived.deleted)

    def compare(self, derived: DerivedEntity, row: Any) -> None:
        if row is None:
            self.problem("entity", derived.entity_id, "has revisions but no row in entities (removed)")
            return
        expected = {
            "type": derived.entity_type,
            "case": derived.case_id,
            "head": derived.head_revision_id,
            "body": derived.body,
            "deleted": derived.deleted,
            "conflicted": derived.conflicted,
            "created": derived.created_ms,
            "updated": derived.updated_ms,
            "heads": derived.heads,
        }
        stored = {
            "type": row.entity_type,
            "case": row.case_id,
            "head": row.head_revision_id,
            "body": derived.body if row.body.encode() == derived.body else _canonical_body(row.body),
            "deleted": bool(row.deleted),
            "conflicted": bool(row.conflicted),
            "created": row.created_ms,
            "updated": row.updated_ms,
            "heads": frozenset(self.heads.get(derived.entity_id, set())),
        }
        differ = [name for name in expected if expected[name] != stored[name]]
        if differ:
            self.problem(
                "entity",
                derived.entity_id,
                f"its derived state differs from its signed revisions ({', '.join(differ)})",
            )

    def orphans(self) -> None:
        """Derived rows of entities that have no revision at all."""
        self.row_of("\uffff")  # the rows after the last entity with revisions
        for entity_id in self.rows_without_revisions:
            self.problem("entity", entity_id, "has a row in entities but no revisions")
        for entity_id in sorted(set(self.heads) - self.seen_entities):
            self.problem("entity", entity_id, "has rows in heads but no revisions")


def _canonical_body(stored: str) -> bytes | None:
    """The stored body in canonical form (vaults written before bodies were
    canonical hold the same JSON spelled otherwise), or None when it is not
    JSON the format allows."""
    try:
        return canonical_json(json.loads(stored))
    except (ValueError, TypeError, RecursionError):
        return None


# -- evidence and custody ---------------------------------------------------------------


def _custody_mentions(session: Session, failed: set[str]) -> dict[str, list[CustodyMention]]:
    """Each item's custody events as signed; ``failed``: the subjects
    verify_chain named, whose content is not compared again."""
    mentions: dict[str, list[CustodyMention]] = {}
    for seq, signed in session.execute(
        select(CustodyEventRow.seq, CustodyEventRow.signed).order_by(CustodyEventRow.seq)
    ):
        try:
            envelope = json.loads(bytes(signed))
            mention = CustodyMention(
                seq, str(envelope["action"]), str(envelope["sha256"]), f"custody event {seq}" not in failed
            )
            mentions.setdefault(str(envelope["evidence"]), []).append(mention)
        except (ValueError, TypeError, KeyError, RecursionError):
            continue
    return mentions


def _check_evidence(
    evidence: dict[str, SignedEvidence],
    holder: dict[str, str],
    blob_files: dict[str, tuple[str, int]],
    custody: dict[str, list[CustodyMention]],
    report: VerifyReport,
    *,
    waiting_files: Collection[str] = (),
    kept_files: Collection[str] = (),
) -> None:
    """``waiting_files``: SHA-256s of evidence files parked revisions name
    (db/parked.py): a stored file no item holds yet waits for them.
    ``kept_files``: those of parked revisions left out since: their bytes
    are kept, never dropped (review 13 F2), a notice."""

    def problem(kind: str, subject: str, detail: str) -> None:
        report.problems.append(Problem(kind, subject, detail))

    for evidence_id, item in sorted(evidence.items()):
        signed = item.file
        if signed is None:
            if item.files:
                problem("evidence", evidence_id, "its signed SHA-256 or size changed between revisions")
            continue
        blob_id = holder.get(evidence_id)
        if blob_id is None:
            if not item.deleted:
                problem("evidence", evidence_id, "has no stored file")
        elif blob_id not in blob_files:
            problem("evidence", evidence_id, f"points at blob {blob_id}, which has no record")
        elif blob_files[blob_id][0] != signed[0]:
            problem(
                "evidence", evidence_id, "resolves to a stored file whose SHA-256 differs from its signed one"
            )
        elif blob_files[blob_id][1] != signed[1]:
            problem(
                "evidence", evidence_id, "resolves to a stored file whose size differs from its signed one"
            )
        events = custody.get(evidence_id, [])
        # How the bytes came into this vault's custody: taken in here, received
        # in a bundle, or taken in here for an item whose record came without them.
        starts = [event for event in events if event.action in ("intake", "transfer", "intake-attached")]
        if not starts:
            problem("custody", evidence_id, "has no intake event (the custody log was cut or altered)")
        elif starts[0].intact and starts[0].sha256 != signed[0]:
            problem("custody", evidence_id, "its intake event records another SHA-256 than its signed record")
        for event in events:
            if event.intact and event.sha256 != signed[0] and (not starts or event is not starts[0]):
                problem(
                    "custody",
                    f"custody event {event.seq}",
                    f"records another SHA-256 than item {evidence_id}",
                )
    for evidence_id in sorted(set(custody) - set(evidence)):
        problem(
            "custody", evidence_id, "custody events name an item with no record (its records were removed)"
        )
    for evidence_id in sorted(set(holder) - set(evidence)):
        problem("evidence", evidence_id, "has a row in evidence_blobs but no signed record")
    # Intake writes a blob's row with the item's; deleting an item keeps both.
    for blob_id in sorted(set(blob_files) - set(holder.values())):
        if blob_files[blob_id][0] in waiting_files:
            report.notices.append(
                Problem("blob", blob_id, "kept for an evidence item whose revisions wait for their parents")
            )
            continue
        if blob_files[blob_id][0] in kept_files:
            report.notices.append(
                Problem(
                    "blob",
                    blob_id,
                    "a stored file no item names (kept: the revision naming it was left out)",
                )
            )
            continue
        problem("blob", blob_id, "no evidence item refers to this stored file (its records were removed)")


def _purged_by_event(
    blobs: Sequence[Any], users: dict[str, list[str]], custody: dict[str, list[CustodyMention]]
) -> set[str]:
    """Blobs whose every holder has an intact ``purge`` event with the blob's
    SHA-256: their file may be absent (db/purge.py)."""
    purged = set()
    for blob_id, _wrapped_key, sha256, _size in blobs:
        holders = users.get(blob_id, [])
        if holders and all(
            any(m.intact and m.action == "purge" and m.sha256 == sha256 for m in custody.get(holder, []))
            for holder in holders
        ):
            purged.add(blob_id)
    return purged


def _check_blobs(
    ctx: VaultContext,
    blobs: Sequence[Any],
    users: dict[str, list[str]],
    report: VerifyReport,
    progress: VerifyProgress | None,
    purged: set[str],
) -> None:
    total = sum(b.size for b in blobs if b.blob_id not in purged)
    for blob_id, wrapped_key, sha256, size in blobs:
        named = ", ".join(sorted(users.get(blob_id, []))) or blob_id
        if blob_id in purged and not ctx.blob_store.path(blob_id).exists():
            report.blobs_purged += 1  # delivered, and removed as a signed event records
            continue
        try:
            key = unwrap_blob_key(ctx.blobs_subkey, blob_id, wrapped_key)
            with OverlappedSha256() as digest, ctx.blob_store.open(blob_id, key) as reader:
                if reader.size != size:
                    raise BlobIntegrityError(blob_id, f"holds {reader.size} bytes, {size} were stored")
                for plain in reader.segments():
                    digest.update(plain)
                    report.bytes_checked += len(plain)
                    if progress is not None:
                        progress(report.bytes_checked, total)
            if digest.hexdigest() != sha256:
                report.problems.append(
                    Problem("blob", named, "content does not match its SHA-256 from intake")
                )
        except BlobIntegrityError as err:
            report.problems.append(Problem("blob", named, err.detail))
        except VaultDamaged as err:
            report.problems.append(Problem("blob", named, str(err)))
        report.blobs_checked += 1


# -- the whole vault ---------------------------------------------------------------------


def verify_vault(
    ctx: VaultContext, progress: VerifyProgress | None = None, *, record: bool = True
) -> VerifyReport:
    """Check the vault; ``record=False`` (an examination) writes nothing.

    A database damaged so badly that SQLite stops reading it midway is a
    problem in the report, not a crash: what was checked before stays listed."""
    report = VerifyReport()
    try:
        return _verify(ctx, report, progress, record=record)
    except DatabaseError:
        report.problems.append(
            Problem(
                "database",
                "vault.db",
                "the database could not be read to the end (damaged); restore vault.db from a copy",
            )
        )
        return report


def _refresh_fts_tables(session: Session) -> None:
    """Read the FTS5 search index once before ``PRAGMA integrity_check``:
    FTS5 keeps its index structure cached per connection, and the integrity
    check (SQLite 3.51) used that cache without asking whether another
    connection of the pool had changed the index since, so it reported
    "checksum mismatch" for a sound index another connection had just
    written (a fresh connection found it sound; tests/sync/test_send_back.py
    met it). A query reloads the structure first; the check then judges the
    index as it is on disk."""
    session.execute(text("SELECT rowid FROM search_index LIMIT 1")).all()


def _verify(
    ctx: VaultContext, report: VerifyReport, progress: VerifyProgress | None, *, record: bool
) -> VerifyReport:
    with ctx.sessions() as session:
        _refresh_fts_tables(session)
        pages = [r[0] for r in session.execute(text("PRAGMA integrity_check"))]
        if pages != ["ok"]:
            report.problems += [Problem("database", "vault.db", line) for line in pages]
        signers = trusted_signers(ctx.identity, session)
        report.problems += _foreign_device_rows(session, ctx.identity)
        revisions = _RevisionCheck(session, report, ctx.clock.wall(), signers)
        revisions.run()
        blobs = session.execute(select(Blob.blob_id, Blob.wrapped_key, Blob.sha256, Blob.size)).all()
        users: dict[str, list[str]] = {}
        holder: dict[str, str] = {}
        for evidence_id, blob_id in session.execute(select(EvidenceBlob.evidence_id, EvidenceBlob.blob_id)):
            users.setdefault(blob_id, []).append(evidence_id)
            holder[evidence_id] = blob_id
        report.custody_events_checked = int(
            session.execute(text("SELECT count(*) FROM custody_events")).scalar_one()
        )
        # This vault's own chain is signed by its own key alone; the chains
        # received from other devices each by their device (per-device chains).
        own = {ctx.identity.device_id: ctx.identity.public_key}
        custody_problems = verify_chain(session, own)
        received_problems = verify_received_chains(
            session, {d: k for d, k in signers.items() if d != ctx.identity.device_id}
        )
        custody = _custody_mentions(session, {subject for subject, _detail in custody_problems})
        # Each parked row re-verified (review 13 F7); only verified ones
        # excuse a stored file no item holds yet.
        parked = parked_count(session)
        damaged_parked, parked_files = check_parked(session)
        kept_files = left_out_sha256s(session)

    if parked:
        # Revisions an import parked until their parents arrive (db/parked.py):
        # in no head, not checked as stored ones, and no fault.
        report.notices.append(
            Problem("revision", "parked", f"{parked} revision(s) wait for their parents (not stored yet)")
        )
    report.problems += [Problem("revision", revision_id, detail) for revision_id, detail in damaged_parked]

    _check_blobs(ctx, blobs, users, report, progress, _purged_by_event(blobs, users, custody))
    report.problems += [Problem("custody", subject, detail) for subject, detail in custody_problems]
    report.problems += [Problem("custody", subject, detail) for subject, detail in received_problems]
    _check_evidence(
        revisions.evidence,
        holder,
        {b.blob_id: (b.sha256, b.size) for b in blobs},
        custody,
        report,
        waiting_files=parked_files,
        kept_files=kept_files,
    )

    if record:
        live = [(item.evidence_id, item.file) for item in revisions.evidence.values() if not item.deleted]
        _record_verification(
            ctx, [(evidence_id, file[0] if file else "") for evidence_id, file in live], report
        )
    return report


def _record_verification(ctx: VaultContext, items: Iterable[tuple[str, str]], report: VerifyReport) -> None:
    """The verification itself is a custody event for each live item it covered."""
    bad = {p.subject for p in report.problems}
    with ctx.write_transaction("record the verification") as session:
        for evidence_id, sha256 in sorted(items):
            append_event(
                session,
                ctx.identity,
                evidence_id=evidence_id,
                action="verify",
                sha256=sha256,
                hlc=ctx.next_reading(session),
                user=ctx.user_label,
                details={"ok": not any(evidence_id in subject for subject in bad)},
            )
