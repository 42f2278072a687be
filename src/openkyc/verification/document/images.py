"""Decoding uploads into OpenCV arrays."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

BGRImage = npt.NDArray[np.uint8]


class ImageDecodeError(ValueError):
    """The bytes are not an image OpenCV can decode."""


def to_bgr(image: bytes | npt.NDArray[np.uint8]) -> BGRImage:
    """Bytes (JPEG, PNG...) are decoded; arrays are taken as BGR (OpenCV order) or grey."""
    if isinstance(image, bytes | bytearray | memoryview):
        buffer = np.frombuffer(bytes(image), dtype=np.uint8)
        decoded = cv2.imdecode(buffer, cv2.IMREAD_COLOR) if buffer.size else None
        if decoded is None:
            raise ImageDecodeError("not a decodable image")
        return np.asarray(decoded, dtype=np.uint8)
    array = np.asarray(image)
    if array.dtype != np.uint8:
        raise ImageDecodeError("image arrays must be uint8")
    if array.ndim == 2:
        return np.asarray(cv2.cvtColor(array, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
    if array.ndim == 3 and array.shape[2] == 4:
        return np.asarray(cv2.cvtColor(array, cv2.COLOR_BGRA2BGR), dtype=np.uint8)
    if array.ndim == 3 and array.shape[2] == 3:
        return array
    raise ImageDecodeError(f"unsupported image shape {array.shape}")


GreyImage = npt.NDArray[np.uint8]


def to_grey(bgr: BGRImage) -> GreyImage:
    return np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), dtype=np.uint8)


def shrink(image: npt.NDArray[np.uint8], factor: float) -> npt.NDArray[np.uint8]:
    """``image`` resized by ``factor`` (<= 1) with area averaging; unchanged at 1."""
    if factor >= 1:
        return image
    return np.asarray(
        cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA), dtype=np.uint8
    )
