"""Merchants (admin) in the dashboard: create, disable, keys, webhooks with their delivery log,
the policy with an error beside each bad field; every action through the same services as the
API and the CLI, audited with the operator's id; scoping and roles refuse the rest."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from openkyc.audit.models import AuditEvent
from openkyc.db.session import unit_of_work
from openkyc.merchants.service import MerchantService
from openkyc.state import AppState
from tests.dashboard.support import OperatorInfo, sign_in
from tests.support import KeyPairInfo, MerchantInfo, SignedApi
from tests.verifications.factories import drain
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def _find(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    assert match, pattern
    return match.group(1)


async def _audit(state: AppState) -> list[tuple[str, str | None, dict[str, Any]]]:
    async with unit_of_work(state.sessionmaker) as db:
        rows = (await db.scalars(select(AuditEvent).order_by(AuditEvent.id))).all()
    return [(row.action, row.actor_id, dict(row.data)) for row in rows]


async def test_an_admin_creates_a_merchant_whose_keys_work(
    client: httpx.AsyncClient, state: AppState, admin: OperatorInfo
) -> None:
    csrf = await sign_in(client, admin)
    created = await client.post("/dashboard/merchants", data={"csrf_token": csrf, "name": "Shop"})
    assert created.status_code == 201, created.text
    merchant_id = _find(r'id="merchant-id">([^<]+)<', created.text)
    api_key = _find(r'data-api-key="test">([^<]+)<', created.text)
    secret = _find(r'data-secret-key="test">([^<]+)<', created.text)
    made = await SignedApi(client, KeyPairInfo(api_key, secret)).create_session()
    assert made["status"] == "NOT_STARTED"
    listing = (await client.get("/dashboard/merchants")).text
    assert "Shop" in listing
    assert f'data-merchant="{merchant_id}"' in listing
    assert ("merchant.created", str(admin.id)) in [(a, who) for a, who, _ in await _audit(state)]
    empty = await client.post("/dashboard/merchants", data={"csrf_token": csrf, "name": " "})
    assert empty.status_code == 400
    assert 'id="name-error"' in empty.text


async def test_the_policy_form_names_each_bad_field_and_saves_good_ones(
    client: httpx.AsyncClient, state: AppState, admin: OperatorInfo, merchant: MerchantInfo
) -> None:
    csrf = await sign_in(client, admin)
    path = f"/dashboard/merchants/{merchant.id}"
    page = await client.get(path)
    assert page.status_code == 200
    assert 'name="minimumAge"' in page.text
    bad = await client.post(
        f"{path}/settings",
        data={
            "csrf_token": csrf,
            "name": "Renamed",
            "sessionTtlMinutes": "abc",
            "minimumAge": "200",
            "allowedCountries": "RUS, XX",
            "livenessThreshold": "high",
        },
    )
    assert bad.status_code == 400
    for field in ("sessionTtlMinutes", "policy-livenessThreshold"):
        assert f'id="{field}-error"' in bad.text, field
    # Type errors first; once numbers, the service names the out-of-range values.
    bad = await client.post(
        f"{path}/settings",
        data={"csrf_token": csrf, "name": "Renamed", "minimumAge": "200",
              "allowedCountries": "RUS, XX"},
    )  # fmt: skip
    assert bad.status_code == 400
    assert re.search(
        r'id="policy-minimumAge-error">must be an integer between 0 and 130<', bad.text
    )
    assert 'id="policy-allowedCountries-error"' in bad.text
    assert 'value="Renamed"' in bad.text  # what was typed stays in the form
    async with unit_of_work(state.sessionmaker) as db:
        unchanged = await MerchantService(db, state.keyring).get(uuid.UUID(merchant.id))
        assert (unchanged.name, unchanged.policy) == (merchant.name, {})

    saved = await client.post(
        f"{path}/settings",
        data={"csrf_token": csrf, "name": "Renamed", "sessionTtlMinutes": "45",
              "minimumAge": "21", "allowedCountries": "rus, kaz", "fourEyes": "true"},
    )  # fmt: skip
    assert saved.status_code == 303
    assert "The settings are saved" in (await client.get(saved.headers["location"])).text
    async with unit_of_work(state.sessionmaker) as db:
        updated = await MerchantService(db, state.keyring).get(uuid.UUID(merchant.id))
        assert updated.name == "Renamed"
        assert updated.session_ttl_minutes == 45
        assert updated.policy == {
            "minimumAge": 21,
            "allowedCountries": ["KAZ", "RUS"],
            "fourEyes": True,
        }
    (_, who, data) = [row for row in await _audit(state) if row[0] == "merchant.updated"][-1]
    assert who == str(admin.id)
    assert data["changes"]["sessionTtlMinutes"] == {"from": None, "to": 45}


async def test_disable_enable_and_keys(
    client: httpx.AsyncClient,
    state: AppState,
    admin: OperatorInfo,
    merchant: MerchantInfo,
    api: SignedApi,
) -> None:
    csrf = await sign_in(client, admin)
    path = f"/dashboard/merchants/{merchant.id}"
    assert (await client.post(f"{path}/disable", data={"csrf_token": csrf})).status_code == 303
    refused = await api.post("/api/v2/kyc/sessions", json_body={})
    assert refused.json()["error"]["code"] == "PARTNER_INACTIVE"
    assert (await client.post(f"{path}/enable", data={"csrf_token": csrf})).status_code == 303
    assert (await api.post("/api/v2/kyc/sessions", json_body={})).status_code == 201

    issued = await client.post(
        f"{path}/keys", data={"csrf_token": csrf, "mode": "test", "scopes": ["sessions", "media"]}
    )
    assert issued.status_code == 201
    assert re.search(r'data-secret-key="test">sk_test_\w+<', issued.text)
    no_scope = await client.post(f"{path}/keys", data={"csrf_token": csrf, "mode": "test"})
    assert no_scope.status_code == 400
    assert 'id="scopes-error"' in no_scope.text
    async with unit_of_work(state.sessionmaker) as db:
        keys = await MerchantService(db, state.keyring).list_keys(uuid.UUID(merchant.id))
    media_key = next(key for key in keys if key.scopes == "sessions,media")
    rotated = await client.post(
        f"{path}/keys/{media_key.id}/rotate", data={"csrf_token": csrf, "grace_hours": "2"}
    )
    assert rotated.status_code == 201
    assert "keeps working for 2 hours" in rotated.text
    revoke = await client.post(f"{path}/keys/{media_key.id}/revoke", data={"csrf_token": csrf})
    assert revoke.status_code == 303
    actions = [(a, who) for a, who, _ in await _audit(state)]
    for action in ("merchant.disabled", "merchant.enabled", "api_key.created",
                   "api_key.rotated", "api_key.revoked"):  # fmt: skip
        assert (action, str(admin.id)) in actions, action
    # The live key of the merchant cannot be touched through another merchant's page.
    other = await _other_merchant(state)
    elsewhere = await client.post(
        f"/dashboard/merchants/{other}/keys/{keys[0].id}/revoke", data={"csrf_token": csrf}
    )
    assert elsewhere.status_code == 404


async def _other_merchant(state: AppState) -> uuid.UUID:
    async with unit_of_work(state.sessionmaker) as db:
        created = await MerchantService(db, state.keyring).create("Other")
    return created.merchant.id


async def test_webhooks_their_delivery_log_and_resend(
    client: httpx.AsyncClient,
    state: AppState,
    admin: OperatorInfo,
    merchant: MerchantInfo,
    api: SignedApi,
    receiver: Receiver,
) -> None:
    csrf = await sign_in(client, admin)
    path = f"/dashboard/merchants/{merchant.id}"
    added = await client.post(
        f"{path}/webhooks",
        data={"csrf_token": csrf, "url": receiver.url, "mode": "test",
              "events": ["kyc.completed"]},
    )  # fmt: skip
    assert added.status_code == 201, added.text
    assert re.search(r'id="webhook-secret">whsec_', added.text)
    endpoint_id = re.search(r'data-webhook="([^"]+)"', (await client.get(path)).text).group(1)  # type: ignore[union-attr]
    session_id = (await api.create_session())["id"]
    await api.post(f"/api/v2/kyc/sessions/{session_id}/simulate", json_body={"outcome": "approve"})
    await drain(state)
    receiver.wait_for(1)
    log = await client.get(f"{path}/webhooks/{endpoint_id}")
    assert log.status_code == 200
    assert session_id in log.text
    assert "delivered" in log.text
    delivery_id = _find(r'data-delivery="([^"]+)"', log.text)
    resent = await client.post(
        f"{path}/webhooks/{endpoint_id}/resend", data={"csrf_token": csrf, "delivery": delivery_id}
    )
    assert resent.status_code == 303
    await drain(state)
    first, second = receiver.wait_for(2)
    assert first.json()["id"] == second.json()["id"]
    bad = await client.post(
        f"{path}/webhooks", data={"csrf_token": csrf, "url": "ftp://x", "mode": "test"}
    )
    assert bad.status_code == 400
    assert 'id="webhook-url-error"' in bad.text
    removed = await client.post(f"{path}/webhooks/{endpoint_id}/delete", data={"csrf_token": csrf})
    assert removed.status_code == 303
    actions = [(a, who) for a, who, _ in await _audit(state)]
    for action in ("webhook.created", "webhook.resend", "webhook.deleted"):
        assert (action, str(admin.id)) in actions, action


async def test_roles_scoping_and_csrf_refuse(
    client: httpx.AsyncClient,
    other_browser: httpx.AsyncClient,
    state: AppState,
    make_operator: Any,
    merchant: MerchantInfo,
) -> None:
    reviewer = await make_operator(role="reviewer")
    await sign_in(other_browser, reviewer)
    assert (await other_browser.get("/dashboard/merchants")).status_code == 403
    assert (await other_browser.get(f"/dashboard/merchants/{merchant.id}")).status_code == 403

    other = await _other_merchant(state)
    bound = await make_operator(role="admin", merchant_ids=[other])
    csrf = await sign_in(client, bound)
    listing = await client.get("/dashboard/merchants")
    assert merchant.id not in listing.text
    assert str(other) in listing.text
    assert (await client.get(f"/dashboard/merchants/{merchant.id}")).status_code == 404
    assert (await client.get(f"/dashboard/merchants/{uuid.uuid4()}")).status_code == 404
    hidden = await client.post(
        f"/dashboard/merchants/{merchant.id}/disable", data={"csrf_token": csrf}
    )
    assert hidden.status_code == 404
    forged = await client.post(f"/dashboard/merchants/{other}/disable", data={"csrf_token": "x"})
    assert forged.status_code == 403
    async with unit_of_work(state.sessionmaker) as db:
        service = MerchantService(db, state.keyring)
        assert (await service.get(uuid.UUID(merchant.id))).active
        assert (await service.get(other)).active
