"""The review queue and the case page over HTTP: scoping, evidence, actions with CSRF, roles."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from openkyc.audit.models import AuditEvent
from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.state import AppState
from tests.dashboard.support import OperatorInfo, form, sign_in
from tests.reviews.factories import captured_in_review, in_review, set_policy
from tests.support import MerchantInfo
from tests.verifications.factories import load_session


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"pipeline": "fake"})


async def _audited(state: AppState, session_id: uuid.UUID, action: str) -> list[AuditEvent]:
    async with unit_of_work(state.sessionmaker) as db:
        rows = await db.scalars(
            select(AuditEvent).where(
                AuditEvent.subject_id == str(session_id), AuditEvent.action == action
            )
        )
        return list(rows.all())


async def test_the_queue_lists_cases_and_a_reviewer_takes_one(
    client: httpx.AsyncClient,
    other_browser: httpx.AsyncClient,
    state: AppState,
    merchant: MerchantInfo,
    reviewer: OperatorInfo,
    make_operator: Any,
) -> None:
    session_id = await in_review(state, merchant.id)
    csrf = await sign_in(client, reviewer)
    page = await client.get("/dashboard/queue")
    assert page.status_code == 200
    assert f'data-session="{session_id}"' in page.text
    assert "FACE_MISMATCH" in page.text
    assert "Test merchant" in page.text

    taken = await client.post(f"/dashboard/queue/{session_id}/take", data=form(csrf))
    assert taken.status_code == 303
    assert taken.headers["location"] == f"/dashboard/cases/{session_id}"

    colleague = await make_operator(role="reviewer", email="colleague@example.com")
    other_csrf = await sign_in(other_browser, colleague)
    seen = await other_browser.get("/dashboard/queue")
    assert reviewer.email in seen.text
    refused = await other_browser.post(
        f"/dashboard/cases/{session_id}/approve", data=form(other_csrf)
    )
    assert refused.status_code == 409
    assert f"{reviewer.email} has taken this case" in refused.text
    assert (await load_session(state, session_id)).status == "IN_PROGRESS"


async def test_the_case_page_shows_every_piece_of_evidence_masked_and_audited(
    client: httpx.AsyncClient, state: AppState, merchant: MerchantInfo, reviewer: OperatorInfo
) -> None:
    session_id = await captured_in_review(state, merchant.id, customer_email="client@example.org")
    csrf = await sign_in(client, reviewer)
    page = await client.get(f"/dashboard/cases/{session_id}")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    html = page.text
    images = re.findall(r'<img src="([^"]+)"[^>]*loading="lazy"', html)
    # Front, back, portrait + best frame, and the 24 frames: every one loaded lazily.
    assert len(images) == 28
    assert html.count("<img ") == 28
    assert 'data-check="face_match"' in html
    assert "fake-pipeline" in html
    assert "turn_left" in html
    assert "751234567" not in html  # masked until revealed
    assert "client@example.org" not in html
    assert "c•••@example.org" in html
    assert "<dt>Document number</dt>" in html  # the API's keys, named for people
    assert "documentNumber</dt>" not in html
    assert len(await _audited(state, session_id, "case.viewed")) == 1

    image = await client.get(images[0])
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/jpeg"
    assert image.headers["cache-control"] == "no-store"
    assert image.content.startswith(b"\xff\xd8")

    revealed = await client.post(f"/dashboard/cases/{session_id}/reveal", data=form(csrf))
    assert revealed.status_code == 200
    assert "751234567" in revealed.text
    assert "client@example.org" in revealed.text
    assert len(await _audited(state, session_id, "case.personal_data_revealed")) == 1

    no_csrf = await client.post(f"/dashboard/cases/{session_id}/reveal", data={})
    assert no_csrf.status_code == 403
    assert len(await _audited(state, session_id, "case.personal_data_revealed")) == 1


async def test_a_reviewer_approves_through_the_case_page(
    client: httpx.AsyncClient, state: AppState, merchant: MerchantInfo, reviewer: OperatorInfo
) -> None:
    session_id = await in_review(state, merchant.id)
    csrf = await sign_in(client, reviewer)
    assert (
        await client.post(f"/dashboard/cases/{session_id}/take", data=form(csrf))
    ).status_code == 303
    page = await client.get(f"/dashboard/cases/{session_id}")
    assert 'id="approve"' in page.text
    # The timeline names the operator by e-mail.
    assert f'case.taken</strong> <span class="muted">operator {reviewer.email}' in page.text
    approved = await client.post(f"/dashboard/cases/{session_id}/approve", data=form(csrf))
    assert approved.status_code == 303
    assert (await load_session(state, session_id)).status == "APPROVED"
    after = await client.get(approved.headers["location"])
    assert "Approved. The merchant is notified." in after.text
    assert 'id="approve"' not in after.text

    again = await client.post(f"/dashboard/cases/{session_id}/decline", data=form(csrf))
    assert again.status_code == 409
    assert "someone decided it" in again.text
    assert (await load_session(state, session_id)).status == "APPROVED"


async def test_a_decline_with_reasons_and_a_note_and_a_bad_code_refused(
    client: httpx.AsyncClient, state: AppState, merchant: MerchantInfo, reviewer: OperatorInfo
) -> None:
    session_id = await in_review(state, merchant.id)
    csrf = await sign_in(client, reviewer)
    bad = await client.post(
        f"/dashboard/cases/{session_id}/decline", data=form(csrf, reasons=["NOT_A_CODE"])
    )
    assert bad.status_code == 400
    assert (await load_session(state, session_id)).status == "IN_PROGRESS"
    declined = await client.post(
        f"/dashboard/cases/{session_id}/decline",
        data=form(csrf, reasons=["LIVENESS_FAILED"], note="screen replay"),
    )
    assert declined.status_code == 303
    session = await load_session(state, session_id)
    assert (session.status, session.decline_reasons) == ("DECLINED", ["LIVENESS_FAILED"])


async def test_a_retake_from_the_case_page_reopens_the_session(
    client: httpx.AsyncClient, state: AppState, merchant: MerchantInfo, reviewer: OperatorInfo
) -> None:
    session_id = await in_review(state, merchant.id)
    csrf = await sign_in(client, reviewer)
    response = await client.post(
        f"/dashboard/cases/{session_id}/retake", data=form(csrf, reasons=["POOR_QUALITY"])
    )
    assert response.status_code == 303
    reopened = await load_session(state, session_id)
    assert (reopened.status, reopened.submitted_at) == ("IN_PROGRESS", None)


async def test_four_eyes_on_the_case_page(
    client: httpx.AsyncClient,
    other_browser: httpx.AsyncClient,
    state: AppState,
    merchant: MerchantInfo,
    reviewer: OperatorInfo,
    make_operator: Any,
) -> None:
    await set_policy(state, merchant.id, {"fourEyes": True})
    session_id = await in_review(state, merchant.id)
    csrf = await sign_in(client, reviewer)
    proposed = await client.post(f"/dashboard/cases/{session_id}/approve", data=form(csrf))
    assert proposed.headers["location"].endswith("done=proposed")
    assert (await load_session(state, session_id)).status == "IN_PROGRESS"
    mine = await client.get(f"/dashboard/cases/{session_id}")
    assert 'id="confirm"' not in mine.text
    second = await make_operator(role="reviewer")
    other_csrf = await sign_in(other_browser, second)
    page = await other_browser.get(f"/dashboard/cases/{session_id}")
    assert 'id="confirm"' in page.text
    confirmed = await other_browser.post(
        f"/dashboard/cases/{session_id}/confirm", data=form(other_csrf)
    )
    assert confirmed.status_code == 303
    assert (await load_session(state, session_id)).status == "APPROVED"


async def test_notes_are_added_with_csrf(
    client: httpx.AsyncClient, state: AppState, merchant: MerchantInfo, reviewer: OperatorInfo
) -> None:
    session_id = await in_review(state, merchant.id)
    csrf = await sign_in(client, reviewer)
    added = await client.post(
        f"/dashboard/cases/{session_id}/note", data=form(csrf, note="Called the customer")
    )
    assert added.status_code == 303
    page = await client.get(f"/dashboard/cases/{session_id}")
    assert "Called the customer" in page.text
    empty = await client.post(f"/dashboard/cases/{session_id}/note", data=form(csrf, note=" "))
    assert empty.status_code == 400


async def test_another_merchants_case_is_a_404_like_a_missing_one(
    client: httpx.AsyncClient,
    state: AppState,
    merchant: MerchantInfo,
    make_merchant: Any,
    make_operator: Any,
) -> None:
    other = await make_merchant(name="Other shop")
    session_id = await captured_in_review(state, merchant.id, frames=1, back=False)
    scoped = await make_operator(role="reviewer", merchant_ids=[other.id])
    csrf = await sign_in(client, scoped)
    missing = await client.get(f"/dashboard/cases/{uuid.uuid4()}")
    foreign = await client.get(f"/dashboard/cases/{session_id}")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.text.replace(str(session_id), "") == missing.text.replace(
        missing.url.path.rsplit("/", 1)[1], ""
    )
    queue = await client.get("/dashboard/queue")
    assert str(session_id) not in queue.text
    for action in ("take", "approve", "reveal"):
        refused = await client.post(f"/dashboard/cases/{session_id}/{action}", data=form(csrf))
        assert refused.status_code == 404
    async with unit_of_work(state.sessionmaker) as db:
        from openkyc.media.models import MediaObject

        object_id = (await db.scalars(select(MediaObject.id))).first()
    image = await client.get(f"/dashboard/cases/{session_id}/media/{object_id}")
    assert image.status_code == 404
    assert (await load_session(state, session_id)).status == "IN_PROGRESS"


async def test_an_auditor_sees_no_decision_buttons_and_is_refused(
    client: httpx.AsyncClient, state: AppState, merchant: MerchantInfo, auditor: OperatorInfo
) -> None:
    session_id = await in_review(state, merchant.id)
    csrf = await sign_in(client, auditor)
    page = await client.get(f"/dashboard/cases/{session_id}")
    assert page.status_code == 200
    for button in ('id="approve"', 'id="take"', 'id="decline"', 'id="add-note"'):
        assert button not in page.text
    queue = await client.get("/dashboard/queue")
    assert "data-take=" not in queue.text
    for action in ("take", "approve", "decline", "retake", "note"):
        refused = await client.post(f"/dashboard/cases/{session_id}/{action}", data=form(csrf))
        assert refused.status_code == 403
    assert (await load_session(state, session_id)).status == "IN_PROGRESS"


async def test_an_unauthenticated_case_request_is_sent_to_sign_in(
    client: httpx.AsyncClient, state: AppState, merchant: MerchantInfo
) -> None:
    session_id = await in_review(state, merchant.id)
    page = await client.get(f"/dashboard/cases/{session_id}")
    assert page.status_code == 303
    assert page.headers["location"].startswith("/dashboard/login?next=")
    post = await client.post(f"/dashboard/cases/{session_id}/approve", data={})
    assert post.status_code == 303
    assert (await load_session(state, session_id)).status == "IN_PROGRESS"


async def test_the_timeline_shows_webhook_deliveries_pending_and_answered(
    client: httpx.AsyncClient, state: AppState, merchant: MerchantInfo, reviewer: OperatorInfo
) -> None:
    from openkyc.merchants.tenant import Tenant
    from openkyc.webhooks.service import WebhookService
    from tests.verifications.factories import drain

    async with unit_of_work(state.sessionmaker) as db:
        await WebhookService(db, state.keyring).create_endpoint(
            Tenant(uuid.UUID(merchant.id), "test"),
            url="http://127.0.0.1:9/hook",
            events=["kyc.completed"],
            secret=None,
            production=False,
        )
    session_id = await in_review(state, merchant.id)
    csrf = await sign_in(client, reviewer)
    await client.post(f"/dashboard/cases/{session_id}/approve", data=form(csrf))
    pending = await client.get(f"/dashboard/cases/{session_id}")
    assert pending.status_code == 200
    assert "Webhook kyc.completed" in pending.text
    await drain(state)  # one attempt: nothing listens on port 9
    answered = await client.get(f"/dashboard/cases/{session_id}")
    assert answered.status_code == 200
    assert answered.text.count("Webhook kyc.completed") >= 1
