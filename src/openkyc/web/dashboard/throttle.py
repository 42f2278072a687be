"""Sign-in throttling beside the per-account lock-out kept on the operator's row: failures per
client IP, and failures per unknown e-mail (so an unknown address locks exactly like a known
one and the lock-out message does not reveal which accounts exist). ``limits``: in memory when
embedded, Redis when OPENKYC_REDIS_URL is set so every process shares the counts."""

from __future__ import annotations

import hashlib
import math
import time

from fastapi import Request
from limits import RateLimitItem, RateLimitItemPerMinute, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from openkyc.config import Settings


class LoginThrottle:
    def __init__(self, settings: Settings) -> None:
        storage: Storage
        if settings.redis_url:
            uri = settings.redis_url.replace("redis://", "async+redis://", 1)
            storage = RedisStorage(uri, implementation="redispy")
        else:
            storage = MemoryStorage()
        self._storage = storage
        self._limiter = MovingWindowRateLimiter(storage)
        self._per_ip = parse(settings.dashboard_login_ip_limit)
        self._per_unknown: RateLimitItem = RateLimitItemPerMinute(
            settings.dashboard_max_failed_logins, settings.dashboard_lockout_minutes
        )

    async def ip_retry_after(self, ip: str) -> int | None:
        """Seconds until ``ip`` may try again, or None while it is under its limit."""
        if await self._limiter.test(self._per_ip, "dashboard-login-ip", ip):
            return None
        stats = await self._limiter.get_window_stats(self._per_ip, "dashboard-login-ip", ip)
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def ip_failed(self, ip: str) -> None:
        await self._limiter.hit(self._per_ip, "dashboard-login-ip", ip)

    async def unknown_email_failed(self, email: str) -> bool:
        """Counts a failure for an address with no account; True when it is now "locked"."""
        key = hashlib.sha256(email.strip().lower().encode()).hexdigest()
        allowed = await self._limiter.hit(self._per_unknown, "dashboard-login-unknown", key)
        still = await self._limiter.test(self._per_unknown, "dashboard-login-unknown", key)
        return not (allowed and still)

    async def close(self) -> None:
        client = getattr(getattr(self._storage, "bridge", None), "storage", None)
        if client is not None:
            await client.aclose(close_connection_pool=True)


def throttle_of(request: Request) -> LoginThrottle:
    throttle: LoginThrottle | None = getattr(request.app.state, "dashboard_throttle", None)
    if throttle is None:
        throttle = LoginThrottle(request.app.state.openkyc.settings)
        request.app.state.dashboard_throttle = throttle
    return throttle
