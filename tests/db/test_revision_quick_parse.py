"""The quick paths of the merge's per-revision checks (session 16, issue 14)
decide exactly as the code they stand in front of, on any input.

- ``parse_signed``'s quick look (``_quick_envelope``) takes only what the
  full parse (``_full_parse``, parse_signed as it was) accepts, with an
  equal envelope; everything else goes to the full parse. Held side by side
  on generated envelopes in every spelling json.dumps and RFC 8785 write,
  on mutated genuine revisions and on a list of hostile bytes, and against
  the plain RFC 8785 reference of test_revision_fast_paths.
- ``strict_b64decode`` (a lenient decoder, then the re-encoding test) and
  ``wire_signed_bytes`` answer as the implementations they replaced, kept
  here verbatim.
- ``check_body``'s inline test of a text field and its cached vocabulary
  refuse the same bodies with the same codes, fields and messages.
- ``revisions_from_wire`` reading each signer's key once per call refuses
  the same revisions with the same reasons as one call per revision,
  whatever keys (respelled, wrong, more than it keeps) the batch carries.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import uuid
from typing import Any
from unittest import mock

import pytest
import rfc8785
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db import entities, revisions
from db.device import DeviceIdentity
from db.entities import ENTITY_TYPES, RECORD_TYPES, _field_checks, _plain, check_body
from db.errors import InvalidInput, RevisionRejected
from db.hlc import Timestamp
from db.revisions import (
    MAX_DEPTH,
    MAX_STRING_CHARS,
    SIGNATURE_DOMAIN,
    canonical_json,
    create_revision,
    json_problem,
    parse_signed,
    revision_from_wire,
    revisions_from_wire,
)
from db.strict_b64 import strict_b64decode
from db.vocabulary import violation_codes, violation_types
from sync.bundle.errors import BundleRejected
from sync.bundle.format import is_hex64, wire_signed_bytes
from tests.db.test_revision_fast_paths import reference_parse

# -- parse_signed --------------------------------------------------------------


def decision(parse: Any, signed: bytes) -> tuple[str, str]:
    """What a parse answers, types included (repr tells True from 1 and
    1 from 1.0, and keeps the keys' order)."""
    try:
        return ("ok", repr(parse(signed, "x")))
    except RevisionRejected as refused:
        return ("refused", refused.reason)


def full(signed: bytes, claimed_id: str) -> dict[str, Any]:
    """The full parse behind parse_signed's own size test."""
    if len(signed) > revisions.MAX_REVISION_BYTES:
        raise RevisionRejected(claimed_id, f"larger than {revisions.MAX_REVISION_BYTES} bytes")
    return revisions._full_parse(signed, claimed_id)


def same_decision(signed: bytes) -> tuple[str, str]:
    got = decision(parse_signed, signed)
    assert got == decision(full, signed), signed[:200]
    # The plain reference (parse, walk, RFC 8785) agrees on what is
    # accepted; its reasons differ only where it walks first.
    assert (got[0] == "ok") == (decision(reference_parse, signed)[0] == "ok"), signed[:200]
    return got


# Characters where json.dumps and RFC 8785 could part, and digits and
# number punctuation to make long integers and number-like texts.
texts = st.text(
    alphabet=st.sampled_from(
        [
            *("a", "Z", "0", "9", ":", ",", "[", "{", '"', "\\", "\n", "\x00", "\x1f", "\x7f", "é", "і"),
            "\u2028",
            "\ud7ff",
            "\ud800",
            "\udfff",
            "\ue000",
            "\uffff",
            "😀",
            "\U00010000",
            "\U0010ffff",
            *(".", "e", "-"),
        ]
    ),
    max_size=8,
)
numbers = (
    st.integers(min_value=-(2**64), max_value=2**64)
    | st.sampled_from(
        [0, -1, 10**14, 10**15 - 1, -(10**14), 10**15, 2**53 - 1, -(2**53 - 1), 2**53, -(2**53)]
    )
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([1.0, -0.0, 1e21, 1e-7, 0.1, 1500.0])
)
json_values = st.recursive(
    st.none() | st.booleans() | numbers | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=24,
)


def spellings(value: Any) -> list[bytes]:
    """RFC 8785's bytes (when it can write them) and json.dumps's forms."""
    forms = []
    with contextlib.suppress(rfc8785.CanonicalizationError, UnicodeEncodeError):
        forms.append(rfc8785.dumps(value))
    for form in (
        json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
        json.dumps(value, sort_keys=True, separators=(",", ":")),
        json.dumps(value, separators=(",", ":"), ensure_ascii=False),
        json.dumps(value, sort_keys=True, ensure_ascii=False),
    ):
        forms.append(form.encode("utf-8", "surrogatepass"))
    return forms


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(texts, json_values, max_size=6))
def test_generated_envelopes_are_decided_as_by_the_full_parse(value: dict[str, Any]) -> None:
    for signed in spellings(value):
        same_decision(signed)


def genuine_signed(body: dict[str, Any], *, entity_type: str = "testimony") -> bytes:
    return create_revision(
        DeviceIdentity.generate(),
        entity_id=str(uuid.uuid4()),
        entity_type=entity_type,
        op="put",
        body=body,
        parents=sorted(hashlib.sha256(bytes([i])).hexdigest() for i in range(2)),
        hlc=Timestamp(1_796_024_138_892, 3),
    ).signed


GENUINE = [
    genuine_signed(
        {"case_id": str(uuid.uuid4()), "title": "Свідчення", "narrative": "Обстріл о 5:40, 12 будинків"}
    ),
    genuine_signed({"title": "village", "description": "", "notes": ""}, entity_type="case"),
    genuine_signed({"case_id": str(uuid.uuid4()), "size": 10**15 - 1, "claimed": {"gps": "50.45,30.52"}}),
    # Left to the full parse: 16 digits, a character beyond U+FFFF.
    genuine_signed({"case_id": str(uuid.uuid4()), "size": 2**53 - 1}),
    genuine_signed(
        {"case_id": str(uuid.uuid4()), "name": "😀 \ue000 astral", "sensitive": {"\ue000": "a", "😀": "b"}}
    ),
]


def test_the_quick_look_takes_genuine_revisions() -> None:
    """What the merge receives goes the quick way (else it saves nothing);
    what it leaves to the full parse is accepted there."""
    for signed in GENUINE[:3]:
        assert revisions._quick_envelope(signed) == json.loads(signed)
        assert same_decision(signed)[0] == "ok"
    for signed in GENUINE[3:]:
        assert revisions._quick_envelope(signed) is None
        assert same_decision(signed)[0] == "ok"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(GENUINE),
    st.lists(
        st.tuples(
            st.sampled_from(["replace", "insert", "delete"]),
            st.integers(min_value=0, max_value=10_000),
            st.sampled_from([*b' "\\:,[]{}01-.eE', 0x00, 0x7F, 0xC3, 0xED, 0xF0, 0xFF]),
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_mutated_revisions_are_decided_as_by_the_full_parse(
    signed: bytes, edits: list[tuple[str, int, int]]
) -> None:
    data = bytearray(signed)
    for kind, at, byte in edits:
        at %= len(data) + (kind == "insert")
        if kind == "replace" and at < len(data):
            data[at] = byte
        elif kind == "insert":
            data.insert(at, byte)
        elif at < len(data):
            del data[at]
    same_decision(bytes(data))


def envelope_with(raw: str) -> bytes:
    """A genuine-looking envelope whose body's title is ``raw`` as written."""
    text = canonical_json({"body": {"title": "@@"}, "device": "d" * 32, "v": 1}).decode()
    return text.replace('"@@"', raw).encode("utf-8", "surrogatepass")


HOSTILE_BYTES = [
    b"",
    b" ",
    b"{}",
    b"[]",
    b'"text"',
    b"17",
    b"null",
    b"\xef\xbb\xbf{}",  # a byte order mark
    b"{} ",
    b" {}",
    b"{}\n",
    b'{"a":1,"a":1}',  # duplicate keys, the same value
    b'{"a":1,"a":2}',
    b'{"a":{"b":1,"b":1}}',
    b'{"a" :1}',
    b'{"b":1,"a":2}',  # keys out of order
    b'{"\xee\x80\x80":1,"\xf0\x90\x80\x80":2}',  # code point order, not UTF-16 order
    b'{"\xf0\x90\x80\x80":2,"\xee\x80\x80":1}',  # UTF-16 order
    b'{"a":"\\u0041"}',  # an escape RFC 8785 does not write
    b'{"a":"\\/"}',
    b'{"a":"\\u00e9"}',
    b'{"a":"\\u2028"}',
    b'{"a":"\xe2\x80\xa8"}',
    b'{"a":"\\u001f"}',
    b'{"a":"\\u001F"}',
    b'{"a":"\x1f"}',  # a raw control character
    b'{"a":"\x7f"}',
    b'{"a":"\\ud800"}',
    b'{"a":"\\uD800"}',
    b'{"a":"\\ud83d\\ude00"}',  # a pair, escaped
    b'{"a":"\xed\xa0\x80"}',  # an encoded surrogate: not UTF-8
    b'{"a":"\xc0\xaf"}',  # overlong
    b'{"a":"\xff"}',
    b'{"a":NaN}',
    b'{"a":Infinity}',
    b'{"a":-Infinity}',
    b'{"a":1.0}',
    b'{"a":1}',
    b'{"a":1e2}',
    b'{"a":1E2}',
    b'{"a":100}',
    b'{"a":-0}',
    b'{"a":0}',
    b'{"a":01}',
    b'{"a":+1}',
    b'{"a":999999999999999}',  # 15 digits
    b'{"a":-99999999999999}',  # 15 characters
    b'{"a":-999999999999999}',  # 16 characters
    b'{"a":1000000000000000}',  # 16 digits
    b'{"a":9007199254740991}',
    b'{"a":-9007199254740991}',
    b'{"a":9007199254740992}',
    b'{"a":-9007199254740992}',
    b'{"a":18446744073709551616}',
    b'{"a":' + b"9" * 5000 + b"}",
    b'{"a":[1,2,9007199254740993]}',
    b'{"a":"x:1234567890123456"}',  # number-like text in a string
    b'{"a":"[1234567890123456]"}',
    b'{"a":true,"b":false,"c":null}',
    b'{"a":True}',
    b'{"a":[' * 7 + b"1" + b"]}" * 7,
    b'{"a":' + b"[" * (MAX_DEPTH - 2) + b"]" * (MAX_DEPTH - 2) + b"}",
    b'{"a":' + b"[" * (MAX_DEPTH - 1) + b"]" * (MAX_DEPTH - 1) + b"}",
    b'{"a":' + b"[" * MAX_DEPTH + b"]" * MAX_DEPTH + b"}",
    b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    b'{"a":"' + b"x" * MAX_STRING_CHARS + b'"}',
    b'{"a":"' + b"x" * (MAX_STRING_CHARS + 1) + b'"}',
    envelope_with('"plain"'),
    envelope_with('"' + "і" * 1000 + '"'),
    envelope_with('"\\ud800"'),
    envelope_with("1.5"),
    envelope_with("12345678901234567"),
    envelope_with('"😀"'),
]


@pytest.mark.parametrize("signed", HOSTILE_BYTES, ids=range(len(HOSTILE_BYTES)))
def test_hostile_bytes_are_decided_as_by_the_full_parse(signed: bytes) -> None:
    same_decision(signed)


def test_what_the_quick_look_must_leave_alone_it_leaves() -> None:
    """Each of these json.dumps round-trips, yet the full parse refuses it
    (or, beyond U+FFFF, must judge the key order itself)."""
    for signed, reason in (
        (b'{"a":1.0}', "not in canonical form"),
        (b'{"a":1e-07}', "not in canonical form"),
        (b'{"a":NaN}', "not valid JSON"),
        (b'{"a":9007199254740992}', "holds an integer beyond 2^53"),
        (b'{"\xee\x80\x80":1,"\xf0\x90\x80\x80":2}', "not in canonical form"),
        (
            b'{"a":' + b"[" * MAX_DEPTH + b"]" * MAX_DEPTH + b"}",
            f"holds nested deeper than {MAX_DEPTH} levels",
        ),
    ):
        assert revisions._quick_envelope(signed) is None, signed[:40]
        assert decision(parse_signed, signed) == ("refused", reason)
    assert revisions._quick_envelope(b'{"a":"\\ud800"}') is None
    assert decision(parse_signed, b'{"a":"\\ud800"}') == ("refused", "holds a lone surrogate in a string")


# -- strict_b64decode -----------------------------------------------------------


def reference_b64decode(text: object, size: int | None = None) -> bytes | None:
    """strict_b64decode before session 16 (validating decoder, then the same
    re-encoding test)."""
    if not isinstance(text, str):
        return None
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        return None
    if (size is not None and len(raw) != size) or base64.b64encode(raw) != text.encode("ascii"):
        return None
    return raw


def b64_variants(data: bytes) -> list[object]:
    text = base64.b64encode(data).decode()
    stripped = text.rstrip("=")
    variants: list[object] = [
        text,
        stripped,
        text + "=",
        text + "==",
        "=" + text,
        text + "\n",
        " " + text,
        text[: len(text) // 2] + "\n" + text[len(text) // 2 :],
        text.replace("+", "-").replace("/", "_"),
        base64.urlsafe_b64encode(data).decode().rstrip("="),
        text[:-1],
        text[1:],
        text + "A",
        text + "AAAA",
        text + "A===",
        text.encode(),
        text + "é",
        text + "\x00",
        None,
        42,
    ]
    if stripped:
        # The unused low bits of the last character, flipped.
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        last = alphabet.index(stripped[-1])
        for bit in range(6):
            variants.append(stripped[:-1] + alphabet[last ^ (1 << bit)] + text[len(stripped) :])
    return variants


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=80))
def test_base64_decisions_are_the_validating_decoder_s(data: bytes) -> None:
    for text in b64_variants(data):
        for size in (None, len(data), 32, 64):
            assert strict_b64decode(text, size) == reference_b64decode(text, size), (text, size)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="AQgw+/=-_ \n\t\r.é\x00", max_size=12))
def test_any_text_is_decided_as_by_the_validating_decoder(text: str) -> None:
    for size in (None, 1, 2, 3):
        assert strict_b64decode(text, size) == reference_b64decode(text, size), (text, size)


# -- wire_signed_bytes ----------------------------------------------------------


def reference_wire_signed_bytes(value: dict[str, Any], id_key: str, kind: str) -> bytes:
    """wire_signed_bytes before session 16."""
    if set(value) != {id_key, "signed", "signature"} or not is_hex64(value[id_key]):
        raise BundleRejected("archive-form")
    ident = value[id_key]
    signed = reference_b64decode(value["signed"]) if isinstance(value["signed"], str) else None
    signature = reference_b64decode(value["signature"], 64) if isinstance(value["signature"], str) else None
    if signed is None or signature is None or hashlib.sha256(signed).hexdigest() != ident:
        raise BundleRejected(kind, ident)
    return signed


def wire_decision(read: Any, value: dict[str, Any], id_key: str) -> object:
    try:
        return read(value, id_key, "revision")
    except BundleRejected as refused:
        return ("refused", refused.reason)


def test_wire_items_are_decided_as_before() -> None:
    signed = GENUINE[0]
    good = {
        "id": hashlib.sha256(signed).hexdigest(),
        "signed": base64.b64encode(signed).decode(),
        "signature": base64.b64encode(bytes(64)).decode(),
    }
    cases: list[dict[str, Any]] = [good, {**good, "hash": good["id"]}]
    for key in good:
        cases.append({k: v for k, v in good.items() if k != key})
        for other in (None, 7, ["x"], {"a": 1}, "", good[key].upper(), good[key] + "\n"):
            cases.append({**good, key: other})
    for spelling in b64_variants(signed)[1:8]:
        cases.append({**good, "signed": spelling})
    for spelling in [*b64_variants(bytes(64))[1:], base64.b64encode(bytes(63)).decode()]:
        cases.append({**good, "signature": spelling})
    cases.append({"hash": good["id"], "signed": good["signed"], "signature": good["signature"]})
    for case in cases:
        for id_key in ("id", "hash"):
            expected = wire_decision(reference_wire_signed_bytes, case, id_key)
            assert wire_decision(wire_signed_bytes, case, id_key) == expected, (case, id_key)
    assert wire_decision(wire_signed_bytes, good, "id") == signed


# -- check_body -----------------------------------------------------------------


def reference_violation_types(entity_type: str, codes: list[str]) -> None:
    """_check_violation_types before session 16: the vocabulary's set made
    on every call."""
    unknown = set(codes) - violation_codes()
    if unknown:
        raise InvalidInput(
            f"{entity_type}: unknown violation type code(s): {', '.join(sorted(unknown))}.",
            "unknown-violation-type",
            field="violation_types",
            record_type=entity_type,
        )


def reference_check_body(entity_type: str, op: str, body: dict[str, Any]) -> None:
    """check_body's put path before session 16 for a body holding exactly
    its record's fields: json_problem on every field, then the record's
    own checks with the vocabulary read on every call."""
    record_type = RECORD_TYPES[entity_type]
    record = record_type.from_body(body)
    for name, matches in _field_checks(record_type):
        value = getattr(record, name)
        if not matches(value):
            raise InvalidInput(
                f"{entity_type}: field '{name}' has the wrong type.",
                "field-wrong-type",
                field=name,
                record_type=entity_type,
            )
        problem = json_problem(_plain(value) if isinstance(value, (list, tuple, dict)) else value, depth=3)
        if problem is not None:
            raise InvalidInput(
                f"{entity_type}: field '{name}' holds {problem}.",
                "field-unencodable",
                field=name,
                record_type=entity_type,
            )
    if record_type.case_field:
        entities._check_uuid(record, record_type.case_field, required=True)
    with mock.patch.object(entities, "_check_violation_types", reference_violation_types):
        record.validate_values()


def body_decision(check: Any, entity_type: str, body: dict[str, Any]) -> tuple[str, ...]:
    try:
        check(entity_type, "put", body)
        return ("ok",)
    except InvalidInput as refused:
        return (str(refused.code), str(refused.field), str(refused))


class Text(str):
    """A str subclass (a local caller might pass one): not JSON's own type."""


@pytest.mark.parametrize("entity_type", sorted(ENTITY_TYPES))
def test_text_fields_are_refused_as_before(entity_type: str) -> None:
    record_type = RECORD_TYPES[entity_type]
    valid: dict[str, dict[str, Any]] = {
        "case": {"title": "a case", "description": "", "notes": ""},
        "incident": {"case_id": str(uuid.uuid4()), "violation_types": []},
        "person": {"case_id": str(uuid.uuid4())},
        "testimony": {"case_id": str(uuid.uuid4())},
        "evidence": {"case_id": str(uuid.uuid4())},
        "link": {
            "case_id": str(uuid.uuid4()),
            "from_id": str(uuid.uuid4()),
            "to_id": str(uuid.uuid4()),
            "relation": "about",
        },
        "consent": {
            "case_id": str(uuid.uuid4()),
            "testimony_id": str(uuid.uuid4()),
            "scopes": ["prosecution"],
        },
    }
    base = record_type(**valid[entity_type]).body()
    assert body_decision(check_body, entity_type, base) == ("ok",)
    text_fields = [name for name, value in base.items() if isinstance(value, str)]
    assert text_fields
    for name in text_fields:
        for value in (
            "\ud800",
            "ok \udfff",
            "x" * MAX_STRING_CHARS,
            "x" * (MAX_STRING_CHARS + 1),
            "\U0001f600",
            Text("plain"),
            Text("\ud800"),
            7,
            None,
        ):
            body = {**base, name: value}
            expected = body_decision(reference_check_body, entity_type, body)
            assert body_decision(check_body, entity_type, body) == expected, (name, repr(value)[:40])


def test_the_vocabulary_is_read_again_when_it_is_reloaded() -> None:
    """The codes' set is kept per vocabulary read: a reloaded vocabulary
    (violation_types.cache_clear, as tests do) is read again."""
    code = sorted(violation_codes())[0]
    body = entities.Incident(case_id=str(uuid.uuid4()), violation_types=[code]).body()
    assert body_decision(check_body, "incident", body) == ("ok",)
    unknown = {**body, "violation_types": [code, "no-such-code"]}
    assert body_decision(check_body, "incident", unknown)[0] == "unknown-violation-type"
    violation_types.cache_clear()
    try:
        assert body_decision(check_body, "incident", body) == ("ok",)
        assert body_decision(check_body, "incident", unknown)[0] == "unknown-violation-type"
    finally:
        violation_types.cache_clear()


# -- the signer's key, read once per call ---------------------------------------


def test_keys_read_once_a_call_refuse_the_same_revisions() -> None:
    """More signers than revisions_from_wire keeps, respelled and wrong keys,
    a device id another key's: the batch answers as one call per revision,
    on the threads' path (>= 64 revisions) and below it."""
    devices = [DeviceIdentity.generate() for _ in range(revisions._MAX_KNOWN_KEYS + 6)]
    wires: list[Any] = []
    for i in range(300):
        device = devices[i % len(devices)] if i % 3 else devices[0]
        rev = create_revision(
            device,
            entity_id=str(uuid.UUID(int=i + 1)),
            entity_type="case",
            op="put",
            body={"title": f"Case {i}", "description": "", "notes": ""},
            parents=[],
            hlc=Timestamp(1000 + i, 0),
        )
        envelope = json.loads(rev.signed)
        if i % 17 == 4:  # the key respelled (flipped unused bits): "bad public key"
            key = envelope["key"]
            envelope["key"] = key[:-2] + ("B" if key[-2] == "A" else "A") + key[-1]
        elif i % 19 == 5:  # another device's id beside this key
            envelope["device"] = devices[(i + 1) % len(devices)].device_id
        elif i % 23 == 6:  # 31 bytes of key
            envelope["key"] = base64.b64encode(device.public_key[:31]).decode()
        elif i % 29 == 7:  # a key that is not base64 text
            envelope["key"] = 17
        if envelope != json.loads(rev.signed):
            signed = canonical_json(envelope)
            wires.append(
                {
                    "id": hashlib.sha256(signed).hexdigest(),
                    "signed": base64.b64encode(signed).decode(),
                    "signature": base64.b64encode(device.sign(SIGNATURE_DOMAIN + signed)).decode(),
                }
            )
        else:
            wires.append(rev.to_wire())
        if i % 31 == 8:  # signed by another key than the one it names
            wires[-1]["signature"] = base64.b64encode(
                devices[(i + 2) % len(devices)].sign(SIGNATURE_DOMAIN + rev.signed)
            ).decode()

    def one_by_one(wire: Any) -> object:
        try:
            return revision_from_wire(wire, ENTITY_TYPES)
        except RevisionRejected as refused:
            return ("refused", refused.revision_id, refused.reason)

    for batch in (wires, wires[:40]):
        expected = [one_by_one(w) for w in batch]
        got = [
            ("refused", o.revision_id, o.reason) if isinstance(o, RevisionRejected) else o
            for o in revisions_from_wire(batch, ENTITY_TYPES)
        ]
        assert got == expected
    reasons = {o[2] for o in (one_by_one(w) for w in wires) if isinstance(o, tuple)}
    assert reasons == {"bad public key", "device id does not match its key", "bad signature"}
