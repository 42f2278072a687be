"""Glare over the document portrait: measure it, and ask for a retake when it hides the face.

A specular highlight on the laminate adds light on top of the print; where it saturates, the
face under it is lost. A genuine portrait under heavy glare lands far from its own selfie (or
is not found at all, or a face is "found" in the printed text beside it), and declining it as a
mismatch tells the customer nothing they can act on. A portrait that did not match is therefore
sent back with ``document_portrait_glare`` when enough of it is saturated. Repairing the chip
instead (saturated pixels filled from the mirrored side of the face, or inpainted; the additive
glare subtracted using the face's symmetry) moved glared genuine pairs *away* from their selfies
on the evaluation and was not kept (docs/face-and-liveness.md).
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from openkyc.verification.face.geometry import Box
from openkyc.verification.face.images import RGBImage

BoolArray = npt.NDArray[np.bool_]

# A pixel this bright in every channel carries no print any more.
_SATURATED = 245
# The saturated area's edge is washed out too (and JPEG rings there): grow the mask by this.
_GROW_PX = 2
# The chip centre (eyes, nose, mouth) on the 150-pixel chip, as in sharpness.py.
_CENTRE = slice(25, 125)

# A portrait that did not match is sent back for a retake, not declined, when at least this
# share of its face is saturated (on the aligned chip, or in the middle of the reader's
# portrait box, which still counts when the glare hid the face from the detector). Chosen on
# eval/face.py seeds 11, 23, 41 and a glare-only set: no portrait without glare reached 0.011;
# the glared genuine portraits that missed the match threshold were at 0.74-0.91, while glared
# ones that matched reached 0.47. It only applies to portraits that did not match.
RETAKE_SHARE = 0.25


def saturated_mask(chip: RGBImage) -> BoolArray:
    """Pixels saturated in every channel, grown by a couple of pixels."""
    mask = np.asarray(chip.min(axis=2) >= _SATURATED, dtype=np.uint8)
    if not mask.any():
        return np.zeros(mask.shape, dtype=np.bool_)
    size = 2 * _GROW_PX + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    return np.asarray(cv2.dilate(mask, kernel) > 0, dtype=np.bool_)


def saturated_share(chip: RGBImage) -> float:
    """Share of the aligned chip's centre that is saturated."""
    return float(saturated_mask(chip)[_CENTRE, _CENTRE].mean())


def region_share(image: RGBImage, box: Box) -> float:
    """Share of saturated pixels in the middle of ``box``, where the face is printed."""
    height, width = image.shape[:2]
    x0 = max(0, round(box.x + 0.2 * box.w))
    x1 = min(width, round(box.x + 0.8 * box.w))
    y0 = max(0, round(box.y + 0.15 * box.h))
    y1 = min(height, round(box.y + 0.75 * box.h))
    if x1 <= x0 or y1 <= y0:
        return 0.0
    return float((image[y0:y1, x0:x1].min(axis=2) >= _SATURATED).mean())


def portrait_glare(chip_share: float, image: RGBImage, portrait_box: Box | None) -> float:
    """How much of the portrait the glare covers: the larger of the chip's saturated share
    (0 when no face was found) and the portrait box's, since under full glare no face, or a
    wrong one, is found."""
    if portrait_box is None:
        return chip_share
    return max(chip_share, region_share(image, portrait_box))


def asks_retake(decision: str, glare: float) -> bool:
    """Whether a portrait that did not match is too glared to judge."""
    return decision != "match" and glare >= RETAKE_SHARE
