"""Frozen results of face detection, selfie quality and face match."""

from __future__ import annotations

from dataclasses import dataclass

from openkyc.verification.types import ModelInfo, Timing


@dataclass(frozen=True, slots=True)
class FaceObservation:
    """Where a face was found and how it was posed, for the operator and for tests."""

    box: tuple[int, int, int, int]  # x, y, w, h in the analysed image
    detector: str  # "hog" or "blazeface"; the mesh confirmed either
    yaw: float
    pitch: float
    roll: float
    eye_openness: float
    frame_index: int | None = None  # which selfie frame; None on the document


@dataclass(frozen=True, slots=True)
class SelfieAnalysis:
    """Quality of one selfie frame: how many faces and what the customer can fix."""

    frame_index: int
    face_count: int
    face: FaceObservation | None  # the largest confirmed face
    reasons: tuple[str, ...]
    sharpness: float | None
    brightness: float | None

    @property
    def usable(self) -> bool:
        return self.face is not None and not self.reasons


@dataclass(frozen=True, slots=True)
class FaceMatchResult:
    """Document portrait against the best of several selfie frames.

    ``score`` is ``faceMatchScore``: a calibrated value in [0, 1] derived from ``distance``
    (see :mod:`openkyc.verification.face.calibration` and docs/face-and-liveness.md).
    ``decision`` is "match" (score >= threshold), "review" (inside the review band),
    "mismatch", "retake" when the document portrait did not match and glare covers too much of
    it to judge (reason ``document_portrait_glare``; ``score`` and ``distance`` are kept), or
    "not_compared" when either face is missing.
    """

    decision: str
    score: float | None
    distance: float | None
    threshold: float
    review_threshold: float
    document_face: FaceObservation | None
    selfie_face: FaceObservation | None
    best_frame: int | None
    # (frame index, distance of the frame's plain descriptor) per compared frame: it picks the
    # closest frame, whose full (chip + mirror) descriptor then gives ``distance``.
    frame_distances: tuple[tuple[int, float], ...]
    selfie: tuple[SelfieAnalysis, ...]
    reasons: tuple[str, ...]
    models: tuple[ModelInfo, ...]
    timings: tuple[Timing, ...]
    selfie_embedding: bytes | None  # float32 little-endian, for the caller's duplicate search
    # Saturated share of the document portrait (glare.py); None without a document.
    document_glare: float | None = None

    @property
    def matched(self) -> bool | None:
        if self.decision in ("not_compared", "retake"):
            return None
        return self.decision == "match"
