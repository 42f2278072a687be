from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from openkyc.db.base import Base, CreatedAtMixin, IdMixin


class Merchant(IdMixin, CreatedAtMixin, Base):
    __tablename__ = "merchants"

    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    # None means the operator's default (OPENKYC_SESSION_TTL_MINUTES).
    session_ttl_minutes: Mapped[int | None] = mapped_column(default=None)
    # Decision policy overrides (minimum age, allowed countries...); empty means defaults.
    policy: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The hosted page's brand (merchants/branding.py); None: the name and OpenKYC's colours.
    display_name: Mapped[str | None] = mapped_column(String(100), default=None)
    accent_colour: Mapped[str | None] = mapped_column(String(7), default=None)
    # A sanitised PNG (at most 512 KB), loaded only when served; the digest names its URL.
    logo_png: Mapped[bytes | None] = deferred(mapped_column(LargeBinary, default=None))
    logo_digest: Mapped[str | None] = mapped_column(String(64), default=None, index=True)

    api_keys: Mapped[list[ApiKey]] = relationship(back_populates="merchant", lazy="raise")


class ApiKey(IdMixin, CreatedAtMixin, Base):
    __tablename__ = "api_keys"

    merchant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("merchants.id"), index=True)
    mode: Mapped[str] = mapped_column(String(4))  # "live" | "test"
    # Looked up by a hash of the public key so the table never holds a usable key in clear.
    public_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    public_key_hint: Mapped[str] = mapped_column(String(32))
    # The HMAC secret must be recoverable to verify signatures: AES-GCM under the master key.
    secret_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    label: Mapped[str | None] = mapped_column(String(100), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    # Set when the key is rotated: it keeps working until then, for a graceful switch-over.
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    # Comma-separated (keys.SCOPES); rows made before scopes existed read the default.
    scopes: Mapped[str] = mapped_column(
        String(64), default="sessions,webhooks", server_default="sessions,webhooks"
    )

    merchant: Mapped[Merchant] = relationship(back_populates="api_keys", lazy="raise")
