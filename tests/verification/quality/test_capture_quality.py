"""Capture quality checks on photos made to be dark, blurred, glared, cut off or too small."""

from __future__ import annotations

import dataclasses
import random
import statistics
import time

import cv2
import numpy as np
import pytest

from openkyc.specimens.documents import (
    Distortion,
    RenderedDocument,
    random_identity,
    render_document,
)
from openkyc.specimens.faces import source_faces
from openkyc.verification.quality import check_capture
from openkyc.verification.quality import reasons as q
from openkyc.verification.reasons import LANGUAGES, message


def _render(kind: str = "td3_passport", seed: int = 1, **changes: object) -> RenderedDocument:
    rng = random.Random(seed)
    base = Distortion(name="test", rotation_deg=3.0, fill=0.8, background="dark")
    distortion = dataclasses.replace(base, **changes)  # type: ignore[arg-type]
    return render_document(kind, random_identity(kind, rng), source_faces()[0], distortion, seed)


@pytest.fixture(scope="module")
def clean() -> RenderedDocument:
    return _render()


def test_a_good_capture_passes(clean: RenderedDocument) -> None:
    report = check_capture(clean.front_jpeg, side="front", kind="td3_passport")
    assert report.ok, report.findings
    assert report.metrics["face_found"] == 1.0
    assert report.document_box is not None


def test_card_front_and_back_pass_with_their_kind() -> None:
    doc = _render("kz_id_card", seed=2)
    assert doc.back_jpeg is not None
    assert check_capture(doc.front_jpeg, side="front", kind="kz_id_card").ok
    back = check_capture(doc.back_jpeg, side="back", kind="kz_id_card")
    assert back.ok, back.findings


def test_dark(clean: RenderedDocument) -> None:
    doc = _render(brightness=0.3)
    assert q.CAPTURE_TOO_DARK in check_capture(doc.front_jpeg, kind="td3_passport").codes


def test_blurred() -> None:
    doc = _render(blur_sigma=3.0)
    codes = check_capture(doc.front_jpeg, kind="td3_passport").codes
    assert q.CAPTURE_BLURRED in codes


def test_glare_over_the_zone() -> None:
    doc = _render(glare=0.8, glare_on_mrz=True)
    assert q.CAPTURE_GLARE in check_capture(doc.front_jpeg, kind="td3_passport").codes


def test_cut_off() -> None:
    doc = _render(offset=(0.38, 0.0), fill=0.85)
    assert q.CAPTURE_CUT_OFF in check_capture(doc.front_jpeg, kind="td3_passport").codes


def test_too_small() -> None:
    doc = _render(fill=0.25)
    assert q.CAPTURE_TOO_SMALL in check_capture(doc.front_jpeg, kind="td3_passport").codes


def test_no_document_no_face_no_zone() -> None:
    blank = np.full((720, 960, 3), 120, np.uint8)
    codes = check_capture(blank, side="front", kind="td3_passport").codes
    assert q.CAPTURE_MRZ_NOT_FOUND in codes
    assert q.CAPTURE_FACE_NOT_FOUND in codes


def test_face_photo_covered(clean: RenderedDocument) -> None:
    image = np.asarray(
        cv2.imdecode(np.frombuffer(clean.front_jpeg, np.uint8), cv2.IMREAD_COLOR), dtype=np.uint8
    )
    quad = np.array(clean.truth["portrait_quad"], np.int32)
    cv2.fillConvexPoly(image, quad, (200, 200, 200))
    assert q.CAPTURE_FACE_NOT_FOUND in check_capture(image, kind="td3_passport").codes


def test_unreadable_bytes() -> None:
    assert check_capture(b"\x00\x01 not an image").codes == (q.CAPTURE_UNREADABLE,)


def test_fast_enough_for_every_capture(clean: RenderedDocument) -> None:
    check_capture(clean.front_jpeg, kind="td3_passport")  # warm-up: the face detector loads once
    # CPU time, not wall time: the test machine is shared, and the budget is per core.
    times = []
    for _ in range(5):
        started = time.process_time()
        check_capture(clean.front_jpeg, kind="td3_passport")
        times.append((time.process_time() - started) * 1000)
    assert statistics.median(times) < 100


def test_every_code_has_real_translations() -> None:
    codes = [getattr(q, name) for name in dir(q) if name.startswith("CAPTURE_")]
    assert len(codes) == 8
    for code in codes:
        texts = {lang: message(code, lang) for lang in LANGUAGES}
        assert all(texts.values())
        assert len(set(texts.values())) == 3
        assert any(ch in texts["kk"] for ch in "әғқңөұүһі"), texts["kk"]
