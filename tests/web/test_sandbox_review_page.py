"""The hosted page's sandbox buttons can send a test session straight to manual review."""

from __future__ import annotations

import uuid

import pytest

from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.state import AppState
from openkyc.verifications.service import VerificationService
from tests.web.conftest import Customer
from tests.web.test_results import decide_pending


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"pipeline": "fake"})


async def test_the_sandbox_review_button_puts_the_session_in_the_queue(
    customer: Customer, state: AppState
) -> None:
    await customer.reach_review()
    assert 'name="sandbox_outcome" value="review"' in (await customer.open()).text
    response = await customer.post("submit", {"sandbox_outcome": "review"})
    assert response.status_code == 303
    await decide_pending(state)

    page = (await customer.open()).text
    assert "Your photos are being reviewed" in page
    status = (await customer.http.get(f"{customer.url}/status")).json()
    assert (status["state"], status["status"], status["final"]) == ("review", "IN_PROGRESS", True)
    async with unit_of_work(state.sessionmaker) as db:
        waiting = await VerificationService(db, state).awaiting_review()
    assert [row[1].id for row in waiting] == [uuid.UUID(customer.session_id)]
    run = waiting[0][0]
    assert run.reasons  # the queue shows why it is there


async def test_an_operators_retake_sends_the_customer_back_through_the_same_link(
    customer: Customer, state: AppState
) -> None:
    from openkyc.reviews.schemas import Reviewer
    from openkyc.reviews.service import ReviewService

    await customer.reach_review()
    await customer.post("submit", {"sandbox_outcome": "review"})
    await decide_pending(state)
    async with unit_of_work(state.sessionmaker) as db:
        await ReviewService(db, state).decide(
            Reviewer(actor_id="op-1", label="op@example.org"),
            uuid.UUID(customer.session_id),
            "retake",
            reasons=["DOCUMENT_UNREADABLE"],
        )
    page = (await customer.open()).text
    assert "Please take the photos again" in page
    assert "We could not read your document." in page  # the operator's reason, in words
    again = await customer.post("retake", {})
    assert again.status_code == 303
    assert "Photograph the page with your photo" in (await customer.open()).text
