"""The deterministic sandbox: ``POST /api/v2/kyc/sessions/{id}/simulate`` and magic
``customerId`` suffixes drive a test session through the real decision path; the session,
``GET``, the list and the webhook body agree, as they would in live mode."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from openkyc.client import WebhookVerifier
from openkyc.state import AppState
from tests.support import MerchantInfo, SignedApi
from tests.verifications.factories import drain, runs_of, submit
from tests.webhooks.receiver import Receiver

EVENTS = ["kyc.started", "kyc.completed", "kyc.failed", "kyc.expired", "kyc.review"]


async def _hook(api: SignedApi, receiver: Receiver) -> str:
    response = await api.post("/api/v2/webhooks", json_body={"url": receiver.url, "events": EVENTS})
    assert response.status_code == 201, response.text
    secret: str = response.json()["webhook"]["secret"]
    return secret


async def _simulate(api: SignedApi, session_id: str, **body: Any) -> Any:
    return await api.post(f"/api/v2/kyc/sessions/{session_id}/simulate", json_body=body)


def _events(receiver: Receiver, secret: str, count: int) -> list[dict[str, Any]]:
    verifier = WebhookVerifier(secret)
    return [verifier.verify(r.body, r.headers) for r in receiver.wait_for(count)]


@pytest.mark.parametrize(
    ("body", "status", "event", "reasons"),
    [
        ({"outcome": "approve"}, "APPROVED", "kyc.completed", None),
        (
            {"outcome": "decline", "declineReasons": ["DOCUMENT_EXPIRED", "UNDERAGE"]},
            "DECLINED",
            "kyc.failed",
            ["DOCUMENT_EXPIRED", "UNDERAGE"],
        ),
        ({"outcome": "decline"}, "DECLINED", "kyc.failed", ["POOR_QUALITY"]),
        ({"outcome": "review"}, "IN_PROGRESS", "kyc.review", None),
        ({"outcome": "expire"}, "EXPIRED", "kyc.expired", None),
    ],
    ids=["approve", "decline-with-reasons", "decline", "review", "expire"],
)
async def test_each_outcome_reads_the_same_everywhere(
    state: AppState,
    api: SignedApi,
    receiver: Receiver,
    body: dict[str, Any],
    status: str,
    event: str,
    reasons: list[str] | None,
) -> None:
    secret = await _hook(api, receiver)
    session_id = (await api.create_session(customerId="ci-1"))["id"]
    response = await _simulate(api, session_id, **body)
    assert response.status_code == 200, response.text
    simulated = response.json()["session"]
    got = (await api.get(f"/api/v2/kyc/sessions/{session_id}")).json()["session"]
    assert simulated == got
    assert got["status"] == status
    assert got.get("declineReasons") == reasons
    if status == "APPROVED":
        assert got["verification"]["fullName"] == "Test Sandbox"
        assert got["verification"]["documentNumber"].endswith("1234")
    else:
        assert got["verification"] is None
    assert (got["review"] or {}).get("status") == ("PENDING" if event == "kyc.review" else None)
    (item,) = (await api.get("/api/v2/kyc/sessions")).json()["data"]
    assert (item["status"], item["review"]) == (status, got["review"])

    await drain(state)
    received = _events(receiver, secret, 2 if body["outcome"] != "expire" else 1)
    assert received[-1]["event"] == event
    data = received[-1]["data"]
    assert (data["id"], data["status"]) == (session_id, status)
    assert data.get("declineReasons") == reasons
    assert data["review"] == got["review"]
    assert data["verification"] == got["verification"]
    # The job the submit enqueued found the run decided: nothing decided twice.
    assert len(await runs_of(state, uuid.UUID(session_id))) <= 1


async def test_retake_returns_the_session_to_the_customer(state: AppState, api: SignedApi) -> None:
    session_id = (await api.create_session())["id"]
    retake = (await _simulate(api, session_id, outcome="retake")).json()["session"]
    assert (retake["status"], retake["verification"], retake["review"]) == (
        "IN_PROGRESS",
        None,
        None,
    )
    # The same link works again: a second attempt can be decided.
    approved = (await _simulate(api, session_id, outcome="approve")).json()["session"]
    assert approved["status"] == "APPROVED"
    assert [run.attempt for run in await runs_of(state, uuid.UUID(session_id))] == [1, 2]
    again = await _simulate(api, session_id, outcome="approve")
    assert again.status_code == 409


async def test_a_live_key_gets_404_like_a_missing_id(
    api: SignedApi, client: Any, merchant: MerchantInfo
) -> None:
    live = SignedApi(client, merchant.live)
    live_session = (await live.create_session())["id"]
    test_session = (await api.create_session())["id"]
    missing = await _simulate(live, str(uuid.uuid4()), outcome="approve")
    for session_id in (live_session, test_session):
        refused = await _simulate(live, session_id, outcome="approve")
        assert refused.status_code == 404
        assert refused.json()["error"]["code"] == missing.json()["error"]["code"] == "NOT_FOUND"
    assert (await live.get(f"/api/v2/kyc/sessions/{live_session}")).json()["session"][
        "status"
    ] == "NOT_STARTED"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "win"}, "outcome"),
        ({}, "outcome"),
        ({"outcome": "decline", "declineReasons": ["NOPE"]}, "declineReasons"),
        ({"outcome": "decline", "declineReasons": "UNDERAGE"}, "declineReasons"),
        ({"outcome": "approve", "declineReasons": ["UNDERAGE"]}, "declineReasons"),
    ],
)
async def test_bad_bodies_are_400_naming_the_field(
    api: SignedApi, body: dict[str, Any], field: str
) -> None:
    session_id = (await api.create_session())["id"]
    response = await _simulate(api, session_id, **body)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {field}
    got = (await api.get(f"/api/v2/kyc/sessions/{session_id}")).json()["session"]
    assert got["status"] == "NOT_STARTED"


@pytest.mark.parametrize(
    ("customer_id", "status", "reasons"),
    [
        ("order-7+approve", "APPROVED", None),
        ("order-7+decline_DOCUMENT_EXPIRED", "DECLINED", ["DOCUMENT_EXPIRED"]),
        ("order-7+decline_UNDERAGE,NO_FACE", "DECLINED", ["UNDERAGE", "NO_FACE"]),
        ("order-7+review", "IN_PROGRESS", None),
    ],
)
async def test_magic_customer_ids_decide_at_submit(
    state: AppState, api: SignedApi, customer_id: str, status: str, reasons: list[str] | None
) -> None:
    session_id = (await api.create_session(customerId=customer_id))["id"]
    await submit(state, uuid.UUID(session_id))  # as the hosted page does, no sandbox button
    await drain(state)
    got = (await api.get(f"/api/v2/kyc/sessions/{session_id}")).json()["session"]
    assert got["status"] == status
    assert got.get("declineReasons") == reasons
    assert (got["review"] is not None) == (status == "IN_PROGRESS")


async def test_a_magic_suffix_with_an_unknown_code_is_refused_at_create(
    api: SignedApi, client: Any, merchant: MerchantInfo
) -> None:
    response = await api.post(
        "/api/v2/kyc/sessions", json_body={"customerId": "x+decline_NOT_A_CODE"}
    )
    assert response.status_code == 400
    assert "customerId" in response.json()["error"]["fields"]
    # Live sessions have no magic: the same id is an ordinary id there.
    live = SignedApi(client, merchant.live)
    created = await live.post(
        "/api/v2/kyc/sessions", json_body={"customerId": "x+decline_NOT_A_CODE"}
    )
    assert created.status_code == 201
