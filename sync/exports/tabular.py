"""The case's structured data as JSON and as CSV (docs/exports.md,
docs/export-schema.json).

- JSON: one document, ``casedata.document``: the case and every incident,
  person, testimony, evidence item and link, each record's fields as stored.
- CSV: a folder with one UTF-8 file per record type (cases.csv,
  incidents.csv, persons.csv, testimonies.csv, evidence.csv, links.csv); a
  column per field, in the schema's order; a list is its values joined by
  ``|`` (its values are codes, which hold no ``|``), an object is JSON text,
  an absent number an empty cell, true/false as ``true``/``false``.
- Uwazi CSV (``uwazi=True``): the same folder shaped for Uwazi's CSV import:
  a ``title`` column first (required there), property names in
  lowercase_with_underscores, several values joined by ``|``, dates as
  YYYY/MM/DD (only for dates known to the day; the date as recorded stays in
  ``date_recorded``), a ``geolocation`` cell ``latitude|longitude``, violation
  types by their English label (the terms of an Uwazi thesaurus), and
  relationship cells holding the title of the related entity. Links are
  relationships in Uwazi, so there is no links file: the testimony's
  incident and witness are its relationship columns.

Both CSV forms also hold ``export.csv`` (one row: the export's purpose,
whether witnesses are pseudonymised, how many records consent withheld) and
``withheld.csv`` (type, id and reason of each withheld record; ids only).
What consent withholds is sync/exports/consent.py's.

Cells are the data exactly as stored by default, as a court needs them: a
cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is not altered, so open the files with a spreadsheet's import dialog (text
columns), not by double-clicking. With ``spreadsheet_safe`` such a text cell
is written with an apostrophe before it (``'=1+1``), which spreadsheets read
as "text, do not evaluate"; numbers are written as they are. The JSON export
and the BagIt package always keep exact values.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from db.api import CancelToken, Record, Vault, violation_types
from sync.exports import staging
from sync.exports.casedata import FORMAT, RECORD_TYPES, VERSION, CaseData, document, field_names, record_dict
from sync.exports.consent import (
    DEFAULT_PURPOSE,
    PURPOSES,
    prepare,
    purpose_words,
    testimony_scopes,
    withheld_summary,
)
from sync.exports.custody_events import record_metadata_export

CSV_FILES = {"case": "cases.csv", **{key: f"{key}.csv" for key, _type in RECORD_TYPES}}
# Beside the records in both CSV forms: what the export is for and what it withheld.
INFO_FILES = ("export.csv", "withheld.csv")
# A spreadsheet evaluates a cell that begins with one of these as a formula
# (OWASP "CSV injection"); spreadsheet_safe puts an apostrophe before them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_json(
    vault: Vault,
    case_id: str,
    destination: Path,
    *,
    purpose: str = DEFAULT_PURPOSE,
    pseudonymise_witnesses: bool = False,
    cancel: CancelToken | None = None,
) -> Path:
    data = prepare(vault, case_id, purpose=purpose, pseudonymise_witnesses=pseudonymise_witnesses)
    target = staging.choose_target(destination, staging.default_name(case_id, "data", ".json"))
    body = json.dumps(document(data, vault.device_id), ensure_ascii=False, indent=1) + "\n"
    with staging.partial_file(target, vault.exports_in_progress) as partial:
        partial.write_bytes(body.encode("utf-8"))
        staging.check_cancel(cancel)
        record_metadata_export(vault, data, "json", target)
        staging.commit_file(partial, target)
    return target


def export_csv(
    vault: Vault,
    case_id: str,
    destination: Path,
    *,
    uwazi: bool = False,
    purpose: str = DEFAULT_PURPOSE,
    pseudonymise_witnesses: bool = False,
    spreadsheet_safe: bool = False,
    cancel: CancelToken | None = None,
) -> Path:
    data = prepare(vault, case_id, purpose=purpose, pseudonymise_witnesses=pseudonymise_witnesses)
    kind = "uwazi-csv" if uwazi else "csv"
    target = staging.choose_target(destination, staging.default_name(case_id, kind))
    tables = uwazi_tables(data) if uwazi else csv_tables(data)
    tables |= info_tables(data, vault.device_id, spreadsheet_safe)
    if spreadsheet_safe:
        tables = {
            name: (header, [[safe_cell(c) for c in row] for row in rows])
            for name, (header, rows) in tables.items()
        }
    with staging.partial_folder(target, vault.exports_in_progress) as partial:
        for name, (header, rows) in tables.items():
            staging.check_cancel(cancel)
            (partial / name).write_bytes(csv_bytes(header, rows))
            (partial / name).chmod(0o600)
        staging.check_cancel(cancel)
        record_metadata_export(vault, data, kind, target)
        staging.commit_folder(partial, target)
    return target


Table = tuple[list[str], list[list[str]]]


class Cell(str):
    """A cell's text that came from a number: never given an apostrophe."""


def info_tables(data: CaseData, device_id: str, spreadsheet_safe: bool) -> dict[str, Table]:
    head = document(data, device_id)
    export = (
        [
            "format",
            "version",
            "exported_at",
            "device_id",
            "purpose",
            "pseudonymised",
            "spreadsheet_safe",
            "withheld_count",
            "withheld",
        ],
        [
            [
                cell(FORMAT),
                cell(VERSION),
                cell(head["exported_at"]),
                cell(device_id),
                cell(data.purpose),
                cell(data.pseudonymised),
                cell(spreadsheet_safe),
                cell(len(data.withheld)),
                cell(withheld_summary(data.withheld)),
            ]
        ],
    )
    withheld = (
        ["type", "id", "reason"],
        [[cell(w["type"]), cell(w["id"]), cell(w["reason"])] for w in data.withheld],
    )
    return {"export.csv": export, "withheld.csv": withheld}


def safe_cell(text: str) -> str:
    """``text`` with an apostrophe before it when a spreadsheet would read it
    as a formula; a number's cell is left as it is."""
    if isinstance(text, Cell) or not text.startswith(FORMULA_STARTS):
        return text
    return "'" + text


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def cell(value: Any) -> str:
    """One value as a CSV cell (the module's doc says how)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return Cell(value)
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def csv_tables(data: CaseData) -> dict[str, Table]:
    tables: dict[str, Table] = {}
    for key, record_type, records in _all_records(data):
        header = field_names(record_type)
        rows = [[cell(record_dict(r)[name]) for name in header] for r in records]
        tables[CSV_FILES[key]] = (header, rows)
    return tables


def _all_records(data: CaseData) -> list[tuple[str, type[Record], list[Record]]]:
    case: list[Record] = [data.case]
    found: list[tuple[str, type[Record], list[Record]]] = [("case", type(data.case), case)]
    return found + [(key, record_type, data.records(key)) for key, record_type in RECORD_TYPES]


# -- Uwazi --------------------------------------------------------------------


def uwazi_date(value: str) -> str:
    """YYYY/MM/DD for a date known to the day, else empty (a partial date is
    not a date Uwazi stores; ``date_recorded`` keeps it)."""
    return value.replace("-", "/") if len(value) == 10 else ""


def _ordered(scopes: set[str]) -> list[str]:
    return [s for s in PURPOSES if s in scopes]


def _labels(codes: list[str]) -> str:
    names = {v.code: v.label("en") for v in violation_types()}
    return "|".join(names.get(code, code) for code in codes)


def _person_title(person: Any) -> str:
    return str(person.pseudonym or person.name or f"person {person.id[:8]}")


def uwazi_tables(data: CaseData) -> dict[str, Table]:
    incidents = {i.id: i.title or f"incident {i.id[:8]}" for i in data.incidents}
    persons = {p.id: _person_title(p) for p in data.persons}
    scopes = {t.id: testimony_scopes(t, data.consents) for t in data.testimonies}
    columns: dict[str, list[tuple[str, Callable[[Any], Any]]]] = {
        "cases.csv": [
            ("title", lambda c: c.title),
            ("description", lambda c: c.description),
            ("notes", lambda c: c.notes),
        ],
        "incidents.csv": [
            ("title", lambda i: incidents[i.id]),
            ("date", lambda i: uwazi_date(i.date)),
            ("date_recorded", lambda i: i.date),
            ("date_precision", lambda i: i.date_precision),
            ("place", lambda i: i.place),
            ("place_precision", lambda i: i.place_precision),
            (
                "geolocation",
                lambda i: "" if i.latitude is None or i.longitude is None else f"{i.latitude}|{i.longitude}",
            ),
            ("violation_types", lambda i: _labels(i.violation_types)),
            ("description", lambda i: i.description),
            ("notes", lambda i: i.notes),
        ],
        "persons.csv": [
            ("title", _person_title),
            ("name", lambda p: p.name),
            ("pseudonym", lambda p: p.pseudonym),
            ("roles", lambda p: p.roles),
            ("notes", lambda p: p.notes),
        ],
        "testimonies.csv": [
            ("title", lambda t: t.title or f"testimony {t.id[:8]}"),
            ("incident", lambda t: incidents.get(t.incident_id, "")),
            ("witness", lambda t: persons.get(t.witness_id, "")),
            ("interviewer", lambda t: t.interviewer),
            ("language", lambda t: t.language),
            ("interpreter", lambda t: t.interpreter),
            ("consent_scope", lambda t: t.consent_scope),
            # What the export's consent check read (consent records, or the legacy choice).
            ("consent_scopes", lambda t: [purpose_words(s) for s in _ordered(scopes[t.id][0])]),
            ("consent_withdrawn", lambda t: [purpose_words(s) for s in _ordered(scopes[t.id][1])]),
            ("interview_date", lambda t: uwazi_date(t.interview_date)),
            ("interview_date_recorded", lambda t: t.interview_date),
            ("interview_place", lambda t: t.interview_place),
            ("violation_types", lambda t: _labels(t.violation_types)),
            ("narrative", lambda t: t.narrative),
            ("notes", lambda t: t.notes),
        ],
        "evidence.csv": [
            ("title", lambda e: e.original_name or f"evidence {e.id[:8]}"),
            ("sha256", lambda e: e.sha256),
            ("size", lambda e: e.size),
            ("mime_type", lambda e: e.mime_type),
            ("source", lambda e: e.source),
            ("description", lambda e: e.description),
            ("stated_date", lambda e: uwazi_date(e.stated_date)),
            ("stated_date_recorded", lambda e: e.stated_date),
            ("stated_place", lambda e: e.stated_place),
            ("notes", lambda e: e.notes),
        ],
    }
    records: dict[str, list[Any]] = {
        "cases.csv": [data.case],
        "incidents.csv": data.incidents,
        "persons.csv": data.persons,
        "testimonies.csv": data.testimonies,
        "evidence.csv": data.evidence,
    }
    tables: dict[str, Table] = {}
    for name, spec in columns.items():
        # fieldvault_id last: the id that ties an Uwazi entity back to this vault.
        header = [column for column, _get in spec] + ["fieldvault_id"]
        rows = [[cell(get(r)) for _column, get in spec] + [r.id] for r in records[name]]
        tables[name] = (header, rows)
    return tables
