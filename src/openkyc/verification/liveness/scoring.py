"""From the evidence to ``livenessScore``.

The score is a product of factors in [0, 1], one per kind of evidence, so that any single
failed check pulls it under the threshold and the factors stay readable for an operator.
It is not a probability: no spoof data exist offline to calibrate one (see
docs/face-and-liveness.md). A capture without a challenge can reach at most 0.5, below the
threshold, because passive cues alone are too weak to pass anyone.
"""

from __future__ import annotations

from openkyc.verification.liveness.results import (
    ChallengeOutcome,
    ContinuityOutcome,
    DepthOutcome,
    PassiveOutcome,
)

THRESHOLD = 0.5
PASSIVE_ONLY_CAP = 0.5
# Nose protrusion (face widths) from which the depth factor starts to rise and where it is 1.
_DEPTH_START = 0.03
_DEPTH_FULL = 0.12


def _ramp(value: float, start: float, full: float, floor: float) -> float:
    return float(min(max((value - start) / (full - start), floor), 1.0))


def evidence_factors(
    challenge: ChallengeOutcome | None,
    depth: DepthOutcome | None,
    continuity: ContinuityOutcome,
    passive: PassiveOutcome | None,
    pad_live: float | None,
) -> dict[str, float]:
    factors: dict[str, float] = {}
    if challenge is not None:
        factors["challenge"] = 1.0 if challenge.passed else 0.2
    if depth is not None:
        protrusion = depth.nose_protrusion
        factors["depth"] = (
            0.1 if protrusion is None else _ramp(protrusion, _DEPTH_START, _DEPTH_FULL, 0.05)
        )
    factors["continuity"] = 1.0 if continuity.passed else 0.1
    if passive is not None:
        factors["passive"] = 1.0 - 0.8 * max(passive.screen, passive.print)
    if pad_live is not None:
        factors["pad_model"] = pad_live
    return {name: round(value, 4) for name, value in factors.items()}


def liveness_score(factors: dict[str, float], *, active: bool) -> float:
    score = 1.0
    for value in factors.values():
        score *= value
    if not active:
        score = min(score, PASSIVE_ONLY_CAP)
    return round(float(score), 4)
