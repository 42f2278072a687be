"""The Huey adapter: one queue per process, built from settings.

Embedded (no OPENKYC_REDIS_URL): SqliteHuey in the data dir, so one process needs no server.
Production: RedisHuey, shared by every API process and worker machine. Jobs carry ids only;
the database stays the source of truth, so a lost job costs latency (the sweep re-enqueues
it), never a decision or a webhook.
"""

from __future__ import annotations

import logging
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey

from openkyc.config import Settings
from openkyc.worker import tasks
from openkyc.worker.runtime import WorkerRuntime

logger = logging.getLogger("openkyc.worker")

# Retries cover a job that raised (database briefly down...); the claim makes them harmless.
_RETRIES = 3
_RETRY_DELAY_S = 5


class JobQueue:
    """Names to Huey tasks; ``enqueue`` is the only way jobs enter the queue."""

    def __init__(self, huey: Huey, runtime: WorkerRuntime) -> None:
        self.huey = huey
        self.runtime = runtime
        self._tasks: dict[str, Any] = {}
        runtime.queue = self
        for name, job in tasks.JOBS.items():
            self._tasks[name] = huey.task(retries=_RETRIES, retry_delay=_RETRY_DELAY_S, name=name)(
                runtime.bind(job)
            )

        # A starting process first frees what its host's dead workers held (worker/leases.py),
        # then each worker (thread or process) loads the models before its first job.
        huey.on_startup("openkyc.reclaim")(runtime.reclaim)
        huey.on_startup("openkyc.warm")(runtime.warm)
        huey.on_shutdown("openkyc.close")(runtime.close_thread)

    def enqueue(self, name: str, *ids: str, delay_s: float | None = None) -> None:
        task = self._tasks[name]
        if delay_s and delay_s > 0:
            task.schedule(args=ids, delay=delay_s)
        else:
            task(*ids)

    def pending(self) -> int:
        return int(self.huey.pending_count())

    def scheduled(self) -> int:
        return int(self.huey.scheduled_count())


def build_huey(settings: Settings) -> Huey:
    if settings.redis_url:
        return RedisHuey(name="openkyc", url=settings.redis_url, results=False, utc=True)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(
        name="openkyc",
        filename=str((settings.data_dir / "queue.db").resolve()),
        results=False,
        utc=True,
        timeout=30,
    )


def build_queue(settings: Settings) -> JobQueue:
    return JobQueue(build_huey(settings), WorkerRuntime(settings))
