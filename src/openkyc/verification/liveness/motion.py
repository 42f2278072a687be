"""Did the head turn as the challenge asked, in the order asked?

Pose comes from the face mesh of each frame, as the rotation of the whole 3-D mesh relative to
the burst's own neutral pose (the challenge holds each movement only briefly, so most frames
are near neutral on any one axis). The rotation is fitted on all 478 points (Kabsch), so it is
relative by construction: a face already turned at rest starts from zero, and a turn no
longer drags the pitch along as much as the mesh's own angles do (simulated turns without a
nod: pitch read up to ~10 degrees instead of ~19).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from openkyc.verification.face.mesh import MeshFace
from openkyc.verification.liveness.challenge import LOOK_DOWN, LOOK_UP, TURN_LEFT, TURN_RIGHT
from openkyc.verification.liveness.results import ChallengeOutcome

FloatArray = npt.NDArray[np.float64]

# A movement counts once the head passes these angles from neutral (degrees). The mesh reads a
# rendered 20-32 degree turn as 10-30 degrees of yaw, and a 14-22 degree nod as only 6-25
# degrees of pitch (as little as 0.3-0.5x on low-resolution or flat-lit faces). A printed photo
# tilted by up to 36 degrees reads as a few degrees of yaw (about 10 at most in single frames);
# these thresholds alone do not stop it; the order of three movements, the depth check and the
# passive cues do (see eval/liveness.py).
YAW_THRESHOLD = 8.0
PITCH_THRESHOLD = 5.0
# ... and is "strong" (must be part of the challenge) beyond these.
STRONG_YAW = 9.5
STRONG_PITCH = 6.0
# A movement seen for less than _BRIEF_MS must go this much further than "strong" to count: a
# real head movement lasts about a second, so a spike shorter than that is more likely noise.
# Time, not frames: at the hosted page's pace (~313 ms) that is a movement seen in one frame,
# but a slow phone delivering a frame every ~626 ms sees every movement in one or two frames.
_BRIEF_FACTOR = 1.25
_BRIEF_MS = 500.0
# A sparse burst samples a movement away from its peak (two frames straddling a nod may both
# read a third of it), but the time it spends turned is still seen: a movement is also strong
# when its angle integrated over the time its frames stand for reaches these (degree-seconds).
# Simulated genuine movements (seeds 5 and 123, 24 / 12 frames a burst; the movement's best
# run): turns at least 3.8 / 5.1, median ~12.5; nods at least 2.7 / 2.0, median ~8. Unasked
# "nods" in genuine bursts reached 3.1 (they are tolerated unless clear, see CLEAR_PITCH).
# Flat attacks reach these easily in one movement (a tilted screen up to 11); what stops them
# is the order of all three movements (see eval/liveness.py).
STRONG_YAW_AREA = 5.0
STRONG_PITCH_AREA = 3.0
# One frame never stands for more than this time: a longer gap shows nothing, and a client
# claiming slow frames must not make each of them count for more.
_MAX_FRAME_MS = 650.0
# Without capture times (or with times that fail the timing check), frames are taken to come
# at the hosted page's pace for the default challenge: 5 segments of 1.5 s, 24 frames.
NOMINAL_INTERVAL_MS = 313.0
# A movement that was not asked for fails the challenge only beyond these.
CLEAR_YAW = 15.0
CLEAR_PITCH = 11.0
# A frame whose pitch is clear and this many times its yaw is a nod, however far the yaw went.
_NOD_OVER_YAW = 1.5
# Frames next to a movement still belong to it down to these angles (quiet frames stay within
# ~2.5 degrees): a nod read as 3, 7 and 3 degrees is one consistent nod over three frames, not
# one noisy frame. A frame turned by YAW_HOLD or more is never read as a nod.
YAW_HOLD = 6.5
PITCH_HOLD = 3.0
# The mesh loses a face turned beyond about 60 degrees. A short gap without a face next to a
# frame turned at least _REACH_YAW (absolute yaw, as the mesh reads it) and _REACH_STEP further
# from neutral the same way is a head turned out of the mesh's reach: a customer whose face is
# already turned at rest cannot turn that way much further before the mesh gives up.
_REACH_YAW = 45.0
_REACH_STEP = 4.0
_REACH_GAP = 2
# Share of frames nearest to the median pose averaged into the neutral shape.
_NEUTRAL_SHARE = 0.3


@dataclass(frozen=True, slots=True)
class PoseTrack:
    yaw: tuple[float, ...]  # relative to neutral; NaN where no face
    pitch: tuple[float, ...]
    # Per frame: +1 / -1 where the face was lost turned out of the mesh's reach to the
    # subject's left / right, else 0. Empty when nothing was lost that way.
    beyond_reach: tuple[int, ...] = ()
    # Per frame: the time it stands for (ms), half the gap to each neighbour, at most
    # _MAX_FRAME_MS. Empty: frames at NOMINAL_INTERVAL_MS.
    frame_ms: tuple[float, ...] = ()


def frame_durations(times_ms: Sequence[float] | None, frames: int) -> tuple[float, ...]:
    """The time each frame stands for; nominal when the times are missing or not increasing."""
    if times_ms is None or len(times_ms) != frames or frames < 2:
        return (NOMINAL_INTERVAL_MS,) * frames
    gaps = np.diff(np.asarray(times_ms, dtype=np.float64))
    if np.any(gaps <= 0):
        return (NOMINAL_INTERVAL_MS,) * frames
    before = np.concatenate(([gaps[0]], gaps))
    after = np.concatenate((gaps, [gaps[-1]]))
    return tuple(np.minimum((before + after) / 2.0, _MAX_FRAME_MS).tolist())


def _normalised(points: FloatArray) -> FloatArray:
    centred = points - points.mean(axis=0)
    norm = float(np.sqrt((centred**2).sum()))
    shape: FloatArray = centred / norm if norm > 1e-9 else centred
    return shape


def _rotation(reference: FloatArray, shape: FloatArray) -> FloatArray:
    """The rotation that best maps ``reference`` onto ``shape`` (both normalised; Kabsch)."""
    u, _, vt = np.linalg.svd(shape.T @ reference)
    sign = 1.0 if np.linalg.det(u @ vt) >= 0 else -1.0
    rotation: FloatArray = u @ np.diag([1.0, 1.0, sign]) @ vt
    return rotation


def _angles(rotation: FloatArray) -> tuple[float, float]:
    """Yaw (subject's left +) and pitch (up +) of a rotation, from where it turns the face's
    forward direction (towards the camera, -z in image axes)."""
    forward = rotation @ np.array([0.0, 0.0, -1.0])
    yaw = math.degrees(math.atan2(forward[0], -forward[2]))
    pitch = math.degrees(math.asin(float(np.clip(-forward[1], -1.0, 1.0))))
    return yaw, pitch


def _neutral_shape(shapes: list[FloatArray], meshes: list[MeshFace]) -> FloatArray:
    """The mean shape of the frames nearest to the burst's median pose, each rotated onto the
    most typical one first."""
    yaw = np.array([m.yaw for m in meshes])
    pitch = np.array([m.pitch for m in meshes])
    distance = np.abs(yaw - np.median(yaw)) + np.abs(pitch - np.median(pitch))
    order = np.argsort(distance)
    anchor = shapes[int(order[0])]
    quiet = order[: max(1, round(_NEUTRAL_SHARE * len(shapes)))]
    aligned = [shapes[int(i)] @ _rotation(anchor, shapes[int(i)]) for i in quiet]
    return _normalised(np.mean(aligned, axis=0))


def _beyond_reach(meshes: Sequence[MeshFace | None], yaw: FloatArray) -> tuple[int, ...]:
    """Frames whose face was lost turned out of the mesh's reach (see ``_REACH_YAW``): a gap of
    at most ``_REACH_GAP`` frames inside the burst, next to a frame turned that far."""
    flags = [0] * len(meshes)
    seen = [i for i, mesh in enumerate(meshes) if mesh is not None]
    for before, after in pairwise(seen):
        if not 1 <= after - before - 1 <= _REACH_GAP:
            continue
        for neighbour in (before, after):
            mesh = meshes[neighbour]
            assert mesh is not None
            side = 1 if mesh.yaw > 0 else -1
            if abs(mesh.yaw) >= _REACH_YAW and side * yaw[neighbour] >= _REACH_STEP:
                flags[before + 1 : after] = [side] * (after - before - 1)
    return tuple(flags) if any(flags) else ()


def pose_track(
    meshes: Sequence[MeshFace | None], times_ms: Sequence[float] | None = None
) -> PoseTrack:
    durations = frame_durations(times_ms, len(meshes))
    yaw = np.full(len(meshes), np.nan)
    pitch = np.full(len(meshes), np.nan)
    seen = [i for i, mesh in enumerate(meshes) if mesh is not None]
    if not seen:
        return PoseTrack(tuple(yaw.tolist()), tuple(pitch.tolist()), frame_ms=durations)
    faces = [mesh for mesh in meshes if mesh is not None]
    shapes = [_normalised(face.points) for face in faces]
    neutral = _neutral_shape(shapes, faces)
    for index, shape in zip(seen, shapes, strict=True):
        yaw[index], pitch[index] = _angles(_rotation(neutral, shape))
    yaw -= np.nanmedian(yaw)
    pitch -= np.nanmedian(pitch)
    return PoseTrack(
        tuple(yaw.tolist()),
        tuple(pitch.tolist()),
        beyond_reach=_beyond_reach(meshes, yaw),
        frame_ms=durations,
    )


def _state(yaw: float, pitch: float, reach: int) -> tuple[str | None, float]:
    """The movement a single frame may be part of and how far it went (degrees)."""
    if reach:
        # Out of the mesh's reach: a turn just strong enough on its own (not "clear").
        return (TURN_LEFT if reach > 0 else TURN_RIGHT), STRONG_YAW * _BRIEF_FACTOR
    if np.isnan(yaw) or np.isnan(pitch):
        return None, 0.0
    # Yaw first: it is the axis the mesh measures best, and a turned head drags the mesh's
    # pitch along (up to ~10 degrees in the simulations). The other way round only on a face
    # already turned far at rest: a clear nod of a head at ~50 degrees read 8-12 degrees of yaw
    # beside 18-19 of pitch, and was taken for a turn.
    nod_dragging_yaw = abs(pitch) >= CLEAR_PITCH and abs(pitch) >= _NOD_OVER_YAW * abs(yaw)
    if abs(yaw) >= YAW_HOLD and not nod_dragging_yaw:
        return (TURN_LEFT if yaw > 0 else TURN_RIGHT), abs(yaw)
    if abs(pitch) >= PITCH_HOLD:
        return (LOOK_UP if pitch > 0 else LOOK_DOWN), abs(pitch)
    return None, 0.0


@dataclass(frozen=True, slots=True)
class Movement:
    name: str
    peak: float  # degrees from neutral
    frames: int
    ms: float = NOMINAL_INTERVAL_MS  # the time its frames stand for
    area: float = 0.0  # degree-seconds: the angle integrated over that time


def _counts(movement: Movement) -> bool:
    threshold = YAW_THRESHOLD if _is_turn(movement.name) else PITCH_THRESHOLD
    return movement.peak >= threshold or _strong(movement)


def movements(track: PoseTrack) -> list[Movement]:
    """Runs of frames showing the same movement, with their peak angle; a run that never
    passes the movement's threshold is no movement."""
    found: list[Movement] = []
    current: Movement | None = None
    reach = track.beyond_reach or (0,) * len(track.yaw)
    durations = track.frame_ms or (NOMINAL_INTERVAL_MS,) * len(track.yaw)
    for yaw, pitch, out, ms in zip(track.yaw, track.pitch, reach, durations, strict=True):
        state, magnitude = _state(yaw, pitch, out)
        if current is not None and state == current.name:
            current = Movement(
                state,
                max(current.peak, magnitude),
                current.frames + 1,
                current.ms + ms,
                current.area + magnitude * ms / 1000.0,
            )
            continue
        if current is not None:
            found.append(current)
        current = (
            None if state is None else Movement(state, magnitude, 1, ms, magnitude * ms / 1000.0)
        )
    if current is not None:
        found.append(current)
    return [movement for movement in found if _counts(movement)]


def _is_turn(name: str) -> bool:
    return name in (TURN_LEFT, TURN_RIGHT)


def _strong(movement: Movement) -> bool:
    turn = _is_turn(movement.name)
    needed = STRONG_YAW if turn else STRONG_PITCH
    if movement.ms < _BRIEF_MS:
        needed *= _BRIEF_FACTOR
    return movement.peak >= needed or movement.area >= (
        STRONG_YAW_AREA if turn else STRONG_PITCH_AREA
    )


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
