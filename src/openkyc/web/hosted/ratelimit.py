"""Rate limits of the hosted page, per session and per client IP (``limits``: in memory
when embedded, Redis when OPENKYC_REDIS_URL is set so every process shares the counts)."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from openkyc.config import Settings
from openkyc.errors import RateLimited


class HostedRateLimiter:
    def __init__(self, settings: Settings) -> None:
        storage: Storage
        if settings.redis_url:
            uri = settings.redis_url.replace("redis://", "async+redis://", 1)
            storage = RedisStorage(uri, implementation="redispy")
        else:
            storage = MemoryStorage()
        self._storage = storage
        self._limiter = MovingWindowRateLimiter(storage)
        self._per_session = parse(settings.hosted_rate_limit_session)
        self._per_ip = parse(settings.hosted_rate_limit_ip)

    async def check_session(self, session_id: str) -> None:
        await self._hit(self._per_session, "hosted-session", session_id)

    async def check_ip(self, ip: str) -> None:
        await self._hit(self._per_ip, "hosted-ip", ip)

    async def _hit(self, item: RateLimitItem, namespace: str, key: str) -> None:
        if await self._limiter.hit(item, namespace, key):
            return
        stats = await self._limiter.get_window_stats(item, namespace, key)
        raise RateLimited(retry_after_s=math.ceil(stats.reset_time - time.time()))

    async def close(self) -> None:
        client = getattr(getattr(self._storage, "bridge", None), "storage", None)
        if client is not None:
            await client.aclose(close_connection_pool=True)
