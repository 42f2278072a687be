"""What the speed levers of the reader must keep: the recogniser input's proportions, the located
zone's guessed text direction, and the per-stage timings that show where the time goes."""

from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path

import cv2
import dlib
import numpy as np
import pytest

from openkyc.specimens.documents import Distortion, random_identity, render_document
from openkyc.specimens.faces import source_faces
from openkyc.verification.document import DocumentReader, ocr
from openkyc.verification.document.images import to_bgr, to_grey
from openkyc.verification.document.locate import find_zones
from openkyc.verification.hog import SAVED_DETECTOR, frontal_face_detector


def test_model_input_keeps_the_rows_proportions() -> None:
    row = np.full((40, 1000, 3), 255, dtype=np.uint8)
    batch = ocr._model_input(row, (3, 48, 320))
    assert batch.shape[:3] == (1, 3, 48)
    # Squeezed along the text, rows of fillers lost characters: scaled alike both ways.
    assert batch.shape[3] == 1200
    assert batch.dtype == np.float32
    assert float(batch.max()) == pytest.approx(1.0)


def test_short_crops_are_padded_to_the_models_minimum_width() -> None:
    row = np.zeros((48, 40, 3), dtype=np.uint8)
    batch = ocr._model_input(row, (3, 48, 320))
    assert batch.shape == (1, 3, 48, 320)
    # Padding is zero (mid grey after normalisation), the text black (-1).
    assert float(batch[0, 0, 0, 0]) == pytest.approx(-1.0)
    assert float(batch[0, 0, 0, -1]) == 0.0


def test_each_characters_runner_ups_come_likeliest_first() -> None:
    row = np.full((44, 520, 3), 255, dtype=np.uint8)
    cv2.putText(row, "P<UTOERIKSSON<<ANNA", (6, 34), cv2.FONT_HERSHEY_SIMPLEX, 1.1, (0, 0, 0), 2)
    read = ocr.shared_ocr().recognise_chars(row)
    assert read.text
    assert len(read.alternatives) == len(read.text)
    for char, options in zip(read.text, read.alternatives, strict=True):
        assert 1 <= len(options) <= 4
        # The character read is its frame's likeliest class; the runner-ups follow in order.
        assert options[0][0] == char
        probabilities = [p for _, p in options]
        assert probabilities == sorted(probabilities, reverse=True)


def test_the_portraits_face_detector_finds_what_dlibs_own_finds() -> None:
    grey = cv2.cvtColor(source_faces()[0].portrait(240, 300), cv2.COLOR_RGB2GRAY)
    ours = frontal_face_detector()(grey, 0)
    theirs = dlib.get_frontal_face_detector()(grey, 0)
    assert len(ours) == 1
    assert [(r.left(), r.top(), r.right(), r.bottom()) for r in ours] == [
        (r.left(), r.top(), r.right(), r.bottom()) for r in theirs
    ]


@pytest.mark.skipif(dlib.__version__ != "20.0.1", reason="the copy is of dlib 20.0.1's")
def test_the_saved_face_detector_is_dlibs_own(tmp_path: Path) -> None:
    # Saved once from dlib (it loads in ~1 ms, dlib builds its own in ~0.5 s): the same bytes.
    dlib.get_frontal_face_detector().save(str(tmp_path / "detector.svm"))
    saved = SAVED_DETECTOR
    assert saved.read_bytes() == (tmp_path / "detector.svm").read_bytes()


def _text_direction(kind: str, seed: int, rotation: float) -> float:
    """The cosine between the located zone's angle and the true direction of its text."""
    rng = random.Random(seed)
    identity = random_identity(kind, rng)
    distortion = Distortion(name="test", rotation_deg=rotation, fill=0.8)
    doc = render_document(kind, identity, source_faces()[0], distortion, seed)
    image = doc.front_jpeg if doc.truth["mrz_side"] == "front" else doc.back_jpeg
    assert image is not None
    zones = find_zones(to_grey(to_bgr(image)))
    assert zones
    quad = np.asarray(doc.truth["mrz_quad"], dtype=np.float64)
    along = quad[1] - quad[0]
    theta = math.radians(zones[0].angle)
    return (math.cos(theta) * along[0] + math.sin(theta) * along[1]) / float(np.hypot(*along))


@pytest.mark.slow
@pytest.mark.parametrize("rotation", [0.0, 90.0, 180.0, -100.0, 170.0])
@pytest.mark.parametrize(
    ("kind", "seed"), [("td3_passport", 31), ("kz_id_card", 32), ("ru_internal_passport", 33)]
)
def test_located_zone_reads_upright_at_any_rotation(kind: str, seed: int, rotation: float) -> None:
    # The zone's angle turns its text to read left to right, not upside down.
    assert _text_direction(kind, seed, rotation) > 0.9


@pytest.mark.slow
def test_timings_name_the_stages_and_the_models_share() -> None:
    rng = random.Random(34)
    identity = random_identity("td3_passport", rng)
    doc = render_document(
        "td3_passport", identity, source_faces()[1], Distortion(name="test", fill=0.85), 34
    )
    result = DocumentReader(visual_zone=False).read(doc.front_jpeg, today=dt.date(2026, 1, 15))
    assert result.valid
    ms = {t.stage: t.ms for t in result.timings}
    assert {"decode", "front.locate", "front.ocr", "ocr.recognise", "total"} <= set(ms)
    # The recogniser runs inside the zone-reading stage: never more than it, never nothing.
    assert 0 < ms["ocr.recognise"] <= ms["front.ocr"] <= ms["total"]
