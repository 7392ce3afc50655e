"""Pending exports: plaintext copies being written outside the vault, so
that the next unlock removes what an interrupted export left behind.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_exports",
        sa.Column("export_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.LargeBinary(), nullable=False),
        sa.Column("file_id", sa.Text(), nullable=True),
        sa.Column("created_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("export_id", name=op.f("pk_pending_exports")),
    )


def downgrade() -> None:
    op.drop_table("pending_exports")
