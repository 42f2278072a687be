from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from openkyc.db.base import Base, utcnow


class AuditEvent(Base):
    """Append-only: rows are inserted, never updated or deleted (a trigger-free convention the
    repository enforces by exposing no update or delete).

    Tamper-evident (:mod:`openkyc.audit.chain`): when its transaction commits, each row gets
    the next ``chain_seq``, the previous row's hash and its own hash over its content and that
    previous hash, so altering, removing or inserting a row breaks the chain from there on."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_subject", "subject_type", "subject_id"),)

    # BigInteger on PostgreSQL, but SQLite only auto-increments an INTEGER primary key.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    merchant_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    actor_type: Mapped[str] = mapped_column(String(20))  # system | operator | customer | merchant
    actor_id: Mapped[str | None] = mapped_column(String(100), default=None)
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64))
    # Never personal data: ids, codes, statuses only.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Set at commit, under the chain's lock; None only inside the inserting transaction.
    chain_seq: Mapped[int | None] = mapped_column(BigInteger, unique=True, default=None)
    prev_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    row_hash: Mapped[str | None] = mapped_column(String(64), default=None)
