"""Reading the machine-readable zone of one image: locate, crop upright, OCR, correct."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from .correction import Correction, correct, normalise
from .locate import ZoneCandidate, find_zones, upright_crop
from .ocr import MrzOcr, TextLine
from .rows import split_rows

BGRImage = npt.NDArray[np.uint8]

# Largest side of the frame handed to full-frame OCR when the locator fails.
_FULL_FRAME_SIDE = 1280


@dataclass(frozen=True, slots=True)
class ZoneReading:
    correction: Correction | None
    raw_lines: tuple[str, ...]
    # Rotation (degrees, counter-clockwise as OpenCV measures) that makes the zone upright,
    # and its centre, in input image coordinates.
    angle: float | None
    zone: ZoneCandidate | None
    attempts: int
    timings: dict[str, float] = field(default_factory=dict)


def merge_rows(lines: list[TextLine]) -> list[str]:
    """Join detector boxes that sit on the same text row (a row is sometimes split in two)."""
    rows: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda t: t.centre_y):
        height = max(p[1] for p in line.box) - min(p[1] for p in line.box)
        if rows and abs(rows[-1][0].centre_y - line.centre_y) < 0.5 * max(height, 1.0):
            rows[-1].append(line)
        else:
            rows.append([line])
    return ["".join(t.text for t in sorted(row, key=lambda t: t.left_x)) for row in rows]


def _looks_like_zone(rows: list[str]) -> bool:
    return sum(1 for r in rows if len(normalise(r)) >= 24 and normalise(r).count("<") >= 2) >= 1


class ZoneReader:
    def __init__(self, ocr: MrzOcr) -> None:
        self._ocr = ocr

    def _try_crop(
        self, image: BGRImage, zone: ZoneCandidate, flip: bool, width: int
    ) -> tuple[Correction | None, list[str]]:
        crop = upright_crop(image, zone, flip=flip, target_width=width)
        split = split_rows(crop)
        if 2 <= len(split) <= 4:
            texts = [
                self._ocr.recognise(np.ascontiguousarray(crop[r.top : r.bottom, r.left : r.right]))[0]
                for r in split
            ]
            result = correct(texts)
            if result is not None:
                return result, texts
        rows = merge_rows(self._ocr.read_lines(crop))
        return correct(rows), rows

    def read(self, image: BGRImage) -> ZoneReading:
        timings: dict[str, float] = {}
        start = time.perf_counter()
        grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        zones = find_zones(grey)
        timings["locate"] = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        attempts = 0
        best_rows: list[str] = []
        for zone in zones:
            for flip in (False, True):
                attempts += 1
                result, rows = self._try_crop(image, zone, flip, 1100)
                if result is not None:
                    timings["ocr"] = (time.perf_counter() - start) * 1000
                    angle = zone.angle + (180.0 if flip else 0.0)
                    return ZoneReading(result, tuple(rows), angle, zone, attempts, timings)
                if _looks_like_zone(rows):
                    best_rows = rows
                    # The zone is here and upright; a different scale changes OCR's mistakes.
                    for width in (900, 1300):
                        attempts += 1
                        result, rows = self._try_crop(image, zone, flip, width)
                        if result is not None:
                            timings["ocr"] = (time.perf_counter() - start) * 1000
                            angle = zone.angle + (180.0 if flip else 0.0)
                            return ZoneReading(result, tuple(rows), angle, zone, attempts, timings)
                    break  # the other orientation of a legible zone is upside-down text
        timings["ocr"] = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        fallback = self._full_frame(image, zones)
        timings["full_frame_ocr"] = (time.perf_counter() - start) * 1000
        if fallback is not None:
            result, rows, angle = fallback
            return ZoneReading(result, tuple(rows), angle, None, attempts + 1, timings)
        return ZoneReading(None, tuple(best_rows), None, None, attempts, timings)

    def _full_frame(
        self, image: BGRImage, zones: list[ZoneCandidate]
    ) -> tuple[Correction, list[str], float] | None:
        """Whole-frame OCR at the four right-angle rotations, nearest the locator's guess first."""
        scale = min(1.0, _FULL_FRAME_SIDE / max(image.shape[:2]))
        small = (
            cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            if scale < 1
            else image
        )
        guess = zones[0].angle if zones else 0.0
        order = sorted((0, 90, 180, 270), key=lambda a: abs(((a - guess) + 180) % 360 - 180))
        codes = {
            90: cv2.ROTATE_90_CLOCKWISE,
            180: cv2.ROTATE_180,
            270: cv2.ROTATE_90_COUNTERCLOCKWISE,
        }
        for angle in order:
            rotated = small if angle == 0 else cv2.rotate(small, codes[angle])
            rows = merge_rows(self._ocr.read_lines(np.ascontiguousarray(rotated)))
            result = correct(rows)
            if result is not None:
                return result, rows, float(angle)
        return None


def zone_corners(zone: ZoneCandidate) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in zone.corners()]


def rotation_of(angle: float) -> float:
    return math.fmod(angle + 360.0, 360.0)
