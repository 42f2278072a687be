"""Health, readiness, metrics, docs; and logs that never carry personal data or secrets."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from openkyc.observability.logging import JsonFormatter
from tests.support import MerchantInfo, SignedApi


async def test_health_ready_metrics(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == "ok"
    await client.get("/api/v2/kyc/sessions")
    metrics = (await client.get("/metrics")).text
    assert "openkyc_http_requests_total" in metrics
    assert 'route="/api/v2/kyc/sessions"' in metrics


async def test_docs_explain_signing_without_any_cdn(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200
    assert "x-signature" in page.text
    assert "/api/v2/kyc/sessions" in page.text
    assert "cdn" not in page.text.lower()
    spec = (await client.get("/openapi.json")).json()
    assert "/api/v2/kyc/sessions/{session_id}" in spec["paths"]


async def test_logs_carry_no_personal_data(
    client: httpx.AsyncClient, merchant: MerchantInfo, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api = SignedApi(client, merchant.test)
    await api.create_session(customerEmail="ivan.petrov@example.com", customerPhone="+79991234567")
    await api.post("/api/v2/kyc/sessions", json_body={"customerEmail": "broken@"})
    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    assert lines, "the request log should have produced records"
    text = "\n".join(lines)
    for secret in ("ivan.petrov", "79991234567", "broken@", merchant.test.secret_key):
        assert secret not in text
    for line in lines:
        json.loads(line)


def test_formatter_drops_sensitive_extras_and_masks_messages() -> None:
    record = logging.LogRecord(
        "t", logging.INFO, __file__, 1, "user a@b.kz +77011234567", None, None
    )
    record.customer_email = "a@b.kz"
    record.session_id = "abc"
    entry = json.loads(JsonFormatter().format(record))
    assert "customer_email" not in entry
    assert entry["session_id"] == "abc"
    assert "a@b.kz" not in entry["msg"]
    assert "77011234567" not in entry["msg"]


@pytest.mark.parametrize(
    "identifier",
    [
        "c76ee4c1-c4d4-4de1-9123-4567fa183d59",
        "12345678-1234-4123-8123-123456789012",  # all digits but for the dashes
        "3f2b1c0e9d8a77665544332211009988",  # a request id
        "evt_1796627803620_a1b2c3d4e5f6",
    ],
)
def test_identifiers_are_kept_whole_while_personal_data_is_masked(identifier: str) -> None:
    record = logging.LogRecord(
        "t",
        logging.INFO,
        __file__,
        1,
        f'delivery {identifier} to +7 701 123 45 67, {{"delivery": "{identifier}"}}',
        None,
        None,
    )
    record.delivery = identifier
    record.detail = f"session={identifier} iin=990101300123"
    entry = json.loads(JsonFormatter().format(record))
    assert entry["msg"].count(identifier) == 2, entry["msg"]
    assert entry["delivery"] == identifier
    assert identifier in entry["detail"]
    assert "701 123 45 67" not in entry["msg"]
    assert "990101300123" not in entry["detail"]


def test_digits_glued_to_an_identifier_shape_are_still_masked() -> None:
    # A phone number is not an id because it sits next to one.
    text = JsonFormatter().format(
        logging.LogRecord("t", logging.INFO, __file__, 1, "id=77011234567abc", None, None)
    )
    assert "77011234567" not in text
