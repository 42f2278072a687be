"""Per-API-key rate limits with the ``limits`` library: in memory embedded, Redis in production."""

from __future__ import annotations

import math
import time

from limits import parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from openkyc.errors import RateLimited


class KeyRateLimiter:
    def __init__(self, rate: str, redis_url: str | None = None) -> None:
        self._item = parse(rate)
        storage: Storage
        if redis_url:
            uri = redis_url.replace("redis://", "async+redis://", 1)
            storage = RedisStorage(uri, implementation="redispy")
        else:
            storage = MemoryStorage()
        self._storage = storage
        self._limiter = MovingWindowRateLimiter(storage)

    async def check(self, key: str) -> None:
        if await self._limiter.hit(self._item, "api-key", key):
            return
        stats = await self._limiter.get_window_stats(self._item, "api-key", key)
        raise RateLimited(retry_after_s=math.ceil(stats.reset_time - time.time()))

    async def reset(self) -> None:
        await self._storage.reset()

    async def close(self) -> None:
        # limits exposes no close(); its redis-py client sits on the bridge, and an unclosed
        # pool leaks a socket per process restart in tests and per reload in production.
        client = getattr(getattr(self._storage, "bridge", None), "storage", None)
        if client is not None:
            await client.aclose(close_connection_pool=True)
