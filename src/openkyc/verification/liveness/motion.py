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
# rendered 20-32 degree turn as 10-30 degrees of yaw, and a 14-22 degree nod as only 6-25
# degrees of pitch. A printed photo tilted by up to 36 degrees reads as 4.5 degrees of yaw at
# the median (16 at most, in single frames); these thresholds alone do not stop it; the order
# of three movements, the depth check and the passive cues do (see eval/liveness.py).
YAW_THRESHOLD = 8.0
PITCH_THRESHOLD = 5.0
# ... and is "strong" (must be part of the challenge) beyond these.
STRONG_YAW = 9.5
STRONG_PITCH = 6.0
_NOD_MAX_YAW = 6.5
# A movement seen in a single frame must go this much further than "strong" to count.
_SINGLE_FRAME_FACTOR = 1.25
# A movement that was not asked for fails the challenge only beyond these.
CLEAR_YAW = 15.0
CLEAR_PITCH = 11.0


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
    # Yaw first: it is the axis the mesh measures best, and a turned head drags the mesh's
    # pitch along (up to ~15 degrees in the simulations), never the other way round.
    if abs(yaw) >= YAW_THRESHOLD:
        return (TURN_LEFT if yaw > 0 else TURN_RIGHT), abs(yaw)
    if abs(pitch) >= PITCH_THRESHOLD and abs(yaw) <= _NOD_MAX_YAW:
        return (LOOK_UP if pitch > 0 else LOOK_DOWN), abs(pitch)
    return None, 0.0


@dataclass(frozen=True, slots=True)
class Movement:
    name: str
    peak: float  # degrees from neutral
    frames: int


def movements(track: PoseTrack) -> list[Movement]:
    """Runs of frames showing the same movement, with their peak angle."""
    found: list[Movement] = []
    current: str | None = None
    peak = 0.0
    length = 0
    for yaw, pitch in zip(track.yaw, track.pitch, strict=True):
        state, magnitude = _state(yaw, pitch)
        if state == current:
            peak = max(peak, magnitude)
            length += 1
            continue
        if current is not None:
            found.append(Movement(current, peak, length))
        current, peak, length = state, magnitude, 1
    if current is not None:
        found.append(Movement(current, peak, length))
    return found


def _is_turn(name: str) -> bool:
    return name in (TURN_LEFT, TURN_RIGHT)


def _strong(movement: Movement) -> bool:
    needed = STRONG_YAW if _is_turn(movement.name) else STRONG_PITCH
    if movement.frames == 1:
        needed *= _SINGLE_FRAME_FACTOR
    return movement.peak >= needed


def _clear(movement: Movement) -> bool:
    return movement.peak >= (CLEAR_YAW if _is_turn(movement.name) else CLEAR_PITCH)


def _merged(names: list[str]) -> tuple[str, ...]:
    merged: list[str] = []
    for name in names:
        if not merged or merged[-1] != name:
            merged.append(name)
    return tuple(merged)


def observed_movements(track: PoseTrack) -> tuple[str, ...]:
    """Strong movements in order; a movement repeated without another in between counts once."""
    return _merged([m.name for m in movements(track) if _strong(m)])


def _follows(found: list[Movement], expected: tuple[str, ...]) -> bool:
    """The expected movements appear, strong and in order; any other movement in between is
    tolerated only while it is not clear (a head turning back drags the mesh's pitch along,
    and people overshoot), so that "do every movement" does not pass every challenge."""
    position = 0
    for movement in found:
        if position < len(expected) and movement.name == expected[position] and _strong(movement):
            position += 1
            continue
        if position > 0 and movement.name == expected[position - 1]:
            continue  # the same movement again, e.g. a turn split by a noisy frame
        if _clear(movement):
            return False
    return position == len(expected)


def verify_challenge(track: PoseTrack, expected: tuple[str, ...]) -> ChallengeOutcome:
    observed = observed_movements(track)
    yaw = np.array(track.yaw)
    pitch = np.array(track.pitch)
    yaw_range = float(np.nanmax(yaw) - np.nanmin(yaw)) if not np.all(np.isnan(yaw)) else 0.0
    pitch_range = float(np.nanmax(pitch) - np.nanmin(pitch)) if not np.all(np.isnan(pitch)) else 0.0
    return ChallengeOutcome(
        expected=expected,
        observed=observed,
        passed=_follows(movements(track), expected),
        yaw_range=round(yaw_range, 2),
        pitch_range=round(pitch_range, 2),
    )
