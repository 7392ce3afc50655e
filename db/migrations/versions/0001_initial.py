"""The first vault schema: device, clock, revisions, heads, entities, settings.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "device",
        sa.Column("device_id", sa.String(32), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sealed_private_key", sa.LargeBinary(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("created_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_device")),
    )
    op.create_table(
        "clock",
        sa.Column("singleton", sa.Integer(), nullable=False),
        sa.Column("last_ms", sa.Integer(), nullable=False),
        sa.Column("last_counter", sa.Integer(), nullable=False),
        sa.CheckConstraint("singleton = 1", name=op.f("ck_clock_one_row")),
        sa.PrimaryKeyConstraint("singleton", name=op.f("pk_clock")),
    )
    op.create_table(
        "revisions",
        sa.Column("revision_id", sa.String(64), nullable=False),
        sa.Column("entity_id", sa.String(36), nullable=False),
        sa.Column("entity_type", sa.String(32), nullable=False),
        sa.Column("op", sa.String(16), nullable=False),
        sa.Column("hlc_ms", sa.Integer(), nullable=False),
        sa.Column("hlc_counter", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(32), nullable=False),
        sa.Column("signed", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint("op IN ('put', 'delete')", name=op.f("ck_revisions_known_op")),
        sa.PrimaryKeyConstraint("revision_id", name=op.f("pk_revisions")),
    )
    op.create_index("ix_revisions_entity_id", "revisions", ["entity_id"])
    op.create_table(
        "revision_parents",
        sa.Column("revision_id", sa.String(64), nullable=False),
        sa.Column("parent_id", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["revisions.revision_id"],
            name=op.f("fk_revision_parents_revision_id_revisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("revision_id", "parent_id", name=op.f("pk_revision_parents")),
    )
    op.create_index("ix_revision_parents_parent_id", "revision_parents", ["parent_id"])
    op.create_table(
        "heads",
        sa.Column("entity_id", sa.String(36), nullable=False),
        sa.Column("revision_id", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["revisions.revision_id"],
            name=op.f("fk_heads_revision_id_revisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entity_id", "revision_id", name=op.f("pk_heads")),
    )
    op.create_table(
        "entities",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entity_id", sa.String(36), nullable=False),
        sa.Column("entity_type", sa.String(32), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=True),
        sa.Column("head_revision_id", sa.String(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("conflicted", sa.Boolean(), nullable=False),
        sa.Column("created_ms", sa.Integer(), nullable=False),
        sa.Column("updated_ms", sa.Integer(), nullable=False),
        sa.CheckConstraint("deleted IN (0, 1) AND conflicted IN (0, 1)", name=op.f("ck_entities_flags")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_entities")),
        sa.UniqueConstraint("entity_id", name=op.f("uq_entities_entity_id")),
    )
    op.create_index("ix_entities_type_case", "entities", ["entity_type", "case_id"])
    op.create_table(
        "settings",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )


def downgrade() -> None:
    for table in ("settings", "entities", "heads", "revision_parents", "revisions", "clock", "device"):
        op.drop_table(table)
