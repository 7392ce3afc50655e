"""Purge after delivery (issue 13): evidence files whose bytes this device
delivered to the organisation's server, proven by a signed receipt, and
removed from the vault because the organisation's policy asks
(docs/vault-format.md, "Purged evidence files"; docs/sync.md).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "purged_blobs",
        sa.Column("blob_id", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("bundle_id", sa.String(length=64), nullable=False),
        sa.Column("receipt_index", sa.Integer(), nullable=False),
        sa.Column("receipt_sha256", sa.String(length=64), nullable=False),
        sa.Column("purged_ms", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["blob_id"], ["blobs.blob_id"], name=op.f("fk_purged_blobs_blob_id_blobs")),
        sa.PrimaryKeyConstraint("blob_id", name=op.f("pk_purged_blobs")),
    )


def downgrade() -> None:
    op.drop_table("purged_blobs")
