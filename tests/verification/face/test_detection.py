"""Detection is confirmed by the face mesh; document portraits are found when small and grey."""

from __future__ import annotations

import random

import cv2
import dlib
import numpy as np
from skimage import data

from openkyc.specimens.documents import random_distortion, random_identity, render_document
from openkyc.specimens.faces import face_by_id
from openkyc.verification.face.geometry import Box
from openkyc.verification.face.images import decode_image
from openkyc.verification.face.matcher import FaceMatcher


def test_mission_patch_is_not_a_face(matcher: FaceMatcher) -> None:
    astronaut = np.ascontiguousarray(data.astronaut())
    # HOG alone boxes the mission patch too: the test would fail without mesh confirmation.
    hog_boxes = dlib.get_frontal_face_detector()(astronaut, 1)
    assert len(hog_boxes) == 2
    faces = matcher.detector.detect_selfie(astronaut)
    assert len(faces) == 1
    assert faces[0].box.y < 200  # the face, not the patch on the chest (y ~ 335)


def test_portrait_found_on_a_rendered_document(matcher: FaceMatcher) -> None:
    rng = random.Random(4)
    kind = "kz_id_card"
    rendered = render_document(
        kind,
        random_identity(kind, rng),
        face_by_id("hopper"),
        random_distortion("clean", rng, kind=kind),
        seed=8,
    )
    image = decode_image(rendered.front_jpeg)
    found = matcher.document_face(image, None)
    assert found is not None
    quad = np.array(rendered.truth["portrait_quad"])
    x0, y0 = quad.min(axis=0)
    x1, y1 = quad.max(axis=0)
    box = found.face.box
    assert found.rotation == 0.0
    assert x0 - 5 < box.cx < x1 + 5
    assert y0 - 5 < box.cy < y1 + 5


def test_small_grey_printed_portrait_is_found(matcher: FaceMatcher) -> None:
    portrait = face_by_id("synth01").portrait(90, 120)
    grey = cv2.cvtColor(portrait, cv2.COLOR_RGB2GRAY).astype(np.float32)
    printed = (90 + 0.45 * grey).astype(np.uint8)  # low contrast, lifted blacks
    card = np.full((600, 900), 215, dtype=np.uint8)
    card[240:360, 80:170] = printed
    rgb = np.ascontiguousarray(cv2.cvtColor(card, cv2.COLOR_GRAY2RGB))
    rgb = cv2.GaussianBlur(rgb, (0, 0), 0.7)
    found = matcher.document_face(np.asarray(rgb, np.uint8), Box(80, 240, 90, 120))
    assert found is not None
    assert found.face.mesh.box.w > 20


def test_upside_down_document_portrait_is_found(matcher: FaceMatcher) -> None:
    portrait = face_by_id("astronaut").portrait(150, 200)
    card = np.full((500, 700, 3), 225, dtype=np.uint8)
    card[150:350, 100:250] = portrait
    turned = np.ascontiguousarray(card[::-1, ::-1])
    found = matcher.document_face(turned, Box(450, 150, 150, 200))
    assert found is not None
    assert found.rotation == 180.0
    # The mesh found in the turned crop maps back onto the portrait in the document image.
    eyes = found.document_points(found.face.mesh.points[[33, 263]])
    assert np.all((eyes[:, 0] > 450) & (eyes[:, 0] < 600))
    assert np.all((eyes[:, 1] > 150) & (eyes[:, 1] < 350))
    # Turned by 180 degrees, the subject's right eye (33) lies right of the left one.
    assert eyes[0, 0] > eyes[1, 0]
