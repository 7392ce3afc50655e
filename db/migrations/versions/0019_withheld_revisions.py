"""Revisions a coordinator's vault left out of other desks' bundles (issue
14; docs/bundle-format.md §5 step 11, docs/vault-format.md "Withheld
revisions"): ``withheld_revisions`` keeps the id, record and signer of each
revision an import left out (signed by a device the organisation revoked,
or naming a left-out revision as parent: a desk's edit of such a record),
so that a later bundle's edit of it is left out too (its parent never
arrives, and verify would name it) and evidence bytes only such records
name are not stored. Before, the left-out ids lived for one import only.

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "withheld_revisions",
        sa.Column("revision_id", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("withheld_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("revision_id", name=op.f("pk_withheld_revisions")),
    )
    op.create_index("ix_withheld_revisions_entity_id", "withheld_revisions", ["entity_id"])


def downgrade() -> None:
    op.drop_index("ix_withheld_revisions_entity_id", table_name="withheld_revisions")
    op.drop_table("withheld_revisions")
