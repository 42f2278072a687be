"""Issue 21, security: a signed request works once whatever is done to its unsigned parts,
malformed numbers are refused with the documented 4xx, and account state is told only to
callers who prove they hold the secret."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select, update

from openkyc.cli.main import uvicorn_options
from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.merchants.models import Merchant
from openkyc.sessions.models import KycSession
from openkyc.state import AppState
from tests.support import KeyPairInfo, MerchantInfo, SignedApi, free_port, signed_headers

PATH = "/api/v2/kyc/sessions"


def _error(response: httpx.Response) -> dict[str, str]:
    body = response.json()
    assert body["success"] is False
    error: dict[str, str] = body["error"]
    return error


async def _session_count(state: AppState) -> int:
    async with unit_of_work(state.sessionmaker) as session:
        return int(await session.scalar(select(func.count()).select_from(KycSession)) or 0)


async def test_a_captured_create_works_once_whatever_the_unsigned_parts(
    client: httpx.AsyncClient, merchant: MerchantInfo, state: AppState
) -> None:
    body = b'{"customerId":"c-replayed"}'
    headers = signed_headers(merchant.test, "POST", PATH, body)
    assert (await client.post(PATH, content=body, headers=headers)).status_code == 201
    variants: list[tuple[str, dict[str, str]]] = [
        (PATH, {}),
        (PATH, {"Host": "a.example"}),
        (PATH, {"Host": "b.example:8443"}),
        (PATH + "?n=1", {}),
        (PATH, {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}),
        ("http://other.example" + PATH + "?limit=5", {}),
    ]
    for url, extra in variants:
        replay = await client.post(url, content=body, headers={**headers, **extra})
        assert replay.status_code == 401, (url, extra, replay.text)
        assert _error(replay)["code"] == "REPLAYED_REQUEST"
    assert await _session_count(state) == 1


async def test_a_captured_get_works_once_with_another_host(
    client: httpx.AsyncClient, api: SignedApi, merchant: MerchantInfo
) -> None:
    created = await api.create_session()
    path = f"{PATH}/{created['id']}"
    headers = signed_headers(merchant.test, "GET", path, b"")
    assert (await client.get(path, headers=headers)).status_code == 200
    again = await client.get(path, headers={**headers, "Host": "evil.example"})
    assert _error(again)["code"] == "REPLAYED_REQUEST"


@pytest.mark.parametrize(
    "raw",
    [
        "179662780362\u00b2".encode("latin-1"),  # superscript two: isdigit() but not int()
        "179662780362\u00b9".encode("latin-1"),
        "١٧٩٦٦٢٧٨٠٣٦٢٠".encode(),  # Arabic-Indic digits: int() accepts them
        b"+1796627803620",
        b" 1796627803620",
        b"1_796_627_803_620",
    ],
)
async def test_a_timestamp_of_anything_but_ascii_digits_is_401(
    client: httpx.AsyncClient, merchant: MerchantInfo, raw: bytes
) -> None:
    headers: dict[str, str | bytes] = dict(signed_headers(merchant.test, "GET", PATH, b""))
    headers["x-timestamp"] = raw
    response = await client.get(PATH, headers=headers)
    assert response.status_code == 401, response.text
    assert _error(response)["code"] == "TIMESTAMP_EXPIRED"


async def test_a_timestamp_in_seconds_is_told_to_be_milliseconds(
    client: httpx.AsyncClient, merchant: MerchantInfo
) -> None:
    seconds = str(int(time.time()))
    response = await client.get(
        PATH, headers=signed_headers(merchant.test, "GET", PATH, b"", seconds)
    )
    assert response.status_code == 401
    error = _error(response)
    assert error["code"] == "TIMESTAMP_EXPIRED"
    assert "milliseconds" in error["message"]


@pytest.mark.parametrize("value", ["\u00b2", "\u0661", "+5", "-1", " 5", "1_0"])
async def test_pagination_numbers_are_ascii_digits_or_400(api: SignedApi, value: str) -> None:
    for params in ({"limit": value}, {"offset": value}):
        response = await api.get(PATH, params=params)
        assert response.status_code == 400, (params, response.text)
        assert _error(response)["code"] == "VALIDATION_ERROR"


async def test_webhook_delivery_pagination_is_ascii_digits_or_400(api: SignedApi) -> None:
    created = await api.post(
        "/api/v2/webhooks",
        json_body={"url": "http://127.0.0.1:9/hook", "events": ["kyc.completed"]},
    )
    path = f"/api/v2/webhooks/{created.json()['webhook']['id']}/deliveries"
    for value in ("\u00b9", "\u0661"):
        response = await api.get(path, params={"offset": value})
        assert response.status_code == 400, response.text


async def _deactivate(state: AppState, merchant_id: str) -> None:
    async with unit_of_work(state.sessionmaker) as session:
        await session.execute(
            update(Merchant).where(Merchant.id == uuid.UUID(merchant_id)).values(active=False)
        )


async def test_an_inactive_merchant_with_a_wrong_signature_gets_401(
    client: httpx.AsyncClient, merchant: MerchantInfo, state: AppState
) -> None:
    await _deactivate(state, merchant.id)
    wrong = KeyPairInfo(merchant.test.api_key, "sk_test_not_the_secret")
    response = await client.get(PATH, headers=signed_headers(wrong, "GET", PATH, b""))
    assert response.status_code == 401
    assert _error(response)["code"] == "INVALID_SIGNATURE"
    stale = str(int(time.time() * 1000) - 400_000)
    response = await client.get(PATH, headers=signed_headers(wrong, "GET", PATH, b"", stale))
    assert _error(response)["code"] == "TIMESTAMP_EXPIRED"
    # The holder of the secret is told why.
    response = await client.get(PATH, headers=signed_headers(merchant.test, "GET", PATH, b""))
    assert response.status_code == 403
    assert _error(response)["code"] == "PARTNER_INACTIVE"


async def _echo(scope: dict[str, object], receive: object, send: object) -> None:
    # Reports what the app would see: the client address and the scheme.
    assert scope["type"] in ("http", "lifespan")
    if scope["type"] == "lifespan":
        return
    client = scope.get("client") or ("?", 0)
    body = f"{client[0]} {scope['scheme']}".encode()  # type: ignore[index]
    await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]
    await send({"type": "http.response.body", "body": body})  # type: ignore[operator]


def _seen_through_serve_options(settings: Settings) -> str:
    import threading

    port = free_port()
    config = uvicorn.Config(
        _echo, host="127.0.0.1", port=port, lifespan="off", **uvicorn_options(settings)
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        response = httpx.get(
            f"http://127.0.0.1:{port}/",
            headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
        )
        return response.text
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_serve_ignores_forwarded_headers_unless_the_proxy_is_trusted() -> None:
    plain = Settings(_env_file=None)  # type: ignore[call-arg]
    assert _seen_through_serve_options(plain) == "127.0.0.1 http"
    behind_proxy = Settings(_env_file=None, trusted_proxies="127.0.0.1/32, 10.0.0.0/8")  # type: ignore[call-arg]
    assert _seen_through_serve_options(behind_proxy) == "203.0.113.9 https"


def test_trusted_proxies_must_be_addresses_or_networks() -> None:
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        Settings(_env_file=None, trusted_proxies="proxy.internal")  # type: ignore[call-arg]
