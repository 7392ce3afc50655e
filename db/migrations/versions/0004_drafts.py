"""Drafts: editor autosave inside the encrypted database.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("draft_key", sa.String(80), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("draft_key", name=op.f("pk_drafts")),
    )


def downgrade() -> None:
    op.drop_table("drafts")
