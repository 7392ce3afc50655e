"""The kept account of a coordinator's re-reads (review 21 R4; migration
0028, sync/bundle/reread.py, ``fieldvault bundle rereads``).

A re-read (``bundle import --reread``) stores what a bundle received before
carries and this desk lacks. Its row, written in the re-read's own
transaction, says which bundle, when, at whose keyboard, and what came of
it by ids: so an examiner can tell a record a re-read brought from one an
import or a hand-over brought. The vault's account, not signed evidence:
the revisions themselves are what is trusted (verify checks them).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.model import BundleReread

# What ``bundle rereads`` lists at most, newest first.
LISTED = 1_000


@dataclass(frozen=True)
class Reread:
    """One kept re-read: ids, a time and the user label only."""

    reread_id: int
    bundle_id: str
    device_id: str
    sequence: int
    reread_ms: int
    user_label: str
    applied: tuple[str, ...]
    unparked: tuple[str, ...]
    evidence: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "reread_id": self.reread_id,
            "bundle_id": self.bundle_id,
            "device_id": self.device_id,
            "sequence": self.sequence,
            "reread_ms": self.reread_ms,
            "user_label": self.user_label,
            "applied_revisions": list(self.applied),
            "unparked_revisions": list(self.unparked),
            "evidence_attached": list(self.evidence),
        }


def _ids(values: Iterable[str]) -> str:
    return json.dumps(sorted(set(values)), separators=(",", ":"))


def record_reread(
    session: Session,
    *,
    bundle_id: str,
    device_id: str,
    sequence: int,
    user_label: str,
    applied: Iterable[str],
    unparked: Iterable[str],
    evidence: Iterable[str],
) -> None:
    """Keep the re-read of ``bundle_id`` in the caller's transaction: it is
    stored with what the re-read stored, or not at all."""
    session.add(
        BundleReread(
            bundle_id=bundle_id,
            device_id=device_id,
            sequence=sequence,
            reread_ms=time.time_ns() // 1_000_000,
            user_label=user_label,
            applied=_ids(applied),
            unparked=_ids(unparked),
            evidence=_ids(evidence),
        )
    )


def kept_rereads(session: Session, *, limit: int = LISTED) -> list[Reread]:
    """The newest ``limit`` re-reads kept here, newest first."""
    rows = session.scalars(select(BundleReread).order_by(BundleReread.reread_id.desc()).limit(limit))
    return [
        Reread(
            reread_id=row.reread_id,
            bundle_id=row.bundle_id,
            device_id=row.device_id,
            sequence=row.sequence,
            reread_ms=row.reread_ms,
            user_label=row.user_label,
            applied=tuple(json.loads(row.applied)),
            unparked=tuple(json.loads(row.unparked)),
            evidence=tuple(json.loads(row.evidence)),
        )
        for row in rows
    ]
