"""The sandbox's ``review`` outcome: a test session goes straight to manual review."""

from __future__ import annotations

from sqlalchemy import select

from openkyc.db.session import unit_of_work
from openkyc.sessions.service import SessionService
from openkyc.state import AppState
from openkyc.verifications.models import VerificationCheck, VerificationRun
from openkyc.verifications.service import VerificationService
from tests.support import MerchantInfo
from tests.verifications.factories import capture, drain, load_session, new_session, submit


async def test_a_test_session_forced_to_review_waits_with_synthetic_checks(
    state: AppState, merchant: MerchantInfo
) -> None:
    session_id = await new_session(state, merchant.id, mode="test")
    await submit(state, session_id, sandbox="review")  # no capture at all
    await drain(state)

    assert (await load_session(state, session_id)).status == "IN_PROGRESS"
    async with unit_of_work(state.sessionmaker) as db:
        service = VerificationService(db, state)
        outcome = await service.latest_outcome(session_id)
        waiting = [row[1].id for row in await service.awaiting_review()]
        checks = {
            check.name: check
            for check in (
                await db.scalars(
                    select(VerificationCheck)
                    .join(VerificationRun, VerificationRun.id == VerificationCheck.run_id)
                    .where(VerificationRun.session_id == session_id)
                )
            ).all()
        }
    assert outcome is not None
    assert (outcome.state, outcome.reasons) == ("review", ("FACE_MISMATCH",))
    assert waiting == [session_id]
    assert set(checks) == {"document", "face_match", "liveness"}
    face = checks["face_match"]
    assert face.model_name == "sandbox"
    assert face.score is not None
    assert face.threshold is not None
    assert face.score < face.threshold

    async with unit_of_work(state.sessionmaker) as db:
        await VerificationService(db, state).review(session_id, decision="approve", operator="eve")
    approved = await load_session(state, session_id)
    assert approved.status == "APPROVED"
    async with unit_of_work(state.sessionmaker) as db:
        identity = SessionService(db, state.keyring, default_ttl_minutes=30).verification_of(
            approved
        )
    assert identity is not None
    assert identity["fullName"] == "Test Sandbox"
    assert identity["faceMatchScore"] == face.score


async def test_a_captured_test_session_forced_to_review_keeps_the_pipeline_checks(
    state: AppState, merchant: MerchantInfo
) -> None:
    session_id = await new_session(state, merchant.id, mode="test")
    await capture(state, session_id)
    await submit(state, session_id, sandbox="review")
    await drain(state)
    async with unit_of_work(state.sessionmaker) as db:
        outcome = await VerificationService(db, state).latest_outcome(session_id)
        models = set(
            (
                await db.scalars(
                    select(VerificationCheck.model_name)
                    .join(VerificationRun, VerificationRun.id == VerificationCheck.run_id)
                    .where(VerificationRun.session_id == session_id)
                )
            ).all()
        )
    assert outcome is not None
    assert outcome.state == "review"
    assert outcome.reasons  # a reviewer always has a reason to look at
    assert "sandbox" not in models


async def test_a_live_session_ignores_a_forced_review(
    state: AppState, merchant: MerchantInfo
) -> None:
    session_id = await new_session(state, merchant.id, mode="live")
    await capture(state, session_id)
    await submit(state, session_id, sandbox="review")
    await drain(state)
    assert (await load_session(state, session_id)).status == "APPROVED"
