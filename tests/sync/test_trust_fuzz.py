"""Hostile input to what this issue added: the header's ``enrolment``
member (any JSON in its place) and acknowledgement files (random bytes and
mutations of a genuine one). Only the documented refusals come out —
BundleRejected ``header-form``, AckRefused — never another exception."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.acks import Acknowledgement, AckRefused, read_ack, sign_ack
from sync.bundle import BundleRejected
from sync.bundle.format import parse_header
from sync.org import device_id_of

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEADER: dict[str, Any] = {
    "format": "fieldvault-bundle", "version": 1, "org_id": "0193f6e4-8a00-7000-8000-000000000042",
    "profile_version": 1, "device_id": "0" * 32, "device_key": base64.b64encode(bytes(32)).decode(),
    "sequence": 1, "previous": None, "created_ms": 0, "custody_head": None,
    "payload_size": 0, "payload_sha256": "0" * 64,
}  # fmt: skip
KEY = Ed25519PrivateKey.generate()
PUBLIC = KEY.public_key().public_bytes_raw()
GENUINE = sign_ack(
    Acknowledgement(str(uuid.uuid4()), "1" * 32, "2" * 64, 3, device_id_of(PUBLIC), PUBLIC, 4), KEY
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=70),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=15), inner, max_size=4),
    max_leaves=12,
)
MEMBER = st.fixed_dictionaries(
    {},
    optional={
        "age_recipient": st.sampled_from(["age1" + "q" * 58, "age1nope", ""]) | JSON,
        "token_id": st.sampled_from(["a" * 32, None]) | JSON,
        "proof": st.sampled_from(["b" * 64, None]) | JSON,
        "token": JSON,
    },
)


@FUZZ
@given(st.one_of(JSON, MEMBER))
def test_any_enrolment_member_is_read_or_refused_as_header_form(member: Any) -> None:
    try:
        data = rfc8785.dumps(HEADER | {"enrolment": member})
    except rfc8785.CanonicalizationError:
        return  # not JSON a header could hold (a lone surrogate)
    try:
        header = parse_header(data)
    except BundleRejected as refused:
        assert refused.reason == "header-form"
        return
    assert header.enrolment is not None
    assert rfc8785.dumps(header.to_json()) == data  # what was read is exactly what was there


@FUZZ
@given(st.binary(max_size=600))
def test_random_bytes_are_not_an_acknowledgement(data: bytes) -> None:
    try:
        read_ack(data)
    except AckRefused as refused:
        assert refused.code in ("ack-form", "ack-signature")
    else:
        raise AssertionError("random bytes read as an acknowledgement")


@FUZZ
@given(st.integers(0, len(GENUINE) - 1), st.integers(1, 255), st.booleans())
def test_a_mutated_acknowledgement_is_refused(position: int, flip: int, cut: bool) -> None:
    data = (
        GENUINE[:position]
        if cut
        else GENUINE[:position] + bytes([GENUINE[position] ^ flip]) + GENUINE[position + 1 :]
    )
    try:
        read_ack(data)
    except AckRefused as refused:
        assert refused.code in ("ack-form", "ack-signature")
    else:
        raise AssertionError(f"a changed acknowledgement was read (byte {position})")
