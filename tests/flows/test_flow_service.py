from __future__ import annotations

import random
import uuid
from datetime import timedelta

import pytest

from openkyc.db.session import unit_of_work
from openkyc.flows.errors import DocumentNotAllowed, FlowStepConflict, HandoffInvalid
from openkyc.flows.models import FlowStep, HostedFlow
from openkyc.flows.service import Consent, FlowService
from openkyc.sessions.service import SessionService
from openkyc.state import AppState
from tests.support import SignedApi


@pytest.fixture
async def session_id(api: SignedApi) -> uuid.UUID:
    return uuid.UUID((await api.create_session())["id"])


async def _with_flow(state: AppState, session_id: uuid.UUID, *steps: str) -> str:
    """Open the flow and walk it to the wanted step; return the page token."""
    async with unit_of_work(state.sessionmaker) as db:
        sessions = SessionService(db, state.keyring, default_ttl_minutes=30)
        flows = FlowService(db, sessions)
        opened = await flows.open(await sessions.get_by_id(session_id), None)
        assert opened.issued_token is not None
        flow = opened.flow
        if "document" in steps:
            await flows.give_consent(flow, Consent("v1", "0" * 64, "10.0.0.1", "UA"))
        if "capture_front" in steps:
            await flows.choose_document(flow, "kz_id_card", {})
        if "selfie" in steps:
            await flows.capture_accepted(flow, "front")
            await flows.capture_accepted(flow, "back")
        if "review" in steps:
            await flows.selfie_accepted(flow, 8)
        if "processing" in steps:
            await flows.submitted(flow)
        return opened.issued_token


async def _run(state: AppState, session_id: uuid.UUID, action: str, *args: object) -> HostedFlow:
    async with unit_of_work(state.sessionmaker) as db:
        sessions = SessionService(db, state.keyring, default_ttl_minutes=30)
        flows = FlowService(db, sessions)
        flow = await flows.locked(session_id)
        assert flow is not None
        await getattr(flows, action)(flow, *args)
        return flow


async def test_a_card_goes_front_back_selfie_review(state: AppState, session_id: uuid.UUID) -> None:
    await _with_flow(state, session_id, "document", "capture_front", "selfie", "review")
    async with unit_of_work(state.sessionmaker) as db:
        flow = await db.get(HostedFlow, session_id)
        assert flow is not None
        assert flow.step == FlowStep.REVIEW.value
        assert flow.country == "KAZ"


async def test_the_token_is_checked_against_its_hash(
    state: AppState, session_id: uuid.UUID
) -> None:
    token = await _with_flow(state, session_id)
    async with unit_of_work(state.sessionmaker) as db:
        flow = await db.get(HostedFlow, session_id)
        assert flow is not None
        assert FlowService.token_matches(flow, token)
        assert not FlowService.token_matches(flow, token + "x")
        assert not FlowService.token_matches(flow, None)


async def test_a_document_outside_the_policy_is_refused(
    state: AppState, session_id: uuid.UUID
) -> None:
    await _with_flow(state, session_id, "document")
    with pytest.raises(DocumentNotAllowed):
        await _run(
            state, session_id, "choose_document", "kz_id_card", {"allowedCountries": ["RUS"]}
        )


async def test_going_back_only_reaches_earlier_capture_steps(
    state: AppState, session_id: uuid.UUID
) -> None:
    await _with_flow(state, session_id, "document", "capture_front", "selfie", "review")
    for forbidden in ("consent", "processing", "review", "nonsense"):
        with pytest.raises(FlowStepConflict):
            await _run(state, session_id, "go_back", forbidden)
    flow = await _run(state, session_id, "go_back", "capture_back")
    assert flow.step == "capture_back"
    with pytest.raises(FlowStepConflict):
        await _run(state, session_id, "go_back", "selfie")


async def test_nothing_goes_back_once_submitted(state: AppState, session_id: uuid.UUID) -> None:
    await _with_flow(
        state, session_id, "document", "capture_front", "selfie", "review", "processing"
    )
    with pytest.raises(FlowStepConflict):
        await _run(state, session_id, "go_back", "selfie")


@pytest.mark.parametrize(
    ("reasons", "step"),
    [
        (("selfie_too_dark",), "selfie"),
        (("liveness_challenge_not_followed", "face_match_review"), "selfie"),
        (("capture_blurred",), "capture_front"),
        (("selfie_too_dark", "DOCUMENT_UNREADABLE"), "capture_front"),
        ((), "capture_front"),
    ],
)
async def test_a_retake_restarts_where_the_problem_was(
    state: AppState, session_id: uuid.UUID, reasons: tuple[str, ...], step: str
) -> None:
    await _with_flow(
        state, session_id, "document", "capture_front", "selfie", "review", "processing"
    )
    async with unit_of_work(state.sessionmaker) as db:
        flow = await db.get(HostedFlow, session_id)
        assert flow is not None
        FlowService(db, SessionService(db, state.keyring, default_ttl_minutes=30)).challenge(
            flow, random.Random(1)
        )
    flow = await _run(state, session_id, "start_retake", reasons)
    assert flow.step == step
    assert flow.attempt == 2
    assert flow.challenge_json is None  # a new attempt gets a new challenge


async def test_a_handoff_token_works_once_and_expires(
    state: AppState, session_id: uuid.UUID
) -> None:
    await _with_flow(state, session_id)
    async with unit_of_work(state.sessionmaker) as db:
        flows = FlowService(db, SessionService(db, state.keyring, default_ttl_minutes=30))
        flow = await flows.locked(session_id)
        assert flow is not None
        token = await flows.create_handoff(flow, timedelta(minutes=5))
        expired = await flows.create_handoff(flow, timedelta(seconds=-1))
    async with unit_of_work(state.sessionmaker) as db:
        flows = FlowService(db, SessionService(db, state.keyring, default_ttl_minutes=30))
        with pytest.raises(HandoffInvalid):
            await flows.redeem_handoff(session_id, token)  # replaced by the newer one
        with pytest.raises(HandoffInvalid):
            await flows.redeem_handoff(session_id, expired)
    async with unit_of_work(state.sessionmaker) as db:
        flows = FlowService(db, SessionService(db, state.keyring, default_ttl_minutes=30))
        flow = await flows.locked(session_id)
        assert flow is not None
        fresh = await flows.create_handoff(flow, timedelta(minutes=5))
    async with unit_of_work(state.sessionmaker) as db:
        flows = FlowService(db, SessionService(db, state.keyring, default_ttl_minutes=30))
        device = await flows.redeem_handoff(session_id, fresh)
        flow = await flows.locked(session_id)
        assert flow is not None
        assert FlowService.token_matches(flow, device)
        with pytest.raises(HandoffInvalid):
            await flows.redeem_handoff(session_id, fresh)
