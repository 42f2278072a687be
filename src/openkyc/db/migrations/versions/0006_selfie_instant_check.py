"""hosted flows remember the attempt whose instant selfie refusal is spent

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("hosted_flows", schema=None) as batch_op:
        batch_op.add_column(sa.Column("selfie_refused_attempt", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("hosted_flows", schema=None) as batch_op:
        batch_op.drop_column("selfie_refused_attempt")
