"""Selfie problems the customer can fix, each with its stable reason code."""

from __future__ import annotations

import numpy as np
from skimage import data

from openkyc.specimens.faces import face_by_id
from openkyc.specimens.selfies import render_selfie
from openkyc.verification.face import reasons
from openkyc.verification.face.images import decode_image
from openkyc.verification.face.matcher import FaceMatcher
from openkyc.verification.reasons import message


def test_a_good_selfie_has_no_reasons(matcher: FaceMatcher) -> None:
    image = decode_image(render_selfie(face_by_id("astronaut"), seed=1))
    selfie = matcher.analyse_selfie(image)
    assert selfie.analysis.face_count == 1
    assert selfie.analysis.reasons == ()
    assert selfie.analysis.usable


def test_no_face(matcher: FaceMatcher) -> None:
    selfie = matcher.analyse_selfie(np.ascontiguousarray(data.coffee()))
    assert selfie.analysis.reasons == (reasons.SELFIE_NO_FACE,)
    assert selfie.face is None


def test_two_faces(matcher: FaceMatcher) -> None:
    left = face_by_id("astronaut").portrait(320, 480)
    right = face_by_id("synth01").portrait(320, 480)
    selfie = matcher.analyse_selfie(np.ascontiguousarray(np.hstack([left, right])))
    assert selfie.analysis.face_count == 2
    assert reasons.SELFIE_MULTIPLE_FACES in selfie.analysis.reasons


def test_face_too_small(matcher: FaceMatcher) -> None:
    canvas = np.full((960, 720, 3), 200, dtype=np.uint8)
    canvas[400:520, 300:390] = face_by_id("astronaut").portrait(90, 120)
    selfie = matcher.analyse_selfie(canvas)
    assert selfie.analysis.face_count == 1
    assert reasons.SELFIE_FACE_TOO_SMALL in selfie.analysis.reasons


def test_face_turned_away(matcher: FaceMatcher) -> None:
    # A real photo of a face turned about 45 degrees (measured by the mesh).
    image = face_by_id("synth01_turned").portrait(480, 640)
    selfie = matcher.analyse_selfie(image)
    assert selfie.face is not None
    assert reasons.SELFIE_FACE_TURNED_AWAY in selfie.analysis.reasons


def test_face_cut_off(matcher: FaceMatcher) -> None:
    portrait = face_by_id("astronaut").portrait(480, 640)
    # Shift the face so that its right part leaves the frame.
    shifted = np.ascontiguousarray(portrait[:, 150:])
    shifted = np.ascontiguousarray(np.hstack([np.full((640, 150, 3), 180, np.uint8), shifted]))
    selfie = matcher.analyse_selfie(np.ascontiguousarray(shifted[:, 200:]))
    assert selfie.face is not None
    assert reasons.SELFIE_FACE_CUT_OFF in selfie.analysis.reasons


def test_every_face_reason_has_three_languages() -> None:
    codes = [v for k, v in vars(reasons).items() if k.isupper() and isinstance(v, str)]
    assert len(codes) >= 12
    for code in codes:
        texts = {lang: message(code, lang) for lang in ("en", "ru", "kk")}
        assert len(set(texts.values())) == 3, code
        assert all(texts.values())
