"""The bound on the evidence bytes one signer's parked revisions may hold
here (issue 14, review 14 F2, review 15 F6; docs/sync.md §2.3).

``PARKED_CAP`` (db/parked.py) bounds parked rows per signer, but an
evidence revision's file is bounded only by the disk: bytes arriving for an
item only parked revisions name are stored (``parked_files``), so a seized
device could park 20,000 items of any size each. This bounds what they
name, per signer: each distinct file (its SHA-256) counts once, at the size
the signed revision gives, however many parked revisions name it (an item's
edits name the file its creation named). A revision whose new file would
take its signer past ``PARKED_BYTES_CAP`` is past the cap, exactly as one
past ``PARKED_CAP`` (``over_the_cap``): never parked, so bytes only its
record names are not kept for it. A signer with nothing parked may always
park one file, whatever its size, so that an honest recording larger than
the bound can still wait for its parent; the sizes are the signer's own
word, so a false one only spends that signer's room."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.model import ParkedRevision
from db.revisions import Revision

# 8 GiB per signer: more than a field worker's day of video waiting for a
# revision that has not come, and a bound on what a seized device can make
# every coordinator keep while its revocation is on its way.
PARKED_BYTES_CAP = 8 * 1024**3


def named_file(rev: Revision) -> tuple[str, int] | None:
    """(SHA-256, size) of the evidence file an evidence ``put`` names; None
    for any other revision (and for a body without both)."""
    if rev.entity_type != "evidence" or rev.op != "put":
        return None
    sha256, size = rev.body.get("sha256"), rev.body.get("size")
    if not isinstance(sha256, str) or not isinstance(size, int) or size <= 0:
        return None
    return sha256, size


class ByteBudget:
    """The files each signer's parked revisions name here, and what a
    further one would add (``fits``, then ``take`` when it parks)."""

    def __init__(self, session: Session, signers: Iterable[str]) -> None:
        self._files: dict[str, set[str]] = {signer: set() for signer in signers}
        self._used: dict[str, int] = dict.fromkeys(self._files, 0)
        if not self._files:
            return
        rows = session.execute(
            select(ParkedRevision.device_id, ParkedRevision.sha256, ParkedRevision.size)
            .where(
                ParkedRevision.device_id.in_(sorted(self._files)),
                ParkedRevision.sha256.is_not(None),
            )
            .distinct()
        ).all()
        for signer, sha256, size in rows:
            if sha256 is not None and sha256 not in self._files[signer]:
                self._files[signer].add(sha256)
                self._used[signer] += max(int(size or 0), 0)

    def fits(self, rev: Revision) -> bool:
        named = named_file(rev)
        if named is None or named[0] in self._files[rev.device_id]:
            return True
        used = self._used[rev.device_id]
        return used == 0 or used + named[1] <= PARKED_BYTES_CAP

    def take(self, rev: Revision) -> None:
        named = named_file(rev)
        if named is not None and named[0] not in self._files[rev.device_id]:
            self._files[rev.device_id].add(named[0])
            self._used[rev.device_id] += named[1]


__all__ = ["PARKED_BYTES_CAP", "ByteBudget"]
