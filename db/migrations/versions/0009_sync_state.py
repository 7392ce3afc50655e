"""Sync state: what this vault knows about its organisation and the devices
it exchanges bundles with, how far its own work has been acknowledged, and
the custody chains received from other devices (docs/vault-format.md,
"Sync state"; docs/chain-of-custody.md, "Chains of other devices").

Local state, not derived: nothing here can be rebuilt from revisions.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "org_profile",
        sa.Column("singleton", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("signed", sa.LargeBinary(), nullable=False),
        sa.Column("updated_ms", sa.Integer(), nullable=False),
        sa.CheckConstraint("singleton = 1", name=op.f("ck_org_profile_one_row")),
        sa.PrimaryKeyConstraint("singleton", name=op.f("pk_org_profile")),
    )
    op.create_table(
        "known_devices",
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("age_recipient", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.Column("last_bundle_id", sa.String(length=64), nullable=True),
        sa.Column("updated_ms", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('enrolled', 'revoked', 'pending')", name=op.f("ck_known_devices_known_status")
        ),
        sa.CheckConstraint("role IN ('device', 'coordinator')", name=op.f("ck_known_devices_known_role")),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_known_devices")),
    )
    op.create_table(
        "received_bundles",
        sa.Column("bundle_id", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("custody_head", sa.String(length=64), nullable=True),
        sa.Column("imported_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bundle_id", name=op.f("pk_received_bundles")),
        sa.UniqueConstraint("device_id", "sequence", name=op.f("uq_received_bundles_device_id")),
    )
    op.create_table(
        "sync_outgoing",
        sa.Column("singleton", sa.Integer(), nullable=False),
        sa.Column("bundle_sequence", sa.Integer(), nullable=False),
        sa.Column("previous_bundle_id", sa.String(length=64), nullable=True),
        sa.Column("acked_revision_seq", sa.Integer(), nullable=False),
        sa.Column("acked_custody_seq", sa.Integer(), nullable=False),
        sa.CheckConstraint("singleton = 1", name=op.f("ck_sync_outgoing_one_row")),
        sa.PrimaryKeyConstraint("singleton", name=op.f("pk_sync_outgoing")),
    )
    op.create_table(
        "acknowledged_blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("acked_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_acknowledged_blobs")),
    )
    op.create_table(
        "received_custody_events",
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("event_hash", sa.String(length=64), nullable=False),
        sa.Column("evidence_id", sa.String(length=36), nullable=False),
        sa.Column("signed", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "seq", name=op.f("pk_received_custody_events")),
        sa.UniqueConstraint("event_hash", name=op.f("uq_received_custody_events_event_hash")),
    )
    op.create_index(
        "ix_received_custody_events_evidence_id", "received_custody_events", ["evidence_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_received_custody_events_evidence_id", table_name="received_custody_events")
    op.drop_table("received_custody_events")
    op.drop_table("acknowledged_blobs")
    op.drop_table("sync_outgoing")
    op.drop_table("received_bundles")
    op.drop_table("known_devices")
    op.drop_table("org_profile")
