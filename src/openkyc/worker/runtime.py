"""How a Huey worker (thread or process) runs our async jobs.

Each worker thread keeps one event loop and one AppState (engine, keyring, storage) for its
whole life, so a job costs a query, not a connection pool. A forked process starts fresh: the
pid check keeps a child from reusing its parent's connections.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from openkyc.config import Settings
from openkyc.db.session import unit_of_work

if TYPE_CHECKING:
    from openkyc.state import AppState
    from openkyc.worker.queue import JobQueue

logger = logging.getLogger("openkyc.worker")

Job = Callable[..., Awaitable[None]]

# Processes (by pid: a forked child starts with its parent's set) that already reclaimed.
_reclaimed_in: set[int] = set()
_reclaim_lock = threading.Lock()


@dataclass
class _ThreadContext:
    pid: int
    loop: asyncio.AbstractEventLoop
    state: AppState


class WorkerRuntime:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.queue: JobQueue | None = None
        self._local = threading.local()

    def bind(self, job: Job) -> Callable[..., None]:
        def run(*ids: str) -> None:
            self.run(job, *ids)

        run.__name__ = job.__name__
        run.__qualname__ = job.__qualname__
        return run

    def run(self, job: Job, *ids: str) -> None:
        context = self._context()
        try:
            context.loop.run_until_complete(job(context.state, *ids))
        except KeyboardInterrupt:
            # The shutdown deadline passed in the middle of this job (the consumer interrupts
            # its workers): hand the run back now rather than when its lease lapses.
            self._hand_back()
            raise

    def _hand_back(self) -> None:
        from openkyc.state import build_state
        from openkyc.verifications.owners import worker_identity
        from openkyc.verifications.service import VerificationService

        owner = worker_identity()  # the same thread that claimed it: the same identity

        async def release() -> int:
            # A fresh state: the interrupted loop's connections may be mid-query.
            state = build_state(self.settings, queue=self.queue)
            try:
                async with unit_of_work(state.sessionmaker) as db:
                    return await VerificationService(db, state).release_all(
                        owner, "worker_shutdown"
                    )
            finally:
                await state.close()

        try:
            returned = asyncio.run(release())
        except Exception:  # the lease still returns it, later
            logger.exception("could not hand back the running job")
            return
        logger.warning("shutdown: running job handed back", extra={"runs": returned})

    def reclaim(self) -> None:
        """Once per process, before the models load: take back dead workers' leases, so
        their jobs go to whichever worker is free instead of waiting for the lease."""
        with _reclaim_lock:
            if os.getpid() in _reclaimed_in:
                return
            _reclaimed_in.add(os.getpid())
        from openkyc.worker.leases import reclaim_from_dead_workers

        try:
            context = self._context()
            context.loop.run_until_complete(reclaim_from_dead_workers(context.state))
        except Exception:  # the lease still lapses on its own; a worker must start anyway
            logger.exception("taking back dead workers' leases failed")

    def warm(self) -> None:
        """Load the pipeline's models before the first job (once per process)."""
        from openkyc.worker.pipeline_provider import get_pipeline

        try:
            get_pipeline(self.settings)
        except Exception:  # a broken model must not kill the worker; jobs will report it
            logger.exception("pipeline warm-up failed")

    def close_thread(self) -> None:
        context: _ThreadContext | None = getattr(self._local, "context", None)
        if context is None or context.pid != os.getpid():
            return
        self._local.context = None
        context.loop.run_until_complete(context.state.close())
        context.loop.close()

    def _context(self) -> _ThreadContext:
        context: _ThreadContext | None = getattr(self._local, "context", None)
        if context is None or context.pid != os.getpid():
            from openkyc.state import build_state

            loop = asyncio.new_event_loop()
            context = _ThreadContext(
                pid=os.getpid(), loop=loop, state=build_state(self.settings, queue=self.queue)
            )
            self._local.context = context
        return context
