"""Media in a real S3-protocol bucket, and the bucket going away in the middle of a flow:
the customer is told to try again (503), nothing already committed is lost, and the same
upload succeeds once the bucket is back. ``/readyz`` names the storage as what is down."""

from __future__ import annotations

import httpx
import pytest

from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.media.service import MediaService
from openkyc.state import AppState
from openkyc.storage.interface import ObjectStorage
from openkyc.storage.s3 import S3Storage
from tests.s3server import S3Server
from tests.storage.test_contract import s3_storage
from tests.support import free_port
from tests.web.conftest import Customer, flow_of, selfie_frames


@pytest.fixture
def settings(settings: Settings, s3_server: S3Server) -> Settings:
    return s3_server.apply(settings, s3_server.new_bucket())


def outage(state: AppState) -> ObjectStorage:
    """Point the app at a bucket endpoint where nothing listens; returns the real storage."""
    real = state.storage
    state.storage = s3_storage(f"http://127.0.0.1:{free_port()}", "x", max_attempts=2)
    return real


async def test_an_upload_during_an_outage_asks_to_try_again_and_loses_nothing(
    customer: Customer, state: AppState, client: httpx.AsyncClient
) -> None:
    assert isinstance(state.storage, S3Storage)
    await customer.consent()
    await customer.choose()
    await customer.capture()  # the document photo is committed to the bucket
    assert (await client.get("/readyz")).json()["checks"]["storage"] == "ok"

    real = outage(state)
    try:
        answer = await customer.upload_selfie(frames=3, json=True)
        assert answer.status_code == 503
        assert answer.headers["retry-after"]
        assert answer.json()["error"]["code"] == "STORAGE_UNAVAILABLE"
        assert "send it again" in answer.json()["error"]["message"]
        ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"] == {
            "database": "ok",
            "queue": "ok",
            "storage": "unavailable",
        }
    finally:
        await state.storage.close()
        state.storage = real

    flow = await flow_of(state, customer.session_id)
    assert flow is not None
    assert flow.step == "selfie"
    assert await selfie_frames(state, customer.session_id) == 0
    async with unit_of_work(state.sessionmaker) as db:
        media = MediaService(db, state)
        (front,) = await media.list_for_session(flow.session_id)
        assert (await media.read(front, actor_type="system"))[:2] == b"\xff\xd8"

    again = await customer.upload_selfie(frames=3, json=True)
    assert again.status_code == 200
    assert again.json()["accepted"]
    assert await selfie_frames(state, customer.session_id) == 3


async def test_a_form_upload_during_an_outage_shows_the_message_on_the_page(
    customer: Customer, state: AppState
) -> None:
    await customer.consent()
    await customer.choose()
    real = outage(state)
    try:
        for _ in range(3):  # the instant check may refuse a synthetic photo twice
            answer = await customer.upload_document()
            if "error=" in answer.headers["location"]:
                break
    finally:
        await state.storage.close()
        state.storage = real
    assert answer.status_code == 303
    assert answer.headers["location"].endswith("?error=storage_unavailable")
    page = await customer.open("?error=storage_unavailable")
    assert "send it again" in page.text
