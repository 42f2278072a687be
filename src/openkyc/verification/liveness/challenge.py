"""The active liveness challenge: a random, per-session order of head movements.

Only head movements are asked, never expressions (smiles, blinks), so that people who cannot
make them can still pass. Directions are the customer's own: "turn_left" means turning the
head to the customer's left, which in an unmirrored front-camera frame moves the nose towards
the image's right edge.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

TURN_LEFT = "turn_left"
TURN_RIGHT = "turn_right"
LOOK_UP = "look_up"
LOOK_DOWN = "look_down"
STEPS = (TURN_LEFT, TURN_RIGHT, LOOK_UP, LOOK_DOWN)

# Both turns plus one of the two nods, in a random order: 12 possible challenges, so a
# recording made for another session has the right order by chance with probability 1/12
# (before any other check). Length 4 gives 24 at the cost of a longer capture.
DEFAULT_LENGTH = 3


@dataclass(frozen=True, slots=True)
class Challenge:
    steps: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.steps:
            raise ValueError("a challenge has at least one step")
        unknown = [step for step in self.steps if step not in STEPS]
        if unknown:
            raise ValueError(f"unknown challenge steps: {unknown}")

    def to_json(self) -> str:
        return json.dumps({"steps": list(self.steps)}, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> Challenge:
        data = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
            raise ValueError('a challenge is {"steps": [...]}')
        steps = data["steps"]
        if not all(isinstance(step, str) for step in steps):
            raise ValueError("challenge steps are strings")
        return cls(steps=tuple(steps))


def issue_challenge(rng: random.Random, length: int = DEFAULT_LENGTH) -> Challenge:
    """A random order of ``length`` distinct movements, always including a left and a right
    turn (yaw is the movement the mesh measures best and a flat photo fakes worst)."""
    if not 2 <= length <= len(STEPS):
        raise ValueError(f"challenge length must be 2..{len(STEPS)}")
    others = [LOOK_UP, LOOK_DOWN]
    steps = [TURN_LEFT, TURN_RIGHT, *rng.sample(others, length - 2)]
    rng.shuffle(steps)
    return Challenge(steps=tuple(steps))
