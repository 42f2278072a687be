"""Face detection on selfies and on document portraits, confirmed by the face mesh.

dlib's HOG detector found the printed portrait in every synthetic document frame measured in
ml-components.md but also boxes non-faces (the astronaut's mission patch); MediaPipe's
BlazeFace is fast and finds turned faces HOG misses but fails on small printed portraits. Both
propose candidates here, and only a candidate on which the 478-point mesh fits is kept.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import cv2
import dlib
import numpy as np
import numpy.typing as npt

from openkyc.verification.face.geometry import Box
from openkyc.verification.face.images import RGBImage
from openkyc.verification.face.mesh import FaceMesher, MeshFace
from openkyc.verification.hog import frontal_face_detector
from openkyc.verification.types import ModelInfo

FloatArray = npt.NDArray[np.float64]

HOG_MODEL = ModelInfo(name="dlib-hog-frontal", version=str(dlib.__version__))
BLAZEFACE_MODEL = ModelInfo(name="mediapipe-blazeface-full-range", version="0.10.21")

# HOG at upsample 0 on a 640 px copy (~25 ms; upsample 1 costs ~100 ms) finds faces from ~80 px;
# BlazeFace full-range, run beside it, finds the smaller and the turned ones.
_SELFIE_SIDE = 640
_DOCUMENT_SIDE = 1280
# A document portrait crop is enlarged so its face reaches ~150 px, where HOG is reliable.
_PORTRAIT_CROP_SIDE = 480


# Documents are photographed at any angle; a frontal-face detector needs the face upright, so
# the portrait region is tried at these rotations (degrees, most likely first) until one
# yields a confirmed face.
_DOCUMENT_ROTATIONS = (
    0.0,
    180.0,
    90.0,
    -90.0,
    25.0,
    -25.0,
    155.0,
    -155.0,
    60.0,
    -60.0,
    120.0,
    -120.0,
)
_IDENTITY = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


@dataclass(frozen=True, slots=True)
class DetectedFace:
    """A confirmed face: the detector's box, the mesh fitted on it and who proposed it."""

    box: Box
    mesh: MeshFace
    detector: str


@dataclass(frozen=True, slots=True)
class DocumentFace:
    """A face found on a document, with the upright image its coordinates refer to (the
    document image itself, or a rotated crop of it)."""

    face: DetectedFace
    image: RGBImage
    rotation: float
    # 2x3 affine map from ``image`` pixels back to the document image given to the detector.
    to_document: FloatArray = field(default_factory=lambda: _IDENTITY.copy())

    def document_points(self, points: FloatArray) -> FloatArray:
        """``points`` (N x 2, in ``image``) in document image pixels."""
        xy = np.asarray(points, dtype=np.float64)[:, :2]
        mapped = xy @ self.to_document[:, :2].T + self.to_document[:, 2]
        return np.asarray(mapped, dtype=np.float64)


def _resize_to(image: RGBImage, side: int) -> tuple[RGBImage, float]:
    height, width = image.shape[:2]
    factor = side / max(height, width)
    if abs(factor - 1.0) < 1e-3:
        return image, 1.0
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    resized = cv2.resize(image, size, interpolation=interpolation)
    return np.asarray(resized, dtype=np.uint8), factor


def _rotate(image: RGBImage, angle: float) -> tuple[RGBImage, FloatArray]:
    """``image`` turned by ``angle`` degrees counter-clockwise on a canvas that holds it all,
    and the 2x3 map from the turned image's pixels back to ``image``."""
    if angle == 0.0:
        return image, _IDENTITY.copy()
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2.0, height / 2.0), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(height * sin + width * cos), int(height * cos + width * sin)
    matrix[0, 2] += new_w / 2.0 - width / 2.0
    matrix[1, 2] += new_h / 2.0 - height / 2.0
    turned = cv2.warpAffine(image, matrix, (new_w, new_h), borderMode=cv2.BORDER_REPLICATE)
    back = np.asarray(cv2.invertAffineTransform(matrix), dtype=np.float64)
    return np.asarray(turned, dtype=np.uint8), back


def _then(first: FloatArray, second: FloatArray) -> FloatArray:
    """The 2x3 affine map that applies ``first`` and then ``second``."""
    return np.asarray(second[:, :2] @ first, dtype=np.float64) + np.hstack(
        [np.zeros((2, 2)), second[:, 2:]]
    )


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
        self._hog = frontal_face_detector()
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
        candidates = [(b, "blazeface") for b in self._blazeface_boxes(image)]
        candidates += [(b.scaled(1 / factor), "hog") for b in self._hog_boxes(small, 0)]
        faces = self._confirm(image, candidates)
        if not faces:
            # A small face far from the camera: worth ~75 ms more to say "too small" rather
            # than "no face".
            upsampled = [(b.scaled(1 / factor), "hog") for b in self._hog_boxes(small, 1)]
            faces = self._confirm(image, upsampled)
        return faces

    def detect_document(
        self, image: RGBImage, portrait_box: Box | None = None
    ) -> DocumentFace | None:
        """The main portrait on a document image (the largest confirmed face; a ghost image is
        smaller). ``portrait_box`` is where the document reader expects the photo, if known."""
        if portrait_box is not None:
            found = self._detect_in_region(image, portrait_box.grown(0.35))
            if found is not None:
                return found
        small, factor = _resize_to(image, min(_DOCUMENT_SIDE, max(image.shape[:2])))
        for upsample in (0, 1):
            candidates = [(b.scaled(1 / factor), "hog") for b in self._hog_boxes(small, upsample)]
            candidates += [(b, "blazeface") for b in self._blazeface_boxes(image)]
            faces = self._confirm(image, candidates)
            if faces:
                return DocumentFace(faces[0], image, 0.0)
        # Still nothing: the document may be rotated; try the whole (reduced) frame turned.
        to_image = np.array([[1.0 / factor, 0.0, 0.0], [0.0, 1.0 / factor, 0.0]])
        for angle in _DOCUMENT_ROTATIONS[1:]:
            turned, back = _rotate(small, angle)
            candidates = [(b, "hog") for b in self._hog_boxes(turned, 1)]
            faces = self._confirm(turned, candidates)
            if faces:
                return DocumentFace(faces[0], turned, angle, _then(back, to_image))
        return None

    def _detect_in_region(self, image: RGBImage, region: Box) -> DocumentFace | None:
        height, width = image.shape[:2]
        x0, y0 = max(0, int(region.x)), max(0, int(region.y))
        x1 = min(width, int(region.x + region.w))
        y1 = min(height, int(region.y + region.h))
        if x1 - x0 < 16 or y1 - y0 < 16:
            return None
        crop, _ = _resize_to(np.ascontiguousarray(image[y0:y1, x0:x1]), _PORTRAIT_CROP_SIDE)
        to_image = np.array(
            [
                [(x1 - x0) / crop.shape[1], 0.0, float(x0)],
                [0.0, (y1 - y0) / crop.shape[0], float(y0)],
            ]
        )
        # BlazeFace costs ~5 ms a try and HOG ~80 ms, so every rotation is first tried with
        # BlazeFace alone; HOG (which finds the small, grey, low-contrast prints BlazeFace
        # misses) runs upright right away and at the other rotations only when all else failed.
        attempts = [(0.0, "blazeface"), (0.0, "hog")]
        attempts += [(angle, "blazeface") for angle in _DOCUMENT_ROTATIONS[1:]]
        attempts += [(angle, "hog") for angle in _DOCUMENT_ROTATIONS[1:]]
        turned_cache: dict[float, tuple[RGBImage, FloatArray]] = {}
        for angle, source in attempts:
            if angle not in turned_cache:
                turned_cache[angle] = _rotate(crop, angle)
            turned, back = turned_cache[angle]
            boxes = (
                self._blazeface_boxes(turned)
                if source == "blazeface"
                else self._hog_boxes(turned, 1)
            )
            faces = self._confirm(turned, [(b, source) for b in boxes])
            if faces:
                return DocumentFace(faces[0], turned, angle, _then(back, to_image))
        return None

    def close(self) -> None:
        with self._lock:
            self._blazeface.close()
