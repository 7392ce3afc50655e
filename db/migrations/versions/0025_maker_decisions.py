"""What the maker of a history hand-over decided about revisions it kept out
(issue 14, review 16 F4; docs/bundle-format.md §10 ``decisions``,
docs/vault-format.md "Sync state").

``maker_decisions``: one row per revision a coordinator desk kept out (left
out, set aside, past its parked cap) as its hand-over to this desk says:
the revision and its signer, the maker's reason (its
``withheld_revisions.learned``) and when it decided, the maker's device id
and the hand-over that carried it, when this desk recorded it. Ids and
times only. The row is the maker's word, shown (``fieldvault devices
parked``, the Devices view) and binding nothing here: the revision
arriving again is decided by this desk's own rules
(docs/threat-model.md §2.8).

Revision ID: 0025
Revises: 0024
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "maker_decisions",
        sa.Column("revision_id", sa.String(length=64), nullable=False),
        sa.Column("maker_id", sa.String(length=32), nullable=False),
        sa.Column("signer_id", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("decided_ms", sa.Integer(), nullable=False),
        sa.Column("bundle_id", sa.String(length=64), nullable=False),
        sa.Column("recorded_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("revision_id", "maker_id", name=op.f("pk_maker_decisions")),
    )


def downgrade() -> None:
    op.drop_table("maker_decisions")
