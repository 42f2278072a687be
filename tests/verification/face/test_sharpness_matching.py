"""Selfie chips are blurred down to the portrait's sharpness before they are compared."""

from __future__ import annotations

import itertools

import cv2
import numpy as np

from openkyc.specimens.faces import face_by_id
from openkyc.specimens.selfies import render_selfie
from openkyc.verification.face.embedding import embedding_from_bytes
from openkyc.verification.face.images import RGBImage, decode_image
from openkyc.verification.face.matcher import FaceMatcher
from openkyc.verification.face.sharpness import (
    BLUR_SIGMAS,
    matching_sigma,
    sharpness,
    sharpness_ladder,
)


def _chip(matcher: FaceMatcher) -> RGBImage:
    image = decode_image(render_selfie(face_by_id("astronaut"), seed=21))
    selfie = matcher.analyse_selfie(image)
    assert selfie.face is not None
    return matcher.frame_chip(image, selfie).chip


def test_blur_lowers_sharpness_and_contrast_does_not_change_it(matcher: FaceMatcher) -> None:
    chip = _chip(matcher)
    ladder = sharpness_ladder(chip)
    assert all(a > b for a, b in itertools.pairwise(ladder))
    flat = np.clip(chip.astype(np.float32) * 0.5 + 60, 0, 255).astype(np.uint8)
    assert abs(sharpness(flat) - sharpness(chip)) < 0.15 * sharpness(chip)


def test_sigma_matches_the_target_sharpness(matcher: FaceMatcher) -> None:
    chip = _chip(matcher)
    assert matching_sigma(chip, sharpness(chip) + 1e-9) == 0.0
    soft: RGBImage = np.asarray(cv2.GaussianBlur(chip, (0, 0), 1.2), dtype=np.uint8)
    sigma = matching_sigma(chip, sharpness(soft))
    assert 0.9 <= sigma <= 1.6
    assert matching_sigma(chip, 0.0) == BLUR_SIGMAS[-1]


def test_blurred_frame_is_compared_but_stored_unblurred(matcher: FaceMatcher) -> None:
    image = decode_image(render_selfie(face_by_id("astronaut"), seed=21))
    selfie = matcher.analyse_selfie(image)
    assert selfie.face is not None
    plain = matcher.frame_chip(image, selfie)
    soft = matcher.frame_chip(image, selfie, target_sharpness=0.0)
    assert plain.blur_sigma == 0.0
    assert soft.blur_sigma == BLUR_SIGMAS[-1]
    assert float(np.linalg.norm(plain.plain - soft.plain)) > 0.01
    compared = matcher.full_descriptor(soft)
    stored = matcher.stored_descriptor(soft, compared)
    assert np.allclose(stored, matcher.embed(image, selfie.face), atol=1e-5)
    assert len(embedding_from_bytes(stored.tobytes())) == 128
