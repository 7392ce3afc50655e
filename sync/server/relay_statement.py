"""A coordinator's relay statement (docs/server.md §4, docs/sync.md §2.3).

A coordinator may upload another device's bundle that reached it by USB.
A session token alone must not be enough for that (a stolen one would put
bundles of any key into the organisation's feed): the upload carries the
coordinator's Ed25519 signature, by its device key, over

    "fieldvault-server-relay/1\\n" ‖ JCS({"org_id", "relayer_id",
    "bundle_id", "device_id", "sequence", "payload_sha256"})

— the organisation, the relaying coordinator, and the relayed bundle's id,
maker, number and payload hash, as its checked header gives them. The
server builds the same message from what it checked itself and verifies the
signature against the relayer's key in the newest profile it holds, so a
signature made for another bundle, by another key or for another
organisation verifies for nothing else. It travels in the tus creation
request, ``Upload-Metadata: relay-signature <base64 of the 64 bytes>``, and
the server keeps it only until the upload ends: checked, it would be proof
anyone could verify that the bundle passed through that desk by hand, so
only ``relayed_by`` stays (docs/server.md §6).

Pure functions over bytes, shared by sync/server and sync/client (like
protocol.py), so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sync.server.protocol import b64, canonical, unb64

RELAY_DOMAIN = b"fieldvault-server-relay/1\n"
METADATA_KEY = "relay-signature"  # its tus Upload-Metadata key
MAX_METADATA = 4096  # characters of Upload-Metadata a server reads


class MetadataRefused(ValueError):
    """An ``Upload-Metadata`` header the server does not take; ``code`` is
    the reply's error code (docs/server.md §2)."""

    code = "upload-metadata"


class MetadataForm(MetadataRefused):
    """Upload-Metadata names a relay signature that is not 64 bytes of base64."""

    code = "relay-statement"


@dataclass(frozen=True)
class RelayStatement:
    """What the relaying coordinator signs: "I, ``relayer_id``, relay this
    bundle of ``device_id`` to organisation ``org_id``"."""

    org_id: str
    relayer_id: str
    bundle_id: str
    device_id: str  # the bundle's maker
    sequence: int
    payload_sha256: str

    def message(self) -> bytes:
        return RELAY_DOMAIN + canonical(
            {
                "org_id": self.org_id,
                "relayer_id": self.relayer_id,
                "bundle_id": self.bundle_id,
                "device_id": self.device_id,
                "sequence": self.sequence,
                "payload_sha256": self.payload_sha256,
            }
        )

    def sign(self, key: Ed25519PrivateKey) -> bytes:
        return key.sign(self.message())

    def signed_by(self, relayer_key: bytes, signature: bytes | None) -> bool:
        """Is ``signature`` the relayer's (its 32-byte public key) over exactly this?"""
        if signature is None or len(signature) != 64:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(relayer_key).verify(signature, self.message())
        except (InvalidSignature, ValueError):
            return False
        return True


def upload_metadata(signature: bytes) -> str:
    """The tus ``Upload-Metadata`` value carrying the signature."""
    return f"{METADATA_KEY} {b64(signature)}"


def signature_in(metadata: str | None) -> bytes | None:
    """The relay signature named in a tus ``Upload-Metadata`` value (comma-
    separated ``key [base64 value]`` pairs), or None when it names none;
    every other key is ignored, as tus allows. Keys are compared exactly,
    case and all: tus 1.0 gives them no case rule, so ``Relay-Signature``
    is another key, ignored like a file name.

    MetadataRefused (``upload-metadata``) when the header is over
    MAX_METADATA characters or names a key twice (tus: "All keys MUST be
    unique"; a second ``relay-signature`` would leave which one counts to
    the parser); MetadataForm (``relay-statement``) when the signature is
    not 64 bytes of strict base64."""
    if metadata is None:
        return None
    if len(metadata) > MAX_METADATA:
        raise MetadataRefused(f"Upload-Metadata is over {MAX_METADATA} characters")
    keys: set[str] = set()
    found: str | None = None
    for pair in metadata.split(","):
        key, _, value = pair.strip().partition(" ")
        if not key:
            continue  # an empty pair (a trailing comma): names nothing
        if key in keys:
            raise MetadataRefused("Upload-Metadata names a key twice")
        keys.add(key)
        if key == METADATA_KEY:
            found = value
    if found is None:
        return None
    signature = unb64(found.strip(), 64)
    if signature is None:
        raise MetadataForm(f"{METADATA_KEY} is base64 of 64 bytes")
    return signature
