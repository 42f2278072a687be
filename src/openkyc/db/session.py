"""Units of work. The edge (request, CLI command, job) owns the transaction; services only flush.

Work that must follow a commit (enqueueing a job) is registered with :func:`after_commit` and
runs only once the transaction has committed, so a worker never sees a row that does not
exist yet and a rolled-back request never leaves a job behind.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from openkyc.errors import ServiceBusy

AsyncSessionMaker = async_sessionmaker[AsyncSession]
AfterCommit = Callable[[], Awaitable[None] | None]

_HOOKS_KEY = "openkyc.after_commit"


def after_commit(session: AsyncSession, hook: AfterCommit) -> None:
    session.info.setdefault(_HOOKS_KEY, []).append(hook)


@asynccontextmanager
async def unit_of_work(sessionmaker: AsyncSessionMaker) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException as exc:
            await session.rollback()
            session.info.pop(_HOOKS_KEY, None)
            if isinstance(exc, PoolTimeout):
                raise ServiceBusy() from exc
            raise
        hooks: list[AfterCommit] = session.info.pop(_HOOKS_KEY, [])
        for hook in hooks:
            result = hook()
            if result is not None:
                await result
