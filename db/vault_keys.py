"""Keys the vault holds besides its device signing key (db/device.py), sealed
the same way, and the enrolment tokens a coordinator issued.

- The **age identity** (X25519): what coordinators' bundles are encrypted to.
  Every vault has one: made with the vault, or at the first unlock after the
  upgrade that added it (migration 0010). Its public half, the recipient
  ``age1…``, goes into the organisation profile and the known devices.
- The **organisation signing key** (Ed25519): only in a coordinator's vault,
  from ``fieldvault org create`` on (sync/org.py signs profiles and tokens
  with it).

Each is stored in ``vault_keys`` as ``nonce ‖ AES-256-GCM(device-keys subkey,
secret, aad)``, the aad binding purpose, device and public half
(docs/vault-format.md, "Vault keys"). Nothing here leaves the vault except
public halves; the secrets are handed to sync/ in memory.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

import pyrage
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select

from db.errors import VaultDamaged, VaultLocked
from db.model import EnrolmentToken, VaultKey
from db.services import VaultContext

AGE_IDENTITY = "age-identity"
ORG_SIGNING_KEY = "org-signing-key"
TOKEN_USES = ("accepted", "unknown", "expired", "used")


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _aad(purpose: str, device_id: str, public: str) -> bytes:
    return f"fieldvault/vault-key/v1|{purpose}|{device_id}|{public}".encode()


def seal_secret(subkey: bytes, purpose: str, device_id: str, public: str, secret: bytes) -> bytes:
    nonce = secrets.token_bytes(12)
    return nonce + AESGCM(subkey).encrypt(nonce, secret, _aad(purpose, device_id, public))


def unseal_secret(subkey: bytes, purpose: str, device_id: str, public: str, sealed: bytes) -> bytes:
    try:
        return AESGCM(subkey).decrypt(sealed[:12], sealed[12:], _aad(purpose, device_id, public))
    except InvalidTag:
        raise VaultDamaged(
            f"The vault's {purpose} does not decrypt.", "vault-key-undecryptable", purpose=purpose
        ) from None


def _mismatch(purpose: str) -> VaultDamaged:
    return VaultDamaged(
        f"The vault's {purpose} does not match its recorded public key.",
        "vault-key-mismatch",
        purpose=purpose,
    )


def org_public_hex(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes_raw().hex()


class VaultKeys:
    """``vault.vault_keys``: the age identity and the organisation signing
    key. Dropped at lock with the other keys."""

    def __init__(self, ctx: VaultContext, device_keys_subkey: bytes) -> None:
        self._ctx = ctx
        self._subkey: bytes | None = device_keys_subkey

    def close(self) -> None:
        self._subkey = None

    @property
    def _key(self) -> bytes:
        if self._subkey is None:
            raise VaultLocked()
        return self._subkey

    def _row(self, purpose: str) -> tuple[str, bytes] | None:
        with self._ctx.sessions() as session:
            row = session.get(VaultKey, purpose)
            return (row.public, bytes(row.sealed)) if row is not None else None

    def _store(self, purpose: str, public: str, secret: bytes) -> bool:
        """Store a key unless one is there already (another process may have
        made it meanwhile); True if this one was stored."""
        device_id = self._ctx.identity.device_id
        with self._ctx.write_transaction(f"save the vault's {purpose}") as session:
            if session.get(VaultKey, purpose) is not None:
                return False
            session.add(
                VaultKey(
                    purpose=purpose,
                    public=public,
                    sealed=seal_secret(self._key, purpose, device_id, public, secret),
                    created_ms=_now_ms(),
                )
            )
            return True

    # -- the age identity ---------------------------------------------------------

    def ensure_age_identity(self) -> None:
        """Make the vault's age identity if it has none (at creation, and at
        the first unlock of a vault made before migration 0010)."""
        if self._row(AGE_IDENTITY) is None:
            identity = pyrage.x25519.Identity.generate()
            self._store(AGE_IDENTITY, str(identity.to_public()), str(identity).encode())

    def age_recipient(self) -> str:
        """The public half, ``age1…``: what bundles to this vault are encrypted to."""
        row = self._row(AGE_IDENTITY)
        if row is None:
            # Only an examined (read-only) vault made before migration 0010 has none.
            raise VaultDamaged(
                "The vault has no age identity yet; unlock it again (not read-only) to make one.",
                "vault-key-missing",
                purpose=AGE_IDENTITY,
            )
        return row[0]

    def age_identity(self) -> pyrage.x25519.Identity:
        """The secret half, to decrypt bundles addressed to this vault."""
        recipient = self.age_recipient()
        row = self._row(AGE_IDENTITY)
        assert row is not None
        secret = unseal_secret(self._key, AGE_IDENTITY, self._ctx.identity.device_id, recipient, row[1])
        try:
            identity = pyrage.x25519.Identity.from_str(secret.decode("ascii"))
        except (UnicodeDecodeError, pyrage.IdentityError):
            raise _mismatch(AGE_IDENTITY) from None
        if str(identity.to_public()) != recipient:
            raise _mismatch(AGE_IDENTITY)
        return identity

    # -- the organisation signing key (a coordinator's) -------------------------------

    def org_signing_key(self) -> Ed25519PrivateKey | None:
        """The organisation's key if this vault is a coordinator that holds it."""
        row = self._row(ORG_SIGNING_KEY)
        if row is None:
            return None
        seed = unseal_secret(self._key, ORG_SIGNING_KEY, self._ctx.identity.device_id, row[0], row[1])
        if len(seed) != 32:
            raise _mismatch(ORG_SIGNING_KEY)
        key = Ed25519PrivateKey.from_private_bytes(seed)
        if org_public_hex(key) != row[0]:
            raise _mismatch(ORG_SIGNING_KEY)
        return key

    def put_org_signing_key(self, key: Ed25519PrivateKey) -> None:
        """Keep the organisation's key. A vault holds one organisation's key
        for good: another is refused (ValueError: the caller checks first)."""
        public = org_public_hex(key)
        if not self._store(ORG_SIGNING_KEY, public, key.private_bytes_raw()):
            held = self._row(ORG_SIGNING_KEY)
            if held is None or held[0] != public:
                raise ValueError("this vault already holds another organisation's signing key")


@dataclass(frozen=True)
class IssuedToken:
    token_id: str
    issued_ms: int
    expires_ms: int
    used_by: str | None
    used_ms: int | None


class EnrolmentTokens:
    """``vault.enrolment_tokens``: the tokens this coordinator issued, each
    good once before it expires (the signed token itself is sync/org.py's)."""

    def __init__(self, ctx: VaultContext) -> None:
        self._ctx = ctx

    def record_issued(self, token_id: str, expires_ms: int, *, issued_ms: int | None = None) -> None:
        with self._ctx.write_transaction("record the enrolment token") as session:
            session.add(
                EnrolmentToken(
                    token_id=token_id,
                    issued_ms=_now_ms() if issued_ms is None else issued_ms,
                    expires_ms=expires_ms,
                    used_by=None,
                    used_ms=None,
                )
            )

    def use(self, token_id: str, device_id: str, *, now_ms: int | None = None) -> str:
        """Spend a token for ``device_id``: one of TOKEN_USES. ``accepted``
        also for the device that already spent it (a re-import of its first
        bundle); ``used`` when another device did."""
        now = _now_ms() if now_ms is None else now_ms
        with self._ctx.write_transaction("record the enrolment token's use") as session:
            row = session.get(EnrolmentToken, token_id)
            if row is None:
                return "unknown"
            if row.used_by is not None:
                return "accepted" if row.used_by == device_id else "used"
            if now >= row.expires_ms:
                return "expired"
            row.used_by, row.used_ms = device_id, now
            return "accepted"

    def issued(self) -> list[IssuedToken]:
        with self._ctx.sessions() as session:
            return [
                IssuedToken(r.token_id, r.issued_ms, r.expires_ms, r.used_by, r.used_ms)
                for r in session.scalars(select(EnrolmentToken).order_by(EnrolmentToken.issued_ms))
            ]
