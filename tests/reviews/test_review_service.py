"""The review queue: scoping, assignment, decisions through the verification service,
four-eyes, notes, and refusals that change nothing."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from openkyc.audit.models import AuditEvent
from openkyc.db.session import unit_of_work
from openkyc.errors import OpenKycError, ValidationFailed
from openkyc.merchants.tenant import Tenant
from openkyc.reviews.errors import (
    CaseNotFound,
    CaseNotTaken,
    CaseTaken,
    MayNotDecide,
    NoProposal,
    SameReviewer,
)
from openkyc.state import AppState
from openkyc.verifications.errors import NotAwaitingReview
from openkyc.verifications.models import VerificationReview
from openkyc.webhooks.models import WebhookEvent
from openkyc.webhooks.service import WebhookService
from tests.reviews.factories import (
    ALICE,
    AUDITOR,
    BOB,
    in_review,
    reviews,
    scoped,
    set_policy,
)
from tests.support import MerchantInfo
from tests.verifications.factories import load_session


async def _actions(state: AppState, session_id: uuid.UUID) -> list[str]:
    async with unit_of_work(state.sessionmaker) as db:
        rows = await db.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.subject_id == str(session_id))
            .order_by(AuditEvent.id)
        )
        return list(rows.all())


async def _reviews_recorded(state: AppState) -> int:
    async with unit_of_work(state.sessionmaker) as db:
        return int(await db.scalar(select(func.count()).select_from(VerificationReview)) or 0)


async def test_the_queue_lists_waiting_cases_oldest_first_with_reasons_and_scores(
    state: AppState, merchant: MerchantInfo, make_merchant: Any
) -> None:
    other = await make_merchant(name="Other shop")
    first = await in_review(state, merchant.id)
    second = await in_review(state, other.id)

    items = await reviews(state, lambda service: service.queue(ALICE))
    assert [item.session_id for item in items] == [first, second]
    assert items[0].merchant_name == "Test merchant"
    assert items[0].reasons == ("FACE_MISMATCH",)
    face = items[0].scores["face_match"]
    assert face.score is not None
    assert face.threshold is not None
    assert face.score < face.threshold
    assert items[0].waiting_since <= items[1].waiting_since

    mine = await reviews(state, lambda service: service.queue(scoped(ALICE, other.id)))
    assert [item.session_id for item in mine] == [second]


async def test_another_merchants_case_is_not_found_exactly_like_a_missing_one(
    state: AppState, merchant: MerchantInfo, make_merchant: Any
) -> None:
    other = await make_merchant(name="Other shop")
    session_id = await in_review(state, merchant.id)
    outsider = scoped(BOB, other.id)
    for act in (
        lambda service: service.case_session(outsider, session_id),
        lambda service: service.take(outsider, session_id),
        lambda service: service.decide(outsider, session_id, "approve"),
        lambda service: service.case_session(ALICE, uuid.uuid4()),
    ):
        with pytest.raises(CaseNotFound) as caught:
            await reviews(state, act)
        assert (caught.value.http_status, caught.value.message) == (404, "Case not found")
    assert (await load_session(state, session_id)).status == "IN_PROGRESS"


async def test_a_taken_case_shows_its_holder_and_refuses_everyone_else(
    state: AppState, merchant: MerchantInfo
) -> None:
    session_id = await in_review(state, merchant.id)
    await reviews(state, lambda service: service.take(ALICE, session_id))
    await reviews(state, lambda service: service.take(ALICE, session_id))  # idempotent

    (item,) = await reviews(state, lambda service: service.queue(BOB))
    assert item.taken_by == "alice@example.org"
    with pytest.raises(CaseTaken) as caught:
        await reviews(state, lambda service: service.take(BOB, session_id))
    assert caught.value.http_status == 409
    assert "alice@example.org" in caught.value.message
    with pytest.raises(CaseTaken):
        await reviews(state, lambda service: service.decide(BOB, session_id, "approve"))
    with pytest.raises(CaseNotTaken):
        await reviews(state, lambda service: service.release(BOB, session_id))
    assert (await load_session(state, session_id)).status == "IN_PROGRESS"

    await reviews(state, lambda service: service.release(BOB, session_id, force=True))
    await reviews(state, lambda service: service.take(BOB, session_id))
    assert "case.taken" in await _actions(state, session_id)


async def test_an_approval_goes_through_the_verification_service_and_fires_the_webhook(
    state: AppState, merchant: MerchantInfo
) -> None:
    async with unit_of_work(state.sessionmaker) as db:
        await WebhookService(db, state.keyring).create_endpoint(
            Tenant(uuid.UUID(merchant.id), "test"),
            url="http://127.0.0.1:9/hook",
            events=["kyc.completed"],
            secret=None,
            production=False,
        )
    session_id = await in_review(state, merchant.id)
    await reviews(state, lambda service: service.take(ALICE, session_id))
    result = await reviews(
        state, lambda service: service.decide(ALICE, session_id, "approve", note="looks fine")
    )
    assert (result.state, result.decision) == ("decided", "approve")
    assert (await load_session(state, session_id)).status == "APPROVED"
    async with unit_of_work(state.sessionmaker) as db:
        events = (await db.scalars(select(WebhookEvent.event))).all()
        review = (await db.scalars(select(VerificationReview))).one()
    assert list(events) == ["kyc.completed"]
    assert (review.operator, review.note) == (ALICE.actor_id, "looks fine")
    assert await reviews(state, lambda service: service.holder(session_id)) is None
    assert "verification.decided" in await _actions(state, session_id)

    with pytest.raises(NotAwaitingReview) as again:
        await reviews(state, lambda service: service.decide(ALICE, session_id, "decline"))
    assert again.value.http_status == 409
    assert await _reviews_recorded(state) == 1


async def test_a_decline_keeps_the_chosen_reason_codes_and_refuses_unknown_ones(
    state: AppState, merchant: MerchantInfo
) -> None:
    session_id = await in_review(state, merchant.id)
    with pytest.raises(ValidationFailed):
        await reviews(
            state,
            lambda service: service.decide(ALICE, session_id, "decline", reasons=["NOPE"]),
        )
    with pytest.raises(ValidationFailed):
        await reviews(
            state, lambda service: service.decide(ALICE, session_id, "approve", note="x" * 1001)
        )
    assert await _reviews_recorded(state) == 0
    await reviews(
        state,
        lambda service: service.decide(
            ALICE, session_id, "decline", reasons=["LIVENESS_FAILED", "DOCUMENT_EXPIRED"]
        ),
    )
    declined = await load_session(state, session_id)
    assert declined.decline_reasons == ["LIVENESS_FAILED", "DOCUMENT_EXPIRED"]


async def test_two_reviewers_deciding_at_once_decide_once(
    state: AppState, merchant: MerchantInfo
) -> None:
    session_id = await in_review(state, merchant.id)

    async def decide(reviewer: Any, decision: str) -> str:
        try:
            await reviews(state, lambda service: service.decide(reviewer, session_id, decision))
        except OpenKycError as exc:
            return f"refused {exc.http_status}"
        return decision

    results = await asyncio.gather(decide(ALICE, "approve"), decide(BOB, "decline"))
    assert results.count("refused 409") == 1
    assert await _reviews_recorded(state) == 1
    status = (await load_session(state, session_id)).status
    assert status == ("APPROVED" if "approve" in results else "DECLINED")


async def test_four_eyes_holds_the_first_decision_until_another_reviewer_confirms(
    state: AppState, merchant: MerchantInfo
) -> None:
    await set_policy(state, merchant.id, {"fourEyes": True})
    session_id = await in_review(state, merchant.id)
    await reviews(state, lambda service: service.take(ALICE, session_id))
    result = await reviews(
        state,
        lambda service: service.decide(ALICE, session_id, "decline", reasons=["FACE_MISMATCH"]),
    )
    assert result.state == "proposed"
    assert (await load_session(state, session_id)).status == "IN_PROGRESS"
    (item,) = await reviews(state, lambda service: service.queue(BOB))
    assert (item.proposed, item.proposed_by, item.taken_by) == (
        "decline",
        "alice@example.org",
        None,
    )

    with pytest.raises(SameReviewer):
        await reviews(state, lambda service: service.confirm(ALICE, session_id))
    with pytest.raises(OpenKycError) as pending:
        await reviews(state, lambda service: service.decide(BOB, session_id, "approve"))
    assert pending.value.code == "DECISION_PENDING"

    confirmed = await reviews(state, lambda service: service.confirm(BOB, session_id))
    assert (confirmed.state, confirmed.decision) == ("decided", "decline")
    declined = await load_session(state, session_id)
    assert (declined.status, declined.decline_reasons) == ("DECLINED", ["FACE_MISMATCH"])
    actions = await _actions(state, session_id)
    assert actions.index("case.decision_proposed") < actions.index("case.decision_confirmed")


async def test_a_rejected_proposal_can_be_replaced(state: AppState, merchant: MerchantInfo) -> None:
    await set_policy(state, merchant.id, {"fourEyes": True})
    session_id = await in_review(state, merchant.id)
    await reviews(state, lambda service: service.decide(ALICE, session_id, "approve"))
    await reviews(state, lambda service: service.withdraw(BOB, session_id))
    with pytest.raises(NoProposal):
        await reviews(state, lambda service: service.confirm(BOB, session_id))
    await reviews(state, lambda service: service.decide(BOB, session_id, "retake"))
    await reviews(state, lambda service: service.confirm(ALICE, session_id))
    reopened = await load_session(state, session_id)
    assert (reopened.status, reopened.submitted_at) == ("IN_PROGRESS", None)


async def test_an_auditor_may_not_act(state: AppState, merchant: MerchantInfo) -> None:
    session_id = await in_review(state, merchant.id)
    for act in (
        lambda service: service.take(AUDITOR, session_id),
        lambda service: service.decide(AUDITOR, session_id, "approve"),
        lambda service: service.add_note(AUDITOR, session_id, "hello"),
    ):
        with pytest.raises(MayNotDecide) as caught:
            await reviews(state, act)
        assert caught.value.http_status == 403
    assert await reviews(state, lambda service: service.case_session(AUDITOR, session_id))


async def test_notes_are_kept_and_audited_without_their_text(
    state: AppState, merchant: MerchantInfo
) -> None:
    session_id = await in_review(state, merchant.id)
    await reviews(state, lambda service: service.add_note(ALICE, session_id, "  Called them  "))
    with pytest.raises(ValidationFailed):
        await reviews(state, lambda service: service.add_note(ALICE, session_id, "   "))
    notes = await reviews(state, lambda service: service.notes_of(session_id))
    assert [(note.body, note.actor_label) for note in notes] == [
        ("Called them", "alice@example.org")
    ]
    async with unit_of_work(state.sessionmaker) as db:
        event = (
            await db.scalars(select(AuditEvent).where(AuditEvent.action == "case.note_added"))
        ).one()
    assert "Called" not in str(event.data)
