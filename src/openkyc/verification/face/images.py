"""Decoding stored uploads into RGB arrays, the form every model here takes."""

from __future__ import annotations

import io

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps, UnidentifiedImageError

RGBImage = npt.NDArray[np.uint8]

# Phones send 12-48 MP photos; nothing here needs more than this, and decoding less is faster.
_MAX_SIDE = 1600


class ImageDecodeError(ValueError):
    """The bytes are not an image Pillow can read."""


def decode_image(data: bytes, *, max_side: int = _MAX_SIDE) -> RGBImage:
    """Decode JPEG/PNG bytes to an upright HxWx3 uint8 RGB array no larger than ``max_side``."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            # Phones store the rotation in EXIF instead of rotating pixels.
            image = ImageOps.exif_transpose(opened)
            if max(image.size) > max_side:
                # draft() lets the JPEG decoder skip DCT work when shrinking by 2/4/8.
                image.draft("RGB", (max_side, max_side))
                image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            rgb = np.asarray(image.convert("RGB"), dtype=np.uint8)
    except (UnidentifiedImageError, OSError) as error:
        raise ImageDecodeError(str(error)) from error
    return np.ascontiguousarray(rgb)


def upright_size(data: bytes) -> tuple[int, int]:
    """(width, height) of the image after its EXIF rotation, without decoding the pixels."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            width, height = opened.size
            orientation = opened.getexif().get(0x0112, 1)
    except (UnidentifiedImageError, OSError) as error:
        raise ImageDecodeError(str(error)) from error
    # Orientations 5-8 swap the axes.
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)
