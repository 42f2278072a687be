"""review queue: case assignment, notes, four-eyes proposals; keyed search hashes on sessions

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 08:41:59.701857
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import openkyc.db.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_assignments",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("actor_id", sa.String(length=100), nullable=False),
        sa.Column("actor_label", sa.String(length=255), nullable=False),
        sa.Column("assigned_at", openkyc.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["kyc_sessions.id"],
            name=op.f("fk_case_assignments_session_id_kyc_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_case_assignments")),
    )
    op.create_table(
        "case_notes",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("actor_id", sa.String(length=100), nullable=False),
        sa.Column("actor_label", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", openkyc.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["kyc_sessions.id"],
            name=op.f("fk_case_notes_session_id_kyc_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notes")),
    )
    with op.batch_alter_table("case_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_notes_session_id"), ["session_id"], unique=False)

    op.create_table(
        "case_decision_proposals",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("actor_id", sa.String(length=100), nullable=False),
        sa.Column("actor_label", sa.String(length=255), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", openkyc.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["verification_runs.id"],
            name=op.f("fk_case_decision_proposals_run_id_verification_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["kyc_sessions.id"],
            name=op.f("fk_case_decision_proposals_session_id_kyc_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_decision_proposals")),
        sa.UniqueConstraint("run_id", name=op.f("uq_case_decision_proposals_run_id")),
    )
    with op.batch_alter_table("case_decision_proposals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_decision_proposals_session_id"), ["session_id"], unique=False
        )

    with op.batch_alter_table("kyc_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("phone_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("document_hash", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_kyc_sessions_document_hash", ["document_hash"], unique=False)
        batch_op.create_index("ix_kyc_sessions_email_hash", ["email_hash"], unique=False)
        batch_op.create_index("ix_kyc_sessions_phone_hash", ["phone_hash"], unique=False)
    _index_existing_sessions()

    with op.batch_alter_table("verification_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verification_reviews_run_id"))
        batch_op.create_index(batch_op.f("ix_verification_reviews_run_id"), ["run_id"], unique=True)


def _index_existing_sessions() -> None:
    """Backfill the search hashes from the sealed contact and verified identity of the rows
    already stored (like 0004, it needs the master key: run with the service's settings)."""
    sessions = sa.table(
        "kyc_sessions",
        sa.column("id", sa.Uuid()),
        sa.column("contact_ciphertext", sa.LargeBinary()),
        sa.column("verification_ciphertext", sa.LargeBinary()),
        sa.column("email_hash", sa.String()),
        sa.column("phone_hash", sa.String()),
        sa.column("document_hash", sa.String()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            sessions.c.id, sessions.c.contact_ciphertext, sessions.c.verification_ciphertext
        ).where(
            sa.or_(
                sessions.c.contact_ciphertext.is_not(None),
                sessions.c.verification_ciphertext.is_not(None),
            )
        )
    ).all()
    if not rows:
        return
    from openkyc.config import Settings
    from openkyc.sessions import search
    from openkyc.sessions.models import contact_aad, verification_aad
    from openkyc.state import build_keyring

    keyring = build_keyring(Settings())

    def hashed(kind: str, value: object) -> str | None:
        canonical = search.normalise(kind, value) if isinstance(value, str) else None
        return keyring.search_hash(kind, canonical) if canonical else None

    for session_id, contact, verification in rows:
        values: dict[str, str | None] = {}
        if contact is not None:
            data = json.loads(keyring.decrypt(contact, contact_aad(session_id)))
            values["email_hash"] = hashed(search.EMAIL, data.get("email"))
            values["phone_hash"] = hashed(search.PHONE, data.get("phone"))
        if verification is not None:
            data = json.loads(keyring.decrypt(verification, verification_aad(session_id)))
            values["document_hash"] = hashed(search.DOCUMENT, data.get("documentNumber"))
        connection.execute(sessions.update().where(sessions.c.id == session_id).values(**values))


def downgrade() -> None:
    with op.batch_alter_table("verification_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verification_reviews_run_id"))
        batch_op.create_index(
            batch_op.f("ix_verification_reviews_run_id"), ["run_id"], unique=False
        )

    with op.batch_alter_table("kyc_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_kyc_sessions_phone_hash")
        batch_op.drop_index("ix_kyc_sessions_email_hash")
        batch_op.drop_index("ix_kyc_sessions_document_hash")
        batch_op.drop_column("document_hash")
        batch_op.drop_column("phone_hash")
        batch_op.drop_column("email_hash")

    with op.batch_alter_table("case_decision_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_decision_proposals_session_id"))

    op.drop_table("case_decision_proposals")
    with op.batch_alter_table("case_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_notes_session_id"))

    op.drop_table("case_notes")
    op.drop_table("case_assignments")
