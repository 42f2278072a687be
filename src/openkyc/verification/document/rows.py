"""Splitting an upright zone crop into its text rows without the text detector.

The detector costs two thirds of the OCR time on a zone crop, and a zone is a few long parallel
rows on a plain background: a projection profile of the dark detail finds them in a millisecond.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from .locate import blackhat

BGRImage = npt.NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class Row:
    top: int
    bottom: int
    left: int
    right: int


# A character cell whose darkest ink reaches less than this share of the row's typical cell
# has faded out (glare over the row): what the recogniser reads there is a guess. Over the 130
# name rows checked on seed 7's hard photos (n 128), the faded ones (#124, glare over "DE<LA";
# #81, over "<<EK") had a cell at 0.01-0.09, every other row none below 0.5.
FAINT = 0.25


def faint_cells(
    crop: BGRImage, row: Row, length: int, marks: npt.NDArray[np.uint8] | None = None
) -> list[int]:
    """The cells (of ``length`` equal ones across the row's printed extent) whose ink is faint
    beside the row's own (see :data:`FAINT`), next to another faint cell. ``marks``: the crop's
    :func:`character_marks`, when the caller has them already."""
    grey = cv2.cvtColor(
        np.ascontiguousarray(crop[row.top : row.bottom, row.left : row.right]), cv2.COLOR_BGR2GRAY
    )
    ink = blackhat(grey, max(9, row.bottom - row.top) | 1).max(axis=0).astype(np.float64)
    # The row's extent from its character marks alone: the card's edge or the table may
    # reach into the row's box (seed 7 #69, a bent card's edge at its end).
    if marks is None:
        marks = character_marks(crop)
    marks = marks[row.top : row.bottom, row.left : row.right]
    printed = np.flatnonzero(marks.any(axis=0))
    if printed.size < length:
        return []
    edges = np.linspace(printed[0], printed[-1] + 1, length + 1).round().astype(int)
    cells = np.array([ink[a : max(b, a + 1)].max() for a, b in itertools.pairwise(edges)])
    typical = float(np.median(cells))
    faint = [bool(c < FAINT * typical) for c in cells]
    # Glare fades a spot of letters; a lone faint cell is the row's extent misjudged at an
    # end (seed 7 #69: a bent card's edge beside the row moved every cell by a fraction).
    return [
        i
        for i, f in enumerate(faint)
        if f and ((i > 0 and faint[i - 1]) or (i + 1 < length and faint[i + 1]))
    ]


def character_marks(crop: BGRImage) -> npt.NDArray[np.uint8]:
    """Where the crop holds character-sized dark marks (1) or not (0)."""
    grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    height, width = grey.shape
    detail = blackhat(grey, max(9, height // 5) | 1)
    _, mask = cv2.threshold(detail, 0, 1, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    mask[detail < 20] = 0
    # Keep character-sized marks only: the crop may reach past the document's edge, where the
    # dark table touching the border forms large blobs that would merge the rows' bands.
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask)
    keep = np.zeros(count, dtype=bool)
    for i in range(1, count):
        x, y, w, h, _area = stats[i]
        touches = y == 0 or y + h >= height or x == 0 or x + w >= width
        keep[i] = h < 0.25 * height and w < 0.2 * width and not touches
    return np.asarray(keep[labels], dtype=np.uint8)


# Vertical strips whose ink centres trace how the zone's rows run across the crop.
_STRIPS = 12
# A bend (the rows' centre line rising and falling) of at least this share of the crop's
# height may mix neighbouring rows in one band: seed 7 #40, a bent internal-passport page,
# bowed by 0.22 of its crop and read with its rows crossed. Of the zones located on half of
# seed 7's hard photos, the flat ones bowed 0.08 or less but one (0.13, tall crop reaching
# the table below): a straightened crop is read only where the crop as cut fails.
BENT = 0.1


def straightened(crop: BGRImage) -> BGRImage:
    """The crop with its rows' bend undone (see :data:`BENT`), each column shifted up or down
    onto the rows' centre line (:func:`centre_line`); the crop itself when flat."""
    line = centre_line(crop)
    if line is None:
        return crop
    height, width = crop.shape[:2]
    shift = line - line.mean()
    if float(shift.max() - shift.min()) < BENT * height:
        return crop
    map_x = np.tile(np.arange(width, dtype=np.float32), (height, 1))
    map_y = (np.arange(height, dtype=np.float32)[:, None] + shift[None, :]).astype(np.float32)
    bent = cv2.remap(crop, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(bent, dtype=np.uint8)


def centre_line(crop: BGRImage) -> npt.NDArray[np.float64] | None:
    """Where the zone's rows run across the crop: a parabola fitted through the ink centres of
    vertical strips, per column (None without ink enough). The crop is centred on the zone
    and reaches past it by about its height on each side (printed fields above, the page's
    edge below): only ink within a quarter of the crop's height of the line counts, and the
    line is fitted again from the ink about the first fit."""
    mask = character_marks(crop).astype(np.float64)
    height, width = mask.shape
    rows = np.arange(height, dtype=np.float64)
    edges = np.linspace(0, width, _STRIPS + 1).astype(int)
    line = np.full(width, height / 2)
    for _ in range(2):
        centres, middles, weights = [], [], []
        for a, b in itertools.pairwise(edges):
            ink = mask[:, a:b].sum(axis=1) * (np.abs(rows - line[(a + b) // 2]) < height / 4)
            if ink.sum() > 0.001 * (b - a) * height:
                centres.append((a + b) / 2)
                middles.append(float((ink * rows).sum() / ink.sum()))
                weights.append(float(np.sqrt(ink.sum())))
        if len(centres) < _STRIPS // 2:
            return None
        line = np.polyval(np.polyfit(centres, middles, 2, w=weights), np.arange(width))
    return np.asarray(line, dtype=np.float64)


def zone_rows(split: list[Row], count: int, height: int) -> list[Row]:
    """The ``count`` consecutive rows of ``split`` centred nearest the middle of the crop (of
    ``height`` pixels), where the zone lies: a crop padded across the rows takes in printed
    lines beyond the zone. Hard seed 7 #21 (a card on a newspaper): the headline below the card
    was re-read as the card's names, and a zone the detector's rows had read exactly was
    refused for the disagreement."""
    if len(split) <= count:
        return split
    windows = [split[i : i + count] for i in range(len(split) - count + 1)]
    return min(windows, key=lambda w: abs(w[0].top + w[-1].bottom - height))


def split_rows(crop: BGRImage, marks: npt.NDArray[np.uint8] | None = None) -> list[Row]:
    """The zone's rows in the crop, top first; ``marks``: the crop's :func:`character_marks`,
    when the caller has them already."""
    height, width = crop.shape[:2]
    mask = character_marks(crop) if marks is None else marks
    profile = mask.mean(axis=1).astype(np.float64)
    profile = np.convolve(profile, np.ones(3) / 3, mode="same")
    if profile.max() <= 0:
        return []
    on = profile > 0.35 * profile.max()
    rows: list[Row] = []
    y = 0
    while y < height:
        if not on[y]:
            y += 1
            continue
        start = y
        while y < height and on[y]:
            y += 1
        band_height = y - start
        if band_height < 6:
            continue
        columns = np.flatnonzero(mask[start:y].sum(axis=0) > 0)
        if columns.size == 0:
            continue
        # A zone row spans most of the crop; short bands are neighbouring printed text.
        if columns[-1] - columns[0] < 0.6 * width:
            continue
        pad_y = max(3, int(band_height * 0.35))
        pad_x = max(4, int(band_height * 0.6))
        rows.append(
            Row(
                top=max(0, start - pad_y),
                bottom=min(height, y + pad_y),
                left=max(0, int(columns[0]) - pad_x),
                right=min(width, int(columns[-1]) + pad_x),
            )
        )
    return _same_height(rows, height) if EQUAL_HEIGHTS and rows else rows


# Every row of a zone is printed in one font size, but a row of mostly fillers (the name row)
# gives a thinner band, hence a shorter crop, which the recogniser's fixed input height blows up:
# its input came out ~14% wider than the next row's (1380 against 1210 px for 44 characters),
# and the recogniser's cost grows with that width.
EQUAL_HEIGHTS = True


def _same_height(rows: list[Row], height: int) -> list[Row]:
    """Each row grown about its centre to the tallest row's height (within the crop), so that
    every row reaches the recogniser at the scale of the row read best."""
    tallest = max(r.bottom - r.top for r in rows)
    out: list[Row] = []
    for r in rows:
        grow = tallest - (r.bottom - r.top)
        top = max(0, r.top - grow // 2)
        bottom = min(height, r.bottom + grow - grow // 2)
        out.append(Row(top=top, bottom=bottom, left=r.left, right=r.right))
    return out
