"""Liveness: an active head-movement challenge verified from the face mesh, plus passive cues."""

from openkyc.verification.liveness import reasons as reasons
from openkyc.verification.liveness.challenge import STEPS, Challenge, issue_challenge
from openkyc.verification.liveness.checker import LivenessChecker
from openkyc.verification.liveness.pad_model import OnnxPadModel, PadModelConfig
from openkyc.verification.liveness.results import LivenessResult
from openkyc.verification.liveness.scoring import THRESHOLD

__all__ = [
    "STEPS",
    "THRESHOLD",
    "Challenge",
    "LivenessChecker",
    "LivenessResult",
    "OnnxPadModel",
    "PadModelConfig",
    "issue_challenge",
]
