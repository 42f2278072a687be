"""Process-wide resources built once at start-up and shared by requests, the CLI and jobs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from openkyc.api.ratelimit import KeyRateLimiter
from openkyc.api.replay import MemoryReplayGuard, RedisReplayGuard, ReplayGuard
from openkyc.config import Settings
from openkyc.db.engine import create_engine, create_sessionmaker
from openkyc.db.session import AsyncSessionMaker
from openkyc.encryption import Keyring
from openkyc.storage.factory import build_storage
from openkyc.storage.interface import ObjectStorage

if TYPE_CHECKING:
    from openkyc.worker.queue import JobQueue


@dataclass
class AppState:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: AsyncSessionMaker
    keyring: Keyring
    replay_guard: ReplayGuard
    rate_limiter: KeyRateLimiter
    storage: ObjectStorage
    # Jobs enqueued after commit go here (SQLite file embedded, Redis in production).
    queue: JobQueue

    async def close(self) -> None:
        await self.replay_guard.close()
        await self.rate_limiter.close()
        await self.storage.close()
        await self.engine.dispose()


def build_keyring(settings: Settings) -> Keyring:
    active, keys = settings.master_keys()
    return Keyring(active, keys)


def build_state(settings: Settings, *, queue: JobQueue | None = None) -> AppState:
    # The embedded database and local media live in the data dir; make sure it exists.
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        settings.resolved_database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_timeout_s=settings.database_pool_timeout_s,
    )
    replay: ReplayGuard
    if settings.redis_url:
        replay = RedisReplayGuard(Redis.from_url(settings.redis_url))
    else:
        replay = MemoryReplayGuard()
    # Imported here: the worker's modules import this one.
    from openkyc.worker.enqueue import bind_queue
    from openkyc.worker.queue import build_queue

    job_queue = queue or build_queue(settings)
    sessionmaker = create_sessionmaker(engine)
    bind_queue(sessionmaker, job_queue)
    return AppState(
        settings=settings,
        engine=engine,
        sessionmaker=sessionmaker,
        keyring=build_keyring(settings),
        replay_guard=replay,
        rate_limiter=KeyRateLimiter(settings.rate_limit, settings.redis_url),
        storage=build_storage(settings),
        queue=job_queue,
    )
