"""Zone rows found in the whole frame: the text detector boxes every line of the photo once,
each long line is recognised upright along its own box (whichever way up reads like a zone
row), and rows that stack like a zone's (parallel, of like length, one row pitch apart) are
assembled into candidate zones, top row first. The check digits decide which of them is a zone.

This is the reader's fallback when the black-hat locator's zones do not read: a card turned
90 degrees and large in the frame, a dark or busy photo, a bent page. The detector finds the
rows of such photos where the locator's blobs merge with their surroundings or fall apart, and
a row recognised along its own box needs no crop of the whole zone to be cut straight.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .correction import normalise
from .images import shrink
from .locate import ZoneCandidate, angle_gap, long_side_rect, offsets, upright_crop
from .ocr import MrzOcr, Recognised

BGRImage = npt.NDArray[np.uint8]

# Largest side of the frame the detector sees: zone rows stay 8 px tall or more on the photos
# we take; ~0.4 s on one core where 1280 took ~1.3 s.
DETECT_SIDE = 960
# A detector box at least this long for its height may hold a zone row (30-44 characters).
_ROW_ASPECT = 8.0
# Lines recognised at most, longest for their height first: a newspaper background boxes dozens.
_MAX_LINES = 24
# Normalised length a zone row reads at: 30, 36 or 44 characters, give or take dropped or
# doubled fillers.
_ROW_LENGTHS = (24, 50)
# Height (pixels) a row is cut at: the recogniser's own input height.
_ROW_HEIGHT = 48


@dataclass(frozen=True, slots=True)
class FrameRow:
    """One detected line read as a zone row. ``box`` is in photo coordinates, its angle turns
    the row upright (reading it with ``flip=False``)."""

    box: ZoneCandidate
    read: Recognised

    @property
    def text(self) -> str:
        return normalise(self.read.text)


def detected_lines(ocr: MrzOcr, image: BGRImage) -> list[ZoneCandidate]:
    """The detector's lines long enough to be zone rows, longest for their height first."""
    scale = min(1.0, DETECT_SIDE / max(image.shape[:2]))
    boxes = ocr.detect(np.ascontiguousarray(shrink(image, scale)))
    lines: list[ZoneCandidate] = []
    for box in boxes:
        (cx, cy), (w, h), angle = long_side_rect(np.asarray(box, dtype=np.float32))
        if h <= 0:
            continue
        lines.append(ZoneCandidate((cx / scale, cy / scale), (w / scale, h / scale), angle, 1.0))
    lines = [line for line in lines if line.size[0] >= _ROW_ASPECT * line.size[1]]
    lines.sort(key=lambda line: -line.size[0] / line.size[1])
    return lines[:_MAX_LINES]


def _offsets(a: ZoneCandidate, b: ZoneCandidate) -> tuple[float, float]:
    """Where ``b``'s centre lies from ``a``'s: along ``a``'s text, and across it (downwards
    when ``a`` is upright)."""
    return offsets(a.centre, a.angle, b.centre)


def _row_like(text: str) -> bool:
    """Whether a recognition reads like a zone row: 30-44 characters with no word break (the
    raw text is asked: normalisation drops spaces), where printed text breaks into words."""
    low, high = _ROW_LENGTHS
    unbroken = max((len(word) for word in text.split()), default=0)
    return low <= len(normalise(text)) <= high and unbroken >= 20


def read_line(ocr: MrzOcr, image: BGRImage, line: ZoneCandidate) -> FrameRow | None:
    """The line recognised along its box both ways up, as the zone row it reads like; None
    when neither way does. A way up that reads a filler wins (upside down, fillers read as
    ``>`` or not at all); the first way up is not read again when it does."""
    along, across = line.size
    width = round(_ROW_HEIGHT * along / across)
    found: list[FrameRow] = []
    for flip in (False, True):
        # The detector's boxes are padded already: more of the rows beside it in the crop
        # made the recogniser drop fillers (seed 7 #112: ``IVANOVA<SOF98`` for ``<<``).
        crop = upright_crop(
            image, line, flip=flip, target_width=width, pad_along=0.0, pad_across=0.0
        )
        read = ocr.recognise_chars(crop)
        if not _row_like(read.text):
            continue
        angle = line.angle + 180.0 if flip else line.angle
        row = FrameRow(ZoneCandidate(line.centre, line.size, angle, 1.0), read)
        if "<" in row.text:
            return row
        found.append(row)
    return max(found, key=lambda row: row.read.score, default=None)


def stacked_zones(rows: list[FrameRow]) -> list[list[FrameRow]]:
    """Rows that stack like a zone's, top row first, in groups of two or more: the same way up
    (within a few degrees), of like length, starting together, one row pitch apart."""
    groups: list[list[FrameRow]] = []
    for seed in sorted(rows, key=lambda r: -r.box.size[0]):
        if any(seed in g for g in groups):
            continue
        group = [seed]
        for other in rows:
            if other is seed or any(other in g for g in groups):
                continue
            if angle_gap(seed.box.angle, other.box.angle, 360.0) > 5:
                continue
            if not 0.7 < other.box.size[0] / seed.box.size[0] < 1.43:
                continue
            along, across = _offsets(seed.box, other.box)
            if abs(along) > 0.2 * seed.box.size[0]:
                continue
            if abs(across) > 2.6 * seed.box.size[1] * len(group):
                continue
            group.append(other)
        if len(group) >= 2:
            group.sort(key=lambda r: _offsets(seed.box, r.box)[1])
            groups.append(group)
    return groups


def zone_of(rows: list[FrameRow]) -> ZoneCandidate:
    """The rectangle around ``rows``, upright as they read (``flip=False``)."""
    points = np.concatenate([r.box.corners() for r in rows])
    (cx, cy), (w, h), angle = long_side_rect(points)
    # Turn the rectangle's angle to the rows' own upright angle (it is known up to 180 degrees).
    upright = rows[0].box.angle
    if angle_gap(angle, upright, 360.0) > 90:
        angle += 180.0
    # The rows' boxes are the detector's (padded); the zone's height is that of the rows.
    return ZoneCandidate((cx, cy), (w, h), angle, 1.0)
