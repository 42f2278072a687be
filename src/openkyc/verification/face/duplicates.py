"""1:N search of one selfie embedding against a merchant's stored embeddings.

Pure: storage, decryption and the merchant scoping are the caller's job; this only ranks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from openkyc.verification.face.calibration import MATCH_THRESHOLD, score_from_distance
from openkyc.verification.face.embedding import embedding_from_bytes


@dataclass(frozen=True, slots=True)
class DuplicateCandidate:
    """A stored embedding to search: ``key`` identifies the session, ``identity`` the document
    identity it was verified with (e.g. a hash of country + number)."""

    key: str
    identity: str
    embedding: bytes


@dataclass(frozen=True, slots=True)
class DuplicateHit:
    key: str
    identity: str
    distance: float
    score: float
    different_identity: bool


def find_duplicates(
    probe: bytes,
    candidates: Iterable[DuplicateCandidate],
    *,
    identity: str | None = None,
    min_score: float = MATCH_THRESHOLD,
    limit: int = 10,
) -> list[DuplicateHit]:
    """Stored faces whose match score with ``probe`` is at least ``min_score``, best first.

    A hit with ``different_identity`` is the decision signal: the same face behind another
    document identity. Hits with the same identity are the same customer coming back. The
    default bar is the 1:1 match threshold; in a 1:N search false hits grow with N, so treat a
    hit as a reason for review, not as proof.
    """
    rows = list(candidates)
    if not rows:
        return []
    query = embedding_from_bytes(probe)
    matrix = np.stack([embedding_from_bytes(row.embedding) for row in rows])
    distances = np.linalg.norm(matrix - query[None, :], axis=1)
    hits: list[DuplicateHit] = []
    for index in np.argsort(distances, kind="stable"):
        distance = float(distances[index])
        score = score_from_distance(distance)
        if score < min_score or len(hits) >= limit:
            break
        row = rows[int(index)]
        hits.append(
            DuplicateHit(
                key=row.key,
                identity=row.identity,
                distance=distance,
                score=score,
                different_identity=identity is not None and row.identity != identity,
            )
        )
    return hits
