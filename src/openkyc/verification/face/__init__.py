"""Face detection, selfie quality and face match (document portrait against selfie frames)."""

from openkyc.verification.face import reasons as reasons
from openkyc.verification.face.calibration import (
    MATCH_THRESHOLD,
    REVIEW_THRESHOLD,
    score_from_distance,
)
from openkyc.verification.face.duplicates import DuplicateCandidate, DuplicateHit, find_duplicates
from openkyc.verification.face.embedding import embedding_from_bytes, embedding_to_bytes
from openkyc.verification.face.geometry import Box
from openkyc.verification.face.images import ImageDecodeError, decode_image
from openkyc.verification.face.matcher import FaceMatcher
from openkyc.verification.face.results import FaceMatchResult, FaceObservation, SelfieAnalysis

__all__ = [
    "MATCH_THRESHOLD",
    "REVIEW_THRESHOLD",
    "Box",
    "DuplicateCandidate",
    "DuplicateHit",
    "FaceMatchResult",
    "FaceMatcher",
    "FaceObservation",
    "ImageDecodeError",
    "SelfieAnalysis",
    "decode_image",
    "embedding_from_bytes",
    "embedding_to_bytes",
    "find_duplicates",
    "score_from_distance",
]
