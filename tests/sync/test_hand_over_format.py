"""The manifest's ``received`` member of a history hand-over
(docs/bundle-format.md §10): written and read back under the manifest's
signature (sorted by the writer), absent from every other bundle, and any
entry not of its form is ``archive-form`` — what a reader refuses before
the vault records anything of it."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pyrage
import pytest

from sync.bundle import BundleRejected, read_bundle, write_bundle
from sync.bundle.format import ReceivedEntry, canonical, parse_manifest
from tests.sync.bundle_samples import CREATED_MS, plain_manifest, sample, signing

IDENTITY = pyrage.x25519.Identity.generate()
RECIPIENT = str(IDENTITY.to_public())
ENTRIES = (
    ReceivedEntry("1" * 32, 1, "a" * 64, None, "c" * 64),
    ReceivedEntry("1" * 32, 3, "b" * 64, "d" * 64, None, ((2, 2),)),
    ReceivedEntry("2" * 32, 5, "e" * 64, None, None),  # previous not kept (before migration 0011)
)


def test_the_member_is_read_back_under_the_manifest_signature(tmp_path: Path) -> None:
    made = sample()
    contents = dataclasses.replace(made.contents, received=ENTRIES[::-1])  # sorted by the writer
    written = write_bundle(
        tmp_path / "a.fvbundle", contents, signing(made.device), [RECIPIENT], created_ms=CREATED_MS
    )
    assert read_bundle(written.path, IDENTITY).manifest.received == ENTRIES


def test_an_ordinary_bundle_has_no_such_member(tmp_path: Path) -> None:
    made = sample()
    written = write_bundle(
        tmp_path / "a.fvbundle", made.contents, signing(made.device), [RECIPIENT], created_ms=CREATED_MS
    )
    assert "received" not in written.manifest.to_json()
    assert read_bundle(written.path, IDENTITY).manifest.received == ()


GOOD: list[dict[str, Any]] = [e.to_json() for e in ENTRIES]


@pytest.mark.parametrize(
    "received",
    [
        [],  # present means not empty
        "received",
        [GOOD[1], GOOD[0]],  # sorted by (device, sequence)
        [GOOD[0], GOOD[0]],  # a pair twice
        [GOOD[0], GOOD[1] | {"bundle_id": GOOD[0]["bundle_id"]}],  # a bundle id twice
        [GOOD[0] | {"previous": "d" * 64}],  # sequence 1 has no previous
        [GOOD[0] | {"sequence": 0}],
        [GOOD[0] | {"sequence": True}],
        [GOOD[0] | {"device_id": "A" * 32}],
        [GOOD[0] | {"device_id": "1" * 31}],
        [GOOD[0] | {"bundle_id": "a" * 63}],
        [GOOD[0] | {"custody_head": "xyz"}],
        [GOOD[1] | {"addressed": []}],  # null when there is none
        [GOOD[1] | {"addressed": [[3, 3]]}],  # not below its sequence
        [GOOD[1] | {"addressed": [[2, 1]]}],
        [GOOD[1] | {"addressed": [[1, 1], [1, 2]]}],  # runs in order, apart
        [GOOD[0] | {"extra": 1}],
        [{k: v for k, v in GOOD[0].items() if k != "custody_head"}],
    ],
)
def test_entries_not_of_the_form_are_archive_form(received: object) -> None:
    with pytest.raises(BundleRejected) as refused:
        parse_manifest(canonical(plain_manifest() | {"received": received}))
    assert refused.value.reason == "archive-form"


def test_a_well_formed_member_parses() -> None:
    parsed = parse_manifest(canonical(plain_manifest() | {"received": GOOD}))
    assert parsed.received == ENTRIES
    assert json.loads(canonical(parsed.to_json()))["received"] == GOOD
