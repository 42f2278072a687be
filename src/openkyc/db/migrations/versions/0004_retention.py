"""retention: legal hold and deletion markers on sessions; the customer's contact sealed

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 08:30:00.000000
"""

import json
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
        batch_op.add_column(sa.Column("contact_ciphertext", sa.LargeBinary(), nullable=True))
    _seal_existing_contacts()
    with op.batch_alter_table("kyc_sessions", schema=None) as batch_op:
        batch_op.drop_column("customer_phone")
        batch_op.drop_column("customer_email")


def _seal_existing_contacts() -> None:
    """Encrypt the plaintext e-mails and phones already stored. It needs the master key, so
    `openkyc db upgrade` must run with the service's settings (it always does)."""
    sessions = sa.table(
        "kyc_sessions",
        sa.column("id", sa.Uuid()),
        sa.column("customer_email", sa.String()),
        sa.column("customer_phone", sa.String()),
        sa.column("contact_ciphertext", sa.LargeBinary()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(sessions.c.id, sessions.c.customer_email, sessions.c.customer_phone).where(
            sa.or_(sessions.c.customer_email.is_not(None), sessions.c.customer_phone.is_not(None))
        )
    ).all()
    if not rows:
        return
    from openkyc.config import Settings
    from openkyc.sessions.models import contact_aad
    from openkyc.state import build_keyring

    keyring = build_keyring(Settings())
    for session_id, email, phone in rows:
        sealed = keyring.encrypt(
            json.dumps({"email": email, "phone": phone}).encode(), contact_aad(session_id)
        )
        connection.execute(
            sessions.update().where(sessions.c.id == session_id).values(contact_ciphertext=sealed)
        )


def downgrade() -> None:
    # Sealed contacts are not decrypted back into plaintext columns: a downgrade loses them.
    with op.batch_alter_table("kyc_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("customer_email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("customer_phone", sa.String(length=32), nullable=True))
        batch_op.drop_column("contact_ciphertext")
        batch_op.drop_index("ix_kyc_sessions_decided_at")
        batch_op.drop_column("redacted_at")
        batch_op.drop_column("media_erased_at")
        batch_op.drop_column("legal_hold")
