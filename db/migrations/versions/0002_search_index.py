"""Full-text search: an FTS5 index of normalised word forms, filled from the
entities already in the vault.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Imported here: the term rules are the application's, and an index built
    # with other rules would not match its queries.
    from db.entities import RECORD_TYPES
    from db.search_terms import index_text

    op.execute(
        "CREATE VIRTUAL TABLE search_index USING fts5("
        "entity_id UNINDEXED, entity_type UNINDEXED, terms, "
        "tokenize = 'unicode61 remove_diacritics 0')"
    )
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT seq, entity_id, entity_type, body FROM entities WHERE deleted = 0"))
    for seq, entity_id, entity_type, body in rows.all():
        record = RECORD_TYPES[entity_type].from_body(json.loads(body))
        bind.execute(
            sa.text(
                "INSERT INTO search_index (rowid, entity_id, entity_type, terms) "
                "VALUES (:seq, :entity_id, :entity_type, :terms)"
            ),
            {
                "seq": seq,
                "entity_id": entity_id,
                "entity_type": entity_type,
                "terms": index_text(record.search_text()),
            },
        )


def downgrade() -> None:
    op.execute("DROP TABLE search_index")
