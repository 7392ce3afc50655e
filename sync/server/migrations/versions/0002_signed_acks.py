"""Signed acknowledgements relayed to workers: a coordinator may give its
signed acknowledgement file (sync/acks.py) with ``POST /v1/bundles/{id}/ack``;
the bundle's device reads it back (``GET /v1/bundles/{id}/acks``) and takes it
as from a USB stick, so that its next bundle carries only new work.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("acks") as batch:
        batch.add_column(sa.Column("signed", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("acks") as batch:
        batch.drop_column("signed")
