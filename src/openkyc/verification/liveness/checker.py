"""LivenessChecker: verifies a selfie burst against the challenge the server issued."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import numpy as np

from openkyc.verification.face.images import ImageDecodeError, RGBImage, decode_image
from openkyc.verification.face.mesh import MESH_MODEL, FaceMesher, MeshFace
from openkyc.verification.liveness import reasons
from openkyc.verification.liveness.challenge import Challenge
from openkyc.verification.liveness.continuity import MIN_FRAMES, check_continuity, too_sparse
from openkyc.verification.liveness.depth import measure_depth
from openkyc.verification.liveness.motion import pose_track, verify_challenge
from openkyc.verification.liveness.pad_model import PresentationAttackModel
from openkyc.verification.liveness.passive import frame_cues, summarise
from openkyc.verification.liveness.results import ChallengeOutcome, DepthOutcome, LivenessResult
from openkyc.verification.liveness.scoring import THRESHOLD, evidence_factors, liveness_score
from openkyc.verification.types import ModelInfo, Timing

HEURISTICS = ModelInfo(name="openkyc-liveness-heuristics", version="1")
# Passive cues cost ~15 ms a frame; a handful spread over the burst is enough for a median.
_PASSIVE_FRAMES = 6
# Frames are analysed at most this large: the mesh needs no more and decoding is faster.
_FRAME_SIDE = 960
# How far (in face widths) the customer's face may move between frames and still be followed.
_TRACK_REACH = 0.8
# Share of frames that must show a face for the burst to be judged.
_MIN_FACE_SHARE = 0.6


class LivenessChecker:
    """Builds the face mesh once; ``pad_model`` is an optional operator-installed model."""

    def __init__(
        self, mesher: FaceMesher | None = None, pad_model: PresentationAttackModel | None = None
    ) -> None:
        self.mesher = mesher if mesher is not None else FaceMesher()
        self.pad_model = pad_model

    def _track(self, images: Sequence[RGBImage]) -> list[MeshFace | None]:
        """The customer's face in every frame: the largest face first, then the face nearest
        to where it was, so that a second person at the edge of the frame is not followed."""
        tracked: list[MeshFace | None] = []
        previous: MeshFace | None = None
        pending: MeshFace | None = None
        for image in images:
            faces = self.mesher.on_image(image)
            if not faces and previous is not None:
                # MediaPipe's own detector misses some turned or nodded faces that the mesh
                # still fits when it is run around where the face just was (as MediaPipe's
                # video mode follows a face from frame to frame): a low-resolution face turned
                # ~21 degrees, a face nodding ~14 degrees (held-out seed 909). The mesh must
                # lie where the face was and be of its size (``FaceMesher.on_box``).
                found = self.mesher.on_box(image, previous.box)
                faces = [found] if found is not None else []
            if not faces:
                tracked.append(None)
                continue
            chosen: MeshFace | None
            if previous is None:
                chosen = max(faces, key=lambda face: face.box.area)
            else:
                anchor = previous
                nearest = min(faces, key=lambda face: _distance(face, anchor))
                if _distance(nearest, anchor) <= _TRACK_REACH * anchor.box.w:
                    chosen, pending = nearest, None
                elif pending is not None and (
                    _distance(nearest, pending) <= _TRACK_REACH * pending.box.w
                ):
                    # The face really is elsewhere now (a cut): follow it, and the continuity
                    # check counts the jump.
                    chosen, pending = nearest, None
                else:
                    # One frame with only someone else (the customer's face missed while
                    # turned) is not a cut: count it as a frame without the face.
                    chosen, pending = None, nearest
            tracked.append(chosen)
            if chosen is not None:
                previous = chosen
        return tracked

    def check(
        self,
        frames: Sequence[bytes],
        times_ms: Sequence[int] | None,
        challenge: Challenge | None,
    ) -> LivenessResult:
        timings: list[Timing] = []
        started = time.perf_counter()
        images: list[RGBImage] = []
        kept: list[bytes] = []
        for frame in frames:
            try:
                images.append(decode_image(frame, max_side=_FRAME_SIDE))
                kept.append(frame)
            except ImageDecodeError:
                continue
        meshes = self._track(images)
        timings.append(Timing("liveness.mesh", _ms(started)))

        started = time.perf_counter()
        found: list[str] = []
        times = times_ms if times_ms is not None and len(kept) == len(frames) else None
        continuity = check_continuity(kept, images, meshes, times)
        if continuity.identical_pairs > 0 and not continuity.passed:
            found.append(reasons.FRAMES_IDENTICAL)
        if continuity.jumps:
            found.append(reasons.FRAMES_DISCONTINUOUS)
        if continuity.timing_ok is False:
            found.append(reasons.TIMING_INCONSISTENT)
        with_face = [i for i, mesh in enumerate(meshes) if mesh is not None]
        if images and len(with_face) < _MIN_FACE_SHARE * len(images):
            found.append(reasons.FACE_LOST)

        active = challenge is not None and len(kept) >= MIN_FRAMES
        challenge_outcome = None
        depth = None
        if challenge is None:
            found.append(reasons.NOT_ASSESSED)
        elif len(kept) < MIN_FRAMES:
            found.append(reasons.TOO_FEW_FRAMES)
        else:
            live_times = times if continuity.timing_ok else None
            challenge_outcome, depth, active_reasons = _active_evidence(
                meshes, live_times, challenge
            )
            found.extend(active_reasons)
        timings.append(Timing("liveness.active", _ms(started)))

        started = time.perf_counter()
        passive = None
        pad_live = None
        if with_face:
            picks = np.linspace(0, len(with_face) - 1, min(_PASSIVE_FRAMES, len(with_face)))
            chosen = sorted({with_face[round(float(p))] for p in picks})
            cues = [frame_cues(images[i], m) for i in chosen if (m := meshes[i]) is not None]
            passive = summarise(cues)
            if passive.screen >= 0.5 and passive.screen >= passive.print:
                found.append(reasons.SCREEN_SUSPECTED)
            elif passive.print >= 0.5:
                found.append(reasons.PRINT_SUSPECTED)
            if self.pad_model is not None:
                frontal = min(with_face, key=lambda i: _abs_yaw(meshes[i]))
                mesh = meshes[frontal]
                assert mesh is not None
                pad_live = self.pad_model.live_probability(images[frontal], mesh.box)
                if pad_live < 0.5:
                    found.append(reasons.PAD_MODEL_REJECTED)
        timings.append(Timing("liveness.passive", _ms(started)))

        factors = evidence_factors(challenge_outcome, depth, continuity, passive, pad_live)
        score = liveness_score(factors, active=active)
        models = (MESH_MODEL, HEURISTICS) + ((self.pad_model.info,) if self.pad_model else ())
        return LivenessResult(
            passed=(score >= THRESHOLD) if active else None,
            score=score,
            threshold=THRESHOLD,
            challenge=challenge_outcome,
            depth=depth,
            continuity=continuity,
            passive=passive,
            pad_model_score=None if pad_live is None else round(pad_live, 4),
            reasons=tuple(dict.fromkeys(found)),
            models=models,
            timings=tuple(timings),
            evidence=factors,
        )


def _active_evidence(
    meshes: Sequence[MeshFace | None], times_ms: Sequence[int] | None, challenge: Challenge
) -> tuple[ChallengeOutcome, DepthOutcome, list[str]]:
    """The challenge and depth evidence; ``times_ms`` only where a live camera could have
    produced them, since they weigh the movements."""
    track = pose_track(meshes, times_ms)
    outcome = verify_challenge(track, challenge.steps)
    depth = measure_depth(meshes, track.yaw)
    found: list[str] = []
    if not outcome.passed and too_sparse(times_ms):
        # The movements may well have happened between two frames: ask for a new recording,
        # not for different movements.
        found.append(reasons.TOO_FEW_FRAMES)
    elif not outcome.observed:
        found.append(reasons.NO_HEAD_MOVEMENT)
    elif not outcome.passed:
        found.append(reasons.CHALLENGE_NOT_FOLLOWED)
    if depth.frames_used > 0 and not depth.passed:
        found.append(reasons.FLAT_FACE)
    elif depth.frames_used == 0 and outcome.observed and reasons.TOO_FEW_FRAMES not in found:
        # No frame turned far enough to measure depth: ask for a wider turn.
        found.append(reasons.NO_HEAD_MOVEMENT)
    return outcome, depth, found


def _distance(face: MeshFace, anchor: MeshFace) -> float:
    return math.hypot(face.box.cx - anchor.box.cx, face.box.cy - anchor.box.cy)


def _abs_yaw(mesh: MeshFace | None) -> float:
    return abs(mesh.yaw) if mesh is not None else float("inf")


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000.0, 2)
