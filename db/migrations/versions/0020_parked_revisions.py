"""Revisions a coordinator's vault parks until their parents arrive (issue
14; docs/sync.md §2.3, docs/vault-format.md "Parked revisions"): an import
that may leave parents out (a desk's bundle read while the newest profile
revokes a device) keeps an authorised revision whose parents are neither
held nor left out in ``parked_revisions`` (its signed bytes and signature,
the record, the signer, the bundle it came with, the evidence file it
names) and its parent links in ``parked_revision_parents``, instead of
storing it without them, which ``verify`` would name for good. A later
import that stores its parents stores it (verified again); one that leaves
a parent out, or a refused revoked device's bundle whose revisions are kept
as left out, leaves it out too. Before, it was stored at once, and which of
the two happened depended on the order of the imports.

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "parked_revisions",
        sa.Column("revision_id", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("signed", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("bundle_id", sa.String(length=64), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("parked_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("revision_id", name=op.f("pk_parked_revisions")),
    )
    op.create_index("ix_parked_revisions_entity_id", "parked_revisions", ["entity_id"])
    op.create_table(
        "parked_revision_parents",
        sa.Column("revision_id", sa.String(length=64), nullable=False),
        sa.Column("parent_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("revision_id", "parent_id", name=op.f("pk_parked_revision_parents")),
    )
    op.create_index("ix_parked_revision_parents_parent_id", "parked_revision_parents", ["parent_id"])


def downgrade() -> None:
    op.drop_index("ix_parked_revision_parents_parent_id", table_name="parked_revision_parents")
    op.drop_table("parked_revision_parents")
    op.drop_index("ix_parked_revisions_entity_id", table_name="parked_revisions")
    op.drop_table("parked_revisions")
