"""Synthetic identity documents photographed on a table, with exact ground truth.

``render_document`` is deterministic for a given (kind, identity, face, distortion, seed): the
seed drives every stylistic choice (fonts, tints, offsets, MRZ pitch) and the photograph.
``varied=True`` adds layout variety (photo left or right, label placement, more fonts and
security prints, see ``styles.py``) drawn from a generator of its own, so the classic rendering
of a seed is unchanged.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .distort import (
    DISTORTION_NAMES,
    HARD_CONDITION_NAMES,
    Distortion,
    encode_jpeg,
    hard_distortion,
    map_box,
    photograph,
    random_distortion,
)
from .faces import SourceFace, source_faces
from .identities import SpecimenIdentity, random_identity, valid_on
from .layouts import PortraitSource, draw_document
from .styles import varied_style

__all__ = [
    "DISTORTION_NAMES",
    "DOCUMENT_KINDS",
    "EXTRA_KINDS",
    "HARD_CONDITION_NAMES",
    "Distortion",
    "EvaluationDraw",
    "RenderedDocument",
    "SpecimenIdentity",
    "evaluation_draws",
    "hard_distortion",
    "random_distortion",
    "random_identity",
    "render_document",
    "valid_on",
]

DOCUMENT_KINDS = (
    "ru_internal_passport",
    "ru_international_passport",
    "kz_passport",
    "kz_id_card",
    "td3_passport",
    "td1_id_card",
    "td2_document",
    "visa",
)

# Kinds rendered on request only (tests, eval --kinds): not in DOCUMENT_KINDS, so that the
# default material of every evaluation stays what it was.
EXTRA_KINDS = ("fr_id_card",)

DOCUMENT_TYPES = {
    "ru_internal_passport": "passport",
    "ru_international_passport": "passport",
    "kz_passport": "passport",
    "kz_id_card": "id_card",
    "td3_passport": "passport",
    "td1_id_card": "id_card",
    # Every TD2 specimen's document code starts with I or A: the reader calls those id_card.
    "td2_document": "id_card",
    "visa": "visa",
    "fr_id_card": "id_card",
}


@dataclass(frozen=True, slots=True)
class RenderedDocument:
    front_jpeg: bytes
    back_jpeg: bytes | None
    # JSON-serialisable ground truth: kind, every field, the exact MRZ lines, face_id, boxes.
    truth: dict[str, Any]
    # Where the face photo is on the flat front artwork (x, y, w, h in pixels).
    portrait_box: tuple[int, int, int, int]


def _quad_json(quad: tuple[tuple[float, float], ...]) -> list[list[float]]:
    return [[round(x, 1), round(y, 1)] for x, y in quad]


def _identity_json(identity: SpecimenIdentity) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in identity.__dataclass_fields__:
        value = getattr(identity, name)
        out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def render_document(
    kind: str,
    identity: SpecimenIdentity,
    face: PortraitSource,
    distortion: Distortion,
    seed: int,
    *,
    varied: bool = False,
) -> RenderedDocument:
    if kind not in DOCUMENT_KINDS + EXTRA_KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    if identity.kind != kind:
        raise ValueError(f"identity was made for {identity.kind}, not {kind}")
    rng = random.Random(seed)
    # The style's seed is derived from the document's seed, not drawn from its generator.
    style = varied_style(seed * 7919 + 26) if varied else None
    flat = draw_document(identity, face, rng, style)

    mrz_x, mrz_y, mrz_w, mrz_h = flat.mrz_box
    mrz_centre_flat = (mrz_x + mrz_w / 2, mrz_y + mrz_h / 2)
    # Glare aimed at the zone is placed after the homography is known, so photograph twice
    # only in that case; the first call fixes the geometry for the same seed.
    front_rng = random.Random(rng.randrange(2**32))
    front_state = front_rng.getstate()
    front_zone = None if flat.mrz_on_back else flat.mrz_box
    front, front_matrix, front_quad = photograph(
        flat.front, distortion, front_rng, zone_box=front_zone
    )
    back_jpeg: bytes | None = None
    back_quad = None
    if flat.back is not None:
        back_rng = random.Random(rng.randrange(2**32))
        back_state = back_rng.getstate()
        back, back_matrix, back_quad = photograph(
            flat.back, distortion, back_rng, zone_box=flat.mrz_box
        )
        if distortion.glare_on_mrz:
            centre = map_box(
                back_matrix, (round(mrz_centre_flat[0]), round(mrz_centre_flat[1]), 0, 0)
            )[0]
            back_rng.setstate(back_state)
            back, back_matrix, back_quad = photograph(
                flat.back, distortion, back_rng, glare_centre=centre, zone_box=flat.mrz_box
            )
        back_jpeg = encode_jpeg(back, distortion.jpeg_quality)
        mrz_quad = map_box(back_matrix, flat.mrz_box)
    else:
        if distortion.glare_on_mrz:
            centre = map_box(
                front_matrix, (round(mrz_centre_flat[0]), round(mrz_centre_flat[1]), 0, 0)
            )[0]
            front_rng.setstate(front_state)
            front, front_matrix, front_quad = photograph(
                flat.front, distortion, front_rng, glare_centre=centre, zone_box=front_zone
            )
        mrz_quad = map_box(front_matrix, flat.mrz_box)
    front_jpeg = encode_jpeg(front, distortion.jpeg_quality)

    truth: dict[str, Any] = {
        "kind": kind,
        "document_type": DOCUMENT_TYPES[kind],
        "face_id": face.face_id,
        "seed": seed,
        "distortion": {name: getattr(distortion, name) for name in distortion.__dataclass_fields__},
        "mrz_lines": list(flat.mrz_lines),
        "mrz_side": "back" if flat.mrz_on_back else "front",
        "mrz_quad": _quad_json(mrz_quad),
        "document_quad": _quad_json(front_quad),
        "back_document_quad": _quad_json(back_quad) if back_quad is not None else None,
        "portrait_box_flat": list(flat.portrait_box),
        "portrait_quad": _quad_json(map_box(front_matrix, flat.portrait_box)),
        "identity": _identity_json(identity),
        "printed": dict(flat.printed),
        "varied": varied,
    }
    return RenderedDocument(front_jpeg, back_jpeg, truth, flat.portrait_box)


@dataclass(frozen=True, slots=True)
class EvaluationDraw:
    """One specimen of the document evaluation: what to render at ``index``."""

    index: int
    kind: str
    condition: str
    identity: SpecimenIdentity
    face: SourceFace
    distortion: Distortion
    seed: int  # render_document's seed


def evaluation_draws(
    n: int,
    seed: int,
    *,
    hard: bool,
    kinds: Sequence[str] = DOCUMENT_KINDS,
    conditions: Sequence[str] | None = None,
) -> Iterator[EvaluationDraw]:
    """The first ``n`` specimens of ``eval/documents.py``'s material at ``seed``, in order,
    drawn from one generator (so a caller that skips some still draws them: the same index is
    the same document everywhere). Classic material pairs every kind with each condition in
    turn; hard material moves every kind on by one more condition each round, so that a small
    ``n`` spreads over all conditions and every kind meets every condition in time."""
    names = list(conditions or (HARD_CONDITION_NAMES if hard else DISTORTION_NAMES))
    rng = random.Random(seed)
    faces = source_faces()
    for i in range(n):
        kind = kinds[i % len(kinds)]
        round_, k = divmod(i, len(kinds))
        if hard:
            condition = names[(round_ * (len(kinds) + 1) + k) % len(names)]
            identity = random_identity(kind, rng)
            distortion = hard_distortion(condition, rng, kind=kind)
        else:
            condition = names[round_ % len(names)]
            identity = random_identity(kind, rng)
            distortion = random_distortion(condition, rng, kind=kind)
        face = faces[i % len(faces)]
        yield EvaluationDraw(i, kind, condition, identity, face, distortion, seed * 100_000 + i)
