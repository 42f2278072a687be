"""The hosted page's limits hold per session and per IP, in memory and in Redis."""

from __future__ import annotations

import secrets

import pytest

from openkyc.config import Settings
from openkyc.errors import RateLimited
from openkyc.web.hosted.ratelimit import HostedRateLimiter


@pytest.mark.parametrize("redis_url", [None, "redis://127.0.0.1:6379/0"])
async def test_limits_count_per_key(settings: Settings, redis_url: str | None) -> None:
    limited = settings.model_copy(
        update={
            "redis_url": redis_url,
            "hosted_rate_limit_session": "2/minute",
            "hosted_rate_limit_ip": "3/minute",
        }
    )
    limiter = HostedRateLimiter(limited)
    session, ip = secrets.token_hex(8), f"10.0.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    try:
        await limiter.check_session(session)
        await limiter.check_session(session)
        with pytest.raises(RateLimited) as raised:
            await limiter.check_session(session)
        assert raised.value.retry_after_s >= 1
        await limiter.check_session(secrets.token_hex(8))  # another session is not affected
        for _ in range(3):
            await limiter.check_ip(ip)
        with pytest.raises(RateLimited):
            await limiter.check_ip(ip)
    finally:
        await limiter.close()
