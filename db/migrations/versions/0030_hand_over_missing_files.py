"""A history hand-over that carried an evidence item's record but not its
file (review 21 "Bytes-only drop"; docs/bundle-format.md §10 "Completeness
against the workers' signatures"): ``hand_over_unaccounted.problem`` may be
``missing-file``, with the file's ``sha256`` and the ``evidence_id`` of the
item the worker's signed manifest names it for.

Before, the check read only the manifest's ``revisions``: a maker that
carried the photo's revision and dropped its bytes left nothing listed, and
only ``verify`` named the item ("has no stored file").

Upgrade: two columns (``''`` on every row so far: a revision's finding or
a bundle's), the primary key takes them (one file of one bundle, by
maker), and the check allows ``missing-file``. Downgrade: the
``missing-file`` rows are deleted (the code before this migration neither
records nor reads them; a re-check is a re-import of the hand-over), and
the table goes back to its columns.

Revision ID: 0030
Revises: 0029
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

_TABLE = "hand_over_unaccounted"
_CHECK = "ck_hand_over_unaccounted_known_problem"
_PK = "pk_hand_over_unaccounted"


def upgrade() -> None:
    # SQLite cannot alter a CHECK constraint or a primary key: the table is copied (batch mode).
    with op.batch_alter_table(_TABLE, recreate="always") as batch:
        batch.add_column(sa.Column("sha256", sa.String(length=64), nullable=False, server_default=""))
        batch.add_column(sa.Column("evidence_id", sa.String(length=36), nullable=False, server_default=""))
        batch.drop_constraint(op.f(_PK), type_="primary")
        batch.create_primary_key(op.f(_PK), ["maker_id", "bundle_id", "revision_id", "sha256", "evidence_id"])
        batch.drop_constraint(op.f(_CHECK), type_="check")
        batch.create_check_constraint(
            op.f(_CHECK), "problem IN ('missing', 'unverifiable', 'unchecked', 'missing-file')"
        )


def downgrade() -> None:
    op.execute("DELETE FROM hand_over_unaccounted WHERE problem = 'missing-file'")
    with op.batch_alter_table(_TABLE, recreate="always") as batch:
        batch.drop_constraint(op.f(_CHECK), type_="check")
        batch.create_check_constraint(op.f(_CHECK), "problem IN ('missing', 'unverifiable', 'unchecked')")
        batch.drop_constraint(op.f(_PK), type_="primary")
        batch.create_primary_key(op.f(_PK), ["maker_id", "bundle_id", "revision_id"])
        batch.drop_column("evidence_id")
        batch.drop_column("sha256")
