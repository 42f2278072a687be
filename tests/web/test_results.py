"""Submission to result with the real verification service and worker job, fake pipeline."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.state import AppState
from tests.support import SignedApi
from tests.web.conftest import Customer


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"pipeline": "fake"})


async def decide_pending(state: AppState) -> None:
    """Run every waiting verification job, as the worker would."""
    from openkyc.verifications.models import RunStatus, VerificationRun
    from openkyc.worker.tasks import verify_session

    async with unit_of_work(state.sessionmaker) as db:
        runs = (
            await db.scalars(
                select(VerificationRun.id).where(VerificationRun.status == RunStatus.PENDING.value)
            )
        ).all()
    assert runs
    for run_id in runs:
        await verify_session(state, str(run_id))


async def _submit(customer: Customer, outcome: str, state: AppState) -> str:
    await customer.reach_review()
    response = await customer.post("submit", {"sandbox_outcome": outcome})
    assert response.status_code == 303
    assert "Checking your photos" in (await customer.open()).text
    await decide_pending(state)
    return (await customer.open()).text


async def test_an_approved_session_shows_success_and_returns_to_the_merchant(
    customer: Customer, state: AppState, api: SignedApi, kyc_session: dict[str, Any]
) -> None:
    page = await _submit(customer, "approve", state)
    assert "You are verified" in page
    assert (
        f'href="https://shop.example.org/done?order=42&amp;sessionId={customer.session_id}'
        '&amp;status=APPROVED"' in page
    )
    status = (await customer.http.get(f"{customer.url}/status")).json()
    assert status["state"] == "approved"
    assert status["final"] is True
    session = (await api.get(f"/api/v2/kyc/sessions/{customer.session_id}")).json()["session"]
    assert session["status"] == "APPROVED"


async def test_a_declined_session_says_why_in_plain_words(
    customer: Customer, state: AppState
) -> None:
    page = await _submit(customer, "decline", state)
    assert "We could not verify you" in page
    assert 'class="reasons"' in page
    assert "status=DECLINED" in page
    # Stable codes and scores stay with the merchant; the customer reads sentences.
    assert "DOCUMENT_" not in page
    assert "Score" not in page


async def test_a_retake_request_lets_the_customer_try_again(
    customer: Customer, state: AppState
) -> None:
    page = await _submit(customer, "retake", state)
    assert "Please take the photos again" in page
    assert "attempts left" in page or "attempt left" in page
    response = await customer.post("retake", {})
    assert response.status_code == 303
    again = (await customer.open()).text
    assert "Photograph the page with your photo" in again or "Take a selfie" in again


async def test_a_decided_session_cannot_be_submitted_again(
    customer: Customer, state: AppState
) -> None:
    await _submit(customer, "approve", state)
    again = await customer.post("submit", {}, json=True)
    assert again.status_code == 409
    assert again.json()["success"] is False


async def test_a_live_session_ignores_a_forced_outcome(
    api: SignedApi, state: AppState, merchant: Any, client: Any
) -> None:
    from tests.support import SignedApi as Api

    live = Api(api.http, merchant.live)
    created = await live.create_session(language="en")
    customer = Customer(client, created["id"])
    page = (await customer.open()).text
    assert "Sandbox" not in page
    await customer.reach_review()
    assert "sandbox_outcome" not in (await customer.open()).text
    await customer.post("submit", {"sandbox_outcome": "approve"})
    from openkyc.verifications.models import VerificationRun

    async with unit_of_work(state.sessionmaker) as db:
        run = (
            await db.scalars(
                select(VerificationRun).where(
                    VerificationRun.session_id == uuid.UUID(created["id"])
                )
            )
        ).one()
    assert run.forced_outcome is None
