"""audit hash chain: sequence, previous hash and hash on every audit row; existing rows sealed

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 09:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chain_seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("row_hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_audit_events_chain_seq"), ["chain_seq"])
    # Rows written before the chain existed are sealed in id order, so `openkyc audit verify`
    # covers the whole log from here on.
    from openkyc.audit.chain import backfill

    backfill(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_events_chain_seq"), type_="unique")
        batch_op.drop_column("row_hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("chain_seq")
