"""The fast paths of receiving revisions (issue 11's apply benchmark) decide
exactly as the plain checks did: json.dumps stands in for RFC 8785 only where
both write the same bytes, the format limits are walked whenever a quick
look at the bytes cannot rule a problem out, the body stored is the one
RFC 8785 gives, and signatures checked on threads refuse the same revisions
with the same reasons."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from typing import Any

import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.device import DeviceIdentity, device_id_for
from db.entities import ENTITY_TYPES
from db.errors import RevisionRejected
from db.hlc import Timestamp
from db.revisions import (
    MAX_DEPTH,
    SIGNATURE_DOMAIN,
    canonical_body,
    canonical_json,
    create_revision,
    json_problem,
    parse_signed,
    revision_from_wire,
    revisions_from_wire,
)
from sync.bundle.format import canonical


def reference_parse(signed: bytes, claimed_id: str) -> dict[str, Any]:
    """parse_signed as it was before its fast paths: parse, walk the limits,
    re-encode with rfc8785 and compare."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(items)
        if len(result) != len(items):
            raise ValueError("duplicate key")
        return result

    def big(digits: str) -> Any:
        return int(digits) if len(digits) <= 20 else 2**80

    def constant(name: str) -> Any:
        raise ValueError(name)

    try:
        envelope = json.loads(
            signed.decode("utf-8"), object_pairs_hook=pairs, parse_constant=constant, parse_int=big
        )
    except RecursionError:
        raise RevisionRejected(claimed_id, f"nested deeper than {MAX_DEPTH} levels") from None
    except (UnicodeDecodeError, ValueError):
        raise RevisionRejected(claimed_id, "not valid JSON") from None
    problem = json_problem(envelope)
    if problem is not None:
        raise RevisionRejected(claimed_id, f"holds {problem}")
    if not isinstance(envelope, dict):
        raise RevisionRejected(claimed_id, "not a JSON object")
    try:
        encoded = rfc8785.dumps(envelope)
    except (rfc8785.CanonicalizationError, ValueError, TypeError):
        raise RevisionRejected(claimed_id, "not representable in canonical JSON") from None
    if encoded != signed:
        raise RevisionRejected(claimed_id, "not in canonical form")
    return envelope


def outcome(parse: Any, signed: bytes) -> tuple[str, object]:
    try:
        return ("ok", parse(signed, "x"))
    except RevisionRejected as refused:
        return ("refused", refused.reason)


def same_decision(signed: bytes) -> None:
    assert outcome(parse_signed, signed) == outcome(reference_parse, signed), signed


# Keys and texts that tell the two encoders apart if anything does: ASCII,
# controls, quotes, backslashes, DEL, U+2028, private use (U+E000-U+FFFF sorts
# after a surrogate pair in UTF-16 but before it by code point), astral.
texts = st.text(
    alphabet=st.sampled_from(
        [
            "a",
            "b",
            "Z",
            '"',
            "\\",
            "\n",
            "\x01",
            "\x1f",
            "\x7f",
            "é",
            "і",
            "\u2028",
            "\ue000",
            "\uffff",
            "😀",
            "\U00010000",
        ]
    ),
    max_size=6,
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(texts, json_values, max_size=5))
def test_canonical_bytes_are_accepted_and_re_encodings_decided_as_before(value: dict[str, Any]) -> None:
    try:
        signed = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        signed = json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")
    same_decision(signed)
    # json.dumps's own forms: code point key order, Python's float repr,
    # \\u escapes, spaces. Accepted only where RFC 8785 writes the same bytes.
    for form in (
        json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
        json.dumps(value, sort_keys=True, separators=(",", ":")),
        json.dumps(value, sort_keys=True),
    ):
        same_decision(form.encode("utf-8", "surrogatepass"))


def test_the_cases_that_tell_json_dumps_from_rfc8785_apart_are_refused() -> None:
    # A float json.dumps writes as it was given but RFC 8785 does not.
    for text in ('{"a":1.0}', '{"a":1500.0}', '{"a":1e-07}', '{"a":100000000000000000000000.0}'):
        assert outcome(parse_signed, text.encode()) == ("refused", "not in canonical form")
    # Keys in code point order, which is not UTF-16 order here.
    by_code_point = '{"\ue000":1,"\U00010000":2}'.encode()
    assert outcome(parse_signed, by_code_point) == ("refused", "not in canonical form")
    assert outcome(parse_signed, rfc8785.dumps({"\ue000": 1, "\U00010000": 2}))[0] == "ok"
    for text, reason in (
        ('{"a":"\\ud800"}', "holds a lone surrogate in a string"),
        ('{"a":"\\uDFFF"}', "holds a lone surrogate in a string"),
        ('{"a":9007199254740992}', "holds an integer beyond 2^53"),
        ('{"a":' + "1" * 30 + "}", "holds an integer beyond 2^53"),
        ('{"a":1e999}', "holds a number that is not finite"),
        ('{"a":' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}", f"holds nested deeper than {MAX_DEPTH} levels"),
        ('{"a":"' + "x" * 1_000_001 + '"}', "holds a string longer than 1000000 characters"),
    ):
        assert outcome(parse_signed, text.encode()) == ("refused", reason)
        same_decision(text.encode())
    # Just within the limits: the quick look must not refuse them.
    for value in (
        {"a": 2**53 - 1, "b": -(2**53 - 1)},
        {"a": [[[[[[[[[[[[[[1]]]]]]]]]]]]]]},
        {"a": "\ud7ff\ue000"},
    ):
        same_decision(rfc8785.dumps(value))
        assert outcome(parse_signed, rfc8785.dumps(value))[0] == "ok"


@settings(max_examples=300)
@given(st.dictionaries(texts, texts, max_size=5))
def test_bundle_canonical_is_rfc8785_for_flat_text(value: dict[str, str]) -> None:
    try:
        expected: object = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        expected = rfc8785.CanonicalizationError
    try:
        got: object = canonical(value)
    except rfc8785.CanonicalizationError:
        got = rfc8785.CanonicalizationError
    assert got == expected


def identity() -> DeviceIdentity:
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes_raw()
    return DeviceIdentity(device_id_for(public), public, key)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(texts, json_values.filter(lambda v: json_problem(v, 2) is None), max_size=5))
def test_stored_body_is_the_rfc8785_encoding_of_the_body(body: dict[str, Any]) -> None:
    try:
        rev = create_revision(
            identity(),
            entity_id=str(uuid.uuid4()),
            entity_type="case",
            op="put",
            body=body,
            parents=[],
            hlc=Timestamp(1, 0),
        )
    except rfc8785.CanonicalizationError:
        return  # not a body a revision can carry
    assert canonical_body(rev.signed) == canonical_json(body)


def test_signatures_checked_on_threads_refuse_the_same_revisions() -> None:
    device = identity()
    other = identity()
    wires: list[Any] = []
    for i in range(700):
        rev = create_revision(
            device,
            entity_id=str(uuid.UUID(int=i + 1)),
            entity_type="case",
            op="put",
            body={"title": f"Case {i}", "description": "", "notes": ""},
            parents=[],
            hlc=Timestamp(1000 + i, 0),
        )
        wire: dict[str, str] | str  # one is not a dict at all
        wire = dict(rev.to_wire())
        if i % 97 == 5:  # someone else's signature over the same bytes
            wire["signature"] = base64.b64encode(other.sign(SIGNATURE_DOMAIN + rev.signed)).decode()
        elif i % 101 == 7:  # a signature cut short
            wire["signature"] = base64.b64encode(rev.signature[:40]).decode()
        elif i % 89 == 3:  # bytes that are not its id's
            signed = rev.signed.replace(b"Case", b"Lase")
            wire["signed"] = base64.b64encode(signed).decode()
        elif i % 83 == 2:  # a re-signed, non-canonical envelope
            signed = rev.signed.replace(b'{"body":', b'{ "body":')
            wire = {
                "id": hashlib.sha256(signed).hexdigest(),
                "signed": base64.b64encode(signed).decode(),
                "signature": base64.b64encode(device.sign(SIGNATURE_DOMAIN + signed)).decode(),
            }
        elif i == 650:
            wire = "not a dict"
        wires.append(wire)

    def one_by_one(wire: Any) -> object:
        try:
            return revision_from_wire(wire, ENTITY_TYPES)
        except RevisionRejected as refused:
            return ("refused", refused.revision_id, refused.reason)

    expected = [one_by_one(w) for w in wires]
    got = [
        ("refused", o.revision_id, o.reason) if isinstance(o, RevisionRejected) else o
        for o in revisions_from_wire(wires, ENTITY_TYPES)
    ]
    assert got == expected
    reasons = {o[2] for o in expected if isinstance(o, tuple)}
    assert {
        "bad signature",
        "id does not match content",
        "not in canonical form",
        "malformed wire encoding",
    } <= reasons
