"""The real pipeline end to end on rendered specimens: one genuine session, one attack."""

from __future__ import annotations

import datetime as dt
import json
import random

from openkyc.specimens.documents import random_distortion, random_identity, render_document
from openkyc.specimens.faces import face_by_id
from openkyc.specimens.selfies import render_selfie_frames
from openkyc.verification.face.embedding import embedding_from_bytes
from openkyc.verification.liveness.challenge import Challenge
from openkyc.verification.pipeline import DefaultPipeline, VerificationInputs, result_to_json
from openkyc.verification.reasons import all_reasons

CHALLENGE = Challenge(steps=("turn_right", "turn_left", "look_down"))


def _inputs(document_face: str, selfie_face: str, attack: str | None) -> VerificationInputs:
    rng = random.Random(document_face)
    kind = "kz_passport"
    document = render_document(
        kind,
        random_identity(kind, rng),
        face_by_id(document_face),
        random_distortion("clean", rng, kind=kind),
        seed=12,
    )
    frames, times = render_selfie_frames(face_by_id(selfie_face), CHALLENGE, 3, attack=attack)
    return VerificationInputs(
        document_front=document.front_jpeg,
        document_back=document.back_jpeg,
        selfie_frames=tuple(frames),
        frame_times_ms=tuple(times),
        challenge=CHALLENGE,
        today=dt.date(2026, 11, 24),
    )


def test_genuine_session_passes_face_and_liveness(pipeline: DefaultPipeline) -> None:
    result = pipeline.run(_inputs("astronaut", "astronaut", None))
    names = [c.name for c in result.checks]
    assert names == ["document", "quality", "selfie_quality", "face_match", "liveness"]
    face = result.check("face_match")
    liveness = result.check("liveness")
    assert face is not None
    assert face.passed is True
    assert liveness is not None
    assert liveness.passed is True
    assert result.face_embedding is not None
    assert embedding_from_bytes(result.face_embedding).shape == (128,)
    assert {t.stage for t in result.timings} >= {"document", "face", "liveness"}
    assert set(result.reasons) <= set(all_reasons())
    text = json.dumps(result_to_json(result))
    assert "<omitted>" in text


def test_impostor_holding_a_print_fails_face_and_liveness(pipeline: DefaultPipeline) -> None:
    result = pipeline.run(_inputs("astronaut", "hopper", "print"))
    face = result.check("face_match")
    liveness = result.check("liveness")
    assert face is not None
    assert face.passed is False
    assert liveness is not None
    assert liveness.passed is False
    assert "face_mismatch" in result.reasons
