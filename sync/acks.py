"""Acknowledgements: a coordinator tells a field worker, by the same USB
stick, which of its bundles the organisation holds, so that the worker's
next bundle carries only what is new (docs/bundle-format.md §9).

An acknowledgement file names one bundle (organisation, device, bundle id
and sequence) and is signed by a coordinator's device key. The worker takes
it only when that key is a coordinator's in the newest organisation profile
it holds, the file is addressed to it, and it made that bundle; then the
cursors move to what the bundle carried (``vault.sync.acknowledge_bundle``).
Acknowledging bundle N acknowledges everything before it too: a bundle
carries everything not acknowledged when it was made.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from db.api import Codes, FieldvaultError, SentBundleRecord, Vault, strict_b64decode
from sync.bundle.regular_file import NotARegularFile, open_regular
from sync.org import OrgRefused, Profile, device_id_of
from sync.org_vault import held_profile

ACK_FORMAT = "fieldvault-bundle-ack"
ACK_DOMAIN = b"fieldvault-bundle-ack/1\n"
ACK_SUFFIX = ".fvack"
MAX_ACK = 16_384  # bytes of an acknowledgement file
MAX_SAFE_INTEGER = 2**53 - 1
ACK_MEMBERS = {
    "format",
    "version",
    "org_id",
    "device_id",
    "bundle_id",
    "sequence",
    "coordinator_id",
    "coordinator_key",
    "created_ms",
}
_HEX32 = re.compile(r"[0-9a-f]{32}")
_HEX64 = re.compile(r"[0-9a-f]{64}")


class AckRefused(FieldvaultError):
    """An acknowledgement file was refused, or could not be made; nothing
    was changed."""

    codes: ClassVar[Codes] = {
        "ack-form": (),
        "ack-signature": (),
        "ack-other-organisation": ("org_id",),
        "ack-other-device": ("device_id",),
        "ack-not-coordinator": ("device_id",),
        "ack-unknown-bundle": ("bundle_id",),
        "ack-not-imported": ("bundle_id",),
    }

    def __init__(self, message: str, code: str, **params: str) -> None:
        super().__init__(message, code, **params)


@dataclass(frozen=True)
class Acknowledgement:
    org_id: str
    device_id: str  # the worker whose bundle it acknowledges
    bundle_id: str
    sequence: int
    coordinator_id: str
    coordinator_key: bytes  # raw 32-byte Ed25519: signs the file
    created_ms: int

    def to_json(self) -> dict[str, Any]:
        return {
            "format": ACK_FORMAT,
            "version": 1,
            "org_id": self.org_id,
            "device_id": self.device_id,
            "bundle_id": self.bundle_id,
            "sequence": self.sequence,
            "coordinator_id": self.coordinator_id,
            "coordinator_key": base64.b64encode(self.coordinator_key).decode("ascii"),
            "created_ms": self.created_ms,
        }

    @property
    def file_name(self) -> str:
        return f"{self.org_id}-{self.device_id}-{self.sequence}{ACK_SUFFIX}"


def _form() -> AckRefused:
    return AckRefused("This is not a Fieldvault acknowledgement file.", "ack-form")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    if len({name for name, _ in pairs}) != len(pairs):
        raise _form()
    return dict(pairs)


def _count(value: Any, low: int) -> bool:
    return type(value) is int and low <= value <= MAX_SAFE_INTEGER


def _key(text: Any) -> bytes | None:
    return strict_b64decode(text, 32)


def _is_uuid(value: Any) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value
    except ValueError:
        return False


def sign_ack(ack: Acknowledgement, private_key: Ed25519PrivateKey) -> bytes:
    """The file: canonical JSON ``{"ack": A, "signature": S}``, S Ed25519 by
    the coordinator's device key over ``"fieldvault-bundle-ack/1\\n"`` ‖ JCS(A)."""
    body = ack.to_json()
    signature = private_key.sign(ACK_DOMAIN + rfc8785.dumps(body))
    return rfc8785.dumps({"ack": body, "signature": base64.b64encode(signature).decode("ascii")})


def read_ack(data: bytes) -> Acknowledgement:
    """Check an acknowledgement file's form (``ack-form``) and its signature
    by the key it names (``ack-signature``); whose key that is, is the
    caller's to check (``take_ack``)."""
    if len(data) > MAX_ACK:
        raise _form()
    try:
        envelope = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _form() from None
    if not isinstance(envelope, dict) or set(envelope) != {"ack", "signature"}:
        raise _form()
    body, signature_text = envelope["ack"], envelope["signature"]
    if not isinstance(body, dict) or set(body) != ACK_MEMBERS or not isinstance(signature_text, str):
        raise _form()
    key = _key(body["coordinator_key"])
    if (
        body["format"] != ACK_FORMAT
        or type(body["version"]) is not int
        or body["version"] != 1
        or not _is_uuid(body["org_id"])
        or not isinstance(body["device_id"], str)
        or not _HEX32.fullmatch(body["device_id"])
        or not isinstance(body["bundle_id"], str)
        or not _HEX64.fullmatch(body["bundle_id"])
        or not _count(body["sequence"], 1)
        or not _count(body["created_ms"], 0)
        or key is None
        or body["coordinator_id"] != device_id_of(key)
    ):
        raise _form()
    try:
        if rfc8785.dumps(envelope) != data:
            raise _form()
    except rfc8785.CanonicalizationError:
        raise _form() from None
    # Only the canonical spelling: changed unused low bits in the last
    # character would be other bytes on disk with the same signature.
    signature = strict_b64decode(signature_text)
    if signature is None:
        raise _form()
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(signature, ACK_DOMAIN + rfc8785.dumps(body))
    except (InvalidSignature, ValueError):
        raise AckRefused(
            "This acknowledgement's signature does not verify: it was changed after it was signed, or forged. "
            "Nothing was changed.",
            "ack-signature",
        ) from None
    return Acknowledgement(
        org_id=body["org_id"],
        device_id=body["device_id"],
        bundle_id=body["bundle_id"],
        sequence=body["sequence"],
        coordinator_id=body["coordinator_id"],
        coordinator_key=key,
        created_ms=body["created_ms"],
    )


def _profile(vault: Vault) -> Profile:
    profile = held_profile(vault)
    if profile is None:
        raise OrgRefused(
            "This vault belongs to no organisation yet: create one (org create) or enrol (enrol).", "org-none"
        )
    return profile


# -- the coordinator's side ---------------------------------------------------------------


def make_ack(vault: Vault, bundle_id: str, *, now_ms: int | None = None) -> Acknowledgement:
    """An acknowledgement of bundle ``bundle_id``, imported into this vault,
    signed as this vault's device (a coordinator of the profile)."""
    profile = _profile(vault)
    if profile.coordinator(vault.device_id) is None:
        raise OrgRefused(
            f"This vault is not a coordinator of organisation {profile.org_id}: its acknowledgements would "
            "be refused.",
            "org-not-coordinator",
            org_id=profile.org_id,
        )
    received = vault.sync.received_bundle(bundle_id)
    if received is None:
        raise AckRefused(
            f"Bundle {bundle_id} was not imported into this vault; it cannot be acknowledged.",
            "ack-not-imported",
            bundle_id=bundle_id,
        )
    return Acknowledgement(
        org_id=profile.org_id,
        device_id=received.device_id,
        bundle_id=received.bundle_id,
        sequence=received.sequence,
        coordinator_id=vault.device_id,
        coordinator_key=vault.device_public_key,
        created_ms=time.time_ns() // 1_000_000 if now_ms is None else now_ms,
    )


def write_ack(vault: Vault, bundle_id: str, dest_dir: Path) -> Path:
    """Write the signed acknowledgement of ``bundle_id`` into ``dest_dir``
    (``<org>-<device>-<sequence>.fvack``). A file already there that is a
    valid acknowledgement of the same bundle is kept as it is; any other file
    of that name is not replaced (FileExistsError)."""
    ack = make_ack(vault, bundle_id)
    target = dest_dir / ack.file_name
    if target.exists():
        try:
            # A FIFO or device of that name (on a worker's stick) is no
            # acknowledgement: refused unread, never waited on. At most one
            # byte past the limit is read: a longer file (any size, on a
            # stick) is another file of that name, refused by read_ack.
            with open_regular(target) as held:
                if read_ack(held.read(MAX_ACK + 1)).bundle_id == bundle_id:
                    return target
        except (AckRefused, NotARegularFile, IsADirectoryError):
            pass
        raise FileExistsError(f"{target} exists and is not the acknowledgement of bundle {bundle_id}")
    data = sign_ack(ack, vault.sync.signing_key())
    temp = dest_dir / f".{ack.file_name}.{secrets.token_hex(8)}.tmp"
    with temp.open("xb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    try:
        os.link(temp, target)  # never replaces a file that appeared meanwhile
    except FileExistsError:
        temp.unlink()
        raise
    except OSError:  # no hard links (FAT/exFAT sticks): rename, after a last look
        if target.exists():
            temp.unlink()
            raise FileExistsError(f"{target} exists") from None
        temp.replace(target)
        return target
    temp.unlink()
    return target


def write_latest_acks(vault: Vault, dest_dir: Path, *, device_id: str | None = None) -> list[Path]:
    """The acknowledgement of the newest bundle imported from each device
    (or from ``device_id`` only): it acknowledges the ones before it too."""
    written = []
    for device in vault.sync.devices():
        if device.last_bundle_id is None or (device_id is not None and device.device_id != device_id):
            continue
        written.append(write_ack(vault, device.last_bundle_id, dest_dir))
    return written


# -- the worker's side -----------------------------------------------------------------------


def take_ack(vault: Vault, data: bytes) -> tuple[Acknowledgement, SentBundleRecord]:
    """Check an acknowledgement (form, signature, organisation, addressee,
    a coordinator of the newest profile this vault holds, a bundle this
    device made) and move the cursors to what that bundle carried. Taking
    the same acknowledgement again changes nothing. AckRefused otherwise,
    with nothing changed."""
    ack = read_ack(data)
    profile = _profile(vault)
    if ack.org_id != profile.org_id:
        raise AckRefused(
            f"This acknowledgement belongs to another organisation ({ack.org_id}). Nothing was changed.",
            "ack-other-organisation",
            org_id=ack.org_id,
        )
    if ack.device_id != vault.device_id:
        raise AckRefused(
            f"This acknowledgement is for device {ack.device_id}, not this one. Nothing was changed.",
            "ack-other-device",
            device_id=ack.device_id,
        )
    coordinator = profile.coordinator(ack.coordinator_id)
    if coordinator is None or coordinator.device_key != ack.coordinator_key:
        raise AckRefused(
            f"This acknowledgement is signed by device {ack.coordinator_id}, which is not a coordinator of "
            "your organisation (in the newest profile this vault holds). It may be forged; nothing was changed.",
            "ack-not-coordinator",
            device_id=ack.coordinator_id,
        )
    sent = vault.sync.sent_bundle(ack.bundle_id)
    if sent is None or sent.sequence != ack.sequence:
        raise AckRefused(
            f"This acknowledgement names bundle {ack.bundle_id}, which this device did not make. Nothing was "
            "changed.",
            "ack-unknown-bundle",
            bundle_id=ack.bundle_id,
        )
    return ack, vault.sync.acknowledge_bundle(ack.bundle_id, ack.coordinator_id)


def is_ack_file(path: Path) -> bool:
    """Does the file look like an acknowledgement (JSON), not a bundle?"""
    with open_regular(path) as handle:  # a FIFO is refused, not waited on
        return handle.read(8) == b'{"ack":{'
