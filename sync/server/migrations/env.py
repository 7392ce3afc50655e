"""Alembic environment of the server (separate from the vault's): run in-process
by sync.server.storage.upgrade on the server's own connection."""

from __future__ import annotations

from alembic import context

from sync.server.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("The server's migrations run only through sync.server.storage.upgrade.")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
