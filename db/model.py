"""The ORM model of the vault database (SQLAlchemy 2 declarative).

Revisions are the truth; ``heads`` and ``entities`` are derived from them and
could be rebuilt. Schema changes go through Alembic (db/migrations); a test
checks that this model equals ``upgrade head``.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names, so Alembic can alter them later.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Device(Base):
    """This install's signing identity. The private key is sealed with the
    device-keys subkey on top of the database encryption."""

    __tablename__ = "device"

    device_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sealed_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    label: Mapped[str] = mapped_column(Text, default="")
    created_ms: Mapped[int] = mapped_column(Integer)


class ClockState(Base):
    """The hybrid logical clock's last reading, so it never runs backwards."""

    __tablename__ = "clock"
    __table_args__ = (CheckConstraint("singleton = 1", name="one_row"),)

    singleton: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    last_ms: Mapped[int] = mapped_column(Integer)
    last_counter: Mapped[int] = mapped_column(Integer)


class RevisionRow(Base):
    __tablename__ = "revisions"
    __table_args__ = (
        CheckConstraint("op IN ('put', 'delete')", name="known_op"),
        Index("ix_revisions_entity_id", "entity_id"),
        # The review's device filter (migration 0015; db/review.py).
        Index("ix_revisions_device_id", "device_id", "entity_id", "revision_id"),
        Index("ix_revisions_local_seq", "local_seq", unique=True),
    )

    revision_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(36))
    entity_type: Mapped[str] = mapped_column(String(32))
    op: Mapped[str] = mapped_column(String(16))
    hlc_ms: Mapped[int] = mapped_column(Integer)
    hlc_counter: Mapped[int] = mapped_column(Integer)
    device_id: Mapped[str] = mapped_column(String(32))
    # The exact signed bytes: re-verifiable, and what travels in bundles.
    signed: Mapped[bytes] = mapped_column(LargeBinary)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    # The order this vault stored it in (migration 0008): sync's cursor.
    # Nullable only because SQLite cannot add a NOT NULL column in place;
    # every store sets it.
    local_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)


class RevisionParent(Base):
    __tablename__ = "revision_parents"
    __table_args__ = (Index("ix_revision_parents_parent_id", "parent_id"),)

    revision_id: Mapped[str] = mapped_column(
        ForeignKey("revisions.revision_id", ondelete="CASCADE"), primary_key=True
    )
    # Not a foreign key: a parent may not have arrived yet.
    parent_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class RevisionSupersedes(Base):
    """What a re-root (format version 2, db/reroot.py) supersedes, one row a
    revision id: derived from its signed bytes, as ``revision_parents``
    (migration 0027). A superseded revision of the same record is no head."""

    __tablename__ = "revision_supersedes"
    __table_args__ = (Index("ix_revision_supersedes_superseded_id", "superseded_id"),)

    revision_id: Mapped[str] = mapped_column(
        ForeignKey("revisions.revision_id", ondelete="CASCADE"), primary_key=True
    )
    # Not a foreign key: the desks that left the revoked line out never hold it.
    superseded_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class Head(Base):
    __tablename__ = "heads"

    entity_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    revision_id: Mapped[str] = mapped_column(
        ForeignKey("revisions.revision_id", ondelete="CASCADE"), primary_key=True
    )


class EntityRow(Base):
    """The current state of each entity: the query table the services read.

    ``seq`` doubles as the rowid of the entity's row in the FTS5 search index.
    """

    __tablename__ = "entities"
    __table_args__ = (
        # The lists' pages and counts (migration 0005).
        Index("ix_entities_live_in_case", "entity_type", "case_id", "deleted", "seq"),
        # The review's pages across cases, newest first (migrations 0017, 0018).
        Index("ix_entities_live_by_seq", "entity_type", "deleted", "seq", "entity_id"),
        CheckConstraint("deleted IN (0, 1) AND conflicted IN (0, 1)", name="flags"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_id: Mapped[str] = mapped_column(String(36), unique=True)
    entity_type: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    head_revision_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    conflicted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_ms: Mapped[int] = mapped_column(Integer)
    updated_ms: Mapped[int] = mapped_column(Integer)


class Setting(Base):
    """Non-secret vault settings (e.g. auto-lock delay)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Blob(Base):
    """An encrypted file in blobs/. Its key is wrapped with the blobs subkey;
    the name is random, never derived from the content."""

    __tablename__ = "blobs"
    __table_args__ = (Index("ix_blobs_sha256", "sha256"),)

    blob_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    created_ms: Mapped[int] = mapped_column(Integer)


class EvidenceBlob(Base):
    """Which blob holds an evidence item's bytes (local: revisions travel
    without blob keys)."""

    __tablename__ = "evidence_blobs"

    evidence_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    blob_id: Mapped[str] = mapped_column(ForeignKey("blobs.blob_id"), index=True)


class CustodyEventRow(Base):
    """The append-only, hash-chained, signed custody log (db/custody.py)."""

    __tablename__ = "custody_events"
    __table_args__ = (Index("ix_custody_events_evidence_id", "evidence_id"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    event_hash: Mapped[str] = mapped_column(String(64), unique=True)
    evidence_id: Mapped[str] = mapped_column(String(36))
    signed: Mapped[bytes] = mapped_column(LargeBinary)
    signature: Mapped[bytes] = mapped_column(LargeBinary)


class Draft(Base):
    """Unsaved editor content (e.g. a testimony being typed), kept inside the
    encrypted database so that autosave never writes a plain file. Saving the
    record turns it into a revision and drops the draft."""

    __tablename__ = "drafts"

    draft_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    updated_ms: Mapped[int] = mapped_column(Integer)


class PendingExport(Base):
    """A plaintext copy an export is writing outside the vault, recorded
    before its first byte so that the next unlock removes what a crash left
    (db/export_files.py). ``path``: the temp file's path as the OS spells it
    (bytes); ``file_id``: "device:inode" once it was created."""

    __tablename__ = "pending_exports"

    export_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    path: Mapped[bytes] = mapped_column(LargeBinary)
    file_id: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_ms: Mapped[int] = mapped_column(Integer)


# -- sync state (migration 0009): local, not derived -----------------------------


class OrgProfileRow(Base):
    """The organisation profile this vault holds: its signed bytes as
    received (checked by sync/, opaque here) and its version, which only grows."""

    __tablename__ = "org_profile"
    __table_args__ = (CheckConstraint("singleton = 1", name="one_row"),)

    singleton: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    version: Mapped[int] = mapped_column(Integer)
    signed: Mapped[bytes] = mapped_column(LargeBinary)
    updated_ms: Mapped[int] = mapped_column(Integer)


class KnownDevice(Base):
    """A device (or coordinator) of the organisation: its keys, whether it
    may write (``status``) and the last bundle received from it."""

    __tablename__ = "known_devices"
    __table_args__ = (
        CheckConstraint("status IN ('enrolled', 'revoked', 'pending')", name="known_status"),
        CheckConstraint("role IN ('device', 'coordinator')", name="known_role"),
    )

    device_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    age_recipient: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(Text)
    last_sequence: Mapped[int] = mapped_column(Integer)
    last_bundle_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_ms: Mapped[int] = mapped_column(Integer)
    # Migration 0014: the coordinator whose bundle vouched for this device
    # (a worker's vault, for revisions it relays); NULL: from the profile or enrolment.
    vouched_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Migration 0031: the highest revision format version the newest bundle
    # applied from this device says it reads (bundle-format.md §4 ``reads``;
    # 1 for a bundle without the member); NULL: none applied since, not declared.
    reads_revision: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ReceivedBundle(Base):
    """Every bundle imported, so that a replay is a no-op and a second bundle
    with a sequence already seen is a fork."""

    __tablename__ = "received_bundles"
    __table_args__ = (UniqueConstraint("device_id", "sequence"),)

    bundle_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(32))
    sequence: Mapped[int] = mapped_column(Integer)
    # The bundle header's custody_head: the device's chain must hold it
    # (verify), so that cutting its newest events shows.
    custody_head: Mapped[str | None] = mapped_column(String(64), nullable=True)
    imported_ms: Mapped[int] = mapped_column(Integer)
    # The header's previous (migration 0011; NULL in rows imported before it):
    # a late bundle filling a gap must be the one its successor names.
    previous: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The header's addressed (migration 0016): JSON [[first, last], ...] of
    # the device's sequence numbers that went to field workers, not gaps.
    addressed: Mapped[str | None] = mapped_column(Text, nullable=True)


class SyncOutgoing(Base):
    """This device's side: its last bundle (sequence, id) and how far the
    organisation acknowledged its revisions and custody events."""

    __tablename__ = "sync_outgoing"
    __table_args__ = (CheckConstraint("singleton = 1", name="one_row"),)

    singleton: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    bundle_sequence: Mapped[int] = mapped_column(Integer)
    previous_bundle_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    acked_revision_seq: Mapped[int] = mapped_column(Integer)
    acked_custody_seq: Mapped[int] = mapped_column(Integer)
    # The enrolment token this device joined with (fvt1…): its bundles prove
    # it until the first acknowledgement arrives (bundle-format.md §2.1).
    enrolment_token: Mapped[str | None] = mapped_column(Text, nullable=True)


class SentBundle(Base):
    """A bundle this device made and what it carried, so that an
    acknowledgement of it moves the cursors: revisions up to
    ``revision_seq`` (local_seq), own custody events up to ``custody_seq``,
    evidence bytes ``blobs`` (a JSON list of SHA-256). NULLs: a bundle
    adopted after a killed export, whose contents are not known here."""

    __tablename__ = "sent_bundles"

    bundle_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer, unique=True)
    revision_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    custody_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    blobs: Mapped[str | None] = mapped_column(Text, nullable=True)
    made_ms: Mapped[int] = mapped_column(Integer)
    acked_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    acked_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # The field worker a send-back bundle was for (migration 0016); NULL: a
    # bundle to coordinators, which declares the send-backs' numbers before it.
    addressee: Mapped[str | None] = mapped_column(String(32), nullable=True)


class QuarantinedBundle(Base):
    """A bundle from a device this coordinator did not know, kept (left where
    it was, at ``path``) with the reason it was not imported, until a
    coordinator approves the device after comparing the verification code.
    ``status``: ``held``; ``approved`` (imported, or its device approved by
    code, at ``decided_ms``); ``received`` (counted as received here on
    another bundle's word, a hand-over's ``received``, while held: nothing
    waits for it, and nobody approved its device; migration 0029)."""

    __tablename__ = "quarantined_bundles"
    __table_args__ = (CheckConstraint("status IN ('held', 'approved', 'received')", name="known_status"),)

    bundle_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(32))
    device_key: Mapped[bytes] = mapped_column(LargeBinary)
    age_recipient: Mapped[str | None] = mapped_column(Text, nullable=True)
    sequence: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(64))
    token_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    path: Mapped[str] = mapped_column(Text)
    received_ms: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    decided_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)


class AcknowledgedBlob(Base):
    """Evidence bytes (by SHA-256) the organisation acknowledged holding."""

    __tablename__ = "acknowledged_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    acked_ms: Mapped[int] = mapped_column(Integer)


class ReceivedCustodyEvent(Base):
    """Custody events of other devices' chains, one chain per device
    (docs/chain-of-custody.md): ``seq`` is the event's own sequence number in
    its device's chain."""

    __tablename__ = "received_custody_events"
    __table_args__ = (Index("ix_received_custody_events_evidence_id", "evidence_id"),)

    device_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    event_hash: Mapped[str] = mapped_column(String(64), unique=True)
    evidence_id: Mapped[str] = mapped_column(String(36))
    signed: Mapped[bytes] = mapped_column(LargeBinary)
    signature: Mapped[bytes] = mapped_column(LargeBinary)


# -- vault keys and enrolment tokens (migration 0010) --------------------------------


class VaultKey(Base):
    """A key the vault holds besides its device key (db/vault_keys.py): its
    age identity and, in a coordinator's vault, the organisation's signing
    key; sealed with the device-keys subkey, ``public`` in the clear."""

    __tablename__ = "vault_keys"
    __table_args__ = (
        CheckConstraint("purpose IN ('age-identity', 'org-signing-key')", name="known_purpose"),
    )

    purpose: Mapped[str] = mapped_column(String(32), primary_key=True)
    public: Mapped[str] = mapped_column(Text)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_ms: Mapped[int] = mapped_column(Integer)


class EnrolmentToken(Base):
    """An enrolment token this coordinator issued; ``used_by`` is the device
    that used it (a token is good once)."""

    __tablename__ = "enrolment_tokens"

    token_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    issued_ms: Mapped[int] = mapped_column(Integer)
    expires_ms: Mapped[int] = mapped_column(Integer)
    used_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    used_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)


# -- automatic sync through the server (migration 0012) -------------------------------


class SyncDelivery(Base):
    """A bundle of this device on its way to the organisation's server
    (sync/client/push.py): the tus upload it is resuming (``upload_url``),
    then the server's signed receipt (JSON, as received) once delivered."""

    __tablename__ = "sync_deliveries"

    bundle_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    upload_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    receipt: Mapped[str | None] = mapped_column(Text, nullable=True)
    receipt_index: Mapped[int | None] = mapped_column(Integer, nullable=True)
    delivered_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)


class SyncClientValue(Base):
    """What the sync client remembers between runs, by name: the server's
    receipt key first seen over the pinned connection, a coordinator's
    changes-feed cursor and the last receipt of the log it checked."""

    __tablename__ = "sync_client_values"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# -- purge after delivery (migration 0013) -------------------------------------------


class PurgedBlob(Base):
    """An evidence file whose bytes this device delivered to the
    organisation's server (``bundle_id``, proven by the server's signed
    receipt ``receipt_index`` whose entry hashes to ``receipt_sha256``) and
    removed from blobs/ as the organisation's policy asks (db/purge.py). The
    ``blobs`` row stays: SHA-256 and size are still the item's."""

    __tablename__ = "purged_blobs"

    blob_id: Mapped[str] = mapped_column(ForeignKey("blobs.blob_id"), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    bundle_id: Mapped[str] = mapped_column(String(64))
    receipt_index: Mapped[int] = mapped_column(Integer)
    receipt_sha256: Mapped[str] = mapped_column(String(64))
    purged_ms: Mapped[int] = mapped_column(Integer)


# -- sending back to field workers (migration 0014) ----------------------------------


class RelayedRevision(Base):
    """A revision a coordinator sent back to the field worker ``device_id``
    in bundle ``bundle_id`` (sync/bundle/send_back.py): the next bundle to
    that worker leaves it out, and its entity counts as one the worker holds."""

    __tablename__ = "relayed_revisions"
    __table_args__ = (Index("ix_relayed_revisions_device_entity", "device_id", "entity_id"),)

    device_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    revision_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(36))
    bundle_id: Mapped[str] = mapped_column(String(64))
    sent_ms: Mapped[int] = mapped_column(Integer)


# -- revisions left out of other desks' bundles (migration 0019) ----------------------


class WithheldRevision(Base):
    """A revision this vault left out, not holding it (db/sync_import.py,
    db/withheld.py, docs/bundle-format.md §5 step 11): carried by another
    coordinator's bundle and signed by ``device_id``, a device the
    organisation revoked, or naming a left-out revision as parent; or read,
    signature-checked, from a bundle refused because its maker, that
    revoked device, made it. Never stored here, so a later import leaves out
    its children too, and bytes only its record (``entity_id``, no evidence
    item here) names are not stored."""

    __tablename__ = "withheld_revisions"
    __table_args__ = (
        Index("ix_withheld_revisions_entity_id", "entity_id"),
        Index("ix_withheld_revisions_learned_device", "learned", "device_id"),
    )

    revision_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(36))
    device_id: Mapped[str] = mapped_column(String(32))  # its signer
    withheld_ms: Mapped[int] = mapped_column(Integer)
    # How it was learned (migration 0021): "left-out" by an import, or
    # "refused-bundle", read from the refused bundle ``bundle_id`` of its
    # revoked signer (whose record ids are the signer's choice: db/withheld.py).
    learned: Mapped[str] = mapped_column(String(16), server_default="left-out")
    bundle_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # For a parked evidence revision left out (migration 0022): the file it
    # named, whose bytes stay stored with their key (verify notes them).
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)


class RefusedBundleRead(Base):
    """A bundle refused because its maker ``device_id`` is revoked, read to
    keep the ids of the revisions it signed (db/withheld.py, migration
    0021): ``kept`` ids kept, ``not_kept`` not (the maker reached the cap).
    Listed, it is not read again."""

    __tablename__ = "refused_bundle_reads"
    __table_args__ = (Index("ix_refused_bundle_reads_device_id", "device_id"),)

    bundle_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(32))
    kept: Mapped[int] = mapped_column(Integer)
    not_kept: Mapped[int] = mapped_column(Integer)
    read_ms: Mapped[int] = mapped_column(Integer)


# -- revisions waiting for their parents (migration 0020) -----------------------------


class ParkedRevision(Base):
    """An authorised revision an import parked instead of storing it without
    its parents (db/parked.py, docs/sync.md §2.3): in a desk's bundle read
    while the newest profile revokes a device, its parents were neither held
    here nor left out. Not in ``revisions`` (no head, no search, no export);
    stored when its parents are, left out when one of them is.
    ``bundle_id``: the bundle it came with (NULL only inside that import).
    ``sha256``/``size``: the evidence file it names, if it is an evidence
    item's (bytes arriving for it are stored and attached when it is)."""

    __tablename__ = "parked_revisions"
    __table_args__ = (
        Index("ix_parked_revisions_entity_id", "entity_id"),
        Index("ix_parked_revisions_bundle_id", "bundle_id"),  # migration 0022
        Index("ix_parked_revisions_device_id", "device_id"),  # migration 0022
    )

    revision_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(36))
    device_id: Mapped[str] = mapped_column(String(32))  # its signer
    signed: Mapped[bytes] = mapped_column(LargeBinary)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    bundle_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    parked_ms: Mapped[int] = mapped_column(Integer)


class ParkedRevisionParent(Base):
    """A parent a parked revision names (its signed parents, one row each)."""

    __tablename__ = "parked_revision_parents"
    __table_args__ = (Index("ix_parked_revision_parents_parent_id", "parent_id"),)

    revision_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    parent_id: Mapped[str] = mapped_column(String(64), primary_key=True)


# -- a coordinator's decisions about parked revisions and kept files (migration 0023) --


class CoordinatorDecision(Base):
    """A decision a coordinator took by hand (db/parked_set_aside.py): parked
    revisions set aside (``set-aside``), the files only left-out
    revisions name moved to quarantine/ (``quarantine-left-out-files``),
    or such files put back (``restore-quarantined-files``).
    When, the user label at the keyboard, and what it was about by ids
    only (``subjects``: JSON)."""

    __tablename__ = "coordinator_decisions"
    __table_args__ = (
        CheckConstraint(
            "action IN ('set-aside', 'quarantine-left-out-files', 'restore-quarantined-files')",
            name="known_action",
        ),
    )

    decision_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    action: Mapped[str] = mapped_column(String(32))
    decided_ms: Mapped[int] = mapped_column(Integer)
    user_label: Mapped[str] = mapped_column(Text)
    subjects: Mapped[str] = mapped_column(Text)


# -- what a hand-over's maker decided about revisions it kept out (migration 0025) ----


class MakerDecision(Base):
    """A revision another coordinator desk kept out (left out, set aside,
    past its parked cap), as its history hand-over to this desk said
    (docs/bundle-format.md §10 ``decisions``, db/maker_decisions.py): the
    maker's word, shown and binding nothing here. Ids and times only."""

    __tablename__ = "maker_decisions"

    revision_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    maker_id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the desk that decided
    signer_id: Mapped[str] = mapped_column(String(32))  # the revision's signer
    reason: Mapped[str] = mapped_column(String(16))  # the maker's withheld_revisions.learned
    decided_ms: Mapped[int] = mapped_column(Integer)  # by the maker's clock
    bundle_id: Mapped[str] = mapped_column(String(64))  # the hand-over that carried it
    recorded_ms: Mapped[int] = mapped_column(Integer)


class QuarantinedFileKey(Base):
    """What reading a file a coordinator moved to quarantine/ needs (its
    ``blobs`` row as it was: the wrapped key, SHA-256, size, first stored),
    kept in the encrypted database under the decision that moved it
    (migration 0024), until ``restore_quarantined_files`` makes it a
    ``blobs`` row again or ``quarantine purge`` deletes the file."""

    __tablename__ = "quarantined_file_keys"

    blob_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("coordinator_decisions.decision_id"), index=True)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    created_ms: Mapped[int] = mapped_column(Integer)


# -- the workers' signed manifests, and what a hand-over's check found (migration 0026) ----


class WorkerManifest(Base):
    """The worker-signed inner manifest of a field device's bundle this desk
    counts as received, as it was signed (canonical bytes, 64-byte Ed25519
    signature; docs/bundle-format.md §4, §10 "Completeness against the
    workers' signatures", db/worker_manifests.py). ``source``: the desk whose
    hand-over carried it; NULL when read here from the worker's own bundle."""

    __tablename__ = "worker_manifests"

    bundle_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(32))
    sequence: Mapped[int] = mapped_column(Integer)
    manifest: Mapped[bytes] = mapped_column(LargeBinary)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    source: Mapped[str | None] = mapped_column(String(32), nullable=True)
    recorded_ms: Mapped[int] = mapped_column(Integer)


class HandOverUnaccounted(Base):
    """What a hand-over's import found against the workers' manifests it
    carried (db/worker_manifests.py): a revision id a verified manifest names
    that the hand-over did not bring and nothing here explained
    (``missing``), an evidence file it names (``sha256``, for the item
    ``evidence_id``) that the hand-over did not bring and this vault does
    not store (``missing-file``, ``revision_id`` ''; migration 0030), a
    carried manifest that did not verify with the worker's key
    (``unverifiable``, ``revision_id`` ''), or a field device's entry that
    came without one, none kept here (``unchecked``, ``revision_id`` '').
    ``sha256`` and ``evidence_id`` are '' but for ``missing-file``. Listed,
    never acted on."""

    __tablename__ = "hand_over_unaccounted"
    __table_args__ = (
        CheckConstraint(
            "problem IN ('missing', 'unverifiable', 'unchecked', 'missing-file')", name="known_problem"
        ),
    )

    maker_id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the desk that handed over
    bundle_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the worker's bundle
    revision_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # '' for unverifiable, unchecked
    device_id: Mapped[str] = mapped_column(String(32))  # the worker
    sequence: Mapped[int] = mapped_column(Integer)
    problem: Mapped[str] = mapped_column(String(16))
    hand_over_id: Mapped[str] = mapped_column(String(64))  # the hand-over (its last part) that carried it
    recorded_ms: Mapped[int] = mapped_column(Integer)
    # A missing-file's file and item (migration 0030); '' on every other row.
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True, server_default="")
    evidence_id: Mapped[str] = mapped_column(String(36), primary_key=True, server_default="")


# -- a coordinator's re-reads of bundles received before (migration 0028) ---------------


class BundleReread(Base):
    """One ``bundle import --reread`` that ended in a stored unit
    (sync/bundle/reread.py, db/rereads.py): which bundle, when, the user
    label at the keyboard, and what it brought here, by ids only
    (``applied``: the bundle's revisions it stored; ``unparked``: revisions
    parked before that it let be stored; ``evidence``: the items whose files
    it stored; JSON lists). The evidence items' ``transfer`` events say
    ``"reread": true`` too; this row is what tells a testimony, a person or
    an incident that came by a re-read from one that came another way
    (review 21 R4). Never signed: the vault's own account, not evidence."""

    __tablename__ = "bundle_rereads"

    reread_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bundle_id: Mapped[str] = mapped_column(String(64), index=True)
    device_id: Mapped[str] = mapped_column(String(32))  # the bundle's sender
    sequence: Mapped[int] = mapped_column(Integer)
    reread_ms: Mapped[int] = mapped_column(Integer)
    user_label: Mapped[str] = mapped_column(Text)
    applied: Mapped[str] = mapped_column(Text)
    unparked: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text)
