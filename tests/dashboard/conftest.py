"""Dashboard fixtures: operators of each role, and a second client for a second browser."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from openkyc.app import create_app
from openkyc.state import AppState
from tests.dashboard.support import OperatorInfo, create_operator


@pytest.fixture
def make_operator(state: AppState) -> Any:
    """Factory: ``await make_operator(role="admin", merchant_ids=[...])`` -> OperatorInfo."""

    async def factory(**kwargs: Any) -> OperatorInfo:
        info, _ = await create_operator(state, **kwargs)
        return info

    return factory


@pytest.fixture
async def admin(make_operator: Any) -> OperatorInfo:
    result: OperatorInfo = await make_operator(role="admin")
    return result


@pytest.fixture
async def reviewer(make_operator: Any) -> OperatorInfo:
    result: OperatorInfo = await make_operator(role="reviewer")
    return result


@pytest.fixture
async def auditor(make_operator: Any) -> OperatorInfo:
    result: OperatorInfo = await make_operator(role="auditor")
    return result


@pytest.fixture
def client(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """The shared client, reading the dashboard in English (the tests match its texts)."""
    client.headers["accept-language"] = "en"
    return client


@pytest.fixture
async def other_browser(state: AppState) -> AsyncIterator[httpx.AsyncClient]:
    """A second, independent cookie jar on the same app."""
    app = create_app(state=state)
    app.state.openkyc = state
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers={"accept-language": "en"}
    ) as http:
        yield http
