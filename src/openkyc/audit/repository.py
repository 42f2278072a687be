from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select

from openkyc.audit.models import AuditEvent
from openkyc.db.repository import Repository


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What the audit log page and its export narrow the log to; None means any."""

    action: str | None = None  # exact, or a prefix ending in "." ("operator.")
    actor_id: str | None = None
    subject_type: str | None = None
    subject_id: str | None = None
    merchant_id: uuid.UUID | None = None
    since: datetime | None = None
    until: datetime | None = None  # exclusive
    # An operator bound to merchants sees only their rows; None: every row.
    merchant_scope: frozenset[uuid.UUID] | None = None


class AuditRepository(Repository[AuditEvent]):
    model = AuditEvent

    async def for_subject(self, subject_type: str, subject_id: str) -> Sequence[AuditEvent]:
        statement = (
            select(AuditEvent)
            .where(AuditEvent.subject_type == subject_type, AuditEvent.subject_id == subject_id)
            .order_by(AuditEvent.id)
        )
        return (await self.session.scalars(statement)).all()

    async def chain_page(self, after_seq: int, limit: int) -> Sequence[AuditEvent]:
        statement = (
            select(AuditEvent)
            .where(AuditEvent.chain_seq > after_seq)
            .order_by(AuditEvent.chain_seq)
            .limit(limit)
        )
        return (await self.session.scalars(statement)).all()

    async def outside_chain(self) -> Sequence[int]:
        statement = (
            select(AuditEvent.id).where(AuditEvent.chain_seq.is_(None)).order_by(AuditEvent.id)
        )
        return (await self.session.scalars(statement.limit(10))).all()

    def _filtered(self, found: AuditFilter) -> Select[AuditEvent]:
        statement = select(AuditEvent)
        if found.action:
            if found.action.endswith("."):
                statement = statement.where(
                    AuditEvent.action.startswith(found.action, autoescape=True)
                )
            else:
                statement = statement.where(AuditEvent.action == found.action)
        if found.actor_id:
            statement = statement.where(AuditEvent.actor_id == found.actor_id)
        if found.subject_type:
            statement = statement.where(AuditEvent.subject_type == found.subject_type)
        if found.subject_id:
            statement = statement.where(AuditEvent.subject_id == found.subject_id)
        if found.merchant_id:
            statement = statement.where(AuditEvent.merchant_id == found.merchant_id)
        if found.merchant_scope is not None:
            statement = statement.where(AuditEvent.merchant_id.in_(found.merchant_scope))
        if found.since:
            statement = statement.where(AuditEvent.occurred_at >= found.since)
        if found.until:
            statement = statement.where(AuditEvent.occurred_at < found.until)
        return statement

    async def search(
        self, found: AuditFilter, *, limit: int, before_id: int | None = None
    ) -> Sequence[AuditEvent]:
        """Newest first, ``limit`` rows older than ``before_id`` (keyset pages)."""
        statement = self._filtered(found)
        if before_id is not None:
            statement = statement.where(AuditEvent.id < before_id)
        statement = statement.order_by(AuditEvent.id.desc()).limit(limit)
        return (await self.session.scalars(statement)).all()

    async def actions(self) -> Sequence[str]:
        statement = select(AuditEvent.action).distinct().order_by(AuditEvent.action)
        return (await self.session.scalars(statement)).all()
