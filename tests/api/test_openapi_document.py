"""The OpenAPI document is complete and true (issue 21, item 7): signature as security
schemes, error responses with the envelope, typed bodies, and the edge cases it describes
behave as described."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support import SignedApi

SESSIONS = "/api/v2/kyc/sessions"


@pytest.fixture
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, operations in document["paths"].items()
        if path.startswith("/api/v2/")
        for method, operation in operations.items()
    ]


async def test_every_signed_operation_declares_security_and_its_errors(
    document: dict[str, Any],
) -> None:
    schemes = document["components"]["securitySchemes"]
    assert {scheme["name"] for scheme in schemes.values()} == {
        "x-api-key",
        "x-timestamp",
        "x-signature",
    }
    operations = _operations(document)
    assert len(operations) >= 10
    for method, path, operation in operations:
        assert operation["security"] == [{"ApiKey": [], "Timestamp": [], "Signature": []}]
        responses = operation["responses"]
        for status in ("400", "401", "403", "409", "413", "429"):
            schema = responses[status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)
        assert ("404" in responses) == ("{" in path), (method, path)
        assert "422" not in responses  # we never answer FastAPI's 422
        success = [s for s in responses if s.startswith("2")]
        assert success, (method, path)
        for status in success:
            assert responses[status]["content"]["application/json"]["schema"] != {}


async def test_session_and_webhook_bodies_are_typed(document: dict[str, Any]) -> None:
    paths = document["paths"]
    assert paths[SESSIONS]["post"]["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SessionEnvelope"
    }
    assert paths[SESSIONS]["get"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SessionPage"
    }
    for method in ("post", "patch"):
        path = "/api/v2/webhooks" if method == "post" else "/api/v2/webhooks/{webhook_id}"
        body = paths[path][method]["requestBody"]["content"]["application/json"]["schema"]
        assert set(body["properties"]) >= {"url", "events", "secret"}
    assert document["components"]["schemas"]["Error"]["properties"]["success"] == {"const": False}


async def test_language_null_means_the_default_as_the_schema_says(
    api: SignedApi, document: dict[str, Any]
) -> None:
    schema = document["paths"][SESSIONS]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]
    assert None in schema["properties"]["language"]["enum"]
    created = await api.post(SESSIONS, json_body={"language": None})
    assert created.status_code == 201, created.text


async def test_an_empty_idempotency_key_is_refused_as_the_schema_says(
    api: SignedApi, document: dict[str, Any]
) -> None:
    parameter = next(
        p
        for p in document["paths"][SESSIONS]["post"]["parameters"]
        if p["name"] == "Idempotency-Key"
    )
    assert parameter["schema"]["minLength"] == 1
    response = await api.post(SESSIONS, json_body={}, headers={"Idempotency-Key": ""})
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", SESSIONS + "/00000000-0000-0000-0000-000000000000", {"GET", "DELETE"}),
        ("DELETE", SESSIONS, {"GET", "POST"}),
        (
            "PUT",
            "/api/v2/webhooks/00000000-0000-0000-0000-000000000000",
            {"GET", "PATCH", "DELETE"},
        ),
    ],
)
async def test_405_lists_every_method_of_the_path(
    client: httpx.AsyncClient, method: str, path: str, allowed: set[str]
) -> None:
    response = await client.request(method, path)
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
    listed = {item.strip() for item in response.headers["allow"].split(",")}
    assert allowed <= listed, listed
