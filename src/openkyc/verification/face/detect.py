"""Face detection on selfies and on document portraits, confirmed by the face mesh.

dlib's HOG detector found the printed portrait in every synthetic document frame measured in
ml-components.md but also boxes non-faces (the astronaut's mission patch); MediaPipe's
BlazeFace is fast and finds turned faces HOG misses but fails on small printed portraits. Both
propose candidates here, and only a candidate on which the 478-point mesh fits is kept.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import cv2
import dlib
import numpy as np

from openkyc.verification.face.geometry import Box
from openkyc.verification.face.images import RGBImage
from openkyc.verification.face.mesh import FaceMesher, MeshFace
from openkyc.verification.types import ModelInfo

HOG_MODEL = ModelInfo(name="dlib-hog-frontal", version=str(dlib.__version__))
BLAZEFACE_MODEL = ModelInfo(name="mediapipe-blazeface-full-range", version="0.10.21")

# HOG at upsample 1 finds faces down to ~40 px; a 640 px copy keeps it near 100 ms.
_SELFIE_SIDE = 640
_DOCUMENT_SIDE = 1280
# A document portrait crop is enlarged so its face reaches ~150 px, where HOG is reliable.
_PORTRAIT_CROP_SIDE = 480


@dataclass(frozen=True, slots=True)
class DetectedFace:
    """A confirmed face: the detector's box, the mesh fitted on it and who proposed it."""

    box: Box
    mesh: MeshFace
    detector: str


def _resize_to(image: RGBImage, side: int) -> tuple[RGBImage, float]:
    height, width = image.shape[:2]
    factor = side / max(height, width)
    if abs(factor - 1.0) < 1e-3:
        return image, 1.0
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    resized = cv2.resize(image, size, interpolation=interpolation)
    return np.asarray(resized, dtype=np.uint8), factor


def _dedupe(faces: list[DetectedFace]) -> list[DetectedFace]:
    kept: list[DetectedFace] = []
    for face in sorted(faces, key=lambda f: f.mesh.box.area, reverse=True):
        if all(face.mesh.box.iou(other.mesh.box) < 0.35 for other in kept):
            kept.append(face)
    return kept


class FaceDetector:
    """Candidate proposal (dlib HOG + BlazeFace) and mesh confirmation; models built once."""

    def __init__(self, mesher: FaceMesher) -> None:
        from mediapipe.python.solutions import face_detection

        self._mesher = mesher
        self._hog = dlib.get_frontal_face_detector()
        self._lock = threading.Lock()
        self._blazeface = face_detection.FaceDetection(
            model_selection=1, min_detection_confidence=0.5
        )

    def _hog_boxes(self, image: RGBImage, upsample: int) -> list[Box]:
        with self._lock:
            rects = self._hog(image, upsample)
        return [Box(r.left(), r.top(), r.width(), r.height()) for r in rects]

    def _blazeface_boxes(self, image: RGBImage) -> list[Box]:
        height, width = image.shape[:2]
        with self._lock:
            result = self._blazeface.process(np.ascontiguousarray(image))
        boxes: list[Box] = []
        for detection in result.detections or []:
            rel = detection.location_data.relative_bounding_box
            boxes.append(
                Box(rel.xmin * width, rel.ymin * height, rel.width * width, rel.height * height)
            )
        return boxes

    def _confirm(self, image: RGBImage, candidates: list[tuple[Box, str]]) -> list[DetectedFace]:
        confirmed: list[DetectedFace] = []
        for box, source in candidates:
            if box.w < 8 or box.h < 8:
                continue
            if any(box.iou(face.box) > 0.5 or face.mesh.box.iou(box) > 0.5 for face in confirmed):
                continue
            mesh = self._mesher.on_box(image, box)
            if mesh is not None:
                confirmed.append(DetectedFace(box=box, mesh=mesh, detector=source))
        return _dedupe(confirmed)

    def detect_selfie(self, image: RGBImage) -> list[DetectedFace]:
        """Every confirmed face in a selfie frame, largest first."""
        small, factor = _resize_to(image, _SELFIE_SIDE)
        candidates = [(b.scaled(1 / factor), "hog") for b in self._hog_boxes(small, 1)]
        candidates += [(b, "blazeface") for b in self._blazeface_boxes(image)]
        return self._confirm(image, candidates)

    def detect_document(
        self, image: RGBImage, portrait_box: Box | None = None
    ) -> list[DetectedFace]:
        """Confirmed faces on a document image, largest first (the main portrait, then a ghost
        image). ``portrait_box`` is where the document reader expects the photo, if it knows."""
        if portrait_box is not None:
            found = self._detect_in_region(image, portrait_box.grown(0.35))
            if found:
                return found
        small, factor = _resize_to(image, min(_DOCUMENT_SIDE, max(image.shape[:2])))
        for upsample in (0, 1):
            candidates = [(b.scaled(1 / factor), "hog") for b in self._hog_boxes(small, upsample)]
            candidates += [(b, "blazeface") for b in self._blazeface_boxes(image)]
            found = self._confirm(image, candidates)
            if found:
                return found
        return []

    def _detect_in_region(self, image: RGBImage, region: Box) -> list[DetectedFace]:
        height, width = image.shape[:2]
        x0, y0 = max(0, int(region.x)), max(0, int(region.y))
        x1 = min(width, int(region.x + region.w))
        y1 = min(height, int(region.y + region.h))
        if x1 - x0 < 16 or y1 - y0 < 16:
            return []
        crop = np.ascontiguousarray(image[y0:y1, x0:x1])
        big, factor = _resize_to(crop, _PORTRAIT_CROP_SIDE)
        candidates = [
            (b.scaled(1 / factor).shifted(x0, y0), "hog") for b in self._hog_boxes(big, 1)
        ]
        candidates += [(b.shifted(x0, y0), "blazeface") for b in self._blazeface_boxes(crop)]
        return self._confirm(image, candidates)

    def close(self) -> None:
        with self._lock:
            self._blazeface.close()
