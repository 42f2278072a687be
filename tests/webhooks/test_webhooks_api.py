"""Registration over the signed API: validation, tenant scoping, the error envelope."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import MerchantInfo, SignedApi

HOOK = "http://127.0.0.1:9/hook"


async def _create(api: SignedApi, **body: Any) -> dict[str, Any]:
    response = await api.post(
        "/api/v2/webhooks", json_body={"url": HOOK, "events": ["kyc.completed"], **body}
    )
    assert response.status_code == 201, response.text
    webhook: dict[str, Any] = response.json()["webhook"]
    return webhook


async def test_create_returns_the_secret_once_and_lists_without_it(api: SignedApi) -> None:
    created = await _create(api, events=["kyc.completed", "kyc.failed"])
    assert created["secret"].startswith("whsec_")
    assert created["events"] == ["kyc.completed", "kyc.failed"]
    assert created["active"] is True

    listed = (await api.get("/api/v2/webhooks")).json()
    assert listed["success"] is True
    assert [item["id"] for item in listed["data"]] == [created["id"]]
    assert "secret" not in listed["data"][0]
    one = (await api.get(f"/api/v2/webhooks/{created['id']}")).json()["webhook"]
    assert "secret" not in one
    assert one["url"] == HOOK


async def test_a_chosen_secret_is_kept(api: SignedApi) -> None:
    created = await _create(api, secret="whsec_my-own-secret-123")
    assert created["secret"] == "whsec_my-own-secret-123"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"events": ["kyc.completed"]}, "url"),
        ({"url": HOOK}, "events"),
        ({"url": HOOK, "events": []}, "events"),
        ({"url": HOOK, "events": ["invoice.paid"]}, "events"),
        ({"url": HOOK, "events": "kyc.completed"}, "events"),
        ({"url": "http://10.0.0.1/hook", "events": ["kyc.completed"]}, "url"),
        ({"url": "ftp://x/hook", "events": ["kyc.completed"]}, "url"),
        ({"url": 5, "events": ["kyc.completed"]}, "url"),
        ({"url": HOOK, "events": ["kyc.completed"], "secret": "short"}, "secret"),
    ],
)
async def test_invalid_registrations_are_400_in_the_envelope(
    api: SignedApi, body: dict[str, Any], field: str
) -> None:
    response = await api.post("/api/v2/webhooks", json_body=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert response.json()["success"] is False
    assert error["code"] == "VALIDATION_ERROR"
    assert field in error["fields"]
    assert error["requestId"]


async def test_malformed_json_is_400(api: SignedApi) -> None:
    response = await api.post("/api/v2/webhooks", content=b"{nope")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_unsigned_requests_are_refused(client: Any) -> None:
    response = await client.get("/api/v2/webhooks")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "MISSING_HEADERS"


async def test_patch_updates_and_delete_removes(api: SignedApi) -> None:
    created = await _create(api)
    path = f"/api/v2/webhooks/{created['id']}"
    response = await api.request(
        "PATCH", path, json_body={"events": ["kyc.failed", "kyc.expired"], "active": False}
    )
    assert response.status_code == 200, response.text
    updated = response.json()["webhook"]
    assert updated["events"] == ["kyc.failed", "kyc.expired"]
    assert updated["active"] is False
    assert updated["disabledReason"] == "merchant"

    bad = await api.request("PATCH", path, json_body={"active": "yes"})
    assert bad.status_code == 400

    assert (await api.request("DELETE", path)).json() == {"success": True}
    gone = await api.get(path)
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "NOT_FOUND"


async def test_other_tenants_ids_are_404(
    api: SignedApi, make_merchant: Any, merchant: MerchantInfo
) -> None:
    created = await _create(api)
    path = f"/api/v2/webhooks/{created['id']}"
    other = await make_merchant("Other")
    for pair in (other.test, merchant.live):  # another merchant, and the same merchant's live key
        assert (await api.get(path, pair=pair)).status_code == 404
        assert (await api.request("DELETE", path, pair=pair)).status_code == 404
        assert (await api.get(f"{path}/deliveries", pair=pair)).status_code == 404
        listed = (await api.get("/api/v2/webhooks", pair=pair)).json()["data"]
        assert listed == []
    assert (await api.get("/api/v2/webhooks/not-a-uuid")).status_code == 404
    assert (await api.post(f"{path}/deliveries/not-a-uuid/resend")).status_code == 404


async def test_deliveries_pagination_is_validated(api: SignedApi) -> None:
    created = await _create(api)
    response = await api.get(f"/api/v2/webhooks/{created['id']}/deliveries", params={"limit": "0"})
    assert response.status_code == 400
    ok = await api.get(f"/api/v2/webhooks/{created['id']}/deliveries")
    assert ok.json()["data"] == []
    assert ok.json()["pagination"]["total"] == 0
