"""Field workers' inboxes: a coordinator's send-back bundle addressed to one
device (the bundle header's ``addressee``) is filed for that device and kept
out of the coordinators' changes feed (docs/sync.md §9).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("bundle_id", sa.String(64), nullable=False),
        sa.Column("addressee", sa.String(32), nullable=False),
        sa.Column("taken_ms", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("bundle_id", name=op.f("pk_inbox")),
    )
    op.create_index(op.f("ix_inbox_addressee"), "inbox", ["addressee"])


def downgrade() -> None:
    op.drop_index(op.f("ix_inbox_addressee"), table_name="inbox")
    op.drop_table("inbox")
