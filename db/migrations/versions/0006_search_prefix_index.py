"""Search index with prefix indexes and an indexed record type.

Rebuilds ``search_index`` with:
- ``prefix='2 3'``: FTS5 keeps the doclists of every two- and three-letter
  prefix (in characters) ready, so search as you type answers a prefix such
  as "по" from one doclist instead of merging the doclists of every term
  that starts with it (~350 ms at 100,000 testimonies before).
- ``entity_type`` indexed (it was UNINDEXED): a query filters or groups by
  type with a term of the MATCH, answered by the index, not by reading every
  match's stored row (db/services.py, "Ranking is the cost of a search").

The terms are copied from the old index as they were stored, not recomputed
(the word-form analysis of 100,000 testimonies takes minutes); FTS5 builds
the new index from them. Rowids (``entities.seq``) are kept.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_NEW = (
    "CREATE VIRTUAL TABLE {name} USING fts5("
    "entity_id UNINDEXED, entity_type, terms, "
    "prefix = '2 3', tokenize = 'unicode61 remove_diacritics 0')"
)
_OLD = (
    "CREATE VIRTUAL TABLE {name} USING fts5("
    "entity_id UNINDEXED, entity_type UNINDEXED, terms, "
    "tokenize = 'unicode61 remove_diacritics 0')"
)


def _rebuild(schema: str) -> None:
    op.execute(schema.format(name="search_index_rebuilt"))
    op.execute(
        "INSERT INTO search_index_rebuilt (rowid, entity_id, entity_type, terms) "
        "SELECT rowid, entity_id, entity_type, terms FROM search_index ORDER BY rowid"
    )
    op.execute("DROP TABLE search_index")
    op.execute("ALTER TABLE search_index_rebuilt RENAME TO search_index")


def upgrade() -> None:
    _rebuild(_NEW)


def downgrade() -> None:
    _rebuild(_OLD)
