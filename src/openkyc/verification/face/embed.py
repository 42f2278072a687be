"""dlib's ResNet face descriptor with 5-point alignment.

It is the only face embedder whose weights ship in a package (face-recognition-models); the
5-point landmark model is used because the 68-point one is trained on non-commercial data.
"""

from __future__ import annotations

import threading

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
    name="dlib-resnet-face-v1+5pt", version=f"face-recognition-models-0.3.0/dlib-{dlib.__version__}"
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
            descriptor = self._net.compute_face_descriptor(array, shape, 0, 0.25)
        return np.asarray(descriptor, dtype=np.float32)
