"""How a CLI command gets its resources: settings, state, and one unit of work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.state import AppState, build_state

T = TypeVar("T")


@asynccontextmanager
async def command_state(settings: Settings | None = None) -> AsyncIterator[AppState]:
    state = build_state(settings or Settings())
    try:
        yield state
    finally:
        await state.close()


def run_in_transaction(work: Callable[[AsyncSession, AppState], Awaitable[T]]) -> T:
    async def main() -> T:
        async with command_state() as state, unit_of_work(state.sessionmaker) as session:
            return await work(session, state)

    return asyncio.run(main())
