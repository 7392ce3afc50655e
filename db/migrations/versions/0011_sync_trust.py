"""Sync trust and bookkeeping (issue 11): what each bundle this device made
carried (so that a coordinator's acknowledgement moves the cursors), the
enrolment token this device joined with (its first bundles prove it), the
``previous`` of each received bundle (so that a late bundle filling a gap is
checked against its successor), and bundles from unknown devices held in
quarantine until a coordinator approves them (docs/vault-format.md, "Sync
state"; docs/bundle-format.md §8).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("received_bundles", sa.Column("previous", sa.String(length=64), nullable=True))
    op.add_column("sync_outgoing", sa.Column("enrolment_token", sa.Text(), nullable=True))
    op.create_table(
        "sent_bundles",
        sa.Column("bundle_id", sa.String(length=64), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("revision_seq", sa.Integer(), nullable=True),
        sa.Column("custody_seq", sa.Integer(), nullable=True),
        sa.Column("blobs", sa.Text(), nullable=True),
        sa.Column("made_ms", sa.Integer(), nullable=False),
        sa.Column("acked_ms", sa.Integer(), nullable=True),
        sa.Column("acked_by", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("bundle_id", name=op.f("pk_sent_bundles")),
        sa.UniqueConstraint("sequence", name=op.f("uq_sent_bundles_sequence")),
    )
    op.create_table(
        "quarantined_bundles",
        sa.Column("bundle_id", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("device_key", sa.LargeBinary(), nullable=False),
        sa.Column("age_recipient", sa.Text(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("token_id", sa.String(length=32), nullable=True),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("received_ms", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_ms", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('held', 'approved')", name=op.f("ck_quarantined_bundles_known_status")
        ),
        sa.PrimaryKeyConstraint("bundle_id", name=op.f("pk_quarantined_bundles")),
    )


def downgrade() -> None:
    op.drop_table("quarantined_bundles")
    op.drop_table("sent_bundles")
    op.drop_column("sync_outgoing", "enrolment_token")
    op.drop_column("received_bundles", "previous")
