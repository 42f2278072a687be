"""Serialisation of face embeddings (biometric data: the caller encrypts what it stores)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

EMBEDDING_SIZE = 128
_DTYPE = np.dtype("<f4")


def embedding_to_bytes(vector: npt.NDArray[np.floating[Any]]) -> bytes:
    """128 little-endian float32 values, 512 bytes, independent of the machine's byte order."""
    array = np.asarray(vector, dtype=_DTYPE).reshape(-1)
    if array.shape != (EMBEDDING_SIZE,) or not np.all(np.isfinite(array)):
        raise ValueError("a face embedding is 128 finite values")
    return array.tobytes()


def embedding_from_bytes(data: bytes) -> npt.NDArray[np.float32]:
    if len(data) != EMBEDDING_SIZE * _DTYPE.itemsize:
        raise ValueError(f"a face embedding is {EMBEDDING_SIZE * _DTYPE.itemsize} bytes")
    return np.frombuffer(data, dtype=_DTYPE).astype(np.float32)
