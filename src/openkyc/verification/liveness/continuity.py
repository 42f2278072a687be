"""Is the burst one continuous live recording? Identical frames, cuts and impossible timing.

A camera never delivers two bit-identical frames of a moving scene (sensor noise alone changes
every pixel), so identical frames mean a static image was fed in. A browser can repeat a frame
when the camera is slower than the capture timer, so a few repeats are tolerated, not many.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from openkyc.verification.face.images import RGBImage
from openkyc.verification.face.mesh import MeshFace
from openkyc.verification.liveness.results import ContinuityOutcome

MIN_FRAMES = 6
# Mean absolute difference (grey levels, on a 96 px thumbnail) below which two frames are the
# same picture; camera noise alone gives ~0.8 and more.
_IDENTICAL_DIFF = 0.25
_MAX_IDENTICAL_SHARE = 0.25
# Between consecutive frames the face may not jump more than this many face widths, or change
# size by more than this factor.
_MAX_JUMP = 0.8
_MAX_SCALE_STEP = 1.5
# Plausible capture intervals and burst length (ms).
_MIN_INTERVAL = 10
_MAX_INTERVAL = 1500
_MAX_DURATION = 60_000
# Beyond this typical gap between frames (ms) a head movement (about a second, out and back)
# can fall between two frames unseen. The hosted page paces 24 frames ~313 ms apart; a slow
# phone that delivers half of them is ~626-660 ms apart (capture jitter), and at that pace the
# challenge is still judged (docs/face-and-liveness.md). 800 ms is ~10 frames in the default
# challenge's 7.5 s.
MAX_TYPICAL_INTERVAL = 800


def _thumb(image: RGBImage) -> npt.NDArray[np.float32]:
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    return np.asarray(cv2.resize(grey, (96, 96), interpolation=cv2.INTER_AREA), dtype=np.float32)


def identical_pairs(frames: Sequence[bytes], images: Sequence[RGBImage]) -> int:
    count = 0
    thumbs = [_thumb(image) for image in images]
    for i in range(1, len(frames)):
        if (
            frames[i] == frames[i - 1]
            or float(np.abs(thumbs[i] - thumbs[i - 1]).mean()) < _IDENTICAL_DIFF
        ):
            count += 1
    return count


def _jumps(meshes: Sequence[MeshFace | None]) -> int:
    count = 0
    previous: MeshFace | None = None
    for mesh in meshes:
        if mesh is None:
            continue
        if previous is not None:
            width = max(previous.box.w, 1.0)
            moved = math.hypot(mesh.box.cx - previous.box.cx, mesh.box.cy - previous.box.cy)
            scale = max(mesh.box.w, 1.0) / width
            if moved > _MAX_JUMP * width or not 1 / _MAX_SCALE_STEP < scale < _MAX_SCALE_STEP:
                count += 1
        previous = mesh
    return count


def timing_ok(times_ms: Sequence[int] | None, frames: int) -> bool | None:
    if times_ms is None:
        return None
    if len(times_ms) != frames:
        return False
    intervals = np.diff(np.asarray(times_ms, dtype=np.int64))
    if len(intervals) == 0:
        return True
    if np.any(intervals < _MIN_INTERVAL) or np.any(intervals > _MAX_INTERVAL):
        return False
    return int(times_ms[-1] - times_ms[0]) <= _MAX_DURATION


def too_sparse(times_ms: Sequence[int] | None) -> bool:
    """Frames too far apart to see every movement (unknown without capture times)."""
    if times_ms is None or len(times_ms) < 2:
        return False
    return float(np.median(np.diff(np.asarray(times_ms, dtype=np.float64)))) > MAX_TYPICAL_INTERVAL


def check_continuity(
    frames: Sequence[bytes],
    images: Sequence[RGBImage],
    meshes: Sequence[MeshFace | None],
    times_ms: Sequence[int] | None,
) -> ContinuityOutcome:
    identical = identical_pairs(frames, images)
    jumps = _jumps(meshes)
    timing = timing_ok(times_ms, len(frames))
    with_face = sum(m is not None for m in meshes)
    pairs = max(len(frames) - 1, 1)
    passed = (
        len(frames) >= MIN_FRAMES
        and identical / pairs <= _MAX_IDENTICAL_SHARE
        and jumps == 0
        and timing is not False
    )
    return ContinuityOutcome(
        frames=len(frames),
        frames_with_face=with_face,
        identical_pairs=identical,
        jumps=jumps,
        timing_ok=timing,
        passed=passed,
    )
