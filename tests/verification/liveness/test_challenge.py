"""The server-issued challenge: random, valid, and stable over JSON."""

from __future__ import annotations

import random

import pytest

from openkyc.verification.liveness.challenge import (
    LOOK_UP,
    STEPS,
    TURN_LEFT,
    TURN_RIGHT,
    Challenge,
    issue_challenge,
)


def test_json_round_trip() -> None:
    challenge = Challenge(steps=(TURN_RIGHT, LOOK_UP, TURN_LEFT))
    text = challenge.to_json()
    assert text == '{"steps":["turn_right","look_up","turn_left"]}'
    assert Challenge.from_json(text) == challenge
    assert Challenge.from_json(text.encode()) == challenge


@pytest.mark.parametrize(
    "text", ['{"steps": []}', '{"steps": ["smile"]}', "[1, 2]", '{"steps": [1]}', '{"x": 1}']
)
def test_invalid_json_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Challenge.from_json(text)


def test_issued_challenges_are_random_and_always_turn_both_ways() -> None:
    rng = random.Random(1)
    issued = {issue_challenge(rng).steps for _ in range(300)}
    assert len(issued) == 12
    for steps in issued:
        assert len(steps) == 3
        assert TURN_LEFT in steps
        assert TURN_RIGHT in steps
        assert len(set(steps)) == 3
        assert set(steps) <= set(STEPS)


def test_no_expression_is_ever_asked() -> None:
    assert set(STEPS) == {"turn_left", "turn_right", "look_up", "look_down"}
