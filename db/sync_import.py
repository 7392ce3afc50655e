"""One bundle's import as one unit of work: its revisions, the custody
events of its device's chain and its evidence files are applied in ONE write
transaction, all or nothing (docs/bundle-format.md, §5).

Inside ``VaultImport.transaction``:

- ``add_revisions``: each verified (id, canonical form, body, signature) and
  **authorised**: its key is this vault's, or that of a known device or
  coordinator whose status is ``enrolled`` (db/signers.py). A perfectly
  signed revision by any other key is RevisionRejected "signer not
  authorised". Those the caller asks to ``withhold`` (signed by devices the
  organisation revoked, in a coordinator's bundle: sync/bundle/vault_io.py),
  and authorised ones naming as parent one left out now or by an earlier
  import (transitively, whatever their order in the bundle:
  ``settle_revisions``), are verified as the others and not stored
  (``summary.withheld_revisions``) but kept as left out
  (``withheld_revisions``, db/withheld.py); evidence bytes for their items
  only are then not stored either (``evidence_to_attach``). With
  ``withhold``, or in any bundle while the vault keeps a revision left
  out, set aside or parked (review 15 F1: a field worker's and a
  send-back too), an authorised revision whose parents are neither held
  nor left out once the bundle's revisions are all read is **parked**
  (db/parked.py), not stored: a later import stores it when it stores its
  parents, or leaves it out when it leaves one of them out. A parked
  revision arriving again is a no-op, as a held one, unless its parked row
  is damaged: then the arriving copy replaces it. Past ``PARKED_CAP``
  parked revisions of its signer, one is neither parked nor stored but
  left out (``summary.past_parked_cap``), and so are its children.
- ``add_custody_events``: events of another device's chain, each checked and
  extending that chain (db/custody.py ``extend_received_chain``).
- ``add_blob``: evidence bytes streamed from a file object into the blob
  store (temp name, fsync, rename, as intake does), checked against their
  SHA-256 and size, and attached to the evidence ids named, each of which
  must be an evidence item (in the vault or this import) with that SHA-256.
- ``blob_writer``: the same for bytes that are pushed (the bundle reader
  writes each evidence file's bytes as it decrypts them): ``write`` them,
  then ``close`` (checked, stored, attached) or ``discard`` (nothing stays).
- ``record_bundle``: the bundle's id and sequence for its device (replays,
  forks, the device's last sequence).
- ``vouch_device``: a device a coordinator's bundle vouches for (it relays
  that device's revisions to this field worker) becomes known and enrolled,
  ``vouched_by`` the coordinator, inside the import (sync/bundle/vault_io.py
  decides whether the vouch is taken).

When the block ends, every live evidence item this import stored a revision
for gets the blob that holds its SHA-256 (one it brought or one the vault
had; neither is ImportRejected: no record without its bytes), and a
``transfer`` custody event (direction ``received``) in this vault's own
chain. On any error the transaction rolls back and the blob files this import
wrote are removed; a crash (kill -9) at any point leaves at most blob files
no row names, which the next unlock moves to quarantine/ (never deletes).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import re
import secrets
import time
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, cast

from sqlalchemy import Column, Integer, LargeBinary, MetaData, String, Table, func, select, text
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from db.atomicio import TEMP_PREFIX, owner_only
from db.blob_settling import BlobSettler
from db.blobformat import DEFAULT_SEGMENT_SIZE, BlobHeader, SegmentSealer
from db.blobstore import IMPORT_FLUSH_EVERY, BackgroundFlush, ProgressCallback, WrittenBlob, wrap_blob_key
from db.chunked_ids import driver_execute, ids_among, values_among
from db.custody import append_event, check_signed_event, extend_received_chain
from db.device import device_id_for
from db.entities import ENTITY_TYPES, check_revision_body
from db.errors import ImportRejected, RevisionRejected, StorageError
from db.maker_decisions import KeptOut, any_maker_decision_unheld, record_maker_decisions
from db.model import (
    AcknowledgedBlob,
    Blob,
    EnrolmentToken,
    EvidenceBlob,
    KnownDevice,
    ParkedRevision,
    QuarantinedBundle,
    ReceivedBundle,
    RevisionRow,
    WithheldRevision,
)
from db.parked import (
    any_parked,
    forget_left_out,
    forget_past_cap,
    leave_out_parked,
    leave_out_past_cap,
    name_bundle,
    over_the_cap,
    park,
    parked_among,
    parked_files,
    parked_parents,
    parked_rows,
    parked_signed_by,
    ready_order,
    unlike_parked,
    unpark,
)
from db.parked_set_aside import set_aside_among
from db.past_cap_lineage import mark_below_past_cap
from db.purge import live_blob_id
from db.rereads import record_reread
from db.reroot import may_reroot
from db.revisions import Revision, SignaturesInFlight, revisions_from_wire
from db.search_terms import forget_words
from db.services import VaultContext
from db.signers import authorised_signers, lapsed_vouch_signers, vouch_lapsed
from db.store import latest_reading, save_clock, store_received, stored_types
from db.strict_b64 import strict_b64decode
from db.sync_client import ValueChange, change_value
from db.type_clash import TYPE_CLASH
from db.withheld import confirm_left_out, withheld_among, withheld_records_among
from db.worker_manifests import (
    Unaccounted,
    any_missing_unheld,
    files_not_held,
    keep_worker_manifest,
    kept_manifest,
    record_unaccounted,
    unexplained_among,
)

SHA256_HEX = re.compile(r"[0-9a-f]{64}")

# The revisions an import holds back until its bundle's revisions are all
# read (``VaultImport.settle_revisions``). A table of the vault itself,
# created and dropped inside the import's one transaction, so no vault ever
# holds it and a crash leaves none: not a TEMP table, which temp_store =
# MEMORY keeps in memory (the bound on memory is the point), nor a file
# outside the encrypted database.
# Their own MetaData: no model, no migration, never in a vault at rest.
_HELD_BACK_TABLES = MetaData()
HELD_BACK = Table(
    "import_held_back",
    _HELD_BACK_TABLES,
    Column("pos", Integer, primary_key=True),
    Column("revision_id", String(64), nullable=False),
    Column("entity_id", String(36), nullable=False),
    Column("device_id", String(64), nullable=False),
    Column("signed", LargeBinary, nullable=False),
    Column("signature", LargeBinary, nullable=False),
)
HELD_BACK_PARENTS = Table(
    "import_held_back_parents",
    _HELD_BACK_TABLES,
    Column("pos", Integer, nullable=False),
    Column("parent_id", String(64), nullable=False, index=True),
)
HELD_BACK_LEFT_OUT = Table(  # what this import left out before settling
    "import_left_out", _HELD_BACK_TABLES, Column("revision_id", String(64), primary_key=True)
)
# The held-back revisions naming a left-out parent (kept in withheld_revisions,
# or left out by this import), then their children, transitively: UNION
# takes each position once. A revision the vault holds is no orphan here and
# leaves none of its children out (as one left out in order). A parent held
# back itself is decided by this import, through its own parents, not by a
# row an earlier import left (review 14 F1: left out below a revision past
# the cap, it may be stored now).
_LEFT_OUT_WALK = text(
    """
    WITH RECURSIVE gone(pos) AS (
        SELECT links.pos FROM import_held_back_parents AS links
        WHERE (links.parent_id IN (SELECT revision_id FROM withheld_revisions)
               AND links.parent_id NOT IN (SELECT revision_id FROM import_held_back))
           OR links.parent_id IN (SELECT revision_id FROM import_left_out)
        UNION
        SELECT links.pos FROM gone
        JOIN import_held_back AS held ON held.pos = gone.pos
        JOIN import_held_back_parents AS links ON links.parent_id = held.revision_id
        WHERE held.revision_id NOT IN (SELECT revision_id FROM revisions)
    )
    SELECT pos FROM gone
    """
)
SETTLE_PAGE = 1000  # held-back revisions stored at a time (as sync/bundle/vault_io.py's PAGE)


def _evidence_sha256(session: Session, evidence_id: str) -> tuple[str, int] | None:
    """(SHA-256, size) of a live evidence item as its entity row states it
    (the row was just rebuilt from authorised revisions in this import)."""
    # Through the driver: asked several times a file (a bundle of photos:
    # thousands), and an ORM entity a call cost ~0.15 ms; the statement alone
    # ~0.02. It flushes first, as the ORM's autoflush did, and reads the row
    # as stored, never an entity object the session kept from before a
    # refresh (db/store.py writes entity rows in plain SQL).
    row = driver_execute(
        session, "SELECT body FROM entities WHERE entity_id = ? AND entity_type = 'evidence'", (evidence_id,)
    ).first()
    if row is None:
        return None
    body = json.loads(row[0])
    sha256, size = body.get("sha256"), body.get("size")
    if not isinstance(sha256, str) or not isinstance(size, int):
        return None
    return sha256, size


@dataclass
class ImportSummary:
    """What the import stored (not what it skipped as already held)."""

    revisions: int = 0
    custody_events: int = 0
    blobs: int = 0
    evidence_attached: list[str] = field(default_factory=list)
    # Verified and left out (``add_revisions(withhold=...)``), not held here before.
    withheld_revisions: list[str] = field(default_factory=list)
    # Verified, authorised and parked: their parents are neither here nor
    # left out (db/parked.py); still waiting when the bundle's revisions were settled.
    parked_revisions: list[str] = field(default_factory=list)
    # Parked ones (by this import or an earlier one) stored by this import.
    unparked_revisions: list[str] = field(default_factory=list)
    # Parked ones whose parents are here but that no longer verify: kept
    # parked, not stored (``verify`` names them; review 13 F7).
    damaged_parked: list[str] = field(default_factory=list)
    # Left out, the signer's parked slots were full (PARKED_CAP revisions
    # of it parked here): neither stored nor parked (review 14 F1), kept as
    # left out (``learned`` past-cap); their children are left out too.
    past_parked_cap: list[str] = field(default_factory=list)
    # Kept aside, parked: signed by a device whose coordinator's vouch
    # lapsed (review 15 F2), until it is enrolled again here.
    signer_pending: list[str] = field(default_factory=list)
    # Custody events of such devices a history hand-over carried: checked,
    # not stored (``chain_kept_out``); and how many of each device
    # (ImportedBundle.custody_kept_out, sync/bundle/vault_io.py).
    custody_kept_out: int = 0
    custody_kept_out_by_device: dict[str, int] = field(default_factory=dict)
    # Left out: their record is held here with another type (db/type_clash.py),
    # their children with them; the rest of the bundle applied.
    type_clash: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReceivedRecord:
    bundle_id: str
    previous: str | None  # the header's; None for sequence 1 and rows before migration 0011


class VaultImport:
    """Adds one bundle's content inside one open write transaction. Made by
    ``SyncStateService.begin_import`` (``vault.sync.begin_import()``)."""

    def __init__(self, ctx: VaultContext, session: Session) -> None:
        self._ctx = ctx
        self._session = session
        self._signers = authorised_signers(ctx.identity, session)
        # Devices whose coordinator's vouch lapsed (db/signers.py): a copy
        # of a revision they wrote while vouched for, held here, is a no-op.
        self._lapsed = lapsed_vouch_signers(session)
        # Of those, the devices enrolled again during this import: their
        # revisions kept aside (``_keep_aside``) are decided at its end.
        self._released: set[str] = set()
        self._written: list[Path] = []  # staged blob files renamed into place by this import
        self._writers: list[BlobWriter] = []  # pushed blobs, removed unless stored
        # The pushed blobs closed: made durable beside the import, waited for before its commit.
        self._settler = BlobSettler(ctx.blob_store)
        # Evidence items this import stored revisions of -> the devices that signed them.
        self._evidence: dict[str, set[str]] = {}
        # Evidence items of revisions parked by an earlier import and stored
        # by this one -> the bundle that brought them: their bytes are
        # attached if the vault holds them, and their absence refuses nothing.
        self._unparked_evidence: dict[str, str] = {}
        # Revisions left out (``withhold``) that the vault does not hold, and
        # their records: bytes only such records name are not stored.
        self._left_out: set[str] = set()
        self._withheld_records: set[str] = set()
        # With ``withhold``: authorised revisions whose parents were neither
        # held nor stored yet, decided once the bundle's revisions are all
        # read (``settle_revisions``): a parent left out later in the bundle
        # leaves them out too. They wait in HELD_BACK, not in memory
        # (review 11 F3); this counts them.
        self._held_back = 0
        # The devices this import leaves out (``withhold``): parked
        # revisions they signed are left out too (review 13 F3).
        self._withhold: set[str] = set()
        # The revisions' parents are checked (``_any_left_out_or_parked``): decided at
        # the first batch, and kept for the rest of the import.
        self._sorts_out = False
        # Does another desk's word name a revision not held here? Asked once
        # per import (``_any_left_out_or_parked`` asks at every batch until
        # true, and with every such revision held it reads every row).
        self._maker_words: bool | None = None
        # The re-check of a held-back revision that failed (``settle_revisions``):
        # the bundle's copy verified moments before, so the fault is this
        # vault's, whatever the id (review 15 F5; sync/bundle/vault_io.py).
        self.recheck_failure: RevisionRejected | None = None
        self.summary = ImportSummary()
        self._bundle: tuple[str, str] | None = None  # (bundle id, device id)
        # The local_seq run of the revisions this import stored (stored_revision_seqs).
        self._stored_seqs: tuple[int, int] | None = None
        self._may_reroot: frozenset[str] | None = None  # _rerooters
        # A deliberate re-read of a bundle received before (sync/bundle/reread.py):
        # the ``transfer`` events it records say so (docs/chain-of-custody.md),
        # and its end keeps a row of it (``keep_reread``, db/rereads.py).
        self.reread = False
        self._reread: tuple[int, tuple[str, ...]] | None = None

    def _rerooters(self) -> frozenset[str]:
        """The devices whose re-roots this import takes (db/reroot.py), read
        at the first re-root met: most bundles carry none."""
        if self._may_reroot is None:
            self._may_reroot = may_reroot(self._session, self._ctx.identity.device_id)
        return self._may_reroot

    @classmethod
    @contextlib.contextmanager
    def transaction(cls, ctx: VaultContext) -> Iterator[VaultImport]:
        unit: VaultImport | None = None
        try:
            with ctx.write_transaction("import the bundle") as session:
                clock_before = ctx.clock.last
                try:
                    unit = cls(ctx, session)
                    yield unit
                    unit._finish()
                    unit._settler.finish()  # every stored file durable before the commit
                except BaseException:
                    # The clock, kept in memory too, took readings from the
                    # unit's revisions (``_store``, a page at a time) and
                    # events: what is rolled back must not stay in it, a
                    # refusal's or a dry run's (review 26 F1). Still under
                    # the write lock, so no other writer's reading is undone.
                    ctx.clock.last = clock_before
                    raise
        except BaseException:
            if unit is not None:
                for writer in unit._writers:
                    writer.discard()
                unit._settler.abandon()
                for path in unit._written:
                    ctx.blob_store.discard(path)
            raise

    # -- revisions ---------------------------------------------------------------

    def add_revisions(
        self, revisions: Iterable[Revision | dict[str, Any]], *, withhold: Collection[str] = ()
    ) -> int:
        """Verify, authorise and store revisions (their wire form or verified
        ``Revision``s); returns how many were new. RevisionRejected names the
        first that fails; the caller lets it end the import (nothing stays).

        A revision signed by a device in ``withhold`` (device ids) is
        verified like any other (signature, body: a bad one still ends the
        import) and then left out instead of authorised: not stored, its id
        added to ``summary.withheld_revisions`` and to the vault's withheld
        revisions unless the vault holds it already (then it is a no-op, as
        a revision held always is). Its device id is its key's (checked with
        the signature), so only that device's own revisions are left out.
        So is, with ``withhold``, an authorised revision naming as parent
        one left out, by this import or an earlier one (a desk's edit of a
        revoked worker's record), transitively: its parent never arrives
        here, and a revision whose parent is missing fails ``verify``. One
        whose parents are neither held nor stored yet waits until the
        bundle's revisions are all read (``settle_revisions``): a parent
        later in the bundle decides it, and one still missing then parks it
        (db/parked.py). Without ``withhold`` the same is done whenever
        this vault keeps any revision left out, set aside or parked
        (``_any_left_out_or_parked``, review 15 F1); otherwise parents are
        not checked (a parent may come in a later bundle). A
        revision parked by an earlier import is skipped, as one held,
        unless its parked row is not this copy (damaged): the copy replaces
        it and is decided as a new one, never stored without its parents.
        A revision of a device whose vouch lapsed (db/signers.py) is
        neither refused nor stored: kept aside (``_keep_aside``)."""
        wires = [rev.to_wire() if isinstance(rev, Revision) else rev for rev in revisions]
        # The signatures are checked on threads while this thread checks,
        # sorts out and writes the revisions (issue 14: before, it waited for
        # them, ~10 ms of a bundle's ~45 here). Nothing written lasts unless
        # they all hold: ``_store`` asks before the vault's clock moves, and
        # a refusal ends the import, its transaction rolled back. The refusal
        # raised is the one checking each revision in order, signature
        # first, gives: a bad signature at or before the revision another
        # check refused (or anywhere, once all were taken) comes first.
        with SignaturesInFlight(wires, ENTITY_TYPES) as checking:
            through: int | None = -1
            try:
                authorised: list[Revision] = []
                signer_pending: list[Revision] = []
                for through, verified in enumerate(checking.outcomes):  # noqa: B007 (read on a refusal)
                    if isinstance(verified, RevisionRejected):
                        raise verified
                    check_revision_body(verified)
                    if verified.device_id in withhold:
                        self._leave_out(verified)
                        continue
                    if self._signers.get(verified.device_id) != verified.public_key:
                        if self._lapsed.get(verified.device_id) != verified.public_key:
                            raise RevisionRejected(verified.revision_id, "signer not authorised")
                        signer_pending.append(verified)  # kept aside, not refused (review 15 F2)
                        continue
                    if verified.reroot is not None and verified.device_id not in self._rerooters():
                        # Only a coordinator re-roots a frozen record (db/reroot.py): a
                        # field device's would hide the heads it names.
                        raise RevisionRejected(verified.revision_id, "a re-root not signed by a coordinator")
                    authorised.append(verified)
                through = None
                stored = self._add_authorised(authorised, signer_pending, withhold, checking)
                if (first_bad := checking.first_bad()) is not None:
                    raise first_bad  # (``_store`` asked already; kept for any path that did not reach it)
            except Exception:
                # Not BaseException: an interrupt stays an interrupt (review 26 F3).
                first_bad = checking.first_bad(through)
                if first_bad is not None:
                    # The search index's word cache (process-wide until lock)
                    # may hold the words of a body nobody signed: dropped
                    # (review 26 F2). A refusal for a bad signature is rare;
                    # the cache fills again.
                    forget_words()
                    raise first_bad from None
                raise
            return stored

    def _add_authorised(
        self,
        authorised: list[Revision],
        signer_pending: list[Revision],
        withhold: Collection[str],
        signatures: SignaturesInFlight,
    ) -> int:
        """add_revisions, once each revision passed its checks: kept aside,
        sorted out and stored; ``signatures`` asked before the clock moves."""
        self._keep_aside(signer_pending)
        waiting = parked_among(self._session, (rev.revision_id for rev in authorised))
        replaced: set[str] = set()
        if waiting:
            # A parked row that is not this verified copy (damaged) is
            # replaced by it, which is then decided as a new one (review 14
            # F3). An intact one is known: a no-op, as a revision held.
            replaced = unlike_parked(self._session, [r for r in authorised if r.revision_id in waiting])
            unpark(self._session, replaced)
            authorised = [rev for rev in authorised if rev.revision_id not in waiting - replaced]
        # Set aside by a coordinator (db/parked_set_aside.py): final here, a
        # no-op, whatever parents arrived since (docs/sync.md §2.3).
        aside = set_aside_among(self._session, (rev.revision_id for rev in authorised))
        if aside:
            authorised = [rev for rev in authorised if rev.revision_id not in aside]
        # Left out past the cap by an earlier import, and here again: decided
        # anew (stored if its parents are here now, else parked or left out
        # again; review 14 F1).
        forget_past_cap(self._session, [rev.revision_id for rev in authorised])
        self._withhold |= set(withhold)
        self._sorts_out = self._sorts_out or bool(withhold) or self._any_left_out_or_parked()
        if self._sorts_out:
            # Held already: a no-op, never held back, parked or kept as left
            # out while stored (review 13 F4).
            held = self._held_among(rev.revision_id for rev in authorised)
            authorised = [rev for rev in authorised if rev.revision_id not in held]
            return self._store(self._sort_out(authorised), signatures=signatures)
        # Nothing here is left out, set aside or parked (so no parked row was
        # replaced either): parents are not checked, a parent may come in a
        # later bundle. The common import pays two one-row lookups for this.
        return self._store(authorised, signatures=signatures)

    def _any_left_out_or_parked(self) -> bool:
        """Does this vault keep any revision left out, set aside or parked?
        Then the revisions of every bundle, a field worker's and a send-back
        too, are sorted out as a desk's are (``_sort_out``): a child of a
        left-out revision is left out, one whose parent is missing waits
        (held back, then parked). Review 15 F1: before, a worker's bundle
        stored without its parent the edit of a revision set aside here,
        left out past the cap or as a revoked lineage (``verify`` failed,
        for good after a set-aside), whatever the desks' bundles did."""
        session = self._session
        return (
            any_parked(session)
            # Through the driver: asked at every batch of revisions, one a file
            # in a photo bundle (session 23).
            or driver_execute(session, "SELECT 1 FROM withheld_revisions LIMIT 1").first() is not None
            # Another desk handed over that it kept out a revision not held
            # here (db/maker_decisions.py), or a hand-over did not bring one a
            # worker's signed manifest names (db/worker_manifests.py, review 21
            # R2): its later edit waits, never stored without it.
            or self._any_maker_word()
        )

    def _any_maker_word(self) -> bool:
        if self._maker_words is None:
            self._maker_words = any_maker_decision_unheld(self._session) or any_missing_unheld(self._session)
        return self._maker_words

    def check_parents(self) -> None:
        """Sort out every revision of this import as a desk's bundle's are
        (``_sort_out``), whatever the vault keeps: a history hand-over's
        (docs/bundle-format.md §10) carries its maker's parked revisions,
        whose parents may never come, and a desk that keeps nothing aside
        would otherwise store them without their parents."""
        self._sorts_out = True

    def record_maker_decisions(self, maker_id: str, bundle_id: str, decisions: Iterable[KeptOut]) -> int:
        """A hand-over's ``decisions``: what its maker kept out, recorded as its
        word (db/maker_decisions.py), binding nothing here."""
        return record_maker_decisions(self._session, maker_id, bundle_id, decisions)

    def keep_worker_manifest(
        self,
        bundle_id: str,
        device_id: str,
        sequence: int,
        manifest: bytes,
        signature: bytes,
        *,
        source: str | None = None,
    ) -> None:
        """A field device's signed manifest kept with its bundle
        (db/worker_manifests.py), for this desk's hand-overs to carry."""
        keep_worker_manifest(
            self._session, bundle_id, device_id, sequence, manifest, signature, source=source
        )

    def kept_manifest(self, bundle_id: str) -> tuple[bytes, bytes] | None:
        """The field device's signed manifest kept here for ``bundle_id``
        (db/worker_manifests.py): what a hand-over entry without one is
        checked against."""
        return kept_manifest(self._session, bundle_id)

    def device_status(self, device_id: str) -> str | None:
        """``device_id``'s status here (DEVICE_STATUSES), None if unknown."""
        device = self._session.get(KnownDevice, device_id)
        return device.status if device is not None else None

    def device_key(self, device_id: str) -> bytes | None:
        """The Ed25519 public key this vault holds for ``device_id``, if any."""
        device = self._session.get(KnownDevice, device_id)
        return bytes(device.public_key) if device is not None else None

    def declare_reads(self, device_id: str, bundle_id: str, reads_revision: int) -> bool:
        """``device_id`` reads revision format ``reads_revision``, as the
        device's own signed manifest of bundle ``bundle_id`` says (a history
        hand-over carried it; bundle-format.md §10): kept only when that
        bundle is the device's newest here (its ``last_bundle_id``, as
        ``record_bundle`` keeps it), so a newer bundle's value is never
        lowered. Whether it was kept."""
        self._session.flush()  # the row as the session holds it (a vouch this import made)
        written = self._session.connection().exec_driver_sql(
            "UPDATE known_devices SET reads_revision = ? WHERE device_id = ? AND last_bundle_id = ?",
            (reads_revision, device_id, bundle_id),
        )
        loaded = self._session.identity_map.get(identity_key(KnownDevice, device_id))
        if loaded is not None:
            self._session.expire(loaded)
        return bool(written.rowcount)

    def unexplained(self, revision_ids: Iterable[str]) -> list[str]:
        """Those of ``revision_ids`` this vault neither stores, parks, left
        out nor holds a desk's word on (db/worker_manifests.py)."""
        return unexplained_among(self._session, revision_ids)

    def files_not_held(self, files: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """Those of ``files`` ((SHA-256, evidence item id)) whose bytes this
        vault does not store (db/worker_manifests.py)."""
        return files_not_held(self._session, files)

    def record_unaccounted(self, maker_id: str, hand_over_id: str, found: Iterable[Unaccounted]) -> int:
        """What a hand-over's check against the workers' manifests found."""
        return record_unaccounted(self._session, maker_id, hand_over_id, found)

    @property
    def sorts_out(self) -> bool:
        """Whether this import checks its revisions' parents, and so may
        leave some out (``evidence_to_attach`` then tells the bytes to skip)."""
        return self._sorts_out

    def _keep_aside(self, revisions: list[Revision]) -> None:
        """Revisions signed by a device whose coordinator's vouch lapsed
        (``pending``, db/signers.py), verified: parked (db/parked.py), not
        stored, and listed in ``summary.signer_pending``; the import goes
        on with the rest of the bundle. Refusing the bundle (as before,
        review 15 F2) lost the relaying desk's own work with it, and through
        the server, where the desk counted it delivered, every later bundle
        of that desk. They stay parked whatever arrives (``_decide_parked``)
        until the device is enrolled again here (a current coordinator's
        vouch, an approval by code or token, its card: ``release_signers``),
        then are decided as any parked revision: stored when their parents
        are here. One held already is a no-op (it was stored while the
        vouch stood), as is one parked or set aside.
        Past its signer's PARKED_CAP, left out as any (``_leave_out_past_cap``)."""
        if not revisions:
            return
        session = self._session
        ids = [rev.revision_id for rev in revisions]
        known = self._held_among(ids) | parked_among(session, ids) | set_aside_among(session, ids)
        fresh: dict[str, Revision] = {}
        for rev in revisions:
            if rev.revision_id not in known:
                fresh.setdefault(rev.revision_id, rev)  # once, if twice in the bundle
        fits, past = over_the_cap(session, list(fresh.values()))
        self._leave_out_past_cap(past)
        self.summary.signer_pending += park(session, fits)

    def release_signers(self, device_ids: Iterable[str]) -> None:
        """``device_ids`` were enrolled again in this unit (``vouch_device``,
        ``enrol_device``: a bundle's vouch, token proof or approval by code,
        or ``org add-device`` by card, sync/org_vault.py): the revisions of
        theirs kept aside while their vouch lapsed are decided at this
        unit's end (stored when their parents are here)."""
        for device_id in device_ids:
            self._lapsed.pop(device_id, None)
            self._released.add(device_id)

    def _sort_out(self, batch: list[Revision]) -> list[Revision]:
        """The revisions of ``batch`` to store now: not those naming a
        left-out parent (left out), nor those with a parent neither held
        nor stored yet (held back)."""
        parents = {parent for rev in batch for parent in rev.parents}
        present = self._held_among(parents)
        # A parent in this batch is decided by this import, not by a row an
        # earlier one left (it was left out past the cap, or below such a
        # revision, and its parents may be here now: review 14 F1).
        withheld = withheld_among(self._session, parents - present - {rev.revision_id for rev in batch})
        ready: list[Revision] = []
        later: list[Revision] = []
        taken: set[str] = set()
        left_out: dict[str, tuple[str, ...]] = {}
        for rev in batch:
            if not (withheld.isdisjoint(rev.parents) and self._left_out.isdisjoint(rev.parents)):
                self._leave_out(rev)
                left_out[rev.revision_id] = rev.parents
            elif all(parent in present or parent in taken for parent in rev.parents):
                ready.append(rev)
                taken.add(rev.revision_id)
            else:
                later.append(rev)
        # Below a revision left out past the cap: that is their reason, not a revocation.
        mark_below_past_cap(self._session, left_out)
        self._hold_back(later)
        return ready

    def _hold_back(self, revisions: list[Revision]) -> None:
        """Keep ``revisions`` for ``settle_revisions`` in HELD_BACK and
        their parent links in HELD_BACK_PARENTS: in the vault, so encrypted,
        and gone with the transaction; nothing of them stays in memory."""
        if not revisions:
            return
        session = self._session
        if not self._held_back:
            _HELD_BACK_TABLES.create_all(session.connection())
        first = self._held_back
        self._held_back += len(revisions)
        session.execute(
            HELD_BACK.insert(),
            [
                {
                    "pos": first + n,
                    "revision_id": rev.revision_id,
                    "entity_id": rev.entity_id,
                    "device_id": rev.device_id,
                    "signed": rev.signed,
                    "signature": rev.signature,
                }
                for n, rev in enumerate(revisions)
            ],
        )
        links = [{"pos": first + n, "parent_id": p} for n, rev in enumerate(revisions) for p in rev.parents]
        if links:
            session.execute(HELD_BACK_PARENTS.insert(), links)

    def settle_revisions(self) -> int:
        """The bundle's revisions are all read: the held-back ones naming a
        left-out parent (transitively) are left out; the rest, in the order
        they came, a page at a time, are stored when the vault holds their
        parents and parked otherwise (db/parked.py: a parent still missing
        may come in a later bundle, or be left out by a later one; stored
        without it, ``verify`` would name it). Then parked revisions naming
        a left-out parent are left out, and those this import parked whose
        parents are now all here (a parent later in the bundle) are stored.
        Returns how many were stored. Called before the first evidence
        bytes (their items must be stored) and at the end; the second call
        finds nothing new. Each held-back revision and parent link is looked
        at once (review 11 F3: before, a pass over all of them per
        generation, quadratic for a chain child first)."""
        count, self._held_back = self._held_back, 0
        if not count:
            return 0
        left_out = self._leave_out_held_back()
        session = self._session
        held_back = HELD_BACK.c
        stored = 0
        parked = 0
        for at in range(0, count, SETTLE_PAGE):
            rows = session.execute(
                select(held_back.pos, held_back.revision_id, held_back.signed, held_back.signature)
                .where(held_back.pos >= at, held_back.pos < at + SETTLE_PAGE)
                .order_by(held_back.pos)
            ).all()
            wires = [
                {
                    "id": revision_id,
                    "signed": base64.b64encode(signed).decode("ascii"),
                    "signature": base64.b64encode(signature).decode("ascii"),
                }
                for pos, revision_id, signed, signature in rows
                if pos not in left_out
            ]
            page: list[Revision] = []
            # Checked again as they come back (the same bytes: nothing fails,
            # unless this vault's own database changed them).
            for verified in revisions_from_wire(wires, ENTITY_TYPES):
                if isinstance(verified, RevisionRejected):
                    self.recheck_failure = verified
                    raise verified
                page.append(verified)
            present = self._held_among(parent for rev in page for parent in rev.parents)
            ready: list[Revision] = []
            waiting: list[Revision] = []
            for rev in page:
                if all(parent in present for parent in rev.parents):
                    ready.append(rev)
                    present.add(rev.revision_id)
                else:
                    waiting.append(rev)
            waiting, past = over_the_cap(session, waiting)
            # Past the cap: never stored without its parents (review 14 F1),
            # nor parked; left out, its children with it.
            self._leave_out_past_cap(past)
            stored += self._store(ready)
            parked += len(park(session, waiting))
        _HELD_BACK_TABLES.drop_all(session.connection())
        if parked:
            stored += self._decide_parked(own_import_only=True)
            self.summary.parked_revisions = sorted(
                set(
                    session.scalars(
                        select(ParkedRevision.revision_id).where(ParkedRevision.bundle_id.is_(None))
                    )
                )
                - set(self.summary.signer_pending)  # listed apart
            )
        return stored

    def _decide_parked(self, *, own_import_only: bool) -> int:
        """Leave out the parked revisions naming a parent this import left
        out, transitively; then store, verified again, those whose parents
        the vault now holds, in ONE topological walk, a page at a time
        (review 13 F1: before, one generation per round, each rescanning
        the parked table: quadratic for a chain child first).
        ``own_import_only``: only what this import parked (at settle time,
        so that the run of numbers this import's revisions took is its
        bundle's alone); otherwise those naming a parent this import stored
        (at its end: their evidence bytes are attached if held, and their
        absence refuses nothing). One whose signer is no longer authorised
        is left out, with its descendants in the walk; one that no longer
        verifies (its row damaged, or rules tightened since) stays parked,
        with its descendants, listed in ``summary.damaged_parked`` and by
        ``verify`` (review 13 F7: before, it refused every import bringing
        its parent, as a bare RevisionRejected that ended the pull). One
        whose record the vault holds with another type is left out
        (``_leave_out_clash``), with its descendants in the walk. Returns
        how many were stored."""
        session = self._session
        self._leave_out_parked()
        order = ready_order(
            session,
            own_import_only=own_import_only,
            stored_run=self._stored_seqs,
            signers=() if own_import_only else self._released,
        )
        stored = 0
        gone: set[str] = set()  # left out here: their children in the walk too
        stuck: set[str] = set()  # no longer verify: kept parked, and their children
        aside: set[str] = set()  # their signer's vouch lapsed: kept parked, and their children
        for at in range(0, len(order), SETTLE_PAGE):
            ids = order[at : at + SETTLE_PAGE]
            rows = parked_rows(session, ids)
            parents = parked_parents(session, ids)
            wires = [
                {
                    "id": rid,
                    "signed": base64.b64encode(rows[rid][0]).decode("ascii"),
                    "signature": base64.b64encode(rows[rid][1]).decode("ascii"),
                }
                for rid in ids
            ]
            ready: list[Revision] = []
            decided: list[str] = []
            checked = list(revisions_from_wire(wires, ENTITY_TYPES))
            types = self._held_types(checked)
            for rid, verified in zip(ids, checked, strict=True):
                mine = parents.get(rid, set())
                if not stuck.isdisjoint(mine):
                    stuck.add(rid)
                    continue
                if not aside.isdisjoint(mine):
                    aside.add(rid)
                    continue
                if isinstance(verified, RevisionRejected):
                    stuck.add(rid)
                    self.summary.damaged_parked.append(rid)
                    continue
                try:
                    check_revision_body(verified)
                except RevisionRejected:
                    stuck.add(rid)
                    self.summary.damaged_parked.append(rid)
                    continue
                if set(verified.parents) != mine:
                    # The walk went by links the revision does not sign: its
                    # parents may not be here; damaged, never stored so.
                    stuck.add(rid)
                    self.summary.damaged_parked.append(rid)
                    continue
                if self._lapsed.get(verified.device_id) == verified.public_key:
                    # Kept aside until its device is enrolled again (review
                    # 15 F2), not left out as a revoked signer's.
                    aside.add(rid)
                    continue
                if (
                    gone.isdisjoint(mine)
                    and self._signers.get(verified.device_id) == verified.public_key
                    and types.setdefault(verified.entity_id, verified.entity_type) != verified.entity_type
                ):
                    # Its record is held here with another type: storing it
                    # failed the import, and (no revision of the bundle) a
                    # pull took that for this vault's damage and stopped
                    # before a sound bundle at every run, for good (a seized
                    # device's trap). Left out (type-clash), its children in
                    # the walk with it; before, kept parked as damaged, which
                    # it is not (it verifies).
                    decided.append(rid)
                    self._leave_out_clash(verified)
                    gone.add(rid)
                    continue
                decided.append(rid)
                if not gone.isdisjoint(mine) or self._signers.get(verified.device_id) != verified.public_key:
                    # Its signer was revoked (or removed) since it was parked,
                    # or it descends from one that was.
                    self._leave_out(verified)
                    gone.add(rid)
                    continue
                ready.append(verified)
            unpark(session, decided)
            stored += self._store(ready, from_this_bundle=own_import_only)
            if not own_import_only:  # at settle, they are this bundle's revisions
                self.summary.unparked_revisions += [rev.revision_id for rev in ready]
                for rev in ready:
                    if rev.entity_type == "evidence":
                        self._unparked_evidence[rev.entity_id] = rows[rev.revision_id][2] or ""
        if gone:
            self._leave_out_parked()  # their parked descendants outside the walk
        return stored

    def _held_types(self, revisions: Iterable[Revision | RevisionRejected]) -> dict[str, str]:
        """The record type the vault holds for each record ``revisions`` name
        (what db/store.py ``store_received`` refuses to change)."""
        entity_ids = sorted({rev.entity_id for rev in revisions if isinstance(rev, Revision)})
        types: dict[str, str] = {}
        for at in range(0, len(entity_ids), SETTLE_PAGE):
            for entity_id, entity_type in self._session.execute(
                select(RevisionRow.entity_id, RevisionRow.entity_type)
                .where(RevisionRow.entity_id.in_(entity_ids[at : at + SETTLE_PAGE]))
                .distinct()
            ):
                types.setdefault(str(entity_id), str(entity_type))
        return types

    def _leave_out_past_cap(self, revisions: list[Revision]) -> None:
        """Left out because their signer's parked slots are full
        (db/parked.py ``leave_out_past_cap``): listed in
        ``summary.past_parked_cap``; their children in this bundle and
        those parked here are left out as children of any left-out
        revision (``_left_out`` seeds both walks), and bytes only their
        records name are not stored (``evidence_to_attach``)."""
        if not revisions:
            return
        leave_out_past_cap(self._session, revisions)
        for rev in revisions:
            self.summary.past_parked_cap.append(rev.revision_id)
            self._left_out.add(rev.revision_id)
            self._withheld_records.add(rev.entity_id)

    def _leave_out_parked(self) -> None:
        """Parked revisions naming a parent this import left out (or left
        out themselves), transitively: kept as left out."""
        # Parked revisions of a device revoked since they were parked are left
        # out now, not when their parents come (which may be never: review
        # 13 F3), by the index on their signer.
        seeds = self._left_out | parked_signed_by(self._session, self._withhold)
        if not seeds:
            return
        for revision_id, entity_id, _device_id in leave_out_parked(self._session, seeds):
            self._withheld_records.add(entity_id)
            self._left_out.add(revision_id)
            self.summary.withheld_revisions.append(revision_id)

    def _leave_out_held_back(self) -> set[int]:
        """Leave out the held-back revisions naming a parent left out by
        this import or an earlier one, and their held-back descendants;
        returns their positions. One walk along the indexed parent links
        in the vault (_LEFT_OUT_WALK: each revision once), then what
        ``_leave_out`` does, a page of them at a time."""
        session = self._session
        left_before = sorted(self._left_out)
        for at in range(0, len(left_before), SETTLE_PAGE):
            session.execute(
                HELD_BACK_LEFT_OUT.insert(),
                [{"revision_id": revision_id} for revision_id in left_before[at : at + SETTLE_PAGE]],
            )
        positions = sorted(session.scalars(_LEFT_OUT_WALK))
        held_back = HELD_BACK.c
        for at in range(0, len(positions), SETTLE_PAGE):
            rows = session.execute(
                select(held_back.revision_id, held_back.entity_id, held_back.device_id)
                .where(held_back.pos.in_(positions[at : at + SETTLE_PAGE]))
                .order_by(held_back.pos)
            ).all()
            ids = [revision_id for revision_id, _entity_id, _device_id in rows]
            held = self._held_among(ids)
            before = withheld_among(session, ids)
            kept: list[dict[str, Any]] = []
            now_ms = time.time_ns() // 1_000_000
            for revision_id, entity_id, device_id in rows:
                self._withheld_records.add(entity_id)
                if revision_id in self._left_out or revision_id in held:
                    continue  # twice in the bundle, or a no-op: the vault holds it
                self._left_out.add(revision_id)
                if revision_id in before:
                    continue  # left out by an earlier import: nothing new (review 11 F4)
                self.summary.withheld_revisions.append(revision_id)
                kept.append(
                    {
                        "revision_id": revision_id,
                        "entity_id": entity_id,
                        "device_id": device_id,
                        "withheld_ms": now_ms,
                    }
                )
            if kept:
                session.execute(insert(WithheldRevision).on_conflict_do_nothing(), kept)
        if positions:
            # Below a revision left out past the cap: that is their reason, not a revocation.
            links = HELD_BACK.join(HELD_BACK_PARENTS, HELD_BACK_PARENTS.c.pos == HELD_BACK.c.pos)
            parents: dict[str, list[str]] = {}
            for at in range(0, len(positions), SETTLE_PAGE):
                for revision_id, parent_id in session.execute(
                    select(HELD_BACK.c.revision_id, HELD_BACK_PARENTS.c.parent_id)
                    .select_from(links)
                    .where(HELD_BACK.c.pos.in_(positions[at : at + SETTLE_PAGE]))
                ):
                    parents.setdefault(revision_id, []).append(parent_id)
            mark_below_past_cap(session, parents)
        return set(positions)

    def _held_among(self, revision_ids: Iterable[str]) -> set[str]:
        return values_among(self._session, RevisionRow.revision_id, revision_ids)

    def held(self, revision_ids: Iterable[str]) -> set[str]:
        """Those of ``revision_ids`` this vault stores (a re-read counts what it held before)."""
        return self._held_among(revision_ids)

    def _store(
        self,
        checked: list[Revision],
        *,
        from_this_bundle: bool = True,
        signatures: SignaturesInFlight | None = None,
    ) -> int:
        """Stores ``checked`` with what derives from them; then, with
        ``signatures`` (add_revisions: checked meanwhile), refuses the first
        bad one before anything outside this transaction (the vault's clock,
        kept in memory too) takes a revision's word."""
        session = self._session
        checked, types = self._without_type_clashes(checked)
        # New revisions take the next local_seq numbers, one after the other
        # (db/store.py), and nobody else writes during the import: the
        # numbers before and after tell which ones this import stored.
        last = (session.scalar(select(func.max(RevisionRow.local_seq))) or 0) if checked else 0
        inserted = store_received(session, checked, types=types)
        if inserted:
            # Left out before, past the cap or below such a revision, and
            # stored now that its parents are here (review 14 F1).
            forget_left_out(session, inserted)
            first = self._stored_seqs[0] if self._stored_seqs is not None else last + 1
            self._stored_seqs = (first, last + len(inserted))
        for rev in inserted:
            if rev.entity_type == "evidence" and from_this_bundle:
                self._evidence.setdefault(rev.entity_id, set()).add(rev.device_id)
        if signatures is not None and (first_bad := signatures.first_bad()) is not None:
            raise first_bad
        if checked:
            # As RevisionService.apply: the clock moves past what arrived, at
            # most the allowed drift beyond the wall clock.
            clock = self._ctx.clock
            clock.observe(latest_reading(session, self._ctx.identity.device_id, clock.wall()))
            save_clock(session, clock.receive(max(rev.hlc for rev in checked)))
        self.summary.revisions += len(inserted)
        return len(inserted)

    def _without_type_clashes(self, revisions: list[Revision]) -> tuple[list[Revision], dict[str, str]]:
        """``revisions`` less those whose record this vault holds (or an
        earlier one of ``revisions`` claims) with another type, left out
        (``_leave_out_clash``), and less those naming a parent left out so
        (``_leave_out``); with the record types then held or claimed, for
        ``store_received`` (one lookup, as it made itself). Before, one
        such revision refused the whole bundle (``bundle-revision``, or
        ``entity exists with another type`` from a parked one): a desk's
        bundle relaying a worker's clashing revision lost the desk's own
        work, and through the server cut this vault off from that desk
        for good. Which record type is right cannot be known here (ids are
        the writers' choice, and the first type a vault took stays); a
        clash is a forged or broken revision, never an honest edit."""
        if not revisions:
            return revisions, {}
        types = stored_types(self._session, sorted({rev.entity_id for rev in revisions}))
        kept: list[Revision] = []
        for rev in revisions:
            if types.setdefault(rev.entity_id, rev.entity_type) != rev.entity_type:
                self._leave_out_clash(rev)  # its edits too, when they claim the same type
            elif not self._left_out.isdisjoint(rev.parents):
                self._leave_out(rev)  # an edit of a revision left out just now
            else:
                kept.append(rev)
        return kept, types

    def _leave_out_clash(self, rev: Revision) -> None:
        """Left out: its record is held here with another type. Kept as
        left out (``learned`` TYPE_CLASH) and listed in
        ``summary.type_clash`` unless the vault left it out before (then a
        no-op, not listed again); its children are left out as those of any
        left-out revision, and bytes only its record names are not stored
        (``evidence_to_attach``: from now on this import sorts out)."""
        self._sorts_out = True
        self._withheld_records.add(rev.entity_id)
        if rev.revision_id in self._left_out:
            return  # twice in one bundle
        self._left_out.add(rev.revision_id)
        if self._session.get(WithheldRevision, rev.revision_id) is not None:
            return
        self.summary.type_clash.append(rev.revision_id)
        self._session.execute(
            insert(WithheldRevision)
            .values(
                revision_id=rev.revision_id,
                entity_id=rev.entity_id,
                device_id=rev.device_id,
                withheld_ms=time.time_ns() // 1_000_000,
                learned=TYPE_CLASH,
            )
            .on_conflict_do_nothing()
        )

    def _leave_out(self, rev: Revision) -> None:
        self._leave_out_ids(rev.revision_id, rev.entity_id, rev.device_id)

    def _leave_out_ids(self, revision_id: str, entity_id: str, device_id: str) -> None:
        """Not stored; reported and kept as left out (``withheld_revisions``)
        unless the vault holds it (a no-op then) or an earlier import left
        it out (kept already: not reported again, review 11 F4; its children
        are still left out). Few: only revisions of revoked devices and
        their children here."""
        self._withheld_records.add(entity_id)
        if revision_id in self._left_out:
            return  # twice in one bundle
        if self._session.get(RevisionRow, revision_id) is not None:
            return
        self._left_out.add(revision_id)
        if self._session.get(WithheldRevision, revision_id) is not None:
            confirm_left_out(self._session, revision_id)  # if only a refused bundle had named it
            return
        self.summary.withheld_revisions.append(revision_id)
        self._session.execute(
            insert(WithheldRevision)
            .values(
                revision_id=revision_id,
                entity_id=entity_id,
                device_id=device_id,
                withheld_ms=time.time_ns() // 1_000_000,
            )
            .on_conflict_do_nothing()
        )

    def evidence_to_attach(self, evidence_ids: Iterable[str]) -> tuple[str, ...]:
        """``evidence_ids`` less the items that only withheld revisions
        brought (records of a revision left out by this import or an earlier
        one that are no evidence item here): bytes naming none of the rest
        are not stored, and are no error (a desk's later bundle may carry
        them). Any other id stays, to be checked as always (``blob_writer``)."""
        ids = tuple(evidence_ids)
        recorded = withheld_records_among(self._session, ids)
        return tuple(
            evidence_id
            for evidence_id in ids
            if (evidence_id not in self._withheld_records and evidence_id not in recorded)
            or _evidence_sha256(self._session, evidence_id) is not None
        )

    # -- custody ---------------------------------------------------------------------

    def add_custody_events(self, events: Iterable[dict[str, str]]) -> int:
        """Add events of other devices' chains, each in its wire form
        ``{"hash", "signed", "signature"}`` (base64) and in chain order.
        Events already held are skipped; returns how many were new. An event
        of this vault's own chain, or by a key not authorised, is refused."""
        others = {d: k for d, k in self._signers.items() if d != self._ctx.identity.device_id}
        added = 0
        for event in events:
            claimed = event.get("hash") if isinstance(event, dict) else None
            event_hash = claimed if isinstance(claimed, str) and SHA256_HEX.fullmatch(claimed) else "?"
            # Only the canonical spelling (db/strict_b64.py): one event, one wire form.
            signed = strict_b64decode(event.get("signed")) if isinstance(event, dict) else None
            signature = strict_b64decode(event.get("signature")) if isinstance(event, dict) else None
            if signed is None or signature is None:
                raise _custody_rejected(event_hash, "malformed wire encoding")
            if event_hash == "?":
                raise _custody_rejected(event_hash, "malformed wire encoding")
            stored, problem = extend_received_chain(self._session, signed, signature, event_hash, others)
            if problem is not None:
                raise _custody_rejected(event_hash, problem)
            added += stored
        self.summary.custody_events += added
        return added

    def is_lapsed(self, device_id: str) -> bool:
        """Is ``device_id`` pending here because its coordinator's vouch
        lapsed (db/signers.py), as of this import?"""
        return device_id in self._lapsed

    def chain_kept_out(self, event: dict[str, str]) -> bool:
        """Is ``event`` (wire form) of a device whose coordinator's vouch
        lapsed here (``pending``, db/signers.py)? Then it is checked against
        that device's key, as signed and unaltered (else ImportRejected, as
        ``add_custody_events``), and not stored: returns True. Its chain is
        not held here until the device's own bundles bring it once it is
        enrolled again (a history hand-over's line of such a device, §10
        "Lapsed since it was made"): storing a pending key's events would
        take an unauthorised signer's word, and no table keeps a chain aside.
        False for any other device: ``add_custody_events`` decides it."""
        claimed = event.get("hash") if isinstance(event, dict) else None
        event_hash = claimed if isinstance(claimed, str) and SHA256_HEX.fullmatch(claimed) else "?"
        signed = strict_b64decode(event.get("signed")) if isinstance(event, dict) else None
        signature = strict_b64decode(event.get("signature")) if isinstance(event, dict) else None
        if signed is None or signature is None or event_hash == "?":
            raise _custody_rejected(event_hash, "malformed wire encoding")
        if not self._lapsed:
            return False
        envelope, _problem = check_signed_event(signed, signature, event_hash, self._lapsed)
        if envelope is not None:
            self.summary.custody_kept_out += 1
            device_id = str(envelope["device"])
            by_device = self.summary.custody_kept_out_by_device
            by_device[device_id] = by_device.get(device_id, 0) + 1
            return True
        # Not a lapsed device's event that verifies: an event naming such a
        # device but altered, or another device's, which add_custody_events
        # checks (and refuses if altered, naming its hash).
        return False

    # -- evidence bytes -----------------------------------------------------------------

    def add_blob(
        self,
        sha256: str,
        size: int,
        source: BinaryIO,
        evidence_ids: Iterable[str],
        *,
        progress: ProgressCallback | None = None,
    ) -> bool:
        """Stream ``size`` bytes (exactly; never more) from ``source`` into
        the vault, check them against ``sha256``, and attach them to
        ``evidence_ids`` (evidence items of the vault or of revisions added
        before, with that SHA-256 and size). Returns whether a new blob was
        stored (False: the vault already held these bytes, and ``source`` was
        not read). The write lock is held while the bytes stream: for large
        files, ``stage_blob`` them before the import and ``add_staged_blob``."""
        self._check_attachable(sha256, size, evidence_ids)
        blob_id = self._held_blob(sha256, evidence_ids)
        new = blob_id is None
        if blob_id is None:
            staged = stage_blob(self._ctx, sha256, size, source, progress=progress)
            blob_id = self._store_staged(staged)
        self._attach_all(blob_id, evidence_ids)
        return new

    def add_staged_blob(self, staged: StagedBlob, evidence_ids: Iterable[str]) -> bool:
        """As ``add_blob``, for bytes already streamed and checked by
        ``stage_blob`` outside the transaction: only the rename and the rows
        happen here. The staged file is used or removed either way."""
        try:
            self._check_attachable(staged.sha256, staged.size, evidence_ids)
            blob_id = self._held_blob(staged.sha256, evidence_ids)
        except BaseException:
            discard_staged(self._ctx, staged)
            raise
        new = blob_id is None
        if blob_id is None:
            blob_id = self._store_staged(staged)
        else:
            discard_staged(self._ctx, staged)
        self._attach_all(blob_id, evidence_ids)
        return new

    def blob_writer(self, sha256: str, size: int, evidence_ids: Iterable[str]) -> BlobWriter:
        """A sink for ``size`` bytes of evidence pushed in pieces (``write``),
        encrypted into a temp blob as they come; ``close`` checks them against
        ``sha256`` and ``size``, stores them and attaches them to
        ``evidence_ids`` (as ``add_blob``); ``discard`` removes the temp file.
        The evidence ids are checked now, before any byte is written (their
        revisions must be added first). When the vault already holds these
        bytes, nothing is written and ``close`` only attaches them. A writer
        neither closed nor discarded is removed when the import ends."""
        self._check_attachable(sha256, size, evidence_ids)
        held = self._held_blob(sha256, evidence_ids)
        writer = BlobWriter(self, sha256, size, tuple(sorted(set(evidence_ids))), held)
        self._writers.append(writer)
        return writer

    def _check_attachable(self, sha256: str, size: int, evidence_ids: Iterable[str]) -> None:
        ids = sorted(set(evidence_ids))
        if not SHA256_HEX.fullmatch(sha256) or size < 0:
            raise _blob_rejected(sha256 if SHA256_HEX.fullmatch(sha256) else "?", "malformed SHA-256 or size")
        if not ids:
            raise _blob_rejected(sha256, "names no evidence item")
        for evidence_id in ids:
            stated = _evidence_sha256(self._session, evidence_id)
            if stated is None and (sha256, size) in parked_files(self._session, evidence_id):
                # Only parked revisions name this item yet (db/parked.py): its
                # bytes are stored now and attached when one of them is.
                continue
            if stated is None:
                raise _blob_rejected(sha256, f"evidence {evidence_id} is not an evidence item here")
            if stated != (sha256, size):
                raise _blob_rejected(sha256, f"evidence {evidence_id} records another SHA-256 or size")

    def _held_blob(self, sha256: str, evidence_ids: Iterable[str]) -> str | None:
        """The blob to attach ``evidence_ids`` to without storing the bytes
        again: one whose file is here. A purged blob's file is gone
        (db/purge.py): the bytes arriving are stored anew (None), unless
        every item named holds a blob already (nothing to attach; storing
        would leave a file no item refers to)."""
        live = live_blob_id(self._session, sha256)
        if live is not None:
            return live
        ids = set(evidence_ids)
        if ids_among(self._session, "evidence_blobs", "evidence_id", ids) == ids:
            return self._session.scalar(select(Blob.blob_id).where(Blob.sha256 == sha256).limit(1))
        return None

    def _attach_all(self, blob_id: str, evidence_ids: Iterable[str]) -> None:
        for evidence_id in sorted(set(evidence_ids)):
            if _evidence_sha256(self._session, evidence_id) is not None:  # not one only parked
                self._attach(evidence_id, blob_id)

    def _store_staged(self, staged: StagedBlob) -> str:
        written = staged.written
        store = self._ctx.blob_store
        store.commit(written)  # rename, fsync of the folder
        self._written.append(store.path(written.blob_id))
        return self._add_blob_row(staged)

    # The rows of each evidence file stored go through the driver (a file of
    # a photo bundle paid ~1.5 ms in the ORM's add, flush and get for them;
    # session 23). The ORM's identity map holds no Blob or EvidenceBlob row
    # an import writes, so a later session.get reads them from the database.

    def _add_blob_row(self, staged: StagedBlob) -> str:
        written = staged.written
        driver_execute(
            self._session,
            "INSERT INTO blobs (blob_id, wrapped_key, sha256, size, created_ms) VALUES (?, ?, ?, ?, ?)",
            (
                written.blob_id,
                wrap_blob_key(self._ctx.blobs_subkey, written.blob_id, written.key),
                staged.sha256,
                staged.size,
                time.time_ns() // 1_000_000,
            ),
        )
        self.summary.blobs += 1
        return written.blob_id

    def _attach(self, evidence_id: str, blob_id: str) -> None:
        attached = driver_execute(
            self._session,
            "INSERT INTO evidence_blobs (evidence_id, blob_id) SELECT ?, ?"
            " WHERE NOT EXISTS (SELECT 1 FROM evidence_blobs WHERE evidence_id = ?)",
            (evidence_id, blob_id, evidence_id),
        )
        if attached.rowcount:
            self.summary.evidence_attached.append(evidence_id)

    # -- the bundle ---------------------------------------------------------------------

    def is_imported(self, bundle_id: str) -> bool:
        """Was this bundle imported before (a replay: a no-op for the caller)?"""
        # Through the driver (~0.2 ms, not ~0.5 through session.get: H4's
        # measure); it flushes first, so it sees a row the session added.
        row = driver_execute(
            self._session, "SELECT 1 FROM received_bundles WHERE bundle_id = ?", (bundle_id,)
        )
        return row.first() is not None

    def approve_held(self, bundle_id: str) -> None:
        """A coordinator approved, by its verification code, the device of
        held bundle ``bundle_id``, which this vault counts as received
        already (a hand-over's ``received`` named it): its row in quarantine
        is marked ``approved`` now, whatever it was (the device is enrolled
        in this unit, ``enrol_device``). Its content is not read again: it
        is here, or kept aside until this enrolment (review 22)."""
        held = self._session.get(QuarantinedBundle, bundle_id)
        if held is not None and held.status != "approved":
            held.status, held.decided_ms = "approved", time.time_ns() // 1_000_000
            self._session.flush()

    def received(self, device_id: str, sequence: int) -> ReceivedRecord | None:
        """The bundle numbered ``sequence`` imported from ``device_id``, if any
        (its id and its header's ``previous``; NULL before migration 0011)."""
        row = self._session.scalars(
            select(ReceivedBundle).where(
                ReceivedBundle.device_id == device_id, ReceivedBundle.sequence == sequence
            )
        ).first()
        return ReceivedRecord(row.bundle_id, row.previous) if row is not None else None

    def last_sequence(self, device_id: str) -> int:
        """The sequence of the newest bundle imported from ``device_id`` (0: none)."""
        device = self._session.get(KnownDevice, device_id)
        return device.last_sequence if device is not None else 0

    def enrol_device(
        self,
        bundle_id: str,
        device_id: str,
        public_key: bytes,
        age_recipient: str,
        *,
        token_id: str | None = None,
        now_ms: int | None = None,
    ) -> None:
        """Make ``device_id`` a known, enrolled device inside the import of
        bundle ``bundle_id`` (a new row, or a ``pending`` one with that key),
        so that its bundle's revisions and custody events are authorised;
        with ``token_id``, spend that enrolment token for it. All of it is
        undone with the import. ImportRejected (``bundle-rejected``, reason
        "token used"/"token expired"/"token unknown") when the token is not
        good for this device now (another import spent it meanwhile);
        ValueError for a device known otherwise (the caller checked)."""
        session = self._session
        known = session.get(KnownDevice, device_id)
        if known is not None and (known.status != "pending" or bytes(known.public_key) != public_key):
            raise ValueError(f"device {device_id} is known already")
        now = time.time_ns() // 1_000_000 if now_ms is None else now_ms
        if token_id is not None:
            token = session.get(EnrolmentToken, token_id)
            problem = None
            if token is None:
                problem = "token unknown"
            elif token.used_by is not None and token.used_by != device_id:
                problem = "token used"
            elif token.used_by is None and now >= token.expires_ms:
                problem = "token expired"
            if problem is not None:
                raise ImportRejected(
                    f"The enrolment token {token_id} presented by device {device_id} cannot be used "
                    f"({problem}); nothing was imported.",
                    "bundle-rejected",
                    problem,
                    bundle_id=bundle_id,
                )
            assert token is not None
            if token.used_by is None:
                token.used_by, token.used_ms = device_id, now
        if known is not None:
            known.status, known.updated_ms = "enrolled", now
            known.age_recipient = age_recipient or known.age_recipient
            # Enrolled by its token or by code now, not on a coordinator's
            # word (a lapsed vouch: db/signers.py).
            if known.vouched_by is not None:
                self.release_signers([device_id])
            known.vouched_by = None
        else:
            session.add(
                KnownDevice(
                    device_id=device_id,
                    public_key=public_key,
                    age_recipient=age_recipient,
                    role="device",
                    status="enrolled",
                    label="",
                    last_sequence=0,
                    last_bundle_id=None,
                    updated_ms=now,
                )
            )
        session.flush()
        self._signers[device_id] = public_key

    def note_lapsed_device(self, device_id: str, public_key: bytes, *, named_by: str) -> bool:
        """A coordinator's bundle names ``device_id`` as a field device it
        knows and no longer vouches for (bundle-format.md §4 ``lapsed``) and
        may carry revisions it stored while the vouch stood. A device this
        vault does not know at all is noted ``pending``, ``vouched_by`` the
        coordinator that named it (a lapsed vouch: db/signers.py), so that
        its revisions are kept aside (``_keep_aside``), never stored nor a
        refusal of the bundle, until it is enrolled here (a current
        coordinator's vouch, an approval by code, its card). A device known
        already is left as it is (an enrolled one writes, a revoked one is
        refused). Returns whether a row was added. ValueError as
        ``vouch_device``."""
        session = self._session
        voucher = session.get(KnownDevice, named_by)
        if voucher is None or voucher.role != "coordinator" or voucher.status != "enrolled":
            raise ValueError(f"device {named_by} is not an enrolled coordinator of this vault")
        if device_id_for(public_key) != device_id:
            raise ValueError(f"device id {device_id} is not that of its key")
        if device_id == self._ctx.identity.device_id or session.get(KnownDevice, device_id) is not None:
            return False
        session.add(
            KnownDevice(
                device_id=device_id,
                public_key=public_key,
                age_recipient="",  # not vouched for: its age recipient is not ours to take
                role="device",
                status="pending",
                label="",
                last_sequence=0,
                last_bundle_id=None,
                updated_ms=time.time_ns() // 1_000_000,
                vouched_by=named_by,
            )
        )
        session.flush()
        self._lapsed[device_id] = public_key
        return True

    def vouch_device(
        self,
        device_id: str,
        public_key: bytes,
        age_recipient: str,
        *,
        vouched_by: str,
        renew_lapsed: bool = True,
        now_ms: int | None = None,
    ) -> bool:
        """A coordinator's bundle relays revisions signed by ``device_id`` and
        vouches for its key (bundle-format.md §4 ``devices``): make it a known,
        enrolled device (role ``device``, ``vouched_by`` the coordinator) so
        that those revisions are authorised, inside this import (undone with
        it). The caller checked that ``vouched_by`` is a coordinator of the
        profile and that the profile does not revoke ``device_id``. A device
        known already is left as it is, whatever its status (a revoked one
        stays revoked, an enrolled one keeps its origin), except one whose
        earlier vouch lapsed (its coordinator removed: db/signers.py
        ``vouch_lapsed``), which is enrolled again on this coordinator's
        word, unless ``renew_lapsed`` is false (a bundle made under an older
        profile than the one held here: its word predates the lapse, review
        21 R1); returns whether a row was added or enrolled again. ValueError
        when ``vouched_by`` is not an enrolled coordinator here or the id is
        not its key's (a caller's mistake)."""
        session = self._session
        voucher = session.get(KnownDevice, vouched_by)
        if voucher is None or voucher.role != "coordinator" or voucher.status != "enrolled":
            raise ValueError(f"device {vouched_by} is not an enrolled coordinator of this vault")
        if device_id_for(public_key) != device_id:
            raise ValueError(f"device id {device_id} is not that of its key")
        if device_id == self._ctx.identity.device_id:
            return False
        now = time.time_ns() // 1_000_000 if now_ms is None else now_ms
        known = session.get(KnownDevice, device_id)
        if known is not None:
            if not renew_lapsed or not vouch_lapsed(session, known) or bytes(known.public_key) != public_key:
                return False
            known.status, known.vouched_by, known.updated_ms = "enrolled", vouched_by, now
            # A row noted from a ``lapsed`` list has none (note_lapsed_device).
            known.age_recipient = known.age_recipient or age_recipient
            self.release_signers([device_id])
            session.flush()
            self._signers[device_id] = public_key
            return True
        session.add(
            KnownDevice(
                device_id=device_id,
                public_key=public_key,
                age_recipient=age_recipient,
                role="device",
                status="enrolled",
                label="",
                last_sequence=0,
                last_bundle_id=None,
                updated_ms=now,
                vouched_by=vouched_by,
            )
        )
        session.flush()
        self._signers[device_id] = public_key
        return True

    def stored_revision_seqs(self) -> tuple[int, int] | None:
        """The run ``(first, last)`` of local sequence numbers of the
        revisions this import stored so far (None: none): every revision
        stored in it has a number in the run and every number in the run is
        one of them (a coordinator records what it pulled from the server as
        held by the organisation, docs/sync.md §2.3). Revisions parked by an
        earlier import that this one stores at its end (their parents came
        now) take numbers after the run read before the end: they did not
        come with this bundle, so they are recorded as neither pulled nor
        relayed with it, and travel in this vault's own bundles."""
        return self._stored_seqs

    def acknowledge_blobs(self, sha256s: Iterable[str]) -> None:
        """The organisation holds these evidence bytes (``acknowledged_blobs``,
        as ``SyncStateService.acknowledge``), recorded with this import."""
        now = time.time_ns() // 1_000_000
        for sha256 in sorted(set(sha256s)):
            self._session.execute(
                insert(AcknowledgedBlob).values(sha256=sha256, acked_ms=now).on_conflict_do_nothing()
            )

    def update_client_value(self, name: str, change: ValueChange) -> str | None:
        """Change a sync client value (db/sync_client.py) with this import:
        stored if and only if the bundle is (a kill cannot keep one without
        the other)."""
        return change_value(self._session, name, change)

    def record_bundle(
        self,
        bundle_id: str,
        device_id: str,
        sequence: int,
        custody_head: str | None = None,
        previous: str | None = None,
        addressed: tuple[tuple[int, int], ...] = (),
        *,
        on_word: bool = False,
        reads_revision: int | None = None,
    ) -> None:
        """Record bundle ``bundle_id`` (number ``sequence`` of ``device_id``, a
        known device) as imported: a later one with the same id is a replay,
        with the same sequence and another id a fork (ImportRejected). The
        device's last sequence and bundle id move forward only.
        ``custody_head`` (the header's): the device's chain must hold that
        event, now (call this after ``add_custody_events``) and at every
        ``verify``, so that its newest events cannot be cut unnoticed.
        ``previous`` (the header's) is kept, to check a later bundle that
        fills a gap before this one. ``addressed`` (the header's): the
        device's numbers that went to field workers, which are no gap. A
        bundle held in quarantine is marked approved: it is imported now;
        with ``on_word`` (another bundle's word that it was received: a
        hand-over's ``received``, not this bundle's own import) it is marked
        ``received`` instead: nobody approved its device, which may be
        pending here, and an approval by code of it still enrols the device
        (``approve_held``; review 22). ``reads_revision`` (the bundle's
        manifest ``reads``, 1 when it has none; bundle-format.md §4): kept as
        the device's when this bundle is its newest, for ``reroot_record``'s
        check that every device reads a re-root; None (another bundle's
        word, a re-read) leaves it."""
        if not SHA256_HEX.fullmatch(bundle_id) or sequence < 1:
            raise ValueError("a bundle id is 64 hex digits and a sequence 1 or more")
        session = self._session
        # Reads and writes straight to the driver (db/chunked_ids.py: it
        # flushes first, so each sees what the session holds): the ORM's
        # gets, selects and flush of two objects cost ~5 ms of a merged
        # bundle's importing thread (H6, session 16). Objects of these rows
        # the session loaded before are expired below, so none reads stale.
        device = driver_execute(
            session, "SELECT last_sequence FROM known_devices WHERE device_id = ?", (device_id,)
        ).first()
        if device is None:
            raise ImportRejected(
                f"Bundle {bundle_id} comes from device {device_id}, which this vault does not know.",
                "bundle-rejected",
                "device unknown",
                bundle_id=bundle_id,
            )
        other = driver_execute(
            session,
            "SELECT bundle_id FROM received_bundles WHERE device_id = ? AND sequence = ?",
            (device_id, sequence),
        ).scalar()
        if other is not None and other != bundle_id:
            raise ImportRejected(
                f"Bundle {bundle_id} repeats sequence {sequence} of device {device_id} with other "
                "content (a fork); nothing was imported.",
                "bundle-rejected",
                "fork",
                bundle_id=bundle_id,
            )
        if custody_head is not None and (
            driver_execute(
                session,
                "SELECT 1 FROM received_custody_events WHERE device_id = ? AND event_hash = ?",
                (device_id, custody_head),
            ).first()
            is None
        ):
            raise ImportRejected(
                f"Bundle {bundle_id} names custody event {custody_head} of its device as the newest, "
                "and the chain does not hold it; nothing was imported.",
                "bundle-rejected",
                "custody head missing",
                bundle_id=bundle_id,
            )
        connection = session.connection()
        now_ms = time.time_ns() // 1_000_000
        if other is None:
            connection.exec_driver_sql(
                "INSERT INTO received_bundles (bundle_id, device_id, sequence, custody_head, imported_ms,"
                " previous, addressed) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    bundle_id,
                    device_id,
                    sequence,
                    custody_head,
                    now_ms,
                    previous,
                    json.dumps([list(run) for run in addressed]) if addressed else None,
                ),
            )
        connection.exec_driver_sql(
            "UPDATE quarantined_bundles SET status = ?, decided_ms = ? WHERE bundle_id = ? AND status = 'held'",
            ("received" if on_word else "approved", now_ms, bundle_id),
        )
        if sequence > int(device[0]):
            connection.exec_driver_sql(
                "UPDATE known_devices SET last_sequence = ?, last_bundle_id = ?,"
                " reads_revision = COALESCE(?, reads_revision) WHERE device_id = ?",
                (sequence, bundle_id, reads_revision, device_id),
            )
        for mapped, key in (
            (KnownDevice, device_id),
            (QuarantinedBundle, bundle_id),
            (ReceivedBundle, bundle_id),
        ):
            loaded = session.identity_map.get(identity_key(mapped, key))
            if loaded is not None:
                session.expire(loaded)
        self._bundle = (bundle_id, device_id)

    # -- the end ---------------------------------------------------------------------------

    def _finish(self) -> None:
        """Attach the blobs the vault holds to the evidence items this import
        brought, then record their ``transfer`` (received) in this vault's chain."""
        self.settle_revisions()  # a caller that did not: nothing it added is dropped
        session = self._session
        if any_parked(session):
            # Revisions parked by earlier imports whose parents this one
            # stored (or left out), or whose signer it enrolled again:
            # decided now, after the run of numbers this bundle's revisions
            # took was read (stored_revision_seqs).
            self._decide_parked(own_import_only=False)
            name_bundle(session, self._bundle[0] if self._bundle is not None else "")
        for evidence_id in sorted(set(self._unparked_evidence) - set(self._evidence)):
            stated = _evidence_sha256(session, evidence_id)
            if stated is not None and session.get(EvidenceBlob, evidence_id) is None:
                blob_id = live_blob_id(session, stated[0])
                if blob_id is not None:
                    self._attach(evidence_id, blob_id)
        sender = self._bundle[1] if self._bundle is not None else None
        for evidence_id, signers in sorted(self._evidence.items()):
            stated = _evidence_sha256(session, evidence_id)
            if stated is None:
                continue  # deleted, or not an item whose bytes travel
            if session.get(EvidenceBlob, evidence_id) is None:
                # Never a purged blob: its file is gone, and the item is not
                # one this device delivered (db/purge.py).
                blob_id = live_blob_id(session, stated[0])
                if blob_id is not None:
                    self._attach(evidence_id, blob_id)
            if (
                session.get(EvidenceBlob, evidence_id) is None
                and sender is not None
                and sender not in signers
            ):
                # Another device's item that the sender holds (and relays) without
                # its file: the bytes come in that device's own bundle, which
                # attaches them whenever it is imported, before or after this one.
                # Refusing it would make the merge depend on the order of import.
                continue
            if session.get(EvidenceBlob, evidence_id) is None:
                # Its file was neither in the bundle nor in the vault: a record
                # whose bytes never arrive would be evidence in name only.
                raise _blob_rejected(stated[0], f"evidence {evidence_id} arrived without its file")
        details: dict[str, object] = {"direction": "received"}
        if self._bundle is not None:
            details.update(bundle=self._bundle[0], device=self._bundle[1])
        if self.reread:
            details["reread"] = True
        for evidence_id in sorted(set(self.summary.evidence_attached)):
            stated = _evidence_sha256(session, evidence_id)
            assert stated is not None  # attached only when it is an item with a SHA-256
            append_event(
                session,
                self._ctx.identity,
                evidence_id=evidence_id,
                action="transfer",
                sha256=stated[0],
                hlc=self._ctx.next_reading(session),
                user=self._ctx.user_label,
                details=self._received_with(evidence_id, details),
            )
        if self._reread is not None and self._bundle is not None:
            sequence, applied = self._reread
            record_reread(
                session,
                bundle_id=self._bundle[0],
                device_id=self._bundle[1],
                sequence=sequence,
                user_label=self._ctx.user_label,
                applied=applied,
                unparked=self.summary.unparked_revisions,
                evidence=self.summary.evidence_attached,
            )

    def keep_reread(self, sequence: int, applied: tuple[str, ...]) -> None:
        """This unit is a re-read of the bundle ``record_bundle`` named
        (number ``sequence``) that stored ``applied`` of its revisions: its
        end keeps a row of it with what else it stored (db/rereads.py)."""
        assert self.reread
        self._reread = (sequence, applied)

    def _received_with(self, evidence_id: str, details: dict[str, object]) -> dict[str, object]:
        """The ``transfer`` event's details: this bundle, or for an item whose
        revision an earlier import parked, the bundle that brought it (and
        its bytes, when they came with it)."""
        parked_with = self._unparked_evidence.get(evidence_id)
        if parked_with is None or evidence_id in self._evidence:
            return dict(details)
        received: dict[str, object] = {"direction": "received"}
        row = self._session.get(ReceivedBundle, parked_with) if parked_with else None
        if row is not None:
            received.update(bundle=row.bundle_id, device=row.device_id)
        return received


class BlobWriter:
    """Evidence bytes pushed into the vault in pieces (``VaultImport.blob_writer``).

    Each full segment is sealed and written to a temp blob as soon as a byte
    beyond it arrives (only then is it known not to be the last one), so at
    most one segment is held; ``close`` checks the SHA-256 and size, seals
    the last one and adds the blob's row; the file's fsync and its rename to
    the blob id run beside the import (db/blob_settling.py), which commits
    only once they are done."""

    def __init__(
        self,
        unit: VaultImport,
        sha256: str,
        size: int,
        evidence_ids: tuple[str, ...],
        held_blob_id: str | None,
        segment_size: int = DEFAULT_SEGMENT_SIZE,
    ) -> None:
        self.sha256 = sha256
        self.size = size
        self._unit = unit
        self._evidence_ids = evidence_ids
        self._held = held_blob_id  # the vault already holds these bytes: none are written
        # close() hashes every byte written and refuses a mismatch, unless the
        # bytes are held already (then they are counted, not hashed): a
        # caller that hashes the same bytes against the same SHA-256 may rely
        # on it instead of hashing twice (sync/bundle/reader.py).
        self.checks_sha256 = held_blob_id is None
        self._digest = hashlib.sha256()
        self._received = 0
        self._pending = bytearray()
        self._segment_size = segment_size
        self._done = False
        self._out: BinaryIO | None = None
        self._temp: Path | None = None
        # Flushes the temp blob to the disk as it grows, so that close()'s
        # fsync does not wait for the whole file on the importing thread.
        self._flush: BackgroundFlush | None = None
        if held_blob_id is None:
            store = unit._ctx.blob_store
            self._blob_id = secrets.token_bytes(16)
            self._key = secrets.token_bytes(32)
            header = BlobHeader.new(self._blob_id, segment_size)
            self._sealer = SegmentSealer(self._key, header)
            self._temp = store.folder / f"{TEMP_PREFIX}{secrets.token_hex(8)}"
            try:
                self._out = open(self._temp, "xb")  # noqa: SIM115, PTH123 - closed by close/discard
                owner_only(self._out.fileno())
                self._out.write(header.to_bytes())
                self._flush = BackgroundFlush(self._out.fileno(), every=IMPORT_FLUSH_EVERY)
            except OSError as err:
                self.discard()
                raise StorageError("store the evidence file", err) from err

    def write(self, data: bytes, /) -> int:
        if self._done:
            raise ValueError("this evidence file was closed or discarded")
        self._received += len(data)
        if self._received > self.size:
            raise _blob_rejected(self.sha256, "more bytes than its size")
        if self._out is None:
            return len(data)  # held already: the bytes are not needed
        self._digest.update(data)
        # A segment is sealed once a byte beyond it has arrived (only then is
        # it known not to be the last). Each byte is copied at most once: into
        # the held segment, or not at all when a whole segment lies in ``data``.
        segment_size = self._segment_size
        view = memoryview(data)
        try:
            if self._pending and len(self._pending) + len(view) > segment_size:
                take = segment_size - len(self._pending)
                self._pending += view[:take]
                view = view[take:]
                self._out.write(self._sealer.seal(self._pending, last=False))
                self._pending = bytearray()
            while len(view) > segment_size:
                self._out.write(self._sealer.seal(view[:segment_size], last=False))
                view = view[segment_size:]
            self._pending += view
            if self._flush is not None:
                self._flush.wrote(len(data))  # raises a failed flush's error
        except OSError as err:
            self.discard()
            raise StorageError("store the evidence file", err) from err
        return len(data)

    def close(self) -> None:
        """Check, store and attach the bytes (ImportRejected when they do not
        match: then nothing of them stays)."""
        if self._done:
            raise ValueError("this evidence file was closed or discarded")
        unit = self._unit
        if self._out is None:
            assert self._held is not None
            self._done = True
            unit._attach_all(self._held, self._evidence_ids)
            return
        assert self._temp is not None
        if self._received != self.size or self._digest.hexdigest() != self.sha256:
            self.discard()
            raise _blob_rejected(self.sha256, "its bytes do not match their SHA-256 and size")
        try:
            self._out.write(self._sealer.seal(bytes(self._pending), last=True))
            self._out.flush()
        except OSError as err:
            self.discard()
            raise StorageError("store the evidence file", err) from err
        written = WrittenBlob(self._blob_id.hex(), self._temp, self._key, self.sha256, self.size)
        # Its fsync and rename run beside the import; the import commits only
        # once they are done (db/blob_settling.py): the row added now names a
        # file that is durable under its name by then, or the import fails.
        unit._settler.settle(self._out, self._flush, written)  # raising, it left the file to us
        self._done = True  # from here the settler owns the file (it removes it on failure)
        blob_id = unit._add_blob_row(StagedBlob(self.sha256, self.size, written))
        unit._attach_all(blob_id, self._evidence_ids)

    def discard(self) -> None:
        """Remove the temp blob (nothing of these bytes stays); safe to repeat."""
        if self._done:  # stored, attached or already removed
            return
        self._done = True
        if self._flush is not None:
            self._flush.close()  # before the file: a flush under way uses it
        if self._out is not None:
            with contextlib.suppress(OSError):
                self._out.close()
        if self._temp is not None:
            self._unit._ctx.blob_store.discard(self._temp)


@dataclass(frozen=True)
class StagedBlob:
    """Evidence bytes streamed into the blob store under a temp name
    (encrypted, fsynced) and checked against their SHA-256 and size, not yet
    part of the vault: ``VaultImport.add_staged_blob`` makes them so, or
    ``discard_staged`` removes them (a crash leaves a temp file that the
    next unlock removes)."""

    sha256: str
    size: int
    written: WrittenBlob


def stage_blob(
    ctx: VaultContext,
    sha256: str,
    size: int,
    source: BinaryIO,
    *,
    progress: ProgressCallback | None = None,
) -> StagedBlob:
    """Read exactly ``size`` bytes of ``source`` into a temp blob; ImportRejected
    (and no file) when they do not hash to ``sha256``."""
    if not SHA256_HEX.fullmatch(sha256) or size < 0:
        raise _blob_rejected(sha256 if SHA256_HEX.fullmatch(sha256) else "?", "malformed SHA-256 or size")
    store = ctx.blob_store
    # temp name, fsync; StorageError on a disk error
    written = store.write(cast(BinaryIO, _Limited(source, size)), size, progress=progress)
    if written.sha256 != sha256 or written.size != size:
        store.discard(written.temp_path)
        raise _blob_rejected(sha256, "its bytes do not match their SHA-256 and size")
    return StagedBlob(sha256, size, written)


def discard_staged(ctx: VaultContext, staged: StagedBlob) -> None:
    ctx.blob_store.discard(staged.written.temp_path)


class _Limited:
    """Reads at most ``size`` bytes of ``source``, never past them (``source``
    may be a stream whose next bytes are the next member of an archive)."""

    def __init__(self, source: BinaryIO, size: int) -> None:
        self._source = source
        self._left = size

    def read(self, n: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        data = self._source.read(self._left if n < 0 else min(n, self._left))
        self._left -= len(data)
        return data


def _custody_rejected(event_hash: str, reason: str) -> ImportRejected:
    return ImportRejected(
        f"Custody event {event_hash} rejected: {reason}; nothing was imported.",
        "custody-event-rejected",
        reason,
        event_hash=event_hash,
    )


def _blob_rejected(sha256: str, reason: str) -> ImportRejected:
    return ImportRejected(
        f"Evidence file {sha256} rejected: {reason}; nothing was imported.",
        "blob-rejected",
        reason,
        sha256=sha256,
    )


__all__ = ["BlobWriter", "ImportSummary", "StagedBlob", "VaultImport", "discard_staged", "stage_blob"]
