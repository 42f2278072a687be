"""The selfie burst's instant check: head movements that were missed are sent back once, with
a fresh challenge; anything else goes through to the pipeline unannounced."""

from __future__ import annotations

import re

import pytest

from openkyc.config import Settings
from openkyc.state import AppState
from tests.web.conftest import Customer, flow_of, selfie_frames

pytestmark = pytest.mark.slow
KIND = "kz_passport"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # The rendered burst is ~30 frames ~80 ms apart (see test_real_pipeline).
    return settings.model_copy(update={"pipeline": "default", "selfie_max_frames": 40})


async def _at_selfie(customer: Customer) -> tuple[str, ...]:
    await customer.consent()
    await customer.choose(KIND)
    await customer.capture("front", KIND)
    return _steps((await customer.open()).text)


def _steps(page: str) -> tuple[str, ...]:
    found = re.search(r'data-steps="([^"]+)"', page)
    assert found is not None
    return tuple(found.group(1).split(","))


async def _send(customer: Customer, frames: list[bytes], times: list[int]) -> dict[str, object]:
    answer = await customer.send_burst(frames, times)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert isinstance(body, dict)
    return body


async def test_missed_movements_are_sent_back_once_with_a_fresh_challenge(
    customer: Customer, state: AppState
) -> None:
    from openkyc.specimens.faces import face_by_id
    from openkyc.specimens.selfies import render_selfie_frames
    from openkyc.verification.liveness.challenge import Challenge

    asked = await _at_selfie(customer)
    # A real head doing the movements in the reverse order: a person who misread the page.
    wrong = Challenge(steps=tuple(reversed(asked)))
    frames, times = render_selfie_frames(face_by_id("astronaut"), wrong, 0)

    first = await _send(customer, frames, times)
    assert first["accepted"] is False
    codes = [f["code"] for f in first["findings"]]  # type: ignore[attr-defined]
    assert "liveness_challenge_not_followed" in codes
    # The page records again for the challenge it is given, and a reload shows the same one.
    assert tuple(first["steps"]) == _steps((await customer.open()).text)  # type: ignore[arg-type]
    flow = await flow_of(state, customer.session_id)
    assert flow is not None
    assert flow.step == "selfie"
    assert flow.selfie_refused_attempt == 1
    assert await selfie_frames(state, customer.session_id) == 0

    # Only once per attempt: the same burst again goes through, and the pipeline judges it.
    second = await _send(customer, frames, times)
    assert second["accepted"] is True
    assert "steps" not in second
    flow = await flow_of(state, customer.session_id)
    assert flow is not None
    assert flow.step == "review"
    assert await selfie_frames(state, customer.session_id) == len(frames)


async def test_a_burst_that_looks_like_an_attack_goes_through_unannounced(
    customer: Customer, state: AppState
) -> None:
    from openkyc.specimens.faces import face_by_id
    from openkyc.specimens.selfies import render_selfie_frames
    from openkyc.verification.liveness.challenge import Challenge

    asked = await _at_selfie(customer)
    frames, _ = render_selfie_frames(face_by_id("astronaut"), Challenge(steps=asked), 0)
    # One picture sent as every frame (an injected still): refusing it would tell the attacker
    # which cue caught them; it is stored and left to the pipeline instead.
    still = [frames[0]] * 12
    answer = await _send(customer, still, [i * 300 for i in range(12)])
    assert answer["accepted"] is True
    flow = await flow_of(state, customer.session_id)
    assert flow is not None
    assert flow.step == "review"
    assert flow.selfie_refused_attempt is None
    assert await selfie_frames(state, customer.session_id) == 12


async def test_a_burst_too_short_to_judge_is_left_to_the_pipeline(
    customer: Customer, state: AppState
) -> None:
    await _at_selfie(customer)
    # The upload form sends one photo: it cannot show the challenge and is not checked here.
    answer = await customer.upload_selfie(frames=1, json=True)
    assert answer.json()["accepted"] is True
    flow = await flow_of(state, customer.session_id)
    assert flow is not None
    assert flow.step == "review"
