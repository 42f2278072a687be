"""3-D evidence from motion: does the face move like a head or like a flat picture?

Between two views of a plane, every point moves by one homography. So a homography is fitted
on landmarks of the face front (eye corners, brows, mouth, forehead, chin) between the most
frontal frame and each turned frame, and the nose tip's departure from it is measured. On a
real head the nose stands ~0.3-0.5 face widths in front of that surface and shifts sideways in
the direction of the turn by about protrusion x sin(yaw); on a printed or displayed photo,
however it is tilted or moved, it shifts with the plane. The ratio of the two estimates the
protrusion in face widths.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

from openkyc.verification.face.mesh import MeshFace
from openkyc.verification.liveness.results import DepthOutcome

# Landmarks of the face front used to fit the plane, and the nose points measured against it.
_FRONT = (33, 133, 362, 263, 70, 105, 107, 336, 334, 300, 61, 291, 0, 17, 10, 151, 152, 199, 9)
_NOSE = (1, 4)
_ALL = (*_FRONT, *_NOSE, 5, 195, 197, 6, 168, 98, 327, 129, 358, 8)
# Only frames turned at least this far carry usable parallax. The peak a turn needs to count
# at all (motion.YAW_THRESHOLD), so that a burst that passed the challenge has a frame to
# measure: a slow phone's frames (~626 ms apart) catch a turn off its peak, and at 10 degrees
# one simulated genuine 12-frame burst that followed the challenge had none (at 12, a face
# turned at rest whose far turn left the mesh's reach had none at full rate).
_MIN_TURN = 8.0
# A real nose measured 0.2-0.6 face widths in the simulations. A synthetic flat mesh measures
# ~0, but on rendered prints and screens the mesh places the nose as on a 3-D face: the few
# that read a turn of 10 degrees or more measured 0.11-0.40 (seeds 5, 123, 77), so this check
# rarely stops a flat attack on its own; the challenge does (see docs/face-and-liveness.md).
MIN_PROTRUSION = 0.09


def _face_width(mesh: MeshFace) -> float:
    return float(np.linalg.norm(mesh.points[454, :2] - mesh.points[234, :2]))


def measure_depth(meshes: Sequence[MeshFace | None], yaw: Sequence[float]) -> DepthOutcome:
    frames = [
        (m, y) for m, y in zip(meshes, yaw, strict=True) if m is not None and not math.isnan(y)
    ]
    if len(frames) < 3:
        return DepthOutcome(None, None, 0, False)
    reference, _ = min(frames, key=lambda item: abs(item[1]))
    width = _face_width(reference)
    ref_front = reference.points[list(_FRONT), :2].astype(np.float32)
    ref_all = reference.points[list(_ALL), :2].astype(np.float32)
    estimates: list[float] = []
    residuals: list[float] = []
    for mesh, frame_yaw in frames:
        if mesh is reference:
            continue
        front = mesh.points[list(_FRONT), :2].astype(np.float32)
        homography, _ = cv2.findHomography(ref_front, front, 0)
        if homography is None:
            continue
        # Plane residual over every landmark used, as a general flatness figure.
        predicted_all = cv2.perspectiveTransform(ref_all.reshape(-1, 1, 2), homography)
        actual_all = mesh.points[list(_ALL), :2]
        error = predicted_all.reshape(-1, 2) - actual_all
        residuals.append(float(np.sqrt((error**2).sum(axis=1).mean())) / width)
        if abs(frame_yaw) < _MIN_TURN:
            continue
        nose = list(range(len(_FRONT), len(_FRONT) + len(_NOSE)))
        parallax = float(-error[nose, 0].mean()) / _face_width(mesh)
        # Yaw to the subject's left (+) moves the nose towards image right (+x).
        estimates.append(parallax / math.sin(math.radians(frame_yaw)))
    plane_residual = float(np.percentile(residuals, 90)) if residuals else None
    if not estimates:
        return DepthOutcome(None, plane_residual, 0, False)
    protrusion = float(np.median(estimates))
    return DepthOutcome(
        nose_protrusion=round(protrusion, 4),
        plane_residual=None if plane_residual is None else round(plane_residual, 4),
        frames_used=len(estimates),
        passed=protrusion >= MIN_PROTRUSION,
    )
