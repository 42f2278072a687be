"""From dlib descriptor distance to ``faceMatchScore`` and its decision bands.

The score is a logistic function of the Euclidean distance between two 128-d dlib
descriptors, fitted (Platt scaling) on the genuine and impostor pairs of ``eval/face.py``:
on those data it estimates the probability that the two photos show the same person when
both classes are equally likely. It is monotonic, so every threshold on the score is a
threshold on the distance; the constants below were chosen from that evaluation (see
docs/face-and-liveness.md for the table) and must be re-fitted on real selfie/ID pairs
before production.
"""

from __future__ import annotations

import math

# Distance at which the score is 0.5, and the logistic slope (distance units): the Platt fit
# of the current matcher on seeds 11 and 23 of eval/face.py pooled (4,674 pairs).
MIDPOINT_DISTANCE = 0.391
SLOPE = 0.026

# Default decision: score >= MATCH_THRESHOLD is a match; [REVIEW_THRESHOLD, MATCH_THRESHOLD)
# goes to manual review; below is a mismatch.
# Match at distance <= 0.362 (score 0.75): the closest of 2,223 impostor pairs per seed of
# eval/face.py is 0.401 (seed 11), 0.389 (23) and 0.395 (37, held out); 100% / 98.2% / 96.5%
# of the genuine pairs fall below it. Review down to distance 0.500 (score 0.015), where the
# impostor mass begins (its 5th percentile is about 0.48-0.50).
MATCH_THRESHOLD = 0.75
REVIEW_THRESHOLD = 0.015


def score_from_distance(distance: float) -> float:
    """faceMatchScore in [0, 1]; strictly decreasing in the distance."""
    z = (distance - MIDPOINT_DISTANCE) / SLOPE
    if z > 60:
        return 0.0
    return 1.0 / (1.0 + math.exp(z))


def distance_for_score(score: float) -> float:
    """The distance at which the score equals ``score`` (for docs and operator screens)."""
    if not 0.0 < score < 1.0:
        raise ValueError("score must be strictly between 0 and 1")
    return MIDPOINT_DISTANCE + SLOPE * math.log(1.0 / score - 1.0)


def decide(score: float) -> str:
    if score >= MATCH_THRESHOLD:
        return "match"
    if score >= REVIEW_THRESHOLD:
        return "review"
    return "mismatch"
