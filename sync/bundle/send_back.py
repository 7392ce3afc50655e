"""A coordinator's bundle back to one field worker (docs/merge.md, "Sending
back to the field"; docs/bundle-format.md §4 ``devices``).

What goes is what the organisation's policy allows (the signed profile's
``send_to_workers``, sync/org.py) and the worker lacks:

- ``none``: nothing of other devices (the profile itself travels as a
  profile file, as it always did);
- ``held-records`` (the default): every revision — the coordinator's, and
  other devices' — of the records the worker already holds (an entity with
  a revision it signed or was sent before): a conflict's resolution and the
  edits it merges, later edits of a shared record. Never a record the worker
  does not hold, and no evidence bytes (it holds those of its records);
- ``all``: every revision the coordinator holds, and the evidence bytes of
  the items the worker did not hold.

The bundle is the coordinator's own (signed by its device key, numbered in
its one sequence), encrypted to the worker's age recipient alone. Its
manifest vouches for the devices whose revisions it relays (their keys and
age recipients), so that the worker accepts them; a worker takes such a
vouch only from a coordinator of its profile, and never for a device its
profile revokes (sync/bundle/vault_io.py). What was sent is recorded per
worker (``relayed_revisions``): the next bundle holds only what is new.

Its signed header names the worker (``addressee``, docs/bundle-format.md
§2.2): through the server such a bundle goes to that worker's inbox, never
to the coordinators' changes feed (docs/sync.md §9). Written for the server
(``record=False``), what it relays is recorded only once the server's
receipt proves the upload (sync/client/inbox.py ``send_back_over_server``).
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from db.api import CancelToken, NotFound, Vault
from sync.bundle.format import VouchedDevice
from sync.bundle.numbering import bundle_numbering
from sync.bundle.vault_io import (
    Progress,
    _adopt_unrecorded,
    _check_cancel,
    _reporting,
    _revision_wire,
    blob_sources,
)
from sync.bundle.writer import (
    BundleContents,
    DeviceIdentity,
    bundle_file_name,
    remove_partial_files,
    write_bundle,
)
from sync.org import OrgRefused, Profile
from sync.org_vault import held_profile

if TYPE_CHECKING:
    from db.api import RelayPlan


@dataclass(frozen=True)
class SentBack:
    """One bundle made for one field worker."""

    path: Path
    bundle_id: str
    device_id: str  # the worker's
    sequence: int
    revisions: int
    blobs: int
    vouched: tuple[str, ...]  # device ids whose keys the bundle vouches for
    withheld: tuple[str, ...]  # records left out (a revision of a revoked device is in them)
    # What it relays (revision id -> entity id): recorded as sent already,
    # or, with record=False, for the caller to record once it is delivered.
    relayed: dict[str, str]
    # The records whose evidence bytes it carries (scope ``all``): a resend
    # of this bundle carries them again.
    with_bytes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Resend:
    """What an earlier bundle to the worker carried that goes again (it was
    not taken: docs/sync.md §2.1): its revisions, and the records whose
    evidence bytes it carried."""

    revisions: frozenset[str]
    with_bytes: frozenset[str] = frozenset()


def _with_resent(vault: Vault, plan: RelayPlan, scope: str, again: Resend) -> RelayPlan:
    """``plan`` (what is due) and the revisions of ``again`` still to be
    relayed, in storing order, with the cards of all their signers."""
    everything = vault.sync.relay_due(plan.device_id, scope, resend=True)
    keep = [
        r
        for r in everything.revisions
        if r.revision_id in plan.entity_ids or r.revision_id in again.revisions
    ]
    signers = {r.device_id for r in keep}
    return replace(
        plan,
        revisions=tuple(keep),
        entity_ids={r.revision_id: everything.entity_ids[r.revision_id] for r in keep},
        signers=tuple(d for d in everything.signers if d.device_id in signers),
    )


def sending_coordinators_profile(vault: Vault) -> Profile:
    """The profile a send-back goes under: only a coordinator of it sends
    back (USB and server alike). The refusal names the real organisation,
    or says there is none ("organisation -" said nothing true)."""
    profile = held_profile(vault)
    if profile is None:
        raise OrgRefused(
            "This vault belongs to no organisation yet: create one (org create) or enrol (enrol).", "org-none"
        )
    if profile.coordinator(vault.device_id) is None:
        raise OrgRefused(
            f"This vault is not a coordinator of organisation {profile.org_id}: only coordinators send "
            "work back to field workers.",
            "org-not-coordinator",
            org_id=profile.org_id,
        )
    return profile


def _worker(vault: Vault, device_id: str) -> str:
    """The worker's age recipient; refused for a device not enrolled as a field worker here."""
    device = vault.sync.device(device_id)
    if device is None:
        raise NotFound("device", device_id)
    if device.status == "revoked":
        raise OrgRefused(
            f"Device {device_id} was revoked; nothing is sent to it.",
            "org-device-revoked",
            device_id=device_id,
        )
    if device.status != "enrolled" or device.role != "device":
        raise NotFound("device", device_id)  # pending, or a coordinator (they get ordinary bundles)
    return device.age_recipient


def send_back(
    vault: Vault,
    dest_dir: Path,
    device_id: str,
    *,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    resend: bool = False,
    record: bool = True,
    again: Resend | None = None,
) -> SentBack | None:
    """Write the bundle for field worker ``device_id`` into ``dest_dir``, or
    return None when the policy allows nothing it lacks. Only a coordinator
    of the profile sends back (OrgRefused ``org-not-coordinator``). On
    failure or cancel no bundle file is left and the vault is unchanged.
    With ``resend``, everything sent to it before goes again (a bundle lost
    on the way, brought by hand); with ``again``, what one earlier bundle
    carried goes again with whatever is due (a send-back the worker did
    not take from its inbox, sync/client/inbox.py)."""
    _check_cancel(cancel)
    profile = sending_coordinators_profile(vault)
    recipient = _worker(vault, device_id)
    plan = vault.sync.relay_due(device_id, profile.send_to_workers, resend=resend)
    if again is not None:
        plan = _with_resent(vault, plan, profile.send_to_workers, again)
    if not plan.revisions:
        return None
    blobs = []
    with_bytes: set[str] = set()
    if profile.send_to_workers == "all":
        # Items the worker did not hold come with their bytes; those it held,
        # it has (those it "holds" only through the bundle resent, it lacks).
        with_bytes = set(plan.entity_ids.values()) - plan.held_before
        if again is not None:
            with_bytes |= set(plan.entity_ids.values()) & again.with_bytes
        blobs = vault.sync.blobs_of(with_bytes)
    # The number held from reading it to recording it (sync/bundle/numbering.py):
    # a hand-over or an export being written meanwhile never shares it.
    with bundle_numbering(vault, lambda: _check_cancel(cancel)):  # a Stop ends the wait for it
        remove_partial_files(dest_dir)  # what a killed export left here: ciphertext only
        # A bundle of this device whole in dest_dir but not recorded (killed
        # before): counted as made, so that this one does not reuse its number.
        # Its revisions were not recorded as sent: they go again (a worker skips
        # what it holds).
        _adopt_unrecorded(vault, dest_dir, profile.org_id)
        outgoing = vault.sync.outgoing()
        sequence = outgoing.bundle_sequence + 1
        vouched = [VouchedDevice(d.public_key, d.age_recipient) for d in plan.signers]
        dest = dest_dir / bundle_file_name(profile.org_id, vault.device_id, sequence)
        with ExitStack() as files:
            sources = blob_sources(vault, blobs, files)
            written = write_bundle(
                dest,
                BundleContents(
                    org_id=profile.org_id,
                    profile_version=profile.version,
                    sequence=sequence,
                    previous=outgoing.previous_bundle_id,
                    # No custody events: this device's chain goes to coordinators;
                    # a worker is not asked to hold it.
                    custody_head=None,
                    revisions=[_revision_wire(rev) for rev in plan.revisions],
                    blobs=sources,
                    devices=vouched,
                    addressee=device_id,
                ),
                DeviceIdentity(vault.sync.signing_key(), vault.device_id),
                [recipient],
                progress=_reporting(progress, cancel),
            )
        # Contents None: a worker does not acknowledge, and an acknowledgement
        # of this bundle must not move the cursors of the coordinators' stream.
        # Its number is declared by the next bundle to coordinators (addressed_since).
        vault.sync.record_bundle_made(sequence, written.bundle_id, addressee=device_id)
    if record:
        vault.sync.record_relayed(device_id, plan.entity_ids, written.bundle_id)
    if blobs:
        vault.sync.record_transfers(
            [(evidence_id, b.sha256) for b in blobs for evidence_id in b.evidence_ids],
            bundle_id=written.bundle_id,
        )
    return SentBack(
        path=written.path,
        bundle_id=written.bundle_id,
        device_id=device_id,
        sequence=sequence,
        revisions=len(plan.revisions),
        blobs=len(blobs),
        vouched=tuple(d.device_id for d in vouched),
        withheld=plan.withheld,
        relayed=dict(plan.entity_ids),
        with_bytes=tuple(sorted(with_bytes)),
    )


def workers(vault: Vault) -> list[str]:
    """The enrolled field workers this coordinator knows (not coordinators)."""
    return [d.device_id for d in vault.sync.devices() if d.role == "device" and d.status == "enrolled"]


__all__ = ["Resend", "SentBack", "send_back", "sending_coordinators_profile", "workers"]
