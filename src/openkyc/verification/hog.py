"""dlib's HOG frontal face detector, shared by the document's portrait search and the face
detector, loaded from a saved copy of dlib's own.

The copy is what dlib 20.0.1 saves (``get_frontal_face_detector().save(path)``, the same bytes
on every save; dlib's licence, the Boost Software License 1.0). Built from the copy compiled
into dlib, the detector is decompressed and parsed first: ~0.5 s of CPU in every process (a
quarter of ``openkyc verify-document``'s start-to-result, and again in every worker that
matches faces); the saved copy loads in ~1 ms. Any other dlib version, or other bytes, builds
it from dlib as before.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

SAVED_DETECTOR = Path(__file__).with_name("frontal_face_detector.svm")
_SAVED_DLIB = "20.0.1"
_SAVED_SHA256 = "f3f7aa833fb4a14a46fc48689f45b98d85ef72d6dfaf8bdc012b7d3c522a5426"


def frontal_face_detector() -> Any:
    """dlib's HOG frontal face detector, from the saved copy when it is dlib's own."""
    import dlib

    if dlib.__version__ == _SAVED_DLIB and SAVED_DETECTOR.is_file():
        data = SAVED_DETECTOR.read_bytes()
        if hashlib.sha256(data).hexdigest() == _SAVED_SHA256:
            return dlib.fhog_object_detector(str(SAVED_DETECTOR))
    return dlib.get_frontal_face_detector()
