"""Enqueue after commit: a job never runs against a row that is not committed yet, and a
rolled-back transaction leaves no job behind. A failed enqueue is logged, not raised: the row
is committed and the periodic sweep will find it."""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.db.session import AsyncSessionMaker, after_commit

if TYPE_CHECKING:
    from openkyc.worker.queue import JobQueue

logger = logging.getLogger("openkyc.worker")

QUEUE_KEY = "openkyc.queue"


def bind_queue(sessionmaker: AsyncSessionMaker, queue: JobQueue) -> None:
    """Every session from this maker knows where its after-commit jobs go."""
    sessionmaker.configure(info={QUEUE_KEY: queue})


def queue_of(db: AsyncSession) -> JobQueue | None:
    queue: JobQueue | None = db.info.get(QUEUE_KEY)
    return queue


def enqueue_after_commit(
    db: AsyncSession, task: str, *ids: uuid.UUID | str, delay_s: float | None = None
) -> None:
    queue = queue_of(db)
    if queue is None:
        logger.warning("no job queue bound; the sweep will pick the job up", extra={"task": task})
        return
    args = tuple(str(value) for value in ids)

    async def hook() -> None:
        await enqueue_now(queue, task, *args, delay_s=delay_s)

    after_commit(db, hook)


async def enqueue_now(queue: JobQueue, task: str, *ids: str, delay_s: float | None = None) -> None:
    try:
        # Huey's storage calls block (SQLite file, Redis socket): keep them off the event loop.
        await asyncio.to_thread(queue.enqueue, task, *ids, delay_s=delay_s)
    except Exception:
        logger.warning("enqueue failed; the sweep will re-enqueue", extra={"task": task})
