"""Verification runs (one per submission), every check they made, reviews, and face embeddings."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openkyc.db.base import Base, CreatedAtMixin, IdMixin


class RunStatus(StrEnum):
    PENDING = "pending"  # submitted, waiting for a worker
    RUNNING = "running"  # claimed by a worker until lease_until
    DONE = "done"  # decided (outcome says how)


class RunOutcome(StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"
    RETAKE = "retake"
    REVIEW = "review"  # waiting for an operator; becomes approved/declined on review


class VerificationRun(IdMixin, CreatedAtMixin, Base):
    __tablename__ = "verification_runs"
    __table_args__ = (
        # One run per attempt: two racing submits cannot both start attempt n.
        UniqueConstraint("session_id", "attempt", name="uq_verification_runs_session_attempt"),
        Index("ix_verification_runs_status", "status", "enqueued_at"),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("kyc_sessions.id", ondelete="CASCADE"))
    merchant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("merchants.id"), index=True)
    attempt: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default=RunStatus.PENDING.value)
    outcome: Mapped[str | None] = mapped_column(String(16), default=None)
    # Decision codes (declineReasons) and the stage codes behind a retake (customer hints).
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    hints: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Sandbox only: the outcome a test-mode session asked for.
    forced_outcome: Mapped[str | None] = mapped_column(String(16), default=None)
    enqueued_at: Mapped[datetime]
    lease_owner: Mapped[str | None] = mapped_column(String(64), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    claims: Mapped[int] = mapped_column(default=0)
    # The worker (host:pid:thread) whose result was recorded.
    decided_by: Mapped[str | None] = mapped_column(String(64), default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    pipeline: Mapped[str | None] = mapped_column(String(64), default=None)
    # Stage timings in ms, e.g. {"document": 410.2, "face": 180.0, "total": 700.1}.
    timings: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    # The identity extracted by a run waiting for review (personal data: AES-GCM, bound to
    # the run), so an operator's approval needs no second pipeline run.
    candidate_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    # Set when the run crashed in a way a retry will not fix (corrupt media...).
    error: Mapped[str | None] = mapped_column(String(200), default=None)


class VerificationCheck(IdMixin, Base):
    """One check of one run: never personal data, only scores, codes and model identities."""

    __tablename__ = "verification_checks"

    run_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("verification_runs.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    passed: Mapped[bool | None] = mapped_column(default=None)
    score: Mapped[float | None] = mapped_column(Float, default=None)
    threshold: Mapped[float | None] = mapped_column(Float, default=None)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    model_name: Mapped[str | None] = mapped_column(String(100), default=None)
    model_version: Mapped[str | None] = mapped_column(String(64), default=None)
    duration_ms: Mapped[float | None] = mapped_column(Float, default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class VerificationReview(IdMixin, CreatedAtMixin, Base):
    """An operator's decision on a run that went to manual review."""

    __tablename__ = "verification_reviews"

    # Unique: a run is decided by one review, so two racing reviewers cannot both record one.
    run_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("verification_runs.id", ondelete="CASCADE"), index=True, unique=True
    )
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("kyc_sessions.id", ondelete="CASCADE"))
    operator: Mapped[str] = mapped_column(String(100))
    decision: Mapped[str] = mapped_column(String(16))  # approved | declined | retake
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(String(1000), default=None)


class FaceEmbedding(IdMixin, CreatedAtMixin, Base):
    """A verified face for 1:N duplicate search; biometric data, so AES-GCM under the master
    key and deleted with the session."""

    __tablename__ = "face_embeddings"
    __table_args__ = (Index("ix_face_embeddings_tenant", "merchant_id", "mode"),)

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("kyc_sessions.id", ondelete="CASCADE"), unique=True
    )
    merchant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("merchants.id"))
    mode: Mapped[str] = mapped_column(String(4))
    # HMAC of country + document number: compares identities without storing the number.
    identity_digest: Mapped[str] = mapped_column(String(64))
    embedding_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    # The embedder's space (model, preprocessing, version). NULL for rows stored before it was
    # recorded: their space is unknown, so they are never compared.
    model: Mapped[str | None] = mapped_column(String(200))


def candidate_aad(run_id: uuid.UUID) -> bytes:
    return b"verification_runs.candidate:" + run_id.bytes


def embedding_aad(session_id: uuid.UUID) -> bytes:
    return b"face_embeddings.embedding:" + session_id.bytes
