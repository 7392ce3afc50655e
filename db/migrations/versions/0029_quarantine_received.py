"""A bundle held in quarantine that this vault has since counted as
received on another bundle's word (review 22; docs/bundle-format.md §5
step 5, §10): ``quarantined_bundles.status`` may be ``received``.

Before, a history hand-over's ``received`` naming a held bundle marked its
row ``approved`` (the word for an approval by code or an import), though
nobody approved its device, which may still be pending here; and a vault
from before commit cf289a7 held a bundle it had received (its sender
pending since) as from an unknown device, ``held`` for good. Now such a
row is ``received``: nothing waits for it, it is kept for the record (never
deleted), and an approval by code of it still enrols its device.

Upgrade: the check allows ``received``; a ``held`` row whose bundle is in
``received_bundles`` becomes ``received``, ``decided_ms`` when that bundle
was recorded. (An ``approved`` row a hand-over marked cannot be told from
an approval, and stays.) Downgrade: ``received`` rows become ``approved``,
what the code before this migration made of them.

Revision ID: 0029
Revises: 0028
"""

from __future__ import annotations

from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

_CHECK = "ck_quarantined_bundles_known_status"


def _set_check(statuses: str) -> None:
    # SQLite cannot alter a CHECK constraint: the table is copied (batch mode).
    with op.batch_alter_table("quarantined_bundles", recreate="always") as batch:
        batch.drop_constraint(op.f(_CHECK), type_="check")
        batch.create_check_constraint(op.f(_CHECK), f"status IN ({statuses})")


def upgrade() -> None:
    _set_check("'held', 'approved', 'received'")
    op.execute(
        "UPDATE quarantined_bundles SET status = 'received', decided_ms = ("
        "SELECT imported_ms FROM received_bundles WHERE received_bundles.bundle_id = quarantined_bundles.bundle_id"
        ") WHERE status = 'held' AND bundle_id IN (SELECT bundle_id FROM received_bundles)"
    )


def downgrade() -> None:
    op.execute("UPDATE quarantined_bundles SET status = 'approved' WHERE status = 'received'")
    _set_check("'held', 'approved'")
