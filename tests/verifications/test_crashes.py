"""A pipeline that crashes is retried; one that keeps crashing goes to an operator."""

from __future__ import annotations

import uuid

import pytest

from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.merchants.models import Merchant
from openkyc.state import AppState
from openkyc.verifications.service import MAX_CLAIMS, VerificationService
from openkyc.worker.periodic import sweep_once
from tests.support import MerchantInfo
from tests.verifications.factories import capture, drain, load_session, new_session, runs_of, submit


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"sweep_grace_s": 0.0})


async def test_a_crashing_pipeline_is_retried_then_sent_to_review(
    state: AppState, merchant: MerchantInfo
) -> None:
    session_id = await new_session(state, merchant.id)
    await capture(state, session_id, crash=True)
    await submit(state, session_id)
    for _ in range(MAX_CLAIMS + 2):
        await drain(state)
        await sweep_once(state)  # the crashed run is pending again: re-enqueued
    (run,) = await runs_of(state, session_id)
    assert (run.status, run.outcome, run.claims) == ("done", "review", MAX_CLAIMS)
    assert run.error == "RuntimeError"  # the type only: messages may quote document text
    assert (await load_session(state, session_id)).status == "IN_PROGRESS"


async def test_a_malformed_merchant_policy_ends_with_an_operator_not_a_loop(
    state: AppState, merchant: MerchantInfo
) -> None:
    session_id = await new_session(state, merchant.id)
    await capture(state, session_id)
    await submit(state, session_id)
    async with unit_of_work(state.sessionmaker) as db:
        found = await db.get(Merchant, uuid.UUID(merchant.id))
        assert found is not None
        found.policy = {"minimumAge": "eighteen"}  # broken after the submit
    for _ in range(MAX_CLAIMS + 2):
        await drain(state)
        await sweep_once(state)
    (run,) = await runs_of(state, session_id)
    assert (run.status, run.outcome, run.error) == ("done", "review", "InvalidPolicy")
    async with unit_of_work(state.sessionmaker) as db:
        outcome = await VerificationService(db, state).latest_outcome(session_id)
    assert outcome is not None
    assert (outcome.state, outcome.attempts_allowed) == ("review", 4)
