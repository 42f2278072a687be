"""Finding the machine-readable zone in a photo, at any rotation.

The zone is the densest block of small dark characters on the document: a black-hat transform
(dark detail smaller than the kernel) with a square kernel, so any orientation works, then a
closing merges the characters of each line and the lines of the zone into one elongated blob.
Candidates are ranked by how much they look like a zone: elongated, solid, and large.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from .images import shrink

GreyImage = npt.NDArray[np.uint8]

WORK_SIDE = 1000  # longer side of the copy the locator works on
_INK_WIDTH = 400  # width of the zone copy whose ink balance tells which way up the text is


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


def blackhat(grey: npt.NDArray[np.integer[Any] | np.floating[Any]], kernel: int) -> GreyImage:
    """Dark detail (text) narrower than ``kernel`` pixels, lifted off its background."""
    square = cv2.getStructuringElement(cv2.MORPH_RECT, (kernel, kernel))
    return np.asarray(cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT, square), dtype=np.uint8)


def _text_mask(grey: GreyImage, kernel: int) -> GreyImage:
    detail = blackhat(grey, kernel)
    _, mask = cv2.threshold(detail, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    # Ignore faint texture (guilloche, wood grain) that Otsu keeps on clean backgrounds.
    mask[detail < 25] = 0
    close = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (kernel + 2, kernel + 2))
    merged = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, close)
    opening = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))
    return np.asarray(cv2.morphologyEx(merged, cv2.MORPH_OPEN, opening), dtype=np.uint8)


@dataclass(frozen=True, slots=True)
class _Blob:
    cx: float
    cy: float
    length: float
    thickness: float
    angle: float  # of the long side, degrees
    points: npt.NDArray[np.float32]
    solidity: float


def _blobs(mask: GreyImage, min_area: float) -> list[_Blob]:
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    out: list[_Blob] = []
    for contour in contours:
        area = cv2.contourArea(contour)
        if area < min_area:
            continue
        blob = _blob_of(contour.reshape(-1, 2).astype(np.float32), area)
        if blob is not None:
            out.append(blob)
    return out


def angle_gap(a: float, b: float, period: float = 180.0) -> float:
    """How far apart two directions are, in degrees: lines (``period`` 180) or lines read one
    way up (360)."""
    gap = abs(a - b) % period
    return min(gap, period - gap)


def long_side_rect(
    points: npt.NDArray[np.float32],
) -> tuple[tuple[float, float], tuple[float, float], float]:
    """The smallest rectangle around ``points`` as (centre, (length, thickness), angle), its
    angle running along the long side (OpenCV's own may run along either)."""
    (cx, cy), (w, h), angle = cv2.minAreaRect(points)
    if w < h:
        w, h, angle = h, w, angle + 90.0
    return (cx, cy), (w, h), angle


def offsets(
    centre: tuple[float, float], angle: float, point: tuple[float, float]
) -> tuple[float, float]:
    """Where ``point`` lies from ``centre``: along the direction ``angle`` (degrees), and across
    it (downwards for an angle of 0)."""
    theta = math.radians(angle)
    ux, uy = math.cos(theta), math.sin(theta)
    dx, dy = point[0] - centre[0], point[1] - centre[1]
    return dx * ux + dy * uy, -dx * uy + dy * ux


def _blob_of(points: npt.NDArray[np.float32], area: float) -> _Blob | None:
    (cx, cy), (w, h), angle = long_side_rect(points)
    if h <= 0:
        return None
    return _Blob(cx, cy, w, h, angle, points, area / (w * h))


def _join_collinear(blobs: list[_Blob]) -> list[_Blob]:
    """Rejoin pieces of one text row that the closing left apart (at wide gaps in a row)."""
    rows = [b for b in blobs if b.length / b.thickness >= 2.5]
    others = [b for b in blobs if b.length / b.thickness < 2.5]
    merged = True
    while merged:
        merged = False
        for i, a in enumerate(rows):
            for j in range(i + 1, len(rows)):
                b = rows[j]
                if angle_gap(a.angle, b.angle) > 6:
                    continue
                along, across = offsets((a.cx, a.cy), a.angle, (b.cx, b.cy))
                across = abs(across)
                gap = abs(along) - (a.length + b.length) / 2
                thick = max(a.thickness, b.thickness)
                if (
                    across > 0.45 * thick
                    or gap > 2.5 * thick
                    or not 0.6 < a.thickness / b.thickness < 1.7
                ):
                    continue
                area = a.solidity * a.length * a.thickness + b.solidity * b.length * b.thickness
                joined = _blob_of(np.concatenate([a.points, b.points]), area)
                if joined is None:
                    continue
                rows[i] = joined
                del rows[j]
                merged = True
                break
            if merged:
                break
    return rows + others


def _group_lines(lines: list[_Blob]) -> list[list[_Blob]]:
    """Groups of parallel text lines of similar length stacked at line spacing: a zone's rows."""
    groups: list[list[_Blob]] = []
    used: set[int] = set()
    order = sorted(range(len(lines)), key=lambda i: -lines[i].length)
    for i in order:
        if i in used:
            continue
        seed = lines[i]
        group = [seed]
        used.add(i)
        for j in order:
            if j in used:
                continue
            other = lines[j]
            if (
                angle_gap(seed.angle, other.angle) > 5
                or not 0.75 < other.length / seed.length < 1.33
            ):
                continue
            along, across = offsets((seed.cx, seed.cy), seed.angle, (other.cx, other.cy))
            if abs(along) > 0.2 * seed.length:
                continue
            if abs(across) > 3.2 * seed.thickness * len(group):
                continue
            group.append(other)
            used.add(j)
            if len(group) == 3:
                break
        groups.append(group)
    return groups


def _zone_of(parts: list[_Blob], scale: float, score: float) -> ZoneCandidate:
    (cx, cy), (w, h), angle = long_side_rect(np.concatenate([p.points for p in parts]))
    return ZoneCandidate(
        centre=(cx / scale, cy / scale), size=(w / scale, h / scale), angle=angle, score=score
    )


def _candidates_at(grey: GreyImage, kernel: int, scale: float) -> list[ZoneCandidate]:
    mask = _text_mask(grey, kernel)
    image_area = grey.shape[0] * grey.shape[1]
    blobs = _join_collinear(_blobs(mask, image_area * 0.0002))
    found: list[ZoneCandidate] = []
    # Rows that stayed apart: group them into zones of two or three lines.
    rows = [b for b in blobs if b.length / b.thickness >= 9 and b.solidity > 0.5]
    for group in _group_lines(rows):
        if len(group) < 2:
            continue
        lengths = [g.length for g in group]
        evenness = min(lengths) / max(lengths)
        size = sum(g.length * g.thickness for g in group) / image_area
        found.append(_zone_of(group, scale, evenness * math.sqrt(size) * (1.0 + 0.1 * len(group))))
    # Rows merged into one block by the closing.
    for blob in blobs:
        aspect = blob.length / blob.thickness
        if blob.solidity < 0.45 or not 2.5 <= aspect < 30:
            continue
        area = blob.length * blob.thickness * blob.solidity
        if area < image_area * 0.002:
            continue
        # Two or three merged rows: about 5:1 (TD1) to 15:1 (TD3, internal passport).
        shape = math.exp(-((math.log(aspect) - math.log(9.0)) ** 2) / 1.2)
        found.append(
            _zone_of([blob], scale, 0.8 * shape * blob.solidity * math.sqrt(area / image_area))
        )
    return found


def find_zones(
    grey: GreyImage, limit: int = 3, *, work_side: int = WORK_SIDE
) -> list[ZoneCandidate]:
    """The most zone-like blobs, best first, from several kernel sizes (document scales)."""
    scale = min(1.0, work_side / max(grey.shape[:2]))
    small = shrink(grey, scale)
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
    return [_text_upright(small, c, scale) for c in chosen]


def _text_upright(small: GreyImage, zone: ZoneCandidate, scale: float) -> ZoneCandidate:
    """The candidate turned so that its text most likely reads upright: a rectangle's angle is
    only known up to half a turn, and each wrong guess costs the reader a recognition.

    Zone rows are dense at their start (codes, numbers) and end in filler runs, whose thin
    chevrons carry less ink than letters and digits: the inkier end is the start. This guessed
    right on 296 of 299 located zones of seed 7, where the rectangle's own angle was upside
    down for half of them; a wrong guess only costs what every guess cost before."""
    small_zone = ZoneCandidate(
        (zone.centre[0] * scale, zone.centre[1] * scale),
        (zone.size[0] * scale, zone.size[1] * scale),
        zone.angle,
        zone.score,
    )
    crop = upright_crop(
        small, small_zone, flip=False, target_width=_INK_WIDTH, pad_along=0.0, pad_across=0.1
    )
    ink = blackhat(crop, 9).mean(axis=0)
    quarter = max(1, ink.size // 4)
    if float(ink[:quarter].mean()) >= float(ink[-quarter:].mean()):
        return zone
    angle = zone.angle + 180.0 if zone.angle <= 0 else zone.angle - 180.0
    return ZoneCandidate(zone.centre, zone.size, angle, zone.score)


def upright_crop(
    image: npt.NDArray[np.uint8],
    zone: ZoneCandidate,
    *,
    flip: bool,
    target_width: int = 1100,
    pad_along: float = 0.06,
    pad_across: float = 0.9,
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


def beside(row: ZoneCandidate) -> ZoneCandidate:
    """The zone a lone row may belong to: the row and a row pitch (about a detector box's
    height) on each side of it; the reading's check digits tell whether it is one."""
    return ZoneCandidate(row.centre, (row.size[0], 2 * row.size[1]), row.angle, row.score)
