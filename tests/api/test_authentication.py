"""401s of the signed API: each failure has its own code, and never a 500."""

from __future__ import annotations

import time

import httpx

from tests.support import KeyPairInfo, MerchantInfo, SignedApi, signed_headers

PATH = "/api/v2/kyc/sessions"


def _code(response: httpx.Response) -> str:
    body = response.json()
    assert body["success"] is False
    assert body["error"]["requestId"] == response.headers["x-request-id"]
    code: str = body["error"]["code"]
    return code


async def test_missing_headers(client: httpx.AsyncClient) -> None:
    response = await client.get(PATH)
    assert response.status_code == 401
    assert _code(response) == "MISSING_HEADERS"


async def test_unknown_api_key(client: httpx.AsyncClient) -> None:
    fake = KeyPairInfo("pk_test_doesnotexist", "sk_test_whatever")
    response = await client.get(PATH, headers=signed_headers(fake, "GET", PATH, b""))
    assert response.status_code == 401
    assert _code(response) == "INVALID_API_KEY"


async def test_bad_signature(client: httpx.AsyncClient, merchant: MerchantInfo) -> None:
    wrong = KeyPairInfo(merchant.test.api_key, "sk_test_not_the_secret")
    response = await client.get(PATH, headers=signed_headers(wrong, "GET", PATH, b""))
    assert response.status_code == 401
    assert _code(response) == "INVALID_SIGNATURE"


async def test_signature_over_short_path_is_rejected(
    client: httpx.AsyncClient, merchant: MerchantInfo
) -> None:
    headers = signed_headers(merchant.test, "GET", "/kyc/sessions", b"")
    response = await client.get(PATH, headers=headers)
    assert _code(response) == "INVALID_SIGNATURE"


async def test_body_is_hashed_as_received(
    client: httpx.AsyncClient, merchant: MerchantInfo
) -> None:
    signed_body = b'{"language": "en"}'
    headers = signed_headers(merchant.test, "POST", PATH, signed_body)
    response = await client.post(PATH, content=b'{"language":"en"}', headers=headers)
    assert _code(response) == "INVALID_SIGNATURE"
    response = await client.post(PATH, content=signed_body, headers=headers)
    assert response.status_code == 201


async def test_timestamp_outside_window(client: httpx.AsyncClient, merchant: MerchantInfo) -> None:
    stale = str(int(time.time() * 1000) - 301_000)
    response = await client.get(
        PATH, headers=signed_headers(merchant.test, "GET", PATH, b"", stale)
    )
    assert response.status_code == 401
    assert _code(response) == "TIMESTAMP_EXPIRED"
    future = str(int(time.time() * 1000) + 301_000)
    response = await client.get(
        PATH, headers=signed_headers(merchant.test, "GET", PATH, b"", future)
    )
    assert _code(response) == "TIMESTAMP_EXPIRED"


async def test_timestamp_in_seconds_is_rejected(
    client: httpx.AsyncClient, merchant: MerchantInfo
) -> None:
    seconds = str(int(time.time()))
    response = await client.get(
        PATH, headers=signed_headers(merchant.test, "GET", PATH, b"", seconds)
    )
    assert _code(response) == "TIMESTAMP_EXPIRED"


async def test_non_numeric_timestamp(client: httpx.AsyncClient, merchant: MerchantInfo) -> None:
    headers = signed_headers(merchant.test, "GET", PATH, b"")
    headers["x-timestamp"] = "yesterday"
    response = await client.get(PATH, headers=headers)
    assert response.status_code == 401
    assert _code(response) == "TIMESTAMP_EXPIRED"


async def test_replayed_request_is_refused(
    client: httpx.AsyncClient, merchant: MerchantInfo
) -> None:
    body = b'{"customerId":"c-1"}'
    headers = signed_headers(merchant.test, "POST", PATH, body)
    first = await client.post(PATH, content=body, headers=headers)
    assert first.status_code == 201
    again = await client.post(PATH, content=body, headers=headers)
    assert again.status_code == 401
    assert _code(again) == "REPLAYED_REQUEST"


async def test_same_signature_with_other_query_is_a_replay(
    client: httpx.AsyncClient, merchant: MerchantInfo
) -> None:
    # The query is not signed, so whoever captured the request could change it freely.
    headers = signed_headers(merchant.test, "GET", PATH, b"")
    first = await client.get(PATH, params={"limit": 10}, headers=headers)
    assert first.status_code == 200
    for params in ({"limit": 20}, {"limit": 10, "n": 1}):
        again = await client.get(PATH, params=params, headers=headers)
        assert again.status_code == 401
        assert _code(again) == "REPLAYED_REQUEST"


async def test_live_and_test_data_are_separate(
    client: httpx.AsyncClient, merchant: MerchantInfo
) -> None:
    test_api = SignedApi(client, merchant.test)
    live_api = SignedApi(client, merchant.live)
    created = await test_api.create_session(customerId="in-test")
    response = await live_api.get(f"{PATH}/{created['id']}")
    assert response.status_code == 404
    listing = (await live_api.get(PATH)).json()
    assert listing["pagination"]["total"] == 0
    assert (await test_api.get(f"{PATH}/{created['id']}")).status_code == 200


async def test_other_merchants_session_is_not_found(
    client: httpx.AsyncClient, merchant: MerchantInfo, make_merchant: object
) -> None:
    other: MerchantInfo = await make_merchant("Other")  # type: ignore[operator]
    created = await SignedApi(client, other.test).create_session()
    response = await SignedApi(client, merchant.test).get(f"{PATH}/{created['id']}")
    assert response.status_code == 404
    assert _code(response) == "NOT_FOUND"
