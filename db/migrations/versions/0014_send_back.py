"""What a coordinator sends back to field workers (issue 14; docs/merge.md,
"Sending back to the field"): ``known_devices.vouched_by`` (a worker's
vault: the coordinator whose bundle vouched for a device it relays
revisions of) and ``relayed_revisions`` (a coordinator's vault: each
revision sent back to each worker, so that the next bundle to that worker
holds only what it lacks, and the records it holds are known).

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("known_devices") as batch:
        batch.add_column(sa.Column("vouched_by", sa.String(length=32), nullable=True))
    op.create_table(
        "relayed_revisions",
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("revision_id", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("bundle_id", sa.String(length=64), nullable=False),
        sa.Column("sent_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "revision_id", name=op.f("pk_relayed_revisions")),
    )
    op.create_index("ix_relayed_revisions_device_entity", "relayed_revisions", ["device_id", "entity_id"])


def downgrade() -> None:
    op.drop_index("ix_relayed_revisions_device_entity", table_name="relayed_revisions")
    op.drop_table("relayed_revisions")
    with op.batch_alter_table("known_devices") as batch:
        batch.drop_column("vouched_by")
