"""The history hand-over and the maker's decisions (issue 14, review 16 F4;
docs/bundle-format.md §10, migration 0025).

A coordinator desk keeps some revisions out of its store: parked (waiting
for a parent, or kept aside while their signer's vouch lapsed), and left out
(a revoked lineage's, read from a revoked maker's refused bundle, past a
signer's parked cap or below such a revision, set aside by a coordinator).
The bundles that carried them count as received at a desk it hands its
history over to, so that desk never reads them there. This module gives the
maker's side what it hands over, and keeps the new desk's record of it:

- ``waiting_for_hand_over`` / ``parked_wires``: the parked revisions whose
  signed bytes the maker holds; they travel as revisions, and the new desk
  decides them by its own rules (self-authenticating: no new trust);
- ``kept_out_for_hand_over``: the maker's left-out rows, ids only (no bytes,
  or bytes it refused), which travel as the manifest's ``decisions``;
- ``record_maker_decisions`` (inside the new desk's import transaction) and
  ``maker_decisions_list``: the maker's word recorded and shown; nothing is
  left out here on it, and a revision arriving is decided by this desk's
  rules (docs/threat-model.md §2.8: it seldom arrives, its carrier being
  a replay here).

Ids and times only: no revision content is read or returned here."""

from __future__ import annotations

import base64
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from db.chunked_ids import CHUNK, driver_execute, values_among
from db.model import Blob, MakerDecision, ParkedRevision, RevisionRow, WithheldRevision
from db.parked import _check_rows, parked_among, parked_rows
from db.purge import live_blob_id

if TYPE_CHECKING:
    from db.sync_state import PendingBlob
    from db.vault import Vault


@dataclass(frozen=True)
class KeptOut:
    """One revision this vault keeps out and does not hold: its id, its
    signer, how it was kept out (``withheld_revisions.learned``) and when."""

    revision_id: str
    signer: str
    reason: str
    decided_ms: int


def kept_out_for_hand_over(
    vault: Vault, *, reasons: Collection[str], limit: int
) -> tuple[list[KeptOut], int]:
    """This vault's left-out revisions it does not hold, of the ``reasons``
    given: the newest ``limit`` of them by revision id, and how many there
    are. (A row whose revision is stored here is a note that it was once
    left out, not a decision to keep it out: not handed over.)"""
    with vault.services.context.sessions() as session:
        unheld = (
            select(
                WithheldRevision.revision_id,
                WithheldRevision.device_id,
                WithheldRevision.learned,
                WithheldRevision.withheld_ms,
            )
            .where(WithheldRevision.learned.in_(sorted(reasons)))
            .where(
                ~select(RevisionRow.revision_id)
                .where(RevisionRow.revision_id == WithheldRevision.revision_id)
                .exists()
            )
        )
        total = int(session.scalar(select(func.count()).select_from(unheld.subquery())) or 0)
        rows = session.execute(
            unheld.order_by(WithheldRevision.withheld_ms.desc(), WithheldRevision.revision_id).limit(limit)
        ).all()
    kept = [KeptOut(str(rid), str(signer), str(reason), int(ms)) for rid, signer, reason, ms in rows]
    return sorted(kept, key=lambda k: k.revision_id), total


def waiting_for_hand_over(vault: Vault, signers: Collection[str]) -> tuple[list[str], int]:
    """The ids of the parked revisions signed by one of ``signers`` (those
    the new desk authorises or keeps aside) whose rows are sound (a damaged
    row would refuse the whole hand-over there), oldest first; and how many
    parked revisions are not among them."""
    with vault.services.context.sessions() as session:
        rows = session.execute(
            select(ParkedRevision.revision_id, ParkedRevision.device_id).order_by(
                ParkedRevision.parked_ms, ParkedRevision.revision_id
            )
        ).all()
        ids = [str(rid) for rid, signer in rows if str(signer) in signers]
        damaged: set[str] = set()
        for at in range(0, len(ids), CHUNK):
            damaged |= set(_check_rows(session, ids[at : at + CHUNK])[0])
    sound = [rid for rid in ids if rid not in damaged]
    return sound, len(rows) - len(sound)


def parked_wires(vault: Vault, revision_ids: list[str]) -> list[dict[str, str]]:
    """The wire form of the parked revisions ``revision_ids`` still parked
    here, in that order (as a bundle carries a revision)."""
    with vault.services.context.sessions() as session:
        rows = parked_rows(session, revision_ids)
    return [
        {
            "id": rid,
            "signed": base64.b64encode(rows[rid][0]).decode("ascii"),
            "signature": base64.b64encode(rows[rid][1]).decode("ascii"),
        }
        for rid in revision_ids
        if rid in rows
    ]


def parked_files_held(vault: Vault, revision_ids: list[str]) -> list[PendingBlob]:
    """The evidence files the parked revisions ``revision_ids`` name whose
    bytes this vault holds (stored, not purged, of the size the revision
    names), by SHA-256, each with the items those revisions are of: a
    hand-over carries them, so that the new desk stores the bytes with the
    revision (db/sync_import.py keeps bytes only parked revisions name)."""
    from db.sync_state import (
        PendingBlob,
    )  # here: db.sync_state imports the import unit, which imports this module

    named: dict[tuple[str, int], set[str]] = {}
    with vault.services.context.sessions() as session:
        for at in range(0, len(revision_ids), CHUNK):
            for entity_id, sha256, size in session.execute(
                select(ParkedRevision.entity_id, ParkedRevision.sha256, ParkedRevision.size).where(
                    ParkedRevision.revision_id.in_(revision_ids[at : at + CHUNK]),
                    ParkedRevision.sha256.is_not(None),
                )
            ):
                if sha256 and size is not None:
                    named.setdefault((str(sha256), int(size)), set()).add(str(entity_id))
        held: list[PendingBlob] = []
        for (sha256, size), entity_ids in sorted(named.items()):
            blob_id = live_blob_id(session, sha256)
            if (
                blob_id is not None
                and session.scalar(select(Blob.size).where(Blob.blob_id == blob_id)) == size
            ):
                held.append(PendingBlob(sha256, size, tuple(sorted(entity_ids))))
    return held


def record_maker_decisions(
    session: Session, maker_id: str, bundle_id: str, decisions: Iterable[KeptOut]
) -> int:
    """Record what the maker ``maker_id`` decided, as its hand-over
    ``bundle_id`` says (inside that import's transaction); a later hand-over
    from the same maker replaces its earlier word on a revision. Returns
    how many rows were written."""
    now_ms = time.time_ns() // 1_000_000
    rows = [
        {
            "revision_id": d.revision_id,
            "maker_id": maker_id,
            "signer_id": d.signer,
            "reason": d.reason,
            "decided_ms": d.decided_ms,
            "bundle_id": bundle_id,
            "recorded_ms": now_ms,
        }
        for d in decisions
    ]
    for at in range(0, len(rows), CHUNK):
        statement = insert(MakerDecision).values(rows[at : at + CHUNK])
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["revision_id", "maker_id"],
                set_={
                    "signer_id": statement.excluded.signer_id,
                    "reason": statement.excluded.reason,
                    "decided_ms": statement.excluded.decided_ms,
                    "bundle_id": statement.excluded.bundle_id,
                    "recorded_ms": statement.excluded.recorded_ms,
                },
            )
        )
    return len(rows)


def any_maker_decision_unheld(session: Session) -> bool:
    """Does another desk's word say it kept out a revision this vault does
    not hold? Then imports check parents (db/sync_import.py): a later edit of
    that revision waits here instead of being stored without it."""
    # Through the driver: every import asks this (db/chunked_ids.py).
    unheld = driver_execute(
        session,
        "SELECT 1 FROM maker_decisions d"
        " WHERE NOT EXISTS (SELECT 1 FROM revisions r WHERE r.revision_id = d.revision_id) LIMIT 1",
    )
    return unheld.first() is not None


@dataclass(frozen=True)
class MakerDecisionRow:
    """One decision another desk handed over, as a coordinator lists it
    (``fieldvault devices parked``, the Devices view): ids and times only,
    and what this desk holds of the revision now."""

    revision_id: str
    signer: str
    reason: str
    decided_ms: int
    maker: str  # the desk that decided
    bundle_id: str  # the hand-over that said so
    here: str  # "stored", "parked" or "absent": this desk's own state of it

    def to_json(self) -> dict[str, object]:
        return {
            "revision_id": self.revision_id,
            "signer": self.signer,
            "reason": self.reason,
            "decided_ms": self.decided_ms,
            "maker": self.maker,
            "bundle_id": self.bundle_id,
            "here": self.here,
        }


def maker_decisions_list(vault: Vault, *, limit: int = 1_000) -> tuple[list[MakerDecisionRow], int]:
    """The newest ``limit`` decisions other desks handed over, and how many there are."""
    with vault.services.context.sessions() as session:
        total = int(session.scalar(select(func.count()).select_from(MakerDecision)) or 0)
        rows = session.execute(
            select(
                MakerDecision.revision_id,
                MakerDecision.signer_id,
                MakerDecision.reason,
                MakerDecision.decided_ms,
                MakerDecision.maker_id,
                MakerDecision.bundle_id,
            )
            .order_by(MakerDecision.decided_ms.desc(), MakerDecision.revision_id, MakerDecision.maker_id)
            .limit(limit)
        ).all()
        ids = [str(row[0]) for row in rows]
        stored = values_among(session, RevisionRow.revision_id, ids)
        parked = parked_among(session, ids)
    return [
        MakerDecisionRow(
            str(rid),
            str(signer),
            str(reason),
            int(ms),
            str(maker),
            str(bundle_id),
            "stored" if rid in stored else "parked" if rid in parked else "absent",
        )
        for rid, signer, reason, ms, maker, bundle_id in rows
    ], total


def maker_decisions_by_signer(vault: Vault) -> dict[str, dict[str, int]]:
    """Device id -> (the desk that said so -> how many of the revisions it
    signed that desk said it kept out) for the revisions this vault does not
    hold (the devices view names each desk)."""
    with vault.services.context.sessions() as session:
        rows = session.execute(
            select(MakerDecision.signer_id, MakerDecision.maker_id, func.count())
            .where(
                ~select(RevisionRow.revision_id)
                .where(RevisionRow.revision_id == MakerDecision.revision_id)
                .exists()
            )
            .group_by(MakerDecision.signer_id, MakerDecision.maker_id)
        ).all()
    found: dict[str, dict[str, int]] = {}
    for signer, maker, count in rows:
        found.setdefault(str(signer), {})[str(maker)] = int(count)
    return found


__all__ = [
    "KeptOut",
    "MakerDecisionRow",
    "any_maker_decision_unheld",
    "kept_out_for_hand_over",
    "maker_decisions_by_signer",
    "maker_decisions_list",
    "parked_files_held",
    "parked_wires",
    "record_maker_decisions",
    "waiting_for_hand_over",
]
