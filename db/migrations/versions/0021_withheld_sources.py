"""Where each left-out revision id came from, and what a revoked device's
refused bundles left here (issue 14, review 12 F1; docs/sync.md §2.3,
docs/vault-format.md "Sync state").

``withheld_revisions`` gains ``learned``: ``left-out`` (an import left the
revision out of another desk's bundle, or a parked one with it; the
default, and what every row made before this migration gets: rows read
from a refused bundle before it cannot be told apart) or ``refused-bundle``
(read, signature-checked, from a bundle refused because its maker, the
revoked device that signed it, made it), and ``bundle_id``: the refused
bundle's id for the latter, NULL otherwise. A row read from a refused
bundle explains a missing parent (ids are hashes of what the maker signed,
so it cannot name another device's revision) but its record id is the
maker's choice: it no longer makes evidence bytes be dropped
(db/withheld.py ``withheld_records_among``).

``refused_bundle_reads``: each refused bundle a coordinator read to keep
its maker's revision ids (its id, the maker, how many ids it kept, how many
it did not because the maker reached ``REFUSED_IDS_CAP``, when). A bundle
listed is not read again; ``fieldvault devices`` sums them per device.

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "withheld_revisions",
        sa.Column("learned", sa.String(length=16), server_default="left-out", nullable=False),
    )
    op.add_column("withheld_revisions", sa.Column("bundle_id", sa.String(length=64), nullable=True))
    op.create_index("ix_withheld_revisions_learned_device", "withheld_revisions", ["learned", "device_id"])
    op.create_table(
        "refused_bundle_reads",
        sa.Column("bundle_id", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("kept", sa.Integer(), nullable=False),
        sa.Column("not_kept", sa.Integer(), nullable=False),
        sa.Column("read_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bundle_id", name=op.f("pk_refused_bundle_reads")),
    )
    op.create_index("ix_refused_bundle_reads_device_id", "refused_bundle_reads", ["device_id"])


def downgrade() -> None:
    op.drop_index("ix_refused_bundle_reads_device_id", table_name="refused_bundle_reads")
    op.drop_table("refused_bundle_reads")
    op.drop_index("ix_withheld_revisions_learned_device", table_name="withheld_revisions")
    with op.batch_alter_table("withheld_revisions") as batch:
        batch.drop_column("bundle_id")
        batch.drop_column("learned")
