"""``fieldvault duplicates list|decisions|link|not-same|unlink`` (docs/cli.md,
docs/merge.md "Duplicates"): the coordinator's Possible duplicates dialog,
for scripts. Parsing and wiring only: the scores are
sync/merge/duplicates.py's, the decisions sync/merge/same_as.py's.

``link`` writes a signed same-as link, ``not-same`` a signed not-same-as
mark (the pair is no longer suggested, here or in another coordinator's
vault that receives it); ``unlink`` undoes either with a signed deletion
revision. No person record is changed or merged.

As every list of the app, the rows show each person's pseudonym (or
``person <id8>``), never a name: ``person show ID`` shows one record whole."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, Protocol

from db.api import Link, NotFound, Vault
from fieldvault.passphrases import SecretSource
from fieldvault.textinput import CommandRefused, add_text_option

Opener = Callable[[argparse.Namespace, SecretSource], Vault]
# The scan's lowest useful threshold: its blocks lose nothing from here
# (sync/merge/duplicates.py); the GUI's slider starts here too.
LOWEST_THRESHOLD = 0.75


class Output(Protocol):
    def result(self, data: dict[str, Any], human: str) -> None: ...

    def rows(self, rows: list[dict[str, Any]], human: Callable[[dict[str, Any]], str]) -> None: ...


def _threshold(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not text.isascii() or not LOWEST_THRESHOLD <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a score from {LOWEST_THRESHOLD} to 1")
    return value


def add_duplicates_parser(commands: Any) -> None:
    duplicates = commands.add_parser(
        "duplicates", help="persons recorded more than once, and the coordinator's decisions about them"
    ).add_subparsers(dest="action", required=True)
    listing = duplicates.add_parser("list", help="pairs of persons that may be one, best first")
    listing.add_argument(
        "--threshold", type=_threshold, default=0.8, help="the lowest score shown (0.75 to 1)"
    )
    duplicates.add_parser("decisions", help="the live same-as links and not-same-as marks")
    for name, what in (
        ("link", "record that two persons are one (a signed same-as link)"),
        ("not-same", "record that a suggested pair is two people (a signed not-same-as mark)"),
    ):
        decide = duplicates.add_parser(name, help=what)
        decide.add_argument("first", metavar="PERSON_ID")
        decide.add_argument("second", metavar="PERSON_ID")
        add_text_option(decide, "--notes", "a note on the decision", one_line=False)
    undo = duplicates.add_parser("unlink", help="undo a same-as link or not-same-as mark (a signed deletion)")
    undo.add_argument("link_id", metavar="LINK_ID")
    add_text_option(undo, "--reason", "why it is undone")


def _decision(link: Link) -> dict[str, Any]:
    first, second = sorted((link.from_id, link.to_id))
    return {"link_id": link.id, "relation": link.relation, "first_id": first, "second_id": second}


def _labels(vault: Vault, ids: set[str]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for person_id in ids:
        try:
            labels[person_id] = vault.persons.get(person_id).label()
        except NotFound:
            labels[person_id] = "(deleted)"
    return labels


def cmd_duplicates(args: argparse.Namespace, out: Output, secrets: SecretSource, open_vault: Opener) -> None:
    from sync.merge.duplicates import suggest_in_vault
    from sync.merge.same_as import NOT_SAME, SAME_AS, link_same_person, mark_not_same, unlink

    with open_vault(args, secrets) as vault:
        if args.action == "list":
            found = suggest_in_vault(vault, args.threshold)
            labels = _labels(vault, {s.first_id for s in found} | {s.second_id for s in found})
            out.rows(
                [
                    {
                        "first_id": s.first_id,
                        "second_id": s.second_id,
                        "score": s.score,
                        "reasons": list(s.reasons),
                        "first": labels[s.first_id],
                        "second": labels[s.second_id],
                    }
                    for s in found
                ],
                lambda r: (
                    f"{r['score']:.2f}  {r['first_id']} ({r['first']})  {r['second_id']} ({r['second']})  "
                    + ", ".join(r["reasons"])
                ),
            )
        elif args.action == "decisions":
            links = [link for link in vault.links.list() if link.relation in (SAME_AS, NOT_SAME)]
            rows = [_decision(link) for link in links]
            labels = _labels(vault, {r["first_id"] for r in rows} | {r["second_id"] for r in rows})
            for row in rows:
                row["first"], row["second"] = labels[row["first_id"]], labels[row["second_id"]]
            out.rows(
                rows,
                lambda r: (
                    f"{r['link_id']}  {r['relation']:11}  {r['first_id']} ({r['first']})  "
                    f"{r['second_id']} ({r['second']})"
                ),
            )
        elif args.action in ("link", "not-same"):
            write = link_same_person if args.action == "link" else mark_not_same
            link = write(vault, args.first, args.second, args.notes)
            row = _decision(link)
            out.result(row, f"{link.relation} {link.id}: {row['first_id']} and {row['second_id']}")
        else:
            if not args.link_id:
                raise CommandRefused("unlink: give the link id that 'duplicates decisions' lists.")
            unlink(vault, args.link_id, args.reason)
            out.result({"link_id": args.link_id, "undone": True}, f"Undone: {args.link_id}")
