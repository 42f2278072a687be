"""Chromium, test mode, no camera: the sample document and the sample selfie carry a customer
from consent to a decision, keyboard and mouse only."""

from __future__ import annotations

from playwright.async_api import Browser

from openkyc.web.i18n import Translator
from tests.browser.conftest import DESKTOP, deny_camera, new_page, shot
from tests.browser.test_hosted_browser import click, create_session
from tests.support import LiveServer, MerchantInfo


async def test_the_sample_document_and_selfie_path_in_chromium(
    browser: Browser, server: LiveServer, merchant: MerchantInfo
) -> None:
    url = await create_session(server, merchant, language="en")
    page = await new_page(browser, DESKTOP, phone=False)
    await deny_camera(page)
    t = Translator("en")
    await page.goto(url)
    await page.check("#agree")
    await click(page, t.gettext("Start"))
    await page.wait_for_selector("#doc-kz_passport")
    await page.check("#doc-kz_passport")
    await click(page, t.gettext("Continue"))
    await page.wait_for_selector("body[data-page=capture]")
    await shot(page, "sample-1-capture")
    await page.click("#use-sample-document")
    # Rendering the specimen takes a few seconds on the server.
    await page.wait_for_selector("body[data-page=selfie]", timeout=120_000)
    await page.click("#use-sample-selfie")
    await page.wait_for_selector("body[data-page=review]", timeout=180_000)
    await shot(page, "sample-2-review")
    assert await page.locator(".thumbs img, img").count() >= 1
    await click(page, t.gettext("Send for verification"))
    await page.wait_for_selector("body[data-page=result]", timeout=60_000)
    await shot(page, "sample-3-result")
    # The browser tests' fake pipeline approves what it is given: the page reached a decision.
    assert await page.get_by_role("heading", name=t.gettext("You are verified")).is_visible()
