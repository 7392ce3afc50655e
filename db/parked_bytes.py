"""The bound on the evidence bytes one signer's parked revisions may hold
here (issue 14, review 14 F2; docs/sync.md §2.3).

``PARKED_CAP`` (db/parked.py) bounds parked rows per signer, but an
evidence revision's file is bounded only by the disk: bytes arriving for an
item only parked revisions name are stored (``parked_files``), so a seized
device could park 20,000 items of any size each. This bounds what they
name: a parked revision counts the size of the file it names (the signed
``size``; a file two of them name counts twice, which only errs on the
safe side), and one that would take its signer past ``PARKED_BYTES_CAP`` is
past the cap, exactly as one past ``PARKED_CAP`` (``over_the_cap``): never
parked, so bytes only its record names are not kept for it."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.model import ParkedRevision
from db.revisions import Revision

# 8 GiB per signer: more than a field worker's day of video waiting for a
# revision that has not come, and a bound on what a seized device can make
# every coordinator keep while its revocation is on its way.
PARKED_BYTES_CAP = 8 * 1024**3


def named_size(rev: Revision) -> int:
    """The size of the evidence file an evidence ``put`` names (0 for any other)."""
    if rev.entity_type != "evidence" or rev.op != "put":
        return 0
    size = rev.body.get("size")
    return size if isinstance(size, int) and size > 0 else 0


def bytes_room(session: Session, signers: Iterable[str]) -> dict[str, int]:
    """Signer -> how many more bytes its parked revisions may name here."""
    return {
        signer: PARKED_BYTES_CAP
        - int(
            session.scalar(
                select(func.coalesce(func.sum(ParkedRevision.size), 0)).where(
                    ParkedRevision.device_id == signer
                )
            )
            or 0
        )
        for signer in sorted(set(signers))
    }


__all__ = ["PARKED_BYTES_CAP", "bytes_room", "named_size"]
