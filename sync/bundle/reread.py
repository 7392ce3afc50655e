"""A deliberate re-read of a bundle this coordinator desk counts as received
(``fieldvault bundle import --reread``; review 17 D1, issue 14;
docs/bundle-format.md §10 "A deliberate re-read").

A history hand-over records the workers' bundles as received at the new
desk, so the very file that carried a revision the maker dropped (the
worker's USB copy, the server's copy) is a replay there and applies
nothing. A re-read reads such a file again in full, with every check of an
import (signatures, binding, payload hash, manifest, and each revision
authorised by this desk's current rules: revoked devices, parked and
left-out rules, type clashes), and applies, in one unit of work, the
revisions and evidence files it carries that this desk does not hold.
Nothing held changes, and the bundle's bookkeeping (its device's sequence,
previous bundle, custody head) does not move: it was received already.

Refused (``RereadRefused``, nothing applied): a vault that is no coordinator
desk; a bundle never received here (plain ``bundle import`` takes it); a
file that is not the bundle received under its number (another id at that
device and sequence, a header that disagrees with the record, or a manifest
other than the one kept of it); a history hand-over. Every check of §5
refuses as in an import (``BundleRejected``): a flipped byte is
``payload-hash``, a revoked sender ``device-revoked``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pyrage

from db.api import CancelToken, Codes, FieldvaultError, ImportRejected, RevisionRejected, Vault
from sync.bundle.admission import admit
from sync.bundle.errors import BundleRejected
from sync.bundle.format import Manifest
from sync.bundle.hand_over_manifests import keep_from_bundle
from sync.bundle.reader import CheckedBundle, check_header, read_bundle
from sync.bundle.vault_io import (
    Progress,
    _Applier,
    _bundle_reason,
    _check_cancel,
    _reporting,
    _UnitEnd,
)
from sync.org import Profile
from sync.org_vault import held_profile

log = logging.getLogger(__name__)


class RereadRefused(FieldvaultError):
    """A re-read refused before anything was applied: the file is not a
    bundle this desk received, or this vault may not re-read."""

    codes: ClassVar[Codes] = {
        "reread-not-coordinator": (),
        "reread-not-received": ("bundle_id",),
        "reread-differs": ("bundle_id",),
        "reread-hand-over": ("bundle_id",),
        # Its device is known here only as pending: its vouch lapsed (review 21 R3).
        "reread-device-pending": ("bundle_id", "device_id"),
    }


def not_a_coordinator() -> RereadRefused:
    return RereadRefused(
        "Only a coordinator desk re-reads a bundle it received; nothing was applied.",
        "reread-not-coordinator",
    )


def not_received(bundle_id: str) -> RereadRefused:
    return RereadRefused(
        f"Bundle {bundle_id} was never received here, so there is nothing to re-read; nothing was applied. "
        "Import it as any bundle ('fieldvault bundle import FILE').",
        "reread-not-received",
        bundle_id=bundle_id,
    )


def differs(bundle_id: str) -> RereadRefused:
    return RereadRefused(
        f"Bundle {bundle_id} is not the bundle this desk received under its device and number (another "
        "bundle, or one whose record or signed manifest here differs); nothing was applied.",
        "reread-differs",
        bundle_id=bundle_id,
    )


def device_pending(bundle_id: str, device_id: str) -> RereadRefused:
    return RereadRefused(
        f"Bundle {bundle_id} comes from device {device_id}, which this desk holds as pending: the "
        "coordinator that vouched for it was removed, so what it signs is not taken here. Enrol it again "
        "(compare its verification code and approve it, or have a current coordinator's bundle vouch for "
        "it), then re-read the bundle. Nothing was applied.",
        "reread-device-pending",
        bundle_id=bundle_id,
        device_id=device_id,
    )


def hand_over_refused(bundle_id: str) -> RereadRefused:
    return RereadRefused(
        f"Bundle {bundle_id} is a history hand-over, which is not re-read; nothing was applied. "
        "Ask the desk for a new hand-over ('fieldvault org hand-over').",
        "reread-hand-over",
        bundle_id=bundle_id,
    )


@dataclass(frozen=True)
class RereadBundle:
    """What a re-read applied: ids and counts only."""

    path: Path
    bundle_id: str
    device_id: str
    sequence: int
    revisions_in_bundle: int
    already_held: int  # of the bundle's revisions, stored here before the re-read
    applied: tuple[str, ...]  # the bundle's revisions stored by the re-read
    blobs_in_bundle: int
    blobs: int  # evidence files stored by the re-read
    blobs_already_held: int
    custody_events: int  # events of the sender's chain not held here before (normally 0)
    evidence_attached: tuple[str, ...] = ()
    withheld_revisions: tuple[str, ...] = ()
    parked_revisions: tuple[str, ...] = ()
    unparked_revisions: tuple[str, ...] = ()
    damaged_parked: tuple[str, ...] = ()  # parked here, no longer verifying: kept waiting
    past_parked_cap: tuple[str, ...] = ()
    signer_pending: tuple[str, ...] = ()
    type_clash: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "bundle": str(self.path),
            "ok": True,
            "reread": True,
            "bundle_id": self.bundle_id,
            "device_id": self.device_id,
            "sequence": self.sequence,
            "revisions_in_bundle": self.revisions_in_bundle,
            "revisions_applied": len(self.applied),
            "revisions_already_held": self.already_held,
            "applied_revisions": list(self.applied),
            "blobs_in_bundle": self.blobs_in_bundle,
            "blobs_applied": self.blobs,
            "blobs_already_held": self.blobs_already_held,
            "custody_events": self.custody_events,
            "evidence_attached": list(self.evidence_attached),
            "withheld_revisions": list(self.withheld_revisions),
            "parked_revisions": list(self.parked_revisions),
            "unparked_revisions": list(self.unparked_revisions),
            "damaged_parked": list(self.damaged_parked),
            "past_parked_cap": list(self.past_parked_cap),
            "signer_pending": list(self.signer_pending),
            "type_clash": list(self.type_clash),
        }


def _is_coordinator_desk(vault: Vault) -> bool:
    profile = held_profile(vault)
    return profile is not None and profile.coordinator(vault.device_id) is not None


def _admit_sender(vault: Vault, checked: CheckedBundle, path: Path) -> Profile:
    """§5.5 as an import, against the profile held now (returned): a revoked
    sender is refused whole (device-revoked), nothing recorded in
    quarantine. A sender pending here received this bundle while its vouch
    stood; admission would call it unknown and point to a quarantine that
    holds nothing (review 21 R3). A vault that is no coordinator desk (any
    more) does not re-read."""
    profile = held_profile(vault)
    if profile is None or profile.coordinator(vault.device_id) is None:
        raise not_a_coordinator()
    header = checked.header
    known = vault.sync.device(header.device_id)
    if known is not None and known.status == "pending" and header.device_id not in profile.revoked:
        raise device_pending(checked.bundle_id, header.device_id)
    admit(vault, checked, path, record=False, profile=profile)
    return profile


class _RereadApplier(_Applier):
    """The import's applier, for a bundle received before: a hand-over is
    refused, and the revisions held before are counted at the manifest."""

    held_before: frozenset[str] = frozenset()

    def manifest(self, manifest: Manifest) -> None:
        if manifest.received or manifest.hand_over_part:
            # Re-recording its entries and decisions is the hand-over's own
            # import; a re-read applies revisions, nothing a maker says.
            raise hand_over_refused(self.bundle_id)
        self.held_before = frozenset(self.unit.held(manifest.revisions))
        super().manifest(manifest)


def reread_bundle(
    vault: Vault,
    path: Path,
    identity: str | pyrage.x25519.Identity,
    *,
    org_id: str | None = None,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> RereadBundle:
    """Read ``path``, a bundle this coordinator desk received before, again
    in full and apply what it carries that this desk does not hold, in one
    transaction (module docstring). Refused: RereadRefused, or
    BundleRejected with the §5 reason; nothing is applied then."""
    _check_cancel(cancel)
    if not _is_coordinator_desk(vault):
        raise not_a_coordinator()
    checked = check_header(path, org_id=org_id)
    header = checked.header
    record = vault.sync.received_bundle(checked.bundle_id)
    if record is None:
        with vault.sync.begin_import() as unit:  # read only: raising rolls it back
            other = unit.received(header.device_id, header.sequence)
        raise differs(checked.bundle_id) if other is not None else not_received(checked.bundle_id)
    if (record.device_id, record.sequence) != (header.device_id, header.sequence) or any(
        kept is not None and kept != given
        for kept, given in ((record.previous, header.previous), (record.custody_head, header.custody_head))
    ):
        # The record came from a hand-over's entry (the maker's word) or an
        # import: a file whose own header says otherwise is not that bundle.
        raise differs(checked.bundle_id)
    _admit_sender(vault, checked, path)
    report = _reporting(progress, cancel)
    try:
        with _UnitEnd() as unit_end, vault.sync.begin_import() as unit:
            # The checks above again, under the lock, and the profile the
            # re-read applies by read now: a revocation, a lapsed vouch or a
            # profile stored between them and the lock (the GUI, a pull,
            # another import) gives what it gives before the re-read
            # (``device-revoked``, ``reread-device-pending``, ...), nothing
            # applied. Before, the re-read went on by the checks made
            # before: it was refused for the first of the sender's
            # revisions (``signer``) or events (``custody``) the unit no
            # longer authorised, not as the sender's revocation or lapse.
            profile = _admit_sender(vault, checked, path)
            unit.reread = True
            # Parents checked whatever this vault keeps: what the maker dropped
            # may be an edit whose parent it dropped too (parked, never stored
            # without it).
            unit.check_parents()
            applier = _RereadApplier(
                unit, header, profile=profile, own_id=vault.device_id, bundle_id=checked.bundle_id
            )
            unit_end.applier = applier
            opened = read_bundle(
                path,
                identity,
                org_id=org_id,
                open_blob=applier.blob,
                on_revision=applier.revision,
                on_custody=applier.custody,
                progress=report,
                on_manifest=applier.manifest,
            )
            if opened.bundle_id != checked.bundle_id:  # the file changed between the two reads
                raise BundleRejected("payload-hash")
            applier.settle()
            kept = unit.kept_manifest(checked.bundle_id)
            if kept is not None and kept != (opened.manifest_bytes, opened.manifest_signature):
                raise differs(checked.bundle_id)
            # Idempotent for a bundle received: no row is added and the
            # device's last number does not move; it checks that the chain
            # holds the header's head, and names the bundle in the transfer
            # events of the evidence files this re-read attaches.
            unit.record_bundle(
                checked.bundle_id, header.device_id, header.sequence, header.custody_head, header.previous
            )
            # The worker's signed manifest, if none is kept of this bundle (a
            # hand-over carried none): a bundle listed unchecked is then checked.
            keep_from_bundle(
                unit,
                profile,
                vault.device_id,
                checked.bundle_id,
                header.device_id,
                header.sequence,
                opened.manifest_bytes,
                opened.manifest_signature,
            )
            listed = opened.manifest.revisions
            applied = tuple(sorted(unit.held(listed) - applier.held_before))
            unit.keep_reread(header.sequence, applied)
    except ImportRejected as refused:  # the unit's own checks, at its end too
        raise _bundle_reason(refused, header) from None
    except RevisionRejected as refused:  # before the manifest was read
        raise BundleRejected("revision", refused.revision_id) from None
    summary = unit.summary  # as the unit's end left it (earlier parked revisions decided)
    new_blobs = summary.blobs
    result = RereadBundle(
        path=path,
        bundle_id=checked.bundle_id,
        device_id=header.device_id,
        sequence=header.sequence,
        revisions_in_bundle=len(listed),
        already_held=len(applier.held_before),
        applied=applied,
        blobs_in_bundle=len(opened.manifest.blobs),
        blobs=new_blobs,
        blobs_already_held=len(opened.manifest.blobs) - new_blobs - len(applier.withheld_blobs),
        custody_events=summary.custody_events,
        evidence_attached=tuple(summary.evidence_attached),
        withheld_revisions=tuple(summary.withheld_revisions),
        parked_revisions=tuple(summary.parked_revisions),
        unparked_revisions=tuple(summary.unparked_revisions),
        damaged_parked=tuple(summary.damaged_parked),
        past_parked_cap=tuple(summary.past_parked_cap),
        signer_pending=tuple(summary.signer_pending),
        type_clash=tuple(summary.type_clash),
    )
    # Ids and counts only.
    log.info(
        "re-read bundle %s of device %s: %d revision(s) applied, %d already held, %d file(s) stored",
        result.bundle_id,
        result.device_id,
        len(result.applied),
        result.already_held,
        result.blobs,
    )
    return result


__all__ = ["RereadBundle", "RereadRefused", "reread_bundle"]
