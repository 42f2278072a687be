"""Who holds a case, what reviewers noted, and decisions waiting for a second reviewer.

Reviewers are named by an actor id (an operator's id, or ``cli:NAME`` for the terminal) and a
label other reviewers see (the operator's e-mail). Rows go with their session.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openkyc.db.base import Base, CreatedAtMixin, IdMixin, utcnow


class CaseAssignment(Base):
    """ "Take this case": at most one reviewer holds a session (the primary key says so)."""

    __tablename__ = "case_assignments"

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("kyc_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[str] = mapped_column(String(100))
    actor_label: Mapped[str] = mapped_column(String(255))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseNote(IdMixin, CreatedAtMixin, Base):
    __tablename__ = "case_notes"

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("kyc_sessions.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[str] = mapped_column(String(100))
    actor_label: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)


class DecisionProposal(IdMixin, CreatedAtMixin, Base):
    """Four-eyes: a first reviewer's decision, applied only when a different reviewer
    confirms it. One per run (unique), so two first decisions cannot both be pending."""

    __tablename__ = "case_decision_proposals"

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("kyc_sessions.id", ondelete="CASCADE"), index=True
    )
    run_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("verification_runs.id", ondelete="CASCADE"), unique=True
    )
    decision: Mapped[str] = mapped_column(String(16))  # approve | decline | retake
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(String(1000), default=None)
    actor_id: Mapped[str] = mapped_column(String(100))
    actor_label: Mapped[str] = mapped_column(String(255))
