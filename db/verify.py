"""`verify`: check the whole vault and name exactly what is wrong.

- every blob decrypts segment by segment and matches its SHA-256 and size;
- every evidence item's recorded SHA-256 matches its blob;
- every revision's id, canonical form and signature;
- the custody log's hash chain and signatures;
- SQLite's own page-level integrity check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select, text

from db.blobformat import BlobIntegrityError
from db.blobstore import OverlappedSha256, unwrap_blob_key
from db.custody import append_event, verify_chain
from db.entities import ENTITY_TYPES
from db.errors import RevisionRejected, VaultDamaged
from db.model import Blob, EvidenceBlob, RevisionRow
from db.revisions import verify_revision
from db.services import VaultContext

VerifyProgress = Callable[[int, int], None]


@dataclass(frozen=True)
class Problem:
    kind: str  # "blob", "evidence", "revision", "custody", "database"
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
    custody_events_checked: int = 0
    # Worth knowing, but not a fault of the evidence held (quarantined files,
    # for one): listed by `verify`, and they do not make it fail.
    notices: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_vault(
    ctx: VaultContext, progress: VerifyProgress | None = None, *, record: bool = True
) -> VerifyReport:
    """Check the vault; ``record=False`` (an examination) writes nothing."""
    report = VerifyReport()
    with ctx.sessions() as session:
        pages = [r[0] for r in session.execute(text("PRAGMA integrity_check"))]
        if pages != ["ok"]:
            report.problems += [Problem("database", "vault.db", line) for line in pages]
        blobs = session.execute(select(Blob.blob_id, Blob.wrapped_key, Blob.sha256, Blob.size)).all()
        users: dict[str, list[str]] = {}
        for evidence_id, blob_id in session.execute(select(EvidenceBlob.evidence_id, EvidenceBlob.blob_id)):
            users.setdefault(blob_id, []).append(evidence_id)
        items = session.execute(
            text(
                "SELECT entity_id, json_extract(body, '$.sha256') FROM entities "
                "WHERE entity_type = 'evidence' AND deleted = 0"
            )
        ).all()
        revision_rows = session.execute(
            select(RevisionRow.revision_id, RevisionRow.signed, RevisionRow.signature)
        ).all()
        report.custody_events_checked = int(
            session.execute(text("SELECT count(*) FROM custody_events")).scalar_one()
        )
        custody_problems = verify_chain(session)
        # Every item's custody starts with its intake (or, later, its transfer
        # in a bundle): a missing start means the log was cut.
        with_start = set(
            session.scalars(
                text(
                    "SELECT DISTINCT evidence_id FROM custody_events "
                    "WHERE json_extract(signed, '$.action') IN ('intake', 'transfer')"
                )
            )
        )

    total = sum(b.size for b in blobs)
    for blob_id, wrapped_key, sha256, size in blobs:
        named = ", ".join(sorted(users.get(blob_id, []))) or blob_id
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

    held = {evidence_id: blob_id for blob_id, ids in users.items() for evidence_id in ids}
    known_sha = {b.blob_id: b.sha256 for b in blobs}
    for evidence_id, sha256 in items:
        holder = held.get(evidence_id)
        if holder is None:
            report.problems.append(Problem("evidence", evidence_id, "has no stored file"))
        elif known_sha.get(holder) != sha256:
            report.problems.append(
                Problem("evidence", evidence_id, "its SHA-256 differs from its stored file's")
            )

    for revision_id, signed, signature in revision_rows:
        try:
            verify_revision(signed, signature, revision_id, ENTITY_TYPES)
        except RevisionRejected as err:
            report.problems.append(Problem("revision", revision_id, err.reason))
        report.revisions_checked += 1

    report.problems += [Problem("custody", subject, detail) for subject, detail in custody_problems]
    report.problems += [
        Problem("custody", evidence_id, "has no intake event (the custody log was cut or altered)")
        for evidence_id, _sha in items
        if evidence_id not in with_start
    ]

    # The verification itself is a custody event for each item it covered.
    if not record:
        return report
    bad = {p.subject for p in report.problems}
    with ctx.write_transaction("record the verification") as session:
        for evidence_id, sha256 in items:
            append_event(
                session,
                ctx.identity,
                evidence_id=evidence_id,
                action="verify",
                sha256=sha256 or "",
                hlc=ctx.clock.tick(),
                user=ctx.user_label,
                details={"ok": not any(evidence_id in subject for subject in bad)},
            )
    return report
