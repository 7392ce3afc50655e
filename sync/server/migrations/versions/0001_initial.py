"""The server's first schema: org, devices, tokens, challenges, sessions,
uploads, bundles, receipts, acks (sync/server/schema.py).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "org",
        sa.Column("slot", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("fingerprint", sa.String(39), nullable=False),
        sa.Column("org_id", sa.String(36)),
        sa.Column("org_key", sa.LargeBinary(32)),
        sa.Column("version", sa.BigInteger()),
        sa.Column("profile", sa.LargeBinary()),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("slot", name=op.f("pk_org")),
    )
    op.create_table(
        "devices",
        sa.Column("device_id", sa.String(32), nullable=False),
        sa.Column("device_key", sa.LargeBinary(32), nullable=False),
        sa.Column("token_id", sa.String(32), nullable=False),
        sa.Column("enrolled_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_devices")),
    )
    op.create_table(
        "used_tokens",
        sa.Column("token_id", sa.String(32), nullable=False),
        sa.Column("device_id", sa.String(32), nullable=False),
        sa.Column("used_ms", sa.BigInteger(), nullable=False),
        sa.Column("expires_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("token_id", name=op.f("pk_used_tokens")),
    )
    op.create_table(
        "challenges",
        sa.Column("challenge", sa.String(64), nullable=False),
        sa.Column("device_id", sa.String(32), nullable=False),
        sa.Column("expires_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("challenge", name=op.f("pk_challenges")),
    )
    op.create_table(
        "sessions",
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("device_id", sa.String(32), nullable=False),
        sa.Column("expires_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("token_sha256", name=op.f("pk_sessions")),
    )
    op.create_table(
        "uploads",
        sa.Column("upload_id", sa.String(32), nullable=False),
        sa.Column("device_id", sa.String(32), nullable=False),
        sa.Column("length", sa.BigInteger(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("expires_ms", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("bundle_id", sa.String(64)),
        sa.PrimaryKeyConstraint("upload_id", name=op.f("pk_uploads")),
    )
    op.create_table(
        "bundles",
        sa.Column("bundle_id", sa.String(64), nullable=False),
        sa.Column("device_id", sa.String(32), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("previous", sa.String(64)),
        sa.Column("profile_version", sa.BigInteger(), nullable=False),
        sa.Column("payload_sha256", sa.String(64), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("bundle_key", sa.String(32), nullable=False),
        sa.Column("upload_id", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("received_ms", sa.BigInteger(), nullable=False),
        sa.Column("receipt_index", sa.BigInteger()),
        sa.PrimaryKeyConstraint("bundle_id", name=op.f("pk_bundles")),
        sa.UniqueConstraint("bundle_key", name=op.f("uq_bundles_bundle_key")),
        sa.UniqueConstraint("receipt_index", name=op.f("uq_bundles_receipt_index")),
        sa.UniqueConstraint("device_id", "sequence", name="uq_bundles_device_sequence"),
    )
    op.create_table(
        "receipts",
        sa.Column("idx", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("bundle_id", sa.String(64), nullable=False),
        sa.Column("entry", sa.LargeBinary(), nullable=False),
        sa.Column("entry_sha256", sa.String(64), nullable=False),
        sa.Column("signature", sa.LargeBinary(64), nullable=False),
        sa.PrimaryKeyConstraint("idx", name=op.f("pk_receipts")),
        sa.UniqueConstraint("bundle_id", name=op.f("uq_receipts_bundle_id")),
    )
    op.create_table(
        "acks",
        sa.Column("bundle_id", sa.String(64), nullable=False),
        sa.Column("coordinator_id", sa.String(32), nullable=False),
        sa.Column("acked_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("bundle_id", "coordinator_id", name=op.f("pk_acks")),
    )


def downgrade() -> None:
    for table in (
        "acks",
        "receipts",
        "bundles",
        "uploads",
        "sessions",
        "challenges",
        "used_tokens",
        "devices",
        "org",
    ):
        op.drop_table(table)
