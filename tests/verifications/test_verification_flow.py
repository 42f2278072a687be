"""Submit -> job -> decision, through the real queue storage and the real database."""

from __future__ import annotations

import base64
import secrets
import uuid

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from openkyc.audit.models import AuditEvent
from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.merchants.models import Merchant
from openkyc.sessions.models import KycSession, SessionStatus
from openkyc.sessions.service import SessionService
from openkyc.state import AppState, build_state
from openkyc.verifications.errors import AlreadySubmitted
from openkyc.verifications.models import FaceEmbedding, VerificationCheck
from openkyc.verifications.service import VerificationService
from openkyc.worker.names import VERIFY_SESSION
from tests.support import MerchantInfo
from tests.verifications.factories import (
    capture,
    drain,
    load_session,
    new_session,
    runs_of,
    submit,
)


async def _outcome(state: AppState, session_id: uuid.UUID):  # type: ignore[no-untyped-def]
    async with unit_of_work(state.sessionmaker) as db:
        return await VerificationService(db, state).latest_outcome(session_id)


async def _set_policy(state: AppState, merchant: MerchantInfo, policy: dict[str, object]) -> None:
    async with unit_of_work(state.sessionmaker) as db:
        found = await db.get(Merchant, uuid.UUID(merchant.id))
        assert found is not None
        found.policy = policy


async def test_good_capture_is_approved_with_the_reference_verification_object(
    state: AppState, merchant: MerchantInfo
) -> None:
    session_id = await new_session(state, merchant.id)
    await capture(state, session_id)
    await submit(state, session_id)

    assert (await _outcome(state, session_id)).state == "pending"
    assert await drain(state) == [VERIFY_SESSION]

    decided = await load_session(state, session_id)
    assert decided.status == SessionStatus.APPROVED.value
    assert decided.decided_at is not None
    async with unit_of_work(state.sessionmaker) as db:
        verification = SessionService(db, state.keyring, default_ttl_minutes=30).verification_of(
            decided
        )
    assert verification is not None
    assert verification["firstName"] == "Иван"
    assert verification["middleName"] == "Петрович"
    assert verification["lastName"] == "Иванов"
    assert verification["fullName"] == "Иван Петрович Иванов"
    assert verification["documentNumber"] == "4509123456"  # the presenter masks it
    assert verification["documentCountry"] == "RUS"
    assert verification["dateOfBirth"] == "1990-01-15"
    assert verification["documentIssuedAt"] == "2021-05-10"
    assert verification["documentExpiresAt"] == "2031-05-10"
    assert verification["faceMatchScore"] == 0.97
    assert verification["livenessScore"] == 0.93
    assert verification["verifiedAt"].endswith("Z")

    outcome = await _outcome(state, session_id)
    assert (outcome.state, outcome.reasons, outcome.attempts_used, outcome.attempts_allowed) == (
        "approved",
        (),
        1,
        4,
    )


async def test_every_check_is_stored_with_score_threshold_model_and_timing(
    state: AppState, merchant: MerchantInfo
) -> None:
    session_id = await new_session(state, merchant.id)
    await capture(state, session_id)
    await submit(state, session_id)
    await drain(state)

    (run,) = await runs_of(state, session_id)
    async with unit_of_work(state.sessionmaker) as db:
        checks = {c.name: c for c in (await db.scalars(select(VerificationCheck))).all()}
    assert set(checks) == {"document", "face_match", "liveness"}
    face = checks["face_match"]
    assert (face.score, face.threshold, face.passed) == (0.97, 0.8, True)
    assert (face.model_name, face.model_version, face.duration_ms) == ("scripted-face", "2", 5.0)
    assert checks["liveness"].model_name == "scripted-liveness"
    assert run.timings == {"total": 24.0}
    assert run.outcome == "approved"


async def test_expired_document_is_declined_with_a_stable_reason(
    state: AppState,
    api,
    merchant: MerchantInfo,  # type: ignore[no-untyped-def]
) -> None:
    session_id = await new_session(state, merchant.id, mode="test")
    await capture(state, session_id, expiry="2020-01-01")
    await submit(state, session_id)
    await drain(state)

    response = await api.get(f"/api/v2/kyc/sessions/{session_id}")
    body = response.json()["session"]
    assert body["status"] == "DECLINED"
    assert body["declineReasons"] == ["DOCUMENT_EXPIRED"]
    assert body["verification"] is None
    assert "faceMatchScore" not in str(body["declineReasons"])


@pytest.mark.parametrize(
    ("policy", "spec", "reason"),
    [
        ({}, {"birth": "2015-01-01"}, "UNDERAGE"),
        ({"minimumAge": 21}, {"birth": "2006-01-01"}, "UNDERAGE"),
        ({"allowedCountries": ["KAZ"]}, {}, "COUNTRY_NOT_ALLOWED"),
        ({"allowedDocumentTypes": ["id_card"]}, {}, "DOCUMENT_NOT_ALLOWED"),
        ({}, {"face": 0.01}, "FACE_MISMATCH"),
        ({}, {"liveness": 0.01}, "LIVENESS_FAILED"),
        ({}, {"liveness_reasons": ["liveness_screen_suspected"]}, "LIVENESS_FAILED"),
    ],
)
async def test_policy_declines(
    state: AppState,
    merchant: MerchantInfo,
    policy: dict[str, object],
    spec: dict[str, object],
    reason: str,
) -> None:
    await _set_policy(state, merchant, policy)
    session_id = await new_session(state, merchant.id)
    await capture(state, session_id, **spec)
    await submit(state, session_id)
    await drain(state)

    decided = await load_session(state, session_id)
    assert decided.status == "DECLINED"
    assert reason in (decided.decline_reasons or [])


async def test_fixable_problem_asks_for_a_retake_then_declines_when_retakes_run_out(
    state: AppState, merchant: MerchantInfo
) -> None:
    await _set_policy(state, merchant, {"retakesAllowed": 1})
    session_id = await new_session(state, merchant.id)

    await capture(state, session_id, attempt=1, found=False, valid=False)
    await submit(state, session_id)
    await drain(state)
    retake = await _outcome(state, session_id)
    assert (retake.state, retake.reasons, retake.attempts_used, retake.attempts_allowed) == (
        "retake",
        ("DOCUMENT_UNREADABLE",),
        1,
        2,
    )
    reopened = await load_session(state, session_id)
    assert (reopened.status, reopened.submitted_at) == ("IN_PROGRESS", None)

    await capture(state, session_id, attempt=2, found=False, valid=False)
    await submit(state, session_id)
    await drain(state)
    final = await load_session(state, session_id)
    assert final.status == "DECLINED"
    assert final.decline_reasons == ["DOCUMENT_UNREADABLE"]
    assert [run.attempt for run in await runs_of(state, session_id)] == [1, 2]


async def test_retake_hints_name_the_fixable_stage_findings(
    state: AppState, merchant: MerchantInfo
) -> None:
    session_id = await new_session(state, merchant.id)
    await capture(state, session_id, findings=["document_unreadable"], found=True, valid=False)
    await submit(state, session_id)
    await drain(state)
    outcome = await _outcome(state, session_id)
    assert outcome.state == "retake"
    assert outcome.reasons == ("MRZ_CHECK_FAILED",)
    assert outcome.hints == ("document_unreadable",)


async def test_a_second_submit_while_pending_is_a_conflict(
    state: AppState, merchant: MerchantInfo
) -> None:
    session_id = await new_session(state, merchant.id)
    await capture(state, session_id)
    await submit(state, session_id)
    with pytest.raises(AlreadySubmitted) as caught:
        await submit(state, session_id)
    assert caught.value.http_status == 409


async def test_a_duplicated_job_decides_once(state: AppState, merchant: MerchantInfo) -> None:
    session_id = await new_session(state, merchant.id)
    await capture(state, session_id)
    await submit(state, session_id)
    (run,) = await runs_of(state, session_id)
    state.queue.enqueue(VERIFY_SESSION, str(run.id))  # as if the sweep re-enqueued it

    assert await drain(state) == [VERIFY_SESSION, VERIFY_SESSION]
    async with unit_of_work(state.sessionmaker) as db:
        decided = (
            await db.scalars(select(AuditEvent).where(AuditEvent.action == "verification.decided"))
        ).all()
    assert len(decided) == 1
    (again,) = await runs_of(state, session_id)
    assert (again.claims, again.error) == (1, None)  # the duplicate did nothing at all


async def _verified(
    state: AppState, merchant: MerchantInfo, face: int, number: str
) -> tuple[uuid.UUID, KycSession]:
    """A session decided with the scripted face ``face`` on a document numbered ``number``."""
    session_id = await new_session(state, merchant.id)
    await capture(state, session_id, embedding_seed=face, number=number)
    await submit(state, session_id)
    await drain(state)
    return session_id, await load_session(state, session_id)


async def test_the_same_face_behind_another_document_is_a_duplicate_identity(
    state: AppState, merchant: MerchantInfo
) -> None:
    first, decided = await _verified(state, merchant, 7, "1111111111")
    assert decided.status == "APPROVED"
    _, second = await _verified(state, merchant, 7, "2222222222")
    assert second.decline_reasons == ["DUPLICATE_IDENTITY"]

    async with unit_of_work(state.sessionmaker) as db:
        stored = (await db.scalars(select(FaceEmbedding))).all()
    assert [row.session_id for row in stored] == [first]
    assert b"\x00" not in stored[0].embedding_ciphertext[:3]  # sealed, "v1." prefix
    assert stored[0].embedding_ciphertext.startswith(b"v1.")


async def test_faces_from_another_embedder_are_never_compared(
    state: AppState, merchant: MerchantInfo
) -> None:
    """Vectors of two embedders live in different spaces: after a model upgrade the same face
    behind another document is not matched against the old vectors (nor are rows stored before
    the embedder was recorded), so nobody is declined on a meaningless distance."""
    _, decided = await _verified(state, merchant, 7, "1111111111")
    assert decided.status == "APPROVED"
    async with unit_of_work(state.sessionmaker) as db:
        (row,) = (await db.scalars(select(FaceEmbedding))).all()
        assert row.model == "scripted-face@1"

    session_id = await new_session(state, merchant.id)
    await capture(
        state, session_id, embedding_seed=7, number="2222222222", embedding_model="scripted-face@2"
    )
    await submit(state, session_id)
    await drain(state)
    assert (await load_session(state, session_id)).status == "APPROVED"

    async with unit_of_work(state.sessionmaker) as db:
        for row in (await db.scalars(select(FaceEmbedding))).all():
            row.model = None  # as stored before migration 0005
    _, third = await _verified(state, merchant, 7, "3333333333")
    assert third.status == "APPROVED"


async def test_the_same_person_returning_with_the_same_document_is_not_a_duplicate(
    state: AppState, merchant: MerchantInfo
) -> None:
    for _ in range(2):
        session_id = await new_session(state, merchant.id)
        await capture(state, session_id, embedding_seed=9)
        await submit(state, session_id)
        await drain(state)
        assert (await load_session(state, session_id)).status == "APPROVED"


@pytest.mark.parametrize(
    ("sandbox", "status", "state_name"),
    [
        ("approve", "APPROVED", "approved"),
        ("decline", "DECLINED", "declined"),
        ("retake", "IN_PROGRESS", "retake"),
    ],
)
async def test_sandbox_outcome_is_forced_for_test_sessions_through_the_full_path(
    state: AppState, merchant: MerchantInfo, sandbox: str, status: str, state_name: str
) -> None:
    session_id = await new_session(state, merchant.id, mode="test")
    await submit(state, session_id, sandbox=sandbox)  # no capture at all
    await drain(state)

    decided = await load_session(state, session_id)
    assert decided.status == status
    assert (await _outcome(state, session_id)).state == state_name
    async with unit_of_work(state.sessionmaker) as db:
        actions = [
            event.action
            for event in (
                await db.scalars(
                    select(AuditEvent)
                    .where(AuditEvent.subject_id == str(session_id))
                    .order_by(AuditEvent.id)
                )
            ).all()
        ]
    assert "verification.decided" in actions


async def test_sandbox_outcome_is_ignored_for_live_sessions(
    state: AppState, merchant: MerchantInfo
) -> None:
    session_id = await new_session(state, merchant.id, mode="live")
    await capture(state, session_id, expiry="2020-01-01")
    await submit(state, session_id, sandbox="approve")
    await drain(state)
    assert (await load_session(state, session_id)).status == "DECLINED"


async def test_every_status_change_is_audited_with_its_actor(
    state: AppState, merchant: MerchantInfo
) -> None:
    session_id = await new_session(state, merchant.id)
    await capture(state, session_id)
    await submit(state, session_id)
    await drain(state)
    async with unit_of_work(state.sessionmaker) as db:
        changes = [
            (event.actor_type, event.data["from"], event.data["to"])
            for event in (
                await db.scalars(
                    select(AuditEvent)
                    .where(
                        AuditEvent.subject_id == str(session_id),
                        AuditEvent.action == "session.status_changed",
                    )
                    .order_by(AuditEvent.id)
                )
            ).all()
        ]
    assert changes == [
        ("customer", "NOT_STARTED", "IN_PROGRESS"),
        ("system", "IN_PROGRESS", "APPROVED"),
    ]


async def test_rotating_the_master_key_keeps_returning_customers_and_duplicates_apart(
    state: AppState, merchant: MerchantInfo, settings: Settings
) -> None:
    _, first = await _verified(state, merchant, 7, "1111111111")
    assert first.status == "APPROVED"

    assert settings.master_key is not None
    rotated = build_state(
        settings.model_copy(
            update={
                "master_key": SecretStr(base64.b64encode(secrets.token_bytes(32)).decode()),
                "master_key_id": "k2",
                "old_master_keys": SecretStr(f"k1:{settings.master_key.get_secret_value()}"),
            }
        )
    )
    try:
        _, returning = await _verified(rotated, merchant, 7, "1111111111")
        assert returning.status == "APPROVED"
        _, impostor = await _verified(rotated, merchant, 7, "2222222222")
        assert impostor.decline_reasons == ["DUPLICATE_IDENTITY"]
    finally:
        await rotated.close()
