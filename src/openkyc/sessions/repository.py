from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select, update

from openkyc.db.repository import Repository
from openkyc.sessions.models import IdempotencyRecord, KycSession, SessionStatus

_OPEN = (SessionStatus.NOT_STARTED.value, SessionStatus.IN_PROGRESS.value)


class SessionRepository(Repository[KycSession]):
    model = KycSession

    async def get_for_tenant(
        self, session_id: uuid.UUID, merchant_id: uuid.UUID, mode: str
    ) -> KycSession | None:
        statement = select(KycSession).where(
            KycSession.id == session_id,
            KycSession.merchant_id == merchant_id,
            KycSession.mode == mode,
        )
        return (await self.session.scalars(statement)).first()

    async def get_for_update(self, session_id: uuid.UUID) -> KycSession | None:
        return await self._first_locked(
            session_id, select(KycSession).where(KycSession.id == session_id)
        )

    async def list_for_tenant(
        self,
        merchant_id: uuid.UUID,
        mode: str,
        *,
        status: SessionStatus | None,
        now: datetime,
        limit: int,
        offset: int,
    ) -> tuple[Sequence[KycSession], int]:
        conditions = [KycSession.merchant_id == merchant_id, KycSession.mode == mode]
        if status is not None:
            conditions.append(_effective_status_is(status, now))
        total = await self.session.scalar(
            select(func.count()).select_from(KycSession).where(*conditions)
        )
        statement = (
            select(KycSession)
            .where(*conditions)
            .order_by(KycSession.created_at.desc(), KycSession.id.desc())
            .limit(limit)
            .offset(offset)
        )
        rows = (await self.session.scalars(statement)).all()
        return rows, int(total or 0)

    async def expire_due(self, now: datetime) -> Sequence[uuid.UUID]:
        """Persist EXPIRED for open, unsubmitted sessions past their deadline; return their ids."""
        statement = (
            update(KycSession)
            .where(
                KycSession.status.in_(_OPEN),
                KycSession.submitted_at.is_(None),
                KycSession.expires_at <= now,
            )
            .values(status=SessionStatus.EXPIRED.value, updated_at=now)
            .returning(KycSession.id)
        )
        result = await self.session.execute(statement)
        return [row[0] for row in result.all()]


def _effective_status_is(status: SessionStatus, now: datetime) -> ColumnElement[bool]:
    """The status a reader sees: an open session past its deadline reads as EXPIRED."""
    due = (KycSession.expires_at <= now) & KycSession.submitted_at.is_(None)
    if status is SessionStatus.EXPIRED:
        return or_(
            KycSession.status == SessionStatus.EXPIRED.value,
            KycSession.status.in_(_OPEN) & due,
        )
    if status.value in _OPEN:
        return (KycSession.status == status.value) & ~due
    return KycSession.status == status.value


class IdempotencyRepository(Repository[IdempotencyRecord]):
    model = IdempotencyRecord

    async def find(self, merchant_id: uuid.UUID, mode: str, key: str) -> IdempotencyRecord | None:
        statement = select(IdempotencyRecord).where(
            IdempotencyRecord.merchant_id == merchant_id,
            IdempotencyRecord.mode == mode,
            IdempotencyRecord.key == key,
        )
        return (await self.session.scalars(statement)).first()
