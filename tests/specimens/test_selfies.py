"""Synthetic selfies and bursts: deterministic, decodable, and shaped as the attacks promise."""

from __future__ import annotations

import io
import itertools

import numpy as np
import pytest
from PIL import Image

from openkyc.specimens.faces import face_by_id
from openkyc.specimens.selfies import ATTACKS, HEIGHT, WIDTH, render_selfie, render_selfie_frames
from openkyc.verification.liveness.challenge import LOOK_DOWN, TURN_LEFT, TURN_RIGHT, Challenge

CHALLENGE = Challenge(steps=(TURN_RIGHT, LOOK_DOWN, TURN_LEFT))


def _decode(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def test_selfie_is_a_deterministic_jpeg_that_differs_per_seed() -> None:
    face = face_by_id("synth03")
    first = render_selfie(face, seed=1)
    assert first[:2] == b"\xff\xd8"
    assert render_selfie(face, seed=1) == first
    assert render_selfie(face, seed=2) != first
    assert _decode(first).shape == (HEIGHT, WIDTH, 3)


def test_selfie_background_is_replaced() -> None:
    face = face_by_id("hopper")
    image = _decode(render_selfie(face, seed=3)).astype(np.float32)
    original = face.portrait(WIDTH, HEIGHT).astype(np.float32)
    # The top corners are background in both; the source's blue stage wall must be gone.
    corner = (slice(0, 60), slice(0, 60))
    assert float(np.abs(image[corner] - original[corner]).mean()) > 10.0


def test_genuine_burst_has_monotonic_times_and_moving_frames() -> None:
    frames, times = render_selfie_frames(face_by_id("astronaut"), CHALLENGE, seed=1)
    assert len(frames) == len(times) >= 12
    assert all(b > a for a, b in itertools.pairwise(times))
    assert len(set(frames)) == len(frames)


def test_injection_repeats_one_frame_and_replay_differs_from_genuine() -> None:
    face = face_by_id("astronaut")
    injected, _ = render_selfie_frames(face, CHALLENGE, seed=1, attack="injection")
    assert len(set(injected)) == 1
    genuine, _ = render_selfie_frames(face, CHALLENGE, seed=1)
    replay, _ = render_selfie_frames(face, CHALLENGE, seed=1, attack="replay")
    assert replay != genuine


@pytest.mark.parametrize("attack", ["print", "screen"])
def test_flat_attacks_render(attack: str) -> None:
    frames, times = render_selfie_frames(face_by_id("synth01"), CHALLENGE, seed=2, attack=attack)
    assert len(frames) == len(times) >= 12
    assert _decode(frames[0]).shape == (HEIGHT, WIDTH, 3)


def test_unknown_attack_is_refused() -> None:
    assert set(ATTACKS) == {"print", "screen", "injection", "replay"}
    with pytest.raises(ValueError):
        render_selfie_frames(face_by_id("synth01"), CHALLENGE, seed=2, attack="deepfake")
