"""In production, IPv6 forms embedding IPv4 are refused at registration (create and PATCH)
and again at delivery."""

from __future__ import annotations

import uuid

import pytest

from openkyc.config import Environment, Settings
from openkyc.webhooks import delivery
from openkyc.webhooks.service import OutgoingRequest
from tests.support import SignedApi

SIX_TO_FOUR_METADATA = "https://[2002:a9fe:a9fe::]/"
SIX_TO_FOUR_LOOPBACK = "https://[2002:7f00:1::]/"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"env": Environment.PRODUCTION})


@pytest.mark.parametrize("url", [SIX_TO_FOUR_METADATA, SIX_TO_FOUR_LOOPBACK])
async def test_create_and_patch_refuse_6to4_targets(api: SignedApi, url: str) -> None:
    refused = await api.post(
        "/api/v2/webhooks", json_body={"url": url, "events": ["kyc.completed"]}
    )
    assert refused.status_code == 400, refused.text
    assert "url" in refused.json()["error"]["fields"]

    created = await api.post(
        "/api/v2/webhooks",
        json_body={"url": "https://93.184.216.34/hook", "events": ["kyc.completed"]},
    )
    assert created.status_code == 201, created.text
    path = f"/api/v2/webhooks/{created.json()['webhook']['id']}"
    patched = await api.request("PATCH", path, json_body={"url": url})
    assert patched.status_code == 400, patched.text
    assert "url" in patched.json()["error"]["fields"]
    assert (await api.get(path)).json()["webhook"]["url"] == "https://93.184.216.34/hook"


async def test_delivery_refuses_a_6to4_target() -> None:
    request = OutgoingRequest(
        delivery_id=uuid.uuid4(),
        endpoint_id=uuid.uuid4(),
        url=SIX_TO_FOUR_METADATA,
        secret="whsec_test-secret-0123456789",
        event_id="evt_1",
        envelope={"id": "evt_1", "event": "kyc.completed"},
        retry_count=0,
    )
    result = await delivery.send(request, production=True, timeout_s=2, user_agent="t")
    assert result.status_code is None
    assert result.error is not None
    assert result.error.startswith("refused target")
