"""The rows of one zone reach the recogniser at one scale: a name row of mostly fillers must not
be cropped shorter (and so fed wider, at more cost) than the row below it."""

from __future__ import annotations

import random

import numpy as np
import pytest

from openkyc.specimens.documents import Distortion, random_identity, render_document
from openkyc.specimens.faces import source_faces
from openkyc.verification.document import ocr, rows
from openkyc.verification.document.images import to_bgr, to_grey
from openkyc.verification.document.locate import find_zones, upright_crop
from openkyc.verification.document.rows import Row, split_rows


def _zone_crop(kind: str, seed: int) -> np.ndarray:
    identity = random_identity(kind, random.Random(seed))
    distortion = Distortion(name="test", fill=0.8)
    doc = render_document(kind, identity, source_faces()[0], distortion, seed)
    image = doc.front_jpeg if doc.truth["mrz_side"] == "front" else doc.back_jpeg
    assert image is not None
    bgr = to_bgr(image)
    zones = find_zones(to_grey(bgr))
    assert zones
    return upright_crop(bgr, zones[0], flip=False, target_width=1100)


def _input_widths(crop: np.ndarray, split: list[Row]) -> list[int]:
    return [
        ocr._model_input(crop[r.top : r.bottom, r.left : r.right], (3, 48, 320)).shape[3]
        for r in split
    ]


@pytest.mark.parametrize(("kind", "seed"), [("td3_passport", 41), ("td1_id_card", 42)])
def test_rows_of_a_zone_share_one_height(kind: str, seed: int) -> None:
    crop = _zone_crop(kind, seed)
    split = split_rows(crop)
    assert len(split) == (3 if kind == "td1_id_card" else 2)
    heights = {r.bottom - r.top for r in split}
    # Rows at the crop's edge may be clipped by a pixel or two, never more.
    assert max(heights) - min(heights) <= 2, split
    widths = _input_widths(crop, split)
    assert max(widths) <= 1.05 * min(widths), widths


def test_name_row_is_fed_narrower_than_by_its_own_band(monkeypatch: pytest.MonkeyPatch) -> None:
    crop = _zone_crop("td3_passport", 41)
    equal = _input_widths(crop, split_rows(crop))
    monkeypatch.setattr(rows, "EQUAL_HEIGHTS", False)
    own = _input_widths(crop, split_rows(crop))
    # The name row's own band is thinner (fillers are short): it was fed ~14% wider.
    assert equal[0] < 0.95 * own[0]
    assert equal[1] == own[1]


def test_rows_grow_about_their_centre_clipped_to_the_crop() -> None:
    grown = rows._same_height([Row(0, 10, 0, 50), Row(20, 40, 0, 50), Row(50, 58, 0, 50)], 60)
    assert [(r.top, r.bottom) for r in grown] == [(0, 15), (20, 40), (44, 60)]


def test_a_crop_without_rows_gives_none() -> None:
    assert split_rows(np.full((60, 400, 3), 255, dtype=np.uint8)) == []
