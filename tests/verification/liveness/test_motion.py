"""Order verification and 3-D evidence on controlled inputs (no rendering, no model)."""

from __future__ import annotations

import itertools
import math
from functools import cache

import numpy as np
import numpy.typing as npt

from openkyc.specimens.faces import face_by_id
from openkyc.verification.face.mesh import FaceMesher, measure
from openkyc.verification.liveness.challenge import LOOK_DOWN, LOOK_UP, TURN_LEFT, TURN_RIGHT
from openkyc.verification.liveness.continuity import too_sparse
from openkyc.verification.liveness.depth import MIN_PROTRUSION, measure_depth
from openkyc.verification.liveness.motion import (
    NOMINAL_INTERVAL_MS,
    PoseTrack,
    frame_durations,
    observed_movements,
    pose_track,
    verify_challenge,
)

FloatArray = npt.NDArray[np.float64]

# Every challenge issue_challenge can give: both turns and one nod, in any order.
ALL_CHALLENGES = [
    steps
    for steps in itertools.permutations((TURN_LEFT, TURN_RIGHT, LOOK_UP, LOOK_DOWN), 3)
    if TURN_LEFT in steps and TURN_RIGHT in steps
]


def _track(yaw: list[float], pitch: list[float] | None = None) -> PoseTrack:
    return PoseTrack(tuple(yaw), tuple(pitch if pitch is not None else [0.0] * len(yaw)))


def test_right_order_passes_and_wrong_order_fails() -> None:
    yaw = [0, 5, 15, 22, 15, 3, 0, 0, 0, 0, -6, -16, -24, -14, -2, 0]
    pitch = [0, 0, 0, 0, 0, 0, 2, 9, 12, 3, 0, 0, 0, 0, 0, 0]
    track = _track([float(v) for v in yaw], [float(v) for v in pitch])
    assert observed_movements(track) == (TURN_LEFT, LOOK_UP, TURN_RIGHT)
    assert verify_challenge(track, (TURN_LEFT, LOOK_UP, TURN_RIGHT)).passed
    assert not verify_challenge(track, (TURN_RIGHT, LOOK_UP, TURN_LEFT)).passed


def test_ignored_challenge_and_small_jitter_fail() -> None:
    jitter = _track([0.0, 2.0, -3.0, 4.0, -2.0, 1.0, 0.0], [1.0, -2.0, 2.0, 0.0, -1.0, 0.0, 1.0])
    outcome = verify_challenge(jitter, (TURN_LEFT, TURN_RIGHT, LOOK_UP))
    assert outcome.observed == ()
    assert not outcome.passed


def test_a_single_noisy_frame_is_not_a_movement() -> None:
    # 11 degrees in two frames is a turn; in a single frame it is noise.
    assert observed_movements(_track([0.0, 11.0, 11.0, 0.0])) == (TURN_LEFT,)
    track = _track([0.0, 0.0, 11.0, 0.0, 0.0, -25.0, -24.0, 0.0])
    assert observed_movements(track) == (TURN_RIGHT,)


def test_a_weak_extra_nod_is_tolerated_but_a_clear_extra_movement_is_not() -> None:
    yaw = [0.0, 12.0, 20.0, 12.0, 0.0, 0.0, -12.0, -20.0, -12.0, 0.0, 0.0, 0.0, 0.0]
    weak = [0.0, 0.0, 0.0, 0.0, 7.0, 0.0, 0.0, 0.0, 0.0, 0.0, -9.0, -12.0, 0.0]
    clear = [0.0, 0.0, 0.0, 0.0, 14.0, 13.0, 0.0, 0.0, 0.0, 0.0, -9.0, -12.0, 0.0]
    asked = (TURN_LEFT, TURN_RIGHT, LOOK_DOWN)
    assert verify_challenge(_track(yaw, weak), asked).passed
    assert not verify_challenge(_track(yaw, clear), asked).passed


def test_a_smaller_nod_held_over_several_frames_counts_but_one_such_frame_does_not() -> None:
    yaw = [0.0, 12.0, 20.0, 3.0, 0.0, -14.0, -22.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    held = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -3.5, -7.0, -3.5, 0.0]
    single = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -7.0, 0.0, 0.0]
    asked = (TURN_LEFT, TURN_RIGHT, LOOK_DOWN)
    assert verify_challenge(_track(yaw, held), asked).passed
    assert not verify_challenge(_track(yaw, single), asked).passed


def test_a_clear_nod_that_drags_the_yaw_along_is_a_nod() -> None:
    # A face turned ~50 degrees at rest (a real photo once among the source faces): its nod read 12 and 9 degrees of
    # yaw beside 18 and 19 of pitch, and was taken for a turn to the left.
    yaw = [0.0, 0.0, -12.0, -18.0, -10.0, 0.0, 0.0, 12.0, 9.0, 0.0, 0.0, 14.0, 20.0, 9.0, 0.0]
    pitch = [0.0, 0.0, 0.0, -2.0, 0.0, 0.0, 0.0, -18.0, -19.0, 0.0, 0.0, 3.0, 2.0, 0.0, 0.0]
    track = _track(yaw, pitch)
    assert observed_movements(track) == (TURN_RIGHT, LOOK_DOWN, TURN_LEFT)
    assert verify_challenge(track, (TURN_RIGHT, LOOK_DOWN, TURN_LEFT)).passed
    # A turn that drags a smaller pitch along stays a turn.
    turn = _track([0.0, 10.0, 16.0, 0.0], [0.0, 11.0, 12.0, 0.0])
    assert observed_movements(turn) == (TURN_LEFT,)


def test_a_burst_that_does_every_movement_satisfies_no_challenge() -> None:
    yaw = [0.0, 14.0, 22.0, 0.0, -14.0, -22.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    pitch = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 12.0, 14.0, 0.0, -12.0, -14.0, 0.0]
    track = _track(yaw, pitch)
    assert observed_movements(track) == (TURN_LEFT, TURN_RIGHT, LOOK_UP, LOOK_DOWN)
    assert not any(verify_challenge(track, steps).passed for steps in ALL_CHALLENGES)
    one = _track(yaw, pitch[:9] + [0.0] * 4)
    assert [steps for steps in ALL_CHALLENGES if verify_challenge(one, steps).passed] == [
        (TURN_LEFT, TURN_RIGHT, LOOK_UP)
    ]


@cache
def _mesh_points() -> FloatArray:
    mesher = FaceMesher()
    try:
        faces = mesher.on_image(face_by_id("astronaut").portrait(480, 640))
    finally:
        mesher.close()
    return faces[0].points


def test_flat_picture_has_no_nose_protrusion_and_a_head_has() -> None:
    points = _mesh_points()
    centre = points.mean(axis=0)
    width = float(np.linalg.norm(points[454, :2] - points[234, :2]))
    planar, solid, yaws = [], [], []
    for yaw in (0.0, 8.0, 16.0, 24.0, -16.0, -24.0):
        a = math.radians(yaw)
        rotation = np.array(
            [[math.cos(a), 0, -math.sin(a)], [0, 1, 0], [math.sin(a), 0, math.cos(a)]]
        )
        pivot = centre + np.array([0.0, 0.0, 0.6 * width])
        solid.append(measure((points - pivot) @ rotation.T + pivot))
        flat = points.copy()
        flat[:, 2] = centre[2]  # the same face printed on a plane, turned the same way
        planar.append(measure((flat - pivot) @ rotation.T + pivot))
        yaws.append(yaw)
    head = measure_depth(solid, yaws)
    picture = measure_depth(planar, yaws)
    assert head.passed
    assert head.nose_protrusion is not None
    assert head.nose_protrusion > MIN_PROTRUSION
    assert not picture.passed
    assert picture.nose_protrusion is not None
    assert abs(picture.nose_protrusion) < 0.02


def _posed(points: FloatArray, yaw: float, pitch: float) -> FloatArray:
    """``points`` turned by ``yaw`` (subject's left +) and ``pitch`` (up +) about a pivot
    behind the face, the way a head turns."""
    a, b = math.radians(yaw), math.radians(pitch)
    r_yaw = np.array([[math.cos(a), 0, -math.sin(a)], [0, 1, 0], [math.sin(a), 0, math.cos(a)]])
    r_pitch = np.array([[1, 0, 0], [0, math.cos(b), math.sin(b)], [0, -math.sin(b), math.cos(b)]])
    width = float(np.linalg.norm(points[454, :2] - points[234, :2]))
    pivot = points.mean(axis=0) + np.array([0.0, 0.0, 0.6 * width])
    posed: FloatArray = (points - pivot) @ (r_pitch @ r_yaw).T + pivot
    return posed


def test_pose_is_measured_relative_to_the_bursts_own_neutral_pose() -> None:
    # A face already turned 40 degrees at rest, then turning a further 20 degrees each way and
    # nodding 12 degrees: the track reads the movements, not the resting pose.
    points = _mesh_points()
    poses = [(0.0, 0.0)] * 4 + [(20.0, 0.0), (0.0, 0.0), (-20.0, 0.0), (0.0, 0.0), (0.0, -12.0)]
    poses += [(0.0, 0.0)] * 4
    meshes = [measure(_posed(_posed(points, -40.0, 0.0), y, p)) for y, p in poses]
    track = pose_track(meshes)
    assert abs(meshes[0].yaw) > 30.0
    assert [round(v) for v in track.yaw] == [round(y) for y, _ in poses]
    assert [round(v) for v in track.pitch] == [round(p) for _, p in poses]
    assert verify_challenge(track, (TURN_LEFT, TURN_RIGHT, LOOK_DOWN)).passed


def test_a_face_lost_while_turning_out_of_the_meshs_reach_counts_as_that_turn() -> None:
    points = _mesh_points()
    resting = _posed(points, -48.0, 0.0)
    yaws = [0.0, 0.0, 0.0, 14.0, 18.0, 0.0, 0.0, -6.0, None, -6.0, 0.0]
    yaws += [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    meshes = [None if y is None else measure(_posed(resting, y, 0.0)) for y in yaws]
    track = pose_track(meshes)
    assert track.beyond_reach[8] == -1
    assert observed_movements(track) == (TURN_LEFT, TURN_RIGHT)
    # The same gap next to frames that are not turned that far is only a missing face.
    frontal = [None if y is None else measure(_posed(points, y, 0.0)) for y in yaws]
    assert observed_movements(pose_track(frontal)) == (TURN_LEFT,)


def _timed(yaw: list[float], pitch: list[float], interval_ms: float) -> PoseTrack:
    times = [i * interval_ms for i in range(len(yaw))]
    return PoseTrack(tuple(yaw), tuple(pitch), frame_ms=frame_durations(times, len(yaw)))


# A slow phone's burst (~626 ms apart): every movement is seen in one frame, off its peak.
_SPARSE_YAW = [0.0, 0.0, 0.0, 0.0, 10.2, 0.0, 0.0, 0.0, -18.2, 0.0, 0.0, 0.0]
_SPARSE_PITCH = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -7.0, 0.0, 0.0, 0.0, 0.0, 0.0]


def test_how_long_a_frame_stands_for_decides_whether_one_frame_is_a_movement() -> None:
    asked = (TURN_LEFT, LOOK_DOWN, TURN_RIGHT)
    slow = _timed(_SPARSE_YAW, _SPARSE_PITCH, 626.0)
    assert verify_challenge(slow, asked).passed
    # The same readings ~313 ms apart are spikes shorter than any head movement.
    fast = _timed(_SPARSE_YAW, _SPARSE_PITCH, 313.0)
    assert not verify_challenge(fast, asked).passed
    assert not verify_challenge(_track(_SPARSE_YAW, _SPARSE_PITCH), asked).passed


def test_a_nod_straddled_by_two_sparse_frames_counts_by_the_time_it_lasted() -> None:
    yaw = [0.0, 0.0, 0.0, 0.0, 14.2, 0.0, -21.9, 0.0, 0.0, 0.0, 0.0, 0.0]
    pitch = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -3.1, -3.5, 0.0, 0.0]
    asked = (TURN_LEFT, TURN_RIGHT, LOOK_DOWN)
    assert verify_challenge(_timed(yaw, pitch, 626.0), asked).passed
    assert not verify_challenge(_timed(yaw, pitch, 313.0), asked).passed
    # Two frames are not every movement: the other nod is still not seen.
    assert not verify_challenge(_timed(yaw, pitch, 626.0), (TURN_LEFT, TURN_RIGHT, LOOK_UP)).passed


def test_claimed_gaps_never_make_a_frame_stand_for_more_than_a_slow_camera_gives() -> None:
    assert frame_durations([0, 1500, 3000, 4500], 4) == (650.0,) * 4
    assert frame_durations([0, 300, 600], 3) == (300.0, 300.0, 300.0)
    # Missing, mismatched or non-increasing times: the hosted page's pace.
    assert frame_durations(None, 3) == (NOMINAL_INTERVAL_MS,) * 3
    assert frame_durations([0, 0, 300], 3) == (NOMINAL_INTERVAL_MS,) * 3
    assert frame_durations([0, 300], 3) == (NOMINAL_INTERVAL_MS,) * 3
    # Stretched times do not turn a small flat wobble into a challenge.
    yaw = [0.0, 7.0, 0.0, -7.0, 0.0, 0.0, 0.0]
    wobble = _timed(yaw, [0.0, 0.0, 0.0, 0.0, 0.0, 4.0, 0.0], 1500.0)
    assert observed_movements(wobble) == ()


def test_frames_too_far_apart_to_see_every_movement_are_told_apart() -> None:
    assert not too_sparse(None)
    assert not too_sparse([0, 313, 626, 939])
    assert not too_sparse([0, 626, 1252, 1878])
    assert not too_sparse([0, 700, 1400, 2060])
    assert too_sparse([0, 1000, 2000, 3000])
