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
time, never all at once.

A history past one bundle's limits (MAX_PART_*: what a reader takes, §3)
goes in several such bundles with consecutive numbers (``_Split``): slices
of the same stream in storing order, each with the manifest member
``hand_over_part``, the vouch and ``lapsed`` in every one, ``received`` in
the last only; the new desk takes them in order (docs/bundle-format.md §10
"Size")."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from db.api import CancelToken, NotFound, PendingBlob, StoredRevision, Vault
from sync.bundle.format import ReceivedEntry
from sync.bundle.hand_over_decisions import makers_kept_out
from sync.bundle.hand_over_manifests import last_part_budget, with_worker_manifests
from sync.bundle.numbering import bundle_numbering, record_or_refuse
from sync.bundle.org_held import HeldRevisions
from sync.bundle.vault_io import (
    PAGE,
    Progress,
    _adopt_unrecorded,
    _bytes_to_send,
    _check_cancel,
    _reporting,
    _revision_wire,
    _RevisionPages,
    _revoked,
    blob_sources,
)
from sync.bundle.vouching import coordinator_vouches, lapsed_relays
from sync.bundle.writer import (
    BundleContents,
    DeviceIdentity,
    bundle_file_name,
    remove_partial_files,
    write_bundle,
)
from sync.org import OrgRefused, Profile
from sync.org_vault import held_profile

# The limits of one hand-over bundle, below what a reader takes (§3: the
# manifest 64 MiB, revisions.jsonl 1 GiB, custody.jsonl 256 MiB) with room
# for the rest of the manifest (``received``, ``devices``, the files). A
# history past them is split over several bundles (``_Split``). Module
# constants, so that a test splits a small vault.
MAX_PART_LINES = 600_000  # revision ids and custody events one manifest lists (~70 bytes each)
MAX_PART_REVISION_BYTES = 768 * 2**20  # revisions.jsonl
MAX_PART_CUSTODY_BYTES = 192 * 2**20  # custody.jsonl


@dataclass(frozen=True)
class HandOverPart:
    """One bundle of a hand-over (ids and counts only)."""

    path: Path
    bundle_id: str
    sequence: int
    revisions: int
    custody_events: int
    blobs: int


@dataclass(frozen=True)
class HandedOver:
    """What ``hand_over`` wrote (ids and counts only). ``path``,
    ``bundle_id`` and ``sequence`` are the last part's: the one whose
    taking completes the hand-over (it carries ``received``); ``parts``
    lists every bundle, in the order the new desk takes them."""

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
    # What this desk keeps out (sync/bundle/hand_over_decisions.py): its
    # parked revisions carried after the stored ones (the new desk decides
    # them), and the ids it left out or set aside (the ``decisions`` member).
    parked_revisions: int = 0
    decisions: int = 0
    parts: tuple[HandOverPart, ...] = ()
    # The workers' signed manifests carried with their bundles' ``received``
    # entries (sync/bundle/hand_over_manifests.py), and those kept here that
    # did not fit the last part's manifest: the new desk cannot check the
    # completeness of those bundles.
    worker_manifests: int = 0
    manifests_not_carried: int = 0


@dataclass
class _Part:
    """One bundle's slice of the history, in storing order: the revisions
    carried with local_seq after ``after`` up to ``end`` (equal: none), then
    chain segments (device, or None for this desk's own; after seq; up to seq)."""

    after: int
    end: int
    segments: list[tuple[str | None, int, int]] = field(default_factory=list)
    revisions: int = 0
    events: int = 0
    revision_bytes: int = 0
    custody_bytes: int = 0
    custody_head: str | None = None  # the hash of its last event: the header's ``custody_head``

    @property
    def lines(self) -> int:
        return self.revisions + self.events


def _base64_size(n: int) -> int:
    return 4 * ((n + 2) // 3)


def _revision_size(rev: StoredRevision) -> int:
    """revisions.jsonl bytes of one revision, near enough to keep a part
    under its limit: ``{"id": …, "signed": b64, "signature": b64}`` and a newline."""
    return len(rev.revision_id) + _base64_size(len(rev.signed)) + _base64_size(len(rev.signature)) + 48


def _entity_of(rev: StoredRevision) -> object:
    """The record a revision is of (its envelope's ``entity``)."""
    try:
        envelope = json.loads(rev.signed)
    except (ValueError, UnicodeDecodeError):
        return None
    return envelope.get("entity") if isinstance(envelope, dict) else None


class _Split:
    """The hand-over's history — every revision carried in storing order,
    then each device's received chain from event 1 and this desk's own —
    cut into parts below the MAX_PART_* limits (``plan``, one walk). A
    revision's parents were stored before it, and a chain's events go in
    order, so every part taken after the ones before it has what it needs.
    Each part is walked again page by page when it is written (twice: the
    writer measures, then writes), never held in memory; the plan fixes
    where each ends, so that revisions or events stored meanwhile wait for
    the next hand-over and both walks agree."""

    def __init__(self, vault: Vault, revisions: _RevisionPages, devices: list[str]) -> None:
        self._vault = vault
        self._pages = revisions  # scanned: who is revoked, which lineage is left out
        self.devices = devices
        self.parts = [_Part(0, 0)]
        self.watched_count = 0  # revisions carried of ``revisions.watched`` signers

    def plan(self) -> None:
        for rev in self.carried(0, None):
            size = _revision_size(rev)
            part = self._room(self.parts[-1].revision_bytes + size > MAX_PART_REVISION_BYTES)
            part.revisions, part.revision_bytes, part.end = (
                part.revisions + 1,
                part.revision_bytes + size,
                rev.local_seq,
            )
            if rev.device_id in self._pages.watched:
                self.watched_count += 1
        for device in [*self.devices, None]:
            last = 0
            for event in self.events(device, 0, None):
                size = len(json.dumps(event.to_wire())) + 1
                part = self._room(self.parts[-1].custody_bytes + size > MAX_PART_CUSTODY_BYTES)
                part.events, part.custody_bytes, part.custody_head = (
                    part.events + 1,
                    part.custody_bytes + size,
                    event.event_hash,
                )
                if part.segments and part.segments[-1][0] == device and part.segments[-1][2] == last:
                    part.segments[-1] = (device, part.segments[-1][1], event.seq)
                else:
                    part.segments.append((device, last, event.seq))
                last = event.seq

    def _room(self, too_big: bool) -> _Part:
        """The part the next line goes in: a new one when it would pass a
        limit (a part takes at least one line, however long)."""
        part = self.parts[-1]
        if part.lines and (part.lines + 1 > MAX_PART_LINES or too_big):
            part = _Part(part.end, part.end)
            self.parts.append(part)
        return part

    def carried(self, after: int, end: int | None) -> Iterator[StoredRevision]:
        """The revisions the hand-over carries stored after ``after`` up to
        ``end``: not a revoked device's, nor of its lineage."""
        cursor = after
        while page := self._vault.revisions.since(cursor, PAGE):
            for rev in page:
                if end is not None and rev.local_seq > end:
                    return
                if (
                    rev.device_id not in self._pages.revoked
                    and rev.revision_id not in self._pages.lineage.revisions
                ):
                    yield rev
            cursor = page[-1].local_seq

    def events(self, device: str | None, after: int, end: int | None) -> Iterator[Any]:
        """A device's received chain (None: this desk's own) after event ``after`` up to ``end``."""
        cursor = after
        while page := (
            self._vault.sync.custody_since(cursor, PAGE)
            if device is None
            else self._vault.sync.received_custody_since(device, cursor, PAGE)
        ):
            for event in page:
                if end is not None and event.seq > end:
                    return
                yield event
            cursor = page[-1].seq

    def revision_lines(self, part: _Part) -> Iterable[dict[str, Any]]:
        return _Walk(lambda: (_revision_wire(rev) for rev in self.carried(part.after, part.end)))

    def custody_lines(self, part: _Part) -> Iterable[dict[str, Any]]:
        def lines() -> Iterator[dict[str, Any]]:
            for device, after, end in part.segments:
                for event in self.events(device, after, end):
                    yield event.to_wire()

        return _Walk(lines)

    def place_blobs(self, blobs: list[PendingBlob]) -> list[list[PendingBlob]]:
        """Each file in the first part that carries a revision of an item
        holding it, naming the items first carried there: the new desk
        stores an item's file with its first revision (an item of this
        desk's arriving without its bytes is refused), and an item first
        carried later takes the file it holds by then. One part: all in it."""
        if len(self.parts) == 1:
            return [blobs]
        wanted = {e for b in blobs for e in b.evidence_ids}
        first: dict[object, int] = {}
        for index, part in enumerate(self.parts):
            for rev in self.carried(part.after, part.end):
                entity = _entity_of(rev)
                if entity in wanted and entity not in first:
                    first[entity] = index
        placed: list[list[PendingBlob]] = [[] for _ in self.parts]
        for blob in blobs:
            carried = [(first[e], e) for e in blob.evidence_ids if e in first]
            if carried:  # else no item of it goes: a receiver would refuse the bytes
                index = min(i for i, _e in carried)
                placed[index].append(replace(blob, evidence_ids=tuple(e for i, e in carried if i == index)))
        return placed


class _Walk:
    """An iterable whose every iteration walks anew (the writer walks twice)."""

    def __init__(self, walk: Callable[[], Iterator[dict[str, Any]]]) -> None:
        self._walk = walk

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self._walk()


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
    on_part: Callable[[int, int], None] | None = None,
    on_made: Callable[[HandOverPart], None] | None = None,
) -> HandedOver:
    """Write this desk's history hand-over for coordinator ``to_device`` into
    ``dest_dir`` (docs/bundle-format.md §10): one bundle, or several with
    consecutive numbers when the history is past one bundle's limits (the
    MAX_PART_* constants), to be taken in order. ``on_part(number, of)`` is
    called as each part starts, ``on_made(part)`` once its file is written,
    before it is recorded as made (a caller that must know of it across a
    kill saves it there: a kill can then leave a part noted and not
    recorded, never recorded and not noted, review 18 R3);
    ``progress`` reports within the part. Only a
    coordinator of the profile this vault holds makes one (OrgRefused
    ``org-not-coordinator``), and only for another coordinator of it
    (NotFound). On failure or cancel no bundle file of it is left; the numbers
    of the parts written before it stay used (counted as made, declared in
    this desk's next bundle to coordinators, as any hand-over's). This
    vault's bundle numbers are held throughout (sync/bundle/numbering.py):
    a bundle export or send-back meanwhile waits and takes the number after
    the last part's (review 17 F5)."""
    with bundle_numbering(vault, lambda: _check_cancel(cancel)):  # a Stop ends the wait for it
        return _hand_over_numbered(vault, dest_dir, to_device, progress, cancel, on_part, on_made)


def _hand_over_numbered(
    vault: Vault,
    dest_dir: Path,
    to_device: str,
    progress: Progress | None,
    cancel: CancelToken | None,
    on_part: Callable[[int, int], None] | None,
    on_made: Callable[[HandOverPart], None] | None,
) -> HandedOver:
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
    # Every revision held: no acknowledged cursor, no runs held by the server.
    revisions = _RevisionPages(vault, 0, HeldRevisions(()), revoked)
    revisions.watched = frozenset(d.device_id for d in lapsed)
    revisions.scan()
    _check_cancel(cancel)  # the scans read the whole history: a cancel need not wait for the write
    # Read before the plan (review 17 F6): a bundle imported meanwhile (the
    # sync lane's pull) is then in neither, or its revisions and events are
    # carried without its entry — which the new desk takes, its chain running
    # past the recorded head — never an entry whose head the chain carried
    # lacks, which refuses the whole hand-over (bundle-custody).
    entries = received_entries(vault, leave_out)
    split = _Split(vault, revisions, [d for d in vault.sync.received_chains() if d not in leave_out])
    split.plan()
    _check_cancel(cancel)
    placed = split.place_blobs(_bytes_to_send(vault.sync.held_blobs(), revisions.lineage))
    # What this desk keeps out: its parked revisions and left-out ids, in the last part.
    kept_out = makers_kept_out(vault, profile, revoked)
    vouches = coordinator_vouches(vault, profile)
    # The workers' own signed manifests go with their entries, as many as
    # the last part's manifest has room for besides the rest of it.
    carried = with_worker_manifests(
        vault,
        profile,
        entries,
        last_part_budget(
            lines=split.parts[-1].lines + len(kept_out.parked),
            decisions=len(kept_out.decisions),
            entries=len(entries),
            others=len(vouches) + len(lapsed) + len(placed[-1]),
        ),
    )
    count = len(split.parts)
    parts: list[HandOverPart] = []
    previous = outgoing.previous_bundle_id
    try:
        for index, part in enumerate(split.parts):
            _check_cancel(cancel)
            if on_part is not None:
                on_part(index + 1, count)
            sequence = outgoing.bundle_sequence + 1 + index
            last = index == count - 1
            with ExitStack() as files:
                written = write_bundle(
                    dest_dir / bundle_file_name(profile.org_id, vault.device_id, sequence),
                    BundleContents(
                        org_id=profile.org_id,
                        profile_version=profile.version,
                        sequence=sequence,
                        previous=previous,  # the part before, for every part after the first
                        # The reader holds the last line to be the head; this desk's
                        # own chain goes last, so it is its own head when it has one.
                        custody_head=part.custody_head,
                        revisions=kept_out.then_parked(split.revision_lines(part), vault)
                        if last
                        else split.revision_lines(part),
                        custody=split.custody_lines(part),
                        # The last also carries the files its parked revisions name.
                        blobs=blob_sources(
                            vault, kept_out.with_files(placed[index]) if last else placed[index], files
                        ),
                        addressee=to_device,
                        # In every part: the new desk authorises the field devices'
                        # revisions and chains, or keeps aside the lapsed ones', in
                        # whichever part they come.
                        devices=vouches,
                        # Only the last: the bundles count as received at the new
                        # desk once everything they brought is there.
                        received=carried.entries if last else (),
                        lapsed=lapsed,
                        decisions=kept_out.decisions if last else (),
                        hand_over_part=(index + 1, count) if count > 1 else None,
                    ),
                    DeviceIdentity(vault.sync.signing_key(), vault.device_id),
                    [recipient],
                    progress=_reporting(progress, cancel),
                )
            parts.append(
                HandOverPart(
                    written.path,
                    written.bundle_id,
                    sequence,
                    len(written.manifest.revisions),
                    part.events,
                    len(placed[index]),
                )
            )
            if on_made is not None:
                on_made(parts[-1])  # before the record: see the docstring
            # Contents None: the new desk does not acknowledge it, and the
            # cursors of the stream to coordinators stay. Declared by the next
            # bundle to coordinators (addressed_since), as a send-back's number
            # is. Recorded at once, so that a kill before the next part leaves
            # it counted as made, not its number used twice.
            try:
                record_or_refuse(
                    partial(vault.sync.record_bundle_made, sequence, written.bundle_id, addressee=to_device),
                    sequence,
                )
            except BaseException:
                written.path.unlink(missing_ok=True)  # not counted as made: not to be sent
                raise
            if placed[index]:
                vault.sync.record_transfers(
                    [(evidence_id, b.sha256) for b in placed[index] for evidence_id in b.evidence_ids],
                    bundle_id=written.bundle_id,
                )
            previous = written.bundle_id
    except BaseException:
        # A part alone is a sound bundle, but a hand-over without its last
        # never completes: none of it is left to be delivered.
        for made in parts:
            made.path.unlink(missing_ok=True)
        raise
    final = parts[-1]
    return HandedOver(
        path=final.path,
        bundle_id=final.bundle_id,
        to_device=to_device,
        sequence=final.sequence,
        revisions=sum(p.revisions for p in parts),
        custody_events=sum(p.custody_events for p in parts),
        chains=len(split.devices),
        blobs=sum(p.blobs for p in parts),
        received=len(entries),
        withheld=tuple(revisions.withheld),
        lapsed_devices=len(lapsed),
        lapsed_revisions=split.watched_count,
        parked_revisions=len(kept_out.parked),
        decisions=len(kept_out.decisions),
        parts=tuple(parts),
        worker_manifests=carried.carried,
        manifests_not_carried=carried.not_carried,
    )


__all__ = [
    "MAX_PART_CUSTODY_BYTES",
    "MAX_PART_LINES",
    "MAX_PART_REVISION_BYTES",
    "HandOverPart",
    "HandedOver",
    "hand_over",
    "received_entries",
]
