from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from openkyc.audit.models import AuditEvent
from openkyc.db.repository import Repository


class AuditRepository(Repository[AuditEvent]):
    model = AuditEvent

    async def for_subject(self, subject_type: str, subject_id: str) -> Sequence[AuditEvent]:
        statement = (
            select(AuditEvent)
            .where(AuditEvent.subject_type == subject_type, AuditEvent.subject_id == subject_id)
            .order_by(AuditEvent.id)
        )
        return (await self.session.scalars(statement)).all()
