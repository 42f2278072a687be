"""Selfie quality gates the customer can act on, measured on the face itself.

Thresholds are deliberately lenient: a gate that fires wrongly makes an honest customer retake
for nothing, while a weak selfie is still caught by the match score and by liveness.
"""

from __future__ import annotations

import cv2
import numpy as np

from openkyc.verification.face import reasons
from openkyc.verification.face.detect import DetectedFace
from openkyc.verification.face.geometry import Box
from openkyc.verification.face.images import RGBImage
from openkyc.verification.face.results import FaceObservation, SelfieAnalysis

# Face (mesh, cheek to cheek) narrower than this share of the shorter image side, or than this
# many pixels, is too small for a reliable descriptor (dlib aligns to a 150 px chip).
MIN_FACE_SHARE = 0.14
MIN_FACE_PIXELS = 72
# Beyond these the 5-point alignment degrades quickly.
MAX_YAW_DEGREES = 35.0
MAX_NOSE_OFFSET = 0.50
# Eye aspect ratio from the refined mesh: open eyes measure 0.20-0.40; smiles narrow them to
# ~0.06, shut eyes are below 0.04.
MIN_EYE_OPENNESS = 0.04
# Landmarks may fall outside the frame by this share of the face width before it counts as cut.
CUT_OFF_TOLERANCE = 0.03
MIN_BRIGHTNESS = 45.0
MIN_SHARPNESS = 12.0


def observe(face: DetectedFace, frame_index: int | None) -> FaceObservation:
    return FaceObservation(
        box=face.box.as_tuple(),
        detector=face.detector,
        yaw=round(face.mesh.yaw, 2),
        pitch=round(face.mesh.pitch, 2),
        roll=round(face.mesh.roll, 2),
        eye_openness=round(face.mesh.eye_openness, 3),
        frame_index=frame_index,
    )


def _face_crop_stats(image: RGBImage, box: Box) -> tuple[float, float]:
    height, width = image.shape[:2]
    x0, y0 = max(0, int(box.x)), max(0, int(box.y))
    x1, y1 = min(width, int(box.x + box.w)), min(height, int(box.y + box.h))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return 0.0, 0.0
    grey = cv2.cvtColor(np.ascontiguousarray(image[y0:y1, x0:x1]), cv2.COLOR_RGB2GRAY)
    # Sharpness on a fixed 128 px face so that it does not depend on the face's size.
    grey = cv2.resize(grey, (128, 128), interpolation=cv2.INTER_AREA)
    sharpness = float(cv2.Laplacian(grey, cv2.CV_64F).var())
    return sharpness, float(grey.mean())


def analyse_selfie(image: RGBImage, faces: list[DetectedFace], frame_index: int) -> SelfieAnalysis:
    """Reasons a customer can fix, for one selfie frame and its confirmed faces."""
    if not faces:
        return SelfieAnalysis(frame_index, 0, None, (reasons.SELFIE_NO_FACE,), None, None)
    found: list[str] = []
    if len(faces) > 1:
        found.append(reasons.SELFIE_MULTIPLE_FACES)
    face = faces[0]
    mesh = face.mesh
    height, width = image.shape[:2]
    span = float(np.linalg.norm(mesh.points[454, :2] - mesh.points[234, :2]))
    face_width = max(span, mesh.box.w)
    if face_width < MIN_FACE_SHARE * min(height, width) or face_width < MIN_FACE_PIXELS:
        found.append(reasons.SELFIE_FACE_TOO_SMALL)
    tolerance = CUT_OFF_TOLERANCE * face_width
    xs, ys = mesh.points[:, 0], mesh.points[:, 1]
    if (
        xs.min() < -tolerance
        or ys.min() < -tolerance
        or xs.max() > width + tolerance
        or ys.max() > height + tolerance
    ):
        found.append(reasons.SELFIE_FACE_CUT_OFF)
    if abs(mesh.yaw) > MAX_YAW_DEGREES or abs(mesh.nose_offset) > MAX_NOSE_OFFSET:
        found.append(reasons.SELFIE_FACE_TURNED_AWAY)
    elif mesh.eye_openness < MIN_EYE_OPENNESS:
        # A turned face hides one eye, so eyes are judged only on a face that looks ahead.
        found.append(reasons.SELFIE_EYES_CLOSED)
    sharpness, brightness = _face_crop_stats(image, mesh.box)
    if brightness < MIN_BRIGHTNESS:
        found.append(reasons.SELFIE_TOO_DARK)
    elif sharpness < MIN_SHARPNESS:
        found.append(reasons.SELFIE_BLURRY)
    return SelfieAnalysis(
        frame_index=frame_index,
        face_count=len(faces),
        face=observe(face, frame_index),
        reasons=tuple(found),
        sharpness=round(sharpness, 2),
        brightness=round(brightness, 2),
    )
