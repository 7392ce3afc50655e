"""Revisions from elsewhere are hostile input: whatever their bytes, the vault
answers RevisionRejected with a reason (never another exception), applies
nothing of a batch holding one, and ``verify`` names every bad revision it
holds instead of stopping at the first.

Hostile revisions are validly signed by a stranger's key: the signature
proves only that the bytes are intact, so every check after it must hold.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db.device import DeviceIdentity
from db.entities import ENTITY_TYPES, RECORD_TYPES, Case, check_body
from db.errors import InvalidInput, RevisionRejected
from db.hlc import Timestamp
from db.model import RevisionRow
from db.revisions import (
    MAX_REVISION_BYTES,
    MAX_STRING_CHARS,
    SIGNATURE_DOMAIN,
    canonical_json,
    create_revision,
    revision_from_wire,
    verify_revision,
)
from db.vault import Vault

STRANGER = DeviceIdentity.generate()
ENTITY = "01900000-0000-7000-8000-0000000000dd"
PLACEHOLDER = "@@HOSTILE@@"


def envelope(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "v": 1,
        "entity": ENTITY,
        "type": "case",
        "op": "put",
        "body": {"title": "a case", "description": "", "notes": ""},
        "parents": [],
        "hlc": [1_700_000_000_000, 0],
        "device": STRANGER.device_id,
        "key": base64.b64encode(STRANGER.public_key).decode(),
    }
    return base | changes


def signed_wire(signed: bytes, device: DeviceIdentity = STRANGER) -> dict[str, str]:
    return {
        "id": hashlib.sha256(signed).hexdigest(),
        "signed": base64.b64encode(signed).decode(),
        "signature": base64.b64encode(device.sign(SIGNATURE_DOMAIN + signed)).decode(),
    }


def with_raw(raw_json: str, **changes: Any) -> dict[str, str]:
    """A signed revision whose bytes carry ``raw_json`` where the placeholder
    string was: values no JSON encoder of ours would write."""
    text = canonical_json(envelope(**changes)).decode()
    return signed_wire(text.replace(json.dumps(PLACEHOLDER), raw_json).encode())


def body_with(raw_json: str) -> dict[str, str]:
    return with_raw(raw_json, body={"title": PLACEHOLDER, "description": "", "notes": ""})


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


HOSTILE: dict[str, tuple[dict[str, str], str | None]] = {
    "nested 20 deep": (body_with(deep(20)), "holds nested deeper than 16 levels"),
    "nested 100,000 deep": (body_with(deep(100_000)), "nested deeper than 16 levels"),
    "integer beyond 2^53": (body_with("9007199254740993"), "holds an integer beyond 2^53"),
    "huge integer": (body_with("1" + "0" * 5000), "holds an integer beyond 2^53"),
    "huge clock": (with_raw("[18446744073709551616,0]", hlc=PLACEHOLDER), "holds an integer beyond 2^53"),
    "clock at the JSON limit": (with_raw("[9007199254740991,0]", hlc=PLACEHOLDER), None),
    "counter beyond the format": (with_raw("[1,4294967296]", hlc=PLACEHOLDER), "bad clock reading"),
    "clock of booleans": (with_raw("[true,false]", hlc=PLACEHOLDER), "bad clock reading"),
    "clock as text": (with_raw('"now"', hlc=PLACEHOLDER), "bad clock reading"),
    "lone surrogate": (body_with('"\\ud800"'), "holds a lone surrogate in a string"),
    "lone surrogate in a key": (
        with_raw('{"\\udfff":1}', body=PLACEHOLDER),
        "holds a lone surrogate in a string",
    ),
    "huge string": (body_with(json.dumps("x" * (MAX_STRING_CHARS + 1))), "holds a string longer than"),
    "NaN": (body_with("NaN"), "not valid JSON"),
    "Infinity": (body_with("-Infinity"), "not valid JSON"),
    "duplicate keys": (with_raw('{"title":"a","title":"b"}', body=PLACEHOLDER), "not valid JSON"),
    "version true": (with_raw("true", v=PLACEHOLDER), "unknown format version True"),
    "type as a list": (with_raw('["case"]', type=PLACEHOLDER), "unknown entity type"),
    "op as an object": (with_raw('{"put":1}', op=PLACEHOLDER), "unknown operation"),
    "entity as a number": (with_raw("7", entity=PLACEHOLDER), "bad entity id"),
    "entity not a uuid": (
        with_raw('"../../etc/passwd-000000000000000000000"', entity=PLACEHOLDER),
        "bad entity id",
    ),
    "body as a list": (with_raw("[]", body=PLACEHOLDER), "body is not an object"),
    "parents as text": (with_raw('"abc"', parents=PLACEHOLDER), "bad parent list"),
    "device as a number": (with_raw("12", device=PLACEHOLDER), "bad device id"),
    "key as a list": (with_raw("[1]", key=PLACEHOLDER), "bad public key"),
    "not an object": (signed_wire(b"[1,2,3]"), "not a JSON object"),
    "not UTF-8": (signed_wire(b'{"v":"\xff"}'), "not valid JSON"),
    "too large": (
        signed_wire(b'{"pad":"' + b"x" * MAX_REVISION_BYTES + b'"}'),
        f"larger than {MAX_REVISION_BYTES} bytes",
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_revision_is_refused_with_its_reason(name: str) -> None:
    wire, reason = HOSTILE[name]
    if reason is None:  # the limit itself is allowed
        assert revision_from_wire(wire, ENTITY_TYPES).hlc == Timestamp(2**53 - 1, 0)
        return
    with pytest.raises(RevisionRejected) as rejected:
        revision_from_wire(wire, ENTITY_TYPES)
    assert rejected.value.reason.startswith(reason), rejected.value.reason


@pytest.mark.parametrize(
    "wire",
    [[], "text", None, {"id": ["x"], "signed": 5, "signature": None}, {"id": "a" * 10_000}],
    ids=["list", "text", "null", "wrong types", "huge id"],
)
def test_a_malformed_wire_form_is_refused(wire: Any) -> None:
    with pytest.raises(RevisionRejected) as rejected:
        revision_from_wire(wire, ENTITY_TYPES)
    assert len(str(rejected.value)) < 200  # a hostile id is not repeated


def test_a_batch_holding_one_hostile_revision_applies_nothing(vault: Vault) -> None:
    good = create_revision(
        STRANGER,
        entity_id="01900000-0000-7000-8000-0000000000de",
        entity_type="case",
        op="put",
        body={"title": "fine", "description": "", "notes": ""},
        parents=[],
        hlc=Timestamp(1_700_000_000_000, 0),
    )
    for wire, reason in HOSTILE.values():
        if reason is None:
            continue
        with pytest.raises(RevisionRejected):
            vault.revisions.apply([good.to_wire(), wire])
    assert vault.revisions.all() == []
    vault.cases.create(Case(title="local saves still work"))


# -- bodies: every field's type and value is checked ---------------------------------

WRONG_VALUES: dict[str, list[Any]] = {
    "str": [5, None, ["a"], {"a": "b"}, True],
    "float | None": ["north", [1.0], True],
    "list[str]": ["torture", [1], [["x"]], {"a": 1}],
    "dict[str, str]": [["a"], {"a": 1}, "x"],
    "int": ["12", 1.5, True, None],
    "bool": ["yes", 1, 0, None],
}


def wrong_field_cases() -> list[tuple[str, str, Any]]:
    import dataclasses
    import typing

    from db.entities import BOOKKEEPING_FIELDS

    cases = []
    for entity_type, record_type in sorted(RECORD_TYPES.items()):
        hints = typing.get_type_hints(record_type)
        for f in dataclasses.fields(record_type):
            if f.name in BOOKKEEPING_FIELDS:
                continue
            hint = str(hints[f.name]).replace("<class '", "").replace("'>", "")
            for value in WRONG_VALUES[hint]:
                cases.append((entity_type, f.name, value))
    return cases


def valid_body(entity_type: str) -> dict[str, Any]:
    case_id = "01900000-0000-7000-8000-0000000000c1"
    record_type = RECORD_TYPES[entity_type]
    fields = {
        "case": {"title": "t"},
        "link": {"case_id": case_id, "from_id": case_id, "to_id": case_id, "relation": "mentions"},
        "consent": {"case_id": case_id, "testimony_id": case_id, "scopes": ["prosecution"]},
    }.get(entity_type, {"case_id": case_id})
    return record_type(**fields).body()  # type: ignore[arg-type]


@pytest.mark.parametrize(("entity_type", "name", "value"), wrong_field_cases())
def test_a_field_of_the_wrong_type_is_refused_and_named(entity_type: str, name: str, value: Any) -> None:
    body = valid_body(entity_type) | {name: value}
    check_body(entity_type, "put", valid_body(entity_type))  # the base is fine
    with pytest.raises(InvalidInput, match=f"field '{name}'"):
        check_body(entity_type, "put", body)


@pytest.mark.parametrize(
    ("entity_type", "op", "body", "message"),
    [
        ("case", "put", {"title": "t", "secret_extra": "x"}, "unknown field 'secret_extra'"),
        ("incident", "put", {"case_id": "01900000-0000-7000-8000-0000000000c1"}, "required field 'title'"),
        ("case", "delete", {"reason": "dup", "title": "x"}, "a deletion holds only a reason"),
        ("case", "delete", {"reason": 5}, "a deletion holds only a reason"),
        (
            "testimony",
            "put",
            {"case_id": "01900000-0000-7000-8000-0000000000c1", "interview_date": "2024\n"},
            "interview_date",
        ),
        (
            "testimony",
            "put",
            {"case_id": "01900000-0000-7000-8000-0000000000c1", "interview_date": "2024-13-45"},
            "interview_date",
        ),
        (
            "evidence",
            "put",
            {"case_id": "01900000-0000-7000-8000-0000000000c1", "sha256": "a" * 64 + "\n"},
            "sha256",
        ),
        (
            "person",
            "put",
            {"case_id": "01900000-0000-7000-8000-0000000000c1", "notes": "x" * (MAX_STRING_CHARS + 1)},
            "notes",
        ),
    ],
)
def test_bodies_outside_the_record_type_are_refused(
    entity_type: str, op: str, body: dict[str, Any], message: str
) -> None:
    if op == "put" and "required" not in message:
        body = valid_body(entity_type) | body
    with pytest.raises(InvalidInput, match=message):
        check_body(entity_type, op, body)


def test_a_local_save_of_unencodable_text_names_the_field(vault: Vault) -> None:
    case = vault.cases.create(Case(title="Izium"))
    with pytest.raises(InvalidInput, match="field 'notes' holds a lone surrogate"):
        vault.cases.edit(case.id, notes="broken \udc80 text")


# -- property tests: nothing but RevisionRejected escapes ---------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=300))
def test_any_bytes_are_a_revision_or_rejected(data: bytes) -> None:
    with contextlib.suppress(RevisionRejected):
        verify_revision(data, b"\x00" * 64, hashlib.sha256(data).hexdigest(), ENTITY_TYPES)


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from(sorted(envelope())), value=json_values)
def test_any_value_in_any_envelope_field_is_accepted_or_rejected(field: str, value: Any) -> None:
    try:
        signed = canonical_json(envelope(**{field: value}))
    except ValueError:
        return  # not representable: tested above through raw bytes
    wire = signed_wire(signed)
    try:
        rev = revision_from_wire(wire, ENTITY_TYPES)
    except RevisionRejected:
        return
    from db.entities import check_revision_body

    with contextlib.suppress(RevisionRejected):
        check_revision_body(rev)


@settings(max_examples=300, deadline=None)
@given(
    entity_type=st.sampled_from(sorted(RECORD_TYPES)),
    op=st.sampled_from(["put", "delete"]),
    body=st.dictionaries(st.text(max_size=12), json_values, max_size=5),
    extra=st.booleans(),
)
def test_any_body_is_accepted_or_refused_with_invalid_input(
    entity_type: str, op: str, body: dict[str, Any], extra: bool
) -> None:
    if extra:
        body = valid_body(entity_type) | body
    with contextlib.suppress(InvalidInput):
        check_body(entity_type, op, body)


# -- verify names every bad revision and goes on ----------------------------------------


@pytest.fixture
def hostile_rows(vault: Vault) -> list[str]:
    """Three hostile revisions written straight into the table, as someone
    holding the database key could."""
    ids = []
    with vault.services.context.sessions() as session:
        for name in ("integer beyond 2^53", "lone surrogate", "nested 100,000 deep"):
            wire = HOSTILE[name][0]
            session.add(
                RevisionRow(
                    revision_id=wire["id"],
                    entity_id=ENTITY,
                    entity_type="case",
                    op="put",
                    hlc_ms=1,
                    hlc_counter=0,
                    device_id=STRANGER.device_id,
                    signed=base64.b64decode(wire["signed"]),
                    signature=base64.b64decode(wire["signature"]),
                )
            )
            ids.append(wire["id"])
        session.commit()
    return ids


def test_verify_names_every_hostile_revision(vault: Vault, hostile_rows: list[str]) -> None:
    good = vault.cases.create(Case(title="Izium"))
    report = vault.verify()
    named = {p.subject: p.detail for p in report.problems if p.kind == "revision"}
    assert set(hostile_rows) <= set(named)
    assert named[hostile_rows[0]] == "holds an integer beyond 2^53"
    assert named[hostile_rows[1]] == "holds a lone surrogate in a string"
    assert good.revision not in named
    assert report.revisions_checked == 4
