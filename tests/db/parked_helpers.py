"""What the parked-revision tests (tests/db/test_parked_*.py,
tests/sync/test_parked_*.py) build their bundles' revisions from: one record
of type case, edited in a chain, as a device signs it. The vault they feed
is tests/conftest.py's ``vault`` (a new vault at test-speed Argon2)."""

from __future__ import annotations

from db.device import DeviceIdentity
from db.entities import Case
from db.hlc import Timestamp
from db.revisions import Revision, create_revision

ENTITY = "0190f3a0-0000-7000-8000-0000000000bb"


def case_revision(identity: DeviceIdentity, n: int, parents: list[str], entity_id: str = ENTITY) -> Revision:
    """The ``n``-th revision of the case ``entity_id`` (its title names
    ``n``; its clock is ``n`` steps after a fixed moment), signed by
    ``identity``, with ``parents``."""
    return create_revision(
        identity,
        entity_id=entity_id,
        entity_type="case",
        op="put",
        body=Case(title=f"case revision {n}").body(),
        parents=parents,
        hlc=Timestamp(1_700_000_000_000, n),
    )
