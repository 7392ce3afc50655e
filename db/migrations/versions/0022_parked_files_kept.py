"""Parked revisions at scale, and the bytes of left-out ones kept (issue 14,
review 13 F2/F3; docs/sync.md §2.3, docs/vault-format.md "Sync state").

``withheld_revisions`` gains ``sha256``: for a parked evidence revision
that was left out, the SHA-256 of the file it named. Its bytes, stored
while it waited, keep their ``blobs`` row (the only wrapped key of the
file) instead of losing it: ``verify`` notes such a file ("a stored file
no item names") rather than calling it a fault, and an item stored later
with those bytes takes them.

``parked_revisions`` gains an index on ``bundle_id`` (the open import's
rows are those with none) and one on ``device_id`` (the bound per signer
and the per-signer counts).

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("withheld_revisions", sa.Column("sha256", sa.String(length=64), nullable=True))
    op.create_index("ix_parked_revisions_bundle_id", "parked_revisions", ["bundle_id"])
    op.create_index("ix_parked_revisions_device_id", "parked_revisions", ["device_id"])


def downgrade() -> None:
    op.drop_index("ix_parked_revisions_device_id", table_name="parked_revisions")
    op.drop_index("ix_parked_revisions_bundle_id", table_name="parked_revisions")
    with op.batch_alter_table("withheld_revisions") as batch:
        batch.drop_column("sha256")
