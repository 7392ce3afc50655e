"""Completeness of a history hand-over against the workers' own signed
manifests (issue 14, review 17 D2; docs/bundle-format.md §10 "Completeness
against the workers' signatures", docs/vault-format.md "Sync state").

``worker_manifests``: for each bundle of a field device this coordinator
desk counts as received, the worker-signed inner manifest as it was signed
(its canonical bytes and the 64-byte Ed25519 signature), so that the desk
can carry it in a hand-over and the new desk can check, with the worker's
key alone, which revisions the bundle brought. ``source`` is the desk
whose hand-over carried it (NULL: read here from the worker's own bundle).
Nothing for bundles imported before this migration: no manifest was kept.

``hand_over_unaccounted``: what the new desk found at a hand-over's
import: each revision id a carried manifest names that the hand-over did
not bring and nothing here explains (``problem`` 'missing'), or a carried
manifest that did not verify with the worker's key (``problem``
'unverifiable', ``revision_id`` ''), or an entry of a field device's
bundle that came without a manifest when none is kept here (``problem``
'unchecked', ``revision_id`` ''; added in place, as 0026 is in no
released vault). Ids and times only; listed, never acted on.

Revision ID: 0026
Revises: 0025
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "worker_manifests",
        sa.Column("bundle_id", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("manifest", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=True),
        sa.Column("recorded_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bundle_id", name=op.f("pk_worker_manifests")),
    )
    op.create_table(
        "hand_over_unaccounted",
        sa.Column("maker_id", sa.String(length=32), nullable=False),
        sa.Column("bundle_id", sa.String(length=64), nullable=False),
        sa.Column("revision_id", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("problem", sa.String(length=16), nullable=False),
        sa.Column("hand_over_id", sa.String(length=64), nullable=False),
        sa.Column("recorded_ms", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "problem IN ('missing', 'unverifiable', 'unchecked')",
            name=op.f("ck_hand_over_unaccounted_known_problem"),
        ),
        sa.PrimaryKeyConstraint(
            "maker_id", "bundle_id", "revision_id", name=op.f("pk_hand_over_unaccounted")
        ),
    )


def downgrade() -> None:
    op.drop_table("hand_over_unaccounted")
    op.drop_table("worker_manifests")
