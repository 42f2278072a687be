"""Embedded mode: ``openkyc serve``'s process runs the worker threads and the sweep."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import httpx
import pytest

from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.sessions.models import KycSession
from openkyc.state import AppState
from tests.support import LiveServer, MerchantInfo, signed_headers
from tests.verifications.factories import capture, submit
from tests.webhooks.receiver import Receiver


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"run_worker_in_process": True})


async def _visible(state: AppState, session_id: uuid.UUID) -> None:
    for _ in range(100):
        async with unit_of_work(state.sessionmaker) as db:
            if await db.get(KycSession, session_id) is not None:
                return
        await asyncio.sleep(0.02)
    raise AssertionError("the created session never became visible")


async def test_submit_to_webhook_in_one_process(
    state: AppState, live_server: LiveServer, merchant: MerchantInfo, receiver: Receiver
) -> None:
    async with httpx.AsyncClient(base_url=live_server.base_url) as http:

        async def call(method: str, path: str, body: object = None) -> httpx.Response:
            raw = json.dumps(body).encode() if body is not None else b""
            headers = signed_headers(merchant.test, method, path, raw)
            headers["content-type"] = "application/json"
            return await http.request(method, path, content=raw, headers=headers)

        hook = await call(
            "POST", "/api/v2/webhooks", {"url": receiver.url, "events": ["kyc.completed"]}
        )
        assert hook.status_code == 201, hook.text
        created = (await call("POST", "/api/v2/kyc/sessions", {"language": "en"})).json()
        session_id = created["session"]["id"]

        # The API commits after its response is sent (FastAPI runs a yield dependency's exit
        # after the response by default): wait until the session row is visible.
        await _visible(state, uuid.UUID(session_id))
        await capture(state, uuid.UUID(session_id))
        started = time.monotonic()
        await submit(state, uuid.UUID(session_id))
        (request,) = await asyncio.to_thread(receiver.wait_for, 1, 15)
        elapsed = time.monotonic() - started

        session = (await call("GET", f"/api/v2/kyc/sessions/{session_id}")).json()["session"]
    assert session["status"] == "APPROVED"
    assert request.json()["data"] == session
    assert elapsed < 5, elapsed
