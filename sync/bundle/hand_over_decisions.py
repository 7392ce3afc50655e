"""What a history hand-over carries of what its maker keeps out (issue 14,
review 16 F4; docs/bundle-format.md §10 "The maker's decisions").

The maker's bundles that brought such revisions count as received at the
new desk (``received``), so a pull there meets them as replays and never
reads them. So the hand-over carries:

- the maker's **parked** revisions (waiting for a parent, or kept aside while
  their signer's vouch lapsed: ``signer_pending``), whose signed bytes it
  holds, after the revisions it stores: the new desk decides them by its own
  rules (parks one whose parent it lacks, stores it when the parent comes,
  leaves it out below a revision it leaves out, keeps it aside while its
  signer is pending there). They are signed by their devices: no new trust.
  Only those whose signer the new desk authorises or keeps aside (a vouched
  or lapsed device, a coordinator) and whose rows are sound go: another
  would refuse the whole hand-over there (``signer``, ``revision``). The
  evidence files they name that the maker holds go with them, and the new
  desk keeps them for the day it stores the revision.
- the ids of the revisions it **left out** (a revoked lineage's, read from a
  revoked maker's refused bundle, past a parked cap or below one, set aside
  by a coordinator), which it holds no bytes of, or bytes it refused: the
  signed manifest member ``decisions``, taken by the new desk only as
  ``received`` is (from a current coordinator of its profile, in a bundle
  addressed to it: ``coordinators_word``), recorded as the maker's word and
  shown with the maker named (``fieldvault devices parked``, the Devices
  view). Nothing is left out there on that word: such a revision arriving
  is decided by the new desk's rules. It seldom arrives (its carrier is a
  replay there; the maker keeps no bytes of it), so the maker's decision
  usually stays in effect, visibly, until a desk that stored it hands over
  (docs/threat-model.md §2.8).

Ids and times only are read here; revisions are streamed as wire lines."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from db.api import (
    KeptOut,
    PendingBlob,
    Vault,
    kept_out_for_hand_over,
    parked_files_held,
    parked_wires,
    waiting_for_hand_over,
)
from sync.bundle.errors import BundleRejected
from sync.bundle.format import (
    MAKER_DECISION_REASONS,
    MAX_MAKER_DECISIONS,
    BundleHeader,
    MakerDecision,
    is_hex64,
)
from sync.bundle.vouching import coordinator_vouches, lapsed_relays
from sync.org import Profile

# Parked revisions read from the vault this many at a time at each walk.
_PAGE = 500
_SIGNER = re.compile(r"[0-9a-f]{32}")  # a device id, as the member's form has it


@dataclass
class MakersKeptOut:
    """What a hand-over carries of what its maker keeps out."""

    decisions: tuple[MakerDecision, ...] = ()
    # Every left-out revision the maker does not hold: more than carried past the cap.
    decisions_total: int = 0
    parked: list[str] = field(default_factory=list)  # parked revision ids carried, in carrying order
    # Parked here, but their signer is not the new desk's to authorise, or their row is damaged.
    parked_not_carried: int = 0
    # The evidence files the parked revisions carried name that this desk
    # holds: the new desk keeps them for the day it stores the revision.
    files: list[PendingBlob] = field(default_factory=list)

    def then_parked(self, stored: Iterable[dict[str, Any]], vault: Vault) -> _StoredThenParked:
        """The hand-over's revision lines: ``stored`` (walked twice by the
        writer), then the parked revisions, read a page at a time."""
        return _StoredThenParked(stored, vault, self.parked)

    def with_files(self, blobs: Sequence[PendingBlob]) -> list[PendingBlob]:
        """The last part's files: ``blobs`` and the parked revisions' files,
        one entry per SHA-256 (a manifest lists each file once), by SHA-256."""
        merged = {b.sha256: b for b in blobs}
        for extra in self.files:
            held = merged.get(extra.sha256)
            ids = {*(held.evidence_ids if held else ()), *extra.evidence_ids}
            merged[extra.sha256] = PendingBlob(extra.sha256, extra.size, tuple(sorted(ids)))
        return [merged[sha256] for sha256 in sorted(merged)]


class _StoredThenParked:
    """Iterable twice, as the writer needs: the stored revisions' walk, then
    the parked ones by the ids fixed when the hand-over was planned (one
    stored or set aside meanwhile is not carried: the walks then differ and
    the writer refuses to write, leaving no file)."""

    def __init__(self, stored: Iterable[dict[str, Any]], vault: Vault, parked: list[str]) -> None:
        self._stored = stored
        self._vault = vault
        self._parked = parked

    def __iter__(self) -> Iterator[dict[str, Any]]:
        yield from self._stored
        for at in range(0, len(self._parked), _PAGE):
            yield from parked_wires(self._vault, self._parked[at : at + _PAGE])


def carried_signers(vault: Vault, profile: Profile, revoked: frozenset[str]) -> frozenset[str]:
    """The signers whose parked revisions the new desk can decide: the field
    devices the hand-over vouches for or names as lapsed, and the profile's
    coordinators; never a revoked device."""
    vouched = {d.device_id for d in coordinator_vouches(vault, profile)}
    lapsed = {d.device_id for d in lapsed_relays(vault, profile)}
    coordinators = {c.device_id for c in profile.coordinators}
    return frozenset((vouched | lapsed | coordinators) - revoked)


def makers_kept_out(vault: Vault, profile: Profile, revoked: frozenset[str]) -> MakersKeptOut:
    """Plan what the hand-over carries of what this desk keeps out: its
    sound parked revisions of signers the new desk can decide (and the
    files they name that it holds), and its left-out ids (the newest
    MAX_MAKER_DECISIONS)."""
    parked, not_carried = waiting_for_hand_over(vault, carried_signers(vault, profile, revoked))
    kept, total = kept_out_for_hand_over(vault, reasons=MAKER_DECISION_REASONS, limit=MAX_MAKER_DECISIONS)
    # Only entries of the member's form (a row of another form, which no
    # import writes, would refuse the whole hand-over there: archive-form).
    decisions = tuple(
        MakerDecision(k.revision_id, k.signer, k.reason, k.decided_ms)
        for k in kept
        if is_hex64(k.revision_id) and _SIGNER.fullmatch(k.signer) and k.decided_ms >= 0
    )
    return MakersKeptOut(decisions, total, parked, not_carried, parked_files_held(vault, parked))


# -- the new desk's side ------------------------------------------------------------------


def coordinators_word(profile: Profile | None, header: BundleHeader, own_id: str) -> None:
    """§10's trust rule for a hand-over's word on what its maker holds or
    decided (``received``, ``decisions``): the sender must be a coordinator
    of this vault's profile, not revoked there (else ``signer``, naming the
    sender), and the bundle addressed to this vault, a coordinator of it
    (else ``not-a-recipient``)."""
    sender = header.device_id
    if profile is None or profile.coordinator(sender) is None or sender in profile.revoked:
        raise BundleRejected("signer", sender)
    if header.addressee != own_id or profile.coordinator(own_id) is None:
        raise BundleRejected("not-a-recipient")


def as_kept_out(decisions: Iterable[MakerDecision]) -> list[KeptOut]:
    """The member's entries as the vault records them (db/maker_decisions.py)."""
    return [KeptOut(d.revision_id, d.signer, d.reason, d.decided_ms) for d in decisions]


__all__ = [
    "MakersKeptOut",
    "as_kept_out",
    "carried_signers",
    "coordinators_word",
    "makers_kept_out",
]
