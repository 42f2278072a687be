"""retention: legal hold and deletion markers on sessions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 08:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import openkyc.db.base

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("kyc_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("legal_hold", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("media_erased_at", openkyc.db.base.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("redacted_at", openkyc.db.base.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index("ix_kyc_sessions_decided_at", ["decided_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("kyc_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_kyc_sessions_decided_at")
        batch_op.drop_column("redacted_at")
        batch_op.drop_column("media_erased_at")
        batch_op.drop_column("legal_hold")
