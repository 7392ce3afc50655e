"""The manifest's ``reads`` member (docs/bundle-format.md §4): the highest
revision format version the sender's app reads. The writer always declares
what db/revisions.py reads (today a re-root's version 2); a manifest without
the member is a sender that predates it (version 1 only); a malformed one
is ``archive-form``, signature or not, and hostile values never raise
anything but BundleRejected."""

from __future__ import annotations

import io
from dataclasses import replace

import pyrage
import pytest
import rfc8785
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.revisions import FORMAT_VERSION, REROOT_VERSION
from sync.bundle import BundleRejected, read_bundle, write_bundle
from sync.bundle.format import MAX_SAFE_INTEGER, READS_REVISION, canonical, parse_manifest
from sync.bundle.writer import build_manifest
from tests.sync.bundle_samples import CREATED_MS, archive, forge, plain_members, sample, signing
from tests.sync.test_bundle_interop import cut_and_unpack, independent_check

IDENTITY = pyrage.x25519.Identity.generate()
RECIPIENT = str(IDENTITY.to_public())
MADE = sample(blobs=[b"a" * 300])


def _manifest(**reads: object) -> dict:
    """The sample's manifest as our writer makes it, ``reads`` replaced when given."""
    value = build_manifest(MADE.contents, MADE.device.device_id).to_json()
    if "value" in reads:
        value["reads"] = reads["value"]
    return value


def _read(manifest: dict) -> object:
    """The sample bundle with ``manifest``, signed by its device, as the reader opens it."""
    return read_bundle(io.BytesIO(forge(archive(plain_members(MADE, manifest)), MADE, [RECIPIENT])), IDENTITY)


def test_the_writer_declares_the_newest_format_it_reads(tmp_path):
    assert READS_REVISION == max(FORMAT_VERSION, REROOT_VERSION) == 2
    path = tmp_path / "b.fvbundle"
    write_bundle(path, MADE.contents, signing(MADE.device), [RECIPIENT], created_ms=CREATED_MS)
    opened = read_bundle(path, IDENTITY)
    assert opened.manifest.reads_revision == REROOT_VERSION
    assert opened.manifest.revision_format_read == REROOT_VERSION
    # The independent checker (the spec and cryptography alone) takes it as written.
    out = tmp_path / "out"
    out.mkdir()
    cut_and_unpack(path, str(IDENTITY), out)
    assert independent_check(path, out)["manifest"]["reads"] == {"revision": REROOT_VERSION}


def test_without_the_member_the_sender_reads_version_1():
    old = build_manifest(replace(MADE.contents, reads_revision=None), MADE.device.device_id)
    assert "reads" not in old.to_json()
    opened = _read(old.to_json())
    assert opened.manifest.reads_revision is None  # type: ignore[attr-defined]
    assert opened.manifest.revision_format_read == FORMAT_VERSION == 1  # type: ignore[attr-defined]


def test_a_later_version_is_taken_as_declared():
    opened = _read(_manifest(value={"revision": 7}))
    assert opened.manifest.revision_format_read == 7  # type: ignore[attr-defined]
    assert parse_manifest(canonical(_manifest(value={"revision": MAX_SAFE_INTEGER}))).reads_revision == (
        MAX_SAFE_INTEGER
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"revision": 0},
        {"revision": -1},
        {"revision": True},
        {"revision": "2"},
        {"revision": None},
        {"revision": [2]},
        {"revision": 2, "more": 1},
        {},
        {"revisions": 2},
        2,
        [2],
        "2",
        None,
    ],
)
def test_a_malformed_member_is_archive_form(bad):
    with pytest.raises(BundleRejected) as refused:
        parse_manifest(canonical(_manifest(value=bad)))
    assert refused.value.reason == "archive-form"
    # Signed by the device, in a whole bundle: refused the same, before anything is used.
    with pytest.raises(BundleRejected) as whole:
        _read(_manifest(value=bad))
    assert whole.value.reason == "archive-form"


def test_a_number_beyond_what_jcs_carries_is_archive_form():
    raw = canonical(_manifest(value={"revision": 1})).replace(
        b'"reads":{"revision":1}', b'"reads":{"revision":9007199254740993}'
    )
    with pytest.raises(BundleRejected) as refused:
        parse_manifest(raw)
    assert refused.value.reason == "archive-form"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=9), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=JSON | st.dictionaries(st.just("revision"), JSON, min_size=1))
def test_hostile_values_give_the_declared_number_or_archive_form(value):
    try:
        raw = canonical(_manifest(value=value))
    except rfc8785.CanonicalizationError:  # an integer beyond 2^53: not JSON JCS can carry
        return
    well_formed = (
        isinstance(value, dict)
        and set(value) == {"revision"}
        and type(value["revision"]) is int
        and 1 <= value["revision"] <= MAX_SAFE_INTEGER
    )
    try:
        parsed = parse_manifest(raw)
    except BundleRejected as refused:
        assert refused.reason == "archive-form"
        assert not well_formed
    else:
        assert well_formed and parsed.reads_revision == value["revision"]
