"""Passive presentation-attack cues measured on every frame.

These are hand-made image statistics, not a trained detector; none is strong alone. They are
tuned so that the simulated genuine captures stay well clear of them, and they only lower the
score when the evidence is marked (see docs/face-and-liveness.md):

* periodic spectrum: a screen's sub-pixel grid and a print's halftone raster are periodic, and
  after the camera resamples them they leave isolated peaks (moiré) in the face's spectrum,
  which skin does not;
* a frame around the face: long straight edges on three or four sides of the face (a phone
  bezel, the border of a sheet of paper);
* sensor noise and saturation are reported for the operator but not scored: JPEG smooths
  noise away on honest captures too, and saturation varies with lighting and with
  black-and-white source photos.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from openkyc.verification.face.geometry import Box
from openkyc.verification.face.images import RGBImage
from openkyc.verification.face.mesh import MeshFace
from openkyc.verification.liveness.results import PassiveOutcome

_SPECTRUM_SIDE = 128
# Peaks in log-magnitude above the radial median; see the calibration in eval/liveness.py.
MOIRE_START = 3.2
MOIRE_FULL = 4.5
# Sides of the face (of 4) with a long straight edge parallel to them.
FRAME_SIDES_SUSPICIOUS = 3
# Reported only: an estimate below this (grey levels) is an unusually clean frame.
NOISE_FLOOR = 0.35


@dataclass(frozen=True, slots=True)
class FrameCues:
    moire_peak: float
    frame_sides: int
    saturation: float
    noise_sigma: float


def _crop(image: RGBImage, box: Box) -> RGBImage | None:
    height, width = image.shape[:2]
    x0, y0 = max(0, int(box.x)), max(0, int(box.y))
    x1, y1 = min(width, int(box.x + box.w)), min(height, int(box.y + box.h))
    if x1 - x0 < 24 or y1 - y0 < 24:
        return None
    return np.ascontiguousarray(image[y0:y1, x0:x1])


def moire_peak(image: RGBImage, face: Box) -> float:
    """Largest isolated spectral peak in the mid/high band of the inner face."""
    inner = Box(face.x + 0.18 * face.w, face.y + 0.2 * face.h, 0.64 * face.w, 0.55 * face.h)
    crop = _crop(image, inner)
    if crop is None:
        return 0.0
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY).astype(np.float32)
    grey = np.asarray(
        cv2.resize(grey, (_SPECTRUM_SIDE, _SPECTRUM_SIDE), interpolation=cv2.INTER_LINEAR),
        dtype=np.float32,
    )
    grey -= grey.mean()
    window = np.outer(np.hanning(_SPECTRUM_SIDE), np.hanning(_SPECTRUM_SIDE)).astype(np.float32)
    spectrum = np.fft.fftshift(np.abs(np.fft.fft2(grey * window)))
    log_mag = np.log1p(spectrum)
    centre = _SPECTRUM_SIDE // 2
    ys, xs = np.mgrid[0:_SPECTRUM_SIDE, 0:_SPECTRUM_SIDE]
    radius = np.hypot(ys - centre, xs - centre).astype(np.int32)
    band = (radius >= 12) & (radius <= 60)
    medians = np.zeros(radius.max() + 1, dtype=np.float64)
    for r in range(12, 61):
        medians[r] = float(np.median(log_mag[radius == r]))
    excess = np.where(band, log_mag - medians[radius], 0.0)
    return float(excess.max())


def frame_sides(image: RGBImage, face: Box) -> int:
    """On how many sides of the face a long straight edge runs parallel to that side."""
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    edges = cv2.Canny(grey, 60, 160)
    min_length = int(max(0.9 * face.h, 30))
    lines = cv2.HoughLinesP(
        edges, 1, np.pi / 180, threshold=60, minLineLength=min_length, maxLineGap=6
    )
    if lines is None:
        return 0
    sides: set[str] = set()
    reach = 2.2 * face.w
    for x1, y1, x2, y2 in lines.reshape(-1, 4):
        angle = math.degrees(math.atan2(y2 - y1, x2 - x1)) % 180
        mx, my = (x1 + x2) / 2.0, (y1 + y2) / 2.0
        if abs(angle - 90) < 20:  # near vertical
            if face.x - reach < mx < face.x and min(y1, y2) < face.cy < max(y1, y2):
                sides.add("left")
            elif face.x + face.w < mx < face.x + face.w + reach and min(y1, y2) < face.cy < max(
                y1, y2
            ):
                sides.add("right")
        elif angle < 20 or angle > 160:  # near horizontal
            if face.y - reach < my < face.y and min(x1, x2) < face.cx < max(x1, x2):
                sides.add("top")
            elif face.y + face.h < my < face.y + face.h + 1.5 * reach and min(
                x1, x2
            ) < face.cx < max(x1, x2):
                sides.add("bottom")
    return len(sides)


def noise_sigma(image: RGBImage) -> float:
    """Immerkaer's fast noise estimate (grey levels) on the whole frame."""
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float64)
    kernel = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float64)
    response = cv2.filter2D(grey, -1, kernel)[1:-1, 1:-1]
    height, width = grey.shape
    return float(
        math.sqrt(math.pi / 2.0) * np.abs(response).sum() / (6.0 * (width - 2) * (height - 2))
    )


def _saturation(image: RGBImage, face: Box) -> float:
    crop = _crop(image, face)
    if crop is None:
        return 0.0
    hsv = cv2.cvtColor(crop, cv2.COLOR_RGB2HSV)
    return float(hsv[..., 1].mean()) / 255.0


def frame_cues(image: RGBImage, mesh: MeshFace) -> FrameCues:
    return FrameCues(
        moire_peak=moire_peak(image, mesh.box),
        frame_sides=frame_sides(image, mesh.box),
        saturation=_saturation(image, mesh.box),
        noise_sigma=noise_sigma(image),
    )


def _ramp(value: float, start: float, full: float) -> float:
    return float(min(max((value - start) / (full - start), 0.0), 1.0))


def summarise(cues: Sequence[FrameCues]) -> PassiveOutcome:
    """Session-level cues: the median over frames, so one odd frame does not decide."""
    if not cues:
        return PassiveOutcome(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    moire = float(np.median([c.moire_peak for c in cues]))
    sides = float(np.median([c.frame_sides for c in cues]))
    noise = float(np.median([c.noise_sigma for c in cues]))
    periodic = _ramp(moire, MOIRE_START, MOIRE_FULL)
    framed = 1.0 if sides >= FRAME_SIDES_SUSPICIOUS else (0.4 if sides >= 2 else 0.0)
    # A frame around the face together with a periodic spectrum is a screen or a print; the
    # spectrum alone is weaker evidence (fine fabric, hair).
    flat = min(1.0, 0.6 * periodic + 0.6 * framed)
    saturation = float(np.median([c.saturation for c in cues]))
    return PassiveOutcome(
        screen=round(flat if periodic >= framed else 0.8 * flat, 4),
        print=round(flat if framed > periodic else 0.8 * flat, 4),
        injection=round(1.0 - _ramp(noise, 0.0, NOISE_FLOOR), 4),
        moire_peak=round(moire, 4),
        frame_edges=sides,
        saturation=round(saturation, 4),
        noise_sigma=round(noise, 4),
    )
