"""Relay statements are checked, not kept (review 9 F7, docs/server.md §6).
A coordinator's signed relay statement is third-party-verifiable proof that
a worker's bundle passed through that desk by hand; a breached server must
not hold it. The stored bundle keeps only who relayed it (``relayed_by``,
the server's own record): ``bundles.relay_signature`` is dropped, and an
upload's statement is kept only while it receives (``uploads.relay_signature``
set to NULL on every upload that ended, done or refused).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Emptied first, then dropped: on SQLite the batch copy leaves the old
    # table's pages free, not overwritten (server.md §6 says what lingers).
    op.execute(sa.text("UPDATE bundles SET relay_signature = NULL"))
    op.execute(sa.text("UPDATE uploads SET relay_signature = NULL WHERE state <> 'receiving'"))
    with op.batch_alter_table("bundles") as batch:
        batch.drop_column("relay_signature")


def downgrade() -> None:
    # The statements are gone; the column comes back empty.
    with op.batch_alter_table("bundles") as batch:
        batch.add_column(sa.Column("relay_signature", sa.LargeBinary(64), nullable=True))
