"""Did the head turn as the challenge asked, in the order asked?

Pose comes from the face mesh of each frame, relative to the session's own neutral pose (the
median over the burst: the challenge holds each movement only briefly, so most frames are near
neutral on any one axis).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from openkyc.verification.face.mesh import MeshFace
from openkyc.verification.liveness.challenge import LOOK_DOWN, LOOK_UP, TURN_LEFT, TURN_RIGHT
from openkyc.verification.liveness.results import ChallengeOutcome

# A movement counts once the head passes these angles from neutral (degrees). The mesh reads a
# rendered 20-30 degree turn as 17-30 degrees of yaw, and a 15-20 degree nod as only 8-20
# degrees of pitch; a flat photo tilted by 36 degrees measured at most 6 of yaw. The margin to
# the thresholds is what keeps honest small movers in.
YAW_THRESHOLD = 11.0
PITCH_THRESHOLD = 6.0
# ... and is "strong" (must be part of the challenge) beyond these.
STRONG_YAW = 13.0
STRONG_PITCH = 7.5


@dataclass(frozen=True, slots=True)
class PoseTrack:
    yaw: tuple[float, ...]  # relative to neutral; NaN where no face
    pitch: tuple[float, ...]


def pose_track(meshes: Sequence[MeshFace | None]) -> PoseTrack:
    yaw = np.array([m.yaw if m is not None else np.nan for m in meshes], dtype=np.float64)
    pitch = np.array([m.pitch if m is not None else np.nan for m in meshes], dtype=np.float64)
    if np.all(np.isnan(yaw)):
        return PoseTrack(tuple(yaw.tolist()), tuple(pitch.tolist()))
    return PoseTrack(
        tuple((yaw - np.nanmedian(yaw)).tolist()), tuple((pitch - np.nanmedian(pitch)).tolist())
    )


def _state(yaw: float, pitch: float) -> tuple[str | None, float]:
    """The movement a single frame shows and how far past its threshold it is (ratio)."""
    if np.isnan(yaw) or np.isnan(pitch):
        return None, 0.0
    yaw_ratio = abs(yaw) / YAW_THRESHOLD
    pitch_ratio = abs(pitch) / PITCH_THRESHOLD
    if max(yaw_ratio, pitch_ratio) < 1.0:
        return None, 0.0
    if yaw_ratio >= pitch_ratio:
        return (TURN_LEFT if yaw > 0 else TURN_RIGHT), abs(yaw)
    return (LOOK_UP if pitch > 0 else LOOK_DOWN), abs(pitch)


def observed_movements(track: PoseTrack) -> tuple[str, ...]:
    """Strong movements in order; a movement repeated without another in between counts once."""
    segments: list[tuple[str, float]] = []
    current: str | None = None
    peak = 0.0
    for yaw, pitch in zip(track.yaw, track.pitch, strict=True):
        state, magnitude = _state(yaw, pitch)
        if state == current:
            peak = max(peak, magnitude)
            continue
        if current is not None:
            segments.append((current, peak))
        current, peak = state, magnitude
    if current is not None:
        segments.append((current, peak))
    strong = [
        name
        for name, magnitude in segments
        if magnitude >= (STRONG_YAW if name in (TURN_LEFT, TURN_RIGHT) else STRONG_PITCH)
    ]
    merged: list[str] = []
    for name in strong:
        if not merged or merged[-1] != name:
            merged.append(name)
    return tuple(merged)


def verify_challenge(track: PoseTrack, expected: tuple[str, ...]) -> ChallengeOutcome:
    observed = observed_movements(track)
    yaw = np.array(track.yaw)
    pitch = np.array(track.pitch)
    yaw_range = float(np.nanmax(yaw) - np.nanmin(yaw)) if not np.all(np.isnan(yaw)) else 0.0
    pitch_range = float(np.nanmax(pitch) - np.nanmin(pitch)) if not np.all(np.isnan(pitch)) else 0.0
    return ChallengeOutcome(
        expected=expected,
        observed=observed,
        # Exactly the asked movements in the asked order: a recording made for another
        # challenge shows another order, and extra strong movements are not tolerated because
        # "do everything" would otherwise pass every challenge.
        passed=observed == expected,
        yaw_range=round(yaw_range, 2),
        pitch_range=round(pitch_range, 2),
    )
