"""Bundles to and from the vault: ``export_bundle`` gathers what the
organisation has not acknowledged and writes it as this device's next
bundle; ``import_bundle`` checks a bundle (docs/bundle-format.md §5, the
vault's steps included) and applies it as one unit of work, all or nothing.

The vault is used only through ``db.api``: ``vault.revisions.since``,
``vault.sync`` (cursors, known devices, ``begin_import``)."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, ClassVar, cast

import pyrage

from db.api import (
    BlobReader,
    BlobWriter,
    CancelToken,
    Codes,
    FieldvaultError,
    HeldBundle,
    ImportRejected,
    ImportSummary,
    OperationCancelled,
    PendingBlob,
    RefusedMakersRevisions,
    RevisionRejected,
    RevokedLineage,
    StoredCustodyEvent,
    StoredRevision,
    Vault,
    VaultDamaged,
    VaultImport,
    refused_bundle_read,
    revoked_lineage,
)
from sync.bundle.admission import HAND_OVER_INCOMPLETE, Admission, BundleQuarantined, admit, hold
from sync.bundle.carried_receipts import queue_with_import, receipts_to_carry, record_carried
from sync.bundle.errors import BundleRejected
from sync.bundle.format import (
    READS_REVISION,
    BlobEntry,
    BundleHeader,
    HeaderEnrolment,
    MakerDecision,
    Manifest,
    ReceivedEntry,
)
from sync.bundle.hand_over_decisions import as_kept_out, coordinators_word
from sync.bundle.hand_over_in_flight import IN_FLIGHT, awaits_hand_over, hold_until_handed_over, note_part
from sync.bundle.hand_over_manifests import check_carried, keep_from_bundle
from sync.bundle.numbering import bundle_numbering, record_or_refuse
from sync.bundle.org_held import (
    HeldRevisions,
    every_coordinator_reads,
    held_runs,
    keep_relay_file,
    queue_relay,
    record_pulled,
    relay_wanted,
    stage_relay_file,
)
from sync.bundle.reader import BlobSink, CheckedBundle, check_bundle, check_header, read_bundle
from sync.bundle.vouching import coordinator_vouches, lapsed_relays
from sync.bundle.writer import (
    BlobSource,
    BundleContents,
    DeviceIdentity,
    bundle_file_name,
    remove_partial_files,
    write_bundle,
)
from sync.enrolment_proof import header_enrolment
from sync.org import Profile
from sync.org_vault import held_profile

Progress = Callable[[int, int], None]  # (bytes done, bytes in all)
PAGE = 1000  # revisions and custody events read, and revisions applied, at a time
# Times an import admits its sender again outside the lock after the lock
# found its standing changed (import_bundle, _Readmit); past it, the answer
# of the last lock stands. Each round follows another writer's change.
READMISSIONS = 3

log = logging.getLogger(__name__)


class BundleCancelled(OperationCancelled):
    def __init__(self) -> None:
        super().__init__("Cancelled; no bundle was written and nothing was imported.")


class HeldRevisionDamaged(VaultDamaged):
    """A revision this vault holds aside (parked, or held back by the import)
    no longer verifies when the import checks it again: the vault's own
    state is at fault, not the bundle (review 14 F5). Nothing of the bundle
    is applied, and it is not refused: a pull keeps its cursor before it and
    tries it again at its next run. The held-back rows live in the import's
    own tables, gone with its transaction, so ``verify`` cannot see them
    (review 15 F5): the message says so, and what to do instead."""

    codes: ClassVar[Codes] = {"held-revision-damaged": ("revision_id", "bundle_id")}

    def __init__(self, revision_id: str, bundle_id: str) -> None:
        super().__init__(
            f"Bundle {bundle_id} was not imported: revision {revision_id}, which this vault holds aside, "
            "no longer verifies, although the bundle's copy did moments before. The fault is in this vault "
            "or this computer (its disk or memory), not in the bundle. Nothing of the bundle was applied "
            "and it was not refused: import or sync again. If it fails again, run 'fieldvault verify' "
            "(it checks the database, though not what an import holds aside, so a clean result does not "
            "clear this), then restore the vault from a backup or ask your organisation for help.",
            "held-revision-damaged",
            revision_id=revision_id,
            bundle_id=bundle_id,
        )
        self.revision_id = revision_id
        self.bundle_id = bundle_id


def _check_cancel(cancel: CancelToken | None) -> None:
    if cancel is not None and cancel.cancelled:
        raise BundleCancelled()


def _reporting(progress: Progress | None, cancel: CancelToken | None) -> Progress:
    """A progress callback that also stops the work on cancel (the writer
    and reader abort, leaving nothing, when their callback raises)."""

    def report(done: int, total: int) -> None:
        _check_cancel(cancel)
        if progress is not None:
            progress(done, total)

    return report


# -- export --------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportedBundle:
    path: Path
    bundle_id: str
    sequence: int
    revisions: int
    custody_events: int
    blobs: int
    blob_bytes: int
    # Revisions left out: signed by a device the newest profile revokes, or
    # naming one of those as parent (the other desks take none of them).
    withheld: tuple[str, ...] = ()


def _revision_wire(rev: StoredRevision) -> dict[str, Any]:
    return {
        "id": rev.revision_id,
        "signed": base64.b64encode(rev.signed).decode("ascii"),
        "signature": base64.b64encode(rev.signature).decode("ascii"),
    }


class _RevisionPages:
    """The revisions after ``cursor``, read page by page at each walk (the
    writer walks them twice: to measure, then to write), so that they are
    never held all at once. The first walk fixes the last one: a revision
    stored meanwhile goes in the next bundle, and both walks agree. Revisions
    a coordinator pulled from the organisation's server (``held``,
    sync/bundle/org_held.py) are left out: the server holds them. So are
    those signed by a ``revoked`` device: no other desk takes them (§5 step
    11); and those descending from one (this desk's edit of a revoked
    worker's record, and edits of that edit), decided from the record's
    whole history in this vault, a parent the organisation holds included:
    without its parent another desk's ``verify`` names it. ``scan`` finds
    them (``lineage``) and lists those of this bundle's range (``withheld``)
    before the walks."""

    def __init__(
        self, vault: Vault, cursor: int, held: HeldRevisions, revoked: frozenset[str] = frozenset()
    ) -> None:
        self._vault = vault
        self._cursor = cursor
        self._held = held
        self.revoked = revoked
        self._end: int | None = None
        self.withheld: list[str] = []
        self.lineage = RevokedLineage({}, frozenset())
        # Signers whose carried revisions the first walk counts (a hand-over
        # says how many the new desk will keep aside: sync/bundle/hand_over.py).
        self.watched: frozenset[str] = frozenset()
        self.watched_count = 0

    def scan(self) -> None:
        """Find the revoked devices' revisions and their descendants (only
        the records a revoked device wrote in are read, only when the
        profile revokes a device), and list those this bundle would carry."""
        if not self.revoked:
            return
        self.lineage = revoked_lineage(self._vault, self.revoked)
        in_range = sorted(
            (seq, revision_id)
            for revision_id, seq in self.lineage.revisions.items()
            if seq > self._cursor and not self._held.held(seq)
        )
        self.withheld = [revision_id for _seq, revision_id in in_range]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        cursor, end = self._held.skip(self._cursor), self._end
        while page := self._vault.revisions.since(cursor, PAGE):
            for rev in page:
                if end is not None and rev.local_seq > end:
                    return
                if (
                    not self._held.held(rev.local_seq)
                    and rev.device_id not in self.revoked
                    and rev.revision_id not in self.lineage.revisions
                ):
                    if end is None and rev.device_id in self.watched:
                        self.watched_count += 1
                    yield _revision_wire(rev)
            cursor = self._held.skip(page[-1].local_seq)
        if self._end is None:
            self._end = cursor

    @property
    def end(self) -> int:
        """The local_seq of the last revision carried (after the first walk)."""
        assert self._end is not None
        return self._end


class _CustodyPages:
    """This device's custody events after ``cursor``, page by page, like
    _RevisionPages; ``scan`` fixes the last one (and the chain head sent)
    before the bundle is written."""

    def __init__(self, vault: Vault, cursor: int) -> None:
        self._vault = vault
        self._cursor = cursor
        self._end: int | None = None
        self.count = 0
        self.head: str | None = None

    def scan(self) -> None:
        end, count, head = self._cursor, 0, None
        for event in self._events():
            end, count, head = event.seq, count + 1, event.event_hash
        self._end, self.count, self.head = end, count, head

    @property
    def end(self) -> int:
        """The seq of the last event carried (after ``scan``)."""
        assert self._end is not None
        return self._end

    def _events(self) -> Iterator[StoredCustodyEvent]:
        cursor = self._cursor
        while page := self._vault.sync.custody_since(cursor, PAGE):
            for event in page:
                if self._end is not None and event.seq > self._end:
                    return
                yield event
            cursor = page[-1].seq

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (event.to_wire() for event in self._events())


def export_bundle(
    vault: Vault,
    dest_dir: Path,
    recipients: Sequence[str],
    org_id: str,
    profile_version: int,
    *,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    reads_revision: int | None = READS_REVISION,
) -> ExportedBundle:
    """Write this device's next bundle into ``dest_dir``: every revision,
    custody event of its own chain and evidence file the organisation has
    not acknowledged, encrypted to ``recipients`` (age "age1…"). Then record
    the bundle as made (the next one follows it) and a ``transfer`` (sent)
    custody event for each evidence item whose file it carries. On failure
    or cancel no bundle file is left and the vault is unchanged. Its number
    is held (sync/bundle/numbering.py) from reading it to recording it: a
    hand-over being written meanwhile keeps its consecutive numbers, and
    this bundle takes the one after them. ``reads_revision``: the manifest's
    ``reads`` (bundle-format.md §4), what this app reads; None leaves it
    out, as an app before the member did (tests: an old reader's bundle)."""
    with bundle_numbering(vault, lambda: _check_cancel(cancel)):  # a Stop ends the wait for it
        return _export_numbered(
            vault,
            dest_dir,
            recipients,
            org_id,
            profile_version,
            progress=progress,
            cancel=cancel,
            reads_revision=reads_revision,
        )


def _export_numbered(
    vault: Vault,
    dest_dir: Path,
    recipients: Sequence[str],
    org_id: str,
    profile_version: int,
    *,
    progress: Progress | None,
    cancel: CancelToken | None,
    reads_revision: int | None,
) -> ExportedBundle:
    _check_cancel(cancel)
    remove_partial_files(dest_dir)  # what a killed export left here: ciphertext only
    _adopt_unrecorded(vault, dest_dir, org_id)
    outgoing = vault.sync.outgoing()
    sequence = outgoing.bundle_sequence + 1
    profile = held_profile(vault)
    revisions = _RevisionPages(
        vault,
        outgoing.acked_revision_seq,
        HeldRevisions(held_runs(vault)),
        _revoked(profile, vault.device_id),
    )
    revisions.scan()
    custody = _CustodyPages(vault, outgoing.acked_custody_seq)
    custody.scan()
    # The head as read with the events: a transfer recorded meanwhile goes in the next bundle.
    head = custody.head if custody.count else vault.sync.custody_head()
    pending = _bytes_to_send(vault.sync.unacknowledged_blobs(), revisions.lineage)
    enrolment = _enrolment(vault, org_id)
    # The server's receipts for this device's earlier bundles that no
    # acknowledged bundle carried: a coordinator compares them with the log.
    receipts = receipts_to_carry(vault)
    device = DeviceIdentity(vault.sync.signing_key(), vault.device_id)
    dest = dest_dir / bundle_file_name(org_id, vault.device_id, sequence)
    with ExitStack() as files:
        blobs = blob_sources(vault, pending, files)
        written = write_bundle(
            dest,
            BundleContents(
                org_id=org_id,
                profile_version=profile_version,
                sequence=sequence,
                previous=outgoing.previous_bundle_id,
                custody_head=head,
                revisions=revisions,
                custody=custody,
                blobs=blobs,
                enrolment=enrolment,
                # Numbers given to send-back bundles since the last bundle to
                # coordinators: declared, so that they see no false gap.
                addressed=vault.sync.addressed_since(),
                receipts=receipts,
                # A coordinator's bundle to coordinators vouches for the field
                # devices it holds as enrolled (§4 devices, sync/bundle/vouching.py).
                devices=coordinator_vouches(vault, profile),
                # ...and names those it no longer vouches for, whose stored
                # revisions it carries (§4 lapsed, §8): kept aside, not refused.
                lapsed=lapsed_relays(vault, profile),
                reads_revision=reads_revision,
            ),
            device,
            recipients,
            progress=_reporting(progress, cancel),
        )
    # A kill here leaves a bundle the vault does not count as made: the next
    # export finds it and counts it (_adopt_unrecorded) rather than forking.
    try:
        record_or_refuse(
            lambda: vault.sync.record_bundle_made(
                sequence,
                written.bundle_id,
                revision_seq=revisions.end,
                custody_seq=custody.end,
                blobs=[b.sha256 for b in pending],
            ),
            sequence,
        )
    except BaseException:
        # Not counted as made: its file must not stay where a push would
        # send it under a number recorded for another bundle (a fork).
        written.path.unlink(missing_ok=True)
        raise
    vault.sync.record_transfers(
        [(evidence_id, b.sha256) for b in pending for evidence_id in b.evidence_ids],
        bundle_id=written.bundle_id,
    )
    record_carried(vault, written.bundle_id, receipts)
    return ExportedBundle(
        path=written.path,
        bundle_id=written.bundle_id,
        sequence=sequence,
        revisions=len(written.manifest.revisions),
        custody_events=len(written.manifest.custody),
        blobs=len(pending),
        blob_bytes=sum(b.size for b in pending),
        withheld=tuple(revisions.withheld),
    )


def _revoked(profile: Profile | None, own_id: str) -> frozenset[str]:
    """The devices the newest profile this vault holds revokes (never this
    one: a revoked device's bundle is refused whole anyway)."""
    return frozenset(profile.revoked) - {own_id} if profile is not None else frozenset()


def _bytes_to_send(pending: list[PendingBlob], lineage: RevokedLineage) -> list[PendingBlob]:
    """Evidence bytes to send, none naming an item every revision of which
    is withheld (a revoked device's, or a descendant of one), in this
    bundle's range or before it: a receiver refuses bytes for an item it
    does not hold (``blob``). Bytes only such items hold stay here,
    unacknowledged and never sent, in this bundle or a later one; an item
    with another revision keeps them."""
    items = {e for b in pending for e in b.evidence_ids} & lineage.whole
    if not items:
        return pending
    kept = []
    for blob in pending:
        holders = tuple(e for e in blob.evidence_ids if e not in items)
        if holders:
            kept.append(replace(blob, evidence_ids=holders))
    return kept


def _enrolment(vault: Vault, org_id: str) -> HeaderEnrolment | None:
    """The header's ``enrolment`` (§2.1) until a coordinator acknowledged a
    bundle of this device (then it knows the device): its age recipient, and
    the proof of the token it enrolled with, if any."""
    if vault.sync.has_acknowledgement():
        return None
    return header_enrolment(
        vault.sync.enrolment_token(), org_id, vault.device_public_key, vault.vault_keys.age_recipient()
    )


def _adopt_unrecorded(vault: Vault, dest_dir: Path, org_id: str) -> None:
    """An export killed after its bundle got its name and before the vault
    recorded it left this device's next bundle in ``dest_dir``: count it as
    made (it is whole and signed by this device), so that the next one
    follows it instead of reusing its sequence number (a fork). Its evidence
    items get their ``transfer`` with the next bundle, which carries them
    again (nothing is acknowledged yet)."""
    outgoing = vault.sync.outgoing()
    sequence = outgoing.bundle_sequence + 1
    path = dest_dir / bundle_file_name(org_id, vault.device_id, sequence)
    if not path.is_file() or path.is_symlink():
        return
    try:
        checked = check_bundle(path, org_id=org_id)
    except BundleRejected:
        return  # not a bundle of ours: write_bundle refuses the name (BundleNotWritten)
    header = checked.header
    if (header.device_id, header.sequence, header.previous) == (
        vault.device_id,
        sequence,
        outgoing.previous_bundle_id,
    ) and header.device_key == vault.device_public_key:
        vault.sync.record_bundle_made(sequence, checked.bundle_id, addressee=header.addressee)


class _LazyBlob:
    """An evidence file's bytes, opened at the first read and closed at its
    end: a bundle of thousands of files holds one open at a time."""

    def __init__(self, vault: Vault, sha256: str) -> None:
        self._vault = vault
        self._sha256 = sha256
        self._reader: BlobReader | None = None
        self._ended = False

    def read(self, n: int = -1) -> bytes:
        if self._ended:
            return b""
        if self._reader is None:
            self._reader = self._vault.sync.open_blob(self._sha256)
        data = self._reader.read(n)
        if not data:
            self.close()
            self._ended = True
        return data or b""

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def __enter__(self) -> _LazyBlob:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def blob_sources(vault: Vault, blobs: Sequence[PendingBlob], files: ExitStack) -> list[BlobSource]:
    """The writer's sources of ``blobs``, each read from the blob store when
    the writer reaches it (one file open at a time), closed with ``files``."""
    return [
        BlobSource(
            b.sha256, b.size, b.evidence_ids, cast(BinaryIO, files.enter_context(_LazyBlob(vault, b.sha256)))
        )
        for b in blobs
    ]


# -- import --------------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """Bundles of a device not received yet (§5.6): sequences ``first`` to ``last``."""

    device_id: str
    first: int
    last: int


@dataclass(frozen=True)
class HandOverFindings:
    """What a history hand-over's check against the workers' own signed
    manifests found at this import (§10 "Completeness against the workers'
    signatures"; sync/bundle/hand_over_manifests.py ``check_carried``):
    counts and the maker's device id only; the rows are in the vault
    (``fieldvault devices parked``). Told at the import so that the person
    who took the hand-over learns at once that it was incomplete."""

    maker_id: str  # the desk that made the hand-over
    missing: int = 0  # revisions a verified worker's manifest names that did not come
    unverifiable: int = 0  # carried manifests that did not verify or bind
    unchecked: int = 0  # field bundles named without a manifest, none kept here
    verified: int = 0  # manifests checked and found binding
    # Evidence files (one an item) a verified manifest names whose bytes did
    # not come and are not stored here (``missing-file``, review 21).
    missing_files: int = 0

    @property
    def incomplete(self) -> bool:
        """Anything a person should look at (verified manifests are not)."""
        return bool(self.missing or self.unverifiable or self.unchecked or self.missing_files)

    def to_json(self) -> dict[str, Any]:
        return {
            "maker_id": self.maker_id,
            "missing": self.missing,
            "unverifiable": self.unverifiable,
            "unchecked": self.unchecked,
            "verified": self.verified,
            "missing_files": self.missing_files,
        }


@dataclass(frozen=True)
class ImportedBundle:
    """One bundle's import: what was stored (not what was already held)."""

    path: Path
    bundle_id: str
    device_id: str
    sequence: int
    replay: bool = False  # imported before: nothing done
    revisions: int = 0
    custody_events: int = 0
    blobs: int = 0
    evidence_attached: tuple[str, ...] = ()
    gaps: tuple[Gap, ...] = field(default_factory=tuple)
    vouched: tuple[str, ...] = ()  # devices made known on a coordinator's word (§4 devices)
    # Revisions left out, not stored: a coordinator's bundle carried them and
    # the newest profile here revokes their signer (_Applier, §5.11). Ids only.
    withheld_revisions: tuple[str, ...] = ()
    # Parked, not stored: their parents are neither here nor left out yet
    # (db/parked.py; docs/sync.md §2.3). Ids only.
    parked_revisions: tuple[str, ...] = ()
    # Parked by an earlier import and stored by this one at its end (their
    # parents came with it); parked ones that no longer verify, kept parked
    # (review 13 F6/F7). Ids only.
    unparked_revisions: tuple[str, ...] = ()
    damaged_parked: tuple[str, ...] = ()
    # Would have parked, but their signer had db/parked.py PARKED_CAP parked
    # here: left out, neither stored nor parked (review 14 F1). Ids only.
    past_parked_cap: tuple[str, ...] = ()
    # Kept aside (parked), not stored, not refused: signed by a device whose
    # coordinator's vouch lapsed here, until it is enrolled again (review 15
    # F2; docs/bundle-format.md §8). Ids only.
    signer_pending: tuple[str, ...] = ()
    # Left out: their record is held here with another type (§5 step 11,
    # db/sync_import.py TYPE_CLASH), their children with them. Ids only.
    type_clash: tuple[str, ...] = ()
    # A history hand-over's custody events of devices whose coordinator's
    # vouch lapsed here since it was made (§10 "Lapsed since it was made"):
    # checked with each device's key and not stored. (device id, how many),
    # sorted by device id; empty for any other bundle. Ids and counts only.
    custody_kept_out: tuple[tuple[str, int], ...] = ()
    # A history hand-over's last part (the one with ``received``): what the
    # check against the workers' signed manifests found. None for any other
    # bundle, a part before the last, and a replay (no check ran).
    hand_over_findings: HandOverFindings | None = None


def declared_runs(profile: Profile | None, header: BundleHeader) -> tuple[tuple[int, int], ...]:
    """The header's ``addressed`` runs (§2.3) as this vault takes them: only
    from a coordinator of the profile it holds (the version in force here).
    Only a coordinator sends bundles back, so only its numbers can have gone
    to field workers; from any other sender the declaration is ignored (the
    bundle itself is imported: it is that device's signed work), and its
    unexplained numbers stay gaps, the warning they should be."""
    if profile is None or profile.coordinator(header.device_id) is None:
        return ()
    return header.addressed


def _check_sequence(
    unit: VaultImport,
    header: BundleHeader,
    bundle_id: str,
    addressed: tuple[tuple[int, int], ...] = (),
) -> tuple[Gap, ...]:
    """§5.6 where the vault can tell before applying: a bundle must name the
    imported bundle ``sequence − 1`` as its ``previous`` (else ``chain``),
    and must itself be the ``previous`` that an imported bundle
    ``sequence + 1`` names (else ``fork``: a late bundle filling a gap that
    is not the one its successor chained to). A bundle beyond the next
    leaves a gap, less the numbers of ``addressed`` (the sender's declared
    runs, ``declared_runs``). (The same sequence as an imported bundle is
    found by ``record_bundle``.)"""
    device_id, sequence = header.device_id, header.sequence
    before = unit.received(device_id, sequence - 1) if sequence > 1 else None
    if before is not None and header.previous != before.bundle_id:
        raise BundleRejected("chain")
    after = unit.received(device_id, sequence + 1)
    if after is not None and after.previous is not None and after.previous != bundle_id:
        raise BundleRejected("fork")
    return _gaps_before(unit, header, addressed)


def _gaps_before(
    unit: VaultImport, header: BundleHeader, addressed: tuple[tuple[int, int], ...]
) -> tuple[Gap, ...]:
    """The sender's numbers below the bundle's that the vault holds no
    record of, less ``addressed``."""
    device_id, sequence = header.device_id, header.sequence
    last = unit.last_sequence(device_id)
    # Numbers the sender declares it gave to field workers' bundles (§2.3) are no gap.
    gaps: list[Gap] = []
    start = last + 1
    for first, end in addressed:
        if end < start:
            continue
        if first > start:
            gaps.append(Gap(device_id, start, first - 1))
        start = end + 1
    if start < sequence:
        gaps.append(Gap(device_id, start, sequence - 1))
    return tuple(gaps)


class _Applier:
    """Feeds what ``read_bundle`` checked into the import unit, turning the
    vault's refusals into the bundle reasons of §5.11-13."""

    def __init__(
        self,
        unit: VaultImport,
        header: BundleHeader,
        *,
        dry_run: bool = False,
        profile: Profile | None = None,
        own_id: str = "",
        bundle_id: str = "",
    ) -> None:
        self.unit = unit
        self.bundle_id = bundle_id
        self.header = header
        self.dry_run = dry_run  # check the evidence ids, hash the bytes, store nothing
        self.profile = profile  # the vault's: who may vouch, who is revoked
        self.own_id = own_id  # this vault's device id
        self.batch: list[dict[str, Any]] = []
        self.vouched: list[str] = []  # devices this import made known on the sender's word
        self.noted_lapsed: list[str] = []  # devices noted pending from the sender's ``lapsed`` (§8)
        self.withhold = _withheld_signers(profile, header, own_id)
        self.withheld_blobs: list[str] = []  # bytes only withheld revisions' items named: not stored
        self.listed: tuple[str, ...] = ()  # the revision ids the signed manifest lists
        # A history hand-over's ``received`` (bundle-format.md §10), taken
        # from a coordinator in a bundle addressed to this desk only.
        self.received: tuple[ReceivedEntry, ...] = ()
        # A part of a hand-over split over several bundles: (number, of).
        self.hand_over_part: tuple[int, ...] = ()
        self.last_event_device: object = None  # whose event the last custody line was
        # A hand-over's ``decisions`` (§10): what its maker kept out, its word
        # only (sync/bundle/hand_over_decisions.py), taken as ``received`` is.
        self.decisions: tuple[MakerDecision, ...] = ()

    def hand_over(self, manifest: Manifest) -> None:
        """§10: ``received`` is a coordinator's word for a desk added later:
        from a sender that is no coordinator of this vault's profile the
        bundle is refused (``signer``); addressed to another device, or read
        by a vault that is no coordinator, it is ``not-a-recipient``."""
        if not manifest.received and not manifest.hand_over_part:
            return
        coordinators_word(self.profile, self.header, self.own_id)
        self.received = manifest.received
        self.hand_over_part = manifest.hand_over_part
        self._follows_part_before()
        # A part before the last notes its series, the last ends it, with
        # this import: meanwhile the devices it vouches for of which this
        # desk took no bundle itself (those whose bundles the hand-over's
        # chains and records must precede) wait in quarantine
        # (sync/bundle/hand_over_in_flight.py, review 17 F3).
        maker, part, bundle_id = self.header.device_id, self.hand_over_part, self.bundle_id
        devices = [d.device_id for d in manifest.devices if self.unit.last_sequence(d.device_id) == 0]
        self.unit.update_client_value(
            IN_FLIGHT, lambda text: note_part(text, maker, part, bundle_id, devices)
        )

    @property
    def is_hand_over(self) -> bool:
        """A history hand-over (§10): one with ``received``, or any part of
        one split over several bundles (only the last carries ``received``)."""
        return bool(self.received or self.hand_over_part)

    def _follows_part_before(self) -> None:
        """§10: a part after the first is taken only once the part before it
        is (its ``previous``, the maker's bundle one number lower): its
        revisions' parents and its chains' earlier events are there. Else it
        is refused (``hand-over-part``, naming the missing number) and taken
        when it comes again after that one."""
        if not self.hand_over_part or self.hand_over_part[0] == 1:
            return
        before = self.unit.received(self.header.device_id, self.header.sequence - 1)
        if before is None or before.bundle_id != self.header.previous:
            raise BundleRejected("hand-over-part", str(self.header.sequence - 1))

    def record_received(self) -> None:
        """The hand-over's ``received`` entries, recorded as imported once its
        chains are in: a later pull of those bundles is a replay, and each
        device's next bundle follows them. One of this vault's own, or of a
        device unknown here, is skipped, and so is one of a device the profile
        here revokes (its chain was not taken: ``custody``); a fork or a head
        the chain lacks refuses the hand-over (ImportRejected)."""
        for entry in self.received:
            if entry.device_id == self.own_id or entry.device_id in self.withhold:
                continue
            try:
                self.unit.record_bundle(
                    entry.bundle_id,
                    entry.device_id,
                    entry.sequence,
                    entry.custody_head,
                    entry.previous,
                    addressed=entry.addressed,
                    # Held here? Received on this hand-over's word, not approved (review 22).
                    on_word=True,
                )
            except ImportRejected as refused:
                if refused.reason == "device unknown":
                    continue
                # A pending device's entry whose chain head this desk does
                # not hold (its events kept out, by this part or an earlier
                # one): not recorded, as for a revoked device, so its own
                # bundles are no replay here and bring the chain when it is
                # approved; a fork refuses the hand-over still.
                if refused.reason == "custody head missing" and self.unit.is_lapsed(entry.device_id):
                    continue
                raise

    def maker_decisions(self, manifest: Manifest) -> None:
        """§10 ``decisions``: the revisions the hand-over's maker kept out,
        taken only as ``received`` is (``coordinators_word``). A hand-over's
        revisions are all sorted out (``check_parents``): it carries its
        maker's parked revisions, whose parents may never come."""
        if manifest.decisions:
            coordinators_word(self.profile, self.header, self.own_id)
            self.decisions = manifest.decisions
        if self.received or self.decisions:
            self.unit.check_parents()

    def record_decisions(self) -> None:
        """The maker's ``decisions`` recorded as its word, naming the maker."""
        if self.decisions:
            self.unit.record_maker_decisions(
                self.header.device_id, self.bundle_id, as_kept_out(self.decisions)
            )

    def check_worker_manifests(self) -> HandOverFindings | None:
        """§10 "Completeness against the workers' signatures": each worker's
        manifest the hand-over's ``received`` carries, verified with the
        worker's key; what it names that the hand-over did not bring and
        nothing here explains is recorded, naming the maker, never acted on;
        a field device's entry without one is recorded unchecked
        (sync/bundle/hand_over_manifests.py)."""
        if not self.received:
            return None
        checked = check_carried(
            self.unit,
            maker_id=self.header.device_id,
            hand_over_id=self.bundle_id,
            org_id=self.header.org_id,
            entries=self.received,
            skip={self.own_id} | self.withhold,
            carried=frozenset(self.listed),
            profile=self.profile,
        )
        return HandOverFindings(
            self.header.device_id,
            missing=checked.missing,
            unverifiable=checked.unverifiable,
            unchecked=checked.unchecked,
            verified=checked.verified,
            missing_files=checked.missing_files,
        )

    def manifest(self, manifest: Manifest) -> None:
        """§4 ``devices``: the sender vouches for the devices whose revisions
        it relays (a send-back to a field worker) or that it holds as
        enrolled (a coordinator's bundle to coordinators, §8). Taken only
        from a coordinator of this vault's profile (otherwise the bundle is
        refused as ``signer``, naming the first device); a device the profile
        revokes is not taken (its revisions are then left out: ``withhold``);
        a device known already stays as it is. A field worker takes a vouch
        only from a bundle addressed to it (§2.2): a coordinators' bundle's
        list is for coordinators, and it ignores it."""
        self.listed = manifest.revisions
        self.hand_over(manifest)
        self.maker_decisions(manifest)
        self.lapsed(manifest)
        if not manifest.devices:
            return
        sender, profile = self.header.device_id, self.profile
        if profile is None or profile.coordinator(sender) is None:
            raise BundleRejected("signer", manifest.devices[0].device_id)
        if profile.coordinator(self.own_id) is None and self.header.addressee != self.own_id:
            return
        # A vouch enrols again a device whose vouch lapsed only from a bundle
        # made under the profile held here or a newer one: an older bundle's
        # word (a late import, a re-read) predates the lapse (review 21 R1).
        renew_lapsed = self.header.profile_version >= profile.version
        for device in manifest.devices:
            if device.device_id in profile.revoked:
                continue
            try:
                added = self.unit.vouch_device(
                    device.device_id,
                    device.device_key,
                    device.age_recipient,
                    vouched_by=sender,
                    renew_lapsed=renew_lapsed,
                )
            except ValueError:  # the sender is not an enrolled coordinator in this vault
                raise BundleRejected("signer", device.device_id) from None
            if added:
                self.vouched.append(device.device_id)

    def lapsed(self, manifest: Manifest) -> None:
        """§4 ``lapsed`` (§8): the field devices a coordinator knows and no
        longer vouches for, whose revisions stored while the vouch stood its
        bundle may carry. Taken by a coordinator only, from a coordinator of
        its profile (otherwise the bundle is refused as ``signer``, naming
        the first device, as a vouch is): a device this vault does not know
        is noted ``pending`` (``note_lapsed_device``), so those revisions
        are kept aside (``signer_pending``) instead of refusing the bundle;
        a known one stays as it is, and a device the profile revokes or
        names as a coordinator is not noted. A key no coordinator names
        stays an outsider's: ``signer:<revision id>``."""
        if not manifest.lapsed:
            return
        sender, profile = self.header.device_id, self.profile
        if profile is None or profile.coordinator(sender) is None or sender in profile.revoked:
            raise BundleRejected("signer", manifest.lapsed[0].device_id)
        if profile.coordinator(self.own_id) is None:
            return  # a field worker takes no coordinator's word on other devices here
        for device in manifest.lapsed:
            if device.device_id in profile.revoked or profile.coordinator(device.device_id) is not None:
                continue
            try:
                if self.unit.note_lapsed_device(device.device_id, device.device_key, named_by=sender):
                    self.noted_lapsed.append(device.device_id)
            except ValueError:  # the sender is not an enrolled coordinator in this vault
                raise BundleRejected("signer", device.device_id) from None

    def revision(self, wire: dict[str, Any]) -> None:
        self.batch.append(wire)
        if len(self.batch) >= PAGE:
            self.flush()

    def flush(self) -> None:
        batch, self.batch = self.batch, []
        try:
            self.unit.add_revisions(batch, withhold=self.withhold)
        except RevisionRejected as refused:
            kind = "signer" if refused.reason == "signer not authorised" else "revision"
            raise BundleRejected(kind, refused.revision_id) from None

    def settle(self) -> None:
        """The bundle's revisions are all read (§3: they come before its
        custody events and evidence bytes): the import decides those it
        deferred (a child placed before its left-out parent is left out)."""
        self.flush()
        try:
            self.unit.settle_revisions()
        except RevisionRejected as refused:
            raise self.refusal(refused) from None

    def refusal(self, refused: RevisionRejected) -> FieldvaultError:
        """A revision the unit checked again (held back for this import, or
        parked here before) failed. The re-check of a held-back revision
        reads this vault's copy of bytes that verified moments before, so
        its failure is always this vault's state, whatever id it carries
        (review 15 F5: a damaged signature kept a listed id, and the sound
        bundle was refused and passed for good): not a refusal, which would
        blame the sender and make a pull pass the bundle (review 14 F5).
        Any other check that fails on storing one judges the bundle's own
        revision only when its signed manifest lists it. (A revision whose
        record is held here with another type fails none: the import leaves
        it out, db/type_clash.py.)"""
        if refused is self.unit.recheck_failure:
            return HeldRevisionDamaged(refused.revision_id, self.bundle_id)
        if refused.revision_id in self.listed:  # a scan of the ids, on this failure only
            kind = "signer" if refused.reason == "signer not authorised" else "revision"
            return BundleRejected(kind, refused.revision_id)
        return HeldRevisionDamaged(refused.revision_id, self.bundle_id)

    def custody(self, wire: dict[str, Any]) -> None:
        self.settle()
        device = _event_device(wire)
        # §5.12: the sender's own chain only; a hand-over (§10) carries every
        # device's received chain, never this vault's own.
        allowed = device != self.own_id if self.is_hand_over else device == self.header.device_id
        if not allowed:
            raise BundleRejected("custody", wire["hash"])
        self.last_event_device = device
        if device in self.withhold:
            # A hand-over made before this profile revoked the device (review
            # 16 F2): its chain is not taken, as a fresh hand-over leaves it out.
            return
        try:
            if self.is_hand_over and self.unit.chain_kept_out(wire):
                # A device whose vouch lapsed here since the hand-over was
                # made (§10 "Lapsed since it was made"): its event verified
                # with its key, not stored; its revisions are kept aside and
                # its own bundles bring the chain once it is enrolled again.
                # (The unit counts it, ImportedBundle.custody_kept_out;
                # record_received skips its ``received`` entry by is_lapsed.)
                return
            self.unit.add_custody_events([wire])
        except ImportRejected:
            raise BundleRejected("custody", wire["hash"]) from None

    def blob(self, entry: BlobEntry) -> BlobSink | None:
        self.settle()
        # Any import may leave revisions out (db/sync_import.py ``sorts_out``).
        leaves_out = self.withhold or self.unit.sorts_out
        named = self.unit.evidence_to_attach(entry.evidence_ids) if leaves_out else entry.evidence_ids
        if not named:
            # Only items of withheld revisions hold these bytes: not stored;
            # the reader still hashes them against the manifest.
            self.withheld_blobs.append(entry.sha256)
            return None
        try:
            writer = self.unit.blob_writer(entry.sha256, entry.size, named)
        except ImportRejected:
            raise BundleRejected("blob", entry.sha256) from None
        if self.dry_run:
            writer.discard()
            return None  # the reader still hashes the bytes against the manifest
        return _Sink(writer, entry.sha256)


def _withheld_signers(profile: Profile | None, header: BundleHeader, own_id: str) -> frozenset[str]:
    """The signers whose revisions an import leaves out rather than refuse
    the bundle for (§5.11): the devices the newest profile here revokes, in
    a bundle to coordinators, or a history hand-over to this coordinator
    desk (§10), whose sender is a coordinator of that profile.
    A desk's bundle made before a revocation and read after it carries
    revisions the desk took in while they were authorised; refusing it
    whole would lose the desk's own work and, through the server, where it
    counted as delivered at its receipt, cut this vault off from every later
    bundle of that desk (bundle-custody: their chain starts after events
    never taken here). A hand-over made before a revocation is the same
    (review 16 F2), and worse refused: the key desk makes one per new desk,
    so the new desk would hold none of the history. Its chain and recorded
    bundles are not taken either (``_Applier.custody``, ``record_received``).
    In a field worker's bundle, or a send-back (whose coordinator leaves out
    whole the records a revoked device wrote in, and sends again what a
    worker did not take), a revoked signer still refuses it whole."""
    if profile is None or profile.coordinator(header.device_id) is None:
        return frozenset()
    if header.addressee is not None and not _hand_over_to(profile, header, own_id):
        return frozenset()
    return _revoked(profile, own_id) - {header.device_id}


def _hand_over_to(profile: Profile, header: BundleHeader, own_id: str) -> bool:
    """Is this bundle addressed to this vault as a coordinator desk? Only a
    history hand-over is (§10); a send-back is addressed to a field worker."""
    return header.addressee == own_id and profile.coordinator(own_id) is not None


class _UnitEnd:
    """Around the import unit: a RevisionRejected from its end (``_finish``
    checks parked revisions again) is judged by ``_Applier.refusal``."""

    def __init__(self) -> None:
        self.applier: _Applier | None = None

    def __enter__(self) -> _UnitEnd:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, _tb: TracebackType | None
    ) -> None:
        if isinstance(error, RevisionRejected) and self.applier is not None:
            raise self.applier.refusal(error) from None


class _Sink:
    """The reader's blob sink: a refusal of the vault becomes the bundle's."""

    def __init__(self, writer: BlobWriter, sha256: str) -> None:
        self._writer = writer
        self._sha256 = sha256
        self.checks_sha256 = writer.checks_sha256  # close() refuses bytes that do not match

    def write(self, data: bytes, /) -> object:
        try:
            return self._writer.write(data)
        except ImportRejected:
            raise BundleRejected("blob", self._sha256) from None

    def close(self) -> None:
        try:
            self._writer.close()
        except ImportRejected:
            raise BundleRejected("blob", self._sha256) from None


def _event_device(wire: dict[str, Any]) -> object:
    try:
        envelope = json.loads(base64.b64decode(wire["signed"], validate=True))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    return envelope.get("device") if isinstance(envelope, dict) else None


def _unrevoked(profile: Profile | None, device_id: str) -> bool:
    """Does ``profile``, the newest here, leave ``device_id`` unrevoked?"""
    return profile is None or device_id not in profile.revoked


def _replay(path: Path, checked: CheckedBundle) -> ImportedBundle:
    header = checked.header
    return ImportedBundle(path, checked.bundle_id, header.device_id, header.sequence, replay=True)


def _enrol_on_approval(
    unit: VaultImport, bundle_id: str, admission: Admission, profile: Profile | None
) -> None:
    """An approval by code (quarantine.py ``approve_bundle``) of a held bundle
    this vault counts as received already: a hand-over's ``received`` named
    it while its device stayed unknown to its own imports, pending here
    (review 22). Comparing the code is the coordinator's act of trust in the
    device, so it is enrolled as by any approval (its revisions kept aside
    while pending are decided at the unit's end) and the row is marked
    approved; the bundle's content is not read again (it is here, or among
    those kept aside). Nothing unsigned becomes evidence: the revisions are
    the device's own signed ones, the row only a record. A device enrolled
    meanwhile (an import of the same bundle, a vouch) is left as it is; one
    this vault holds revoked, or that ``profile`` (the one held, read under
    the lock) revokes, is refused, as admission refuses it."""
    _enrol_admitted(unit, bundle_id, admission, profile)
    unit.approve_held(bundle_id)


def _enrol_admitted(unit: VaultImport, bundle_id: str, admission: Admission, profile: Profile | None) -> None:
    """Enrol the device a token proof or an approval by code admitted, under
    the import's lock. A device this vault holds revoked is refused as
    admission refuses it, even when the profile held does not list it (a
    profile applied half way; an approval skips admission): before, enrolment
    met a known device and failed with a ValueError. So is one ``profile``
    (the held one, read under the lock) revokes, though no row here says so:
    a device known only by its held bundle or its token proof has no row
    for a revocation to mark (sync/org_vault.py ``_reconcile_devices``), and
    one revoked after admission was enrolled and its bundle applied. One
    enrolled meanwhile (another import of its bundles, a vouch) is left as
    it is."""
    status = unit.device_status(admission.device_id)
    if status == "revoked" or not _unrevoked(profile, admission.device_id):
        raise BundleRejected("device-revoked")
    if status != "enrolled":
        unit.enrol_device(
            bundle_id,
            admission.device_id,
            admission.public_key,
            admission.age_recipient,
            token_id=admission.token_id,
        )


def _of_the_sender(admission: Admission | None, header: BundleHeader) -> Admission | None:
    """``admission`` when it is of the header's device (its id and key), else None."""
    if admission is None or (admission.device_id, admission.public_key) != (
        header.device_id,
        header.device_key,
    ):
        return None
    return admission


def _approve_received(vault: Vault, replay: ImportedBundle, admission: Admission) -> ImportedBundle:
    """``_enrol_on_approval`` in a unit of its own: ``replay``, with what the
    unit's end stored of the device's revisions kept aside. A device the
    profile held under the lock revokes, stored after the approval's own
    check: the approval's refusal, as once the revocation came first
    (_as_the_approval_refuses: nothing kept, no refusal recorded)."""
    try:
        with vault.sync.begin_import() as unit:
            _enrol_on_approval(unit, replay.bundle_id, admission, held_profile(vault))
    except BundleRejected as refused:
        _as_the_approval_refuses(vault, refused, admission.device_id)
        raise
    summary = unit.summary
    return replace(
        replay,
        revisions=summary.revisions,
        withheld_revisions=tuple(summary.withheld_revisions),
        unparked_revisions=tuple(summary.unparked_revisions),
        damaged_parked=tuple(summary.damaged_parked),
        past_parked_cap=tuple(summary.past_parked_cap),
        signer_pending=tuple(summary.signer_pending),
        type_clash=tuple(summary.type_clash),
    )


def approve_received(vault: Vault, held: HeldBundle, admission: Admission) -> ImportedBundle:
    """The approval by code (quarantine.py ``approve_bundle``) of held bundle
    ``held``, which this vault counts as received already (a hand-over's
    ``received`` named it), from what the vault holds: its row's device id,
    key and sequence, taken from the bundle's signed header when it was
    held. Nothing of the file is read (review 23 F3): the approval reads no
    content, and a pull removes a received row's spool copy. A replay, as
    ``import_bundle`` answers it when given the file."""
    replay = ImportedBundle(Path(held.path), held.bundle_id, held.device_id, held.sequence, replay=True)
    return _approve_received(vault, replay, admission)


def import_bundle(
    vault: Vault,
    path: Path,
    identity: str | pyrage.x25519.Identity,
    *,
    org_id: str | None = None,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    dry_run: bool = False,
    approved: Admission | None = None,
    from_server: bool = False,
    code_compared: bool = False,
    approval: Admission | None = None,
) -> ImportedBundle:
    """Check the bundle at ``path`` and apply it in one transaction.

    With ``dry_run`` every check runs, the vault's included, and the
    transaction is rolled back: what ``bundle verify`` does with a vault.
    (Evidence bytes are hashed, not stored, and the end-of-import check that
    every evidence item brought its file is not run.) The counts returned are
    what an import would have stored.

    BundleRejected (with the §5 reason) when any check fails, the vault's
    included: the device known and enrolled, or proving an unused
    enrolment token (5: an unknown device's bundle is otherwise held in
    quarantine, BundleQuarantined; ``approved`` is the device a coordinator
    approved after comparing its verification code), its sequence (6: a replay
    returns ``replay=True`` and changes nothing; a fork or a broken chain is
    refused; a gap is reported), signers authorised (11), the device's
    custody chain (12), evidence ids (13). A refused, failed or cancelled
    import leaves nothing (no row, no blob file); a kill -9 leaves at most
    blob files no row names (quarantined at the next unlock).

    ``from_server``: the bundle was pulled from the organisation's server;
    a coordinator records what it stored as held by the server, with the
    import (sync/bundle/org_held.py), so that its own bundles do not upload
    it again.

    ``code_compared``: a coordinator approved this bundle by its device's
    verification code (quarantine.py ``approve_bundle``): it is not held for
    a hand-over taken in part (review 18 R1); every check still applies.
    ``approval``: with it, the admission the code compared, for a device
    enrolled when the approval read it (``approved`` None): should the lock
    find it no longer enrolled, the re-admission takes the code's word, as
    the same approval after that change would (review 26 F4)."""
    _check_cancel(cancel)
    # §5.1-4: the header alone, so that a replay or an unknown sender is
    # answered without reading the payload; read_bundle checks the rest.
    checked = check_header(path, org_id=org_id)
    header = checked.header
    # Read once for the checks before the write lock (a replay's sender
    # revoked, admission, relay staging); _apply reads it again under the
    # lock for what it decides there.
    profile = held_profile(vault)
    # An approval is of one device: a file that became another device's
    # bundle since the approval checked it is imported as that device's,
    # unapproved (held, if unknown), never under the approval (review 28 F2).
    approved, approval = _of_the_sender(approved, header), _of_the_sender(approval, header)
    if code_compared and approved is None and approval is not None:
        # Approved by code while its device was enrolled: the code compared
        # admits it at every question asked from here on, as approve_bundle
        # would have passed it had the device stopped being enrolled first
        # (a vouch lapsed in any window up to the lock: review 26 F4, review
        # 27 F1), and a bundle a hand-over recorded as received meanwhile
        # is approved from the rows (_approve_received), not answered as a
        # plain replay with the approval unrecorded (review 27 F2).
        approved = approval
    asked = partial(_before_lock, vault, path, identity, checked, org_id, progress, cancel, dry_run)
    admitted = asked(approved, code_compared, profile)
    if isinstance(admitted, ImportedBundle):
        return admitted
    admission = admitted
    staged = _staged_for_relay(vault, path, checked, profile, from_server=from_server, dry_run=dry_run)
    readmissions = 0
    try:
        while True:
            try:
                return _apply(
                    vault,
                    path,
                    identity,
                    checked,
                    org_id,
                    _reporting(progress, cancel),
                    dry_run,
                    admission,
                    from_server=from_server,
                    staged=staged,
                    admitted_by=profile,
                    code_compared=code_compared,
                )
            except _Readmit as changed:
                # A known sender admission took is no longer one under the
                # lock (its coordinator's vouch lapsed meanwhile): §5 step 5
                # again, with the vault as it is now and the lock released,
                # so that the bundle is held (or admitted by its token, or
                # refused) as the same import after that change would. The
                # loop goes round again only when the vault changed again in
                # the next window: each round follows another writer's change,
                # and past READMISSIONS rounds the last lock's answer stands.
                profile = changed.profile
                readmissions += 1
                if readmissions > READMISSIONS:
                    settled = _as_the_lock_answered(vault, path, checked, changed.answer, dry_run)
                    if isinstance(settled, ImportedBundle):
                        return settled
                    admission = settled
                    continue
                # Every question asked before the first lock, in its order
                # (a hand-over taken in part may name the sender now).
                admitted = asked(approved, code_compared, profile)
                if isinstance(admitted, ImportedBundle):
                    return admitted
                admission = admitted
                if staged is None:
                    staged = _staged_for_relay(
                        vault, path, checked, profile, from_server=from_server, dry_run=dry_run
                    )
    except _DryRun as done:
        return done.result
    except BundleRejected as refused:
        if code_compared:
            _as_the_approval_refuses(vault, refused, header.device_id)
        if not dry_run and refused.refused_read is None:
            # Revoked between admission and the lock (_apply): as above. (One
            # a re-admission refused has kept what it read already, _admitted:
            # a second read would keep nothing and say None.)
            _refused_revoked(refused, vault, path, identity, checked, org_id, _reporting(progress, cancel))
        raise
    except ImportRejected as refused:  # the unit's own checks at its end
        raise _bundle_reason(refused, header) from None
    except RevisionRejected as refused:
        # Before the bundle's manifest was read (_UnitEnd judges the rest):
        # the bundle is refused with a reason, never an error that ends a pull.
        raise BundleRejected("revision", refused.revision_id) from None
    finally:
        if staged is not None:  # kept (renamed) once the relay is queued; else removed
            staged.unlink(missing_ok=True)


def _before_lock(
    vault: Vault,
    path: Path,
    identity: str | pyrage.x25519.Identity,
    checked: CheckedBundle,
    org_id: str | None,
    progress: Progress | None,
    cancel: CancelToken | None,
    dry_run: bool,
    approved: Admission | None,
    code_compared: bool,
    profile: Profile | None,
) -> Admission | ImportedBundle | None:
    """What import_bundle asks before the write lock, in this order, with
    ``profile`` as it read it: a bundle received already (§5 step 6 first),
    admission (§5 step 5, _admitted), a hand-over taken in part naming the
    sender. The answer to apply under the lock (None: a known sender; an
    Admission to enrol), a replay, or raised: held or refused. Asked again,
    all of it, when the lock found the sender's standing changed
    (_Readmit): then ``approved`` is None (an approved sender is not asked
    again under the lock)."""
    header = checked.header
    # Read once (review 22): a replay is answered from this read, with no
    # write lock, so re-importing bundles merged before neither waits for
    # nor holds up another import or save; _apply asks again under the
    # lock, for one imported meanwhile.
    received = vault.sync.received_bundle(checked.bundle_id) is not None
    if received and approved is None and _unrevoked(profile, header.device_id):
        # §5.6 before §5.5 for a bundle counted as received: nothing of it is
        # applied, so there is nothing to admit; admission would hold it as
        # from an unknown device when its sender is pending here, its vouch
        # lapsed since (review 21). A revoked sender is still refused.
        return _replay(path, checked)
    if received and approved is not None and not dry_run:
        # Approved by code, received already (on a hand-over's word): the
        # device is enrolled, nothing read again (review 22).
        return _approve_received(vault, _replay(path, checked), approved)
    try:
        admitted = _admitted(
            vault,
            path,
            identity,
            checked,
            org_id,
            progress,
            cancel,
            dry_run,
            approved,
            profile,
            code_compared,
        )
    except BundleRejected as refused:
        if code_compared:
            _as_the_approval_refuses(vault, refused, header.device_id)
        raise
    if isinstance(admitted, ImportedBundle):
        return admitted
    # Here a bundle received at the read above is only one a dry run of an
    # approval checks: the sender of any other was revoked (admit refused it).
    if approved is None and not code_compared and awaits_hand_over(vault, header.device_id):
        # A hand-over taken in part names this device: its chain and the
        # bundles it follows are not all here yet (review 17 F3). Held as
        # before the hand-over, released once the series is complete.
        held = hold_until_handed_over(vault, header, checked.bundle_id, path, record=not dry_run)
        if not dry_run and vault.sync.received_bundle(checked.bundle_id) is not None:
            return _replay(path, checked)  # received meanwhile: no row kept (as above)
        raise held
    return admitted


def _staged_for_relay(
    vault: Vault,
    path: Path,
    checked: CheckedBundle,
    profile: Profile | None,
    *,
    from_server: bool,
    dry_run: bool,
) -> Path | None:
    """The copy in the relay folder the import reads when the bundle is to
    be relayed, so that the bytes relayed are the bytes imported
    (sync/bundle/org_held.py); None when it is not."""
    if from_server or dry_run or not relay_wanted(vault, profile, checked.header):
        return None
    return stage_relay_file(vault, path, checked.bundle_id)


def _admitted(
    vault: Vault,
    path: Path,
    identity: str | pyrage.x25519.Identity,
    checked: CheckedBundle,
    org_id: str | None,
    progress: Progress | None,
    cancel: CancelToken | None,
    dry_run: bool,
    approved: Admission | None,
    profile: Profile | None,
    code_compared: bool = False,
) -> Admission | ImportedBundle | None:
    """§5 step 5 before the write lock (admission.py ``admit``, with
    ``profile`` as the caller read it): None for a known enrolled sender,
    the Admission to enrol under the lock (``approved`` when given), or the
    replay of a bundle another import recorded as received meanwhile.
    BundleQuarantined, or BundleRejected (``device-revoked``: the maker's
    revisions kept as left out, _refused_revoked, unless ``code_compared``:
    an approval's refusal keeps nothing) otherwise."""
    try:
        return (
            approved
            if approved is not None
            else admit(vault, checked, path, record=not dry_run, profile=profile)
        )
    except BundleQuarantined:
        if not dry_run and vault.sync.received_bundle(checked.bundle_id) is not None:
            # Recorded received by another import after the caller's read:
            # hold_bundle kept no row for it (nothing would ever wait on it).
            return _replay(path, checked)
        raise
    except BundleRejected as refused:
        if not dry_run and not code_compared:
            _refused_revoked(refused, vault, path, identity, checked, org_id, _reporting(progress, cancel))
        raise  # the refusal (never a failure above): nothing else stored, nothing recorded as received


def _as_the_approval_refuses(vault: Vault, refused: BundleRejected, device_id: str) -> None:
    """An approval by code (quarantine.py ``approve_bundle``) whose import is
    refused ``device-revoked`` because the profile held now revokes the
    device (stored after the approval's own check, before or under the
    lock): raise the refusal that approval gives once the revocation is
    there first, ``quarantine-device-revoked``, with nothing kept (no
    revisions as left out, no refusal recorded), so that the two give the
    same. A revocation only the devices table holds is refused as before
    (the approval's check reads the profile only)."""
    if refused.kind != "device-revoked":
        return
    profile = held_profile(vault)
    if profile is None or device_id not in profile.revoked:
        return
    # Here, not at the top: quarantine.py imports this module.
    from sync.bundle.quarantine import QuarantineRefused

    raise QuarantineRefused(
        f"Device {device_id} was revoked; its bundles cannot be approved.",
        "quarantine-device-revoked",
        device_id=device_id,
    ) from None


def _as_the_lock_answered(
    vault: Vault, path: Path, checked: CheckedBundle, answer: Admission | BundleQuarantined, dry_run: bool
) -> Admission | ImportedBundle:
    """The sender's standing changed in every window between admission and
    the lock, READMISSIONS times: what the last lock's admission answered
    stands, with no further round. An Admission (its token proof held
    there) is enrolled under the next lock, which asks nothing again of an
    admitted sender. A hold is recorded, with the lock's reason (a device
    not enrolled there, as from an unknown device), and raised: nothing
    applied; a later import of the file, an approval by code or a current
    coordinator's vouch takes it. A bundle another import recorded as
    received meanwhile is a replay, as in _admitted."""
    if isinstance(answer, Admission):
        return answer
    record = not dry_run
    held = (
        hold_until_handed_over(vault, checked.header, checked.bundle_id, path, record=record)
        if answer.reason == HAND_OVER_INCOMPLETE
        else hold(vault, checked, path, answer.reason, record=record)
    )
    if not dry_run and vault.sync.received_bundle(checked.bundle_id) is not None:
        return _replay(path, checked)  # hold_bundle kept no row for it
    raise held


def _refused_revoked(
    refused: BundleRejected,
    vault: Vault,
    path: Path,
    identity: str | pyrage.x25519.Identity,
    checked: CheckedBundle,
    org_id: str | None,
    progress: Progress,
) -> None:
    """A ``device-revoked`` refusal (admission's, or the same check under
    the lock in _apply): keep the maker's revisions as left out, best
    effort (_keep_revoked_makers_revisions), noting what was kept on the
    refusal. Any other refusal keeps nothing."""
    if refused.kind != "device-revoked":
        return
    try:
        refused.refused_read = _keep_revoked_makers_revisions(
            vault, path, identity, checked, org_id, progress
        )
    except BundleCancelled:
        raise  # asked to stop: nothing kept (the next import reads it again)
    except Exception as failed:  # noqa: BLE001 -- best effort: the refusal is the answer
        # Ids and the exception's type only: its text may quote the bundle.
        log.warning(
            "revisions of refused bundle %s not kept as left out: %s",
            checked.bundle_id,
            type(failed).__name__,
        )


# Refused bundles this process read already to keep their ids, per open
# vault: imported again (a USB stick's folder, every time), one is refused
# from its header alone, as before 8f6feb3. In memory only, so no migration:
# after a restart a bundle is read once more and keeps nothing new. Bounded:
# a seized device can make any number of bundle ids.
_READ_REFUSED: weakref.WeakKeyDictionary[Vault, dict[str, None]] = weakref.WeakKeyDictionary()
_READ_REFUSED_MAX = 4096


def _keep_revoked_makers_revisions(
    vault: Vault,
    path: Path,
    identity: str | pyrage.x25519.Identity,
    checked: CheckedBundle,
    org_id: str | None,
    progress: Progress,
) -> tuple[int, int] | None:
    """A coordinator refusing a bundle whose maker the newest profile it
    holds revokes reads it anyway, as one of its recipients, and keeps as
    left out the revisions that device signed (§5 step 11): a desk's edit
    of one of them, in a bundle pulled or imported later, is then left out
    instead of stored without its parent, which ``verify`` would name for
    good (the parent's bundle is refused at every import). Nothing else of
    the bundle is applied or recorded. A bundle that fails a check of §5
    (or that this vault cannot decrypt) keeps nothing. Returns (ids kept,
    ids not kept for the cap: db/withheld.py REFUSED_IDS_CAP) when it was
    read now, None otherwise."""
    profile = held_profile(vault)
    maker = checked.header.device_id
    if profile is None or maker not in profile.revoked or profile.coordinator(vault.device_id) is None:
        return None
    read = _READ_REFUSED.setdefault(vault, {})
    if checked.bundle_id in read or refused_bundle_read(vault, checked.bundle_id):
        return None  # read before (refused_bundle_reads: also after a restart)
    found = RefusedMakersRevisions(maker)
    batch: list[dict[str, Any]] = []

    def revision(wire: dict[str, Any]) -> None:
        batch.append(wire)
        if len(batch) >= PAGE:
            found.add(batch)
            batch.clear()

    try:
        # Evidence bytes are hashed against the manifest, not stored.
        read_bundle(
            path,
            identity,
            org_id=org_id,
            on_revision=revision,
            on_custody=lambda _wire: None,
            progress=progress,  # the import's own: its bar moves, its Cancel stops this read
        )
    except (BundleRejected, OSError):
        # Not remembered: a copy cut or damaged on a stick has the same id as a sound one.
        return None
    found.add(batch)
    found.keep(vault, checked.bundle_id)
    _remember_read(read, checked.bundle_id)
    if found.not_kept:  # review 12 F1: bounded per revoked device; ids and counts only
        log.warning(
            "refused bundle %s of revoked device %s: %d revision id(s) kept as left out, "
            "%d not kept (the device reached the cap of ids kept from refused bundles)",
            checked.bundle_id,
            maker,
            found.kept,
            found.not_kept,
        )
    return found.kept, found.not_kept


def _remember_read(read: dict[str, None], bundle_id: str) -> None:
    read[bundle_id] = None
    while len(read) > _READ_REFUSED_MAX:
        del read[next(iter(read))]  # the oldest


def _bundle_reason(refused: ImportRejected, header: BundleHeader) -> BundleRejected:
    """The §5 reason for a refusal of the vault's import unit."""
    if refused.code == "blob-rejected":
        return BundleRejected("blob", str(refused.params["sha256"]))
    if refused.code == "custody-event-rejected":
        return BundleRejected("custody", str(refused.params["event_hash"]))
    if refused.reason == "fork":
        return BundleRejected("fork")
    if refused.reason in ("device unknown", "token unknown", "token used", "token expired"):
        return BundleRejected("device-unknown")  # (a token spent by another import meanwhile)
    return BundleRejected("custody", header.custody_head or "?")  # its head is not in the chain


def _apply(
    vault: Vault,
    path: Path,
    identity: str | pyrage.x25519.Identity,
    checked: CheckedBundle,
    org_id: str | None,
    progress: Progress,
    dry_run: bool,
    admission: Admission | None,
    *,
    from_server: bool = False,
    staged: Path | None = None,
    admitted_by: Profile | None = None,
    code_compared: bool = False,
) -> ImportedBundle:
    """The bundle applied in one unit, under the write lock. ``admission``
    and ``admitted_by``: what §5 step 5 answered before the lock, and the
    profile it read; _Readmit when, for a known sender, that answer no
    longer holds under the lock, or when a hand-over taken in part names
    the sender now (not for an approval by code, ``code_compared``)."""
    header = checked.header
    with _UnitEnd() as end, vault.sync.begin_import() as unit:
        # §5 step 5 again, under the lock: admission read the profile and the
        # devices before it, and a revocation stored since (the GUI's, a pull
        # or another import storing a newer profile) must give what it gives
        # before the import: ``device-revoked``, nothing applied (the caller
        # keeps the maker's revisions as left out, _refused_revoked). Before,
        # the sender's revisions were refused as ``signer``, a bundle
        # without any was recorded as received, and a device admitted by
        # its token or approved by code was enrolled and its bundle applied.
        # A profile that revokes the sender refuses a bundle received
        # meanwhile too, as import_bundle's replay read does (§5 step 6).
        profile = held_profile(vault)
        if not _unrevoked(profile, header.device_id):
            raise BundleRejected("device-revoked")
        if unit.is_imported(checked.bundle_id):
            if admission is not None and admission.token_id is None and not dry_run:
                # Approved by code (no token), received since the read in import_bundle.
                _enrol_on_approval(unit, checked.bundle_id, admission, profile)
            return _replay(path, checked)
        if admission is not None:
            _enrol_admitted(unit, checked.bundle_id, admission, profile)
        else:
            status = unit.device_status(header.device_id)
            if status == "revoked":
                # Only the devices table says so (a profile being stored marks
                # the rows first, sync/org_vault.py ``_keep``): refused as admit
                # refuses it. (Its row is then in the session: the sequence
                # check below reads it without a query of its own.)
                raise BundleRejected("device-revoked")
            if status != "enrolled" or (profile is not admitted_by and profile != admitted_by):
                # A known sender admitted before the lock: no longer enrolled
                # (its coordinator's vouch lapsed meanwhile, sync/bundle/
                # vouching.py ``lapse_vouches``, so it is ``pending``), or a
                # newer profile that may no longer name the coordinator on
                # whose word it is known. Admission asked again, as it would
                # be asked now; any other answer than "known" is decided
                # outside the lock (import_bundle: held in quarantine as
                # from an unknown device, or admitted by its token). Before,
                # its revisions and events were refused under the lapsed
                # vouch (``signer``/``custody``) where the same import after
                # the lapse holds the bundle. An unchanged profile and an
                # enrolled row give admission's answer again: no read.
                _still_known(vault, checked, path, profile)
        if not code_compared and (admission is None or admission.token_id is not None):
            # Asked before the lock too (_before_lock): a part of a hand-over
            # taken meanwhile may name the sender, whose chain and earlier
            # bundles it brings only with its last part. Applied now, the
            # bundle was refused ``custody`` (a pull passes that for good)
            # where the same import after the part holds it.
            _not_awaited(vault, checked, path, profile)
        addressed = declared_runs(profile, header)  # a field device's declaration is not taken
        gaps = _check_sequence(unit, header, checked.bundle_id, addressed)
        if _to_a_worker(profile, vault.device_id, header.device_id):
            # A coordinator's bundles go to many devices, each to one: a field
            # worker sees some of its sequence numbers, and the others are no loss.
            gaps = ()
        if gaps:
            # Its sender's earlier bundles are missing here: what it carries
            # may edit a record they created (one another desk acknowledged,
            # so this bundle left it out). Sorted out, so such an edit is
            # parked until its parent comes, never stored without it, even
            # at a vault that keeps nothing aside (review 17 F1).
            unit.check_parents()
        applier = _Applier(
            unit,
            header,
            dry_run=dry_run,
            profile=profile,
            own_id=vault.device_id,
            bundle_id=checked.bundle_id,
        )
        end.applier = applier
        opened = read_bundle(
            staged if staged is not None else path,
            identity,
            org_id=org_id,
            open_blob=applier.blob,
            on_revision=applier.revision,
            on_custody=applier.custody,
            progress=progress,
            on_manifest=applier.manifest,
        )
        if opened.bundle_id != checked.bundle_id:  # the file changed between the two reads
            raise BundleRejected("payload-hash")
        applier.settle()
        applier.record_received()
        applier.record_decisions()
        findings = applier.check_worker_manifests()
        if applier.received:
            # §10: the hand-over's ``received`` recorded its maker's earlier
            # bundles to coordinators: no gap (review 16 F3). Numbers of its
            # send-backs after the last of them stay one until its next
            # bundle to coordinators declares them, as in the devices view.
            gaps = _gaps_before(unit, header, addressed)
        elif applier.hand_over_part:
            # A part before the last of a split hand-over (§10 "Size"): its
            # maker's earlier numbers are recorded by the last part, whose
            # import reports what is missing then. No alarm before it.
            gaps = ()
        unit.record_bundle(
            checked.bundle_id,
            header.device_id,
            header.sequence,
            # A hand-over's last line is its maker's head only when the maker
            # has a chain; else it is another device's, recorded above.
            header.custody_head
            if not applier.is_hand_over or applier.last_event_device == header.device_id
            else None,
            header.previous,
            addressed=addressed,
            # §4 ``reads``: what its sender reads, for a re-root's check (db/reroot.py).
            reads_revision=opened.manifest.revision_format_read,
        )
        if not applier.is_hand_over and not dry_run:
            # A field device's signed manifest, kept for this desk's hand-overs
            # to carry (sync/bundle/hand_over_manifests.py, review 17 D2).
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
        summary = unit.summary
        result = ImportedBundle(
            path,
            checked.bundle_id,
            header.device_id,
            header.sequence,
            revisions=summary.revisions,
            custody_events=summary.custody_events,
            blobs=len(opened.manifest.blobs) - len(applier.withheld_blobs) if dry_run else summary.blobs,
            evidence_attached=tuple(summary.evidence_attached),
            gaps=gaps,
            vouched=tuple(applier.vouched),
            withheld_revisions=tuple(summary.withheld_revisions),
            parked_revisions=tuple(summary.parked_revisions),
            custody_kept_out=_kept_out(summary),
            hand_over_findings=findings,
        )
        # Evidence bytes this import took: not those only withheld revisions
        # named (not stored here, so neither held nor relayed as this vault's).
        not_stored = set(applier.withheld_blobs)
        taken = [b.sha256 for b in opened.manifest.blobs if b.sha256 not in not_stored]
        if opened.manifest.receipts and profile is not None and profile.coordinator(vault.device_id):
            # Kept for the next pull to compare with the receipt log this vault
            # checked (sync/client/receipt_audit.py), with the bundle: an import
            # repeated after a kill is a replay and would not queue them.
            queue_with_import(unit, header.device_id, checked.bundle_id, opened.manifest.receipts)
        if (
            from_server
            and profile is not None
            and profile.coordinator(vault.device_id)
            and every_coordinator_reads(profile, header)
        ):
            # The server holds this bundle, and every coordinator can read it
            # there: this coordinator's own bundles to coordinators leave out
            # what it stored (docs/sync.md §2.3). Made under an older profile,
            # a desk added since may be no recipient: carried to it instead.
            record_pulled(unit, taken)
        elif applier.is_hand_over and not dry_run:
            # A hand-over (§10): its maker holds all of it and sends the other
            # desks what they lack; this desk's bundles do not carry it again.
            record_pulled(unit, taken)
        # Only from its staged copy (a failed copy: carried in this desk's own
        # bundle instead); the profile is asked again under the lock.
        relay = staged is not None and not dry_run and relay_wanted(vault, profile, header)
        if relay:
            # Another device's bundle that came by USB: uploaded as it is by
            # this coordinator's next sync, for the other coordinators to pull.
            queue_relay(unit, header, checked.bundle_id, taken)
        if dry_run:
            raise _DryRun(result)  # rolls the unit back
    # What the import's end decided (parked revisions of earlier imports it
    # stored or left out: db/sync_import.py ``_finish``) is known only once
    # its transaction is done (review 13 F6).
    result = replace(
        result,
        revisions=unit.summary.revisions,
        withheld_revisions=tuple(unit.summary.withheld_revisions),
        unparked_revisions=tuple(unit.summary.unparked_revisions),
        damaged_parked=tuple(unit.summary.damaged_parked),
        past_parked_cap=tuple(unit.summary.past_parked_cap),
        signer_pending=tuple(unit.summary.signer_pending),
        type_clash=tuple(unit.summary.type_clash),
    )
    if _to_a_worker(profile, vault.device_id, header.device_id) and taken:
        # Evidence bytes a coordinator sent back (policy "all"): the
        # organisation holds them, so this worker's bundles do not carry them
        # back. A kill before this only means they travel back once more.
        vault.sync.acknowledge(blobs=taken)
    if relay and staged is not None:
        keep_relay_file(vault, staged, checked.bundle_id)
    return result


def _kept_out(summary: ImportSummary) -> tuple[tuple[str, int], ...]:
    """ImportedBundle.custody_kept_out from the unit's count, by device."""
    return tuple(sorted(summary.custody_kept_out_by_device.items()))


def _to_a_worker(profile: Profile | None, own_id: str, sender_id: str) -> bool:
    """Is this a coordinator's bundle arriving at a field worker's vault?"""
    return (
        profile is not None
        and profile.coordinator(sender_id) is not None
        and profile.coordinator(own_id) is None
    )


def _still_known(vault: Vault, checked: CheckedBundle, path: Path, profile: Profile | None) -> None:
    """Under the lock: admission (nothing recorded) with the profile held
    now; _Readmit unless it answers "a known, enrolled sender" again. A
    revocation it finds is ``device-revoked`` as in _apply."""
    try:
        answer = admit(vault, checked, path, record=False, profile=profile)
    except BundleQuarantined as held:
        raise _Readmit(profile, held) from None
    if answer is not None:
        raise _Readmit(profile, answer)


def _not_awaited(vault: Vault, checked: CheckedBundle, path: Path, profile: Profile | None) -> None:
    """Under the lock: _Readmit when a hand-over taken in part here names
    the sender (``awaits_hand_over``), with that hold (not recorded) as the
    lock's answer; import_bundle then asks every question again."""
    header = checked.header
    if awaits_hand_over(vault, header.device_id):
        raise _Readmit(profile, hold_until_handed_over(vault, header, checked.bundle_id, path, record=False))


class _Readmit(Exception):
    """A known sender's admission no longer holds under the lock (_apply):
    import_bundle admits it again outside the lock, with ``profile``, the
    one held then; ``answer`` is what admission answered under the lock
    (an Admission by token, or the hold, not recorded)."""

    def __init__(self, profile: Profile | None, answer: Admission | BundleQuarantined) -> None:
        super().__init__("admission changed")
        self.profile = profile
        self.answer = answer


class _DryRun(Exception):
    def __init__(self, result: ImportedBundle) -> None:
        super().__init__("dry run")
        self.result = result


__all__ = [
    "Admission",
    "BundleCancelled",
    "BundleQuarantined",
    "ExportedBundle",
    "Gap",
    "HandOverFindings",
    "ImportedBundle",
    "export_bundle",
    "import_bundle",
]
