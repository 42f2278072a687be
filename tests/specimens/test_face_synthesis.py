"""The specimen face generator's parts: the thin-plate warp moves what it is asked to move, and a
turned portrait is a head turned the way it was asked."""

from __future__ import annotations

import numpy as np

from openkyc.specimens.face_synthesis import tps_warp
from openkyc.specimens.faces import face_by_id
from openkyc.specimens.selfies import turned_portrait
from openkyc.verification.face.mesh import FaceMesher


def _dot_centre(image: np.ndarray) -> tuple[float, float]:
    ys, xs = np.nonzero(image[..., 0] > 128)
    return float(xs.mean()), float(ys.mean())


def test_the_warp_moves_a_control_point_to_its_target_and_keeps_the_border() -> None:
    image = np.zeros((640, 480, 3), np.uint8)
    image[296:305, 196:205] = 255  # a dot at (200, 300)
    border = [(x, y) for x in (0.0, 240.0, 480.0) for y in (0.0, 640.0)]
    border += [(0.0, 320.0), (480.0, 320.0)]
    source = np.array([(200.0, 300.0), *border])
    target = np.array([(260.0, 340.0), *border])
    warped = tps_warp(image, source, target)
    x, y = _dot_centre(warped)
    assert abs(x - 260.0) < 3.0
    assert abs(y - 340.0) < 3.0
    assert warped.shape == image.shape


def test_a_turned_portrait_is_turned_to_the_subjects_right() -> None:
    photo = face_by_id("synth02").portrait(480, 640)
    mesher = FaceMesher()
    ahead = mesher.on_image(photo)
    turned = mesher.on_image(turned_portrait(photo, -40.0))
    mesher.close()
    assert ahead
    assert turned
    # Yaw is positive when the subject turns to their own left.
    assert turned[0].yaw < ahead[0].yaw - 15.0
