"""A bundle is readable without Fieldvault: the payload is cut out with the
shell commands of docs/bundle-format.md §6, decrypted by Debian's `age` and
unpacked by `tar`; its signatures check with a short verifier that imports
only `cryptography` and follows the spec."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pyrage
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tests.sync.bundle_samples import write_sample


@pytest.fixture(autouse=True)
def _age_tool() -> None:
    # Not a skip: the interoperability claim would pass untested.
    assert shutil.which("age"), "Debian's age is missing: run scripts/system-deps.sh"


def cut_and_unpack(bundle: Path, identity: str, into: Path) -> None:
    """§6, as a shell runs it."""
    key = into / "coordinator.key"
    key.write_text(identity + "\n")
    key.chmod(0o600)
    script = f"""set -eu
N=$(head -c 24 '{bundle}' | tail -c 4 | od -An -tu4 --endian=big | tr -d ' ')
tail -c +$((20 + 4 + N + 64 + 1)) '{bundle}' > payload.age
age -d -i coordinator.key payload.age | tar -x
"""
    subprocess.run(["sh", "-c", script], cwd=into, check=True, capture_output=True)


def independent_check(bundle: Path, unpacked: Path) -> dict:
    """Only the spec and `cryptography`: §1's layout, §2's signature and
    device id, §7's payload size and hash, §4's manifest signature and
    binding, §3's members hashed against the manifest."""
    data = bundle.read_bytes()
    assert data[:20] == b"fieldvault-bundle/1\n"
    n = int.from_bytes(data[20:24], "big")
    header_bytes, signature, payload = data[24 : 24 + n], data[24 + n : 24 + n + 64], data[24 + n + 64 :]
    header = json.loads(header_bytes)
    device_key = base64.b64decode(header["device_key"])
    key = Ed25519PublicKey.from_public_bytes(device_key)
    key.verify(signature, b"fieldvault-bundle-header/1\n" + header_bytes)  # raises if it does not verify
    assert header["device_id"] == hashlib.sha256(device_key).hexdigest()[:32]
    assert len(payload) == header["payload_size"]
    assert hashlib.sha256(payload).hexdigest() == header["payload_sha256"]
    manifest_bytes = (unpacked / "manifest.json").read_bytes()
    key.verify((unpacked / "manifest.sig").read_bytes(), b"fieldvault-bundle-manifest/1\n" + manifest_bytes)
    manifest = json.loads(manifest_bytes)
    assert manifest["bundle"] == {k: header[k] for k in ("org_id", "device_id", "sequence", "previous")}
    lines = (unpacked / "revisions.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == manifest["revisions"]
    for line in lines:
        revision = json.loads(line)
        assert hashlib.sha256(base64.b64decode(revision["signed"])).hexdigest() == revision["id"]
    events = [json.loads(line) for line in (unpacked / "custody.jsonl").read_text().splitlines()]
    assert [e["hash"] for e in events] == [c["hash"] for c in manifest["custody"]]
    if events:
        assert events[-1]["hash"] == header["custody_head"]
    for blob in manifest["blobs"]:
        content = (unpacked / "blobs" / blob["sha256"]).read_bytes()
        assert (hashlib.sha256(content).hexdigest(), len(content)) == (blob["sha256"], blob["size"])
    bundle_id = hashlib.sha256(header_bytes + signature).hexdigest()
    return {"header": header, "manifest": manifest, "bundle_id": bundle_id}


def test_the_age_tool_and_tar_recover_everything(tmp_path):
    identity = pyrage.x25519.Identity.generate()
    bundle = tmp_path / "b.fvbundle"
    made = write_sample(bundle, [str(identity.to_public())])
    out = tmp_path / "out"
    out.mkdir()
    cut_and_unpack(bundle, str(identity), out)
    for sha, content in made.blob_bytes.items():
        assert (out / "blobs" / sha).read_bytes() == content
    names = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert names == sorted(
        [
            "coordinator.key",
            "payload.age",
            "manifest.json",
            "manifest.sig",
            "revisions.jsonl",
            "custody.jsonl",
        ]
        + [f"blobs/{sha}" for sha in made.blob_bytes]
    )
    checked = independent_check(bundle, out)
    assert checked["manifest"]["revisions"] == [r["id"] for r in made.contents.revisions]


def test_the_age_tool_refuses_a_non_recipient(tmp_path):
    bundle = tmp_path / "b.fvbundle"
    write_sample(bundle, [str(pyrage.x25519.Identity.generate().to_public())])
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(subprocess.CalledProcessError):
        cut_and_unpack(bundle, str(pyrage.x25519.Identity.generate()), out)
    assert not (out / "manifest.json").exists()


def test_the_independent_verifier_catches_a_forged_header(tmp_path):
    identity = pyrage.x25519.Identity.generate()
    bundle = tmp_path / "b.fvbundle"
    write_sample(bundle, [str(identity.to_public())])
    out = tmp_path / "out"
    out.mkdir()
    cut_and_unpack(bundle, str(identity), out)
    data = bytearray(bundle.read_bytes())
    data[data.index(b'"sequence":1') + 11] = ord("2")
    bundle.write_bytes(bytes(data))
    with pytest.raises(InvalidSignature):
        independent_check(bundle, out)
