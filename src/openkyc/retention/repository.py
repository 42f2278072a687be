"""The queries that find data past its retention period."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.sessions.models import KycSession, SessionStatus
from openkyc.verifications.models import FaceEmbedding


def _final_before(cutoff: datetime) -> ColumnElement[bool]:
    """Decided before the cutoff, or expired (never decided) with a deadline before it.
    Two branches, so each can use its own index."""
    return and_(
        KycSession.legal_hold.is_(False),
        or_(
            and_(KycSession.decided_at.is_not(None), KycSession.decided_at <= cutoff),
            and_(
                KycSession.status == SessionStatus.EXPIRED.value,
                KycSession.decided_at.is_(None),
                KycSession.expires_at <= cutoff,
            ),
        ),
    )


class RetentionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def media_due(self, cutoff: datetime, limit: int) -> Sequence[KycSession]:
        statement = (
            select(KycSession)
            .where(_final_before(cutoff), KycSession.media_erased_at.is_(None))
            .limit(limit)
            # Several sweeps (one per worker machine) share the rows on PostgreSQL.
            .with_for_update(skip_locked=True)
        )
        return (await self.session.scalars(statement)).all()

    async def records_due(self, cutoff: datetime, limit: int) -> Sequence[KycSession]:
        statement = (
            select(KycSession)
            .where(_final_before(cutoff), KycSession.redacted_at.is_(None))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.scalars(statement)).all()

    async def embeddings_due(self, cutoff: datetime, limit: int) -> Sequence[uuid.UUID]:
        statement = (
            select(FaceEmbedding.session_id)
            .join(KycSession, KycSession.id == FaceEmbedding.session_id)
            .where(_final_before(cutoff))
            .limit(limit)
        )
        return (await self.session.scalars(statement)).all()
