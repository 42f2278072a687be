"""The face photos that ship with OpenKYC, for specimen documents, selfies and evaluations.

Only photos with a clear licence ship: two public-domain photographs (Eileen Collins, NASA;
Grace Hopper, US Navy) and faces the project generates from them (``face_synthesis``, which
rebuilds every file and the manifest ``assets/faces/faces.json`` deterministically; origin and
licence of each in ``assets/faces/SOURCES.md``). Each face of the set is its own person. Nothing
here depends on a dev-only package or on a model at run time: the face box of every photo was
measured with dlib HOG when the file was made and is stored in the manifest.
"""

from __future__ import annotations

import json
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


@dataclass(frozen=True, slots=True)
class SourceFace:
    """One face photo. ``person_id`` is shared by photos of the same person."""

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
        return passport_framing(_load(self.file), self.box, width, height)


def passport_framing(
    image: RGBImage, box: tuple[float, float, float, float], width: int, height: int
) -> RGBImage:
    """``image`` cropped to ``width`` x ``height`` with the face ``box`` (x, y, w, h) placed as
    in a passport photo: the framing of every specimen portrait, also used to frame other
    photos the same way (the face generator, the real-pair evaluation)."""
    x, y, w, h = box
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


@cache
def _manifest() -> tuple[tuple[SourceFace, ...], tuple[SourceFace, ...]]:
    """The faces listed in ``assets/faces/faces.json`` (written by ``face_synthesis``): the
    set of people, and the pose variants (another photo of someone in the set)."""
    entries = json.loads((_ASSETS / "faces.json").read_text(encoding="utf-8"))
    people: list[SourceFace] = []
    variants: list[SourceFace] = []
    for entry in entries:
        x, y, w, h = (int(v) for v in entry["box"])
        face = SourceFace(
            face_id=entry["face_id"],
            person_id=entry.get("variant_of", entry["face_id"]),
            origin=entry["origin"],
            licence=entry["licence"],
            file=entry["file"],
            box=(x, y, w, h),
        )
        (variants if "variant_of" in entry else people).append(face)
    return tuple(people), tuple(variants)


def source_faces() -> list[SourceFace]:
    """One photo of every person in the set, in a stable order: the two public-domain photos
    (``astronaut``, ``hopper``), then the generated faces (``synth01``...)."""
    return list(_manifest()[0])


def face_by_id(face_id: str) -> SourceFace:
    """A face of the set, or a pose variant (e.g. ``synth05_turned``, a head turned ~45
    degrees in its own photo, which the set itself has none of)."""
    people, variants = _manifest()
    for face in (*people, *variants):
        if face.face_id == face_id:
            return face
    raise KeyError(face_id)
