"""The base every domain repository extends: every query lives in a repository."""

from __future__ import annotations

from typing import Generic, TypeVar
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.db.base import Base

M = TypeVar("M", bound=Base)


class Repository(Generic[M]):
    model: type[M]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, id_: UUID) -> M | None:
        return await self.session.get(self.model, id_)

    async def add(self, obj: M) -> M:
        self.session.add(obj)
        await self.session.flush()
        return obj
