"""The server's metadata tables (docs/server.md, "Storage").

SQLAlchemy Core only, with portable types: the same tables and migrations
run on SQLite (one machine) and PostgreSQL (several server processes).
What is here is public by design: device ids and keys, bundle ids, sizes,
sequence numbers, times. Never a payload byte, a name or an address.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
)

# Stable constraint names, so migrations can refer to them (STYLE.md).
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# The one organisation this server serves: pinned by fingerprint at --init;
# its key, id and newest profile come with the first profile that matches.
org = Table(
    "org",
    metadata,
    Column("slot", Integer, primary_key=True, autoincrement=False),  # always 1
    Column("fingerprint", String(39), nullable=False),
    Column("org_id", String(36)),
    Column("org_key", LargeBinary(32)),
    Column("version", BigInteger),
    Column("profile", LargeBinary),
    Column("updated_ms", BigInteger, nullable=False),
)

devices = Table(
    "devices",
    metadata,
    Column("device_id", String(32), primary_key=True),
    Column("device_key", LargeBinary(32), nullable=False),
    Column("token_id", String(32), nullable=False),
    Column("enrolled_ms", BigInteger, nullable=False),
)

# Enrolment tokens are one use: the primary key makes a second use fail in
# the database itself, whichever server process sees it.
used_tokens = Table(
    "used_tokens",
    metadata,
    Column("token_id", String(32), primary_key=True),
    Column("device_id", String(32), nullable=False),
    Column("used_ms", BigInteger, nullable=False),
    Column("expires_ms", BigInteger, nullable=False),
)

challenges = Table(
    "challenges",
    metadata,
    Column("challenge", String(64), primary_key=True),
    Column("device_id", String(32), nullable=False),
    Column("expires_ms", BigInteger, nullable=False),
)

# Short-lived access tokens; only their SHA-256 is stored.
sessions = Table(
    "sessions",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("device_id", String(32), nullable=False),
    Column("expires_ms", BigInteger, nullable=False),
)

uploads = Table(
    "uploads",
    metadata,
    Column("upload_id", String(32), primary_key=True),
    Column("device_id", String(32), nullable=False),
    Column("length", BigInteger, nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Column("expires_ms", BigInteger, nullable=False),
    # receiving -> done (a bundle row took it over) | refused
    Column("state", String(16), nullable=False),
    Column("bundle_id", String(64)),
    # A coordinator's relay statement given at creation (relay_statement.py,
    # migration 0006): checked on the last byte against the bundle and the
    # coordinator's key in the newest profile, and set to NULL when the
    # upload ends, done or refused (migration 0007). NULL: none given.
    Column("relay_signature", LargeBinary(64)),
)

bundles = Table(
    "bundles",
    metadata,
    Column("bundle_id", String(64), primary_key=True),
    Column("device_id", String(32), nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("previous", String(64)),
    Column("profile_version", BigInteger, nullable=False),
    Column("payload_sha256", String(64), nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("bundle_key", String(32), nullable=False, unique=True),
    Column("upload_id", String(32), nullable=False),
    # staged: claimed, bytes still in the upload; committed: stored and receipted
    Column("state", String(16), nullable=False),
    Column("received_ms", BigInteger, nullable=False),
    Column("receipt_index", BigInteger, unique=True),
    # A bundle a coordinator relayed (another device's, by USB): that
    # coordinator's device id (migration 0006), so who put it into the feed
    # stays on record. NULL: its maker sent it. Its checked relay statement
    # is not kept (migration 0007, server.md §6).
    Column("relayed_by", String(32)),
    UniqueConstraint("device_id", "sequence", name="uq_bundles_device_sequence"),
)

# The append-only receipt log: entry n names the hash of entry n-1.
receipts = Table(
    "receipts",
    metadata,
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("bundle_id", String(64), nullable=False, unique=True),
    Column("entry", LargeBinary, nullable=False),
    Column("entry_sha256", String(64), nullable=False),
    Column("signature", LargeBinary(64), nullable=False),
)

acks = Table(
    "acks",
    metadata,
    Column("bundle_id", String(64), nullable=False),
    Column("coordinator_id", String(32), nullable=False),
    Column("acked_ms", BigInteger, nullable=False),
    # The coordinator's signed acknowledgement file (sync/acks.py), opaque
    # here, relayed to the bundle's device (migration 0002); NULL: none given.
    Column("signed", LargeBinary, nullable=True),
    PrimaryKeyConstraint("bundle_id", "coordinator_id"),
)

# RFC 3161 tokens over checkpoints of the receipt log (log_stamping.py,
# migration 0003): one per log size, kept in the database so every server
# process sees the same tokens; <data>/timestamps keeps a file copy.
log_timestamps = Table(
    "log_timestamps",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("head", String(64), nullable=False),
    Column("checkpoint", LargeBinary, nullable=False),
    Column("token", LargeBinary, nullable=False),
    Column("serial", String(40), nullable=False),
    Column("gen_time_ms", BigInteger, nullable=False),
)

# Requests per device per one-minute window (service.SharedRateLimit,
# migration 0004): server processes sharing one database count together,
# so a device cannot multiply its allowance by the number of processes.
rate_counts = Table(
    "rate_counts",
    metadata,
    Column("device_id", String(32), nullable=False),
    Column("window_ms", BigInteger, nullable=False),
    Column("count", Integer, nullable=False),
    PrimaryKeyConstraint("device_id", "window_ms"),
)

# Field workers' inboxes (docs/sync.md §9, migration 0005): a coordinator's
# bundle whose signed header names an addressee (docs/bundle-format.md §2.2)
# is filed here for that device, in the transaction that claims it, so it is
# never in the coordinators' changes feed; only the addressee lists,
# downloads and acknowledges it (``taken_ms``: when it said it imported it).
inbox = Table(
    "inbox",
    metadata,
    Column("bundle_id", String(64), primary_key=True),
    Column("addressee", String(32), nullable=False, index=True),
    Column("taken_ms", BigInteger),
)
