"""The bundle parser on hostile input: random and mutated bundles, archives,
manifests and headers. Only BundleRejected may come out (or, for a mutation
that changes nothing the format checks, a bundle that reads), never another
exception, a hang or unbounded memory."""

from __future__ import annotations

import contextlib
import io

import pyrage
import pytest
import rfc8785
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.bundle import BundleRejected, OpenedBundle, check_bundle, read_bundle
from sync.bundle.format import MAGIC, canonical, sign_manifest
from tests.sync.bundle_samples import archive, forge, plain_members, sample, write_sample

IDENTITY = pyrage.x25519.Identity.generate()
RECIPIENT = str(IDENTITY.to_public())
MADE = sample(blobs=[b"a" * 700, b"b" * 1500])
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def bundle_bytes(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("fuzz") / "b.fvbundle"
    write_sample(path, [RECIPIENT], blobs=[b"a" * 700, b"b" * 1500])
    return path.read_bytes()


def only_rejections(data: bytes) -> None:
    with contextlib.suppress(BundleRejected):
        check_bundle(io.BytesIO(data))
    try:
        opened = read_bundle(io.BytesIO(data), IDENTITY)
    except BundleRejected:
        return
    assert isinstance(opened, OpenedBundle)


def mutate(data: bytes, edits: list[tuple[str, float, int, bytes]]) -> bytes:
    out = bytearray(data)
    for kind, where, length, payload in edits:
        at = int(where * len(out)) if out else 0
        if kind == "flip" and out:
            out[min(at, len(out) - 1)] ^= 1 << (length % 8)
        elif kind == "insert":
            out[at:at] = payload
        elif kind == "delete":
            del out[at : at + length]
        elif kind == "truncate":
            del out[at:]
        elif kind == "overwrite":
            out[at : at + len(payload)] = payload
    return bytes(out)


EDITS = st.lists(
    st.tuples(
        st.sampled_from(["flip", "insert", "delete", "truncate", "overwrite"]),
        st.floats(0, 1, exclude_max=True),
        st.integers(0, 600),
        st.binary(max_size=64) | st.just(bytes(512)),
    ),
    min_size=1,
    max_size=4,
)


@FUZZ
@given(st.binary(max_size=2048), st.booleans())
def test_random_bytes(data, with_magic):
    only_rejections((MAGIC + data) if with_magic else data)


@FUZZ
@given(edits=EDITS)
def test_mutated_bundles(bundle_bytes, edits):
    only_rejections(mutate(bundle_bytes, edits))


@FUZZ
@given(edits=EDITS)
def test_mutated_archives_under_a_valid_signature(edits):
    """The device's own signature over a damaged payload: the tar parser and
    the member checks see the damage (the outer checks cannot)."""
    plaintext = mutate(archive(plain_members(MADE)), edits)
    only_rejections(forge(plaintext, MADE, [RECIPIENT]))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@FUZZ
@given(manifest=JSON, keep_keys=st.booleans())
def test_hostile_manifests_signed_by_the_device(manifest, keep_keys):
    if keep_keys and isinstance(manifest, dict):
        manifest = {
            "format": "fieldvault-bundle-manifest",
            "version": 1,
            "bundle": {},
            "revisions": [],
            "custody": [],
            "blobs": [],
            **manifest,
        }
    try:
        raw = canonical(manifest)
    except rfc8785.CanonicalizationError:  # integers beyond 2^53: send them as text
        raw = repr(manifest).encode()
    members = plain_members(MADE)
    members[0] = ("manifest.json", raw)
    members[1] = ("manifest.sig", sign_manifest(MADE.device.private_key, raw))
    only_rejections(forge(archive(members), MADE, [RECIPIENT]))


@FUZZ
@given(
    changes=st.dictionaries(
        st.sampled_from(
            [
                "version",
                "sequence",
                "previous",
                "payload_size",
                "device_id",
                "custody_head",
                "org_id",
                "created_ms",
                "x",
            ]
        ),
        JSON,
        max_size=3,
    )
)
def test_hostile_headers_signed_by_the_device(changes):
    try:
        forged = forge(archive(plain_members(MADE)), MADE, [RECIPIENT], header_changes=changes)
    except rfc8785.CanonicalizationError:
        return  # not encodable as JCS: no bundle to test
    only_rejections(forged)
