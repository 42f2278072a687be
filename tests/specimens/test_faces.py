"""The shipped source faces: one findable face per crop, exact portrait sizes, recorded licences."""

from __future__ import annotations

import dlib
import numpy as np
import pytest

from openkyc.specimens.faces import face_by_id, source_faces


def test_every_face_has_origin_licence_and_unique_id() -> None:
    faces = source_faces()
    assert len(faces) >= 15
    assert len({face.face_id for face in faces}) == len(faces)
    for face in faces:
        assert face.origin
        assert face.licence
    assert "public domain" in face_by_id("astronaut").licence


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
