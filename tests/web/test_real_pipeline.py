"""The whole flow through the real models: a rendered passport and a selfie burst that follows
the session's own challenge are uploaded as a phone would, and the worker job decides."""

from __future__ import annotations

import random
import re

import pytest

from openkyc.config import Settings
from openkyc.state import AppState
from tests.web.conftest import Customer
from tests.web.test_results import decide_pending

pytestmark = pytest.mark.slow
KIND = "kz_passport"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # The rendered burst moves fast (~80 ms a frame, ~30 frames); the page's script paces
    # frames over 1.5 s per instruction instead and stays under the default cap of 24.
    return settings.model_copy(update={"pipeline": "default", "selfie_max_frames": 40})


@pytest.fixture
async def live_customer(api: object, client: object, merchant: object) -> Customer:
    from tests.support import SignedApi

    assert isinstance(api, SignedApi)
    live = SignedApi(api.http, merchant.live)  # type: ignore[attr-defined]
    created = await live.create_session(language="en")
    return Customer(api.http, created["id"])


async def test_a_genuine_customer_is_approved_by_the_real_pipeline(
    live_customer: Customer, state: AppState
) -> None:
    from openkyc.specimens.documents import random_distortion, random_identity, render_document
    from openkyc.specimens.faces import face_by_id
    from openkyc.specimens.selfies import render_selfie_frames
    from openkyc.verification.liveness.challenge import Challenge

    customer = live_customer
    face = face_by_id("astronaut")
    rng = random.Random("bench:0")
    document = render_document(
        KIND, random_identity(KIND, rng), face, random_distortion("clean", rng, kind=KIND), seed=0
    )
    await customer.consent()
    await customer.choose(KIND)
    for _ in range(3):
        answer = await customer.post(
            "capture/front",
            files={"image": ("passport.jpg", document.front_jpeg, "image/jpeg")},
            json=True,
        )
        if answer.json()["accepted"]:
            break
    page = (await customer.open()).text
    steps = re.search(r'data-steps="([^"]+)"', page)
    assert steps is not None
    frames, times = render_selfie_frames(face, Challenge(steps=tuple(steps.group(1).split(","))), 0)
    frames, times = (
        frames[: state.settings.selfie_max_frames],
        times[: state.settings.selfie_max_frames],
    )
    answer = await customer.send_burst(frames, times)
    assert answer.status_code == 200, answer.text
    assert (await customer.post("submit", {})).status_code == 303
    await decide_pending(state)
    result = (await customer.open()).text
    assert "You are verified" in result, re.findall(r"<li>([^<]+)</li>", result)
