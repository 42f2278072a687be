"""merchant branding: display name, accent colour and a sanitised PNG logo for the hosted page

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 10:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("merchants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("display_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("accent_colour", sa.String(length=7), nullable=True))
        batch_op.add_column(sa.Column("logo_png", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("logo_digest", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_merchants_logo_digest"), ["logo_digest"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("merchants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_merchants_logo_digest"))
        batch_op.drop_column("logo_digest")
        batch_op.drop_column("logo_png")
        batch_op.drop_column("accent_colour")
        batch_op.drop_column("display_name")
