"""The harder specimen material of issue 26: its conditions, varied layouts, the thumb and the
bent page."""

from __future__ import annotations

import dataclasses
import random

import cv2
import numpy as np
import pytest

from openkyc.specimens.distort import Distortion, photograph
from openkyc.specimens.documents import (
    DISTORTION_NAMES,
    HARD_CONDITION_NAMES,
    evaluation_draws,
    hard_distortion,
    random_identity,
    render_document,
)
from openkyc.specimens.faces import source_faces
from openkyc.specimens.scene import BUSY_BACKGROUNDS, busy_background
from openkyc.verification.document.mrz_parse import parse


def _decode(jpeg: bytes) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)


@pytest.mark.parametrize("name", HARD_CONDITION_NAMES)
def test_every_hard_condition_renders_a_valid_zone(name: str) -> None:
    rng = random.Random(11)
    kind = "kz_id_card"
    distortion = hard_distortion(name, rng, kind=kind)
    assert distortion.name == name
    doc = render_document(kind, random_identity(kind, rng), source_faces()[0], distortion, 3,
                          varied=True)  # fmt: skip
    assert doc.back_jpeg is not None
    assert parse(doc.truth["mrz_lines"]).valid
    assert doc.truth["varied"] is True


def test_a_phone_held_upright_turns_the_card_in_a_portrait_frame() -> None:
    rng = random.Random(2)
    for name, sign in (("upright_90", 1), ("upright_270", -1)):
        distortion = hard_distortion(name, rng, kind="td1_id_card")
        width, height = distortion.frame
        assert height > width
        assert abs(distortion.rotation_deg - sign * 90) <= 6
        assert distortion.fill >= 0.8


def test_strong_jpeg_is_below_quality_55() -> None:
    rng = random.Random(4)
    assert all(hard_distortion("jpeg_low", rng).jpeg_quality < 55 for _ in range(20))


def test_variety_keeps_identity_and_zone_but_changes_the_artwork() -> None:
    rng = random.Random(9)
    kind = "td3_passport"
    identity = random_identity(kind, rng)
    distortion = hard_distortion("clean", rng, kind=kind)
    face = source_faces()[0]
    classic = render_document(kind, identity, face, distortion, 42)
    varied = render_document(kind, identity, face, distortion, 42, varied=True)
    again = render_document(kind, identity, face, distortion, 42, varied=True)
    assert varied.truth["mrz_lines"] == classic.truth["mrz_lines"]
    assert varied.front_jpeg == again.front_jpeg
    assert varied.front_jpeg != classic.front_jpeg


def test_varied_layouts_put_the_photo_on_either_side() -> None:
    kind = "td3_passport"
    sides = set()
    for seed in range(12):
        rng = random.Random(seed)
        doc = render_document(kind, random_identity(kind, rng), source_faces()[0],
                              Distortion(), seed, varied=True)  # fmt: skip
        x, _, w, _ = doc.portrait_box
        sides.add("right" if x + w / 2 > 625 else "left")
    assert sides == {"left", "right"}


def _flat_card() -> np.ndarray:
    flat = np.full((540, 856, 3), 235, np.uint8)
    flat[340:480, 40:816] = 20  # a dark band where the zone would be
    return flat


def test_a_thumb_covers_a_corner_but_not_the_zone() -> None:
    flat = _flat_card()
    base = Distortion(rotation_deg=0.0, fill=0.8, perspective=0.0, background="light", noise=0.0)
    plain, _, _ = photograph(flat, base, random.Random(5), zone_box=(40, 340, 776, 140))
    held, matrix, _ = photograph(flat, dataclasses.replace(base, thumb=True), random.Random(5),
                                 zone_box=(40, 340, 776, 140))  # fmt: skip
    changed = np.abs(held.astype(int) - plain.astype(int)).max(axis=2) > 40
    assert changed.sum() > 2000
    zone = np.zeros(changed.shape, np.uint8)
    corners = cv2.perspectiveTransform(
        np.array([[(40, 340), (816, 340), (816, 480), (40, 480)]], np.float64), matrix
    )[0]
    cv2.fillConvexPoly(zone, corners.round().astype(np.int32), (1,))
    assert not np.any(changed & zone.astype(bool))


def test_a_bent_page_curves_its_rows() -> None:
    flat = np.full((540, 856, 3), 235, np.uint8)
    flat[268:272, :] = 0  # one thin horizontal rule across the middle
    base = Distortion(rotation_deg=0.0, fill=0.8, perspective=0.0, background="light", noise=0.0)
    bent, _, quad = photograph(flat, dataclasses.replace(base, bend=0.04), random.Random(1))
    grey = bent.min(axis=2)
    left = round(quad[0][0] + 20)
    middle = round((quad[0][0] + quad[1][0]) / 2)

    def rule_row(column: int) -> int:
        return int(np.argmin(grey[:, column]))

    # The middle of the rule moves by about bend x the document's height; its ends hardly.
    assert abs(rule_row(middle) - rule_row(left)) > 8


@pytest.mark.parametrize("kind", BUSY_BACKGROUNDS)
def test_busy_backgrounds_have_structure(kind: str) -> None:
    image = busy_background(kind, 320, 240, np.random.default_rng(0))
    assert image.shape == (240, 320, 3)
    edges = cv2.Canny(np.clip(image, 0, 255).astype(np.uint8), 50, 150)
    assert edges.mean() > 1.0


def test_the_evaluation_draws_are_the_same_on_every_run_and_forty_cover_every_condition() -> None:
    first = [(d.kind, d.condition, d.identity, d.seed) for d in evaluation_draws(40, 7, hard=True)]
    again = [(d.kind, d.condition, d.identity, d.seed) for d in evaluation_draws(40, 7, hard=True)]
    assert first == again
    assert {condition for _, condition, _, _ in first} == set(HARD_CONDITION_NAMES)
    classic = list(evaluation_draws(16, 7, hard=False, kinds=["kz_id_card", "visa"]))
    assert [d.kind for d in classic[:4]] == ["kz_id_card", "visa", "kz_id_card", "visa"]
    assert [d.condition for d in classic[:4]] == [DISTORTION_NAMES[0]] * 2 + [
        DISTORTION_NAMES[1]
    ] * 2
