"""A deterministic sample bundle's contents: fixed keys, revisions made with
the vault's own create_revision, custody events signed as
docs/chain-of-custody.md says, and evidence files."""

from __future__ import annotations

import base64
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from db.device import DeviceIdentity as VaultDevice
from db.hlc import Timestamp
from db.revisions import canonical_json, create_revision
from sync.bundle import BlobSource, BundleContents, DeviceIdentity
from sync.bundle.format import device_id_of

ORG_ID = "01936f3e-8a00-7000-8000-000000000001"
CREATED_MS = 1_764_400_000_000
CUSTODY_DOMAIN = b"fieldvault-custody-v1\x00"


def device_from_seed(seed: bytes) -> VaultDevice:
    private = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(seed).digest())
    public = private.public_key().public_bytes_raw()
    return VaultDevice(device_id_of(public), public, private)


def signing(device: VaultDevice) -> DeviceIdentity:
    return DeviceIdentity(device.private_key, device.device_id)


@dataclass
class Sample:
    device: VaultDevice
    contents: BundleContents
    blob_bytes: dict[str, bytes]


def custody_event(device: VaultDevice, seq: int, prev: str, evidence_id: str, sha256: str) -> dict[str, str]:
    envelope = {
        "v": 1,
        "seq": seq,
        "prev": prev,
        "evidence": evidence_id,
        "action": "intake",
        "sha256": sha256,
        "device": device.device_id,
        "key": base64.b64encode(device.public_key).decode("ascii"),
        "user": "",
        "hlc": [CREATED_MS - 1000 + seq, 0],
        "wall": "2025-11-29T07:06:40.000Z",
        "details": {},
    }
    signed = canonical_json(envelope)
    return {
        "hash": hashlib.sha256(signed).hexdigest(),
        "signed": base64.b64encode(signed).decode("ascii"),
        "signature": base64.b64encode(device.sign(CUSTODY_DOMAIN + signed)).decode("ascii"),
    }


def sample(
    blobs: list[bytes] | None = None,
    *,
    sequence: int = 1,
    previous: str | None = None,
    seed: bytes = b"sample device",
    org_id: str = ORG_ID,
) -> Sample:
    """Two evidence items and a case; blobs default to two small files."""
    device = device_from_seed(seed)
    blob_data = blobs if blobs is not None else [b"photo bytes \x00\xff" * 100, b"audio" * 3000]
    revisions = []
    custody = []
    prev = "0" * 64
    sources = []
    case_id = "01936f3e-8a00-7000-8000-0000000000c1"
    revisions.append(
        create_revision(
            device,
            entity_id=case_id,
            entity_type="case",
            op="put",
            body={"title": "Sample case"},
            parents=[],
            hlc=Timestamp(CREATED_MS - 5000, 0),
        ).to_wire()
    )
    for index, data in enumerate(blob_data):
        sha = hashlib.sha256(data).hexdigest()
        evidence_id = f"01936f3e-8a00-7000-8000-e{index + 1:011x}"
        revisions.append(
            create_revision(
                device,
                entity_id=evidence_id,
                entity_type="evidence",
                op="put",
                body={"case": case_id, "sha256": sha, "size": len(data)},
                parents=[],
                hlc=Timestamp(CREATED_MS - 4000, index),
            ).to_wire()
        )
        event = custody_event(device, index + 1, prev, evidence_id, sha)
        custody.append(event)
        prev = event["hash"]
        sources.append(BlobSource(sha, len(data), (evidence_id,), io.BytesIO(data)))
    contents = BundleContents(
        org_id=org_id,
        profile_version=1,
        sequence=sequence,
        previous=previous,
        custody_head=custody[-1]["hash"] if custody else None,
        revisions=revisions,
        custody=custody,
        blobs=sources,
    )
    return Sample(device, contents, {hashlib.sha256(d).hexdigest(): d for d in blob_data})


def plain_manifest() -> dict[str, object]:
    """The JSON of a manifest with nothing in it (a bundle after the
    first, of no revision, custody event or file): what a test of one
    optional member adds that member to."""
    return {
        "format": "fieldvault-bundle-manifest",
        "version": 1,
        "bundle": {
            "org_id": ORG_ID,
            "device_id": "a" * 32,
            "sequence": 2,
            "previous": "b" * 64,
        },
        "revisions": [],
        "custody": [],
        "blobs": [],
    }


def write_sample(dest: Path, recipients: list[str], **kwargs: object) -> Sample:
    from sync.bundle import write_bundle

    made = sample(**kwargs)  # type: ignore[arg-type]
    write_bundle(dest, made.contents, signing(made.device), recipients, created_ms=CREATED_MS)
    return made


# --- Forging: bundles made by hand, for refusals a correct writer never makes.


def tar_member(name: str, data: bytes, mtime: int = CREATED_MS // 1000) -> bytes:
    from sync.bundle.archive import member_header, padding

    return member_header(name, len(data), mtime) + data + padding(len(data))


def plain_members(made: Sample, manifest_json: dict | None = None) -> list[tuple[str, bytes]]:
    """The members a correct writer puts in ``made``'s payload, in order."""
    from sync.bundle.format import canonical, sign_manifest
    from sync.bundle.writer import build_manifest

    manifest = canonical(manifest_json or build_manifest(made.contents, made.device.device_id).to_json())
    members = [
        ("manifest.json", manifest),
        ("manifest.sig", sign_manifest(made.device.private_key, manifest)),
        ("revisions.jsonl", b"".join(canonical(r) + b"\n" for r in made.contents.revisions)),
        ("custody.jsonl", b"".join(canonical(e) + b"\n" for e in made.contents.custody)),
    ]
    members += [(f"blobs/{sha}", data) for sha, data in made.blob_bytes.items()]
    return members


def archive(members: list[tuple[str, bytes]]) -> bytes:
    return b"".join(tar_member(n, d) for n, d in members) + bytes(1024)


def forge(
    plaintext: bytes,
    made: Sample,
    recipients: list[str],
    *,
    signer: Ed25519PrivateKey | None = None,
    header_changes: dict | None = None,
) -> bytes:
    """A whole bundle file around ``plaintext`` (the tar stream), its header
    signed by ``signer`` (default: the sample's device)."""
    import pyrage

    from sync.bundle.format import MAGIC, canonical, sign_header

    payload = pyrage.encrypt(plaintext, [pyrage.x25519.Recipient.from_str(r) for r in recipients])
    c = made.contents
    header = {
        "format": "fieldvault-bundle",
        "version": 1,
        "org_id": c.org_id,
        "profile_version": c.profile_version,
        "device_id": made.device.device_id,
        "device_key": base64.b64encode(made.device.public_key).decode("ascii"),
        "sequence": c.sequence,
        "previous": c.previous,
        "created_ms": CREATED_MS,
        "custody_head": c.custody_head,
        "payload_size": len(payload),
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
    }
    header.update(header_changes or {})
    header_bytes = canonical(header)
    signature = sign_header(signer or made.device.private_key, header_bytes)
    return MAGIC + len(header_bytes).to_bytes(4, "big") + header_bytes + signature + payload


# The checked-in vector (tests/vectors/bundle-v1/): its device seed and files.
VECTOR_SEED = b"fieldvault bundle-v1 test vector"
VECTOR_BLOBS = [b"JPEG stand-in: \x00\x01\x02\xff", b"A" * 1000]
