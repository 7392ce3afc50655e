"""Which revision format each device reads (docs/bundle-format.md §4
``reads``; docs/sync.md §2.3 "Old readers"): ``known_devices.reads_revision``,
the value the newest bundle applied from the device declared (1 for a
bundle without the member), so that a desk signs a re-root (revision format
version 2, db/reroot.py) only once every device reads it.

Upgrade: one nullable column, NULL on every row so far (no bundle applied
since this version: not declared). Downgrade: the column is dropped (the
code before this migration neither writes nor reads it).

Revision ID: 0031
Revises: 0030
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("known_devices") as batch:
        batch.add_column(sa.Column("reads_revision", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("known_devices") as batch:
        batch.drop_column("reads_revision")
