"""The key hierarchy: master key, its wrapped copies (key slots), and subkeys.

A random 256-bit master key never touches disk in the clear. The key file holds
it wrapped (AES-256-GCM) under:

- the passphrase slot: KEK = HKDF(Argon2id(passphrase) [|| keyring secret]);
- the recovery slot: KEK = HKDF(recovery key), the recovery key being 256 random
  bits shown to the user once.

Subkeys for the database, the blob store and the device key store are HKDF
outputs of the master key, so rewrapping (passphrase change) never re-encrypts data.
The full format is in docs/vault-format.md.

argon2 and cryptography are imported inside the functions that use them: the
first screen imports this module for its constants and types, and loading
those two libraries was a fifth of the start-up time (the start-up benchmark).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import os
import secrets
import time
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

from db.errors import InvalidInput, VaultDamaged, WrongPassphrase, WrongRecoveryKey

KEY_FILE_FORMAT = "fieldvault-keys"
KEY_FILE_VERSION = 1
KEY_BYTES = 32
NONCE_BYTES = 12
RECOVERY_CHECK_BYTES = 2
# The floor for a new passphrase everywhere (CLI and GUI); the GUI also shows strength.
MIN_PASSPHRASE_CHARS = 8


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def hkdf(ikm: bytes, *, salt: bytes | None, info: bytes, length: int = KEY_BYTES) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


@dataclass(frozen=True)
class Argon2Params:
    """Argon2id cost, stored beside the wrapped key so later unlocks use the same."""

    time_cost: int
    memory_kib: int
    parallelism: int

    def derive(self, passphrase: str, salt: bytes) -> bytes:
        # NFC so that the same passphrase typed on two keyboards (precomposed
        # or combining Cyrillic й) gives the same key.
        secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
        from argon2.low_level import Type, hash_secret_raw

        return hash_secret_raw(
            secret,
            salt,
            time_cost=self.time_cost,
            memory_cost=self.memory_kib,
            parallelism=self.parallelism,
            hash_len=KEY_BYTES,
            type=Type.ID,
        )


# Below this much memory Argon2id stops resisting GPU guessing well: a loaded
# machine gets more passes, never less memory (RFC 9106 recommends 64 MiB for
# memory-constrained settings).
MIN_CALIBRATED_MEMORY_KIB = 64 * 1024
CALIBRATION_SAMPLES = 3
MAX_CALIBRATED_PASSES = 20
# What a key file may ask for. A file outside these is damaged or hostile: huge
# values would exhaust memory or time before the passphrase is even checked.
ARGON2_LIMITS = {"time_cost": (1, 64), "memory_kib": (8, 4 * 1024 * 1024), "parallelism": (1, 64)}
Timer = Callable[[Argon2Params], float]


def _time_derivation(params: Argon2Params) -> float:
    salt = secrets.token_bytes(16)
    started = time.perf_counter()
    params.derive("calibration", salt)
    return time.perf_counter() - started


def calibrate_argon2(
    target_seconds: float = 0.7, memory_kib: int = 256 * 1024, *, timer: Timer = _time_derivation
) -> Argon2Params:
    """Pick Argon2id parameters that take about ``target_seconds`` (0.5–1 s)
    on this machine.

    Memory is 256 MiB unless one pass already exceeds the target; then it is
    halved, but never below 64 MiB. A run costs a fixed setup (filling the
    memory) plus a cost per pass, so one and two passes are timed and the
    difference gives the per-pass cost; the pass count then reaches the target
    without undershooting it. Each timing is the fastest of several samples,
    so a moment of load elsewhere (the other core busy) does not make the
    machine look slower than it is."""
    parallelism = max(1, min(4, os.cpu_count() or 1))

    def fastest(passes: int, memory: int) -> float:
        return min(timer(Argon2Params(passes, memory, parallelism)) for _ in range(CALIBRATION_SAMPLES))

    while True:
        one = fastest(1, memory_kib)
        if one <= target_seconds or memory_kib // 2 < MIN_CALIBRATED_MEMORY_KIB:
            break
        memory_kib //= 2
    two = fastest(2, memory_kib)
    # The setup costs about one pass at most, so a pass costs at least half of
    # a one-pass run: this bounds the estimate when load made ``one`` look
    # slower than ``two`` allows (a near-zero difference once gave 20 passes).
    per_pass = max(two - one, one / 2, 1e-3)
    setup = max(one - per_pass, 0.0)
    passes = min(MAX_CALIBRATED_PASSES, max(1, math.ceil((target_seconds - setup) / per_pass)))
    # Check the choice itself; well over the target (a wrong estimate), scale down.
    for _ in range(3):
        took = min(timer(Argon2Params(passes, memory_kib, parallelism)) for _ in range(2))
        if took <= 1.5 * target_seconds or passes == 1:
            break
        passes = max(1, math.floor(passes * target_seconds / took))
    return Argon2Params(passes, memory_kib, parallelism)


def _checked_argon2(phrase: dict[str, Any]) -> Argon2Params:
    values = {}
    for name, (low, high) in ARGON2_LIMITS.items():
        value = phrase[name]
        if type(value) is not int or not low <= value <= high:
            raise ValueError(f"Argon2 {name} must be a whole number from {low} to {high}")
        values[name] = value
    if values["memory_kib"] < 8 * values["parallelism"]:
        raise ValueError("Argon2 memory_kib must be at least 8 times the parallelism")
    return Argon2Params(**values)


def _checked_b64(value: Any, length: int, name: str) -> str:
    if not isinstance(value, str) or len(unb64(value)) != length:
        raise ValueError(f"{name} must be {length} bytes in base64")
    return value


def _slot_aad(vault_id: str, slot: str) -> bytes:
    # Binds a wrapped key to its vault and slot: a slot copied from another
    # vault, or moved between slots, fails authentication.
    return f"fieldvault-keyslot-v1|{vault_id}|{slot}".encode()


def _wrap(kek: bytes, master_key: bytes, aad: bytes) -> dict[str, str]:
    nonce = secrets.token_bytes(NONCE_BYTES)
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return {"nonce": b64(nonce), "wrapped": b64(AESGCM(kek).encrypt(nonce, master_key, aad))}


def _unwrap(kek: bytes, slot: dict[str, Any], aad: bytes) -> bytes:
    """The key a slot wraps; ValueError when it does not authenticate."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(kek).decrypt(unb64(slot["nonce"]), unb64(slot["wrapped"]), aad)
    except InvalidTag:
        raise ValueError("the wrapped key does not authenticate") from None


def passphrase_kek(stretched: bytes, keyring_secret: bytes | None) -> bytes:
    if keyring_secret is None:
        return hkdf(stretched, salt=None, info=b"fieldvault/kek/passphrase")
    return hkdf(stretched + keyring_secret, salt=None, info=b"fieldvault/kek/passphrase+keyring")


def recovery_kek(recovery_key: bytes, salt: bytes) -> bytes:
    return hkdf(recovery_key, salt=salt, info=b"fieldvault/kek/recovery")


def format_recovery_key(raw: bytes) -> str:
    """Base32 in dash-separated groups of four, with a 2-byte typo check."""
    check = hashlib.sha256(raw).digest()[:RECOVERY_CHECK_BYTES]
    text = base64.b32encode(raw + check).decode("ascii").rstrip("=")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_recovery_key(text: str) -> bytes:
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    padded = cleaned + "=" * (-len(cleaned) % 8)
    try:
        decoded = base64.b32decode(padded)
    except ValueError:
        raise InvalidInput(
            "The recovery key contains characters that cannot be in one.", "recovery-key-characters"
        ) from None
    raw, check = decoded[:-RECOVERY_CHECK_BYTES], decoded[-RECOVERY_CHECK_BYTES:]
    if len(raw) != KEY_BYTES or not hmac.compare_digest(
        hashlib.sha256(raw).digest()[:RECOVERY_CHECK_BYTES], check
    ):
        raise InvalidInput(
            "The recovery key is mistyped: its check digits do not match.", "recovery-key-mistyped"
        )
    return raw


def duress_verifier(stretched: bytes) -> bytes:
    return hkdf(stretched, salt=None, info=b"fieldvault/duress-verifier")


@dataclass
class KeyFile:
    """The parsed key file. Secrets in it are only wrapped keys, salts and the
    duress verifier, which is random bytes until a duress passphrase is set, so
    the file does not tell whether one is."""

    vault_id: str
    argon2: Argon2Params
    # One salt per vault, kept across passphrase changes so that the duress
    # verifier (derived with the same salt) stays valid.
    passphrase_salt: str
    uses_keyring: bool
    passphrase_slot: dict[str, str]
    recovery_salt: str
    recovery_slot: dict[str, str]
    duress: str

    def to_bytes(self) -> bytes:
        document = {
            "format": KEY_FILE_FORMAT,
            "version": KEY_FILE_VERSION,
            "vault_id": self.vault_id,
            "passphrase": {
                "kdf": "argon2id",
                **asdict(self.argon2),
                "salt": self.passphrase_salt,
                "keyring": self.uses_keyring,
                "duress": self.duress,
                **self.passphrase_slot,
            },
            "recovery": {"kdf": "hkdf-sha256", "salt": self.recovery_salt, **self.recovery_slot},
        }
        return json.dumps(document, indent=2, sort_keys=True).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes, *, source: str) -> KeyFile:
        try:
            doc = json.loads(data.decode("utf-8"))
            if doc["format"] != KEY_FILE_FORMAT or doc["version"] != KEY_FILE_VERSION:
                raise ValueError("unknown format or version")
            phrase, recovery = doc["passphrase"], doc["recovery"]
            if phrase["kdf"] != "argon2id" or recovery["kdf"] != "hkdf-sha256":
                raise ValueError("unknown key derivation")
            if not isinstance(doc["vault_id"], str) or not isinstance(phrase["keyring"], bool):
                raise ValueError("vault_id must be text and keyring true or false")
            wrapped = KEY_BYTES + 16  # the key and its GCM tag
            return cls(
                vault_id=doc["vault_id"],
                argon2=_checked_argon2(phrase),
                passphrase_salt=_checked_b64(phrase["salt"], 16, "salt"),
                uses_keyring=phrase["keyring"],
                passphrase_slot={
                    "nonce": _checked_b64(phrase["nonce"], NONCE_BYTES, "nonce"),
                    "wrapped": _checked_b64(phrase["wrapped"], wrapped, "wrapped"),
                },
                recovery_salt=_checked_b64(recovery["salt"], 16, "recovery salt"),
                recovery_slot={
                    "nonce": _checked_b64(recovery["nonce"], NONCE_BYTES, "recovery nonce"),
                    "wrapped": _checked_b64(recovery["wrapped"], wrapped, "recovery wrapped"),
                },
                duress=_checked_b64(phrase["duress"], KEY_BYTES, "duress"),
            )
        except (ValueError, KeyError, TypeError, UnicodeDecodeError, AttributeError, RecursionError) as err:
            raise VaultDamaged(
                f"The key file {source} is damaged or not a Fieldvault key file ({err}).",
                "key-file-damaged",
                name=source,
            ) from None

    def stretch(self, passphrase: str) -> bytes:
        """The slow part of unlocking (Argon2id); run it off the GUI thread."""
        return self.argon2.derive(passphrase, unb64(self.passphrase_salt))

    def unwrap_with_passphrase(self, stretched: bytes, keyring_secret: bytes | None) -> bytes:
        kek = passphrase_kek(stretched, keyring_secret)
        try:
            return _unwrap(kek, self.passphrase_slot, _slot_aad(self.vault_id, "passphrase"))
        except ValueError:
            raise WrongPassphrase() from None

    def unwrap_with_recovery_key(self, recovery_key: bytes) -> bytes:
        kek = recovery_kek(recovery_key, unb64(self.recovery_salt))
        try:
            return _unwrap(kek, self.recovery_slot, _slot_aad(self.vault_id, "recovery"))
        except ValueError:
            raise WrongRecoveryKey() from None

    def is_duress(self, stretched: bytes) -> bool:
        return hmac.compare_digest(duress_verifier(stretched), unb64(self.duress))

    def with_passphrase(self, master_key: bytes, stretched: bytes, keyring_secret: bytes | None) -> KeyFile:
        """A copy whose passphrase slot opens with the passphrase ``stretched``
        came from (see ``stretch``)."""
        kek = passphrase_kek(stretched, keyring_secret)
        return replace(
            self,
            uses_keyring=keyring_secret is not None,
            passphrase_slot=_wrap(kek, master_key, _slot_aad(self.vault_id, "passphrase")),
        )

    def with_recovery_key(self, master_key: bytes, recovery_key: bytes) -> KeyFile:
        salt = secrets.token_bytes(16)
        return replace(
            self,
            recovery_salt=b64(salt),
            recovery_slot=_wrap(
                recovery_kek(recovery_key, salt), master_key, _slot_aad(self.vault_id, "recovery")
            ),
        )

    def with_duress(self, stretched: bytes | None) -> KeyFile:
        """Set (from a stretched duress passphrase) or clear (None) the duress passphrase."""
        verifier = duress_verifier(stretched) if stretched else secrets.token_bytes(KEY_BYTES)
        return replace(self, duress=b64(verifier))


def new_key_file(
    vault_id: str,
    master_key: bytes,
    passphrase: str,
    keyring_secret: bytes | None,
    argon2: Argon2Params,
    recovery_key: bytes,
) -> KeyFile:
    skeleton = KeyFile(
        vault_id=vault_id,
        argon2=argon2,
        passphrase_salt=b64(secrets.token_bytes(16)),
        uses_keyring=False,
        passphrase_slot={},
        recovery_salt="",
        recovery_slot={},
        duress=b64(secrets.token_bytes(KEY_BYTES)),
    )
    with_recovery = skeleton.with_recovery_key(master_key, recovery_key)
    return with_recovery.with_passphrase(master_key, skeleton.stretch(passphrase), keyring_secret)


@dataclass(frozen=True)
class Subkeys:
    database: bytes
    blobs: bytes
    device_keys: bytes


def derive_subkeys(master_key: bytes, vault_id: str) -> Subkeys:
    salt = vault_id.encode("ascii")
    return Subkeys(
        database=hkdf(master_key, salt=salt, info=b"fieldvault/subkey/database/v1"),
        blobs=hkdf(master_key, salt=salt, info=b"fieldvault/subkey/blobs/v1"),
        device_keys=hkdf(master_key, salt=salt, info=b"fieldvault/subkey/device-keys/v1"),
    )
