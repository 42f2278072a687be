from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select, update

from openkyc.db.repository import Repository
from openkyc.merchants.models import Merchant
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


@dataclass(frozen=True, slots=True)
class SessionQuery:
    """An operator's search: every field optional, all of them must hold. ``hashes`` maps a
    search-hash column (email_hash, phone_hash, document_hash) to the probes to match."""

    merchant_ids: frozenset[uuid.UUID] | None = None
    status: SessionStatus | None = None
    merchant_id: uuid.UUID | None = None
    mode: str | None = None
    created_from: datetime | None = None
    created_before: datetime | None = None
    session_id: uuid.UUID | None = None
    customer_id: str | None = None
    hashes: tuple[tuple[str, tuple[str, ...]], ...] = ()


class SessionSearchRepository(Repository[KycSession]):
    model = KycSession

    async def search(
        self, query: SessionQuery, *, now: datetime, limit: int, offset: int
    ) -> tuple[Sequence[tuple[KycSession, str]], int]:
        """Matching sessions with their merchant's name, newest first, and the total."""
        conditions: list[ColumnElement[bool]] = []
        if query.merchant_ids is not None:
            conditions.append(KycSession.merchant_id.in_(query.merchant_ids))
        if query.status is not None:
            conditions.append(_effective_status_is(query.status, now))
        if query.merchant_id is not None:
            conditions.append(KycSession.merchant_id == query.merchant_id)
        if query.mode is not None:
            conditions.append(KycSession.mode == query.mode)
        if query.created_from is not None:
            conditions.append(KycSession.created_at >= query.created_from)
        if query.created_before is not None:
            conditions.append(KycSession.created_at < query.created_before)
        if query.session_id is not None:
            conditions.append(KycSession.id == query.session_id)
        if query.customer_id is not None:
            conditions.append(KycSession.customer_id == query.customer_id)
        for column, probes in query.hashes:
            conditions.append(getattr(KycSession, column).in_(probes))
        total = await self.session.scalar(
            select(func.count()).select_from(KycSession).where(*conditions)
        )
        statement = (
            select(KycSession, Merchant.name)
            .join(Merchant, Merchant.id == KycSession.merchant_id)
            .where(*conditions)
            .order_by(KycSession.created_at.desc(), KycSession.id.desc())
            .limit(limit)
            .offset(offset)
        )
        rows = [(row[0], row[1]) for row in (await self.session.execute(statement)).all()]
        return rows, int(total or 0)


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
