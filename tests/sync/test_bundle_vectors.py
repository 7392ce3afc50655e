"""The checked-in vector (tests/vectors/bundle-v1/, README there): a fixed
bundle file, the coordinator identity that opens it, the device key that
made it and the expected header and manifest. Another implementation
checks itself against these files; this one must keep reading them."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pyrage
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.bundle import BlobEntry, BundleRejected, check_bundle, read_bundle
from sync.bundle.format import canonical
from sync.bundle.writer import build_manifest
from tests.sync.bundle_samples import VECTOR_BLOBS, VECTOR_SEED, sample
from tests.sync.test_bundle_interop import cut_and_unpack, independent_check

VECTOR = Path(__file__).resolve().parents[1] / "vectors" / "bundle-v1"


def expected(name: str) -> dict:
    return json.loads((VECTOR / name).read_bytes())


class _Sink(bytearray):
    closed = False

    def write(self, data: bytes) -> int:
        assert not self.closed
        self.extend(data)
        return len(data)

    def close(self) -> None:
        self.closed = True


def test_the_reader_opens_the_vector_and_finds_what_it_promises():
    files: dict[str, _Sink] = {}

    def open_blob(entry: BlobEntry) -> _Sink:
        return files.setdefault(entry.sha256, _Sink())

    identity = (VECTOR / "coordinator.key").read_text().strip()
    opened = read_bundle(VECTOR / "bundle.fvbundle", identity, open_blob=open_blob)
    assert opened.header.to_json() == expected("header.json")
    assert opened.manifest.to_json() == expected("manifest.json")
    assert opened.bundle_id == (VECTOR / "bundle-id.txt").read_text().strip()
    assert {sha: bytes(data) for sha, data in files.items()} == {
        entry.sha256: blob for entry, blob in zip(opened.manifest.blobs, VECTOR_BLOBS, strict=True)
    }
    assert check_bundle(VECTOR / "bundle.fvbundle").bundle_id == opened.bundle_id


def test_the_vector_files_are_canonical_and_the_device_key_is_the_signer():
    for name in ("header.json", "manifest.json"):
        assert (VECTOR / name).read_bytes() == canonical(expected(name)) + b"\n"
    device = expected("device.json")
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(device["private_seed_hex"]))
    public = key.public_key().public_bytes_raw()
    assert base64.b64encode(public).decode() == device["public_key"]
    assert hashlib.sha256(public).hexdigest()[:32] == device["device_id"]
    assert expected("header.json")["device_key"] == device["public_key"]
    # The sample the vector was made from still gives the same manifest, byte
    # for byte (Ed25519 and JCS are deterministic; only age is not), once
    # told to leave out ``reads`` (§4), which the vector predates.
    made = sample(blobs=VECTOR_BLOBS, seed=VECTOR_SEED)
    old = replace(made.contents, reads_revision=None)
    assert canonical(build_manifest(old, made.device.device_id).to_json()) == canonical(
        expected("manifest.json")
    )


def test_the_vector_predates_reads_and_means_version_1():
    """§4 ``reads`` is optional: the vector's manifest, made without it, is
    read as from a sender that reads revision format version 1 only."""
    assert "reads" not in expected("manifest.json")
    opened = read_bundle(VECTOR / "bundle.fvbundle", (VECTOR / "coordinator.key").read_text().strip())
    assert opened.manifest.reads_revision is None
    assert opened.manifest.revision_format_read == 1


def test_the_standard_tools_open_the_vector(tmp_path):
    cut_and_unpack(VECTOR / "bundle.fvbundle", (VECTOR / "coordinator.key").read_text().strip(), tmp_path)
    checked = independent_check(VECTOR / "bundle.fvbundle", tmp_path)
    assert checked["header"] == expected("header.json")
    assert checked["manifest"] == expected("manifest.json")


def test_another_identity_cannot_open_the_vector():
    with pytest.raises(BundleRejected) as refused:
        read_bundle(VECTOR / "bundle.fvbundle", pyrage.x25519.Identity.generate())
    assert refused.value.reason == "not-a-recipient"
