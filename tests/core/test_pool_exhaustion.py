"""When every database connection of a process stays busy past the pool timeout, callers are
told to try again (503 SERVICE_BUSY with Retry-After) instead of getting a 500."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text

from openkyc.config import Settings
from openkyc.state import AppState
from tests.support import SignedApi


@pytest.fixture
def settings(settings: Settings, database_url: str) -> Settings:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers instead of pooling connections")
    return settings.model_copy(
        update={"database_pool_size": 1, "database_max_overflow": 0, "database_pool_timeout_s": 0.5}
    )


async def test_an_exhausted_pool_answers_503_try_again(
    state: AppState, api: SignedApi, client: httpx.AsyncClient
) -> None:
    async with state.engine.connect() as held:  # the process's only connection
        await held.execute(text("SELECT 1"))
        answer = await api.get("/api/v2/kyc/sessions")
        assert answer.status_code == 503, answer.text
        assert answer.headers["retry-after"] == "5"
        assert answer.json()["error"]["code"] == "SERVICE_BUSY"
    assert (await api.get("/api/v2/kyc/sessions")).status_code == 200
