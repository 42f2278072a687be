"""Per-key rate limits: 429 RATE_LIMIT_EXCEEDED with Retry-After, embedded and on Redis."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import httpx
import pytest

from openkyc.app import create_app
from openkyc.config import Settings
from openkyc.state import AppState, build_state
from tests.support import MerchantInfo, SignedApi

REDIS_URL = os.environ.get("OPENKYC_TEST_REDIS_URL")
BACKENDS = ["memory"] + (["redis"] if REDIS_URL else [])


@pytest.fixture(params=BACKENDS)
async def limited_state(
    request: pytest.FixtureRequest, settings: Settings, state: AppState
) -> AsyncIterator[AppState]:
    overrides: dict[str, object] = {"rate_limit": "3/minute"}
    if request.param == "redis":
        overrides["redis_url"] = REDIS_URL
    limited = build_state(settings.model_copy(update=overrides))
    await limited.rate_limiter.reset()
    try:
        yield limited
    finally:
        await limited.rate_limiter.reset()
        await limited.close()


async def test_fourth_request_in_a_minute_is_limited(
    limited_state: AppState, merchant: MerchantInfo
) -> None:
    app = create_app(state=limited_state)
    app.state.openkyc = limited_state
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        api = SignedApi(http, merchant.test)
        for _ in range(3):
            assert (await api.get("/api/v2/kyc/sessions")).status_code == 200
        limited = await api.get("/api/v2/kyc/sessions")
        assert limited.status_code == 429
        assert limited.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        # The limit is per key: the live key of the same merchant is unaffected.
        assert (await SignedApi(http, merchant.live).get("/api/v2/kyc/sessions")).status_code == 200


async def test_replay_guard_is_shared_through_redis(settings: Settings, state: AppState) -> None:
    if not REDIS_URL:
        pytest.skip("OPENKYC_TEST_REDIS_URL not set")
    first = build_state(settings.model_copy(update={"redis_url": REDIS_URL}))
    second = build_state(settings.model_copy(update={"redis_url": REDIS_URL}))
    try:
        fingerprint = os.urandom(8).hex()
        assert await first.replay_guard.first_time(fingerprint, ttl_s=10)
        assert not await second.replay_guard.first_time(fingerprint, ttl_s=10)
    finally:
        await first.close()
        await second.close()
