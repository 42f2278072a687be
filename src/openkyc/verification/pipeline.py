"""The one interface the worker calls: stored captures in, every check's evidence out.

The pipeline reports; it does not decide. Approve, decline or review is the decision module's
job, with the merchant's policy, from the checks, scores and reason codes returned here.
"""

from __future__ import annotations

import base64
import datetime as dt
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields, is_dataclass
from typing import Any, Protocol, TypeVar

from openkyc.verification.document import DocumentReader, DocumentResult
from openkyc.verification.face import reasons as face_reasons
from openkyc.verification.face.embed import EMBEDDING_MODEL
from openkyc.verification.face.geometry import Box
from openkyc.verification.face.images import (
    ImageDecodeError,
    RGBImage,
    decode_image,
    upright_size,
)
from openkyc.verification.face.matcher import FaceMatcher
from openkyc.verification.face.mesh import FaceMesher
from openkyc.verification.face.results import FaceMatchResult
from openkyc.verification.liveness.challenge import Challenge, issue_challenge
from openkyc.verification.liveness.checker import HEURISTICS, LivenessChecker
from openkyc.verification.liveness.pad_model import OnnxPadModel, PadModelConfig
from openkyc.verification.liveness.results import LivenessResult
from openkyc.verification.quality import QualityReport, check_capture
from openkyc.verification.types import ModelInfo, Timing

__all__ = [
    "Challenge",
    "CheckResult",
    "DefaultPipeline",
    "Pipeline",
    "VerificationInputs",
    "VerificationResult",
    "issue_challenge",
    "result_to_json",
]

DetailValue = float | int | str | bool | None


@dataclass(frozen=True, slots=True)
class VerificationInputs:
    document_front: bytes  # encoded JPEG/PNG as stored
    document_back: bytes | None
    selfie_frames: tuple[bytes, ...]  # >= 1 encoded frames, in capture order
    frame_times_ms: tuple[int, ...] | None
    challenge: Challenge | None
    today: dt.date


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str  # "document", "quality", "selfie_quality", "face_match", "liveness"
    passed: bool | None  # None: could not be assessed
    score: float | None
    threshold: float | None
    reasons: tuple[str, ...]
    model: ModelInfo | None
    ms: float
    detail: dict[str, DetailValue]


@dataclass(frozen=True, slots=True)
class VerificationResult:
    document: DocumentResult | None
    face: FaceMatchResult | None
    liveness: LivenessResult | None
    checks: tuple[CheckResult, ...]
    reasons: tuple[str, ...]  # stable codes of everything that went wrong, no duplicates
    face_embedding: bytes | None  # selfie embedding (128 float32, little-endian)
    timings: tuple[Timing, ...]
    # Which embedder made ``face_embedding``: vectors from different models or preprocessing
    # live in different spaces, and a stored one is only ever compared with its own kind.
    face_embedding_model: str | None = None

    def check(self, name: str) -> CheckResult | None:
        return next((c for c in self.checks if c.name == name), None)


class Pipeline(Protocol):
    def run(self, inputs: VerificationInputs) -> VerificationResult: ...


def _box(document: DocumentResult | None, front: bytes, image: RGBImage | None) -> Box | None:
    """The reader's portrait box, in the coordinates of our (possibly reduced) decode."""
    if document is None or document.portrait_box is None or image is None:
        return None
    b = document.portrait_box
    try:
        width, _ = upright_size(front)
    except ImageDecodeError:
        return None
    factor = image.shape[1] / max(width, 1)
    return Box(float(b.x), float(b.y), float(b.width), float(b.height)).scaled(factor)


T = TypeVar("T")


def _timed(function: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    value = function()
    return value, round((time.perf_counter() - started) * 1000.0, 2)


class DefaultPipeline:
    """Builds the document reader, the face matcher and the liveness checker once (the face
    mesh is shared by the last two), so models load once per process."""

    def __init__(
        self,
        *,
        pad_model: PadModelConfig | None = None,
        document_reader: DocumentReader | None = None,
    ) -> None:
        self.document_reader = document_reader or DocumentReader()
        mesher = FaceMesher()
        self.face_matcher = FaceMatcher(mesher)
        self.liveness_checker = LivenessChecker(
            mesher, OnnxPadModel(pad_model) if pad_model is not None else None
        )
        # One thread: runs are serialised by the worker; this only overlaps stages of one run.
        self._liveness_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="liveness")

    def run(self, inputs: VerificationInputs) -> VerificationResult:
        timings: list[Timing] = []
        checks: list[CheckResult] = []

        # Liveness needs only the selfie burst, so it runs on a second thread while the
        # document is read: on an idle worker that hides most of its cost. It is joined before
        # the face match, which shares its face-mesh graph, so no model is ever used by two
        # threads at once (the OCR engine belongs to the document reader alone).
        liveness_job = self._liveness_thread.submit(
            _timed,
            lambda: self.liveness_checker.check(
                inputs.selfie_frames, inputs.frame_times_ms, inputs.challenge
            ),
        )
        try:
            document, ms = _timed(
                lambda: self.document_reader.read(
                    inputs.document_front, inputs.document_back, today=inputs.today
                )
            )
        finally:
            liveness, liveness_ms = liveness_job.result()
        timings.append(Timing("document", ms))
        checks.append(_document_check(document, ms))

        quality, ms = _timed(lambda: _quality(inputs, getattr(document, "kind", None)))
        timings.append(Timing("quality", ms))
        checks.append(_quality_check(quality, ms))

        started = time.perf_counter()
        front_image = _decode(inputs.document_front)
        selfies = [
            image for image in (_decode(f) for f in inputs.selfie_frames) if image is not None
        ]
        timings.append(Timing("decode", _elapsed(started)))

        face, ms = _timed(
            lambda: (
                self.face_matcher.match(
                    front_image, selfies, _box(document, inputs.document_front, front_image)
                )
                if selfies
                else None
            )
        )
        timings.append(Timing("face", ms))
        checks.extend(_face_checks(face, ms))

        timings.append(Timing("liveness", liveness_ms))
        checks.append(_liveness_check(liveness, liveness_ms))

        found: list[str] = []
        for check in checks:
            found.extend(check.reasons)
        return VerificationResult(
            document=document,
            face=face,
            liveness=liveness,
            checks=tuple(checks),
            reasons=tuple(dict.fromkeys(found)),
            face_embedding=face.selfie_embedding if face is not None else None,
            timings=tuple(timings),
            face_embedding_model=embedding_space(EMBEDDING_MODEL),
        )


def embedding_space(model: ModelInfo) -> str:
    """The stored name of the space an embedder's vectors live in."""
    return f"{model.name}@{model.version}"


def _elapsed(started: float) -> float:
    return round((time.perf_counter() - started) * 1000.0, 2)


def _decode(data: bytes) -> RGBImage | None:
    try:
        return decode_image(data)
    except ImageDecodeError:
        return None


def _quality(inputs: VerificationInputs, kind: str | None) -> list[QualityReport]:
    """The capture checks, told the kind the reader recognised (as the hosted page's instant
    check is told the customer's choice): without it a Russian internal passport's spread is
    searched for its face photo where a card or passport page has it, and a genuine photo is
    sent back to be retaken."""
    reports = [check_capture(inputs.document_front, side="front", kind=kind)]
    if inputs.document_back is not None:
        reports.append(check_capture(inputs.document_back, side="back", kind=kind))
    return reports


def _document_check(document: DocumentResult, ms: float) -> CheckResult:
    return CheckResult(
        name="document",
        passed=document.found and document.valid,
        score=None,
        threshold=None,
        reasons=tuple(dict.fromkeys(f.code for f in document.findings)),
        model=document.models[0] if document.models else None,
        ms=ms,
        detail={
            "found": document.found,
            "valid": document.valid,
            "kind": document.kind,
            "mrz_side": document.mrz_side,
            "portrait_located": document.portrait_box is not None,
        },
    )


def _quality_check(reports: list[QualityReport], ms: float) -> CheckResult:
    codes = tuple(dict.fromkeys(code for report in reports for code in report.codes))
    detail: dict[str, DetailValue] = {}
    for side, report in zip(("front", "back"), reports, strict=False):
        for key, value in report.metrics.items():
            detail[f"{side}.{key}"] = value
    return CheckResult(
        name="quality",
        passed=all(report.ok for report in reports),
        score=None,
        threshold=None,
        reasons=codes,
        model=None,
        ms=ms,
        detail=detail,
    )


_SELFIE_CODES = frozenset(
    {
        face_reasons.SELFIE_UNREADABLE,
        face_reasons.SELFIE_NO_FACE,
        face_reasons.SELFIE_MULTIPLE_FACES,
        face_reasons.SELFIE_FACE_TOO_SMALL,
        face_reasons.SELFIE_FACE_TURNED_AWAY,
        face_reasons.SELFIE_FACE_CUT_OFF,
        face_reasons.SELFIE_EYES_CLOSED,
        face_reasons.SELFIE_TOO_DARK,
        face_reasons.SELFIE_BLURRY,
    }
)


def _face_checks(face: FaceMatchResult | None, ms: float) -> list[CheckResult]:
    if face is None:
        unreadable = (face_reasons.SELFIE_UNREADABLE,)
        return [
            CheckResult("selfie_quality", False, None, None, unreadable, None, ms, {}),
            CheckResult("face_match", None, None, None, (), EMBEDDING_MODEL, ms, {}),
        ]
    selfie_codes = tuple(code for code in face.reasons if code in _SELFIE_CODES)
    match_codes = tuple(code for code in face.reasons if code not in _SELFIE_CODES)
    best = face.selfie_face
    selfie_detail: dict[str, DetailValue] = {
        "frames_analysed": len(face.selfie),
        "best_frame": face.best_frame,
        "yaw": None if best is None else best.yaw,
        "eye_openness": None if best is None else best.eye_openness,
    }
    return [
        CheckResult(
            name="selfie_quality",
            passed=not selfie_codes,
            score=None,
            threshold=None,
            reasons=selfie_codes,
            model=None,
            ms=0.0,
            detail=selfie_detail,
        ),
        CheckResult(
            name="face_match",
            passed=face.matched,
            score=face.score,
            threshold=face.threshold,
            reasons=match_codes,
            model=EMBEDDING_MODEL,
            ms=ms,
            detail={
                "decision": face.decision,
                "distance": face.distance,
                "review_threshold": face.review_threshold,
                "best_frame": face.best_frame,
                "document_face_found": face.document_face is not None,
                # Share of the portrait washed out by glare: why a non-match became a retake.
                "document_glare": face.document_glare,
            },
        ),
    ]


def _liveness_check(liveness: LivenessResult, ms: float) -> CheckResult:
    detail: dict[str, DetailValue] = {f"evidence.{k}": v for k, v in liveness.evidence.items()}
    if liveness.challenge is not None:
        detail["challenge.expected"] = ",".join(liveness.challenge.expected)
        detail["challenge.observed"] = ",".join(liveness.challenge.observed)
        detail["challenge.yaw_range"] = liveness.challenge.yaw_range
        detail["challenge.pitch_range"] = liveness.challenge.pitch_range
    if liveness.depth is not None:
        detail["depth.nose_protrusion"] = liveness.depth.nose_protrusion
        detail["depth.plane_residual"] = liveness.depth.plane_residual
    detail["continuity.frames"] = liveness.continuity.frames
    detail["continuity.identical_pairs"] = liveness.continuity.identical_pairs
    detail["continuity.timing_ok"] = liveness.continuity.timing_ok
    if liveness.passive is not None:
        detail["passive.screen"] = liveness.passive.screen
        detail["passive.print"] = liveness.passive.print
        detail["passive.moire_peak"] = liveness.passive.moire_peak
        detail["passive.frame_edges"] = liveness.passive.frame_edges
        detail["passive.noise_sigma"] = liveness.passive.noise_sigma
    detail["pad_model_score"] = liveness.pad_model_score
    return CheckResult(
        name="liveness",
        passed=liveness.passed,
        score=liveness.score,
        threshold=liveness.threshold,
        reasons=liveness.reasons,
        model=liveness.models[-1] if liveness.pad_model_score is not None else HEURISTICS,
        ms=ms,
        detail=detail,
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return {"bytes": len(value), "base64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, float):
        return value if value == value else None  # NaN is not JSON
    return value


def result_to_json(
    result: VerificationResult, *, include_embedding: bool = False
) -> dict[str, Any]:
    """A JSON-serialisable view. The embedding is biometric data and is left out unless asked."""
    data: dict[str, Any] = _jsonable(result)
    if not include_embedding:
        data["face_embedding"] = None if result.face_embedding is None else "<omitted>"
        if isinstance(data.get("face"), dict):
            data["face"]["selfie_embedding"] = data["face_embedding"]
    return data
