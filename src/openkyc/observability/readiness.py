"""Readiness: can this process do its work? The database, the queue and the media storage,
each checked on its own with a deadline. ``/readyz`` serves it to load balancers and
``openkyc ready`` to container health checks of processes without HTTP (workers)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from sqlalchemy import text

from openkyc.state import AppState

# Each dependency gets this long to answer; a hung one reads "unavailable", never a hung probe.
READINESS_TIMEOUT_S = 3.0


async def _database(state: AppState) -> None:
    async with state.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


async def _queue(state: AppState) -> None:
    # Huey's calls block (Redis socket, SQLite file): off the event loop.
    await asyncio.to_thread(state.queue.pending)


async def _storage(state: AppState) -> None:
    await state.storage.check()


async def _probe(check: Callable[[AppState], Awaitable[None]], state: AppState) -> str:
    try:
        await asyncio.wait_for(check(state), READINESS_TIMEOUT_S)
    except Exception:  # readiness reports failures, it never raises them
        return "unavailable"
    return "ok"


async def readiness(state: AppState) -> dict[str, str]:
    """``{"database": "ok"|"unavailable", "queue": ..., "storage": ...}``, checked at once."""
    names = ("database", "queue", "storage")
    results = await asyncio.gather(
        *(_probe(check, state) for check in (_database, _queue, _storage))
    )
    return dict(zip(names, results, strict=True))
