"""One reading of a zone (its rows at one scale, or a restored view of it) and the scales the
reader and its confirmation cut the zone at."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from .correction import Correction
from .ocr import Recognised

BGRImage = npt.NDArray[np.uint8]

WIDTH = 1100
OTHER_WIDTHS = (880, 1320)


@dataclass(slots=True)
class RowsReading:
    """One reading of a zone: its rows' text, their mean score, the zone corrected from them."""

    texts: list[str]
    score: float
    correction: Correction | None
    min_score: float = 0.0
    # Row-by-row recognitions with per-character confidences (empty for detector readings).
    reads: list[Recognised] = field(default_factory=list)
    # The width of the crop read (None for detector readings).
    width: int | None = None


def rereading_widths(first: RowsReading) -> tuple[int, ...]:
    """The scales at which a confirmation reads again the view ``first`` was read from: never
    the first's own, whose crop would give the same reading, agreeing with itself. A visa
    first read at 880 px (``≤≤`` for the ``<<`` between its names) was confirmed by the same
    880 px reading (hard seed 7, motion blur filter, #111)."""
    if first.width in OTHER_WIDTHS:
        return tuple(w for w in (*OTHER_WIDTHS, WIDTH) if w != first.width)
    return OTHER_WIDTHS


@dataclass(frozen=True, slots=True)
class FocusedView:
    image: BGRImage  # the photo with the zone's region deconvolved
    attempt: RowsReading
    sigma: float
