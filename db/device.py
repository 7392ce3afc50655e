"""The device's Ed25519 signing identity, created with the vault and kept inside it."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from db.errors import VaultDamaged

DEVICE_ID_BYTES = 16


def device_id_for(public_key: bytes) -> str:
    """A device id is the first 128 bits of SHA-256 of its raw public key, so
    anyone holding a revision can check that the key belongs to the id."""
    return hashlib.sha256(public_key).digest()[:DEVICE_ID_BYTES].hex()


def raw_public_key(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class DeviceIdentity:
    device_id: str
    public_key: bytes
    private_key: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> DeviceIdentity:
        private = Ed25519PrivateKey.generate()
        public = raw_public_key(private.public_key())
        return cls(device_id_for(public), public, private)

    def sign(self, message: bytes) -> bytes:
        return self.private_key.sign(message)

    def seal(self, device_keys_subkey: bytes) -> bytes:
        raw = self.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        nonce = secrets.token_bytes(12)
        return nonce + AESGCM(device_keys_subkey).encrypt(nonce, raw, self.device_id.encode())

    @classmethod
    def unseal(cls, device_id: str, sealed: bytes, device_keys_subkey: bytes) -> DeviceIdentity:
        try:
            raw = AESGCM(device_keys_subkey).decrypt(sealed[:12], sealed[12:], device_id.encode())
        except InvalidTag:
            raise VaultDamaged(
                f"The signing key of device {device_id} does not decrypt.",
                "device-key-undecryptable",
                device_id=device_id,
            ) from None
        private = Ed25519PrivateKey.from_private_bytes(raw)
        public = raw_public_key(private.public_key())
        if device_id_for(public) != device_id:
            raise VaultDamaged(
                f"The signing key stored for device {device_id} is not that device's.",
                "device-key-mismatch",
                device_id=device_id,
            )
        return cls(device_id, public, private)
