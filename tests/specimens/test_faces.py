"""The shipped source faces: one findable face per crop, exact portrait sizes, recorded licences,
and nothing shipped that the manifest does not list."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import dlib
import numpy as np
import pytest

import openkyc.specimens
from openkyc.specimens.faces import face_by_id, source_faces
from openkyc.verification.face import calibration
from openkyc.verification.face.matcher import FaceMatcher

ASSETS = Path(openkyc.specimens.__file__).parent / "assets" / "faces"


def test_every_face_has_origin_licence_and_unique_id() -> None:
    faces = source_faces()
    assert len(faces) >= 12
    assert len({face.face_id for face in faces}) == len(faces)
    for face in faces:
        assert face.origin
        assert face.licence
    assert "public domain" in face_by_id("astronaut").licence


def test_every_shipped_photo_is_public_domain_and_listed() -> None:
    manifest = json.loads((ASSETS / "faces.json").read_text(encoding="utf-8"))
    listed = {entry["file"] for entry in manifest}
    shipped = {path.name for path in ASSETS.iterdir() if path.suffix in (".jpg", ".png")}
    assert shipped == listed
    for entry in manifest:
        assert entry["licence"].startswith("public domain"), entry["file"]
        assert "unclear" not in entry["licence"]


def test_the_turned_photo_is_another_photo_of_someone_in_the_set() -> None:
    turned = face_by_id("synth01_turned")
    assert turned.person_id == "synth01"
    assert turned.face_id not in {face.face_id for face in source_faces()}
    assert face_by_id("synth01").person_id == "synth01"


def test_the_people_of_the_set_are_different_people_for_the_matcher() -> None:
    # face_synthesis picks its faces far apart by the matcher's descriptor; the two
    # public-domain photos are two different people.
    matcher = FaceMatcher()
    vectors = {}
    for face in source_faces():
        image = face.portrait(480, 640)
        selfie = matcher.analyse_selfie(image)
        assert selfie.face is not None, face.face_id
        vectors[face.face_id] = matcher.embed(image, selfie.face)
    match_distance = calibration.distance_for_score(calibration.MATCH_THRESHOLD)
    closest = min(
        float(np.linalg.norm(vectors[a] - vectors[b]))
        for a, b in itertools.combinations(vectors, 2)
    )
    assert closest > match_distance


@pytest.mark.parametrize("size", [(120, 160), (300, 400), (413, 531)])
def test_portrait_has_exactly_the_requested_size(size: tuple[int, int]) -> None:
    width, height = size
    for face in source_faces():
        portrait = face.portrait(width, height)
        assert portrait.shape == (height, width, 3)
        assert portrait.dtype == np.uint8


def test_portrait_is_centred_on_the_one_face() -> None:
    detector = dlib.get_frontal_face_detector()
    for face in source_faces():
        portrait = face.portrait(300, 400)
        boxes = detector(portrait, 0)
        assert len(boxes) >= 1, face.face_id
        # The largest box is the subject; neighbours cut out of group photos are smaller.
        box = max(boxes, key=lambda b: b.width())
        assert abs(box.center().x - 150) < 40, face.face_id
        assert 0.25 * 400 < box.center().y < 0.6 * 400, face.face_id


def test_load_rgb_returns_a_writable_copy() -> None:
    face = source_faces()[0]
    image = face.load_rgb()
    image[0, 0] = 0
    assert image.shape[2] == 3
    assert face.load_rgb().flags.writeable
