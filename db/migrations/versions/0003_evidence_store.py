"""The evidence store: blobs, which blob holds each item, and the custody log.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blobs",
        sa.Column("blob_id", sa.String(32), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("blob_id", name=op.f("pk_blobs")),
    )
    op.create_index("ix_blobs_sha256", "blobs", ["sha256"])
    op.create_table(
        "evidence_blobs",
        sa.Column("evidence_id", sa.String(36), nullable=False),
        sa.Column("blob_id", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(["blob_id"], ["blobs.blob_id"], name=op.f("fk_evidence_blobs_blob_id_blobs")),
        sa.PrimaryKeyConstraint("evidence_id", name=op.f("pk_evidence_blobs")),
    )
    op.create_index("ix_evidence_blobs_blob_id", "evidence_blobs", ["blob_id"])
    op.create_table(
        "custody_events",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event_hash", sa.String(64), nullable=False),
        sa.Column("evidence_id", sa.String(36), nullable=False),
        sa.Column("signed", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_custody_events")),
        sa.UniqueConstraint("event_hash", name=op.f("uq_custody_events_event_hash")),
    )
    op.create_index("ix_custody_events_evidence_id", "custody_events", ["evidence_id"])


def downgrade() -> None:
    op.drop_table("custody_events")
    op.drop_table("evidence_blobs")
    op.drop_table("blobs")
