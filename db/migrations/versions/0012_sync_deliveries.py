"""Automatic sync through the server (issue 13): each bundle's delivery (the
tus upload being resumed, then the server's signed receipt) and the sync
client's remembered values (the server's receipt key, a coordinator's
changes cursor and last checked receipt) (docs/vault-format.md, "Sync state").

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_deliveries",
        sa.Column("bundle_id", sa.String(length=64), nullable=False),
        sa.Column("upload_url", sa.Text(), nullable=True),
        sa.Column("receipt", sa.Text(), nullable=True),
        sa.Column("receipt_index", sa.Integer(), nullable=True),
        sa.Column("delivered_ms", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("bundle_id", name=op.f("pk_sync_deliveries")),
    )
    op.create_table(
        "sync_client_values",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sync_client_values")),
    )


def downgrade() -> None:
    op.drop_table("sync_client_values")
    op.drop_table("sync_deliveries")
