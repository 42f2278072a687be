"""Where the document's face photo is, in input image coordinates.

The printed portrait is small in a phone photo, so detectors see it only on a close crop: with
the zone known, the page region above it is cut out upright (page proportions relative to the
zone are fixed by ICAO 9303 and by the internal passport layout); without it (a card's front),
the document's bounding box is tried at the four right angles. dlib's HOG frontal face
detector finds the face, and the box is widened to a printed photo's framing.
This is an estimate to help face matching, not a face recognition result.
"""

from __future__ import annotations

import math
import threading
from functools import cache

import cv2
import numpy as np
import numpy.typing as npt

from openkyc.verification.hog import frontal_face_detector

from .locate import ZoneCandidate
from .results import Box

BGRImage = npt.NDArray[np.uint8]
GreyImage = npt.NDArray[np.uint8]

_CROP_SIDE = 400
_DOCUMENT_SIDE = 640
# A printed portrait is about 1.6 face widths wide and 2.1 face heights tall, face slightly high.
_WIDEN, _HEIGHTEN, _FACE_TOP_SHARE = 1.6, 2.1, 0.28
# Where the photo sits relative to the zone, in zone widths from its centre (left, right, top,
# bottom), with generous margins: ICAO 9303 puts it at the left of the data page above the zone;
# the internal passport's personal page has it at the left, higher up.
_PAGE = {
    "TD3": (-0.62, -0.1, -0.66, -0.02),
    "TD2": (-0.62, -0.1, -0.7, -0.02),
    # Visas follow the data page of the same size: MRV-A a TD3 page, MRV-B a TD2 one.
    "MRV-A": (-0.62, -0.1, -0.66, -0.02),
    "MRV-B": (-0.62, -0.1, -0.7, -0.02),
    "RU": (-0.6, 0.0, -1.2, -0.38),
}


class _Cascade:
    """dlib's HOG frontal face detector (:mod:`openkyc.verification.hog`)."""

    def __init__(self) -> None:
        self._detector = frontal_face_detector()
        self._lock = threading.Lock()

    def largest(self, grey: GreyImage) -> tuple[int, int, int, int] | None:
        with self._lock:
            faces = self._detector(np.ascontiguousarray(grey), 0)
        if len(faces) == 0:
            return None
        face = max(faces, key=lambda f: f.width() * f.height())
        return int(face.left()), int(face.top()), int(face.width()), int(face.height())


@cache
def _cascade() -> _Cascade:
    return _Cascade()


def upright_window(
    grey: GreyImage, centre: tuple[float, float], size: tuple[float, float], angle: float, side: int
) -> tuple[GreyImage, npt.NDArray[np.float64]]:
    """A rotated window (centre, size along/across, angle of its x axis) resampled upright to
    about ``_CROP_SIDE`` pixels, and the affine map from the crop back to the input."""
    width, height = size
    scale = side / max(width, height, 1.0)
    out_w, out_h = max(8, round(width * scale)), max(8, round(height * scale))
    theta = math.radians(angle)
    cos, sin = math.cos(theta), math.sin(theta)
    cx, cy = centre
    back = np.array(
        [
            [cos / scale, -sin / scale, cx - (cos * out_w / 2 - sin * out_h / 2) / scale],
            [sin / scale, cos / scale, cy - (sin * out_w / 2 + cos * out_h / 2) / scale],
        ],
        dtype=np.float64,
    )
    crop = cv2.warpAffine(
        grey,
        back,
        (out_w, out_h),
        flags=cv2.INTER_AREA | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return np.asarray(crop, dtype=np.uint8), back


def _portrait_box(
    face: tuple[int, int, int, int], back: npt.NDArray[np.float64], shape: tuple[int, ...]
) -> Box:
    fx, fy, fw, fh = face
    pw, ph = fw * _WIDEN, fh * _HEIGHTEN
    x, y = fx + fw / 2 - pw / 2, fy - ph * _FACE_TOP_SHARE + fh * 0.05
    corners = np.array([[x, y], [x + pw, y], [x + pw, y + ph], [x, y + ph]], np.float64)
    mapped = corners @ back[:, :2].T + back[:, 2]
    x0, y0 = np.clip(mapped.min(axis=0), 0, [shape[1], shape[0]])
    x1, y1 = np.clip(mapped.max(axis=0), 0, [shape[1], shape[0]])
    return Box(int(x0), int(y0), int(x1 - x0), int(y1 - y0))


def _page_windows(
    zone: ZoneCandidate, angle: float, layout: str
) -> list[tuple[tuple[float, float], tuple[float, float], float]]:
    left, right, top, bottom = _PAGE[layout]
    zw = zone.size[0]
    theta = math.radians(angle)
    ux, uy = math.cos(theta), math.sin(theta)
    vx, vy = -uy, ux
    along, down = (left + right) / 2 * zw, (top + bottom) / 2 * zw
    centre = (zone.centre[0] + along * ux + down * vx, zone.centre[1] + along * uy + down * vy)
    return [(centre, ((right - left) * zw, (bottom - top) * zw), angle)]


def find_portrait(
    grey: GreyImage,
    *,
    zone: ZoneCandidate | None = None,
    angle: float | None = None,
    layout: str = "TD3",
    document: tuple[tuple[float, float], tuple[float, float], float] | None = None,
) -> Box | None:
    """The portrait's box in ``grey``'s coordinates. ``angle`` is the rotation that makes the
    zone's text read left to right; when only the zone is known (not which way up), pass
    ``angle=None`` and both ways are tried."""
    windows: list[tuple[tuple[float, float], tuple[float, float], float]] = []
    if zone is not None and layout in _PAGE:
        for a in [angle] if angle is not None else [zone.angle, zone.angle + 180.0]:
            windows += _page_windows(zone, a, layout)
    h, w = grey.shape[:2]
    # (centre, size, angle) of the whole document, e.g. a card front's minimum-area rectangle.
    page_windows = len(windows)
    if document is not None:
        # Documents are landscape (cards, data pages): put the long side horizontal, then the
        # only question left is which way up.
        centre, (dw, dh), base = document
        if dh > dw:
            dw, dh, base = dh, dw, base + 90.0
        windows += [(centre, (dw, dh), base), (centre, (dw, dh), base + 180.0)]
    elif not windows:
        for a in (0.0, 180.0, 90.0, 270.0):
            size = (float(w), float(h)) if a in (0.0, 180.0) else (float(h), float(w))
            windows.append(((w / 2, h / 2), size, a))
    for index, (centre_i, size_i, angle_i) in enumerate(windows):
        # Whole documents need more pixels than a photo window for the face to reach 80 px.
        side = _CROP_SIDE if index < page_windows else _DOCUMENT_SIDE
        crop, back = upright_window(grey, centre_i, size_i, angle_i, side)
        face = _cascade().largest(crop)
        if face is not None:
            return _portrait_box(face, back, grey.shape)
    return None
