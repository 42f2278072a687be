"""Every step's primary action is visible without scrolling on a small phone (360x640 CSS
px), the page says which step of three it is, and the selfie shows its countdown while it
records. With OPENKYC_SCREENSHOTS=<existing dir> each step is saved there as a 360x640 PNG."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page

from openkyc.web.i18n import Translator
from tests.browser.conftest import new_page
from tests.browser.test_hosted_browser import capture_document, click, create_session
from tests.support import LiveServer, MerchantInfo

pytestmark = pytest.mark.browser
SMALL_PHONE = {"width": 360, "height": 640}


async def assert_primary_visible(page: Page, step: str) -> None:
    """The step's primary button lies wholly inside the viewport, the page unscrolled."""
    await page.evaluate("window.scrollTo(0, 0)")
    button = page.locator(".primary-action:visible").first
    box = await button.bounding_box()
    assert box is not None, f"{step}: no visible primary action"
    folder = os.environ.get("OPENKYC_SCREENSHOTS")
    if folder:
        await page.screenshot(path=str(Path(folder) / f"{step}.png"))
    inside = (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= SMALL_PHONE["width"]
        and box["y"] + box["height"] <= SMALL_PHONE["height"]
    )
    assert inside, f"{step}: primary action at {box}, outside 360x640"
    # Nothing wider than the screen: no sideways scrolling either.
    assert await page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]


async def test_every_primary_action_fits_a_360x640_screen(
    browser: Browser, server: LiveServer, merchant: MerchantInfo
) -> None:
    kind = "ru_internal_passport"  # what the fake camera shows
    t = Translator("ru")
    url = await create_session(
        server, merchant, language="ru", callbackUrl="https://shop.example.org/back"
    )
    page = await new_page(browser, SMALL_PHONE)
    prefix = ""
    await page.goto(url)
    await assert_primary_visible(page, f"{prefix}1-consent")
    await page.check("#agree")
    await click(page, t.gettext("Start"))
    await page.wait_for_selector("body[data-page=document]")
    assert t.gettext("Step %(step)d of %(total)d", step=1, total=3) in await page.inner_text(
        ".progress"
    )
    await assert_primary_visible(page, f"{prefix}2-document")
    await page.check(f"#doc-{kind}")
    await click(page, t.gettext("Continue"))
    await page.wait_for_selector("body[data-page=capture] .shutter:not([disabled])")
    await assert_primary_visible(page, f"{prefix}3-capture")
    await capture_document(page, t, "layout-capture")
    await page.wait_for_selector("body[data-page=selfie] .shutter:not([disabled])")
    assert t.gettext("Step %(step)d of %(total)d", step=2, total=3) in await page.inner_text(
        ".progress"
    )
    await assert_primary_visible(page, f"{prefix}4-selfie")
    await click(page, t.gettext("Start the selfie"))
    # The countdown and the progress bar show while it records.
    await page.wait_for_selector(".recording:not(.hidden) .recording-text:not(:empty)")
    left = await page.inner_text(".recording-text")
    assert any(ch.isdigit() for ch in left), left
    await page.wait_for_selector("body[data-page=review]", timeout=30_000)
    assert t.gettext("Step %(step)d of %(total)d", step=3, total=3) in await page.inner_text(
        ".progress"
    )
    await assert_primary_visible(page, f"{prefix}5-review")
    # The thumbnails loaded from the session's own media.
    widths = await page.eval_on_selector_all("img.thumb", "els => els.map(e => e.naturalWidth)")
    assert len(widths) == 2
    assert all(width > 0 for width in widths)
    await page.click("#sb-approve")
    await page.wait_for_selector("body[data-page=result]", timeout=30_000)
    await assert_primary_visible(page, f"{prefix}6-result")
