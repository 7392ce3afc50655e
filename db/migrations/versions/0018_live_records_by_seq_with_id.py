"""Add ``entity_id`` to ``ix_entities_live_by_seq`` (migration 0017).

The review's device filter (db/review.py, issue 14) keeps the records whose
first revision a device signed: a set of entity ids. Checked on 0017's
index, each entry needed its table row for the id; mapped to seqs first,
it cost one look-up in the entity id index per record the device made
(5.4 s for a device that made 1,000,000 testimonies). With the id in the
index, a page walks it newest first and checks each entry's id against the
set without reading the table, and stops at the page's end.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_entities_live_by_seq", table_name="entities")
    op.create_index("ix_entities_live_by_seq", "entities", ["entity_type", "deleted", "seq", "entity_id"])


def downgrade() -> None:
    op.drop_index("ix_entities_live_by_seq", table_name="entities")
    op.create_index("ix_entities_live_by_seq", "entities", ["entity_type", "deleted", "seq"])
