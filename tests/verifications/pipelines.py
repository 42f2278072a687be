"""A scripted pipeline for worker tests: the document "image" is a JSON scenario, and the
result is built from the real stage result types, so the adapter is exercised as in production.

Selected with ``OPENKYC_PIPELINE=tests.verifications.pipelines:ScriptedPipeline``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from openkyc.verification.document.results import DocumentResult
from openkyc.verification.face.results import FaceMatchResult, FaceObservation
from openkyc.verification.liveness.results import ContinuityOutcome, LivenessResult
from openkyc.verification.types import Finding, ModelInfo, Timing

APPROVE = {
    "found": True,
    "valid": True,
    "country": "RUS",
    "type": "passport",
    "number": "4509123456",
    "birth": "1990-01-15",
    "expiry": "2031-05-10",
    "issued": "2021-05-10",
    "face": 0.97,
    "liveness": 0.93,
    "findings": [],
    "liveness_reasons": [],
    "sleep": 0.0,
    "embedding_seed": 1,
    "embedding_model": "scripted-face@1",
}


def scenario(**overrides: Any) -> bytes:
    return json.dumps({**APPROVE, **overrides}).encode()


@dataclass(frozen=True)
class ScriptedResult:
    document: DocumentResult
    face: FaceMatchResult | None
    liveness: LivenessResult | None
    checks: tuple[Any, ...]
    reasons: tuple[str, ...]
    face_embedding: bytes | None
    timings: tuple[Timing, ...]
    face_embedding_model: str | None


def _face(x: int) -> FaceObservation:
    return FaceObservation(
        box=(x, 10, 80, 80), detector="hog", yaw=0, pitch=0, roll=0, eye_openness=0.3
    )


def _embedding(seed: int) -> bytes:
    import numpy as np

    rng = np.random.default_rng(seed)
    vector = rng.normal(size=128).astype("<f4")
    vector /= np.linalg.norm(vector)
    return (vector * 0.5).astype("<f4").tobytes()


class ScriptedPipeline:
    thread_safe = True

    def run(self, inputs: Any) -> ScriptedResult:
        spec = json.loads(inputs.document_front)
        if spec.get("sleep"):
            time.sleep(float(spec["sleep"]))
        if spec.get("crash"):
            raise RuntimeError("scripted crash")
        document = DocumentResult(
            found=spec["found"],
            valid=spec["valid"],
            document_type=spec["type"],
            issuing_country=spec["country"],
            number=spec["number"],
            surname="IVANOV",
            given_names="IVAN",
            surname_cyrillic="ИВАНОВ",
            given_names_cyrillic="ИВАН",
            patronymic="ПЕТРОВИЧ",
            birth_date=date.fromisoformat(spec["birth"]),
            expiry_date=date.fromisoformat(spec["expiry"]),
            issue_date=date.fromisoformat(spec["issued"]),
            mrz_lines=("P<RUSIVANOV<<IVAN",) if spec["found"] else (),
            findings=tuple(Finding(code) for code in spec["findings"]),
            models=(ModelInfo("scripted-mrz", "1"),),
            timings=(Timing("document", 12.0),),
        )
        face_score = spec["face"]
        face = FaceMatchResult(
            decision="match" if face_score is not None and face_score >= 0.8 else "review",
            score=face_score,
            distance=0.3,
            threshold=0.8,
            review_threshold=0.35,
            document_face=_face(0) if face_score is not None else None,
            selfie_face=_face(5) if face_score is not None else None,
            best_frame=0,
            frame_distances=((0, 0.3),),
            selfie=(),
            reasons=(),
            models=(ModelInfo("scripted-face", "2"),),
            timings=(Timing("face", 5.0),),
            selfie_embedding=_embedding(int(spec["embedding_seed"])),
        )
        liveness = LivenessResult(
            passed=spec["liveness"] is not None and spec["liveness"] >= 0.5,
            score=spec["liveness"] if spec["liveness"] is not None else 0.0,
            threshold=0.5,
            challenge=None,
            depth=None,
            continuity=ContinuityOutcome(3, 3, 0, 0, None, True),
            passive=None,
            pad_model_score=None,
            reasons=tuple(spec["liveness_reasons"]),
            models=(ModelInfo("scripted-liveness", "3"),),
            timings=(Timing("liveness", 7.0),),
        )
        return ScriptedResult(
            document=document,
            face=face,
            liveness=liveness,
            checks=(),
            reasons=(),
            face_embedding=_embedding(int(spec["embedding_seed"])),
            timings=(Timing("total", 24.0),),
            face_embedding_model=spec["embedding_model"],
        )
