"""Sharpness, exposure and glare, measured inside the document region of a reduced copy."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

GreyImage = npt.NDArray[np.uint8]
Mask = npt.NDArray[np.uint8]


def sharpness(grey: GreyImage, mask: Mask | None) -> float:
    """Mean energy of the Laplacian on the strongest edges, normalised by their contrast.

    Plain Laplacian variance mixes sharpness with how much text and contrast the page has; the
    ratio of second to first derivative on the top edges measures how steep edges are instead.
    """
    lap = np.abs(cv2.Laplacian(grey, cv2.CV_32F, ksize=3))
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)
    grad = np.sqrt(gx * gx + gy * gy)
    if mask is not None:
        inner = cv2.erode(mask, cv2.getStructuringElement(cv2.MORPH_RECT, (7, 7)))
        selected = inner > 0
        if np.count_nonzero(selected) < 500:
            selected = np.ones_like(grey, dtype=bool)
    else:
        selected = np.ones_like(grey, dtype=bool)
    g = grad[selected]
    if g.size == 0:
        return 0.0
    threshold = float(np.percentile(g, 97))
    if threshold < 8:
        return 0.0  # a flat region: nothing to judge sharpness on
    strong = g >= threshold
    return float(lap[selected][strong].mean() / (g[strong].mean() + 1e-6))


def luminance(grey: GreyImage, mask: Mask | None) -> float:
    values = grey[mask > 0] if mask is not None and np.count_nonzero(mask) > 500 else grey
    return float(np.mean(values))


def glare_share(bgr: npt.NDArray[np.uint8], mask: Mask | None) -> float:
    """Largest blob of clipped pixels (all channels >= 245) as a share of the document area.

    Measured on the reference machine: a naive bright-and-unsaturated test flags clean white
    cards, while clipped blobs separate real glare.
    """
    clipped = (bgr.min(axis=2) >= 245).astype(np.uint8)
    if mask is not None:
        clipped &= (mask > 0).astype(np.uint8)
        area = max(1, int(np.count_nonzero(mask)))
    else:
        area = clipped.size
    count, _, stats, _ = cv2.connectedComponentsWithStats(clipped)
    if count <= 1:
        return 0.0
    return float(stats[1:, cv2.CC_STAT_AREA].max()) / area
