"""The capture gate on pale documents on pale tables, and on the TD2 and visa kinds: clean
captures raise nothing, small ones are still too small."""

from __future__ import annotations

import dataclasses
import random

import pytest

from openkyc.specimens.documents import (
    Distortion,
    RenderedDocument,
    random_distortion,
    random_identity,
    render_document,
)
from openkyc.specimens.faces import source_faces
from openkyc.verification.document.images import shrink, to_bgr
from openkyc.verification.document.outline import find_document
from openkyc.verification.quality import check_capture
from openkyc.verification.quality import reasons as q
from openkyc.verification.quality.check import _WORK_SIDE


def _render(kind: str, seed: int, **changes: object) -> RenderedDocument:
    rng = random.Random(seed)
    base = Distortion(name="test", rotation_deg=3.0, fill=0.8, background="light")
    distortion = dataclasses.replace(base, **changes)  # type: ignore[arg-type]
    return render_document(kind, random_identity(kind, rng), source_faces()[0], distortion, seed)


def _colour_area(jpeg: bytes) -> float:
    bgr = to_bgr(jpeg)
    scale = min(1.0, _WORK_SIDE / max(bgr.shape[:2]))
    framing = find_document(shrink(bgr, scale), scale)
    return 0.0 if framing is None else framing.area_share


@pytest.mark.parametrize("kind", ["kz_id_card", "td1_id_card"])
def test_a_pale_card_front_on_a_light_table_is_not_too_small(kind: str) -> None:
    # The colour segmentation sees only the print of these fronts (the false alarm);
    # the outline of the card gives its real size, and the face and sharpness are judged on it.
    doubted = 0
    for seed in (1, 5, 7, 8, 11):
        doc = _render(kind, seed)
        doubted += _colour_area(doc.front_jpeg) < 0.1
        report = check_capture(doc.front_jpeg, side="front", kind=kind)
        assert report.ok, (seed, report.codes, report.metrics)
        assert report.metrics["document_area"] > 0.3
    assert doubted >= 2  # the case the fallback exists for was exercised


def test_a_whole_card_near_the_frame_edge_on_a_light_table_is_not_cut_off() -> None:
    # A clean capture: the card's shadow and the table's shading join the colour region to the
    # frame edge, which made the whole card look cut off.
    rng = random.Random(39)
    identity = random_identity("td1_id_card", rng)
    distortion = random_distortion("clean", rng, kind="td1_id_card")
    assert distortion.background == "light"
    doc = render_document("td1_id_card", identity, source_faces()[1], distortion, 39)
    assert doc.back_jpeg is not None
    bgr = to_bgr(doc.back_jpeg)
    scale = min(1.0, _WORK_SIDE / max(bgr.shape[:2]))
    colour = find_document(shrink(bgr, scale), scale)
    assert colour is not None
    assert colour.touches > 0  # the case the fallback exists for
    for side, image in (("front", doc.front_jpeg), ("back", doc.back_jpeg)):
        report = check_capture(image, side=side, kind="td1_id_card")
        assert report.ok, (side, report.codes, report.metrics)


@pytest.mark.parametrize("offset", [(0.3, 0.0), (0.0, 0.25), (-0.3, 0.1)])
def test_a_card_cut_off_on_a_light_table_is_still_cut_off(offset: tuple[float, float]) -> None:
    doc = _render("td1_id_card", 5, offset=offset, fill=0.85)
    assert doc.back_jpeg is not None
    for side, image in (("front", doc.front_jpeg), ("back", doc.back_jpeg)):
        report = check_capture(image, side=side, kind="td1_id_card")
        # The outline of a cut card is open, so it never replaces the colour region; where that
        # region is only the print (a pale front), the card is called too small instead: either
        # way the capture is refused.
        assert {q.CAPTURE_CUT_OFF, q.CAPTURE_TOO_SMALL} & set(report.codes), (side, report.metrics)
        if side == "back":
            assert q.CAPTURE_CUT_OFF in report.codes


def test_a_distant_card_on_a_light_table_is_still_too_small() -> None:
    doc = _render("td1_id_card", 5, fill=0.25)
    report = check_capture(doc.front_jpeg, side="front", kind="td1_id_card")
    assert q.CAPTURE_TOO_SMALL in report.codes


@pytest.mark.parametrize("kind", ["td2_document", "visa"])
def test_clean_td2_and_visa_captures_pass(kind: str) -> None:
    for seed in range(4):
        rng = random.Random(seed)
        identity = random_identity(kind, rng)
        distortion = random_distortion("clean", rng, kind=kind)
        doc = render_document(kind, identity, source_faces()[seed], distortion, seed)
        report = check_capture(doc.front_jpeg, side="front", kind=kind)
        assert report.ok, (seed, report.codes, report.metrics)
        assert report.metrics["face_found"] == 1.0


def test_a_visa_zone_pitch_counts_its_own_characters() -> None:
    pitches = {}
    for seed in range(8):
        doc = _render("visa", seed, background="dark")
        report = check_capture(doc.front_jpeg, side="front", kind="visa")
        length = len(doc.truth["mrz_lines"][0])
        xs = [p[0] for p in doc.truth["mrz_quad"]]
        true_pitch = (max(xs) - min(xs)) / length
        pitches[length] = report.metrics["zone_pitch"] / true_pitch
    # MRV-B (36 characters) is not measured as if it had 44, which would call it too small.
    assert set(pitches) == {36, 44}
    assert all(0.85 < ratio < 1.15 for ratio in pitches.values()), pitches


@pytest.mark.parametrize("kind", ["td2_document", "visa"])
def test_blurred_and_dark_new_kinds_are_flagged(kind: str) -> None:
    blurred = _render(kind, 2, background="dark", blur_sigma=3.0)
    assert q.CAPTURE_BLURRED in check_capture(blurred.front_jpeg, kind=kind).codes
    dark = _render(kind, 2, background="dark", brightness=0.3)
    assert q.CAPTURE_TOO_DARK in check_capture(dark.front_jpeg, kind=kind).codes
