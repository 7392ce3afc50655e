"""Files a coordinator moved to quarantine keep their keys (issue 14;
db/parked_set_aside.py, docs/vault-format.md "Sync state").

Before, ``fieldvault devices parked --quarantine-left-out-files`` deleted
each file's ``blobs`` row, the file's only wrapped key, and then moved the
file to quarantine/: ciphertext nobody could read again, destruction rather
than quarantine. ``quarantined_file_keys`` keeps, inside the encrypted
database, what reading such a file again needs (its wrapped key, SHA-256,
size and first time stored) under the decision that moved it, until
``--restore-files`` puts it back (the ``blobs`` row again) or ``fieldvault
quarantine purge`` deletes the file (the row goes with it).
``coordinator_decisions.action`` may now also be
``restore-quarantined-files``. Files quarantined before this migration have
no row here: their key is gone.

Revision ID: 0024
Revises: 0023
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

_OLD_ACTIONS = "action IN ('set-aside', 'quarantine-left-out-files')"
_NEW_ACTIONS = "action IN ('set-aside', 'quarantine-left-out-files', 'restore-quarantined-files')"


def _decisions_table(check: str) -> None:
    """Re-create coordinator_decisions with ``check`` (SQLite cannot alter a
    CHECK constraint in place), keeping every row."""
    op.rename_table("coordinator_decisions", "coordinator_decisions_before_0024")
    op.create_table(
        "coordinator_decisions",
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("decided_ms", sa.Integer(), nullable=False),
        sa.Column("user_label", sa.Text(), nullable=False),
        sa.Column("subjects", sa.Text(), nullable=False),
        sa.CheckConstraint(check, name=op.f("ck_coordinator_decisions_known_action")),
        sa.PrimaryKeyConstraint("decision_id", name=op.f("pk_coordinator_decisions")),
    )
    op.execute(
        "INSERT INTO coordinator_decisions (decision_id, action, decided_ms, user_label, subjects) "
        "SELECT decision_id, action, decided_ms, user_label, subjects FROM coordinator_decisions_before_0024"
    )
    op.drop_table("coordinator_decisions_before_0024")


def upgrade() -> None:
    _decisions_table(_NEW_ACTIONS)
    op.create_table(
        "quarantined_file_keys",
        sa.Column("blob_id", sa.String(length=32), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_ms", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["coordinator_decisions.decision_id"],
            name=op.f("fk_quarantined_file_keys_decision_id_coordinator_decisions"),
        ),
        sa.PrimaryKeyConstraint("blob_id", name=op.f("pk_quarantined_file_keys")),
    )
    op.create_index(
        op.f("ix_quarantined_file_keys_decision_id"), "quarantined_file_keys", ["decision_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_quarantined_file_keys_decision_id"), table_name="quarantined_file_keys")
    op.drop_table("quarantined_file_keys")
    op.execute("DELETE FROM coordinator_decisions WHERE action = 'restore-quarantined-files'")
    _decisions_table(_OLD_ACTIONS)
