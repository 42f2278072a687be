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

# Distance at which the score is 0.5, and the logistic slope (distance units).
MIDPOINT_DISTANCE = 0.46
SLOPE = 0.038

# Default decision: score >= MATCH_THRESHOLD is a match; [REVIEW_THRESHOLD, MATCH_THRESHOLD)
# goes to manual review; below is a mismatch.
# Match at distance <= 0.362: the closest of 2,223 impostor pairs in eval/face.py is 0.397 on
# the seed the matcher was tuned on (11) and 0.377 on one it was not (23); 99.1% / 96.5% of
# genuine pairs fall below it. Review down to distance 0.502, beyond every genuine pair
# measured (max 0.444) and where the impostor mass begins (p5 0.48-0.50). A fresh Platt fit of
# the current matcher gives midpoint 0.40 and slope 0.032 (docs/face-and-liveness.md, "Open"):
# the curve below, fitted on the previous matcher, understates the probability near 0.36.
MATCH_THRESHOLD = 0.93
REVIEW_THRESHOLD = 0.25


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
