"""The manifest's optional ``receipts`` (docs/bundle-format.md §4): the
server's receipts a worker's bundle carries for a coordinator to compare
with the receipt log (docs/sync.md §2.2). Written and read back under the
manifest's signature, absent when there are none (ordinary bundles stay
what they were), and anything not of its form is ``archive-form``."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pyrage
import pytest

from sync.bundle import BundleRejected, read_bundle, write_bundle
from sync.bundle.format import CarriedReceipt, canonical, parse_manifest
from tests.sync.bundle_samples import CREATED_MS, plain_manifest, sample, signing

IDENTITY = pyrage.x25519.Identity.generate()
RECIPIENT = str(IDENTITY.to_public())
RECEIPTS = (
    CarriedReceipt(3, b'{"index":3}', bytes(range(64))),
    CarriedReceipt(7, b'{"index":7}', bytes(64)),
)


def test_carried_receipts_are_read_back_under_the_manifest_signature(tmp_path: Path) -> None:
    made = sample()
    contents = dataclasses.replace(made.contents, receipts=RECEIPTS[::-1])  # sorted by the writer
    written = write_bundle(
        tmp_path / "a.fvbundle", contents, signing(made.device), [RECIPIENT], created_ms=CREATED_MS
    )
    assert read_bundle(written.path, IDENTITY).manifest.receipts == RECEIPTS


def test_a_bundle_without_receipts_has_no_such_member(tmp_path: Path) -> None:
    made = sample()
    written = write_bundle(
        tmp_path / "a.fvbundle", made.contents, signing(made.device), [RECIPIENT], created_ms=CREATED_MS
    )
    assert "receipts" not in written.manifest.to_json()
    assert read_bundle(written.path, IDENTITY).manifest.receipts == ()


GOOD = [r.to_json() for r in RECEIPTS]


@pytest.mark.parametrize(
    "receipts",
    [
        [],  # present means not empty
        "receipts",
        [GOOD[1], GOOD[0]],  # indexes must increase
        [GOOD[0], GOOD[0]],
        [GOOD[0] | {"index": 0}],
        [GOOD[0] | {"index": True}],
        [GOOD[0] | {"entry": ""}],
        [GOOD[0] | {"entry": "not base64!"}],
        [GOOD[0] | {"signature": GOOD[0]["entry"]}],  # not 64 bytes
        [GOOD[0] | {"extra": 1}],
        [{k: v for k, v in GOOD[0].items() if k != "signature"}],
        [GOOD[0]] * 1001,
    ],
)
def test_receipts_not_of_the_form_are_archive_form(receipts: object) -> None:
    with pytest.raises(BundleRejected) as refused:
        parse_manifest(canonical(plain_manifest() | {"receipts": receipts}))
    assert refused.value.reason == "archive-form"


def test_a_well_formed_member_parses() -> None:
    parsed = parse_manifest(canonical(plain_manifest() | {"receipts": GOOD}))
    assert parsed.receipts == RECEIPTS
    assert json.loads(canonical(parsed.to_json()))["receipts"] == GOOD
