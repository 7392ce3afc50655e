"""A coordinator's re-reads are kept (issue 14, review 21 R4;
sync/bundle/reread.py, db/rereads.py, docs/vault-format.md "Sync state").

``bundle_rereads``: one row per ``bundle import --reread`` whose unit was
stored: the bundle (id, sender, number), when, the user label at the
keyboard, and by ids only what it brought here (the bundle's revisions it
stored, the parked revisions it let be stored, the evidence items whose
files it stored). Before, only the evidence items' ``transfer`` events said
that a re-read happened, so a testimony, a person or an incident a re-read
brought could not be told from one a hand-over brought. Re-reads made
before this migration left no row.

Revision ID: 0028
Revises: 0027
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bundle_rereads",
        sa.Column("reread_id", sa.Integer(), nullable=False),
        sa.Column("bundle_id", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("reread_ms", sa.Integer(), nullable=False),
        sa.Column("user_label", sa.Text(), nullable=False),
        sa.Column("applied", sa.Text(), nullable=False),
        sa.Column("unparked", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("reread_id", name=op.f("pk_bundle_rereads")),
    )
    op.create_index(op.f("ix_bundle_rereads_bundle_id"), "bundle_rereads", ["bundle_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_bundle_rereads_bundle_id"), table_name="bundle_rereads")
    op.drop_table("bundle_rereads")
