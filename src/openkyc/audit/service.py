from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.audit.models import AuditEvent
from openkyc.audit.repository import AuditRepository


class AuditService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repository = AuditRepository(session)

    async def record(
        self,
        *,
        action: str,
        actor_type: str,
        subject_type: str,
        subject_id: str,
        merchant_id: uuid.UUID | None = None,
        actor_id: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> AuditEvent:
        # Added, not flushed: the row goes out with the caller's next flush or commit, which
        # saves a round trip on every audited request.
        event = AuditEvent(
            action=action,
            actor_type=actor_type,
            actor_id=actor_id,
            subject_type=subject_type,
            subject_id=subject_id,
            merchant_id=merchant_id,
            data=data or {},
        )
        self.session.add(event)
        return event

    async def history(self, subject_type: str, subject_id: str) -> Sequence[AuditEvent]:
        return await self.repository.for_subject(subject_type, subject_id)
