"""RFC 3161 tokens over checkpoints of the receipt log in the database
(log_stamping.py): several server processes behind a load balancer share
one database, so they agree on which log sizes are stamped and every one
of them can hand the tokens out (GET /v1/receipts/timestamps).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "log_timestamps",
        sa.Column("size", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("head", sa.String(64), nullable=False),
        sa.Column("checkpoint", sa.LargeBinary(), nullable=False),
        sa.Column("token", sa.LargeBinary(), nullable=False),
        sa.Column("serial", sa.String(40), nullable=False),
        sa.Column("gen_time_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("size", name=op.f("pk_log_timestamps")),
    )


def downgrade() -> None:
    op.drop_table("log_timestamps")
