"""MediaPipe's 478-point face mesh: confirms detections and measures pose and open eyes.

The mesh runs on a square crop around a candidate box rather than on the whole frame, because
its built-in short-range detector misses small faces (a printed document portrait is often 60
to 120 px tall) and because a crop that holds no face is exactly how a false detection (a
mission patch, a logo) is rejected.
"""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from openkyc.verification.face.geometry import Box
from openkyc.verification.face.images import RGBImage
from openkyc.verification.types import ModelInfo

FloatArray = npt.NDArray[np.float64]

MESH_MODEL = ModelInfo(name="mediapipe-face-mesh", version="0.10.21")

_CROP_SIDE = 256
# Subject's left / right landmark pairs (the subject's left is image right in an unmirrored
# camera frame): outer eye corners, cheeks at the ear line, mouth corners, brow ends.
_SYMMETRIC_PAIRS = ((263, 33), (454, 234), (291, 61), (300, 70), (362, 133))
_FOREHEAD = 10
_CHIN = 152
_NOSE_TIP = 1
_LEFT_CHEEK = 454
_RIGHT_CHEEK = 234
# Six-point eye outlines (corner, top, top, corner, bottom, bottom) for the eye aspect ratio.
_RIGHT_EYE = (33, 160, 158, 133, 153, 144)
_LEFT_EYE = (362, 385, 387, 263, 373, 380)


@dataclass(frozen=True, slots=True)
class MeshFace:
    """One face mesh in pixel coordinates of the analysed image (z in the same pixel scale)."""

    points: FloatArray  # (478, 3)
    box: Box  # bounds of the mesh (forehead to chin)
    yaw: float  # degrees, positive when the subject turns to their own left
    pitch: float  # degrees, positive when the subject looks up
    roll: float  # degrees
    eye_openness: float  # the smaller eye aspect ratio of the two eyes; ~0.25-0.35 open
    nose_offset: float  # 2-D nose position between the cheeks, -0.5..0.5, + towards image right


def _normalise(vector: FloatArray) -> FloatArray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 1e-9 else vector


def _eye_aspect_ratio(points: FloatArray, idx: tuple[int, ...]) -> float:
    p = points[list(idx), :2]
    horizontal = float(np.linalg.norm(p[0] - p[3]))
    vertical = float(np.linalg.norm(p[1] - p[5]) + np.linalg.norm(p[2] - p[4]))
    return vertical / (2.0 * horizontal) if horizontal > 1e-6 else 0.0


def measure(points: FloatArray) -> MeshFace:
    """Pose, eyes and bounds from mesh points (image coordinates: x right, y down, z away)."""
    x_axis = _normalise(sum((points[a] - points[b] for a, b in _SYMMETRIC_PAIRS), np.zeros(3)))
    down = _normalise(points[_CHIN] - points[_FOREHEAD])
    # x right and y down give +z (away from the camera); the face looks the other way.
    forward = -_normalise(np.cross(x_axis, down))
    yaw = math.degrees(math.atan2(forward[0], -forward[2]))
    pitch = math.degrees(math.atan2(-forward[1], -forward[2]))
    roll = math.degrees(math.atan2(x_axis[1], x_axis[0]))
    eyes = min(_eye_aspect_ratio(points, _RIGHT_EYE), _eye_aspect_ratio(points, _LEFT_EYE))
    left = points[_RIGHT_CHEEK, 0]
    right = points[_LEFT_CHEEK, 0]
    span = right - left
    nose_offset = float((points[_NOSE_TIP, 0] - left) / span - 0.5) if abs(span) > 1e-6 else 0.0
    x0, y0 = points[:, 0].min(), points[:, 1].min()
    x1, y1 = points[:, 0].max(), points[:, 1].max()
    return MeshFace(
        points=points,
        box=Box(float(x0), float(y0), float(x1 - x0), float(y1 - y0)),
        yaw=yaw,
        pitch=pitch,
        roll=roll,
        eye_openness=eyes,
        nose_offset=nose_offset,
    )


class FaceMesher:
    """A MediaPipe FaceMesh graph, built once; calls are serialised because the graph is not
    re-entrant."""

    def __init__(self, *, min_confidence: float = 0.5) -> None:
        # MediaPipe's C++ side logs a few warnings per graph to stderr; keep stderr for errors.
        os.environ.setdefault("GLOG_minloglevel", "2")
        # Imported here: mediapipe takes ~0.5 s to import and only the real pipeline needs it.
        from mediapipe.python.solutions import face_mesh

        self._lock = threading.Lock()
        self._mesh = face_mesh.FaceMesh(
            static_image_mode=True,
            max_num_faces=4,
            refine_landmarks=True,
            min_detection_confidence=min_confidence,
        )

    def _run(self, image: RGBImage) -> list[FloatArray]:
        height, width = image.shape[:2]
        with self._lock:
            result = self._mesh.process(np.ascontiguousarray(image))
        faces = result.multi_face_landmarks or []
        out: list[FloatArray] = []
        for face in faces:
            pts = np.array([(p.x * width, p.y * height, p.z * width) for p in face.landmark])
            out.append(pts.astype(np.float64))
        return out

    def on_image(self, image: RGBImage) -> list[MeshFace]:
        """Every face the mesh finds in the whole image (good for selfies at arm's length)."""
        return [measure(points) for points in self._run(image)]

    def on_box(self, image: RGBImage, box: Box) -> MeshFace | None:
        """The mesh of the face inside ``box``, or None when the crop around it holds no face."""
        side = max(box.w, box.h) * 2.2
        scale = _CROP_SIDE / side
        # One affine warp crops, scales and pads (replicating the border) around the box.
        matrix = np.array(
            [
                [scale, 0.0, _CROP_SIDE / 2.0 - scale * box.cx],
                [0.0, scale, _CROP_SIDE / 2.0 - scale * box.cy],
            ]
        )
        interpolation = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_CUBIC
        crop = cv2.warpAffine(
            image,
            matrix,
            (_CROP_SIDE, _CROP_SIDE),
            flags=interpolation,
            borderMode=cv2.BORDER_REPLICATE,
        )
        candidates = self._run(np.asarray(crop, dtype=np.uint8))
        best: MeshFace | None = None
        best_distance = math.inf
        for points in candidates:
            mapped = points.copy()
            mapped[:, 0] = (points[:, 0] - matrix[0, 2]) / scale
            mapped[:, 1] = (points[:, 1] - matrix[1, 2]) / scale
            mapped[:, 2] = points[:, 2] / scale
            face = measure(mapped)
            distance = math.hypot(face.box.cx - box.cx, face.box.cy - box.cy)
            # The mesh must describe the same face: centred in the box and of a similar size.
            size_ratio = face.box.w / max(box.w, 1e-6)
            if distance < 0.5 * box.w and 0.5 < size_ratio < 2.2 and distance < best_distance:
                best, best_distance = face, distance
        return best

    def close(self) -> None:
        with self._lock:
            self._mesh.close()
