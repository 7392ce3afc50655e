"""The devices the organisation profile held here revokes, as the heads
rule reads them (db/derive.py ``hidden_ids``): a coordinator's re-root hides
only revisions of a revoked device's line (review 19 F4), so which devices
are revoked is part of how an entity derives.

The profile is stored as received, its signature checked by sync/ before
it was kept (db/sync_state.py ``set_org_profile``); this reads one member of
it, ``profile.revoked``, the same list every desk of the organisation reads
from the same signed bytes (docs/vault-format.md, "How entities derive from
revisions")."""

from __future__ import annotations

import json
from functools import lru_cache

from sqlalchemy.orm import Session

from db.errors import VaultDamaged
from db.model import OrgProfileRow


@lru_cache(maxsize=4)
def revoked_in(signed: bytes) -> frozenset[str]:
    """``profile.revoked`` of a stored profile's signed bytes; VaultDamaged
    when they are not a profile (it was checked whole when it was kept)."""
    try:
        revoked = json.loads(signed)["profile"]["revoked"]
    except (ValueError, KeyError, TypeError):
        revoked = None
    if not isinstance(revoked, list) or not all(isinstance(device, str) for device in revoked):
        raise VaultDamaged(
            "The organisation profile stored in this vault is damaged: its revoked devices cannot be read.",
            "database-damaged",
        )
    return frozenset(revoked)


def revoked_signers(session: Session) -> frozenset[str]:
    """The devices the stored profile revokes; none without a profile."""
    row = session.get(OrgProfileRow, 1)
    return revoked_in(bytes(row.signed)) if row is not None else frozenset()


__all__ = ["revoked_in", "revoked_signers"]
