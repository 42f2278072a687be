"""dlib's ResNet face descriptor on a chip aligned on five face-mesh points.

It is the only face embedder whose weights ship in a package (face-recognition-models). The
chip is aligned on the MediaPipe mesh's eye corners and nose base, placed where dlib's 5-point
predictor puts its points (the 68-point model is trained on non-commercial data and is not
used). The predictor itself misplaced the eyes on turned heads, rotated cards and blurred
prints, and needs a HOG-shaped box; the mesh, which every confirmed face already has, did not
(eval/face.py: genuine acceptance at zero false accepts 95.6% -> see docs/face-and-liveness.md).
"""

from __future__ import annotations

import threading

import cv2
import dlib
import face_recognition_models
import numpy as np
import numpy.typing as npt

from openkyc.verification.face.images import RGBImage
from openkyc.verification.face.mesh import FloatArray
from openkyc.verification.face.sharpness import blurred
from openkyc.verification.types import ModelInfo

Embedding = npt.NDArray[np.float32]

EMBEDDING_MODEL = ModelInfo(
    name="dlib-resnet-face-v1+mesh-5pt+colour-or-grey-clahe-flip+sharpness-matched+deblocked",
    version=f"face-recognition-models-0.3.0/dlib-{dlib.__version__}",
)
EMBEDDING_SIZE = 128

# Mesh landmarks nearest to the 5 points of dlib's predictor (outer and inner corner of the
# image-right eye, of the image-left eye, then the base of the nose), measured on the frontal
# evaluation selfies (mean distance 3-4% of the eye distance).
MESH_FIVE_POINTS = (263, 362, 33, 133, 2)

_CHIP_SIZE = 150
_CHIP_PADDING = 0.25
_CLAHE = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(4, 4))


# A portrait chip whose centre has a mean chroma (CIELAB, 8-bit scale) below this is compared in
# grey. The specimen portraits (eval/real_pairs.py --docs) read 0 when printed fully grey (44 of
# 88), 0.1-7.5 on faint colour prints and up to 18 on colour ones; the real photos 5-38 (their
# greyscale ones 0): a cut through the faint prints, not a gap (docs/face-and-liveness.md).
GREY_CHROMA = 4.5

_CENTRE = slice(30, 120)


def chroma(chip: RGBImage) -> float:
    """Mean CIELAB chroma of the chip's centre (eyes to mouth): ~1 on a grey print."""
    lab = cv2.cvtColor(np.ascontiguousarray(chip[_CENTRE, _CENTRE]), cv2.COLOR_RGB2LAB)
    a = lab[..., 1].astype(np.float32) - 128.0
    b = lab[..., 2].astype(np.float32) - 128.0
    return float(np.mean(np.sqrt(a * a + b * b)))


def _equalised_grey(chip: RGBImage) -> RGBImage:
    """A document portrait printed grey and low in contrast is compared with the selfie in grey,
    local contrast equalised on both (it cut the genuine-impostor overlap on the synthetic
    documents of eval/face.py). Between colour photos, colour is kept: on real photos of the
    same people (eval/real_pairs.py) grey cost FNMR at FMR 1e-3 2.0% -> 7.2%."""
    grey = _CLAHE.apply(cv2.cvtColor(chip, cv2.COLOR_RGB2GRAY))
    return np.ascontiguousarray(np.dstack([grey, grey, grey]))


def _mirror(chip: RGBImage) -> RGBImage:
    return np.ascontiguousarray(chip[:, ::-1])


class FaceEmbedder:
    """A descriptor is the mean of the descriptors of the aligned chip and of its mirror image
    (dropping the mirror cut genuine acceptance at zero false accepts from 100% to 93% on the
    evaluation); each costs ~75 ms, so the matcher can ask for the two halves separately."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._net = dlib.face_recognition_model_v1(
            face_recognition_models.face_recognition_model_location()
        )

    def chip_from_points(self, image: RGBImage, points: FloatArray) -> RGBImage:
        """The colour chip aligned on five given points (see MESH_FIVE_POINTS); ``prepare``
        turns it into what the network sees."""
        xy = np.asarray(points, dtype=np.float64)[:, :2]
        parts = [dlib.point(round(float(x)), round(float(y))) for x, y in xy]
        x0, y0 = xy.min(axis=0)
        x1, y1 = xy.max(axis=0)
        rect = dlib.rectangle(round(x0), round(y0), round(x1), round(y1))
        array = np.ascontiguousarray(image)
        shape = dlib.full_object_detection(rect, parts)
        chip = dlib.get_face_chip(array, shape, size=_CHIP_SIZE, padding=_CHIP_PADDING)
        return np.ascontiguousarray(np.asarray(chip, dtype=np.uint8))

    @staticmethod
    def prepare(chip: RGBImage, blur_sigma: float = 0.0, *, grey: bool = False) -> RGBImage:
        """The network input: the chip blurred when ``blur_sigma`` > 0 (the blur stands in for
        a soft print, which happens before any equalisation), then, when ``grey``, turned to
        grey with local contrast equalised (see ``_equalised_grey``)."""
        soft = blurred(chip, blur_sigma)
        return _equalised_grey(soft) if grey else np.ascontiguousarray(soft)

    def describe(self, chips: list[RGBImage]) -> list[Embedding]:
        with self._lock:
            descriptors = self._net.compute_face_descriptor(chips)
        return [np.asarray(d, dtype=np.float32) for d in descriptors]

    def embed_chip(self, chip: RGBImage) -> Embedding:
        """The descriptor of ``chip`` and its mirror image, averaged."""
        plain, mirrored = self.describe([chip, _mirror(chip)])
        return average(plain, mirrored)

    def mirror_descriptor(self, chip: RGBImage) -> Embedding:
        return self.describe([_mirror(chip)])[0]


def average(first: Embedding, second: Embedding) -> Embedding:
    return np.asarray((first.astype(np.float64) + second) / 2.0, dtype=np.float32)
