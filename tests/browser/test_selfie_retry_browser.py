"""The selfie's instant retry as a customer meets it: Chromium's camera shows a real (rendered)
head that only nods, so it never turns as asked. The server's instant check says so while the
customer still holds the phone; flow.js shows why, takes the fresh challenge, and the second
recording goes through to the pipeline (once per attempt)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import Browser

from openkyc.config import Settings
from openkyc.state import AppState
from openkyc.verification.liveness.challenge import Challenge
from openkyc.web.i18n import Translator
from tests.browser.conftest import PHONE, new_page, shot
from tests.browser.test_hosted_browser import (
    choose_document,
    click,
    create_session,
    upload_document,
)
from tests.browser.y4m import write_y4m
from tests.support import LiveServer, MerchantInfo
from tests.web.conftest import flow_of, selfie_frames, specimen

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # The real models judge the burst; nothing is submitted, so the worker never runs.
    return settings.model_copy(update={"pipeline": "default"})


@pytest.fixture(scope="session")
def camera_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from openkyc.specimens.faces import face_by_id
    from openkyc.specimens.selfies import render_selfie_frames
    from openkyc.verification.liveness.challenge import LOOK_DOWN, LOOK_UP

    # A head in 3-D that nods down and up but never turns: every challenge asks for both turns.
    # The renderer samples at most every 200 ms; rendered three times slower and played at 15
    # frames a second, the camera has a new frame every ~67 ms, so the page (a grab every
    # ~300 ms) never grabs one frame twice, which the liveness check would count against it.
    # Played forwards then backwards, the loop has no jump that would look like a cut.
    frames, _ = render_selfie_frames(
        face_by_id("astronaut"),
        Challenge(steps=(LOOK_DOWN, LOOK_UP)),
        3,
        max_frames=90,
        segment_ms=4500,
    )
    images = [Image.open(io.BytesIO(frame)).convert("RGB") for frame in frames]
    path = tmp_path_factory.mktemp("camera") / "nodding.y4m"
    return write_y4m(path, images + images[::-1], fps=15)


async def test_missed_head_movements_are_recorded_again_for_a_fresh_challenge(
    browser: Browser,
    server: LiveServer,
    merchant: MerchantInfo,
    state: AppState,
    tmp_path: Path,
) -> None:
    url = await create_session(server, merchant, language="en")
    session_id = url.rstrip("/").rsplit("/", 1)[-1]
    t = Translator("en")
    page = await new_page(browser, PHONE)
    await choose_document(page, url, t, "ru_internal_passport")
    # The camera shows a face, not a document: the document comes by the upload form.
    document = tmp_path / "passport.jpg"
    document.write_bytes(specimen("ru_internal_passport"))
    await upload_document(page, t, document)
    await page.wait_for_selector("body[data-page=selfie] .shutter:not([disabled])")
    camera = page.locator(".camera.selfie")
    asked = await camera.get_attribute("data-steps")
    assert asked is not None
    assert "turn_left" in asked

    await click(page, t.gettext("Start the selfie"))
    # Recording (~7.5 s), upload, and the face mesh over every frame on this slow machine.
    await page.wait_for_selector("#findings:not(.hidden)", timeout=90_000)
    await shot(page, "phone-selfie-retry-1-refused")
    heading = page.locator("#findings h2")
    assert await heading.inner_text() == t.gettext("Please record the selfie again")
    shown = await page.locator("#findings li").all_inner_texts()
    assert shown
    assert all(text.strip() for text in shown)
    flow = await flow_of(state, session_id)
    assert flow is not None
    assert flow.step == "selfie"
    assert flow.selfie_refused_attempt == flow.attempt
    assert await selfie_frames(state, session_id) == 0, "a refused burst is not kept"
    # The page now holds the challenge the server issued for the next recording, and the
    # customer can start it at once.
    assert flow.challenge_json is not None
    fresh = ",".join(Challenge.from_json(flow.challenge_json).steps)
    assert await camera.get_attribute("data-steps") == fresh
    await page.wait_for_selector("body[data-page=selfie] .shutter:not([disabled])")
    assert await page.locator(".instruction").inner_text() == ""

    await click(page, t.gettext("Start the selfie"))
    # Asked once per attempt only: the second recording is kept and judged by the pipeline.
    await page.wait_for_selector("body[data-page=review]", timeout=90_000)
    await shot(page, "phone-selfie-retry-2-review")
    assert await selfie_frames(state, session_id) > 0
    flow = await flow_of(state, session_id)
    assert flow is not None
    assert flow.step == "review"
