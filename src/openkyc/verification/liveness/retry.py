"""Which failed bursts deserve a new recording at once, while the customer still holds the phone.

A real person who turned too little, too fast, in the wrong order or out of frame can simply
record again; the hosted page asks once per attempt, with a fresh challenge. A burst that
looks like an attack (flat face, identical or cut frames, inconsistent timing, a screen or a
print, the PAD model) is never sent back: saying so would tell an attacker which cue caught
them. Neither is a burst without any face, which the selfie checks explain better.
"""

from __future__ import annotations

from openkyc.verification.liveness import reasons
from openkyc.verification.liveness.results import LivenessResult

MISSED_MOVEMENT = frozenset(
    {
        reasons.CHALLENGE_NOT_FOLLOWED,
        reasons.NO_HEAD_MOVEMENT,
        reasons.TOO_FEW_FRAMES,
        reasons.FACE_LOST,
    }
)


def worth_another_recording(result: LivenessResult) -> bool:
    """True when the burst failed only because the movements were missed."""
    if result.passed is not False or result.continuity.frames_with_face == 0:
        return False
    found = set(result.reasons)
    return bool(found) and found <= MISSED_MOVEMENT
