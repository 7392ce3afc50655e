"""JSON and CSV of a case's records, checked against the published schema
(docs/export-schema.json), and the CSV variant for Uwazi's import."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from db.api import CancelToken, OperationCancelled
from sync.exports.casedata import RECORD_TYPES, field_names
from sync.exports.tabular import CSV_FILES, INFO_FILES, export_csv, export_json
from tests.sync.exports.samples import NARRATIVE, WITNESS_NAME, SampleCase

SCHEMA_FILE = Path(__file__).resolve().parents[3] / "docs" / "export-schema.json"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def validator(schema: dict[str, Any], definition: str | None = None) -> jsonschema.Draft202012Validator:
    target = schema if definition is None else {"$defs": schema["$defs"], "$ref": f"#/$defs/{definition}"}
    return jsonschema.Draft202012Validator(target)


def test_the_schema_names_exactly_the_fields_of_each_record_type(schema):
    from db.api import Case

    for definition, record_type in [("case", Case), *[(t.entity_type, t) for _k, t in RECORD_TYPES]]:
        assert list(schema["$defs"][definition]["properties"]) == field_names(record_type), definition


def test_the_json_export_validates_and_keeps_the_ukrainian_text(sample_case: SampleCase, schema, tmp_path):
    path = export_json(sample_case.vault, sample_case.case_id, tmp_path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    validator(schema).validate(doc)
    assert doc["testimonies"][0]["narrative"] == NARRATIVE
    assert WITNESS_NAME in {p["name"] for p in doc["persons"]}
    assert len(doc["evidence"]) == 2 and sample_case.other_item_id not in path.read_text()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    # A record that breaks the schema is refused by it: the test has teeth.
    doc["incidents"][0]["date_precision"] = "roughly"
    assert not validator(schema).is_valid(doc)


def from_cell(text: str, spec: dict[str, Any]) -> Any:
    """A CSV cell back to its JSON value, by the rules of docs/exports.md."""
    kinds = spec.get("type")
    if kinds == "array" or (spec.get("items") and "type" not in spec):
        return text.split("|") if text else []
    if kinds == "object":
        return json.loads(text)
    if kinds == "boolean":
        return {"true": True, "false": False}[text]
    if kinds == "integer":
        return int(text)
    if kinds == ["number", "null"]:
        return float(text) if text else None
    return text


def test_every_csv_row_converts_back_to_a_valid_record_equal_to_the_json(sample_case, schema, tmp_path):
    folder = export_csv(sample_case.vault, sample_case.case_id, tmp_path / "csv")
    doc = json.loads(export_json(sample_case.vault, sample_case.case_id, tmp_path / "x.json").read_text())
    assert sorted(p.name for p in folder.iterdir()) == sorted([*CSV_FILES.values(), *INFO_FILES])
    assert doc["consents"] and doc["consents"][0]["scopes"] == ["ngo-internal", "prosecution"]
    for key, name in CSV_FILES.items():
        definition = "case" if key == "case" else next(t.entity_type for k, t in RECORD_TYPES if k == key)
        properties = schema["$defs"][definition]["properties"]
        with (folder / name).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        records = [{k: from_cell(v, properties[k]) for k, v in row.items()} for row in rows]
        for record in records:
            validator(schema, definition).validate(record)
        assert records == ([doc["case"]] if key == "case" else doc[key]), name


def test_pseudonymised_exports_name_no_witness(sample_case: SampleCase, tmp_path):
    path = export_json(
        sample_case.vault, sample_case.case_id, tmp_path / "p.json", pseudonymise_witnesses=True
    )
    folder = export_csv(sample_case.vault, sample_case.case_id, tmp_path / "p", pseudonymise_witnesses=True)
    texts = [path.read_text()] + [p.read_text() for p in folder.iterdir()]
    assert not [t for t in texts if WITNESS_NAME in t or "+380" in t]
    assert json.loads(path.read_text())["pseudonymised"] is True
    assert "Іван Коваль" in path.read_text()  # a victim is not a witness: kept


def test_the_uwazi_csv_follows_uwazis_import_conventions(sample_case: SampleCase, tmp_path):
    folder = export_csv(sample_case.vault, sample_case.case_id, tmp_path / "uwazi", uwazi=True)
    tables = {}
    for path in folder.iterdir():
        with path.open(encoding="utf-8", newline="") as handle:
            tables[path.name] = list(csv.DictReader(handle))
    assert sorted(tables) == sorted(
        ["cases.csv", "evidence.csv", "incidents.csv", "persons.csv", "testimonies.csv", *INFO_FILES]
    )
    for name, rows in tables.items():
        if name in INFO_FILES:
            continue
        header = list(rows[0])
        assert header[0] == "title" and all(r["title"] for r in rows), name
        assert all(re.fullmatch(r"[a-z][a-z0-9_]*", column) for column in header), name
    incident = tables["incidents.csv"][0]
    assert incident["date"] == "2022/03/10" and incident["geolocation"] == "49.2088889|37.2483333"
    assert incident["violation_types"] == "Wilful killing"
    testimony = tables["testimonies.csv"][0]
    assert testimony["witness"] == "W-1" and testimony["incident"] == incident["title"]
    assert testimony["interview_date"] == "" and testimony["interview_date_recorded"] == "2022-04"
    assert testimony["narrative"] == NARRATIVE
    assert (
        testimony["consent_scopes"] == "the NGO internally|prosecution"
        and testimony["consent_withdrawn"] == ""
    )


def test_a_cancelled_csv_export_leaves_nothing(sample_case: SampleCase, tmp_path):
    dest = tmp_path / "usb"
    dest.mkdir()
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(OperationCancelled):
        export_csv(sample_case.vault, sample_case.case_id, dest, cancel=cancel)
    with pytest.raises(OperationCancelled):
        export_json(sample_case.vault, sample_case.case_id, dest, cancel=cancel)
    assert list(dest.iterdir()) == []
