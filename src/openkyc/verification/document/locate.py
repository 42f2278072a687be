"""Finding the machine-readable zone in a photo, at any rotation.

The zone is the densest block of small dark characters on the document: a black-hat transform
(dark detail smaller than the kernel) with a square kernel, so any orientation works, then a
closing merges the characters of each line and the lines of the zone into one elongated blob.
Candidates are ranked by how much they look like a zone: elongated, solid, and large.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

GreyImage = npt.NDArray[np.uint8]

WORK_SIDE = 1000  # longer side of the copy the locator works on


@dataclass(frozen=True, slots=True)
class ZoneCandidate:
    """A rotated rectangle in full-resolution image coordinates (OpenCV ``minAreaRect`` form)."""

    centre: tuple[float, float]
    size: tuple[float, float]  # along the text, across the text
    angle: float  # degrees; rotating the image by this makes the text horizontal (or 180 off)
    score: float

    def corners(self) -> npt.NDArray[np.float32]:
        rect = (self.centre, self.size, self.angle)
        return np.asarray(cv2.boxPoints(rect), dtype=np.float32)


def _candidates_at(grey: GreyImage, kernel: int, scale: float) -> list[ZoneCandidate]:
    square = cv2.getStructuringElement(cv2.MORPH_RECT, (kernel, kernel))
    blackhat = cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT, square)
    _, mask = cv2.threshold(blackhat, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    # Ignore faint texture (guilloche, wood grain) that Otsu keeps on clean backgrounds.
    mask[blackhat < 25] = 0
    close = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (kernel + 2, kernel + 2))
    merged = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, close)
    merged = cv2.morphologyEx(
        merged, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))
    )
    contours, _ = cv2.findContours(merged, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    image_area = grey.shape[0] * grey.shape[1]
    found: list[ZoneCandidate] = []
    for contour in contours:
        area = cv2.contourArea(contour)
        if area < image_area * 0.002:
            continue
        (cx, cy), (w, h), angle = cv2.minAreaRect(contour)
        if w < h:
            w, h = h, w
            angle += 90.0
        if h <= 0:
            continue
        aspect = w / h
        solidity = area / (w * h)
        if aspect < 2.5 or solidity < 0.45:
            continue
        # Zones are 2-3 lines of 30-44 characters: aspect 4-12 for the whole block.
        shape = math.exp(-((math.log(aspect) - math.log(7.0)) ** 2) / 0.8)
        score = shape * solidity * math.sqrt(area / image_area)
        found.append(
            ZoneCandidate(
                centre=(cx / scale, cy / scale),
                size=(w / scale, h / scale),
                angle=angle,
                score=score,
            )
        )
    return found


def find_zones(grey: GreyImage, limit: int = 3) -> list[ZoneCandidate]:
    """The most zone-like blobs, best first, from several kernel sizes (document scales)."""
    scale = min(1.0, WORK_SIDE / max(grey.shape[:2]))
    small = (
        cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        if scale < 1
        else grey
    )
    candidates: list[ZoneCandidate] = []
    for kernel in (7, 11, 17):
        candidates.extend(_candidates_at(small, kernel, scale))
    candidates.sort(key=lambda c: c.score, reverse=True)
    chosen: list[ZoneCandidate] = []
    for cand in candidates:
        # Drop near-duplicates found at another kernel size.
        if any(
            math.hypot(cand.centre[0] - c.centre[0], cand.centre[1] - c.centre[1])
            < 0.3 * c.size[1] + 5
            for c in chosen
        ):
            continue
        chosen.append(cand)
        if len(chosen) == limit:
            break
    return chosen


def upright_crop(
    image: npt.NDArray[np.uint8],
    zone: ZoneCandidate,
    *,
    flip: bool,
    target_width: int = 1100,
    pad_along: float = 0.06,
    pad_across: float = 0.45,
) -> npt.NDArray[np.uint8]:
    """The zone cut out, rotated so its text runs left to right (``flip`` adds 180 degrees),
    and scaled so the zone is ``target_width`` pixels wide."""
    w, h = zone.size
    out_w = w * (1 + 2 * pad_along)
    out_h = h * (1 + 2 * pad_across)
    scale = target_width / out_w
    angle = math.radians(zone.angle + (180.0 if flip else 0.0))
    cos, sin = math.cos(angle), math.sin(angle)
    cx, cy = zone.centre
    # Map output (u, v) to source: centre + R(angle) @ ((u - W/2, v - H/2) / scale).
    width, height = round(out_w * scale), round(out_h * scale)
    inverse = np.array(
        [
            [cos / scale, -sin / scale, cx - (cos * width / 2 - sin * height / 2) / scale],
            [sin / scale, cos / scale, cy - (sin * width / 2 + cos * height / 2) / scale],
        ],
        dtype=np.float64,
    )
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    crop = cv2.warpAffine(
        image,
        inverse,
        (width, height),
        flags=interpolation | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return np.ascontiguousarray(crop, dtype=np.uint8)
