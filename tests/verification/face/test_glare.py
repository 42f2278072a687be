"""Glare over the document portrait asks for a retake instead of a mismatch decline."""

from __future__ import annotations

import random

import numpy as np

from openkyc.specimens.documents import random_distortion, random_identity, render_document
from openkyc.specimens.faces import face_by_id
from openkyc.specimens.selfies import render_selfie
from openkyc.verification.face import glare, reasons
from openkyc.verification.face.geometry import Box
from openkyc.verification.face.images import RGBImage, decode_image
from openkyc.verification.face.matcher import FaceMatcher
from openkyc.verification.reasons import reason


def _document(face_id: str) -> tuple[RGBImage, Box]:
    rng = random.Random(face_id)
    kind = "kz_passport"
    rendered = render_document(
        kind,
        random_identity(kind, rng),
        face_by_id(face_id),
        random_distortion("clean", rng, kind=kind),
        seed=5,
    )
    quad = np.array(rendered.truth["portrait_quad"])
    (x0, y0), (x1, y1) = quad.min(axis=0), quad.max(axis=0)
    return decode_image(rendered.front_jpeg), Box(x0, y0, x1 - x0, y1 - y0)


def _glared(image: RGBImage, box: Box, strength: float) -> RGBImage:
    """A specular highlight centred on the portrait, added as the specimen renderer adds it."""
    yy, xx = np.mgrid[0 : image.shape[0], 0 : image.shape[1]].astype(np.float32)
    cx, cy = box.x + box.w / 2, box.y + box.h * 0.45
    radius = 0.45 * box.w
    blob = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * radius**2))
    return np.clip(image + (blob * strength)[..., None], 0, 255).astype(np.uint8)


def _selfies(face_id: str) -> list[RGBImage]:
    return [decode_image(render_selfie(face_by_id(face_id), seed=s)) for s in (21, 22)]


def test_clean_portrait_has_no_glare() -> None:
    document, box = _document("synth04")
    assert glare.region_share(document, box) < 0.01


def test_glare_share_grows_with_the_highlight() -> None:
    document, box = _document("synth04")
    mild = glare.region_share(_glared(document, box, 60.0), box)
    strong = glare.region_share(_glared(document, box, 400.0), box)
    assert mild < glare.RETAKE_SHARE <= strong
    saturated_chip = np.full((150, 150, 3), 255, dtype=np.uint8)
    assert glare.saturated_share(saturated_chip) == 1.0
    assert glare.saturated_share(np.zeros((150, 150, 3), dtype=np.uint8)) == 0.0


def test_only_a_portrait_that_did_not_match_is_sent_back() -> None:
    assert not glare.asks_retake("match", 0.9)
    assert glare.asks_retake("mismatch", glare.RETAKE_SHARE)
    assert glare.asks_retake("not_compared", 0.9)
    assert not glare.asks_retake("mismatch", 0.1)


def test_glared_portrait_asks_for_a_retake(matcher: FaceMatcher) -> None:
    document, box = _document("synth04")
    result = matcher.match(_glared(document, box, 400.0), _selfies("synth04"), box)
    assert result.decision == "retake"
    assert result.matched is None
    assert reasons.DOCUMENT_PORTRAIT_GLARE in result.reasons
    assert reasons.FACE_MISMATCH not in result.reasons
    assert reasons.DOCUMENT_FACE_NOT_FOUND not in result.reasons
    assert result.document_glare is not None
    assert result.document_glare >= glare.RETAKE_SHARE


def test_clean_portrait_still_matches(matcher: FaceMatcher) -> None:
    document, box = _document("synth04")
    result = matcher.match(document, _selfies("synth04"), box)
    assert result.decision == "match"
    assert result.document_glare is not None
    assert result.document_glare < 0.01
    assert reasons.DOCUMENT_PORTRAIT_GLARE not in result.reasons


def test_glare_reason_is_fixable_and_translated() -> None:
    text = reason(reasons.DOCUMENT_PORTRAIT_GLARE)
    assert text.fixable
    assert all((text.en, text.ru, text.kk))
