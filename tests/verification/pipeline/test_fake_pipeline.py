"""The fake pipeline returns the real result shape, deterministically, without models."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from openkyc.verification.face.embedding import embedding_from_bytes
from openkyc.verification.fake import OUTCOMES, FakeIdentity, FakePipeline
from openkyc.verification.liveness.challenge import Challenge
from openkyc.verification.pipeline import (
    Pipeline,
    VerificationInputs,
    VerificationResult,
    result_to_json,
)
from openkyc.verification.reasons import all_reasons

INPUTS = VerificationInputs(
    document_front=b"front",
    document_back=None,
    selfie_frames=(b"selfie-1", b"selfie-2"),
    frame_times_ms=(0, 100),
    challenge=Challenge(steps=("turn_left", "turn_right", "look_up")),
    today=dt.date(2026, 11, 24),
)
CHECK_NAMES = ["document", "quality", "selfie_quality", "face_match", "liveness"]


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_every_outcome_has_the_full_result_shape(outcome: str) -> None:
    pipeline: Pipeline = FakePipeline(outcome)
    result = pipeline.run(INPUTS)
    assert isinstance(result, VerificationResult)
    assert [c.name for c in result.checks] == CHECK_NAMES
    assert result.document is not None
    assert result.face is not None
    assert result.liveness is not None
    assert result.face_embedding is not None
    assert len(embedding_from_bytes(result.face_embedding)) == 128
    assert set(result.reasons) <= set(all_reasons())
    json.dumps(result_to_json(result))


def test_outcomes_show_up_in_the_checks() -> None:
    approve = FakePipeline("approve").run(INPUTS)
    assert approve.reasons == ()
    assert all(c.passed for c in approve.checks)
    face = FakePipeline("decline_face").run(INPUTS)
    assert face.check("face_match") is not None
    assert face.check("face_match").passed is False  # type: ignore[union-attr]
    assert "face_mismatch" in face.reasons
    assert FakePipeline("review_face").run(INPUTS).reasons == ("face_match_review",)
    assert FakePipeline("decline_liveness").run(INPUTS).liveness.passed is False  # type: ignore[union-attr]
    assert FakePipeline("decline_document").run(INPUTS).document.valid is False  # type: ignore[union-attr]


def test_identity_fields_and_deterministic_embedding() -> None:
    identity = FakeIdentity(surname="ABENOV", given_names="ERLAN", number="N1234567")
    first = FakePipeline(identity=identity).run(INPUTS)
    assert first.document is not None
    assert (first.document.surname, first.document.number) == ("ABENOV", "N1234567")
    assert FakePipeline().run(INPUTS).face_embedding == first.face_embedding
    other = VerificationInputs(INPUTS.document_front, None, (b"another",), None, None, INPUTS.today)
    assert FakePipeline().run(other).face_embedding != first.face_embedding


def test_outcome_can_be_chosen_per_input_and_calls_are_recorded() -> None:
    fake = FakePipeline(decide=lambda i: "decline_face" if i.document_back else "approve")
    assert fake.run(INPUTS).reasons == ()
    with_back = VerificationInputs(b"f", b"b", (b"s",), None, None, INPUTS.today)
    assert "face_mismatch" in fake.run(with_back).reasons
    assert len(fake.calls) == 2
    with pytest.raises(ValueError):
        FakePipeline("maybe")


def test_fake_loads_no_model() -> None:
    code = (
        "import datetime, sys\n"
        "from openkyc.verification.fake import FakePipeline\n"
        "from openkyc.verification.pipeline import VerificationInputs\n"
        "FakePipeline().run(VerificationInputs(b'f', None, (b's',), None, None, datetime.date.today()))\n"
        "print(sorted(m for m in ('mediapipe', 'onnxruntime', 'rapidocr') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
