"""Where the document's face photo is, in input image coordinates.

A frontal-face Haar cascade (shipped inside OpenCV) runs on an upright, reduced copy of the
front: upright because the zone told us the rotation, or, for a card whose zone is on the back,
by trying the four right angles. The face box is widened to the printed photo's usual framing.
This is an estimate to help face matching, not a face detection result.
"""

from __future__ import annotations

import math
import threading
from functools import cache

import cv2
import numpy as np
import numpy.typing as npt

from .locate import ZoneCandidate
from .results import Box

BGRImage = npt.NDArray[np.uint8]

_WORK_SIDE = 640
# A printed portrait is about 1.6 face widths wide and 2.1 face heights tall, face slightly high.
_WIDEN, _HEIGHTEN, _FACE_TOP_SHARE = 1.6, 2.1, 0.28


class _Cascade:
    def __init__(self) -> None:
        path = cv2.data.haarcascades + "haarcascade_frontalface_default.xml"
        self._cascade = cv2.CascadeClassifier(path)
        self._lock = threading.Lock()

    def largest(self, grey: npt.NDArray[np.uint8]) -> tuple[int, int, int, int] | None:
        min_side = max(24, min(grey.shape) // 10)
        with self._lock:
            faces = self._cascade.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=5, minSize=(min_side, min_side))
        if len(faces) == 0:
            return None
        x, y, w, h = max(faces, key=lambda f: int(f[2]) * int(f[3]))
        return int(x), int(y), int(w), int(h)


@cache
def _cascade() -> _Cascade:
    return _Cascade()


def _rotation(image_shape: tuple[int, ...], angle: float, scale: float) -> tuple[npt.NDArray[np.float64], tuple[int, int]]:
    """Affine map that rotates the image by ``angle`` degrees (text becomes upright) and scales."""
    h, w = image_shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    out_w, out_h = int(h * sin + w * cos), int(h * cos + w * sin)
    matrix[0, 2] += out_w / 2 - w / 2
    matrix[1, 2] += out_h / 2 - h / 2
    return matrix.astype(np.float64), (out_w, out_h)


def _box_back(matrix: npt.NDArray[np.float64], box: tuple[float, float, float, float], shape: tuple[int, ...]) -> Box:
    x, y, w, h = box
    inverse = cv2.invertAffineTransform(matrix)
    corners = np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], np.float64)
    mapped = corners @ inverse[:, :2].T + inverse[:, 2]
    x0, y0 = np.clip(mapped.min(axis=0), 0, [shape[1], shape[0]])
    x1, y1 = np.clip(mapped.max(axis=0), 0, [shape[1], shape[0]])
    return Box(int(x0), int(y0), int(x1 - x0), int(y1 - y0))


def estimate_portrait(image: BGRImage, zone: ZoneCandidate | None, fmt: str, angle: float | None) -> Box | None:
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    scale = min(1.0, _WORK_SIDE / max(grey.shape))
    angles = [angle] if angle is not None else [0.0, 180.0, 90.0, 270.0]
    for candidate in angles:
        matrix, size = _rotation(grey.shape, candidate, scale)
        upright = cv2.warpAffine(grey, matrix, size, flags=cv2.INTER_AREA)
        face = _cascade().largest(upright)
        if face is None:
            continue
        fx, fy, fw, fh = face
        pw, ph = fw * _WIDEN, fh * _HEIGHTEN
        box = (fx + fw / 2 - pw / 2, fy - ph * _FACE_TOP_SHARE + fh * 0.05, pw, ph)
        return _box_back(matrix, box, grey.shape)
    if zone is not None and angle is not None and fmt == "TD3":
        return _from_zone_geometry(zone, angle, grey.shape)
    return None


def _from_zone_geometry(zone: ZoneCandidate, angle: float, shape: tuple[int, ...]) -> Box:
    """ICAO TD3 pages put the photo at the left, above the zone: about a quarter of the zone's
    width wide and a third of it tall, ending a little above the zone."""
    zw = zone.size[0]
    theta = math.radians(angle)
    ux, uy = math.cos(theta), math.sin(theta)  # along the text, left to right
    vx, vy = -uy, ux  # down the page
    cx, cy = zone.centre
    corners = []
    for along, down in ((-0.5, -0.82), (-0.22, -0.82), (-0.22, -0.28), (-0.5, -0.28)):
        corners.append((cx + along * zw * ux + down * zw * vx, cy + along * zw * uy + down * zw * vy))
    xs = [max(0.0, min(float(shape[1]), p[0])) for p in corners]
    ys = [max(0.0, min(float(shape[0]), p[1])) for p in corners]
    return Box(int(min(xs)), int(min(ys)), int(max(xs) - min(xs)), int(max(ys) - min(ys)))
