"""Where the document is in the frame: the region that differs from the table around it.

The background colour is estimated from the frame border; pixels far from it (in Lab) form the
document. This needs no model and runs on a 480-pixel copy in a few milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from .images import shrink

BGRImage = npt.NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class Framing:
    mask: npt.NDArray[np.uint8]  # document pixels on the small copy (255)
    area_share: float  # document area / frame area
    touches: int  # how many frame sides the document touches
    box: tuple[int, int, int, int]  # on the small copy
    scale: float  # small copy / input
    # Minimum-area rectangle (centre, size, angle) of the document, in input coordinates.
    rect: tuple[tuple[float, float], tuple[float, float], float]


_SIDE = 320


def find_document(image: BGRImage, scale: float) -> Framing | None:
    """``image`` is a copy of the input reduced by ``scale``; it is reduced further here."""
    extra = min(1.0, _SIDE / max(image.shape[:2]))
    small = shrink(image, extra)
    scale *= extra
    lab = cv2.cvtColor(cv2.GaussianBlur(small, (5, 5), 0), cv2.COLOR_BGR2LAB).astype(np.float32)
    h, w = lab.shape[:2]
    band = max(2, min(h, w) // 40)
    border = np.concatenate(
        [
            lab[:band].reshape(-1, 3),
            lab[-band:].reshape(-1, 3),
            lab[:, :band].reshape(-1, 3),
            lab[:, -band:].reshape(-1, 3),
        ]
    )
    background = np.median(border, axis=0)
    distance = np.linalg.norm(lab - background, axis=2)
    distance = np.clip(
        distance * (255.0 / max(1.0, float(np.percentile(distance, 99)))), 0, 255
    ).astype(np.uint8)
    _, mask = cv2.threshold(distance, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask)
    if count <= 1:
        return None
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    x, y, bw, bh, _area = (int(v) for v in stats[largest])
    doc = np.where(labels == largest, 255, 0).astype(np.uint8)
    # Fill holes (the portrait, dark text) so the area is the document's.
    contours, _ = cv2.findContours(doc, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    hull = cv2.convexHull(max(contours, key=cv2.contourArea))
    filled = np.zeros_like(doc)
    cv2.fillConvexPoly(filled, hull.astype(np.int32), (255,))
    margin = 2
    touches = sum(
        (
            x <= margin,
            y <= margin,
            x + bw >= w - margin,
            y + bh >= h - margin,
        )
    )
    (cx, cy), (rw, rh), angle = cv2.minAreaRect(hull)
    rect = ((cx / scale, cy / scale), (rw / scale, rh / scale), float(angle))
    share = float(np.count_nonzero(filled)) / (h * w)
    # Callers measure inside the mask on the copy they passed in: give it at that size.
    mask_back = np.asarray(
        cv2.resize(filled, (image.shape[1], image.shape[0]), interpolation=cv2.INTER_NEAREST),
        dtype=np.uint8,
    )
    box = tuple(int(v / extra) for v in (x, y, bw, bh))
    return Framing(mask_back, share, touches, (box[0], box[1], box[2], box[3]), scale / extra, rect)
