"""The whole flow through Chromium's fake camera with the REAL pipeline, one document of each
family (passport, ID card, Russian internal passport), ending with the merchant's webhook: a
rendered document photographed by the rear camera, then a rendered head following the
session's challenge in front of the front camera.

One y4m file feeds Chromium's only fake camera, so the document and the selfie are two
browsers sharing the customer's cookies (as if the camera app were switched). The challenge is
fixed in the database before the selfie page issues one, so that the head's video can be
rendered ahead; the click that starts the recording is timed on the video's clock."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import random
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.async_api import Browser, Page, async_playwright
from sqlalchemy import update

from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.flows.models import HostedFlow
from openkyc.state import AppState
from openkyc.verification.liveness.challenge import LOOK_UP, TURN_LEFT, TURN_RIGHT, Challenge
from openkyc.web.i18n import Translator
from tests.browser.conftest import PHONE
from tests.browser.test_hosted_browser import click
from tests.browser.y4m import write_y4m
from tests.support import LiveServer, MerchantInfo, SignedApi
from tests.webhooks.receiver import Receiver

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHALLENGE = Challenge(steps=(TURN_LEFT, LOOK_UP, TURN_RIGHT))
SEGMENT_S = 1.5  # flow.js: one instruction every 1.5 s
LEAD_S = 1.0  # the head looks straight this long before the recording starts
FPS = 15
FACE = "astronaut"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"pipeline": "default", "run_worker_in_process": True, "worker_threads": 1}
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture(scope="module")
def selfie_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The head following CHALLENGE as the page paces it, at the camera's frame rate, after
    a short straight-ahead lead."""
    from openkyc.specimens.faces import face_by_id
    from openkyc.specimens.selfies import render_selfie_frames

    frames, times = render_selfie_frames(
        face_by_id(FACE), CHALLENGE, 0, max_frames=60, segment_ms=int(SEGMENT_S * 1000)
    )
    images = [_even(Image.open(io.BytesIO(frame)).convert("RGB")) for frame in frames]
    total_s = (len(CHALLENGE.steps) + 2) * SEGMENT_S
    video = [images[0]] * round(LEAD_S * FPS)
    for k in range(round(total_s * FPS)):
        at_ms = k * 1000 / FPS
        latest = max(i for i, t in enumerate(times) if t <= at_ms) if at_ms >= times[0] else 0
        video.append(images[latest])
    # A pause looking straight before the loop starts again.
    video += [images[-1]] * FPS
    path = tmp_path_factory.mktemp("selfie") / "head.y4m"
    return write_y4m(path, video, fps=FPS)


def _even(image: Image.Image) -> Image.Image:
    return image.crop((0, 0, image.width // 2 * 2, image.height // 2 * 2))


def _document(kind: str, *, expired: bool = False) -> tuple[bytes, bytes | None]:
    from openkyc.specimens.documents import random_distortion, random_identity, render_document
    from openkyc.specimens.faces import face_by_id

    rng = random.Random(f"browser:{kind}")
    identity = random_identity(kind, rng)
    if expired:
        expiry = dt.date.today() - dt.timedelta(days=40)
        identity = dataclasses.replace(
            identity, expiry_date=expiry, issue_date=expiry.replace(year=expiry.year - 10)
        )
    rendered = render_document(
        kind, identity, face_by_id(FACE), random_distortion("clean", rng, kind=kind), seed=0
    )
    return rendered.front_jpeg, rendered.back_jpeg


async def _browser(playwright: Any, video: Path) -> Browser:
    browser: Browser = await playwright.chromium.launch(
        executable_path="/usr/bin/chromium",
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    return browser


async def _phone(browser: Browser, storage: Any = None) -> Page:
    context = await browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        permissions=["camera"],
        storage_state=storage,
    )
    page = await context.new_page()
    page.set_default_timeout(30_000)
    return page


async def _take_photo(page: Page, t: Translator) -> None:
    """One press of the shutter; the page moves on when the instant check accepts it."""
    await page.wait_for_selector("body[data-page=capture] .shutter:not([disabled])")
    await page.evaluate("window.beforeShot = true")
    await click(page, t.gettext("Take photo"))
    # A new page (accepted) has no marker; a refusal shows its findings on this one.
    await page.wait_for_function(
        "() => !window.beforeShot || "
        "!document.getElementById('findings').classList.contains('hidden')"
    )
    findings = await page.locator("#findings:not(.hidden) li").all_inner_texts()
    assert findings == [], f"a clean specimen was refused: {findings}"


async def _record_selfie(page: Page) -> None:
    """Start the recording when the video shows the lead's end, then wait for the review."""
    await page.wait_for_selector("body[data-page=selfie] .shutter:not([disabled])")
    loop_s = LEAD_S + (len(CHALLENGE.steps) + 2) * SEGMENT_S + 1.0
    await page.evaluate(
        """([lead, loop]) => new Promise(resolve => {
            const video = document.querySelector('.camera.selfie video');
            const button = document.querySelector('.camera.selfie .shutter');
            const wait = () => {
                const at = video.currentTime % loop;
                if (at >= lead && at < lead + 0.08) { button.click(); resolve(); }
                else { setTimeout(wait, 5); }
            };
            wait();
        })""",
        [LEAD_S, loop_s],
    )
    await page.wait_for_function(
        "() => document.body.dataset.page === 'review' || "
        "!document.getElementById('findings').classList.contains('hidden')",
        timeout=60_000,
    )
    findings = await page.locator("#findings:not(.hidden) li").all_inner_texts()
    assert findings == [], f"the recording was refused: {findings}"


async def _run(
    server: LiveServer,
    merchant: MerchantInfo,
    state: AppState,
    receiver: Receiver,
    selfie_video: Path,
    tmp_path: Path,
    kind: str,
    *,
    expired: bool = False,
) -> tuple[str, dict[str, Any]]:
    front, back = _document(kind, expired=expired)
    # The photo as the camera's whole picture: letterboxed, a tall document looks far away.
    photo = Image.open(io.BytesIO(front)).convert("RGB")
    photo.thumbnail((1920, 1920))
    document_video = write_y4m(tmp_path / "document.y4m", [_even(photo)] * 4, fps=FPS)
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        api = SignedApi(http, merchant.test)
        hook = await api.post(
            "/api/v2/webhooks",
            json_body={"url": receiver.url, "events": ["kyc.completed", "kyc.failed"]},
        )
        assert hook.status_code == 201, hook.text
        created = await api.create_session(language="en")
    url = created["verificationUrl"]
    t = Translator("en")
    started = time.monotonic()
    async with async_playwright() as playwright:
        documents = await _browser(playwright, document_video)
        page = await _phone(documents)
        await page.goto(url)
        await page.check("#agree")
        await click(page, t.gettext("Start"))
        await page.wait_for_selector("body[data-page=document]")
        async with unit_of_work(state.sessionmaker) as db:
            await db.execute(
                update(HostedFlow)
                .where(HostedFlow.session_id == uuid.UUID(created["id"]))
                .values(challenge_json=CHALLENGE.to_json())
            )
        await page.check(f"#doc-{kind}")
        await click(page, t.gettext("Continue"))
        await _take_photo(page, t)
        if back is not None:
            # The ID card's back (its machine-readable zone) comes by the upload form.
            path = tmp_path / "back.jpg"
            path.write_bytes(back)
            await page.wait_for_selector("body[data-page=capture]")
            await page.set_input_files("#upload-image", str(path))
            await click(page, t.gettext("Upload photo"))
        await page.wait_for_selector("body[data-page=selfie]")
        cookies = await page.context.storage_state()
        await documents.close()

        selfies = await _browser(playwright, selfie_video)
        page = await _phone(selfies, cookies)
        await page.goto(url)
        await _record_selfie(page)
        await click(page, t.gettext("Send for verification"))
        await page.wait_for_selector("body[data-page=result]", timeout=120_000)
        heading = await page.inner_text("h1")
        reasons = await page.locator(".reasons li").all_inner_texts()
        await selfies.close()
    assert heading in ("You are verified", "We could not verify you"), (heading, reasons)
    (delivery,) = receiver.wait_for(1, timeout_s=30)
    print(f"{kind}{' expired' if expired else ''}: {time.monotonic() - started:.1f} s")
    return heading, json.loads(delivery.body)


@pytest.mark.parametrize("kind", ["kz_passport", "kz_id_card", "ru_internal_passport"])
async def test_a_genuine_customer_is_approved_through_the_camera(
    server: LiveServer,
    merchant: MerchantInfo,
    state: AppState,
    receiver: Receiver,
    selfie_video: Path,
    tmp_path: Path,
    kind: str,
) -> None:
    heading, event = await _run(server, merchant, state, receiver, selfie_video, tmp_path, kind)
    assert heading == "You are verified"
    assert event["event"] == "kyc.completed"
    assert event["data"]["status"] == "APPROVED"


async def test_an_expired_passport_is_declined_through_the_camera(
    server: LiveServer,
    merchant: MerchantInfo,
    state: AppState,
    receiver: Receiver,
    selfie_video: Path,
    tmp_path: Path,
) -> None:
    heading, event = await _run(
        server, merchant, state, receiver, selfie_video, tmp_path, "kz_passport", expired=True
    )
    assert heading == "We could not verify you"
    assert event["event"] == "kyc.failed"
    assert event["data"]["status"] == "DECLINED"
    assert "DOCUMENT_EXPIRED" in event["data"]["declineReasons"]
