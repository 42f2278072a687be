"""What the merchant reads back (extensions): ``review`` tells a session waiting for a person
from an unfinished one, in GET, the list and the webhook body; the names' Latin form sits
beside Cyrillic ones."""

from __future__ import annotations

import datetime as dt
import uuid
from types import SimpleNamespace

from openkyc.client import WebhookVerifier
from openkyc.db.session import unit_of_work
from openkyc.state import AppState
from openkyc.verifications.evidence import extract
from openkyc.verifications.service import VerificationService
from tests.support import MerchantInfo, SignedApi
from tests.verifications.factories import drain, submit
from tests.webhooks.receiver import Receiver


async def test_a_session_waiting_for_a_person_says_so_everywhere(
    state: AppState, api: SignedApi, merchant: MerchantInfo, receiver: Receiver
) -> None:
    hook = await api.post(
        "/api/v2/webhooks",
        json_body={"url": receiver.url, "events": ["kyc.review", "kyc.completed"]},
    )
    assert hook.status_code == 201, hook.text
    secret = hook.json()["webhook"]["secret"]
    waiting = (await api.create_session(customerId="waits"))["id"]
    unfinished = (await api.create_session(customerId="unfinished"))["id"]
    await submit(state, uuid.UUID(waiting), sandbox="review")
    await drain(state)

    body = (await api.get(f"/api/v2/kyc/sessions/{waiting}")).json()["session"]
    assert body["status"] == "IN_PROGRESS"
    assert body["verification"] is None
    assert body["review"]["status"] == "PENDING"
    since = dt.datetime.fromisoformat(body["review"]["since"].replace("Z", "+00:00"))
    assert abs((dt.datetime.now(dt.UTC) - since).total_seconds()) < 60
    other = (await api.get(f"/api/v2/kyc/sessions/{unfinished}")).json()["session"]
    assert other["review"] is None
    listed = {item["id"]: item for item in (await api.get("/api/v2/kyc/sessions")).json()["data"]}
    assert listed[waiting]["review"] == body["review"]
    assert listed[unfinished]["review"] is None

    (request,) = receiver.wait_for(1)
    event = WebhookVerifier(secret).verify(request.body, request.headers)
    assert event["event"] == "kyc.review"
    assert event["data"]["review"] == body["review"]
    assert event["data"]["status"] == "IN_PROGRESS"

    # Once a person decides, the session reads as decided and review is null again.
    async with unit_of_work(state.sessionmaker) as db:
        await VerificationService(db, state).review(
            uuid.UUID(waiting), decision="approve", operator="ops"
        )
    await drain(state)
    body = (await api.get(f"/api/v2/kyc/sessions/{waiting}")).json()["session"]
    assert (body["status"], body["review"]) == ("APPROVED", None)
    assert body["verification"]["fullNameLatin"] == "Test Sandbox"
    completed = receiver.wait_for(2)[1]
    assert (
        WebhookVerifier(secret).verify(completed.body, completed.headers)["data"]["review"] is None
    )


def test_latin_names_sit_beside_cyrillic_ones() -> None:
    document = SimpleNamespace(
        found=True,
        valid=True,
        surname="KASYMOVA",
        given_names="AIDANA",
        surname_cyrillic="ҚАСЫМОВА",
        given_names_cyrillic="АЙДАНА",
        patronymic="ЕРЛАНҚЫЗЫ",
        birth_date=dt.date(1990, 1, 1),
        expiry_date=dt.date(2030, 1, 1),
        issuing_country="KAZ",
        document_type="passport",
        number="N1234567",
    )
    result = SimpleNamespace(document=document, face=None, liveness=None, reasons=())
    identity = extract(result, today=dt.date(2026, 12, 1)).identity
    assert identity["fullName"] == "Айдана Ерланқызы Қасымова"
    assert identity["firstNameLatin"] == "Aidana"
    assert identity["lastNameLatin"] == "Kasymova"
    assert identity["middleNameLatin"] == "Erlankyzy"
    assert identity["fullNameLatin"] == "Aidana Erlankyzy Kasymova"
