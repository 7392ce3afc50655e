"""The history hand-over (docs/bundle-format.md §10): an existing coordinator
desk's bundle for a desk added later, so that the new desk holds what the
organisation holds and takes every worker's next bundle.

Without it a desk added after a worker's bundles were acknowledged refuses
each later bundle of that worker (``bundle-custody``: its custody events
start after events the new desk never took) and holds none of its records
(tests/sync/test_desk_hand_over.py).

It is an ordinary version-1 bundle of this desk, written by the same writer
and read by the same import: addressed to the new desk (``addressee``),
encrypted to it alone, numbered in this desk's one sequence (declared in its
next bundle to coordinators, as a send-back is). It carries every revision
this desk holds (revoked lineages left out, as in every bundle to
coordinators), the evidence files they name, each device's received custody
chain verbatim from event 1 and then this desk's own chain (the last line
is ``custody_head``), the vouch of a desk's bundle, and the manifest member
``received``: every bundle this desk recorded of each device (and its own
earlier bundles to coordinators), which the new desk records as imported.
Revisions, events and files are read from the vault a page or a file at a
time, never all at once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

from db.api import CancelToken, NotFound, Vault
from sync.bundle.format import ReceivedEntry
from sync.bundle.org_held import HeldRevisions
from sync.bundle.vault_io import (
    PAGE,
    Progress,
    _adopt_unrecorded,
    _bytes_to_send,
    _check_cancel,
    _LazyBlob,
    _reporting,
    _RevisionPages,
    _revoked,
)
from sync.bundle.vouching import coordinator_vouches, lapsed_relays
from sync.bundle.writer import (
    BlobSource,
    BundleContents,
    DeviceIdentity,
    bundle_file_name,
    remove_partial_files,
    write_bundle,
)
from sync.org import OrgRefused, Profile
from sync.org_vault import held_profile


@dataclass(frozen=True)
class HandedOver:
    """What ``hand_over`` wrote (ids and counts only)."""

    path: Path
    bundle_id: str
    to_device: str
    sequence: int
    revisions: int
    custody_events: int
    chains: int  # devices whose received chains went (this desk's own not counted)
    blobs: int
    received: int  # entries of the ``received`` member
    withheld: tuple[str, ...]  # revisions of revoked lineages left out
    # Field devices this desk no longer vouches for (their vouch lapsed),
    # named in the manifest's ``lapsed`` (§8), and how many of their stored
    # revisions went: the new desk keeps those aside until it enrols them.
    lapsed_devices: int = 0
    lapsed_revisions: int = 0


class _Chains:
    """Each device's received chain from event 1, then this desk's own, read
    page by page at each walk (the writer walks twice); ``scan`` fixes each
    chain's last event so that both walks agree."""

    def __init__(self, vault: Vault, devices: list[str]) -> None:
        self._vault = vault
        self.devices = devices
        self._ends: dict[str, int] | None = None
        self._own_end: int | None = None
        self.count = 0
        self.last: str | None = None  # the hash of the last event carried
        self.own_head: str | None = None

    def scan(self) -> None:
        ends: dict[str, int] = {}
        count, last = 0, None
        for device_id in self.devices:
            end = 0
            for event in self._received(device_id, None):
                end, count, last = event.seq, count + 1, event.event_hash
            ends[device_id] = end
        own_end, own_head = 0, None
        for event in self._own(None):
            own_end, count, last, own_head = event.seq, count + 1, event.event_hash, event.event_hash
        self._ends, self._own_end = ends, own_end
        self.count, self.last, self.own_head = count, last, own_head

    def _received(self, device_id: str, end: int | None) -> Iterator[Any]:
        cursor = 0
        while page := self._vault.sync.received_custody_since(device_id, cursor, PAGE):
            for event in page:
                if end is not None and event.seq > end:
                    return
                yield event
            cursor = page[-1].seq

    def _own(self, end: int | None) -> Iterator[Any]:
        cursor = 0
        while page := self._vault.sync.custody_since(cursor, PAGE):
            for event in page:
                if end is not None and event.seq > end:
                    return
                yield event
            cursor = page[-1].seq

    def __iter__(self) -> Iterator[dict[str, Any]]:
        assert self._ends is not None and self._own_end is not None, "scan first"
        for device_id in self.devices:
            for event in self._received(device_id, self._ends[device_id]):
                yield event.to_wire()
        for event in self._own(self._own_end):
            yield event.to_wire()


def _new_desk(profile: Profile, own_id: str, to_device: str) -> str:
    """The new desk's age recipient, from the profile's coordinator entry."""
    if profile.coordinator(own_id) is None:
        raise OrgRefused(
            f"This vault is not a coordinator of organisation {profile.org_id}: only a coordinator "
            "desk hands its history over.",
            "org-not-coordinator",
            org_id=profile.org_id,
        )
    entry = profile.coordinator(to_device)
    if entry is None or to_device == own_id:
        raise NotFound("coordinator", to_device)
    return entry.age_recipient


def _own_entries(vault: Vault) -> list[ReceivedEntry]:
    """This desk's earlier bundles to coordinators, each with the numbers
    that went to single devices since the one before (its ``addressed``)."""
    entries: list[ReceivedEntry] = []
    previous: str | None = None
    last_number = 0
    addressed: list[tuple[int, int]] = []
    for sent in vault.sync.sent_bundles():  # by sequence
        if sent.addressee is not None:
            if addressed and addressed[-1][1] == sent.sequence - 1:
                addressed[-1] = (addressed[-1][0], sent.sequence)
            else:
                addressed.append((sent.sequence, sent.sequence))
        else:
            entries.append(
                ReceivedEntry(
                    vault.device_id,
                    sent.sequence,
                    sent.bundle_id,
                    previous if last_number == sent.sequence - 1 else None,
                    None,
                    tuple(addressed),
                )
            )
            addressed = []
        previous, last_number = sent.bundle_id, sent.sequence
    return entries


def received_entries(vault: Vault, leave_out: frozenset[str]) -> list[ReceivedEntry]:
    """The ``received`` member: every bundle this vault recorded of each
    device but those in ``leave_out`` (the new desk, revoked devices), and
    its own earlier bundles to coordinators; sorted by (device, sequence)."""
    entries = [
        ReceivedEntry(
            r.device_id,
            r.sequence,
            r.bundle_id,
            r.previous if r.sequence > 1 else None,
            r.custody_head,
            r.addressed,
        )
        for r in vault.sync.received_bundles()
        if r.device_id not in leave_out and r.device_id != vault.device_id
    ]
    entries.extend(_own_entries(vault))
    return sorted(entries, key=lambda e: (e.device_id, e.sequence))


def hand_over(
    vault: Vault,
    dest_dir: Path,
    to_device: str,
    *,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> HandedOver:
    """Write this desk's history hand-over for coordinator ``to_device`` into
    ``dest_dir`` (docs/bundle-format.md §10). Only a coordinator of the
    profile this vault holds makes one (OrgRefused ``org-not-coordinator``),
    and only for another coordinator of it (NotFound). On failure or cancel
    no bundle file is left and the vault is unchanged."""
    _check_cancel(cancel)
    profile = held_profile(vault)
    if profile is None:
        raise OrgRefused(
            "This vault belongs to no organisation yet: create one (org create) or enrol (enrol).", "org-none"
        )
    recipient = _new_desk(profile, vault.device_id, to_device)
    revoked = _revoked(profile, vault.device_id)
    lapsed = lapsed_relays(vault, profile)
    # Their chains and recorded bundles are not handed over: the new desk
    # does not authorise them (it keeps their revisions aside), and a chain
    # or a head it cannot check would refuse the whole hand-over.
    leave_out = revoked | {to_device} | {d.device_id for d in lapsed}
    remove_partial_files(dest_dir)  # what a killed export left here: ciphertext only
    _adopt_unrecorded(vault, dest_dir, profile.org_id)
    outgoing = vault.sync.outgoing()
    sequence = outgoing.bundle_sequence + 1
    # Every revision held: no acknowledged cursor, no runs held by the server.
    revisions = _RevisionPages(vault, 0, HeldRevisions(()), revoked)
    revisions.watched = frozenset(d.device_id for d in lapsed)
    revisions.scan()
    _check_cancel(cancel)  # the scans read the whole history: a cancel need not wait for the write
    chains = _Chains(vault, [d for d in vault.sync.received_chains() if d not in leave_out])
    chains.scan()
    _check_cancel(cancel)
    blobs = _bytes_to_send(vault.sync.held_blobs(), revisions.lineage)
    entries = received_entries(vault, leave_out)
    dest = dest_dir / bundle_file_name(profile.org_id, vault.device_id, sequence)
    with ExitStack() as files:
        sources = []
        for b in blobs:
            source = files.enter_context(_LazyBlob(vault, b.sha256))
            sources.append(BlobSource(b.sha256, b.size, b.evidence_ids, cast(BinaryIO, source)))
        written = write_bundle(
            dest,
            BundleContents(
                org_id=profile.org_id,
                profile_version=profile.version,
                sequence=sequence,
                previous=outgoing.previous_bundle_id,
                # The reader holds the last line to be the head; this desk's
                # own chain goes last, so it is its own head when it has one.
                custody_head=chains.last,
                revisions=revisions,
                custody=chains,
                blobs=sources,
                addressee=to_device,
                devices=coordinator_vouches(vault, profile),
                received=entries,
                lapsed=lapsed,
            ),
            DeviceIdentity(vault.sync.signing_key(), vault.device_id),
            [recipient],
            progress=_reporting(progress, cancel),
        )
    # Contents None: the new desk does not acknowledge it, and the cursors of
    # the stream to coordinators stay. Declared by the next bundle to
    # coordinators (addressed_since), as a send-back's number is.
    vault.sync.record_bundle_made(sequence, written.bundle_id, addressee=to_device)
    if blobs:
        vault.sync.record_transfers(
            [(evidence_id, b.sha256) for b in blobs for evidence_id in b.evidence_ids],
            bundle_id=written.bundle_id,
        )
    return HandedOver(
        path=written.path,
        bundle_id=written.bundle_id,
        to_device=to_device,
        sequence=sequence,
        revisions=len(written.manifest.revisions),
        custody_events=chains.count,
        chains=len(chains.devices),
        blobs=len(blobs),
        received=len(entries),
        withheld=tuple(revisions.withheld),
        lapsed_devices=len(lapsed),
        lapsed_revisions=revisions.watched_count,
    )


__all__ = ["HandedOver", "hand_over", "received_entries"]
