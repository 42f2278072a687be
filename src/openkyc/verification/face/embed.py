"""dlib's ResNet face descriptor with 5-point alignment.

It is the only face embedder whose weights ship in a package (face-recognition-models); the
5-point landmark model is used because the 68-point one is trained on non-commercial data.
"""

from __future__ import annotations

import threading

import cv2
import dlib
import face_recognition_models
import numpy as np
import numpy.typing as npt

from openkyc.verification.face.geometry import Box
from openkyc.verification.face.images import RGBImage
from openkyc.verification.face.mesh import MeshFace
from openkyc.verification.types import ModelInfo

Embedding = npt.NDArray[np.float32]

EMBEDDING_MODEL = ModelInfo(
    name="dlib-resnet-face-v1+5pt+grey-clahe-flip",
    version=f"face-recognition-models-0.3.0/dlib-{dlib.__version__}",
)
EMBEDDING_SIZE = 128

# Cheek-to-cheek width of the mesh is about 1.1x the side of the box HOG would draw; the HOG box
# top sits near the brows. The 5-point predictor is trained on HOG boxes, so mesh-derived boxes
# are reshaped to look like them.
_HOG_SIDE_PER_CHEEK_SPAN = 0.95


def hog_like_box(mesh: MeshFace) -> Box:
    points = mesh.points
    span = float(np.linalg.norm(points[454, :2] - points[234, :2]))
    side = span * _HOG_SIDE_PER_CHEEK_SPAN
    # Landmark 6 is the nose bridge between the eyes; HOG boxes centre a little below it.
    cx = float(points[6, 0] + points[1, 0]) / 2.0
    cy = float(points[6, 1] + points[1, 1]) / 2.0 + 0.08 * side
    return Box(cx - side / 2.0, cy - side / 2.0, side, side)


_CHIP_SIZE = 150
_CHIP_PADDING = 0.25
_CLAHE = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(4, 4))


def _normalised_chips(chip: RGBImage) -> list[RGBImage]:
    """The aligned chip in grey with local contrast equalised, and its mirror image.

    Document portraits are often printed grey and low in contrast while selfies are in colour;
    comparing both in equalised grey and averaging the descriptor of the mirrored chip cut the
    genuine-impostor overlap on the evaluation set (eval/face.py; docs/face-and-liveness.md).
    """
    grey = _CLAHE.apply(cv2.cvtColor(chip, cv2.COLOR_RGB2GRAY))
    three = np.ascontiguousarray(np.dstack([grey, grey, grey]))
    return [three, np.ascontiguousarray(three[:, ::-1])]


class FaceEmbedder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._shape = dlib.shape_predictor(
            face_recognition_models.pose_predictor_five_point_model_location()
        )
        self._net = dlib.face_recognition_model_v1(
            face_recognition_models.face_recognition_model_location()
        )

    def embed(self, image: RGBImage, box: Box) -> Embedding:
        rect = dlib.rectangle(
            round(box.x), round(box.y), round(box.x + box.w), round(box.y + box.h)
        )
        array = np.ascontiguousarray(image)
        with self._lock:
            shape = self._shape(array, rect)
            chip = dlib.get_face_chip(array, shape, size=_CHIP_SIZE, padding=_CHIP_PADDING)
            chips = _normalised_chips(np.asarray(chip, dtype=np.uint8))
            descriptors = self._net.compute_face_descriptor(chips)
        mean = np.mean([np.asarray(d, dtype=np.float64) for d in descriptors], axis=0)
        return np.asarray(mean, dtype=np.float32)
