from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from openkyc.db.base import Base, CreatedAtMixin, IdMixin, utcnow


class SessionStatus(StrEnum):
    NOT_STARTED = "NOT_STARTED"
    IN_PROGRESS = "IN_PROGRESS"
    APPROVED = "APPROVED"
    DECLINED = "DECLINED"
    EXPIRED = "EXPIRED"

    @property
    def is_terminal(self) -> bool:
        return self in (SessionStatus.APPROVED, SessionStatus.DECLINED, SessionStatus.EXPIRED)


class KycSession(IdMixin, CreatedAtMixin, Base):
    __tablename__ = "kyc_sessions"
    __table_args__ = (
        Index("ix_kyc_sessions_tenant_created", "merchant_id", "mode", "created_at"),
        Index("ix_kyc_sessions_status_expires", "status", "expires_at"),
        Index("ix_kyc_sessions_decided_at", "decided_at"),
        Index("ix_kyc_sessions_email_hash", "email_hash"),
        Index("ix_kyc_sessions_phone_hash", "phone_hash"),
        Index("ix_kyc_sessions_document_hash", "document_hash"),
    )

    merchant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("merchants.id"))
    mode: Mapped[str] = mapped_column(String(4))  # live | test: the key's mode scopes visibility
    status: Mapped[str] = mapped_column(String(16), default=SessionStatus.NOT_STARTED.value)
    invoice_id: Mapped[str | None] = mapped_column(String(36), default=None)
    # The customer's e-mail and phone: AES-GCM under the master key, bound to the row
    # (a database dump must not be a contact list). See sessions.sealing.
    contact_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    # Keyed hashes of the e-mail, phone and document number for exact search by an operator
    # (openkyc.sessions.search): the values themselves are only stored encrypted.
    email_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    phone_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    document_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    customer_id: Mapped[str | None] = mapped_column(String(255), default=None)
    callback_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    language: Mapped[str] = mapped_column(String(2), default="ru")
    expires_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    # Once submitted, the decision is in flight: the session no longer expires by time.
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    # The extracted identity is personal data: AES-GCM under the master key, bound to the row.
    verification_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    decline_reasons: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    # Retention (openkyc.retention): a hold suspends every scheduled deletion; the two
    # moments record what was already deleted, so the sweep never repeats the work.
    legal_hold: Mapped[bool] = mapped_column(default=False, server_default=false())
    media_erased_at: Mapped[datetime | None] = mapped_column(default=None)
    redacted_at: Mapped[datetime | None] = mapped_column(default=None)


class IdempotencyRecord(CreatedAtMixin, Base):
    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("merchant_id", "mode", "key", name="uq_idempotency_key"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    merchant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("merchants.id"))
    mode: Mapped[str] = mapped_column(String(4))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("kyc_sessions.id", ondelete="CASCADE"))


def verification_aad(session_id: uuid.UUID) -> bytes:
    return b"kyc_session.verification:" + session_id.bytes


def contact_aad(session_id: uuid.UUID) -> bytes:
    return b"kyc_session.contact:" + session_id.bytes


@dataclass(frozen=True, slots=True)
class Contact:
    email: str | None = None
    phone: str | None = None


VerificationData = dict[str, Any]
