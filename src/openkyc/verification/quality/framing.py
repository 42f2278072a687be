"""Where the document is, for the capture gate: the colour segmentation of
:mod:`openkyc.verification.document.outline`, with an outline fallback for pale documents.

On a pale table (a white desk, light wood) the paper differs from the table by about as much as
the table's own shading varies, so the colour segmentation keeps only the printed content (the
portrait, the text, a coloured band) and sees a card front at a third of its size, or less: the
gate then calls a clean capture too small, measures blur on a few words and looks for the face
in the wrong place. The document's edge is still sharp (and hemmed by its shadow), so when the
colour region is small, or runs into the frame edge (pale table shading joined to the page, so a
whole document looks cut off), an outline is searched: the largest convex four-cornered contour
that holds the colour region, clear of the frame edges (table texture makes frame-sized
outlines), with a document's proportions.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import numpy.typing as npt

from openkyc.verification.document.images import shrink, to_grey
from openkyc.verification.document.outline import Framing, find_document

BGRImage = npt.NDArray[np.uint8]

_SIDE = 320
# Below this share of the frame the colour region is doubted and an outline is looked for; a
# clean capture's document covers 0.2-0.7 of the frame, the content alone can cover < 0.05.
DOUBT_AREA = 0.2
# The outline must hold this share of the colour region (the content lies on the document).
_HOLDS = 0.9
# Long side over short side: cards and data pages 1.4-1.6, the internal passport spread 2.8;
# perspective and rotation blur this, but table patterns are rarely so proportioned.
_ASPECT = (1.2, 3.2)
# A leak along one side adds a strip of table; the document is most of the region.
_LEAK_KEEP = 0.7
# Pixels of the 320-pixel copy: corners on the frame edge are the table's (or a cut document).
_MARGIN = 1


def _outline(grey: npt.NDArray[np.uint8]) -> npt.NDArray[np.int32] | None:
    """The largest convex four-cornered outline of a document's proportions, clear of the frame
    edges, among the few largest contours of the edge map; None when there is none."""
    edges = cv2.Canny(cv2.GaussianBlur(grey, (5, 5), 0), 20, 60)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    h, w = grey.shape[:2]
    for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:4]:
        hull = cv2.convexHull(contour)
        corners = cv2.approxPolyDP(hull, 0.03 * cv2.arcLength(hull, True), True)
        (_, _), (rw, rh), _ = cv2.minAreaRect(hull)
        if len(corners) != 4 or min(rw, rh) < 8:
            continue
        if not _ASPECT[0] <= max(rw, rh) / min(rw, rh) <= _ASPECT[1]:
            continue
        if cv2.contourArea(hull) < 0.9 * rw * rh:
            continue  # not a rectangle seen nearly head-on
        x, y, bw, bh = cv2.boundingRect(corners)
        if x < _MARGIN or y < _MARGIN or x + bw > w - _MARGIN or y + bh > h - _MARGIN:
            continue
        return np.asarray(hull, dtype=np.int32)
    return None


def locate_document(image: BGRImage, scale: float) -> Framing | None:
    """The document on ``image`` (the input reduced by ``scale``), as ``find_document`` gives it,
    or the outline found around it when the colour region is implausibly small."""
    framing = find_document(image, scale)
    # A region touching the frame may be the document cut off, or pale table shading joined to
    # a document that is whole: the outline, clear of the frame edges by construction, tells.
    leaked = framing is not None and framing.touches > 0
    if framing is not None and framing.area_share >= DOUBT_AREA and not leaked:
        return framing
    extra = min(1.0, _SIDE / max(image.shape[:2]))
    grey = to_grey(shrink(image, extra))
    hull = _outline(grey)
    if hull is None:
        return framing
    h, w = grey.shape[:2]
    filled = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(filled, hull, (255,))
    share = float(np.count_nonzero(filled)) / (h * w)
    if framing is not None:
        colour = cv2.resize(framing.mask, (w, h), interpolation=cv2.INTER_NEAREST) > 0
        held = np.count_nonzero(colour & (filled > 0)) / max(1, np.count_nonzero(colour))
        # Larger than the print it holds, or (for a leak) most of the region without the leak.
        smallest = framing.area_share * (_LEAK_KEEP if leaked else 1.0)
        if share <= smallest or held < _HOLDS:
            return framing
    x, y, bw, bh = cv2.boundingRect(hull)
    (cx, cy), (rw, rh), angle = cv2.minAreaRect(hull)
    full = scale * extra  # the 320-pixel copy relative to the input
    mask = np.asarray(
        cv2.resize(filled, (image.shape[1], image.shape[0]), interpolation=cv2.INTER_NEAREST),
        dtype=np.uint8,
    )
    return Framing(
        mask=mask,
        area_share=share,
        touches=0,
        box=(
            math.floor(x / extra),
            math.floor(y / extra),
            math.ceil(bw / extra),
            math.ceil(bh / extra),
        ),
        scale=scale,
        rect=((cx / full, cy / full), (rw / full, rh / full), float(angle)),
    )
