"""operators, their merchants and dashboard sessions

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 08:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import openkyc.db.base

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "operators",
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("disabled_at", openkyc.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column(
            "password_changed_at", openkyc.db.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column("totp_secret_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("totp_enabled_at", openkyc.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("totp_last_step", sa.Integer(), nullable=True),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", openkyc.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", openkyc.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", openkyc.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operators")),
        sa.UniqueConstraint("email", name=op.f("uq_operators_email")),
    )
    op.create_table(
        "operator_merchants",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("merchant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.id"],
            name=op.f("fk_operator_merchants_merchant_id_merchants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_operator_merchants_operator_id_operators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("operator_id", "merchant_id", name=op.f("pk_operator_merchants")),
    )
    with op.batch_alter_table("operator_merchants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_operator_merchants_merchant_id"), ["merchant_id"], unique=False
        )

    op.create_table(
        "operator_sessions",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("last_seen_at", openkyc.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", openkyc.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", openkyc.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_operator_sessions_operator_id_operators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_operator_sessions_token_hash")),
    )
    with op.batch_alter_table("operator_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_operator_sessions_operator_id"), ["operator_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("operator_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_operator_sessions_operator_id"))

    op.drop_table("operator_sessions")
    with op.batch_alter_table("operator_merchants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_operator_merchants_merchant_id"))

    op.drop_table("operator_merchants")
    op.drop_table("operators")
