"""Review over everything a coordinator's vault holds (issue 14, docs/merge.md,
"Review"): filters over the testimonies, incidents and evidence items of all
cases, an optional full-text query, a timeline of incidents, and the custody
history of an evidence item across every device's chain.

Nothing here loads a whole table into Python: a page of records is one
statement with a LIMIT and a cursor (the entity's ``seq``, newest first); the
count stops at COUNT_LIMIT and says so; a full-text query keeps only the best
TEXT_HITS hits of the search service, and says when its ranking was bounded.

Which fields the filters read, per record type:

=========== ================== ==================== ==================
filter      testimony          incident             evidence item
=========== ================== ==================== ==================
date        ``interview_date`` ``date``             ``stated_date``
place       ``interview_place`` ``place``           ``stated_place``
violation   ``violation_types`` ``violation_types`` (none: excluded)
=========== ================== ==================== ==================

Partial dates meet a range by overlap. A stored date is a year, a month or a
day; it stands for every day it covers ("2022-03" is 1-31 March 2022). A
range's ends are partial dates too, each covering its days: from "2022-03" to
"2022-04" is 1 March to 30 April. A record matches when its days and the
range's days share at least one day: "2022" matches a range of 10-12 March
2022, "2022-03" matches from "2022-03-31", and "2022-02" does not match from
"2022-03-01". A record with no date never matches a date range. Since the ISO
forms share one layout, the test is a string comparison: a date covers the
strings from ``iso`` to ``iso + "~"`` ("~" sorts after digits and "-").
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from db.custody import check_signed_event, verify_chain, verify_received_chains
from db.entities import RECORD_TYPES
from db.errors import InvalidInput, NotFound
from db.model import CustodyEventRow, Device, EntityRow, KnownDevice, ReceivedCustodyEvent
from db.partial_dates import PartialDateError, parse_partial_date
from db.search_terms import fold
from db.services import RANK_CANDIDATES, VaultContext
from db.services import SearchService as _SearchService
from db.signers import stored_signers
from db.vocabulary import violation_codes

REVIEW_TYPES = ("testimony", "incident", "evidence")
# The stored field each filter reads, per type (module docstring).
DATE_FIELD = {"testimony": "interview_date", "incident": "date", "evidence": "stated_date"}
PLACE_FIELD = {"testimony": "interview_place", "incident": "place", "evidence": "stated_place"}
VIOLATION_TYPES_OF = ("testimony", "incident")
# A count stops here: counting a million matches reads a million rows.
COUNT_LIMIT = 10_000
# A full-text query's hits that the filters are applied to, best first.
TEXT_HITS = 1_000
PAGE_SIZE = 50
# After the last digit and "-": a partial date's last string (module docstring).
_END = "~"
_FOLD_FUNCTION = "fv_review_fold"
_SPACES = re.compile(r"\s+")


def normalise_place(place: str) -> str:
    """A place as the place filter compares it: folded as search terms are
    (case, accents, apostrophes) with runs of spaces made one."""
    return _SPACES.sub(" ", fold(place or "")).strip()


@dataclass(frozen=True)
class ReviewFilter:
    """What to show: every field left at its default filters nothing.

    ``date_from``/``date_to``: partial dates (ISO or day first, as typed in
    forms); ``place``: a substring; ``violation_types``: vocabulary codes, a
    record matches if it has any of them; ``device_id``: the signer of the
    record's first revision; ``has_evidence``: True keeps testimonies and
    incidents that an evidence item is linked to (and evidence items), False
    those without (no evidence item); ``text``: a full-text query."""

    case_id: str = ""
    date_from: str = ""
    date_to: str = ""
    place: str = ""
    violation_types: tuple[str, ...] = ()
    device_id: str = ""
    has_evidence: bool | None = None
    text: str = ""
    record_types: tuple[str, ...] = REVIEW_TYPES


@dataclass(frozen=True)
class ReviewRecord:
    entity_id: str
    entity_type: str
    case_id: str
    label: str
    date: str  # the stored partial date ("" when unknown)
    place: str
    device_id: str  # the signer of its first revision
    has_evidence: bool
    rank: float | None = None  # the search's score, for a text query


@dataclass(frozen=True)
class ReviewPage:
    """One page of matches, newest first (a text query: best first).

    ``total``: how many match, counted up to COUNT_LIMIT (``total_capped``:
    more than that). ``next_cursor``: give it back for the next page (None:
    the last). ``ranking_bounded``: the full-text search ranked only the
    newest candidates of its matches (SearchResults.bounded); ``text_capped``:
    only its best TEXT_HITS hits were filtered."""

    records: tuple[ReviewRecord, ...]
    total: int
    total_capped: bool
    next_cursor: int | None
    ranking_bounded: bool = False
    text_capped: bool = False


# -- the statement ------------------------------------------------------------------


def _date_bounds(value: str, what: str) -> str:
    try:
        return parse_partial_date(value).iso
    except PartialDateError as err:
        raise InvalidInput(
            f"The review's {what} date is not a date ({err.reason}).",
            "invalid-date",
            field=f"date_{what}",
            record_type="review",
        ) from None


@dataclass
class _Statement:
    where: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def add(self, clause: str, **params: Any) -> None:
        self.where.append(clause)
        self.params.update(params)


def _json(kind_field: dict[str, str], kind: str) -> str:
    # Field names come from the tables above, never from the user.
    return f"json_extract(e.body, '$.{kind_field[kind]}')"


_FIRST_SIGNER = (
    "(SELECT r.device_id FROM revisions r WHERE r.entity_id = e.entity_id "
    "ORDER BY r.hlc_ms, r.hlc_counter, r.revision_id LIMIT 1)"
)
# The records a device created: the revisions it signed that have no parent
# (an entity's first revision; merges and edits have parents). A re-root
# (db/reroot.py) has none either when it re-roots as held a record a revoked
# device created: it counts only where no other root of the record is held,
# so the filter names the device the list shows (_FIRST_SIGNER, the oldest
# revision held): the revoked creator where its revisions are held, the
# re-rooting desk where they never were (review 20, review 22 F1).
# Answered by the index on revisions (device_id, entity_id) (migration
# 0015), revision_supersedes' key, and, for a re-root alone, the record's
# other revisions.
_NO_PARENT = "NOT EXISTS (SELECT 1 FROM revision_parents p WHERE p.revision_id = {r}.revision_id)"
_NOT_REROOT = "NOT EXISTS (SELECT 1 FROM revision_supersedes s WHERE s.revision_id = {r}.revision_id)"
_CREATED_BY = (
    "(SELECT r.entity_id FROM revisions r WHERE r.device_id = :device_id AND "  # noqa: S608 (constants)
    + _NO_PARENT.format(r="r")
    + " AND ("
    + _NOT_REROOT.format(r="r")
    + " OR NOT EXISTS (SELECT 1 FROM revisions o WHERE o.entity_id = r.entity_id "
    + "AND o.revision_id != r.revision_id AND "
    + _NO_PARENT.format(r="o")
    + " AND "
    + _NOT_REROOT.format(r="o")
    + ")))"
)
_CREATED_SEQS = "e.seq IN (SELECT x.seq FROM entities x WHERE x.entity_id IN " + _CREATED_BY + ")"  # noqa: S608
# Records an evidence item is linked to (db/evidence_links.py). Not
# correlated: SQLite builds this set once per statement.
_LINKED = (
    "(SELECT json_extract(l.body, '$.to_id') FROM entities l WHERE l.entity_type = 'link' "
    "AND l.deleted = 0 AND json_extract(l.body, '$.relation') = 'evidence-of')"
)


_LINKED_SEQS = "e.seq IN (SELECT x.seq FROM entities x WHERE x.entity_id IN " + _LINKED + ")"  # noqa: S608


def _has_evidence(kind: str) -> str:
    return "1" if kind == "evidence" else f"(e.entity_id IN {_LINKED})"


def _kind_clauses(
    kind: str, review: ReviewFilter, date_from: str, date_to: str, device_by_id: bool
) -> _Statement | None:
    """The conditions for one record type; None when the filter excludes the type."""
    part = _Statement()
    part.add(f"e.entity_type = '{kind}'")  # a REVIEW_TYPES name, checked by _check
    if review.violation_types and kind not in VIOLATION_TYPES_OF:
        return None
    if review.has_evidence is False and kind == "evidence":
        return None
    if date_from or date_to:
        date = _json(DATE_FIELD, kind)
        # The lower bound first as a plain comparison (an index could answer it):
        # a record's date can start before the range and still overlap it only
        # if it is the range's year or month itself.
        part.add(f"{date} != ''")
        if date_from:
            # A range of the index (migration 0015): every form of a date in
            # the range's first year or later sorts after that year alone.
            part.add(f"{date} >= :date_from_year", date_from_year=date_from[:4])
            part.add(
                f"({date} >= :date_from OR {date} IN (:date_from_year, :date_from_month))",
                date_from=date_from,
                date_from_year=date_from[:4],
                date_from_month=date_from[:7],
            )
        if date_to:
            part.add(f"{date} <= :date_to_end", date_to_end=date_to + _END)
    if review.place:
        part.add(
            f"instr({_FOLD_FUNCTION}({_json(PLACE_FIELD, kind)}), :place) > 0",
            place=normalise_place(review.place),
        )
    if review.violation_types:
        # The stored array as JSON text (the index holds it): a code, checked
        # against the vocabulary, in quotes is one whole element.
        names = [f"vt{n}" for n in range(len(review.violation_types))]
        codes = "json_extract(e.body, '$.violation_types')"
        part.add(
            "(" + " OR ".join(f"instr({codes}, :{name}) > 0" for name in names) + ")",
            **{name: f'"{code}"' for name, code in zip(names, review.violation_types, strict=True)},
        )
    if review.device_id and not _device_on_live_index(review, date_from, date_to, device_by_id):
        # Checked on the entries of the index read (review index, or a case's
        # ix_entities_live_in_case), which carry seq.
        part.add(_CREATED_SEQS, device_id=review.device_id)
    elif review.device_id:
        # Checked on ix_entities_live_by_seq's entries, which carry the id
        # (migration 0018): mapping each created record to its seq cost a
        # look-up per record (5.4 s for a device that made 1,000,000).
        # The set is the statement's (_with_created), built once for every part.
        part.add(f"e.entity_id IN {_CREATED}", device_id=review.device_id)
    if review.has_evidence is not None and kind != "evidence":
        # "With": the few linked records lead (by seq: SQLite, without
        # statistics, would rather walk every record of the type).
        part.add(_LINKED_SEQS if review.has_evidence else f"NOT {_has_evidence(kind)}")
    return part


def _check(review: ReviewFilter) -> tuple[str, str]:
    unknown = set(review.record_types) - set(REVIEW_TYPES)
    if unknown:
        raise InvalidInput(f"Review cannot show {sorted(unknown)}.", "unknown-record-type")
    codes = violation_codes()
    if any(code not in codes for code in review.violation_types):
        raise InvalidInput(
            "review: unknown violation type.",
            "unknown-violation-type",
            field="violation_types",
            record_type="review",
        )
    date_from = _date_bounds(review.date_from, "from") if review.date_from else ""
    date_to = _date_bounds(review.date_to, "to") if review.date_to else ""
    return date_from, date_to


def _on_body(review: ReviewFilter, date_from: str, date_to: str) -> bool:
    """Does a filter read the body's date, place or violation types?"""
    return bool(date_from or date_to or review.place or review.violation_types)


_CREATED = "created_by_device"


def _with_created(review: ReviewFilter, date_from: str, date_to: str, device_by_id: bool) -> str:
    """The WITH clause of a statement whose parts name _CREATED ("" if none
    do): the device's records, found once per statement, not once per part
    (0.65 s each for a device of 1,000,000 revisions)."""
    if not _device_on_live_index(review, date_from, date_to, device_by_id):
        return ""
    return f"WITH {_CREATED}(entity_id) AS MATERIALIZED {_CREATED_BY} "


def _device_on_live_index(review: ReviewFilter, date_from: str, date_to: str, device_by_id: bool) -> bool:
    """Is the device filter checked on ix_entities_live_by_seq's entries (by
    id)? Only for a device of many revisions (``device_by_id``, _dense_device)
    and no case or body filter."""
    return bool(
        device_by_id and review.device_id and not review.case_id and not _on_body(review, date_from, date_to)
    )


def review_statement(
    review: ReviewFilter, date_from: str, date_to: str, *, extra: str = "", device_by_id: bool = False
) -> tuple[list[str], dict[str, Any]]:
    """The matching rows' ``seq`` as one SELECT per record type (to be
    joined by UNION ALL), each with the filters of its type and ``extra``
    (a condition on ``e``). Only ``seq`` and the filters' own reads: bodies,
    signers and links are read for the rows of a page alone (_PAGE_SQL)."""
    parts: list[str] = []
    params: dict[str, Any] = {}
    for kind in review.record_types:
        part = _kind_clauses(kind, review, date_from, date_to, device_by_id)
        if part is None:
            continue
        part.add("e.deleted = 0")
        if review.case_id:
            part.add("e.case_id = :case_id", case_id=review.case_id)
        if extra:
            part.add(extra)
        # A filter on the body reads the type's review index (migration
        # 0015) and not the table: SQLite, without statistics, would rather
        # walk every record of the type by ix_entities_live_in_case.
        indexed = ""
        if _on_body(review, date_from, date_to):
            indexed = f" INDEXED BY ix_entities_review_{kind}"
        elif _device_on_live_index(review, date_from, date_to, device_by_id):
            # Newest first, the id on the entry: SQLite would rather look
            # each of the device's records up by id and sort them all.
            indexed = " INDEXED BY ix_entities_live_by_seq"
        parts.append(f"SELECT e.seq AS seq FROM entities e{indexed} WHERE " + " AND ".join(part.where))  # noqa: S608
        params.update(part.params)
    return parts, params


# The matching hits of a text query: their ids and seqs. {parts}: review_statement's.
_SEQS_OF_IDS = "SELECT e.entity_id, e.seq FROM entities e WHERE e.seq IN ({parts})"

# The rows of one page, once their seqs are chosen: body, the first signer,
# whether evidence is linked. {seqs}: a SELECT of seq values.
_PAGE_SQL = (
    "SELECT e.seq, e.entity_id, e.entity_type, e.case_id, e.body, "  # noqa: S608 (constants)
    + _FIRST_SIGNER
    + " AS signer, CASE WHEN e.entity_type = 'evidence' THEN 1 ELSE e.entity_id IN "
    + _LINKED
    + " END AS has_evidence FROM entities e WHERE e.seq IN ({seqs}) ORDER BY e.seq DESC"
)


def page_statement(
    review: ReviewFilter, *, cursor: int | None, limit: int, device_by_id: bool = False
) -> tuple[str, dict[str, Any]]:
    """The statement of one page of ``review`` without a text query: up to
    ``limit`` rows of _PAGE_SQL, newest first, older than ``cursor`` when
    given ("" when the filter excludes every type). ``device_by_id``: as
    review_statement's (_dense_device)."""
    date_from, date_to = _check(review)
    extra = "e.seq < :cursor" if cursor is not None else ""
    parts, params = review_statement(review, date_from, date_to, extra=extra, device_by_id=device_by_id)
    if not parts:
        return "", {}
    params["limit"] = limit
    if cursor is not None:
        params["cursor"] = cursor
    # A compound ORDER BY: SQLite merges the parts, each in seq order, and
    # stops at the page's end when an index gives a part's order
    # (ix_entities_live_by_seq, migration 0017; ix_entities_live_in_case
    # within a case). A body filter's part is read through its review index
    # and its matches sorted.
    chosen = " UNION ALL ".join(parts) + " ORDER BY seq DESC LIMIT :limit"
    return _with_created(review, date_from, date_to, device_by_id) + _PAGE_SQL.format(seqs=chosen), params


@contextmanager
def _review_session(ctx: VaultContext) -> Iterator[Session]:
    with ctx.sessions() as session:
        raw = session.connection().connection.dbapi_connection
        assert raw is not None
        # Places repeat (a town per hundreds of records): each is folded once
        # per statement. The cache lives as long as this read, never beyond
        # it (witness data kept in memory after a lock would outlive it).
        folded: dict[str, str] = {}

        def fold_place(value: object) -> str:
            if not isinstance(value, str):
                return ""
            if value not in folded:
                folded[value] = normalise_place(value)
            return folded[value]

        raw.create_function(_FOLD_FUNCTION, 1, fold_place)
        try:
            yield session
        finally:
            folded.clear()


# A device with at least this many revisions is filtered on the entries of
# ix_entities_live_by_seq (_device_on_live_index); one with fewer through the
# set of its records' seqs, one look-up per record.
DENSE_DEVICE_REVISIONS = 20_000


def _dense_device(session: Session, device_id: str) -> bool:
    """Has the device signed DENSE_DEVICE_REVISIONS revisions or more? (The
    index on revisions' device answers it within that many entries.)"""
    counted = session.execute(
        text("SELECT count(*) FROM (SELECT 1 FROM revisions WHERE device_id = :device_id LIMIT :enough)"),
        {"device_id": device_id, "enough": DENSE_DEVICE_REVISIONS},
    ).scalar_one()
    return bool(counted >= DENSE_DEVICE_REVISIONS)


def _record(row: Any, rank: float | None = None) -> ReviewRecord:
    _seq, entity_id, kind, case_id, body, signer, has_evidence = row
    values = json.loads(body)
    record = RECORD_TYPES[kind].from_body(values, id=entity_id)
    return ReviewRecord(
        entity_id=entity_id,
        entity_type=kind,
        case_id=case_id or "",
        label=record.label(),
        date=str(values.get(DATE_FIELD[kind], "") or ""),
        place=str(values.get(PLACE_FIELD[kind], "") or ""),
        device_id=signer or "",
        has_evidence=bool(has_evidence),
        rank=rank,
    )


class ReviewService:
    """``ReviewService(vault.services.context)``: reads only."""

    def __init__(self, ctx: VaultContext) -> None:
        self._ctx = ctx

    def records(
        self,
        review: ReviewFilter,
        *,
        cursor: int | None = None,
        limit: int = PAGE_SIZE,
        candidates: int | None = RANK_CANDIDATES,
    ) -> ReviewPage:
        """One page of the records that pass ``review``. ``cursor``: the
        ``next_cursor`` of the previous page. ``candidates``: the search's
        ranking bound for a text query (SearchService.query)."""
        date_from, date_to = _check(review)
        if limit < 1:
            raise ValueError("a page holds at least one record")
        if review.text.strip():
            return self._with_text(review, date_from, date_to, cursor or 0, limit, candidates)
        with _review_session(self._ctx) as session:
            by_id = bool(review.device_id) and _dense_device(session, review.device_id)
            every, params = review_statement(review, date_from, date_to, device_by_id=by_id)
            if not every:
                return ReviewPage((), 0, False, None)
            page_sql, page_params = page_statement(review, cursor=cursor, limit=limit + 1, device_by_id=by_id)
            parts = " UNION ALL ".join(every)
            with_created = _with_created(review, date_from, date_to, by_id)
            counting = f"{with_created}SELECT count(*) FROM ({parts} LIMIT :count_limit)"  # noqa: S608 (constants)
            rows = session.execute(text(page_sql), page_params).all()
            counted = session.execute(text(counting), dict(params, count_limit=COUNT_LIMIT + 1)).scalar_one()
        more = len(rows) > limit
        rows = rows[:limit]
        return ReviewPage(
            records=tuple(_record(row) for row in rows),
            total=min(counted, COUNT_LIMIT),
            total_capped=counted > COUNT_LIMIT,
            next_cursor=rows[-1][0] if more else None,
        )

    def _with_text(
        self,
        review: ReviewFilter,
        date_from: str,
        date_to: str,
        offset: int,
        limit: int,
        candidates: int | None,
    ) -> ReviewPage:
        # The search ranks (its bound per group of types keeps incidents from
        # being crowded out by testimonies); the filters then keep what passes,
        # in the search's order.
        hits = _SearchService(self._ctx).query(review.text, limit=TEXT_HITS, candidates=candidates)
        wanted = [hit for hit in hits if hit.entity_type in review.record_types]
        rank = {hit.entity_id: n for n, hit in enumerate(wanted)}
        score = {hit.entity_id: hit.rank for hit in wanted}
        kept: list[str] = []
        rows: list[Any] = []
        names = [f"hit{n}" for n in range(len(wanted))]
        in_hits = "e.entity_id IN (" + ", ".join(":" + name for name in names) + ")"
        parts, params = review_statement(review, date_from, date_to, extra=in_hits)
        params.update(zip(names, (hit.entity_id for hit in wanted), strict=True))
        if wanted and parts:
            with _review_session(self._ctx) as session:
                found = session.execute(text(_SEQS_OF_IDS.format(parts=" UNION ALL ".join(parts))), params)
                passing: dict[str, int] = {entity_id: seq for entity_id, seq in found}
                kept = [hit.entity_id for hit in wanted if hit.entity_id in passing]
                chosen = [passing[entity_id] for entity_id in kept[offset : offset + limit]]
                if chosen:
                    seqs = {f"s{n}": seq for n, seq in enumerate(chosen)}
                    rows = list(
                        session.execute(
                            text(_PAGE_SQL.format(seqs=", ".join(":" + name for name in seqs))), seqs
                        ).all()
                    )
        rows.sort(key=lambda row: rank[row[1]])
        return ReviewPage(
            records=tuple(_record(row, score[row[1]]) for row in rows),
            total=len(kept),
            total_capped=False,
            next_cursor=offset + limit if offset + limit < len(kept) else None,
            ranking_bounded=hits.bounded,
            text_capped=len(hits) >= TEXT_HITS,
        )

    # -- the timeline ------------------------------------------------------------------

    def timeline(self, review: ReviewFilter, *, by: str = "month", limit: int = 500) -> Timeline:
        """Incidents that pass ``review`` (its record types and text are
        ignored), by date, grouped by month or day (module docstring of
        Timeline); at most ``limit`` incidents are listed, every group counted."""
        if by not in ("month", "day"):
            raise ValueError("a timeline groups by month or day")
        date_from, date_to = _check(review)
        only_incidents = dataclasses.replace(review, record_types=("incident",), text="")
        parts, params = review_statement(only_incidents, date_from, date_to)
        if not parts:
            return Timeline(by=by, groups=(), listed=0, total=0)
        chosen = "SELECT * FROM entities i WHERE i.seq IN (" + parts[0] + ")"  # noqa: S608
        width = 7 if by == "month" else 10
        incidents_sql = (
            "SELECT i.entity_id, i.body, i.case_id, "  # noqa: S608 (constants; values are bound)
            "(SELECT count(*) FROM entities t WHERE t.entity_type = 'testimony' AND t.deleted = 0 "
            " AND json_extract(t.body, '$.incident_id') = i.entity_id) AS testimonies, "
            "(SELECT count(*) FROM entities l WHERE l.entity_type = 'link' AND l.deleted = 0 "
            " AND json_extract(l.body, '$.relation') = 'evidence-of' "
            " AND json_extract(l.body, '$.to_id') = i.entity_id) AS evidence, "
            "json_extract(i.body, '$.date') AS date "
            f"FROM ({chosen}) i ORDER BY date = '', date, i.seq LIMIT :limit"
        )
        groups_sql = (
            f"SELECT substr(json_extract(i.body, '$.date'), 1, {width}) AS key, count(*) "  # noqa: S608 (constants; values are bound)
            f"FROM ({chosen}) i GROUP BY key"
        )
        with _review_session(self._ctx) as session:
            rows = session.execute(text(incidents_sql), dict(params, limit=limit)).all()
            counts: dict[str | None, int] = {key: n for key, n in session.execute(text(groups_sql), params)}
        groups: dict[str, list[TimelineIncident]] = {}
        for entity_id, body, case_id, testimonies, evidence, date in rows:
            values = json.loads(body)
            key = (date or "")[:width]
            groups.setdefault(key, []).append(
                TimelineIncident(
                    entity_id=entity_id,
                    case_id=case_id or "",
                    title=str(values.get("title", "")),
                    date=date or "",
                    date_precision=str(values.get("date_precision", "unknown")),
                    place=str(values.get("place", "")),
                    testimonies=testimonies,
                    evidence=evidence,
                )
            )
        ordered = sorted(counts, key=lambda key: (key == "", key or ""))
        return Timeline(
            by=by,
            groups=tuple(
                TimelineGroup(
                    key=key or "",
                    precision=_precision_of(key or "", by),
                    incidents=counts[key],
                    testimonies=sum(i.testimonies for i in groups.get(key or "", [])),
                    evidence=sum(i.evidence for i in groups.get(key or "", [])),
                    listed=tuple(groups.get(key or "", [])),
                )
                for key in ordered
            ),
            listed=len(rows),
            total=sum(counts.values()),
        )

    # -- custody across devices ------------------------------------------------------------

    def custody_history(self, evidence_id: str) -> CustodyHistory:
        """Every custody event this vault holds for the item: its own chain's
        and each received device chain's, in time order (HLC, then device and
        sequence), with whether each chain verifies."""
        identity = self._ctx.identity
        with self._ctx.sessions() as session:
            row = session.scalar(select(EntityRow).where(EntityRow.entity_id == evidence_id))
            if row is None or row.entity_type != "evidence":
                raise NotFound("evidence", evidence_id)
            signers = stored_signers(identity, session)
            own_problems = verify_chain(session, {identity.device_id: identity.public_key})
            received_signers = {k: v for k, v in signers.items() if k != identity.device_id}
            received_problems = verify_received_chains(session, received_signers)
            labels: dict[str, str] = {
                device: label
                for device, label in session.execute(select(KnownDevice.device_id, KnownDevice.label))
            }
            labels[identity.device_id] = labels.get(identity.device_id) or _own_label(session)
            own = [
                (identity.device_id, r.seq, r.event_hash, bytes(r.signed), bytes(r.signature))
                for r in session.scalars(
                    select(CustodyEventRow).where(CustodyEventRow.evidence_id == evidence_id)
                )
            ]
            received = [
                (r.device_id, r.seq, r.event_hash, bytes(r.signed), bytes(r.signature))
                for r in session.scalars(
                    select(ReceivedCustodyEvent).where(ReceivedCustodyEvent.evidence_id == evidence_id)
                )
            ]
        broken: dict[str, list[str]] = {}
        for subject, problem in own_problems:
            broken.setdefault(identity.device_id, []).append(f"{subject}: {problem}")
        for subject, problem in received_problems:
            device = _device_of_subject(subject)
            broken.setdefault(device, []).append(f"{subject}: {problem}")
        events: list[HistoryEvent] = []
        for device_id, seq, event_hash, signed, signature in own + received:
            envelope, event_problem = check_signed_event(signed, signature, event_hash, signers)
            readable = envelope if envelope is not None else _loose_envelope(signed)
            hlc_ms, hlc_counter = _hlc_of(readable)
            details = readable.get("details")
            events.append(
                HistoryEvent(
                    device_id=device_id,
                    device_label=labels.get(device_id, ""),
                    seq=seq,
                    event_hash=event_hash,
                    action=str(readable.get("action", "")),
                    wall=str(readable.get("wall", "")),
                    hlc_ms=hlc_ms,
                    hlc_counter=hlc_counter,
                    user=str(readable.get("user", "")),
                    details=details if isinstance(details, dict) else {},
                    event_ok=event_problem is None,
                    chain_ok=device_id not in broken,
                    own_chain=device_id == identity.device_id,
                )
            )
        events.sort(key=lambda e: (e.hlc_ms, e.hlc_counter, e.device_id, e.seq))
        devices = {e.device_id for e in events}
        return CustodyHistory(
            evidence_id=evidence_id,
            events=tuple(events),
            chains=tuple(
                ChainStatus(d, labels.get(d, ""), d not in broken, tuple(broken.get(d, [])))
                for d in sorted(devices)
            ),
        )

    def device_labels(self) -> dict[str, str]:
        """Device id → label of the devices a device filter can name: this
        vault's own and every device it knows."""
        with self._ctx.sessions() as session:
            labels: dict[str, str] = {
                device: label
                for device, label in session.execute(select(KnownDevice.device_id, KnownDevice.label))
            }
            labels.setdefault(self._ctx.identity.device_id, _own_label(session))
        return labels


def _own_label(session: Session) -> str:
    label = session.scalar(select(Device.label).limit(1))
    return label or ""


def _device_of_subject(subject: str) -> str:
    # "custody event <device>/<seq>" or "custody chain <device>" (db/custody.py).
    tail = subject.rsplit(" ", 1)[-1]
    return tail.split("/", 1)[0]


def _hlc_of(envelope: dict[str, Any]) -> tuple[int, int]:
    hlc = envelope.get("hlc")
    if isinstance(hlc, list) and len(hlc) == 2 and all(isinstance(n, int) for n in hlc):
        return hlc[0], hlc[1]
    return 0, 0


def _loose_envelope(signed: bytes) -> dict[str, Any]:
    """What a damaged event still says, for display beside its warning."""
    try:
        value = json.loads(signed)
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def _precision_of(key: str, by: str) -> str:
    if not key:
        return "unknown"
    if len(key) == 4:
        return "year"
    if len(key) == 7:
        return "month"
    return "day" if by == "day" else "month"


# -- timeline and custody results ----------------------------------------------------------


@dataclass(frozen=True)
class TimelineIncident:
    entity_id: str
    case_id: str
    title: str
    date: str
    date_precision: str
    place: str
    testimonies: int  # live testimonies naming it (incident_id)
    evidence: int  # live evidence links to it


@dataclass(frozen=True)
class TimelineGroup:
    """A month ("2022-03") or day ("2022-03-15"); incidents known only to
    the year are their own group ("2022", precision "year"), after which
    that year's months follow; undated incidents last (key "")."""

    key: str
    precision: str  # "year", "month", "day" or "unknown"
    incidents: int  # all of the group's, listed or not
    testimonies: int  # of the listed incidents
    evidence: int  # of the listed incidents
    listed: tuple[TimelineIncident, ...]


@dataclass(frozen=True)
class Timeline:
    by: str
    groups: tuple[TimelineGroup, ...]
    listed: int
    total: int


@dataclass(frozen=True)
class HistoryEvent:
    device_id: str
    device_label: str
    seq: int  # in its device's chain
    event_hash: str
    action: str
    wall: str
    hlc_ms: int
    hlc_counter: int
    user: str
    details: dict[str, Any]
    event_ok: bool  # its own hash, signature and signer check out
    chain_ok: bool  # its device's whole chain verifies
    own_chain: bool  # this vault's own chain (not received)


@dataclass(frozen=True)
class ChainStatus:
    device_id: str
    label: str
    verifies: bool
    problems: tuple[str, ...]


@dataclass(frozen=True)
class CustodyHistory:
    evidence_id: str
    events: tuple[HistoryEvent, ...]
    chains: tuple[ChainStatus, ...]
