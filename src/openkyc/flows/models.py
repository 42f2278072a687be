"""The customer's progress through the hosted page: one row per KYC session."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openkyc.db.base import Base, utcnow


class FlowStep(StrEnum):
    CONSENT = "consent"
    DOCUMENT = "document"
    CAPTURE_FRONT = "capture_front"
    CAPTURE_BACK = "capture_back"
    SELFIE = "selfie"
    REVIEW = "review"
    PROCESSING = "processing"


class HostedFlow(Base):
    __tablename__ = "hosted_flows"

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("kyc_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    # SHA-256 of the page tokens held in the customer's cookies (never the tokens themselves):
    # the browser that opened the link, and a phone reached through the QR hand-off.
    token_hash: Mapped[str] = mapped_column(String(64))
    handoff_device_token_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    # A one-time QR hand-off token, spent when the phone opens it.
    handoff_token_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    handoff_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    step: Mapped[str] = mapped_column(String(24), default=FlowStep.CONSENT.value)

    consent_version: Mapped[str | None] = mapped_column(String(32), default=None)
    consent_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    consented_at: Mapped[datetime | None] = mapped_column(default=None)
    consent_ip: Mapped[str | None] = mapped_column(String(64), default=None)
    consent_user_agent: Mapped[str | None] = mapped_column(String(512), default=None)

    country: Mapped[str | None] = mapped_column(String(3), default=None)
    document_kind: Mapped[str | None] = mapped_column(String(32), default=None)
    challenge_json: Mapped[str | None] = mapped_column(Text, default=None)

    # Submission attempt (1-based) and how many captures were checked in each step.
    attempt: Mapped[int] = mapped_column(default=1)
    capture_checks: Mapped[int] = mapped_column(default=0)
    selfie_uploads: Mapped[int] = mapped_column(default=0)
    # The attempt whose one instant selfie refusal is spent: a refusal issues a fresh
    # challenge, so unlimited refusals would let a replay wait for the order it holds.
    selfie_refused_attempt: Mapped[int | None] = mapped_column(default=None)
    uploads_total: Mapped[int] = mapped_column(default=0)
    # The reason codes of the last rejected capture, shown again after a reload.
    last_findings: Mapped[list[Any] | None] = mapped_column(JSON, default=None)
    upload_path: Mapped[bool] = mapped_column(default=False)

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
