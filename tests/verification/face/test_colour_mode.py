"""A grey-printed portrait is compared in grey; colour portraits and selfies stay in colour."""

from __future__ import annotations

import numpy as np

from openkyc.specimens.faces import face_by_id
from openkyc.verification.face.embed import GREY_CHROMA, FaceEmbedder, chroma
from openkyc.verification.face.images import RGBImage
from openkyc.verification.face.matcher import FaceMatcher, PortraitDescriptor


def _photo() -> RGBImage:
    return face_by_id("astronaut").portrait(480, 640)


def _grey(image: RGBImage) -> RGBImage:
    grey = (image.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)).round()
    return np.ascontiguousarray(np.dstack([grey] * 3).astype(np.uint8))


def test_chroma_tells_a_grey_print_from_a_colour_photo(matcher: FaceMatcher) -> None:
    image = _photo()
    chip = matcher.frame_chip(image, matcher.analyse_selfie(image)).chip
    assert chroma(chip) >= GREY_CHROMA
    assert chroma(_grey(chip)) < GREY_CHROMA


def test_prepare_keeps_colour_unless_asked_for_grey() -> None:
    chip = np.random.default_rng(0).integers(0, 255, (150, 150, 3), dtype=np.uint8)
    colour = FaceEmbedder.prepare(chip)
    grey = FaceEmbedder.prepare(chip, grey=True)
    assert np.array_equal(colour, chip)
    assert np.array_equal(grey[..., 0], grey[..., 1])
    assert np.array_equal(grey[..., 1], grey[..., 2])


def test_portrait_grey_follows_its_chroma() -> None:
    vector = np.zeros(128, np.float32)
    assert PortraitDescriptor(vector, 0.01, chroma=GREY_CHROMA - 0.1).grey
    assert not PortraitDescriptor(vector, 0.01, chroma=GREY_CHROMA + 0.1).grey


def test_selfie_is_compared_in_grey_with_a_grey_portrait(matcher: FaceMatcher) -> None:
    image = _photo()
    selfie = matcher.analyse_selfie(image)
    in_colour = matcher.frame_chip(image, selfie)
    in_grey = matcher.frame_chip(image, selfie, grey=True)
    assert not np.array_equal(in_colour.prepared[..., 0], in_colour.prepared[..., 1])
    assert np.array_equal(in_grey.prepared[..., 0], in_grey.prepared[..., 1])
    # The duplicate search keeps the colour descriptor whichever way the pair was compared.
    stored = matcher.stored_descriptor(in_grey, matcher.full_descriptor(in_grey))
    assert np.allclose(stored, matcher.full_descriptor(in_colour), atol=1e-5)
