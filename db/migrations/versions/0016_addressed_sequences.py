"""Send-back bundles and sequence gaps (issue 14; docs/merge.md, "Devices"):
a coordinator's bundles to field workers take numbers of its one bundle
sequence, which other coordinators never receive. ``sent_bundles.addressee``
(the maker's vault: the worker a bundle was addressed to, NULL for a bundle
to coordinators) lets its next bundle to coordinators declare those numbers
(the header's ``addressed``, docs/bundle-format.md §2.3);
``received_bundles.addressed`` (a receiving coordinator's vault: the
declared ranges, JSON ``[[first, last], ...]``, NULL for none) keeps them out
of the devices view's gaps, while a number nobody declared stays a gap.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sent_bundles") as batch:
        batch.add_column(sa.Column("addressee", sa.String(length=32), nullable=True))
    with op.batch_alter_table("received_bundles") as batch:
        batch.add_column(sa.Column("addressed", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("received_bundles") as batch:
        batch.drop_column("addressed")
    with op.batch_alter_table("sent_bundles") as batch:
        batch.drop_column("addressee")
