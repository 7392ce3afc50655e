"""Index each record type's live records in ``seq`` order, across cases.

The coordinator's review (db/review.py, issue 14) shows the newest records of
every case first: per record type ``entity_type = ? AND deleted = 0`` ordered
by ``seq`` descending, with a LIMIT. ``ix_entities_live_in_case`` gives that
order only within one case, so without a case filter SQLite read every live
record of the type through it and sorted all their seqs for each page: 561 ms
at 1,000,000 testimonies. This index gives the order itself, so a page reads
its 51 entries (and the next page starts at the cursor's seq).

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_entities_live_by_seq", "entities", ["entity_type", "deleted", "seq"])


def downgrade() -> None:
    op.drop_index("ix_entities_live_by_seq", table_name="entities")
