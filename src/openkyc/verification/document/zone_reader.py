"""Reading the machine-readable zone of one image: locate, crop upright, OCR, correct, confirm.

Cost control: rows are split by projection and only recognised (no text detector) on the first
try; the detector, other scales and whole-frame OCR are fallbacks for hard images.

The name row has no check digit, so a valid zone is accepted only when an independent second
reading of the name row (another scale, so other resampling) agrees with it; if not, a third
reading votes character by character, and a position without a majority rejects the zone.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from .correction import Correction, correct, name_row_variant, normalise
from .images import shrink, to_grey
from .locate import ZoneCandidate, find_zones, upright_crop
from .ocr import MrzOcr, TextLine
from .rows import split_rows

BGRImage = npt.NDArray[np.uint8]

# Largest side of the frame handed to full-frame OCR when the locator fails.
_FULL_FRAME_SIDE = 1280
_WIDTH = 1100
# Recogniser confidence below which a row counts as uncertain (clean rows score 0.98-1.0; a row
# half cut off by the crop scored 0.87-0.91).
_SURE = 0.95
# Below this many pixels per character the name row (no check digit) is misread too often.
MIN_PITCH = 6.5
_OTHER_WIDTHS = (880, 1320)


@dataclass(frozen=True, slots=True)
class ZoneReading:
    correction: Correction | None
    raw_lines: tuple[str, ...]
    # Rotation (degrees, OpenCV convention) that makes the zone's text upright, if known.
    angle: float | None
    zone: ZoneCandidate | None
    attempts: int
    name_confirmed: bool = False
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class _Try:
    texts: list[str]
    score: float
    correction: Correction | None
    min_score: float = 0.0


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


def _zone_like(texts: list[str]) -> bool:
    return any(len(normalise(t)) >= 24 and normalise(t).count("<") >= 2 for t in texts)


class ZoneReader:
    def __init__(self, ocr: MrzOcr) -> None:
        self._ocr = ocr

    def _rows(self, image: BGRImage, zone: ZoneCandidate, flip: bool, width: int) -> _Try:
        crop = upright_crop(image, zone, flip=flip, target_width=width)
        split = split_rows(crop)
        if not 2 <= len(split) <= 4:
            return _Try([], 0.0, None)
        reads: list[tuple[str, float]] = []
        for i, r in enumerate(split):
            reads.append(
                self._ocr.recognise(np.ascontiguousarray(crop[r.top : r.bottom, r.left : r.right]))
            )
            first = normalise(reads[0][0])
            if i == 0 and (len(first) < 20 or "<" not in first):
                # Every zone's first row has a filler; upside down, "<" reads as ">" or worse.
                return _Try([reads[0][0]], reads[0][1] * 0.5, None)
        texts = [t for t, _ in reads]
        score = sum(s for _, s in reads) / len(reads)
        return _Try(texts, score, correct(texts), min(s for _, s in reads))

    def _name_row(
        self, image: BGRImage, zone: ZoneCandidate, flip: bool, width: int, rows: int
    ) -> str | None:
        """The name row read again from a crop at another scale (only that row is recognised)."""
        crop = upright_crop(image, zone, flip=flip, target_width=width)
        split = split_rows(crop)
        if len(split) >= rows:
            # TD1 carries the names on its third row, the others on their first.
            r = split[-1] if rows == 3 else split[-2]
            return self._ocr.recognise(
                np.ascontiguousarray(crop[r.top : r.bottom, r.left : r.right])
            )[0]
        texts = [normalise(t) for t in self._detected(image, zone, flip, width).texts]
        texts = [t for t in texts if len(t) >= 20]
        if len(texts) < rows:
            return None
        return texts[-1] if rows == 3 else texts[-2]

    def _detected(self, image: BGRImage, zone: ZoneCandidate, flip: bool, width: int) -> _Try:
        crop = upright_crop(image, zone, flip=flip, target_width=width)
        lines = self._ocr.read_lines(crop)
        texts = merge_rows(lines)
        score = sum(t.score for t in lines) / len(lines) if lines else 0.0
        zone_scores = [t.score for t in lines if len(normalise(t.text)) >= 20]
        return _Try(texts, score, correct(texts), min(zone_scores, default=0.0))

    def _confirm(
        self,
        image: BGRImage,
        zone: ZoneCandidate,
        flip: bool,
        correction: Correction,
        min_score: float,
    ) -> Correction | None:
        """Accept a zone only when an independent reading agrees.

        A zone that needed look-alike repairs, or had a row the recogniser was unsure of, is read
        again in full at another scale and must correct to exactly the same lines, and each
        repaired character must have been read as such by that second reading: several errors
        plus a wrong repair can pass a mod-10 check digit by chance, and the same recogniser tends
        to repeat its errors, so agreement alone is not enough. The name row, which no check digit
        protects, is always re-read; without agreement a third reading votes per character.
        """
        mrz = correction.mrz
        if correction.changed > 0 or min_score < _SURE:
            repaired = correction.repaired()
            for width in _OTHER_WIDTHS:
                other = self._rows(image, zone, flip, width).correction
                if other is None or other.mrz.lines != mrz.lines:
                    continue
                # A repair must be witnessed: the other reading saw the repaired character
                # itself. Otherwise the repair was a guess that happened to pass.
                if all(other.before[r][c] == mrz.lines[r][c] for r, c in repaired):
                    return correction
            return None
        index = 2 if mrz.format == "TD1" else 0
        accepted = mrz.lines[index]
        votes = [accepted]
        for width in _OTHER_WIDTHS:
            raw = self._name_row(image, zone, flip, width, len(mrz.lines))
            variant = name_row_variant(raw, mrz, index) if raw is not None else None
            if variant is not None:
                votes.append(variant)
            if len(votes) == 2 and votes[1] == accepted:
                return correction
        if len(votes) < 3:
            return None
        voted: list[str] = []
        for chars in zip(*votes, strict=True):
            char, count = Counter(chars).most_common(1)[0]
            if count < 2:
                return None
            voted.append(char)
        line = "".join(voted)
        if line == accepted:
            return correction
        lines = list(mrz.lines)
        lines[index] = line
        return correct(lines)

    def read(self, image: BGRImage, *, full_frame: bool = True) -> ZoneReading:
        """``full_frame=False`` skips the slow whole-frame fallback (for a side unlikely to
        carry the zone)."""
        timings: dict[str, float] = {}
        start = time.perf_counter()
        grey = to_grey(image)
        zones = find_zones(grey)
        timings["locate"] = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        attempts = 0
        best_texts: list[str] = []

        def done(
            result: Correction, texts: list[str], zone: ZoneCandidate, flip: bool, min_score: float
        ) -> ZoneReading | None:
            if zone.size[0] / len(result.mrz.lines[0]) < MIN_PITCH:
                return None
            confirmed = self._confirm(image, zone, flip, result, min_score)
            if confirmed is None:
                return None
            timings["ocr"] = (time.perf_counter() - start) * 1000
            angle = zone.angle + (180.0 if flip else 0.0)
            return ZoneReading(confirmed, tuple(texts), angle, zone, attempts, True, timings)

        for zone in zones:
            tries: dict[bool, _Try] = {}
            for flip in (False, True):
                attempts += 1
                attempt = self._rows(image, zone, flip, _WIDTH)
                tries[flip] = attempt
                if attempt.correction is not None:
                    reading = done(attempt.correction, attempt.texts, zone, flip, attempt.min_score)
                    if reading is not None:
                        return reading
                if attempt.score > 0.85 and _zone_like(attempt.texts):
                    break  # legible this way up: the other way up is pointless
            legible = [f for f, t in tries.items() if _zone_like(t.texts)]
            flips = sorted(legible or [False, True], key=lambda f: -tries[f].score)
            if not legible and zone is not zones[0]:
                continue
            flip = flips[0]
            best_texts = best_texts or tries[flip].texts
            for method, width in (
                (self._detected, _WIDTH),
                (self._rows, _OTHER_WIDTHS[0]),
                (self._rows, _OTHER_WIDTHS[1]),
            ):
                attempts += 1
                attempt = method(image, zone, flip, width)
                if attempt.correction is not None:
                    reading = done(attempt.correction, attempt.texts, zone, flip, attempt.min_score)
                    if reading is not None:
                        return reading
                if _zone_like(attempt.texts):
                    best_texts = attempt.texts
            if not legible and len(flips) > 1:
                attempts += 1
                attempt = self._detected(image, zone, flips[1], _WIDTH)
                if attempt.correction is not None:
                    reading = done(
                        attempt.correction, attempt.texts, zone, flips[1], attempt.min_score
                    )
                    if reading is not None:
                        return reading
        timings["ocr"] = (time.perf_counter() - start) * 1000
        if not full_frame:
            return ZoneReading(None, tuple(best_texts), None, None, attempts, False, timings)
        start = time.perf_counter()
        fallback = self._full_frame(image, zones)
        timings["full_frame_ocr"] = (time.perf_counter() - start) * 1000
        if fallback is not None:
            result, texts, angle = fallback
            # No zone geometry to re-read the names from: report the reading unconfirmed.
            return ZoneReading(result, tuple(texts), angle, None, attempts + 1, False, timings)
        return ZoneReading(None, tuple(best_texts), None, None, attempts, False, timings)

    def _full_frame(
        self, image: BGRImage, zones: list[ZoneCandidate]
    ) -> tuple[Correction, list[str], float] | None:
        """Whole-frame OCR at the right-angle rotations nearest the locator's guess (all four
        when it found nothing)."""
        scale = min(1.0, _FULL_FRAME_SIDE / max(image.shape[:2]))
        small = shrink(image, scale)
        guess = zones[0].angle if zones else 0.0
        order = sorted((0, 90, 180, 270), key=lambda a: abs(((a - guess) + 180) % 360 - 180))
        if zones:
            # The locator saw zone-like text: only its two text directions are worth a try.
            order = [order[0], (order[0] + 180) % 360]
        codes = {
            90: cv2.ROTATE_90_CLOCKWISE,
            180: cv2.ROTATE_180,
            270: cv2.ROTATE_90_COUNTERCLOCKWISE,
        }
        for angle in order:
            rotated = small if angle == 0 else cv2.rotate(small, codes[angle])
            lines = self._ocr.read_lines(np.ascontiguousarray(rotated))
            texts = merge_rows(lines)
            result = correct(texts)
            if result is None:
                continue
            # No zone geometry to re-read from: accept only a clean, confident first reading.
            zone_scores = [t.score for t in lines if len(normalise(t.text)) >= 20]
            if result.changed == 0 and min(zone_scores, default=0.0) >= _SURE:
                return result, texts, float(angle)
        return None
