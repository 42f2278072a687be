"""POST/GET /api/v2/kyc/sessions against the Love&Pay v2 contract."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import text

from openkyc.state import AppState
from tests.support import SignedApi

PATH = "/api/v2/kyc/sessions"
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def _parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


async def test_create_returns_the_documented_shape(api: SignedApi) -> None:
    invoice = str(uuid.uuid4())
    response = await api.post(
        PATH,
        json_body={
            "invoiceId": invoice,
            "customerEmail": "client@example.com",
            "customerPhone": "+79991234567",
            "customerId": "your-internal-id-123",
            "callbackUrl": "https://shop.example/kyc/done",
            "language": "kk",
            "somethingUnknown": {"ignored": True},
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["success"] is True
    session = body["session"]
    assert set(session) == {
        "id", "sessionId", "status", "verificationUrl", "invoiceId", "customerEmail",
        "customerPhone", "customerId", "expiresAt", "createdAt",
    }  # fmt: skip
    assert uuid.UUID(session["id"]).version == 4
    assert session["sessionId"] == f"verification-{session['id']}"
    assert session["status"] == "NOT_STARTED"
    assert session["verificationUrl"] == f"http://testserver/verify/{session['id']}"
    assert session["invoiceId"] == invoice
    assert session["customerEmail"] == "client@example.com"
    assert session["customerPhone"] == "+79991234567"
    assert session["customerId"] == "your-internal-id-123"
    assert ISO_MS.match(session["createdAt"])
    assert ISO_MS.match(session["expiresAt"])
    assert _parse(session["expiresAt"]) - _parse(session["createdAt"]) == timedelta(minutes=30)


async def test_empty_body_is_accepted_with_defaults(api: SignedApi) -> None:
    response = await api.post(PATH, content=b"")
    assert response.status_code == 201
    session = response.json()["session"]
    assert session["customerEmail"] is None
    assert session["invoiceId"] is None


async def test_get_returns_full_object_with_null_verification(api: SignedApi) -> None:
    created = await api.create_session(customerEmail="a@example.org")
    response = await api.get(f"{PATH}/{created['id']}")
    assert response.status_code == 200
    session = response.json()["session"]
    assert session["verification"] is None
    assert session["status"] == "NOT_STARTED"
    assert session["expiresAt"] == created["expiresAt"]
    assert session["verificationUrl"] == created["verificationUrl"]
    assert "declineReasons" not in session


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("customerEmail", "not-an-email"),
        ("customerEmail", 42),
        ("customerPhone", "89991234567"),
        ("customerPhone", "+7999"),
        ("invoiceId", "INV-1"),
        ("callbackUrl", "/relative/path"),
        ("callbackUrl", "javascript:alert(1)"),
        ("language", "de"),
        ("language", ["ru"]),
        ("customerId", "x" * 256),
    ],
)
async def test_each_bad_field_is_named(api: SignedApi, field: str, value: object) -> None:
    response = await api.post(PATH, json_body={field: value})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert field in error["message"]
    assert set(error["fields"]) == {field}


async def test_several_bad_fields_are_all_reported(api: SignedApi) -> None:
    response = await api.post(PATH, json_body={"customerEmail": "x", "language": "fr"})
    assert set(response.json()["error"]["fields"]) == {"customerEmail", "language"}


@pytest.mark.parametrize(
    ("raw", "problem"),
    [(b"{not json", "malformed JSON"), (b"[1,2]", "JSON object"), (b'"text"', "JSON object")],
)
async def test_malformed_or_non_object_body(api: SignedApi, raw: bytes, problem: str) -> None:
    response = await api.post(PATH, content=raw)
    assert response.status_code == 400
    assert problem in response.json()["error"]["message"]


async def test_any_valid_international_phone_is_accepted(api: SignedApi) -> None:
    session = await api.create_session(customerPhone="+77012345678")
    assert session["customerPhone"] == "+77012345678"
    session = await api.create_session(customerPhone="+44 20 7946 0958")
    assert session["customerPhone"] == "+442079460958"


async def test_oversized_body_is_413_and_creates_nothing(api: SignedApi) -> None:
    big = b'{"customerId":"' + b"x" * (65 * 1024) + b'"}'
    response = await api.post(PATH, content=big)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert (await api.get(PATH)).json()["pagination"]["total"] == 0


async def test_list_is_newest_first_with_pagination(api: SignedApi) -> None:
    ids = [(await api.create_session(customerId=f"c{i}"))["id"] for i in range(5)]
    response = await api.get(PATH, params={"limit": 2, "offset": 1})
    body = response.json()
    assert body["pagination"] == {"total": 5, "limit": 2, "offset": 1, "pages": 3}
    assert [item["id"] for item in body["data"]] == [ids[3], ids[2]]
    item = body["data"][0]
    assert set(item) == {
        "id", "sessionId", "invoiceId", "customerId", "customerEmail", "customerPhone",
        "status", "verification", "createdAt",
        "review",  # extension: null unless a person must decide
    }  # fmt: skip


async def test_list_defaults_and_limits(api: SignedApi) -> None:
    body = (await api.get(PATH)).json()
    assert body["pagination"] == {"total": 0, "limit": 50, "offset": 0, "pages": 0}
    for params in ({"limit": "abc"}, {"limit": 101}, {"limit": 0}, {"offset": -1}):
        response = await api.get(PATH, params=params)
        assert response.status_code == 400, params
        assert next(iter(params)) in response.json()["error"]["fields"]


async def test_list_status_filter(api: SignedApi) -> None:
    await api.create_session()
    assert (await api.get(PATH, params={"status": "NOT_STARTED"})).json()["pagination"][
        "total"
    ] == 1
    assert (await api.get(PATH, params={"status": "APPROVED"})).json()["pagination"]["total"] == 0
    response = await api.get(PATH, params={"status": "DONE"})
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]


@pytest.mark.parametrize("session_id", ["not-a-uuid", str(uuid.uuid4()), "1' OR '1'='1"])
async def test_unknown_or_malformed_id_is_404(api: SignedApi, session_id: str) -> None:
    response = await api.get(f"{PATH}/{session_id}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


async def test_idempotency_key_returns_same_session(api: SignedApi) -> None:
    body = {"customerId": "idem-1", "language": "en"}
    first = await api.post(PATH, json_body=body, headers={"Idempotency-Key": "k-1"})
    second = await api.post(PATH, json_body=body, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == second.status_code == 201
    assert first.json()["session"]["id"] == second.json()["session"]["id"]
    assert (await api.get(PATH)).json()["pagination"]["total"] == 1


async def test_idempotency_key_with_other_body_conflicts(api: SignedApi) -> None:
    await api.post(PATH, json_body={"customerId": "a"}, headers={"Idempotency-Key": "k-2"})
    response = await api.post(
        PATH, json_body={"customerId": "b"}, headers={"Idempotency-Key": "k-2"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "IDEMPOTENCY_CONFLICT"


async def test_unknown_route_and_method_use_the_envelope(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v2/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
    response = await client.delete(PATH)
    assert response.status_code == 405
    assert response.json()["success"] is False


async def test_the_customer_contact_is_not_stored_in_plaintext(
    api: SignedApi, state: AppState
) -> None:
    created = await api.create_session(
        customerEmail="anna@example.org", customerPhone="+77011234567"
    )
    async with state.engine.connect() as connection:
        rows = (await connection.execute(text("SELECT * FROM kyc_sessions"))).all()
    dumped = repr(rows)
    assert created["id"].replace("-", "") in dumped.replace("-", "")  # the row is there
    assert "example.org" not in dumped
    assert "7011234567" not in dumped
    fetched = (await api.get(f"{PATH}/{created['id']}")).json()["session"]
    assert (fetched["customerEmail"], fetched["customerPhone"]) == (
        "anna@example.org",
        "+77011234567",
    )
    listed = (await api.get(PATH)).json()["data"][0]
    assert listed["customerEmail"] == "anna@example.org"
