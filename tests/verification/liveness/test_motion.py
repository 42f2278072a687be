"""Order verification and 3-D evidence on controlled inputs (no rendering, no model)."""

from __future__ import annotations

import math

import numpy as np

from openkyc.specimens.faces import face_by_id
from openkyc.verification.face.mesh import FaceMesher, measure
from openkyc.verification.liveness.challenge import LOOK_DOWN, LOOK_UP, TURN_LEFT, TURN_RIGHT
from openkyc.verification.liveness.depth import MIN_PROTRUSION, measure_depth
from openkyc.verification.liveness.motion import PoseTrack, observed_movements, verify_challenge


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


def _mesh_points() -> np.ndarray:
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
