"""Webhook endpoints, the event outbox, one delivery per event and endpoint, and its attempts."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openkyc.db.base import Base, CreatedAtMixin, IdMixin, utcnow

# kyc.review (extension): the session now waits for a person (data.review is PENDING).
EVENTS = ("kyc.completed", "kyc.failed", "kyc.started", "kyc.expired", "kyc.review")


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for next_attempt_at (or for an earlier event of its session)
    DELIVERED = "delivered"
    FAILED = "failed"  # given up; resend makes it pending again


class WebhookEndpoint(IdMixin, CreatedAtMixin, Base):
    __tablename__ = "webhook_endpoints"
    __table_args__ = (Index("ix_webhook_endpoints_tenant", "merchant_id", "mode"),)

    merchant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("merchants.id"))
    mode: Mapped[str] = mapped_column(String(4))
    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Needed in clear to sign: AES-GCM under the master key, bound to the endpoint id.
    secret_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    active: Mapped[bool] = mapped_column(default=True)
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)
    disabled_reason: Mapped[str | None] = mapped_column(String(64), default=None)
    # First failure since the last success; cleared by a success.
    failing_since: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class WebhookEvent(CreatedAtMixin, Base):
    """The outbox: written in the transaction that changed the session, so no event is lost."""

    __tablename__ = "webhook_events"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # evt_…
    merchant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("merchants.id"))
    mode: Mapped[str] = mapped_column(String(4))
    event: Mapped[str] = mapped_column(String(32))
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("kyc_sessions.id", ondelete="CASCADE"), index=True
    )
    # The session as GET returned it at the event, encrypted: it carries names and birth dates.
    payload_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    # Orders the events of one session (their created_at can tie within a transaction).
    sequence: Mapped[int] = mapped_column(default=0)


class WebhookDelivery(IdMixin, CreatedAtMixin, Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "endpoint_id", name="uq_webhook_deliveries_event_endpoint"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_order", "endpoint_id", "session_id", "status"),
    )

    event_id: Mapped[str] = mapped_column(ForeignKey("webhook_events.id", ondelete="CASCADE"))
    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("kyc_sessions.id", ondelete="CASCADE"))
    sequence: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    enqueued_at: Mapped[datetime]
    lease_owner: Mapped[str | None] = mapped_column(String(64), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    last_status_code: Mapped[int | None] = mapped_column(default=None)


class WebhookAttempt(IdMixin, Base):
    """One HTTP attempt of a delivery: what the merchant's server said and how fast."""

    __tablename__ = "webhook_attempts"

    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    retry_count: Mapped[int]
    status_code: Mapped[int | None] = mapped_column(default=None)
    latency_ms: Mapped[float | None] = mapped_column(default=None)
    response_excerpt: Mapped[str | None] = mapped_column(Text, default=None)
    error: Mapped[str | None] = mapped_column(String(200), default=None)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)


def secret_aad(endpoint_id: uuid.UUID) -> bytes:
    return b"webhook_endpoints.secret:" + endpoint_id.bytes


def payload_aad(event_id: str) -> bytes:
    return b"webhook_events.payload:" + event_id.encode()
