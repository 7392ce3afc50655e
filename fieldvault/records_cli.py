"""``fieldvault person|incident add|list|show|edit|delete`` and
``fieldvault testimony show|edit`` (docs/cli.md): what the GUI's person,
incident and testimony forms do, for scripts. Parsing and wiring only: the
records, their checks and their revisions are db/'s.

Witness data (a person's name, sensitive details, a narrative) is printed only
by the command that shows the record, and the sensitive details and the
narrative only when asked for (``--sensitive``, ``--narrative``), as the GUI
shows them only on request. Lists show pseudonyms, never names; ``edit``
prints which fields changed, not their values; errors name ids.

Dates are read as the GUI reads them (db/partial_dates.py): ``2022``,
``2022-03``, ``2022-03-15``, or day first ``15.03.2022``, ``03.2022``.
Violation types are given by their code or by their label in any language
of the vocabulary (resources/vocabularies/violation_types.json)."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from db.api import (
    PERSON_ROLES,
    PLACE_PRECISIONS,
    SCOPE_WORDS,
    Incident,
    NotFound,
    PartialDateError,
    Person,
    Testimony,
    Vault,
    parse_partial_date,
    violation_types,
)
from fieldvault.passphrases import SecretSource
from fieldvault.textinput import CommandRefused, TextOption, UsageError, add_text_option, read_text_file

Opener = Callable[[argparse.Namespace, SecretSource], Vault]

DATE_FORMS = "give YYYY, YYYY-MM or YYYY-MM-DD (or day first: DD.MM.YYYY, MM.YYYY)"
_DATE_REASONS = {
    "month": "there is no such month",
    "day": "there is no such day in that month",
    "future": "the date is in the future",
    "early": "the year must be 1900 or later",
    "format": "not a date",
}
# ASCII digits only: parse_partial_date's \d would take other scripts' digits,
# and a trailing newline is a mistake, not a date.
_DATE_CHARACTERS = re.compile(r"[0-9./-]*\Z")


class Output(Protocol):
    def result(self, data: dict[str, Any], human: str) -> None: ...

    def rows(self, rows: list[dict[str, Any]], human: Callable[[dict[str, Any]], str]) -> None: ...


# -- values as typed ---------------------------------------------------------


def cli_date(text: str, flag: str) -> tuple[str, str]:
    """A date typed on the command line, read as the GUI reads it: its
    stored form and precision ("", "unknown" when empty). The refusal names
    the option, not what was typed."""
    if not _DATE_CHARACTERS.match(text):
        raise CommandRefused(f"{flag}: not a date; {DATE_FORMS}.")
    try:
        date = parse_partial_date(text)
    except PartialDateError as err:
        raise CommandRefused(
            f"{flag}: {_DATE_REASONS.get(err.reason, 'not a date')}; {DATE_FORMS}."
        ) from None
    return date.iso, date.precision


def violation_code(text: str) -> str:
    """A violation type by its code or its label in any language (case and
    surrounding spaces ignored)."""
    wanted = text.strip().casefold()
    for kind in violation_types():
        if wanted == kind.code or wanted in (label.casefold() for label in kind.labels.values()):
            return kind.code
    codes = ", ".join(kind.code for kind in violation_types())
    raise CommandRefused(f"--violation: unknown violation type; use a code ({codes}) or its label.")


def _violations(given: list[str] | None) -> list[str]:
    codes: list[str] = []
    for text in given or []:
        code = violation_code(text)
        if code not in codes:
            codes.append(code)
    return codes


def parse_sensitive(text: str) -> dict[str, str]:
    """``label: value`` lines, as the GUI's person form takes them."""
    details: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, colon, value = line.partition(":")
        if not colon or not key.strip():
            raise CommandRefused(f"--sensitive-file: line {number} is not 'label: value'.")
        details[key.strip()] = value.strip()
    return details


# -- options an edit may leave out ---------------------------------------------


@dataclass(frozen=True)
class EditText:
    dest: str
    flag: str
    what: str
    one_line: bool

    @property
    def file_dest(self) -> str:
        return f"{self.dest}_file"


def add_edit_text(parser: argparse.ArgumentParser, flag: str, what: str, *, one_line: bool = True) -> None:
    """``--X T`` and ``--X-file F`` for an edit: unlike add_text_option's,
    leaving both out keeps the stored value (an empty ``--X ""`` clears it)."""
    option = EditText(flag.lstrip("-").replace("-", "_"), flag, what, one_line)
    parser.add_argument(flag, default=None, help=f"{what} (visible to other users: prefer {flag}-file)")
    parser.add_argument(
        f"{flag}-file", type=Path, default=None, metavar="F", help=f"read {what} from F (- for stdin)"
    )
    parser.set_defaults(edit_texts=[*(parser.get_default("edit_texts") or []), option])


def edited_texts(args: argparse.Namespace, reads_stdin: list[str]) -> dict[str, str]:
    """The text options given to an edit, read (files before the unlock, so
    that a bad file changes nothing). ``reads_stdin``: other readers of
    standard input, to refuse two."""
    options: list[EditText] = getattr(args, "edit_texts", [])
    readers = list(reads_stdin)
    readers += [f"{o.flag}-file -" for o in options if str(getattr(args, o.file_dest)) == "-"]
    if args.passphrase_fd == 0:
        readers.append("--passphrase-fd 0")
    if len(readers) > 1:
        raise UsageError(
            f"Standard input can feed only one of {', '.join(readers)}. "
            "Give the passphrase on another descriptor (e.g. --passphrase-fd 3 3<file) or the text in a file."
        )
    values: dict[str, str] = {}
    for option in options:
        value, source = getattr(args, option.dest), getattr(args, option.file_dest)
        if value is not None and source is not None:
            raise UsageError(
                f"Give {option.what} either as an argument or with {option.flag}-file, not both."
            )
        if source is not None:
            value = read_text_file(source, option.what)
            if option.one_line:
                value = value.removesuffix("\n").removesuffix("\r")
        if value is not None:
            values[option.dest] = value
    return values


# -- parsers -----------------------------------------------------------------------


def _delete_parser(commands: Any, kind: str) -> None:
    delete = commands.add_parser("delete", help=f"delete a {kind} (a tombstone revision; its history stays)")
    delete.add_argument("id", help=f"{kind} id")
    delete.add_argument("--reason", default="", help="why (kept in the delete revision)")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def add_records_parsers(commands: Any) -> None:
    person = commands.add_parser(
        "person", help="persons of a case: victims, witnesses, perpetrators"
    ).add_subparsers(dest="action", required=True)
    p_add = person.add_parser("add", aliases=["new"], help="record a person")
    p_add.add_argument("--case", required=True, help="case id")
    add_text_option(p_add, "--pseudonym", "the pseudonym lists show instead of the name")
    add_text_option(p_add, "--name", "the person's name")
    p_add.add_argument("--role", dest="roles", action="append", choices=PERSON_ROLES, help="repeat for each")
    _sensitive_file_option(p_add, "sensitive details, one 'label: value' per line")
    add_text_option(p_add, "--notes", "notes", one_line=False)
    p_list = person.add_parser("list", help="list persons (ids, pseudonyms and roles; never names)")
    p_list.add_argument("--case")
    p_show = person.add_parser("show", help="one person, with the name; sensitive details on request")
    p_show.add_argument("id")
    p_show.add_argument("--sensitive", action="store_true", help="also print the sensitive details")
    p_edit = person.add_parser("edit", help="change the fields given; the others stay")
    p_edit.add_argument("id")
    add_edit_text(p_edit, "--pseudonym", "the pseudonym")
    add_edit_text(p_edit, "--name", "the person's name")
    roles = p_edit.add_mutually_exclusive_group()
    roles.add_argument("--role", dest="roles", action="append", choices=PERSON_ROLES, help="the new roles")
    roles.add_argument("--no-roles", action="store_true", help="remove every role")
    _sensitive_file_option(p_edit, "replace the sensitive details")
    add_edit_text(p_edit, "--notes", "notes", one_line=False)
    _delete_parser(person, "person")

    incident = commands.add_parser("incident", help="incidents of a case").add_subparsers(
        dest="action", required=True
    )
    i_add = incident.add_parser("add", aliases=["new"], help="record an incident")
    i_add.add_argument("--case", required=True, help="case id")
    add_text_option(i_add, "--title", "the incident title")
    i_add.add_argument("--date", default="", help="YYYY, YYYY-MM, YYYY-MM-DD, DD.MM.YYYY or MM.YYYY")
    i_add.add_argument("--approximate", action="store_true", help="the date is approximate")
    add_text_option(i_add, "--place", "the place")
    i_add.add_argument("--place-precision", default=None, choices=PLACE_PRECISIONS)
    i_add.add_argument("--latitude", type=float, default=None, help="decimal degrees")
    i_add.add_argument("--longitude", type=float, default=None, help="decimal degrees")
    _violation_option(i_add)
    add_text_option(i_add, "--description", "the description", one_line=False)
    add_text_option(i_add, "--notes", "notes", one_line=False)
    i_list = incident.add_parser("list", help="list incidents")
    i_list.add_argument("--case")
    i_show = incident.add_parser("show", help="one incident, its testimonies and linked evidence")
    i_show.add_argument("id")
    i_edit = incident.add_parser("edit", help="change the fields given; the others stay")
    i_edit.add_argument("id")
    add_edit_text(i_edit, "--title", "the incident title")
    i_edit.add_argument("--date", default=None, help='a date as for add; "" clears it')
    i_edit.add_argument(
        "--approximate", action=argparse.BooleanOptionalAction, default=None, help="the date is approximate"
    )
    add_edit_text(i_edit, "--place", "the place")
    i_edit.add_argument("--place-precision", default=None, choices=PLACE_PRECISIONS)
    i_edit.add_argument("--latitude", type=float, default=None)
    i_edit.add_argument("--longitude", type=float, default=None)
    i_edit.add_argument("--no-coordinates", action="store_true", help="remove latitude and longitude")
    _violation_option(i_edit, editing=True)
    add_edit_text(i_edit, "--description", "the description", one_line=False)
    add_edit_text(i_edit, "--notes", "notes", one_line=False)
    _delete_parser(incident, "incident")


def _sensitive_file_option(parser: argparse.ArgumentParser, what: str) -> None:
    """``--sensitive-file F`` only: the details never as an argument, which
    every user of the machine could read. Listed with the text options, so
    that the command line reads it (``-``: standard input) and refuses a
    second reader of standard input, as for ``--name-file``."""
    parser.add_argument(
        "--sensitive-file", type=Path, default=None, metavar="F", help=f"{what} (- for stdin)"
    )
    option = TextOption("sensitive", "--sensitive", "the sensitive details", one_line=False)
    parser.set_defaults(sensitive=None, text_options=[*(parser.get_default("text_options") or []), option])


def _violation_option(parser: argparse.ArgumentParser, *, editing: bool = False) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--violation",
        dest="violations",
        action="append",
        metavar="TYPE",
        help="a violation type, by code or label (repeat for each)"
        + ("; replaces the list" if editing else ""),
    )
    if editing:
        group.add_argument("--no-violations", action="store_true", help="remove every violation type")


def add_testimony_parsers(testimony: Any) -> None:
    """``testimony show`` and ``testimony edit`` (``testimony`` is cli.py's)."""
    show = testimony.add_parser(
        "show", help="one testimony: witness, incident, place, date, violations, consent"
    )
    show.add_argument("id")
    show.add_argument("--narrative", action="store_true", help="also print the narrative")
    edit = testimony.add_parser("edit", help="change the fields given; the others stay")
    edit.add_argument("id")
    add_edit_text(edit, "--title", "the testimony title")
    edit.add_argument(
        "--witness", default=None, metavar="PERSON_ID", help='the witness (a person of the case); "" none'
    )
    edit.add_argument(
        "--incident", default=None, metavar="INCIDENT_ID", help='the incident of the case; "" none'
    )
    add_edit_text(edit, "--place", "the place of the interview")
    edit.add_argument("--date", default=None, help='the interview date, as the GUI takes it; "" clears it')
    _violation_option(edit, editing=True)
    add_edit_text(edit, "--interviewer", "the interviewer's name")
    add_edit_text(edit, "--interpreter", "the interpreter's name")
    edit.add_argument("--language", default=None, help="a language code such as uk or en")
    edit.add_argument("--narrative-file", type=Path, default=None, help="UTF-8 text file, or - for stdin")
    add_edit_text(edit, "--notes", "notes", one_line=False)


# -- helpers -----------------------------------------------------------------------


def _confirm_delete(args: argparse.Namespace, kind: str) -> None:
    if args.yes:
        return
    if not sys.stdin.isatty():
        raise CommandRefused(
            f"Refusing to delete {kind} {args.id} without a terminal to confirm on; add --yes."
        )
    try:
        answer = input(f"Delete {kind} {args.id}? Type yes to confirm: ")
    except EOFError:
        answer = ""
    if answer.strip().lower() != "yes":
        raise CommandRefused("Not confirmed; nothing was deleted.")


def _require_same_case(kind: str, record: Any, testimony: Testimony) -> None:
    if record.case_id != testimony.case_id:
        raise CommandRefused(
            f"{kind} {record.id} belongs to another case than testimony {testimony.id}; nothing was changed."
        )


def _human(data: dict[str, Any]) -> str:
    lines = []
    for key, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"{key}:")
            lines += ["  " + "  ".join(str(v) for v in item.values()) for item in value]
        elif isinstance(value, list):
            lines.append(f"{key}: {', '.join(str(v) for v in value)}")
        elif isinstance(value, dict):
            lines.append(f"{key}:")
            lines += [f"  {k}: {v}" for k, v in value.items()]
        else:
            lines.append(f"{key}: {'' if value is None else value}")
    return "\n".join(lines)


def _evidence(vault: Vault, entity_id: str) -> list[dict[str, str]]:
    return [
        {"id": end.entity_id, "link_id": end.link_id, "label": end.label}
        for end in vault.evidence_links.evidence_of(entity_id)
    ]


def _changed(before: Any, after: Any) -> list[str]:
    old, new = before.body(), after.body()
    return [name for name in new if old.get(name) != new[name]]


def _edited(out: Output, kind: str, before: Any, after: Any) -> None:
    changed = _changed(before, after)
    out.result(
        {"id": after.id, "revision": after.revision, "changed": changed},
        f"{kind} {after.id}: " + (f"changed {', '.join(changed)}" if changed else "nothing changed"),
    )


# -- persons -----------------------------------------------------------------------


def _person_row(person: Person) -> dict[str, Any]:
    return {"id": person.id, "case_id": person.case_id, "pseudonym": person.pseudonym, "roles": person.roles}


def cmd_person(args: argparse.Namespace, out: Output, secrets: SecretSource, open_vault: Opener) -> None:
    # Read by the command line already (a text option): args.sensitive.
    sensitive_file = getattr(args, "sensitive_file", None)
    reads_stdin = ["--sensitive-file -"] if str(sensitive_file) == "-" else []
    texts = edited_texts(args, reads_stdin) if args.action == "edit" else {}
    sensitive = parse_sensitive(args.sensitive) if sensitive_file is not None else None
    if args.action in ("add", "new") and not args.pseudonym.strip():
        raise CommandRefused(
            "A person needs a pseudonym (--pseudonym or --pseudonym-file): lists show it instead of the name."
        )
    if args.action == "delete":
        _confirm_delete(args, "person")
    with open_vault(args, secrets) as vault:
        if args.action in ("add", "new"):
            person = vault.persons.create(
                Person(
                    case_id=args.case,
                    pseudonym=args.pseudonym.strip(),
                    name=args.name.strip(),
                    roles=list(dict.fromkeys(args.roles or [])),
                    sensitive=sensitive or {},
                    notes=args.notes,
                )
            )
            out.result({"id": person.id}, person.id)
        elif args.action == "list":
            out.rows(
                [_person_row(p) for p in vault.persons.list(args.case)],
                lambda r: f"{r['id']}  {r['pseudonym']}  {', '.join(r['roles'])}",
            )
        elif args.action == "show":
            person = vault.persons.get(args.id)
            data = _person_row(person) | {
                "name": person.name,
                "notes": person.notes,
                "revision": person.revision,
            }
            if args.sensitive:
                data["sensitive"] = person.sensitive
            data["evidence"] = _evidence(vault, person.id)
            out.result(data, _human(data))
        elif args.action == "edit":
            before = vault.persons.get(args.id)
            changes: dict[str, Any] = {k: v.strip() if k != "notes" else v for k, v in texts.items()}
            if "pseudonym" in changes and not changes["pseudonym"]:
                raise CommandRefused(f"person {args.id}: the pseudonym cannot be empty; nothing was changed.")
            if args.no_roles:
                changes["roles"] = []
            elif args.roles:
                changes["roles"] = list(dict.fromkeys(args.roles))
            if sensitive is not None:
                changes["sensitive"] = sensitive
            _edited(out, "person", before, vault.persons.edit(args.id, **changes))
        else:
            vault.persons.get(args.id)  # a person, not another record with that id
            vault.persons.delete(args.id, args.reason)
            out.result({"deleted": args.id}, f"person {args.id} deleted")


# -- incidents ---------------------------------------------------------------------


def _incident_row(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "case_id": incident.case_id,
        "title": incident.title,
        "date": incident.date,
        "date_precision": incident.date_precision,
    }


def _incident_date(text: str, approximate: bool) -> dict[str, str]:
    iso, precision = cli_date(text, "--date")
    return {"date": iso, "date_precision": "approximate" if approximate and iso else precision}


def cmd_incident(args: argparse.Namespace, out: Output, secrets: SecretSource, open_vault: Opener) -> None:
    texts = edited_texts(args, []) if args.action == "edit" else {}
    if args.action in ("add", "new"):
        if not args.title.strip():
            raise CommandRefused("An incident needs a title (--title or --title-file): the lists show it.")
        dated = _incident_date(args.date, args.approximate)
        violations = _violations(args.violations)
    if args.action == "delete":
        _confirm_delete(args, "incident")
    with open_vault(args, secrets) as vault:
        if args.action in ("add", "new"):
            incident = vault.incidents.create(
                Incident(
                    case_id=args.case,
                    title=args.title.strip(),
                    place=args.place.strip(),
                    place_precision=args.place_precision or "unknown",
                    latitude=args.latitude,
                    longitude=args.longitude,
                    violation_types=violations,
                    description=args.description,
                    notes=args.notes,
                    date=dated["date"],
                    date_precision=dated["date_precision"],
                )
            )
            out.result({"id": incident.id}, incident.id)
        elif args.action == "list":
            out.rows(
                [_incident_row(i) for i in vault.incidents.list(args.case)],
                lambda r: f"{r['id']}  {r['date'] or '-':10}  {r['title']}",
            )
        elif args.action == "show":
            incident = vault.incidents.get(args.id)
            data = incident.body() | {"id": incident.id, "revision": incident.revision}
            data["testimonies"] = [
                {"id": t.id, "title": t.title}
                for t in vault.testimonies.list(incident.case_id)
                if t.incident_id == incident.id
            ]
            data["evidence"] = _evidence(vault, incident.id)
            out.result(data, _human(data))
        elif args.action == "edit":
            before = vault.incidents.get(args.id)
            changes: dict[str, Any] = {
                k: v.strip() if k in ("title", "place") else v for k, v in texts.items()
            }
            if "title" in changes and not changes["title"]:
                raise CommandRefused(f"incident {args.id}: the title cannot be empty; nothing was changed.")
            if args.date is not None or args.approximate is not None:
                approximate = (
                    before.date_precision == "approximate" if args.approximate is None else args.approximate
                )
                changes |= _incident_date(before.date if args.date is None else args.date, approximate)
            if args.place_precision:
                changes["place_precision"] = args.place_precision
            if args.no_coordinates:
                changes |= {"latitude": None, "longitude": None}
            for name in ("latitude", "longitude"):
                if getattr(args, name) is not None:
                    changes[name] = getattr(args, name)
            if args.no_violations:
                changes["violation_types"] = []
            elif args.violations:
                changes["violation_types"] = _violations(args.violations)
            _edited(out, "incident", before, vault.incidents.edit(args.id, **changes))
        else:
            vault.incidents.get(args.id)
            vault.incidents.delete(args.id, args.reason)
            out.result({"deleted": args.id}, f"incident {args.id} deleted")


# -- testimonies -------------------------------------------------------------------


def _violation_labels(codes: list[str]) -> list[str]:
    labels = {kind.code: kind.label("en") for kind in violation_types()}
    return [labels.get(code, code) for code in codes]


DELETED = "(deleted)"


def _live_or_none(service: Any, entity_id: str) -> Any:
    """The record, or None when there is none or it was deleted since the
    testimony named it: the testimony still shows, with the id."""
    if not entity_id:
        return None
    try:
        return service.get(entity_id)
    except NotFound:
        return None


def testimony_json(vault: Vault, testimony: Testimony, *, narrative: bool) -> dict[str, Any]:
    """A testimony as ``testimony show`` prints it: the witness by pseudonym
    (its name stays on ``person show``), the consent records' state."""
    witness = _live_or_none(vault.persons, testimony.witness_id)
    incident = _live_or_none(vault.incidents, testimony.incident_id)
    consent = vault.consents.of_testimony(testimony.id)
    data: dict[str, Any] = {
        "id": testimony.id,
        "revision": testimony.revision,
        "case_id": testimony.case_id,
        "title": testimony.title,
        "witness_id": testimony.witness_id,
        "witness": witness.label() if witness else (DELETED if testimony.witness_id else ""),
        "incident_id": testimony.incident_id,
        "incident": incident.title if incident else (DELETED if testimony.incident_id else ""),
        "interview_date": testimony.interview_date,
        "interview_place": testimony.interview_place,
        "violation_types": testimony.violation_types,
        "violation_words": _violation_labels(testimony.violation_types),
        "interviewer": testimony.interviewer,
        "interpreter": testimony.interpreter,
        "language": testimony.language,
        "consent_agreed": list(consent.agreed),
        "consent_agreed_words": [SCOPE_WORDS[s] for s in consent.agreed],
        "consent_withdrawn": list(consent.withdrawn),
        "consent_withdrawn_words": [SCOPE_WORDS[s] for s in consent.withdrawn],
        "consent_ids": [c.id for c in consent.records],
        # The scope chosen in the form before consent records existed; read
        # only when the testimony has no consent record (docs/vault-format.md).
        "consent_scope": testimony.consent_scope,
        "notes": testimony.notes,
        "evidence": _evidence(vault, testimony.id),
    }
    if narrative:
        data["narrative"] = testimony.narrative
    return data


def _testimony_human(data: dict[str, Any]) -> str:
    shown = {
        k: v for k, v in data.items() if k not in ("consent_agreed", "consent_withdrawn", "violation_types")
    }
    if not data["consent_ids"]:
        shown["consent_agreed_words"] = (
            [
                f"{SCOPE_WORDS.get(data['consent_scope'], data['consent_scope'])} (the form's scope; no consent record)"
            ]
            if data["consent_scope"]
            else ["nothing (no consent recorded)"]
        )
    return _human(shown)


def cmd_testimony_record(
    args: argparse.Namespace, out: Output, secrets: SecretSource, open_vault: Opener
) -> None:
    """``testimony show`` and ``testimony edit``."""
    if args.action == "show":
        with open_vault(args, secrets) as vault:
            data = testimony_json(vault, vault.testimonies.get(args.id), narrative=args.narrative)
        out.result(data, _testimony_human(data))
        return
    narrative_file = args.narrative_file
    changes: dict[str, Any] = dict(
        edited_texts(args, ["--narrative-file -"] if str(narrative_file) == "-" else [])
    )
    for name in ("title", "interviewer", "interpreter"):
        if name in changes:
            changes[name] = changes[name].strip()
    if "place" in changes:
        changes["interview_place"] = changes.pop("place").strip()
    if narrative_file is not None:
        changes["narrative"] = read_text_file(narrative_file, "the narrative")
    if args.date is not None:
        changes["interview_date"] = cli_date(args.date, "--date")[0]
    if args.language is not None:
        changes["language"] = args.language.strip()
    if args.no_violations:
        changes["violation_types"] = []
    elif args.violations:
        changes["violation_types"] = _violations(args.violations)
    with open_vault(args, secrets) as vault:
        before = vault.testimonies.get(args.id)
        if args.witness:
            _require_same_case("person", vault.persons.get(args.witness), before)
        if args.incident:
            _require_same_case("incident", vault.incidents.get(args.incident), before)
        if args.witness is not None:
            changes["witness_id"] = args.witness
        if args.incident is not None:
            changes["incident_id"] = args.incident
        _edited(out, "testimony", before, vault.testimonies.edit(args.id, **changes))
