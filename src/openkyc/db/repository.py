"""The base every domain repository extends: every query lives in a repository."""

from __future__ import annotations

from typing import Any, Generic, TypeVar
from uuid import UUID

from sqlalchemy import Select, inspect, update
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

    async def _first_locked(self, key: Any, statement: Select[M]) -> M | None:
        """The first row of ``statement`` read under the row's write lock, fresh from the
        database (not the identity map's copy, which may predate the lock)."""
        await self._take_sqlite_write_lock(key)
        locked = statement.with_for_update().execution_options(populate_existing=True)
        return (await self.session.scalars(locked)).first()

    async def _take_sqlite_write_lock(self, key: Any) -> None:
        """SQLite ignores FOR UPDATE, and its driver opens a transaction only at the first
        write, so two requests could both read "not submitted yet" before either wrote (seen
        in CI: a double submit started two runs). A no-op write on the row, as the first
        statement, makes SQLite take its write lock now, waiting for the other writer to
        commit, so what we read next is current and stays so until we commit."""
        if self.session.get_bind().dialect.name != "sqlite":
            return
        mapper = inspect(self.model)
        (primary,) = mapper.primary_key
        # A column no trigger, foreign key or on-update default reacts to.
        inert = next(
            column
            for column in mapper.columns
            if not column.primary_key and not column.foreign_keys and column.onupdate is None
        )
        statement = (
            update(self.model)
            .where(primary == key)
            .values({inert.key: inert})
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(statement)
