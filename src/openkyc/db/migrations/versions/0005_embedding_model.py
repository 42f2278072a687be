"""face embeddings record the embedder that made them

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing rows keep NULL: which embedder made them was not recorded, so the duplicate
    # search never compares them (a vector from another space could look like anyone).
    with op.batch_alter_table("face_embeddings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("model", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("face_embeddings", schema=None) as batch_op:
        batch_op.drop_column("model")
