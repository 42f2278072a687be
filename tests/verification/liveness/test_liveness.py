"""End to end on simulated captures: genuine bursts pass, each simulated attack fails."""

from __future__ import annotations

import hashlib
import io
import itertools
from functools import cache

import numpy as np
import pytest
from PIL import Image

from openkyc.specimens.faces import face_by_id
from openkyc.specimens.selfies import render_selfie_frames
from openkyc.verification.face.images import RGBImage, decode_image
from openkyc.verification.face.mesh import MeshFace
from openkyc.verification.liveness import reasons
from openkyc.verification.liveness.challenge import (
    LOOK_DOWN,
    LOOK_UP,
    TURN_LEFT,
    TURN_RIGHT,
    Challenge,
)
from openkyc.verification.liveness.checker import LivenessChecker
from openkyc.verification.liveness.retry import MISSED_MOVEMENT, worth_another_recording

CHALLENGE = Challenge(steps=(TURN_LEFT, LOOK_UP, TURN_RIGHT))


@cache
def _burst(
    face_id: str, attack: str | None, steps: tuple[str, ...] = CHALLENGE.steps
) -> tuple[tuple[bytes, ...], tuple[int, ...]]:
    frames, times = render_selfie_frames(
        face_by_id(face_id), Challenge(steps), seed=5, attack=attack
    )
    return tuple(frames), tuple(times)


@pytest.mark.parametrize("face_id", ["astronaut", "hopper"])
def test_genuine_turning_head_passes(checker: LivenessChecker, face_id: str) -> None:
    frames, times = _burst(face_id, None)
    result = checker.check(frames, times, CHALLENGE)
    assert result.passed is True
    assert result.score >= result.threshold
    assert result.challenge is not None
    assert result.challenge.observed == CHALLENGE.steps
    assert result.depth is not None
    assert result.depth.passed
    assert result.reasons == ()


def test_a_genuine_burst_satisfies_only_the_challenge_it_followed(
    checker: LivenessChecker,
) -> None:
    frames, times = _burst("hopper", None)
    passed = [
        steps
        for steps in itertools.permutations((TURN_LEFT, TURN_RIGHT, LOOK_UP, LOOK_DOWN), 3)
        if TURN_LEFT in steps
        and TURN_RIGHT in steps
        and checker.check(frames, times, Challenge(steps)).passed
    ]
    assert passed == [CHALLENGE.steps]


def test_a_face_already_turned_at_rest_passes_by_turning_from_there(
    checker: LivenessChecker,
) -> None:
    # The source photo is turned to the subject's right (the mesh reads ~30 degrees on this
    # generated head; a real photo turned ~48 degrees before the faces were replaced).
    asked = Challenge(steps=(TURN_LEFT, TURN_RIGHT, LOOK_DOWN))
    frames, times = _burst("synth01_turned", None, asked.steps)
    result = checker.check(frames, times, asked)
    assert result.passed is True
    assert result.challenge is not None
    # The asked movements in order; on this head (re-rendered from a render) the turn back to
    # the right also reads as a short look up in this burst (seed 5), and in 2 of seeds 1-8
    # the burst fails: the generated turned head is harder than the real photo was.
    observed = iter(result.challenge.observed)
    assert all(step in observed for step in asked.steps)


def test_wrong_order_fails(checker: LivenessChecker) -> None:
    frames, times = _burst("astronaut", None, (TURN_RIGHT, LOOK_UP, TURN_LEFT))
    result = checker.check(frames, times, CHALLENGE)
    assert result.passed is False
    assert reasons.CHALLENGE_NOT_FOLLOWED in result.reasons


def test_replay_made_for_another_challenge_fails(checker: LivenessChecker) -> None:
    frames, times = _burst("astronaut", "replay")
    result = checker.check(frames, times, CHALLENGE)
    assert result.passed is False
    assert reasons.CHALLENGE_NOT_FOLLOWED in result.reasons


def test_tilted_printed_photo_fails(checker: LivenessChecker) -> None:
    frames, times = _burst("hopper", "print")
    result = checker.check(frames, times, CHALLENGE)
    assert result.passed is False
    assert result.score < 0.1
    assert result.challenge is not None
    assert result.challenge.yaw_range < 20


def test_photo_on_a_screen_fails(checker: LivenessChecker) -> None:
    frames, times = _burst("astronaut", "screen")
    result = checker.check(frames, times, CHALLENGE)
    assert result.passed is False
    assert reasons.SCREEN_SUSPECTED in result.reasons


def test_identical_frames_fail(checker: LivenessChecker) -> None:
    frames, times = _burst("astronaut", "injection")
    result = checker.check(frames, times, CHALLENGE)
    assert result.passed is False
    assert reasons.FRAMES_IDENTICAL in result.reasons
    assert result.continuity.identical_pairs == len(frames) - 1


def test_genuine_frames_with_impossible_timing_fail(checker: LivenessChecker) -> None:
    frames, times = _burst("astronaut", None)
    result = checker.check(frames, tuple(0 for _ in times), CHALLENGE)
    assert result.passed is False
    assert reasons.TIMING_INCONSISTENT in result.reasons


def test_without_a_challenge_liveness_is_not_assessed(checker: LivenessChecker) -> None:
    frames, _ = _burst("astronaut", None)
    result = checker.check(frames[:1], None, None)
    assert result.passed is None
    assert result.score <= 0.5
    assert reasons.NOT_ASSESSED in result.reasons


def test_look_down_is_told_apart_from_look_up(checker: LivenessChecker) -> None:
    asked = Challenge(steps=(LOOK_DOWN, TURN_LEFT, TURN_RIGHT))
    frames, times = _burst("hopper", None, asked.steps)
    assert checker.check(frames, times, asked).passed is True
    swapped = Challenge(steps=(LOOK_UP, TURN_LEFT, TURN_RIGHT))
    assert checker.check(frames, times, swapped).passed is False


def test_a_burst_without_any_face_fails_cleanly(checker: LivenessChecker) -> None:
    rng = np.random.default_rng(0)
    frames = []
    for _ in range(10):
        noise = rng.integers(90, 110, size=(480, 360, 3), dtype=np.uint8)
        buffer = io.BytesIO()
        Image.fromarray(noise).save(buffer, format="JPEG", quality=85)
        frames.append(buffer.getvalue())
    result = checker.check(frames, tuple(range(0, 1000, 100)), CHALLENGE)
    assert result.passed is False
    assert reasons.FACE_LOST in result.reasons
    assert reasons.NO_HEAD_MOVEMENT in result.reasons
    assert result.passive is None


def test_a_cut_in_the_recording_is_reported(checker: LivenessChecker) -> None:
    frames, times = _burst("astronaut", None)
    spliced = []
    for index, frame in enumerate(frames):
        image = np.asarray(Image.open(io.BytesIO(frame)).convert("RGB"))
        canvas = np.full((image.shape[0], image.shape[1] * 2, 3), 120, dtype=np.uint8)
        left = 0 if index < len(frames) // 2 else image.shape[1]
        canvas[:, left : left + image.shape[1]] = image
        buffer = io.BytesIO()
        Image.fromarray(canvas).save(buffer, format="JPEG", quality=90)
        spliced.append(buffer.getvalue())
    result = checker.check(spliced, times, CHALLENGE)
    assert result.passed is False
    assert reasons.FRAMES_DISCONTINUOUS in result.reasons
    assert result.continuity.jumps >= 1


@cache
def _slow_burst(
    face_id: str, attack: str | None, frames: int = 12
) -> tuple[tuple[bytes, ...], tuple[int, ...]]:
    """The hosted page's script on a phone that delivers only ``frames`` frames in the burst's
    time (12: ~625 ms apart instead of ~313)."""
    burst, times = render_selfie_frames(
        face_by_id(face_id), CHALLENGE, seed=5, attack=attack, max_frames=frames
    )
    return tuple(burst), tuple(times)


@pytest.mark.parametrize("face_id", ["astronaut", "hopper"])
def test_a_genuine_burst_from_a_slow_phone_passes(checker: LivenessChecker, face_id: str) -> None:
    frames, times = _slow_burst(face_id, None)
    assert len(frames) == 12
    result = checker.check(frames, times, CHALLENGE)
    assert result.passed is True
    assert result.challenge is not None
    assert result.challenge.observed == CHALLENGE.steps
    assert result.reasons == ()


@pytest.mark.parametrize("attack", ["injection", "print", "screen", "replay"])
def test_attacks_sent_as_a_short_burst_still_fail(checker: LivenessChecker, attack: str) -> None:
    frames, times = _slow_burst("astronaut", attack)
    result = checker.check(frames, times, CHALLENGE)
    assert result.passed is False
    if attack == "injection":
        assert reasons.FRAMES_IDENTICAL in result.reasons


def test_attacks_claiming_slower_capture_still_fail(checker: LivenessChecker) -> None:
    for attack in ("injection", "print", "screen", "replay"):
        frames, times = _burst("hopper", attack)
        result = checker.check(frames, tuple(2 * t for t in times), CHALLENGE)
        assert result.passed is False, attack


def test_frames_too_far_apart_fail_with_a_reason_the_customer_can_act_on(
    checker: LivenessChecker,
) -> None:
    frames, times = _slow_burst("astronaut", None, frames=8)
    result = checker.check(frames, times, CHALLENGE)
    assert result.passed is False
    assert reasons.TOO_FEW_FRAMES in result.reasons
    assert reasons.CHALLENGE_NOT_FOLLOWED not in result.reasons


def test_too_few_frames_are_not_assessed_and_say_so(checker: LivenessChecker) -> None:
    frames, times = _burst("astronaut", None)
    result = checker.check(frames[:5], times[:5], CHALLENGE)
    assert result.passed is None
    assert reasons.TOO_FEW_FRAMES in result.reasons


@pytest.mark.parametrize(
    ("face_id", "attack", "steps", "worth"),
    [
        # A person who did the movements in another order: record again, with a new challenge.
        ("astronaut", None, (TURN_RIGHT, LOOK_UP, TURN_LEFT), True),
        # Attacks are never sent back, even when they also missed the challenge.
        ("astronaut", "injection", CHALLENGE.steps, False),
        ("astronaut", "screen", CHALLENGE.steps, False),
        # A burst that passed has nothing to redo.
        ("astronaut", None, CHALLENGE.steps, False),
    ],
)
def test_only_missed_movements_are_worth_another_recording(
    checker: LivenessChecker,
    face_id: str,
    attack: str | None,
    steps: tuple[str, ...],
    worth: bool,
) -> None:
    frames, times = _burst(face_id, attack, steps)
    assert worth_another_recording(checker.check(frames, times, CHALLENGE)) is worth


def test_impossible_timing_or_no_face_is_not_sent_back(checker: LivenessChecker) -> None:
    frames, times = _burst("astronaut", None, (TURN_RIGHT, LOOK_UP, TURN_LEFT))
    missed = checker.check(frames, tuple(0 for _ in times), CHALLENGE)
    assert reasons.TIMING_INCONSISTENT in missed.reasons
    assert not worth_another_recording(missed)
    # Noise, no face: only "face lost" and "no head movement", both movement findings, yet
    # the selfie checks explain a missing face better than a new challenge would.
    rng = np.random.default_rng(1)
    noise = []
    for _ in range(10):
        buffer = io.BytesIO()
        pixels = rng.integers(90, 110, size=(480, 360, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(buffer, format="JPEG", quality=85)
        noise.append(buffer.getvalue())
    empty = checker.check(noise, tuple(range(0, 1000, 100)), CHALLENGE)
    assert set(empty.reasons) <= MISSED_MOVEMENT
    assert not worth_another_recording(empty)


def test_a_face_the_detector_misses_mid_turn_is_followed_from_where_it_was(
    checker: LivenessChecker, monkeypatch: pytest.MonkeyPatch
) -> None:
    # MediaPipe's own detector misses some turned faces that the mesh still fits around where
    # the face just was (held-out seed 909: a low-resolution face turned ~21 degrees, missed in
    # both frames of its turn). The miss is made here: the whole-image search finds nothing in
    # the frames turned furthest to the left.
    asked = Challenge(steps=(TURN_LEFT, TURN_RIGHT, LOOK_UP))
    frames, times = render_selfie_frames(face_by_id("synth02"), asked, seed=909)
    search = checker.mesher.on_image
    yaws: dict[bytes, float] = {}
    for frame in frames:
        # The frames (480 x 640) are below every size limit: decoded as the checker does.
        image = decode_image(frame)
        faces = search(image)
        if faces:
            yaws[hashlib.sha256(image.tobytes()).digest()] = faces[0].yaw
    hidden = set(sorted(yaws, key=lambda key: yaws[key])[-2:])
    assert min(yaws[key] for key in hidden) > 10.0

    def missing_the_turn(image: RGBImage) -> list[MeshFace]:
        return [] if hashlib.sha256(image.tobytes()).digest() in hidden else search(image)

    monkeypatch.setattr(checker.mesher, "on_image", missing_the_turn)
    result = checker.check(frames, times, asked)
    assert result.passed is True
    assert result.challenge is not None
    assert result.challenge.observed == asked.steps
    # Without following the face, the turn is lost with it.
    monkeypatch.setattr(checker.mesher, "on_box", lambda *_: None)
    missed = checker.check(frames, times, asked)
    assert missed.passed is False
    assert missed.challenge is not None
    assert TURN_LEFT not in missed.challenge.observed
