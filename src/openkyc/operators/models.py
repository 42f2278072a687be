from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from openkyc.db.base import Base, CreatedAtMixin, IdMixin, utcnow


class Role(StrEnum):
    ADMIN = "admin"
    REVIEWER = "reviewer"
    AUDITOR = "auditor"


class SessionStage(StrEnum):
    """How far a sign-in has come. Only an ``active`` session opens dashboard pages; the
    others open exactly one page each (the second factor, enrolment, a new password)."""

    ACTIVE = "active"
    TOTP = "totp"
    ENROL = "enrol"
    NEW_PASSWORD = "new_password"  # noqa: S105 (a stage name, not a secret)


class Operator(IdMixin, CreatedAtMixin, Base):
    __tablename__ = "operators"

    # Normalised (lower-cased domain and local part) so one person cannot hold two accounts.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # Argon2id, PHC string (parameters inside, so they can be raised without a migration).
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)
    # Set for a generated one-time password: the first sign-in asks for a new one.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The RFC 6238 secret, AES-GCM under the master key and bound to this operator's id.
    totp_secret_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(default=None)
    # The last accepted time step, so a code cannot be replayed inside its window.
    totp_last_step: Mapped[int | None] = mapped_column(default=None)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def disabled(self) -> bool:
        return self.disabled_at is not None

    @property
    def totp_enrolled(self) -> bool:
        return self.totp_enabled_at is not None


class OperatorMerchant(Base):
    """An operator bound to merchants sees only theirs; one with no rows sees every merchant."""

    __tablename__ = "operator_merchants"

    operator_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("operators.id", ondelete="CASCADE"), primary_key=True
    )
    merchant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("merchants.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class OperatorSession(IdMixin, CreatedAtMixin, Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored, so a
    copy of the table opens no session."""

    __tablename__ = "operator_sessions"

    operator_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("operators.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    stage: Mapped[str] = mapped_column(String(16))
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    ip: Mapped[str | None] = mapped_column(String(64), default=None)
    user_agent: Mapped[str | None] = mapped_column(String(300), default=None)
