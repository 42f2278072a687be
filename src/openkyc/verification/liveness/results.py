"""Frozen results of the liveness check and the evidence behind its score."""

from __future__ import annotations

from dataclasses import dataclass, field

from openkyc.verification.types import ModelInfo, Timing


@dataclass(frozen=True, slots=True)
class ChallengeOutcome:
    """What the head did, compared with what the server asked."""

    expected: tuple[str, ...]
    observed: tuple[str, ...]  # strong movements in the order they happened
    passed: bool
    yaw_range: float  # degrees, largest left turn minus largest right turn
    pitch_range: float


@dataclass(frozen=True, slots=True)
class DepthOutcome:
    """3-D evidence: how far the nose stands out of the plane that the rest of the face moves
    in. A flat photo or screen moves as one plane (protrusion ~0); a real nose does not."""

    nose_protrusion: float | None  # in face widths; a real face measures ~0.15-0.6
    plane_residual: float | None  # RMS landmark error of a homography, in face widths (p90)
    frames_used: int
    passed: bool


@dataclass(frozen=True, slots=True)
class ContinuityOutcome:
    frames: int
    frames_with_face: int
    identical_pairs: int
    jumps: int  # face moved implausibly far between consecutive frames (a cut)
    timing_ok: bool | None  # None when the client sent no timestamps
    passed: bool


@dataclass(frozen=True, slots=True)
class PassiveOutcome:
    """Per-session summary of per-frame presentation-attack cues; each in [0, 1], higher is
    more suspicious."""

    screen: float
    print: float
    injection: float
    moire_peak: float
    frame_edges: float
    saturation: float
    noise_sigma: float


@dataclass(frozen=True, slots=True)
class LivenessResult:
    """``score`` is ``livenessScore`` in [0, 1]; ``passed`` is None when liveness could not be
    assessed (no challenge or too few frames)."""

    passed: bool | None
    score: float
    threshold: float
    challenge: ChallengeOutcome | None
    depth: DepthOutcome | None
    continuity: ContinuityOutcome
    passive: PassiveOutcome | None
    pad_model_score: float | None  # live probability from an operator's ONNX model, if any
    reasons: tuple[str, ...]
    models: tuple[ModelInfo, ...]
    timings: tuple[Timing, ...]
    evidence: dict[str, float] = field(default_factory=dict)  # the factors of the score
