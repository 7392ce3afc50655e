"""A local sequence on stored revisions: the order this vault stored them in,
which sync reads by cursor (``RevisionService.since``). Existing revisions
take their rowid, which is their storing order (the app never vacuums); from
now on the number is fixed when a revision is stored: one more than the
largest so far. Numbers may have gaps; they only ever grow.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("revisions", sa.Column("local_seq", sa.Integer(), nullable=True))
    op.execute("UPDATE revisions SET local_seq = rowid")
    op.create_index("ix_revisions_local_seq", "revisions", ["local_seq"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_revisions_local_seq", table_name="revisions")
    op.drop_column("revisions", "local_seq")
