from __future__ import annotations

import uuid

from sqlalchemy import select

from openkyc.db.repository import Repository
from openkyc.flows.models import HostedFlow


class FlowRepository(Repository[HostedFlow]):
    model = HostedFlow

    async def get_for_session(self, session_id: uuid.UUID) -> HostedFlow | None:
        statement = select(HostedFlow).where(HostedFlow.session_id == session_id)
        return (await self.session.scalars(statement)).first()

    async def get_for_update(self, session_id: uuid.UUID) -> HostedFlow | None:
        # Two tabs cannot both advance the same flow.
        return await self._first_locked(
            session_id, select(HostedFlow).where(HostedFlow.session_id == session_id)
        )

    async def challenge_of(self, session_id: uuid.UUID) -> str | None:
        statement = select(HostedFlow.challenge_json).where(HostedFlow.session_id == session_id)
        return await self.session.scalar(statement)
