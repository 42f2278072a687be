"""Deliveries to a real HTTP receiver on loopback: envelope, signatures, retries, order."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from openkyc.audit.models import AuditEvent
from openkyc.client import WebhookVerifier
from openkyc.db.base import utcnow
from openkyc.db.session import unit_of_work
from openkyc.merchants.tenant import Tenant
from openkyc.sessions.models import KycSession
from openkyc.state import AppState
from openkyc.webhooks.models import WebhookDelivery, WebhookEndpoint
from openkyc.webhooks.service import WebhookService
from openkyc.worker.names import DELIVER_WEBHOOK, VERIFY_SESSION
from openkyc.worker.periodic import sweep_once
from openkyc.worker.tasks import JOBS
from tests.support import MerchantInfo, SignedApi
from tests.verifications.factories import capture, drain, new_session, submit
from tests.webhooks.receiver import Receiver


async def _register(api: SignedApi, url: str, events: list[str]) -> dict[str, Any]:
    response = await api.post("/api/v2/webhooks", json_body={"url": url, "events": events})
    assert response.status_code == 201, response.text
    webhook: dict[str, Any] = response.json()["webhook"]
    return webhook


async def _decide(state: AppState, merchant: MerchantInfo, **spec: Any) -> uuid.UUID:
    session_id = await new_session(state, merchant.id, mode="test")
    await capture(state, session_id, **spec)
    await submit(state, session_id)
    await drain(state)
    return session_id


async def _drain_retries(state: AppState, rounds: int = 10) -> None:
    for _ in range(rounds):
        await asyncio.sleep(0.08)  # past the shortened backoff
        if not await drain(state, include_scheduled=True):
            return


async def test_completed_event_carries_the_session_as_get_returns_it_signed_both_ways(
    state: AppState, api: SignedApi, merchant: MerchantInfo, receiver: Receiver
) -> None:
    webhook = await _register(api, receiver.url, ["kyc.completed", "kyc.failed"])
    session_id = await _decide(state, merchant)

    (request,) = receiver.wait_for(1)
    event = WebhookVerifier(webhook["secret"]).verify(request.body, request.headers)
    assert set(event) == {"id", "event", "timestamp", "data", "partnerId", "retryCount"}
    assert event["id"].startswith("evt_")
    assert event["event"] == "kyc.completed"
    assert event["partnerId"] == merchant.id
    assert event["retryCount"] == 0
    session = (await api.get(f"/api/v2/kyc/sessions/{session_id}")).json()["session"]
    assert event["data"] == session
    assert event["data"]["verification"]["documentNumber"] == "****3456"
    assert event["data"]["verification"]["fullName"] == "Иван Петрович Иванов"

    headers = {key.lower(): value for key, value in request.headers.items()}
    assert headers["x-webhook-id"] == headers["webhook-id"] == event["id"]
    assert headers["x-webhook-timestamp"].isdigit()
    assert len(headers["x-webhook-timestamp"]) == 13
    assert headers["webhook-signature"].startswith("v1,")
    assert headers["x-webhook-signature"].startswith("sha256=")
    assert "LovePay/1.0" in headers["user-agent"]
    assert headers["content-type"] == "application/json"
    # Love&Pay verification alone (sha256= over the raw body) passes too.
    assert WebhookVerifier(webhook["secret"]).verify(
        request.body, {"x-webhook-signature": headers["x-webhook-signature"]}
    )


async def test_only_subscribed_events_are_sent(
    state: AppState, api: SignedApi, merchant: MerchantInfo, receiver: Receiver
) -> None:
    await _register(api, receiver.url, ["kyc.failed"])
    await _decide(state, merchant)  # approved: kyc.completed and kyc.started, not subscribed
    await _decide(state, merchant, expiry="2020-01-01")
    (request,) = receiver.wait_for(1)
    assert request.json()["event"] == "kyc.failed"
    assert request.json()["data"]["declineReasons"] == ["DOCUMENT_EXPIRED"]
    await asyncio.sleep(0.1)
    assert len(receiver.received) == 1


async def test_a_failing_receiver_gets_the_same_event_later_with_every_attempt_recorded(
    state: AppState, api: SignedApi, merchant: MerchantInfo, receiver: Receiver
) -> None:
    receiver.respond((500, "boom", 0.0), (503, "busy", 0.0), (200, "thanks", 0.0))
    webhook = await _register(api, receiver.url, ["kyc.completed"])
    await _decide(state, merchant)
    await _drain_retries(state)

    requests = receiver.wait_for(3)
    assert len({r.json()["id"] for r in requests}) == 1
    assert [r.json()["retryCount"] for r in requests] == [0, 1, 2]

    page = (await api.get(f"/api/v2/webhooks/{webhook['id']}/deliveries")).json()
    (delivery,) = page["data"]
    assert delivery["status"] == "delivered"
    assert delivery["eventId"] == requests[0].json()["id"]
    attempts = delivery["attempts"]
    assert [a["statusCode"] for a in attempts] == [500, 503, 200]
    assert [a["responseExcerpt"] for a in attempts] == ["boom", "busy", "thanks"]
    assert all(a["latencyMs"] >= 0 and a["attemptedAt"].endswith("Z") for a in attempts)
    assert attempts[0]["nextAttemptAt"] is not None
    assert attempts[2]["nextAttemptAt"] is None


async def test_a_hanging_receiver_times_out_and_is_retried(
    state: AppState, api: SignedApi, merchant: MerchantInfo, receiver: Receiver
) -> None:
    receiver.respond((200, "late", 1.5), (200, "ok", 0.0))
    webhook = await _register(api, receiver.url, ["kyc.completed"])
    await _decide(state, merchant)
    await _drain_retries(state)
    receiver.wait_for(2)
    (delivery,) = (await api.get(f"/api/v2/webhooks/{webhook['id']}/deliveries")).json()["data"]
    assert [a["error"] for a in delivery["attempts"]] == ["timeout", None]
    assert delivery["status"] == "delivered"


async def test_a_receiver_that_is_down_gets_the_event_once_it_is_up(
    state: AppState, api: SignedApi, merchant: MerchantInfo, receiver: Receiver
) -> None:
    receiver.__exit__()
    await _register(api, receiver.url, ["kyc.completed"])
    await _decide(state, merchant)
    async with unit_of_work(state.sessionmaker) as db:
        (delivery,) = (await db.scalars(select(WebhookDelivery))).all()
    assert delivery.status == "pending"
    assert delivery.attempts >= 2  # connection refused, again and again

    with Receiver(port=receiver.port) as back_up:  # the same address, up again
        await _drain_retries(state)
        (request,) = back_up.wait_for(1)
        assert request.json()["id"] == delivery.event_id


async def test_redirects_are_not_followed(
    state: AppState, api: SignedApi, merchant: MerchantInfo, receiver: Receiver
) -> None:
    receiver.respond((302, "", 0.0))
    receiver.script.extra_headers = {"Location": receiver.url + "/elsewhere"}
    webhook = await _register(api, receiver.url, ["kyc.completed"])
    await _decide(state, merchant)
    requests = receiver.wait_for(1)
    assert {request.path for request in requests} == {"/hook"}  # never /hook/elsewhere
    (delivery,) = (await api.get(f"/api/v2/webhooks/{webhook['id']}/deliveries")).json()["data"]
    assert delivery["attempts"][0]["statusCode"] == 302
    assert delivery["attempts"][0]["error"] == "redirect not followed"
    assert delivery["status"] == "pending"


async def test_410_gone_disables_the_endpoint(
    state: AppState, api: SignedApi, merchant: MerchantInfo, receiver: Receiver
) -> None:
    receiver.respond((410, "gone", 0.0))
    webhook = await _register(api, receiver.url, ["kyc.completed"])
    await _decide(state, merchant)
    await _drain_retries(state)
    assert len(receiver.received) == 1
    shown = (await api.get(f"/api/v2/webhooks/{webhook['id']}")).json()["webhook"]
    assert (shown["active"], shown["disabledReason"]) == (False, "gone")
    async with unit_of_work(state.sessionmaker) as db:
        audited = (
            await db.scalars(select(AuditEvent).where(AuditEvent.action == "webhook.disabled"))
        ).all()
    assert [a.data for a in audited] == [{"reason": "gone"}]


async def test_an_endpoint_failing_for_days_is_disabled_and_the_operator_told(
    state: AppState, api: SignedApi, merchant: MerchantInfo, receiver: Receiver
) -> None:
    receiver.respond((500, "", 0.0))
    webhook = await _register(api, receiver.url, ["kyc.completed"])
    async with unit_of_work(state.sessionmaker) as db:
        endpoint = await db.get(WebhookEndpoint, uuid.UUID(webhook["id"]))
        assert endpoint is not None
        endpoint.failing_since = utcnow() - timedelta(days=5, seconds=1)
    await _decide(state, merchant)
    shown = (await api.get(f"/api/v2/webhooks/{webhook['id']}")).json()["webhook"]
    assert (shown["active"], shown["disabledReason"]) == (False, "failing")

    # Re-enabling sends what waited.
    receiver.respond((200, "", 0.0))
    response = await api.request(
        "PATCH", f"/api/v2/webhooks/{webhook['id']}", json_body={"active": True}
    )
    assert response.json()["webhook"]["active"] is True
    await drain(state)
    assert len(receiver.wait_for(2)) == 2


async def test_a_delivery_is_given_up_after_the_retry_window(
    state: AppState, api: SignedApi, merchant: MerchantInfo, receiver: Receiver
) -> None:
    receiver.respond((500, "", 0.0))
    webhook = await _register(api, receiver.url, ["kyc.completed"])
    await _decide(state, merchant)
    async with unit_of_work(state.sessionmaker) as db:
        delivery = (await db.scalars(select(WebhookDelivery))).one()
        delivery.created_at = utcnow() - timedelta(days=4)
        delivery.next_attempt_at = utcnow()
    attempts_before = len(receiver.received)
    await sweep_once(state)
    await _drain_retries(state)
    (shown,) = (await api.get(f"/api/v2/webhooks/{webhook['id']}/deliveries")).json()["data"]
    assert shown["status"] == "failed"
    assert len(receiver.received) == attempts_before + 1  # one last try, then no more


async def test_resend_sends_the_same_event_again(
    state: AppState, api: SignedApi, merchant: MerchantInfo, receiver: Receiver
) -> None:
    webhook = await _register(api, receiver.url, ["kyc.completed"])
    await _decide(state, merchant)
    (first,) = receiver.wait_for(1)
    (delivery,) = (await api.get(f"/api/v2/webhooks/{webhook['id']}/deliveries")).json()["data"]
    response = await api.post(
        f"/api/v2/webhooks/{webhook['id']}/deliveries/{delivery['id']}/resend"
    )
    assert response.status_code == 202
    await drain(state)
    second = receiver.wait_for(2)[1]
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["retryCount"] == 1


async def test_events_of_one_session_arrive_in_order(
    state: AppState, api: SignedApi, merchant: MerchantInfo, receiver: Receiver
) -> None:
    # kyc.started fails first; kyc.completed must wait for it instead of overtaking it.
    receiver.respond((500, "", 0.0), (200, "", 0.0))
    await _register(api, receiver.url, ["kyc.started", "kyc.completed"])
    session_id = await new_session(state, merchant.id, mode="test")
    await capture(state, session_id)
    await submit(state, session_id)

    huey = state.queue.huey
    retries = []
    # In queue order: deliver kyc.started (500, retry scheduled), verify (approved), then
    # deliver kyc.completed, which must not overtake the pending kyc.started.
    ran = []
    while (task := huey.dequeue()) is not None:
        if task.eta is not None:
            retries.append(task)
            continue
        await JOBS[task.name](state, *task.args)
        ran.append(task.name)
    assert ran == [DELIVER_WEBHOOK, VERIFY_SESSION, DELIVER_WEBHOOK]
    assert len(receiver.received) == 1  # kyc.completed held back behind kyc.started

    await asyncio.sleep(0.1)
    for task in retries + [t for t in iter(huey.dequeue, None)]:
        await JOBS[task.name](state, *task.args)  # kyc.started again: delivered
    await drain(state)  # its success released kyc.completed
    requests = receiver.wait_for(3)
    assert [r.json()["event"] for r in requests] == ["kyc.started", "kyc.started", "kyc.completed"]


async def test_expired_sessions_emit_kyc_expired_from_the_sweep(
    state: AppState, api: SignedApi, merchant: MerchantInfo, receiver: Receiver
) -> None:
    await _register(api, receiver.url, ["kyc.expired"])
    session_id = await new_session(state, merchant.id, mode="test")
    async with unit_of_work(state.sessionmaker) as db:
        found = await db.get(KycSession, session_id)
        assert found is not None
        found.expires_at = utcnow() - timedelta(seconds=1)
    report = await sweep_once(state)
    assert report.expired == 1
    await drain(state)
    (request,) = receiver.wait_for(1)
    assert request.json()["event"] == "kyc.expired"
    assert request.json()["data"]["status"] == "EXPIRED"


async def test_the_sweep_re_enqueues_a_delivery_whose_job_was_lost(
    state: AppState, api: SignedApi, merchant: MerchantInfo, receiver: Receiver
) -> None:
    await _register(api, receiver.url, ["kyc.completed"])
    session_id = await new_session(state, merchant.id, mode="test")
    await capture(state, session_id)
    await submit(state, session_id)
    await drain(state, rounds=1)  # the verification only: it enqueues the delivery
    state.queue.huey.flush()  # the queue loses it (crash between commit and enqueue)
    assert await drain(state) == []
    report = await sweep_once(state)
    assert report.deliveries == 1
    await drain(state)
    assert len(receiver.wait_for(1)) == 1


async def test_test_events_reach_the_endpoint(
    state: AppState, api: SignedApi, merchant: MerchantInfo, receiver: Receiver
) -> None:
    webhook = await _register(api, receiver.url, ["kyc.completed"])
    async with unit_of_work(state.sessionmaker) as db:
        service = WebhookService(db, state.keyring)
        endpoint = await service.get_endpoint(
            Tenant(uuid.UUID(merchant.id), "test"), uuid.UUID(webhook["id"])
        )
        session_id = await new_session(state, merchant.id, mode="test")
        kyc_session = await db.get(KycSession, session_id)
        assert kyc_session is not None
        delivery = await service.record_test_event(endpoint, kyc_session)
    await sweep_once(state)
    await drain(state)
    (request,) = receiver.wait_for(1)
    assert request.json()["test"] is True
    assert request.json()["id"] == delivery.event_id
