"""The devices the organisation profile held here revokes, as the heads
rule reads them (db/derive.py ``hidden_ids``): a coordinator's re-root hides
only revisions of a revoked device's line (review 19 F4), so which devices
are revoked is part of how an entity derives.

The profile is stored as received, checked whole by sync/ before it was
kept (db/sync_state.py ``set_org_profile``). This reads one member of it,
``profile.revoked``, and only after checking the profile's Ed25519
signature with the organisation key it names (docs/org-profile.md §2): the
heads, and ``verify``, then rest on signed bytes, not on a row anyone
holding the database key could edit (review 20 F3). Like the app's own
read of the profile, this checks the profile against its own key: a whole
profile replaced by one another key signed is not caught here (no key is
pinned in the vault; threat-model.md §2.8)."""

from __future__ import annotations

import json
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.orm import Session

from db.errors import VaultDamaged
from db.model import OrgProfileRow
from db.revisions import canonical_json
from db.strict_b64 import strict_b64decode

# The profile's signing domain (docs/org-profile.md), as sync/org.py signs
# with it; kept apart so that the server, which loads sync/org.py, loads no
# database stack (tests/test_architecture.py).
PROFILE_DOMAIN = b"fieldvault-org-profile/1\n"


def _damaged() -> VaultDamaged:
    return VaultDamaged(
        "The organisation profile stored in this vault is damaged or altered: its signature does not "
        "verify, or its revoked devices cannot be read.",
        "database-damaged",
    )


@lru_cache(maxsize=4)
def revoked_in(signed: bytes) -> frozenset[str]:
    """``profile.revoked`` of a stored profile's signed bytes, once its
    signature verifies with its ``org_key``; VaultDamaged otherwise. Cached
    by the whole bytes (a profile holds no witness data)."""
    try:
        envelope = json.loads(signed)
        body, signature = envelope["profile"], strict_b64decode(envelope["signature"], 64)
        org_key, revoked = strict_b64decode(body["org_key"], 32), body["revoked"]
    except (ValueError, KeyError, TypeError):
        raise _damaged() from None
    if signature is None or org_key is None or not isinstance(revoked, list):
        raise _damaged()
    if not all(isinstance(device, str) for device in revoked):
        raise _damaged()
    try:
        Ed25519PublicKey.from_public_bytes(org_key).verify(signature, PROFILE_DOMAIN + canonical_json(body))
    except (InvalidSignature, ValueError):
        raise _damaged() from None
    return frozenset(revoked)


def revoked_signers(session: Session) -> frozenset[str]:
    """The devices the stored profile revokes; none without a profile."""
    row = session.get(OrgProfileRow, 1)
    return revoked_in(bytes(row.signed)) if row is not None else frozenset()


__all__ = ["PROFILE_DOMAIN", "revoked_in", "revoked_signers"]
