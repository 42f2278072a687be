"""The worker path with the pipeline team's FakePipeline and, marked slow, the real models
on rendered specimens: stored media in, decision and Love&Pay verification out."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.sessions.service import SessionService
from openkyc.state import AppState
from openkyc.verification.liveness.challenge import Challenge
from openkyc.verifications.service import VerificationService
from tests.support import MerchantInfo
from tests.verifications.factories import (
    capture_images,
    drain,
    load_session,
    new_session,
    runs_of,
    submit,
)

CHALLENGE = Challenge(steps=("turn_right", "turn_left", "look_down"))


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    pipeline = "default" if request.node.get_closest_marker("slow") else "fake"
    return settings.model_copy(update={"pipeline": pipeline})


async def test_fake_pipeline_approval_reads_its_identity(
    state: AppState, merchant: MerchantInfo
) -> None:
    session_id = await new_session(state, merchant.id)
    await capture_images(
        state,
        session_id,
        front=b"front",
        back=None,
        frames=[b"a", b"b", b"c"],
        times=[0, 100, 200],
        challenge_json=CHALLENGE.to_json(),
    )
    await submit(state, session_id)
    await drain(state)
    decided = await load_session(state, session_id)
    assert decided.status == "APPROVED"
    async with unit_of_work(state.sessionmaker) as db:
        verification = SessionService(db, state.keyring, default_ttl_minutes=30).verification_of(
            decided
        )
    assert verification is not None
    assert verification["fullName"] == "Anna Ivanova"
    assert verification["documentNumber"] == "751234567"
    (run,) = await runs_of(state, session_id)
    assert run.pipeline == "pipeline"


async def test_fake_pipeline_without_a_challenge_asks_for_a_retake(
    state: AppState, merchant: MerchantInfo
) -> None:
    session_id = await new_session(state, merchant.id)
    await capture_images(
        state,
        session_id,
        front=b"front",
        back=None,
        # Two frames: a recording, not a single uploaded photo (that one goes to NO_LIVE_CAPTURE).
        frames=[b"a", b"b"],
        times=[0, 100],
        challenge_json=None,
    )
    await submit(state, session_id)
    await drain(state)
    async with unit_of_work(state.sessionmaker) as db:
        outcome = await VerificationService(db, state).latest_outcome(session_id)
    assert outcome is not None
    assert (outcome.state, outcome.reasons) == ("retake", ("LIVENESS_FAILED",))
    assert "liveness_not_assessed" in outcome.hints


def _specimen(document_face: str, selfie_face: str, attack: str | None) -> dict[str, object]:
    from openkyc.specimens.documents import random_distortion, random_identity, render_document
    from openkyc.specimens.faces import face_by_id
    from openkyc.specimens.selfies import render_selfie_frames

    rng = random.Random(document_face)
    kind = "kz_passport"
    identity = random_identity(kind, rng)
    document = render_document(
        kind,
        identity,
        face_by_id(document_face),
        random_distortion("clean", rng, kind=kind),
        seed=12,
    )
    frames, times = render_selfie_frames(face_by_id(selfie_face), CHALLENGE, 3, attack=attack)
    return {
        "front": document.front_jpeg,
        "back": document.back_jpeg,
        "frames": frames,
        "times": times,
        "challenge_json": CHALLENGE.to_json(),
        "truth": document.truth,
    }


@pytest.mark.slow
async def test_real_pipeline_approves_a_genuine_specimen(
    state: AppState, merchant: MerchantInfo
) -> None:
    specimen = _specimen("astronaut", "astronaut", None)
    truth = specimen.pop("truth")
    session_id = await new_session(state, merchant.id)
    await capture_images(state, session_id, **specimen)  # type: ignore[arg-type]
    await submit(state, session_id)
    await drain(state)
    decided = await load_session(state, session_id)
    (run,) = await runs_of(state, session_id)
    assert decided.status == "APPROVED", (run.outcome, run.reasons, run.hints)
    async with unit_of_work(state.sessionmaker) as db:
        verification = SessionService(db, state.keyring, default_ttl_minutes=30).verification_of(
            decided
        )
    assert verification is not None
    identity = truth["identity"]  # type: ignore[index]
    assert verification["documentNumber"] == identity["number"]
    assert verification["dateOfBirth"] == identity["birth_date"]
    assert verification["documentCountry"] == "KAZ"
    assert verification["faceMatchScore"] >= 0.8
    assert dt.date.fromisoformat(verification["documentExpiresAt"]) > dt.date.today()


@pytest.mark.slow
async def test_real_pipeline_declines_an_impostor_holding_a_print(
    state: AppState, merchant: MerchantInfo
) -> None:
    specimen = _specimen("astronaut", "hopper", "print")
    specimen.pop("truth")
    session_id = await new_session(state, merchant.id)
    await capture_images(state, session_id, **specimen)  # type: ignore[arg-type]
    await submit(state, session_id)
    await drain(state)
    decided = await load_session(state, session_id)
    assert decided.status == "DECLINED"
    assert set(decided.decline_reasons or []) & {"FACE_MISMATCH", "LIVENESS_FAILED"}
