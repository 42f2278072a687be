"""Live hints while framing the document, computed in the page from a downscaled copy of the
camera's picture: too dark, glare, or nothing to say for a good picture."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import ImageDraw, ImageEnhance
from playwright.async_api import Browser

from openkyc.web.i18n import Translator
from tests.browser.conftest import PHONE, new_page
from tests.browser.test_hosted_browser import choose_document, create_session
from tests.browser.y4m import to_frame, write_y4m
from tests.support import LiveServer, MerchantInfo
from tests.web.conftest import specimen

pytestmark = pytest.mark.browser
EXPECTED = {
    "dark": "Too dark: move to a brighter place",
    "glare": "Glare: tilt the document or move away from the light",
    "clean": "",
}


@pytest.fixture(params=list(EXPECTED))
def camera_video(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    frame = to_frame(specimen("ru_internal_passport"), (1280, 960))
    if request.param == "dark":
        frame = ImageEnhance.Brightness(frame).enhance(0.15)
    elif request.param == "glare":
        ImageDraw.Draw(frame).ellipse((420, 250, 860, 700), fill=(255, 255, 255))
    path = write_y4m(tmp_path / f"{request.param}.y4m", [frame] * 4)
    path.with_suffix(".kind").write_text(request.param)
    return path


async def test_the_page_hints_while_framing(
    browser: Browser, server: LiveServer, merchant: MerchantInfo, camera_video: Path
) -> None:
    scene = camera_video.with_suffix(".kind").read_text()
    url = await create_session(server, merchant, language="en")
    page = await new_page(browser, PHONE)
    await choose_document(page, url, Translator("en"), "ru_internal_passport")
    await page.wait_for_selector(".shutter:not([disabled])")
    if EXPECTED[scene]:
        await page.wait_for_selector(".framing-hint:not(.hidden)")
        assert await page.inner_text(".framing-hint") == EXPECTED[scene]
    else:
        await page.wait_for_timeout(1500)  # three rounds of the hint's check
        assert await page.locator(".framing-hint.hidden").count() == 1
