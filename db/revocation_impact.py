"""Which records a revocation froze, for the coordinators to see (issue 14;
review 11 F2; docs/sync.md §2.3 "What it costs").

A desk holds back from the other desks every revision a revoked device
signed and every revision descending from one (db/withheld.py
``revoked_lineage``), and leaves out of the other desks' bundles the same
(``withheld_revisions``). So a record a revoked device wrote in has every
later edit held back too: at the desks that never took the revoked
revision it stays as it was, for good. This module only reads; it names
records by id and type, never by what they hold.

A record is reported here when, in this vault:

- **held back** (``held_back``): it holds a revision of the record signed by
  a device ``revoked`` names, so that revision and every later edit here
  (all descend from it) stay at this desk. A record the revoked device only
  created and nobody edited since is reported too (one revision, no later
  edits): the next edit of it here would be held back as well.
- **left out** (``left_out``): an import left out revisions of the record
  (``withheld_revisions`` rows learned ``left-out``), so it stays here as
  it was before them, and edits of it arriving later are left out too.
  Rows whose revision this vault holds are not counted (it is stored, a
  head here: nothing of it was left out).
- **left out past the cap** (``left_out_past_cap``): an import left out
  revisions of the record because their signer's parked slots were full
  (``past-cap``), or because they descend from such a revision
  (``below-past-cap``, db/past_cap_lineage.py). No revocation is their
  reason and no revoked device is named for them; they are counted apart,
  and are decided anew when they arrive again (db/parked.py).

A revision a coordinator's re-root of the same record hides (superseded,
or, held here, descending from a superseded one: db/reroot.py, db/derive.py
``hidden_ids``) counts neither as held back nor as left out: the re-root
replaced it, every desk can take the re-root, and the record converges
again. A record all of whose held-back and left-out
revisions are so covered is no longer listed.

The ids read from a revoked device's refused bundles (``withheld_revisions``
rows learned ``refused-bundle``, db/withheld.py) name no record here
(review 13 F5): their record ids are the revoked device's choice, any other
device's record included, and a seized laptop could make any record look
frozen. They are counted per device (``refused_ids``), apart, and never
attached to a record id or named by a record's title.

A record may be both (this desk took the revoked edit from the worker, and
left out a later desk's edit of it). Reading costs a handful of queries:
``revoked_lineage`` (the records revoked devices wrote in, by the device
index), the held-back revisions' rows by primary key in chunks, and two
grouped queries over ``withheld_revisions``."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from db.chunked_ids import CHUNK
from db.entities import RECORD_TYPES
from db.model import EntityRow, RevisionRow, RevisionSupersedes, WithheldRevision
from db.parked_set_aside import SET_ASIDE
from db.past_cap_lineage import PAST_CAP_KINDS
from db.store import hidden_by_reroots
from db.withheld import FROM_REFUSED_BUNDLE, LEFT_OUT, revoked_lineage

if TYPE_CHECKING:
    from db.vault import Vault


@dataclass(frozen=True)
class AffectedRecord:
    """One record a revocation froze, as this vault sees it. Ids and counts
    only: nothing of what the record says."""

    entity_id: str
    entity_type: str  # "" when this vault holds no revision of it (all left out)
    revoked_devices: tuple[str, ...]  # the revoked signers whose revisions froze it
    held_back: int  # revisions held here and held back from the other desks
    revoked_signed: int  # of them, those a revoked device signed
    whole: bool  # every revision of it here is held back: the other desks get nothing of it from here
    held_back_newest_ms: int | None  # the newest held-back revision's time (its clock), None for none
    left_out: int  # revisions of it this vault's imports left out
    left_out_newest_ms: int | None  # when the last of them was left out (past the cap too), None for none
    # Revisions of it left out because a signer's parked slots were full, or
    # below such a revision: not a revocation's doing (db/past_cap_lineage.py).
    left_out_past_cap: int = 0
    # Of ``left_out``, those a coordinator here set aside by hand (learned
    # ``set-aside``; db/parked_set_aside.py): their signer need not be revoked.
    set_aside: int = 0

    @property
    def later_edits(self) -> int:
        """Held-back edits no revoked device signed: the work that did not
        reach the other desks because it came after a revoked revision."""
        return self.held_back - self.revoked_signed

    @property
    def newest_ms(self) -> int:
        return max(self.held_back_newest_ms or 0, self.left_out_newest_ms or 0)

    def to_json(self) -> dict[str, object]:
        return {
            "entity_id": self.entity_id,
            "entity_type": self.entity_type or None,
            "revoked_devices": list(self.revoked_devices),
            "held_back": self.held_back,
            "revoked_signed": self.revoked_signed,
            "later_edits": self.later_edits,
            "whole": self.whole,
            "held_back_newest_ms": self.held_back_newest_ms,
            "left_out": self.left_out,
            "left_out_newest_ms": self.left_out_newest_ms,
            "left_out_past_cap": self.left_out_past_cap,
            "set_aside": self.set_aside,
        }


@dataclass(frozen=True)
class RevocationImpact:
    """Every record a revocation froze in this vault, newest first."""

    records: tuple[AffectedRecord, ...]
    # Device id -> how many revision ids this vault keeps from its refused
    # bundles (read after its revocation: db/withheld.py). Named by the
    # revoked device, never checked against a record: no record is listed
    # for them.
    refused_ids: dict[str, int] = field(default_factory=dict)

    @property
    def held_back(self) -> tuple[AffectedRecord, ...]:
        """Records whose later edits here do not reach the other desks."""
        return tuple(record for record in self.records if record.held_back)

    @property
    def left_out(self) -> tuple[AffectedRecord, ...]:
        """Records some of whose revisions this vault left out."""
        return tuple(record for record in self.records if record.left_out)

    @property
    def left_out_past_cap(self) -> tuple[AffectedRecord, ...]:
        """Records some of whose revisions this vault left out because a
        signer's parked slots were full (no revocation's doing)."""
        return tuple(record for record in self.records if record.left_out_past_cap)

    def of_device(self, device_id: str) -> tuple[AffectedRecord, ...]:
        """The records ``device_id``'s revisions froze."""
        return tuple(record for record in self.records if device_id in record.revoked_devices)


@dataclass
class _Tally:
    entity_type: str = ""
    devices: set[str] = field(default_factory=set)  # revoked signers of held-back revisions
    held_back: int = 0
    revoked_signed: int = 0
    held_back_newest_ms: int | None = None
    left_out: int = 0
    left_out_newest_ms: int | None = None
    left_out_signers: set[str] = field(default_factory=set)
    left_out_past_cap: int = 0
    set_aside: int = 0


def revocation_impact(vault: Vault, revoked: Collection[str]) -> RevocationImpact:
    """The records of this vault a revocation of ``revoked`` froze (the
    devices the newest profile revokes; the caller reads the profile)."""
    revoked = frozenset(revoked)
    lineage = revoked_lineage(vault, revoked)
    tallies: dict[str, _Tally] = {}
    with vault.services.context.sessions() as session:
        # Held here and hidden by a re-root of their record (db/reroot.py).
        covered: set[str] = set().union(*hidden_by_reroots(session).values())
        _count_held_back(session, sorted(set(lineage.revisions) - covered), revoked, tallies)
        _count_left_out(session, tallies)
        refused_ids = _count_refused_ids(session)
        _fill_types(session, [entity for entity, tally in tallies.items() if not tally.entity_type], tallies)
    records = [
        _record(entity_id, tally, revoked, entity_id in lineage.whole) for entity_id, tally in tallies.items()
    ]
    records.sort(key=lambda record: (-record.newest_ms, record.entity_id))
    return RevocationImpact(tuple(records), refused_ids)


def _count_held_back(
    session: Session, ids: list[str], revoked: frozenset[str], tallies: dict[str, _Tally]
) -> None:
    for at in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(
                RevisionRow.entity_id, RevisionRow.entity_type, RevisionRow.device_id, RevisionRow.hlc_ms
            ).where(RevisionRow.revision_id.in_(ids[at : at + CHUNK]))
        )
        for entity_id, entity_type, device_id, hlc_ms in rows:
            tally = tallies.setdefault(entity_id, _Tally())
            tally.entity_type = entity_type
            tally.held_back += 1
            if device_id in revoked:
                tally.revoked_signed += 1
                tally.devices.add(device_id)
            tally.held_back_newest_ms = max(tally.held_back_newest_ms or 0, hlc_ms)


def _count_left_out(session: Session, tallies: dict[str, _Tally]) -> None:
    """The revisions imports left out, by record: only rows an import wrote
    (``LEFT_OUT``: carried by another desk's bundle, verified, its record
    id signed by the device that made it) or a coordinator set aside
    (``SET_ASIDE``: parked rows, verified when parked), never those read
    from a refused bundle, and not those this vault holds (stored before:
    review 13 F4). Those left out past the cap or below such a revision
    (``PAST_CAP_KINDS``, rows an import wrote too) are counted apart: their
    signers name no revoked device. Rows a re-root of their record
    supersedes are not counted."""
    held = exists().where(RevisionRow.revision_id == WithheldRevision.revision_id)
    superseded = (
        exists()
        .where(
            RevisionSupersedes.superseded_id == WithheldRevision.revision_id,
            RevisionRow.revision_id == RevisionSupersedes.revision_id,
            RevisionRow.entity_id == WithheldRevision.entity_id,
        )
        .correlate(WithheldRevision)
    )
    rows = session.execute(
        select(
            WithheldRevision.entity_id,
            WithheldRevision.device_id,
            WithheldRevision.learned,
            func.count(),
            func.max(WithheldRevision.withheld_ms),
        )
        .where(WithheldRevision.learned.in_((LEFT_OUT, SET_ASIDE, *PAST_CAP_KINDS)), ~held, ~superseded)
        .group_by(WithheldRevision.entity_id, WithheldRevision.device_id, WithheldRevision.learned)
    )
    for entity_id, signer, learned, count, newest_ms in rows:
        tally = tallies.setdefault(entity_id, _Tally())
        tally.left_out_newest_ms = max(tally.left_out_newest_ms or 0, int(newest_ms))
        if learned in PAST_CAP_KINDS:
            tally.left_out_past_cap += int(count)
            continue
        tally.left_out += int(count)
        tally.left_out_signers.add(signer)
        if learned == SET_ASIDE:
            tally.set_aside += int(count)


def _count_refused_ids(session: Session) -> dict[str, int]:
    """Per revoked device, the revision ids kept from its refused bundles
    (their record ids unread: the device chose them)."""
    rows = session.execute(
        select(WithheldRevision.device_id, func.count())
        .where(WithheldRevision.learned == FROM_REFUSED_BUNDLE)
        .group_by(WithheldRevision.device_id)
    )
    return {str(device_id): int(count) for device_id, count in rows}


def _fill_types(session: Session, entity_ids: Iterable[str], tallies: dict[str, _Tally]) -> None:
    """The type of records known here only by what was left out of them
    (a desk's bundle left out an edit of a record this vault holds)."""
    ids = sorted(entity_ids)
    for at in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(RevisionRow.entity_id, func.min(RevisionRow.entity_type))
            .where(RevisionRow.entity_id.in_(ids[at : at + CHUNK]))
            .group_by(RevisionRow.entity_id)
        )
        for entity_id, entity_type in rows:
            tallies[entity_id].entity_type = entity_type


def _record(entity_id: str, tally: _Tally, revoked: frozenset[str], whole: bool) -> AffectedRecord:
    # A left-out revision's signer is the revoked device, or the desk whose
    # edit descends from one (left out with it): only the revoked ones name it.
    devices = tally.devices | (tally.left_out_signers & revoked)
    return AffectedRecord(
        entity_id=entity_id,
        entity_type=tally.entity_type,
        revoked_devices=tuple(sorted(devices)),
        held_back=tally.held_back,
        revoked_signed=tally.revoked_signed,
        whole=whole,
        held_back_newest_ms=tally.held_back_newest_ms,
        left_out=tally.left_out,
        left_out_newest_ms=tally.left_out_newest_ms,
        left_out_past_cap=tally.left_out_past_cap,
        set_aside=tally.set_aside,
    )


def record_labels(vault: Vault, entity_ids: Iterable[str]) -> dict[str, str]:
    """The short display name of each of ``entity_ids`` this vault holds
    (``Record.label``: a title, a pseudonym, a file name), for the unlocked
    app's own list of frozen records; never for the CLI or a log. Records
    it does not hold, and deleted ones (no body to name them by), are left out."""
    ids = sorted(set(entity_ids))
    labels: dict[str, str] = {}
    with vault.services.context.sessions() as session:
        for at in range(0, len(ids), CHUNK):
            rows = session.execute(
                select(EntityRow.entity_id, EntityRow.entity_type, EntityRow.body).where(
                    EntityRow.entity_id.in_(ids[at : at + CHUNK]), EntityRow.deleted.is_(False)
                )
            )
            for entity_id, entity_type, body in rows:
                record_type = RECORD_TYPES.get(entity_type)
                if record_type is not None:
                    labels[entity_id] = record_type.from_body(json.loads(body), id=entity_id).label()
    return labels


__all__ = ["AffectedRecord", "RevocationImpact", "record_labels", "revocation_impact"]
