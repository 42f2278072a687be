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
