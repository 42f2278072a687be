"""A deterministic stand-in for the pipeline, for web and worker tests: no model is loaded.

``FakePipeline(outcome=...)`` returns a realistic :class:`VerificationResult` shaped like the
real one (every check present, real reason codes, plausible scores) for the chosen outcome;
``FakePipeline(decide=callable)`` chooses the outcome per input. The selfie embedding is
derived from the selfie bytes, so the same selfie always yields the same embedding (for tests
of the duplicate search) and different selfies yield far-apart embeddings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from openkyc.verification.document import DocumentResult
from openkyc.verification.document import reasons as document_reasons
from openkyc.verification.face import calibration
from openkyc.verification.face import reasons as face_reasons
from openkyc.verification.face.embed import EMBEDDING_MODEL
from openkyc.verification.face.embedding import EMBEDDING_SIZE, embedding_to_bytes
from openkyc.verification.face.results import FaceMatchResult, FaceObservation, SelfieAnalysis
from openkyc.verification.liveness import reasons as liveness_reasons
from openkyc.verification.liveness.checker import HEURISTICS
from openkyc.verification.liveness.results import (
    ChallengeOutcome,
    ContinuityOutcome,
    DepthOutcome,
    LivenessResult,
    PassiveOutcome,
)
from openkyc.verification.pipeline import CheckResult, VerificationInputs, VerificationResult
from openkyc.verification.quality import reasons as quality_reasons
from openkyc.verification.types import Finding, ModelInfo, Timing

OUTCOMES = (
    "approve",
    "decline_face",
    "review_face",
    "decline_liveness",
    "decline_document",
    "retake_selfie",
    "retake_quality",
)

FAKE_MODEL = ModelInfo(name="fake-pipeline", version="1")
# Fake vectors come from the selfie bytes, not a face: never comparable with real ones.
FAKE_EMBEDDING_SPACE = "fake-pipeline@1"
_DOCUMENT_CODE = document_reasons.DOCUMENT_MRZ_UNVERIFIED
_QUALITY_CODE = quality_reasons.CAPTURE_BLURRED


@dataclass(frozen=True, slots=True)
class FakeIdentity:
    surname: str = "IVANOVA"
    given_names: str = "ANNA"
    number: str = "751234567"
    nationality: str = "RUS"
    issuing_country: str = "RUS"
    sex: str = "F"
    birth_date: dt.date = dt.date(1990, 5, 17)
    expiry_date: dt.date = dt.date(2031, 5, 16)
    kind: str = "ru_international_passport"
    document_type: str = "passport"


def fake_embedding(selfie: bytes) -> bytes:
    """A unit-length 128-d vector seeded by the selfie bytes."""
    seed = int.from_bytes(hashlib.sha256(selfie).digest()[:8], "little")
    vector = np.random.default_rng(seed).normal(size=EMBEDDING_SIZE)
    vector /= np.linalg.norm(vector)
    # dlib descriptors of different people sit ~0.7 apart; unit Gaussians ~1.4: scale down.
    return embedding_to_bytes(vector * 0.5)


class FakePipeline:
    def __init__(
        self,
        outcome: str = "approve",
        *,
        identity: FakeIdentity | None = None,
        decide: Callable[[VerificationInputs], str] | None = None,
    ) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}; expected one of {OUTCOMES}")
        self.outcome = outcome
        self.identity = identity or FakeIdentity()
        self.decide = decide
        self.calls: list[VerificationInputs] = []

    def run(self, inputs: VerificationInputs) -> VerificationResult:
        self.calls.append(inputs)
        outcome = self.decide(inputs) if self.decide is not None else self.outcome
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        document = self._document(outcome)
        face = self._face(outcome, inputs)
        liveness = self._liveness(outcome, inputs)
        checks = self._checks(outcome, document, face, liveness)
        found: list[str] = []
        for check in checks:
            found.extend(check.reasons)
        return VerificationResult(
            document=document,
            face=face,
            liveness=liveness,
            checks=checks,
            reasons=tuple(dict.fromkeys(found)),
            face_embedding=face.selfie_embedding,
            face_embedding_model=FAKE_EMBEDDING_SPACE,
            timings=(
                Timing("document", 1.0),
                Timing("quality", 1.0),
                Timing("face", 1.0),
                Timing("liveness", 1.0),
            ),
        )

    def _document(self, outcome: str) -> DocumentResult:
        i = self.identity
        valid = outcome != "decline_document"
        return DocumentResult(
            found=True,
            valid=valid,
            kind=i.kind,
            document_type=i.document_type,
            issuing_country=i.issuing_country,
            number=i.number,
            surname=i.surname,
            given_names=i.given_names,
            sex=i.sex,
            birth_date=i.birth_date,
            nationality=i.nationality,
            expiry_date=i.expiry_date,
            findings=() if valid else (Finding(_DOCUMENT_CODE),),
            models=(FAKE_MODEL,),
            timings=(Timing("fake", 1.0),),
        )

    def _face(self, outcome: str, inputs: VerificationInputs) -> FaceMatchResult:
        # Distances inside each band of the colour curve, wherever its thresholds are placed.
        score_for = {"decline_face": 0.001, "review_face": 0.3}.get(outcome, 0.99)
        distance = round(calibration.distance_for_score(score_for), 3)
        score = calibration.score_from_distance(distance)
        decision = calibration.decide(score)
        selfie_reasons: tuple[str, ...] = ()
        if outcome == "retake_selfie":
            selfie_reasons = (face_reasons.SELFIE_FACE_TOO_SMALL,)
        match_reasons = {
            "match": (),
            "review": (face_reasons.FACE_MATCH_REVIEW,),
            "mismatch": (face_reasons.FACE_MISMATCH,),
        }[decision]
        observation = FaceObservation((120, 160, 240, 240), "hog", 2.0, -8.0, 1.0, 0.3, 0)
        return FaceMatchResult(
            decision=decision,
            score=round(score, 4),
            distance=distance,
            threshold=calibration.MATCH_THRESHOLD,
            review_threshold=calibration.REVIEW_THRESHOLD,
            document_face=FaceObservation((300, 200, 90, 90), "hog", 0.0, -5.0, 0.0, 0.28),
            selfie_face=observation,
            best_frame=0,
            frame_distances=((0, distance),),
            selfie=(SelfieAnalysis(0, 1, observation, selfie_reasons, 80.0, 130.0),),
            reasons=selfie_reasons + match_reasons,
            models=(EMBEDDING_MODEL,),
            timings=(Timing("fake", 1.0),),
            selfie_embedding=fake_embedding(
                inputs.selfie_frames[0] if inputs.selfie_frames else b""
            ),
        )

    def _liveness(self, outcome: str, inputs: VerificationInputs) -> LivenessResult:
        expected = inputs.challenge.steps if inputs.challenge is not None else ()
        live = outcome != "decline_liveness"
        challenge = None
        if inputs.challenge is not None:
            challenge = ChallengeOutcome(
                expected=expected,
                observed=expected if live else (),
                passed=live,
                yaw_range=48.0 if live else 3.0,
                pitch_range=25.0 if live else 2.0,
            )
        depth = DepthOutcome(0.31 if live else None, 0.05 if live else 0.01, 8 if live else 0, live)
        frames = len(inputs.selfie_frames)
        continuity = ContinuityOutcome(frames, frames, 0, 0, True, True)
        passive = PassiveOutcome(0.0, 0.0 if live else 0.7, 0.0, 1.8, 0.0, 0.35, 0.9)
        reasons: tuple[str, ...] = ()
        if inputs.challenge is None:
            reasons = (liveness_reasons.NOT_ASSESSED,)
        elif not live:
            reasons = (liveness_reasons.NO_HEAD_MOVEMENT, liveness_reasons.PRINT_SUSPECTED)
        score = (1.0 if live else 0.01) if inputs.challenge is not None else 0.5
        return LivenessResult(
            passed=None if inputs.challenge is None else live,
            score=score,
            threshold=0.5,
            challenge=challenge,
            depth=depth,
            continuity=continuity,
            passive=passive,
            pad_model_score=None,
            reasons=reasons,
            models=(HEURISTICS,),
            timings=(Timing("fake", 1.0),),
            evidence={"challenge": 1.0 if live else 0.2},
        )

    def _checks(
        self,
        outcome: str,
        document: DocumentResult,
        face: FaceMatchResult,
        liveness: LivenessResult,
    ) -> tuple[CheckResult, ...]:
        quality_reasons = (_QUALITY_CODE,) if outcome == "retake_quality" else ()
        selfie_reasons = face.selfie[0].reasons
        match_reasons = tuple(r for r in face.reasons if r not in selfie_reasons)
        return (
            CheckResult(
                "document",
                document.valid,
                None,
                None,
                tuple(f.code for f in document.findings),
                FAKE_MODEL,
                1.0,
                {"found": True, "valid": document.valid, "kind": document.kind},
            ),
            CheckResult("quality", not quality_reasons, None, None, quality_reasons, None, 1.0, {}),
            CheckResult(
                "selfie_quality", not selfie_reasons, None, None, selfie_reasons, None, 0.0, {}
            ),
            CheckResult(
                "face_match",
                face.matched,
                face.score,
                face.threshold,
                match_reasons,
                EMBEDDING_MODEL,
                1.0,
                {"decision": face.decision, "distance": face.distance},
            ),
            CheckResult(
                "liveness",
                liveness.passed,
                liveness.score,
                liveness.threshold,
                liveness.reasons,
                HEURISTICS,
                1.0,
                {},
            ),
        )
