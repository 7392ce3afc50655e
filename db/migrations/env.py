"""Alembic environment: always run in-process on the vault's own keyed connection."""

from __future__ import annotations

from alembic import context

from db.model import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Fieldvault migrations run only through db.migrate (they need the vault key).")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
