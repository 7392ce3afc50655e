"""The reader's quick path for revision and custody lines (sync/bundle/reader.py
``_wire_line``, session 16): a line in the writer's exact form is taken
without parsing and re-writing it; every other line goes through the full
check (strict JSON, canonical form) as before. These tests hold it to that:
on the writer's lines and on any change to them, the quick path answers
what the full check answers, and a bundle whose line says the same thing in
another spelling is still refused."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pyrage
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.bundle import BundleRejected, read_bundle
from sync.bundle.format import canonical
from sync.bundle.reader import _CUSTODY_LINE, _REVISION_LINE, _line_value, _wire_line
from tests.sync.bundle_samples import archive, forge, plain_members, sample

IDENTITY = pyrage.x25519.Identity.generate()
RECIPIENT = str(IDENTITY.to_public())
MADE = sample()
REVISIONS = list(MADE.contents.revisions)
REVISION = canonical(REVISIONS[0])
CUSTODY = canonical(next(iter(MADE.contents.custody)))
SHAPES: list[tuple[bytes, re.Pattern[bytes], str]] = [
    (REVISION, _REVISION_LINE, "id"),
    (CUSTODY, _CUSTODY_LINE, "hash"),
]


def _answer(check: Any, line: bytes) -> object:
    """What a line check gives: the value, or the refusal's reason."""
    try:
        return check(line)
    except BundleRejected as refused:
        return ("refused", refused.reason)


def test_the_writers_lines_take_the_quick_path_and_read_as_before() -> None:
    # If the writer's form stopped matching, the quick path would be dead
    # code and read_bundle as slow as before, with every test still passing.
    for line, shape, key in SHAPES:
        assert shape.fullmatch(line) is not None
        assert _wire_line(line, shape, key) == _line_value(line)
    for revision in REVISIONS:
        assert _REVISION_LINE.fullmatch(canonical(revision)) is not None


# Bytes that matter to JSON and to the pattern: escapes, quotes, separators,
# white space, other letters and digits, non-ASCII.
_TOUCHY = st.sampled_from([*b'\\"{}:,/+= \t\nuU0aAfF9zZ-_', 0x00, 0x7F, 0xC3, 0xFF])


@st.composite
def _changed(draw: st.DrawFn) -> tuple[bytes, re.Pattern[bytes], str]:
    line, shape, key = draw(st.sampled_from(SHAPES))
    data = bytearray(line)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["replace", "insert", "delete"]))
        byte = draw(_TOUCHY)
        if kind == "insert" or at == len(data):
            data[at:at] = bytes([byte])
        elif kind == "replace":
            data[at] = byte
        else:
            del data[at]
    return bytes(data), shape, key


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_changed())
def test_any_changed_line_gets_the_full_checks_answer(case: tuple[bytes, re.Pattern[bytes], str]) -> None:
    line, shape, key = case
    assert _answer(lambda data: _wire_line(data, shape, key), line) == _answer(_line_value, line)


def _same_values_other_spelling() -> dict[str, bytes]:
    """The first revision's line, saying the same thing in other ways that
    strict JSON reads as the same object (so only the canonical check
    refuses them), and two that say more."""
    line = REVISION
    value = REVISIONS[0]
    signed_at = line.index(b'"signed":"') + len(b'"signed":"')
    letter = next(at for at in range(signed_at, len(line)) if line[at : at + 1] == b"A")
    variants = {
        "a letter as a \\u escape": line[:letter] + b"\\u0041" + line[letter + 1 :],
        "a space after a colon": line.replace(b'"id":', b'"id": ', 1),
        "members in another order": json.dumps(
            {"signature": value["signature"], "id": value["id"], "signed": value["signed"]},
            separators=(",", ":"),
        ).encode("ascii"),
        "a member twice": line[:-1] + b',"id":' + line.split(b'"id":', 1)[1].split(b",", 1)[0] + b"}",
        "a member more": line[:-1] + b',"zz":"x"}',
    }
    if b"/" in line:
        slash = line.index(b"/")
        variants["an escaped slash"] = line[:slash] + b"\\/" + line[slash + 1 :]
    return variants


@pytest.mark.parametrize("label", sorted(_same_values_other_spelling()))
def test_a_line_spelt_otherwise_is_refused_whole(label: str) -> None:
    variant = _same_values_other_spelling()[label]
    assert _REVISION_LINE.fullmatch(variant) is None
    assert _answer(lambda data: _wire_line(data, _REVISION_LINE, "id"), variant) == _answer(
        _line_value, variant
    )
    # The whole bundle, its header signed over the changed payload: refused.
    members = [
        (name, data if name != "revisions.jsonl" else variant + b"\n" + data.split(b"\n", 1)[1])
        for name, data in plain_members(MADE)
    ]
    with pytest.raises(BundleRejected) as refused:
        read_bundle(io.BytesIO(forge(archive(members), MADE, [RECIPIENT])), IDENTITY)
    assert refused.value.reason == "archive-form"
