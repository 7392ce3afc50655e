"""A bundle header's parse and signature check are kept for the very same
bytes (sync/bundle/reader.py ``_verified_header``, session 16: an import
reads each header twice, check_header then read_bundle). Kept only for the
same header and signature: a header or signature that differs in any byte
from one checked before is checked afresh, and a refused one is never kept."""

from __future__ import annotations

import io

import pyrage
import pytest

from sync.bundle import BundleRejected, read_bundle
from sync.bundle.format import MAGIC
from sync.bundle.reader import _verified_header, check_header
from tests.sync.bundle_samples import archive, forge, plain_members, sample

IDENTITY = pyrage.x25519.Identity.generate()
RECIPIENT = str(IDENTITY.to_public())
MADE = sample()


def _parts(data: bytes) -> tuple[int, int]:
    """Where the header starts and how long it is."""
    start = len(MAGIC) + 4
    return start, int.from_bytes(data[len(MAGIC) : start], "big")


def _reason(data: bytes) -> str:
    with pytest.raises(BundleRejected) as refused:
        check_header(io.BytesIO(data))
    with pytest.raises(BundleRejected) as refused_again:
        read_bundle(io.BytesIO(data), IDENTITY)
    assert refused_again.value.reason == refused.value.reason
    return refused.value.reason


def test_a_header_read_twice_is_checked_once_and_reads_the_same() -> None:
    data = forge(archive(plain_members(MADE)), MADE, [RECIPIENT])
    _verified_header.cache_clear()
    first = check_header(io.BytesIO(data))
    opened = read_bundle(io.BytesIO(data), IDENTITY)
    assert _verified_header.cache_info().hits == 1  # read_bundle's read of the same bytes
    assert opened.checked == first
    assert opened.revisions == MADE.contents.revisions


def test_other_bytes_beside_a_kept_header_are_checked_afresh() -> None:
    data = forge(archive(plain_members(MADE)), MADE, [RECIPIENT])
    check_header(io.BytesIO(data))  # kept
    start, length = _parts(data)
    signature_at = start + length
    # The same header, a signature with one bit flipped.
    flipped = bytearray(data)
    flipped[signature_at + 5] ^= 0x01
    assert _reason(bytes(flipped)) == "header-signature"
    # The same signature over a header changed in one byte (a digit of its
    # creation time: still well-formed).
    changed = bytearray(data)
    digit = data.index(b'"created_ms":', start) + len(b'"created_ms":')
    changed[digit] = ord("1") if data[digit] != ord("1") else ord("2")
    assert _reason(bytes(changed)) == "header-signature"
    # Refused twice over, each read checked again: none of them kept.
    assert _reason(bytes(flipped)) == "header-signature"
    # Another organisation's reader refuses the kept header all the same.
    with pytest.raises(BundleRejected) as refused:
        check_header(io.BytesIO(data), org_id="00000000-0000-4000-8000-000000000000")
    assert refused.value.reason == "organisation"
    # And the original still reads.
    assert read_bundle(io.BytesIO(data), IDENTITY).revisions == MADE.contents.revisions
