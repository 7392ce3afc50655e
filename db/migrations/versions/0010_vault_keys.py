"""Keys the vault holds besides its device signing key: its age (X25519)
identity, which coordinators' bundles are encrypted to, and, in a
coordinator's vault, the organisation's Ed25519 signing key; each sealed
with the device-keys subkey like the device key. And the enrolment tokens a
coordinator issued, so that each is used once (docs/vault-format.md,
"Vault keys"; docs/org-profile.md).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vault_keys",
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("public", sa.Text(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_ms", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "purpose IN ('age-identity', 'org-signing-key')", name=op.f("ck_vault_keys_known_purpose")
        ),
        sa.PrimaryKeyConstraint("purpose", name=op.f("pk_vault_keys")),
    )
    op.create_table(
        "enrolment_tokens",
        sa.Column("token_id", sa.String(length=32), nullable=False),
        sa.Column("issued_ms", sa.Integer(), nullable=False),
        sa.Column("expires_ms", sa.Integer(), nullable=False),
        sa.Column("used_by", sa.String(length=32), nullable=True),
        sa.Column("used_ms", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("token_id", name=op.f("pk_enrolment_tokens")),
    )


def downgrade() -> None:
    op.drop_table("enrolment_tokens")
    op.drop_table("vault_keys")
