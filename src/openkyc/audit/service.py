from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.audit import chain
from openkyc.audit.models import AuditEvent
from openkyc.audit.repository import AuditFilter, AuditRepository

# Imported for its effect: every session seals the audit rows it adds when it commits.
chain.install()


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

    async def search(
        self, found: AuditFilter, *, limit: int = 100, before_id: int | None = None
    ) -> Sequence[AuditEvent]:
        return await self.repository.search(found, limit=limit, before_id=before_id)

    async def actions(self) -> Sequence[str]:
        return await self.repository.actions()

    async def history(self, subject_type: str, subject_id: str) -> Sequence[AuditEvent]:
        return await self.repository.for_subject(subject_type, subject_id)

    async def verify_chain(self, *, batch: int = 2000) -> chain.ChainReport:
        """Walks the whole chain; names the first row that does not fit."""
        checker = chain.ChainChecker()
        after = 0
        while True:
            rows = await self.repository.chain_page(after, batch)
            for row in rows:
                if not checker.feed(row):
                    return checker.report()
            if len(rows) < batch:
                break
            after = rows[-1].chain_seq or after
            # Rows are read once: the identity map must not grow with the whole log (call
            # this in a unit of work of its own).
            self.session.expunge_all()
        for row_id in await self.repository.outside_chain():
            checker.outside(row_id)
            break
        return checker.report()
