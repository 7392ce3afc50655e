"""What a coordinator's re-root supersedes (review 11 F2; docs/sync.md §2.3
"Re-rooting a frozen record", docs/vault-format.md).

``revision_supersedes``: for each stored re-root (a revision of format
version 2, db/reroot.py), one row per revision id its signed ``reroot``
member names in ``supersedes``; derived from the signed bytes, as
``revision_parents`` is from ``parents``. The heads rule reads it: a
revision a re-root of the same record supersedes is no head. No vault holds
a re-root before this migration, so nothing is filled in.

Revision ID: 0027
Revises: 0026
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "revision_supersedes",
        sa.Column("revision_id", sa.String(length=64), nullable=False),
        sa.Column("superseded_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["revisions.revision_id"],
            name=op.f("fk_revision_supersedes_revision_id_revisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("revision_id", "superseded_id", name=op.f("pk_revision_supersedes")),
    )
    op.create_index(
        op.f("ix_revision_supersedes_superseded_id"), "revision_supersedes", ["superseded_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_revision_supersedes_superseded_id"), table_name="revision_supersedes")
    op.drop_table("revision_supersedes")
