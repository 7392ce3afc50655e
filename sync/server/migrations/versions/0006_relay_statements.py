"""Relay statements: a coordinator relaying another device's bundle signs a
statement with its device key (sync/server/relay_statement.py). The upload
keeps it from its creation to its last byte (``uploads.relay_signature``);
the stored bundle keeps who relayed it and the checked statement
(``bundles.relayed_by``, ``bundles.relay_signature``).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("uploads") as batch:
        batch.add_column(sa.Column("relay_signature", sa.LargeBinary(64), nullable=True))
    with op.batch_alter_table("bundles") as batch:
        batch.add_column(sa.Column("relayed_by", sa.String(32), nullable=True))
        batch.add_column(sa.Column("relay_signature", sa.LargeBinary(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bundles") as batch:
        batch.drop_column("relay_signature")
        batch.drop_column("relayed_by")
    with op.batch_alter_table("uploads") as batch:
        batch.drop_column("relay_signature")
