"""A coordinator's decisions about revisions waiting for their parents and
about the files only left-out revisions name (issue 14, review 14 F2;
docs/sync.md §2.3, docs/vault-format.md "Sync state").

``coordinator_decisions``: one row per decision a coordinator took by hand
(``fieldvault devices parked --set-aside`` and
``--quarantine-left-out-files``, db/parked_set_aside.py): what
(``action``), when (``decided_ms``), the user label at the keyboard, and
what it was about, by ids only (``subjects``, JSON). Revisions set aside
are also ``withheld_revisions`` rows learned ``set-aside`` (the column
takes any value: no schema change there).

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coordinator_decisions",
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("decided_ms", sa.Integer(), nullable=False),
        sa.Column("user_label", sa.Text(), nullable=False),
        sa.Column("subjects", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "action IN ('set-aside', 'quarantine-left-out-files')",
            name=op.f("ck_coordinator_decisions_known_action"),
        ),
        sa.PrimaryKeyConstraint("decision_id", name=op.f("pk_coordinator_decisions")),
    )


def downgrade() -> None:
    op.drop_table("coordinator_decisions")
