"""``fieldvault review search|timeline|custody`` (docs/cli.md, docs/merge.md
"Review"): what the coordinator's Review dialog shows, for scripts. Parsing
and wiring only: the queries are db/review.py's ``ReviewService``.

Search that tells the truth at scale: the page's count says when it stopped
counting (``total_capped``), and when the full-text search ranked only part
of its matches (``ranking_bounded``) or only its best hits were filtered
(``text_capped``); those notes also go to stderr, so a script piping the rows
still sees them.

What is printed is what the dialog shows: a record's label (a testimony's
title, an incident's title, an evidence item's file name), its date, place
and creating device. Never a name of a person or a narrative: those stay on
``person show`` and ``testimony show --narrative``. The words searched for
and the place filter can be given as files (``--text-file``,
``--place-file``), never needing to appear in ``ps``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, Protocol

from db.api import REVIEW_TYPES, CustodyHistory, ReviewFilter, ReviewPage, ReviewService, Timeline, Vault
from fieldvault.passphrases import SecretSource
from fieldvault.records_cli import cli_date, violation_code
from fieldvault.textinput import add_text_option

Opener = Callable[[argparse.Namespace, SecretSource], Vault]
MAX_PAGE = 1000
MAX_TIMELINE = 10_000
MAX_CANDIDATES = 1_000_000


class Output(Protocol):
    def result(self, data: dict[str, Any], human: str) -> None: ...


def _whole_number(highest: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= highest:
            raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {highest}")
        return int(text)

    return parse


def _cursor(text: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise argparse.ArgumentTypeError("must be the next_cursor a previous page printed")
    return int(text)


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--case", default="", help="case id")
    parser.add_argument(
        "--from",
        dest="date_from",
        default="",
        metavar="DATE",
        help="dates from (partial dates meet by overlap)",
    )
    parser.add_argument("--to", dest="date_to", default="", metavar="DATE", help="dates up to")
    add_text_option(parser, "--place", "the place to look for (a part of it, case ignored)")
    parser.add_argument(
        "--violation",
        dest="violations",
        action="append",
        metavar="TYPE",
        help="a violation type, by code or label; repeat: any of them",
    )
    parser.add_argument("--device", default="", help="records first made by this device id")
    evidence = parser.add_mutually_exclusive_group()
    evidence.add_argument(
        "--with-evidence", dest="has_evidence", action="store_const", const=True, default=None,
        help="only records an evidence item is linked to (and evidence items)",
    )  # fmt: skip
    evidence.add_argument(
        "--without-evidence", dest="has_evidence", action="store_const", const=False,
        help="only testimonies and incidents no evidence item is linked to",
    )  # fmt: skip


def add_review_parser(commands: Any) -> None:
    review = commands.add_parser(
        "review", help="a coordinator's review: search and filters, timeline, custody across devices"
    ).add_subparsers(dest="action", required=True)
    search = review.add_parser(
        "search", help="the testimonies, incidents and evidence items passing the filters"
    )
    add_text_option(search, "--text", "the words to search for")
    _add_filters(search)
    search.add_argument(
        "--type", dest="types", action="append", choices=REVIEW_TYPES, help="only this record type (repeat)"
    )
    search.add_argument(
        "--limit", type=_whole_number(MAX_PAGE), default=50, help=f"records per page, 1 to {MAX_PAGE}"
    )
    search.add_argument("--cursor", type=_cursor, default=None, help="the next_cursor of the previous page")
    search.add_argument(
        "--rank-candidates",
        type=_whole_number(MAX_CANDIDATES),
        default=None,
        metavar="N",
        help="with --text: rank at most the N most recently added matches (default: the search's own bound)",
    )
    timeline = review.add_parser("timeline", help="incidents passing the filters, by month or day")
    _add_filters(timeline)
    timeline.add_argument("--by", choices=("month", "day"), default="month")
    timeline.add_argument(
        "--limit",
        type=_whole_number(MAX_TIMELINE),
        default=500,
        help="incidents listed (every group is counted)",
    )
    custody = review.add_parser("custody", help="an evidence item's custody events from every device's chain")
    custody.add_argument("id", help="evidence item id")


def review_filter(args: argparse.Namespace) -> ReviewFilter:
    """The filter the options say, checked as the dialog checks what is typed."""
    codes: list[str] = []
    for given in args.violations or []:
        code = violation_code(given)
        if code not in codes:
            codes.append(code)
    return ReviewFilter(
        case_id=args.case,
        date_from=cli_date(args.date_from, "--from")[0] if args.date_from else "",
        date_to=cli_date(args.date_to, "--to")[0] if args.date_to else "",
        place=args.place.strip(),
        violation_types=tuple(codes),
        device_id=args.device,
        has_evidence=args.has_evidence,
        text=getattr(args, "text", "").strip(),
        record_types=tuple(dict.fromkeys(getattr(args, "types", None) or REVIEW_TYPES)),
    )


# -- search ---------------------------------------------------------------------------


def page_notes(page: ReviewPage) -> list[str]:
    """What a reader must know about how far the page can be trusted."""
    notes = []
    if page.total_capped:
        notes.append(f"more than {page.total} records match: counting stopped there")
    if page.ranking_bounded:
        notes.append(
            "ranking was bounded: very many records match the words, and only the most recently added "
            "of them were ranked; add a word to narrow the search"
        )
    if page.text_capped:
        notes.append("only the best matches of the words were filtered; the count counts those")
    return notes


def page_json(page: ReviewPage) -> dict[str, Any]:
    return {
        "records": [
            {
                "id": r.entity_id,
                "type": r.entity_type,
                "case_id": r.case_id,
                "label": r.label,
                "date": r.date,
                "place": r.place,
                "device_id": r.device_id,
                "has_evidence": r.has_evidence,
                "rank": r.rank,
            }
            for r in page.records
        ],
        "total": page.total,
        "total_capped": page.total_capped,
        "ranking_bounded": page.ranking_bounded,
        "text_capped": page.text_capped,
        "next_cursor": page.next_cursor,
    }


def _page_human(page: ReviewPage) -> str:
    lines = [
        f"{r.entity_type:9} {r.entity_id}  {r.date or '-':10}  {r.label}"
        + (f"  [{r.place}]" if r.place else "")
        + ("  (evidence)" if r.has_evidence and r.entity_type != "evidence" else "")
        for r in page.records
    ]
    count = f"more than {page.total}" if page.total_capped else str(page.total)
    lines.append(f"{count} record(s) match." if page.total else "No record matches these filters.")
    if page.next_cursor is not None:
        lines.append(f"More: --cursor {page.next_cursor}")
    return "\n".join(lines)


# -- timeline --------------------------------------------------------------------------


def timeline_json(timeline: Timeline) -> dict[str, Any]:
    return {
        "by": timeline.by,
        "total": timeline.total,
        "listed": timeline.listed,
        "groups": [
            {
                "key": g.key,
                "precision": g.precision,
                "incidents": g.incidents,
                "testimonies": g.testimonies,
                "evidence": g.evidence,
                "listed": [
                    {
                        "id": i.entity_id,
                        "case_id": i.case_id,
                        "title": i.title,
                        "date": i.date,
                        "date_precision": i.date_precision,
                        "place": i.place,
                        "testimonies": i.testimonies,
                        "evidence": i.evidence,
                    }
                    for i in g.listed
                ],
            }
            for g in timeline.groups
        ],
    }


def _timeline_human(timeline: Timeline) -> str:
    lines = []
    for g in timeline.groups:
        when = g.key or "date unknown"
        if g.precision == "year":
            when += " (month unknown)"
        lines.append(f"{when}: {g.incidents} incident(s), {g.testimonies} testimonies, {g.evidence} evidence")
        lines += [
            f"  {i.date or '-':10} {i.entity_id}  {i.title}" + (f"  [{i.place}]" if i.place else "")
            for i in g.listed
        ]
    lines.append(f"{timeline.total} incident(s)")
    return "\n".join(lines)


# -- custody ---------------------------------------------------------------------------


def custody_json(history: CustodyHistory) -> dict[str, Any]:
    return {
        "evidence_id": history.evidence_id,
        "events": [
            {
                "device_id": e.device_id,
                "device_label": e.device_label,
                "seq": e.seq,
                "hash": e.event_hash,
                "action": e.action,
                "wall": e.wall,
                "hlc": [e.hlc_ms, e.hlc_counter],
                "user": e.user,
                "details": e.details,
                "own_chain": e.own_chain,
                "verifies": e.event_ok and e.chain_ok,
            }
            for e in history.events
        ],
        "chains": [
            {"device_id": c.device_id, "label": c.label, "verifies": c.verifies, "problems": list(c.problems)}
            for c in history.chains
        ],
        "verifies": all(c.verifies for c in history.chains),
    }


def _custody_human(history: CustodyHistory) -> str:
    lines = [
        f"{e.wall}  {e.action:17} device {e.device_id}/{e.seq}"
        + ("" if e.event_ok and e.chain_ok else "  DOES NOT VERIFY")
        for e in history.events
    ]
    lines.append(f"{len(history.events)} event(s) from {len(history.chains)} device(s).")
    return "\n".join(lines)


def cmd_review(args: argparse.Namespace, out: Output, secrets: SecretSource, open_vault: Opener) -> None:
    review = review_filter(args) if args.action != "custody" else None
    with open_vault(args, secrets) as vault:
        service = ReviewService(vault.services.context)
        if args.action == "search":
            assert review is not None
            bound = {} if args.rank_candidates is None else {"candidates": args.rank_candidates}
            page = service.records(review, cursor=args.cursor, limit=args.limit, **bound)
            notes = page_notes(page)
            out.result(page_json(page), _page_human(page))
            for note in notes:
                print(f"note: {note}", file=sys.stderr)
        elif args.action == "timeline":
            assert review is not None
            timeline = service.timeline(review, by=args.by, limit=args.limit)
            out.result(timeline_json(timeline), _timeline_human(timeline))
            if timeline.listed < timeline.total:
                print(
                    f"note: the first {timeline.listed} of {timeline.total} incidents are listed "
                    "(--limit); every group is counted",
                    file=sys.stderr,
                )
        else:
            history = service.custody_history(args.id)
            out.result(custody_json(history), _custody_human(history))
            for chain in history.chains:
                if not chain.verifies:
                    print(
                        f"warning: the custody chain of device {chain.device_id} does not verify: "
                        "its events may have been changed",
                        file=sys.stderr,
                    )
