"""Accessibility of every step in ru, kk and en: axe-core (npm, pinned by
tests/browser/axe/package-lock.json) finds no violation of WCAG 2.0-2.2 A/AA or of its best
practices; the keyboard order follows the page; processing and results are announced."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page

from openkyc.web.i18n import Translator
from tests.browser.test_hosted_browser import capture_document, click, create_session
from tests.support import LiveServer, MerchantInfo

pytestmark = pytest.mark.browser
AXE_DIR = Path(__file__).resolve().parent / "axe"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def axe_script() -> str:
    """axe.min.js, installed from the lock file on first use (npm ci, as .ci/run does)."""
    script = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        subprocess.run(
            ["npm", "ci", "--prefix", str(AXE_DIR), "--no-audit", "--no-fund"],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return script.read_text()


async def axe_page(browser: Browser) -> Page:
    # The page's CSP allows no inline script; the test's own axe injection bypasses it.
    context = await browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, permissions=["camera"], bypass_csp=True
    )
    page = await context.new_page()
    page.set_default_timeout(15_000)
    return page


async def assert_accessible(page: Page, axe: str, step: str) -> None:
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(content=axe)
    result: dict[str, Any] = await page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
    assert problems == [], f"{step}: {problems}"


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
async def test_every_step_has_no_axe_violations(
    browser: Browser, server: LiveServer, merchant: MerchantInfo, axe_script: str, language: str
) -> None:
    t = Translator(language)
    url = await create_session(
        server, merchant, language=language, callbackUrl="https://shop.example.org/back"
    )
    page = await axe_page(browser)
    await page.goto(url)
    await assert_accessible(page, axe_script, "consent")
    await page.check("#agree")
    await click(page, t.gettext("Start"))
    await page.wait_for_selector("body[data-page=document]")
    await assert_accessible(page, axe_script, "document")
    await page.check("#doc-ru_internal_passport")
    await click(page, t.gettext("Continue"))
    await page.wait_for_selector("body[data-page=capture] .shutter:not([disabled])")
    await assert_accessible(page, axe_script, "capture")
    await capture_document(page, t, f"axe-{language}-capture")
    await page.wait_for_selector("body[data-page=selfie] .shutter:not([disabled])")
    await assert_accessible(page, axe_script, "selfie")
    await click(page, t.gettext("Start the selfie"))
    await page.wait_for_selector("body[data-page=review]", timeout=30_000)
    await page.wait_for_function(
        "() => [...document.querySelectorAll('img.thumb')].every(i => i.complete)"
    )
    await assert_accessible(page, axe_script, "review")
    await page.click("#sb-retake")
    await page.wait_for_selector("body[data-page=result]", timeout=30_000)
    await assert_accessible(page, axe_script, "result: retake")
    await click(page, t.gettext("Retake the photos"))
    await page.wait_for_selector("body[data-page=capture]")
    await assert_accessible(page, axe_script, "capture again")


async def test_keyboard_order_follows_the_page_and_results_are_announced(
    browser: Browser, server: LiveServer, merchant: MerchantInfo
) -> None:
    t = Translator("en")
    url = await create_session(server, merchant, language="en")
    page = await axe_page(browser)
    await page.goto(url)
    order: list[str] = []
    for _ in range(8):
        await page.keyboard.press("Tab")
        order.append(
            await page.evaluate(
                "() => { const e = document.activeElement; "
                "return e.id || e.getAttribute('hreflang') || e.className || e.tagName; }"
            )
        )
    # Skip link, the three languages, the consent text (scrollable, so focusable), the box,
    # then the primary button.
    assert order[:7] == ["skip", "ru", "kk", "en", "consent-text", "agree", "button primary-action"]
    # Space ticks the box and Enter on the button goes on: no pointer needed.
    await page.focus("#agree")
    await page.keyboard.press("Space")
    await page.focus(".primary-action")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("body[data-page=document]")
    # The processing page announces its state politely; the result names itself in the title.
    await page.check("#doc-ru_internal_passport")
    await click(page, t.gettext("Continue"))
    await capture_document(page, t, "keyboard-capture")
    await page.wait_for_selector("body[data-page=selfie] .shutter:not([disabled])")
    await click(page, t.gettext("Start the selfie"))
    await page.wait_for_selector("body[data-page=review]", timeout=30_000)
    await page.click("#sb-approve")
    await page.wait_for_selector("body[data-page=result]", timeout=30_000)
    assert (await page.title()).startswith(t.gettext("You are verified"))
    assert await page.evaluate("document.activeElement.id") == "main"


async def test_every_step_reflows_at_400_percent_zoom(
    browser: Browser, server: LiveServer, merchant: MerchantInfo
) -> None:
    """WCAG 1.4.10: at 320 CSS px wide (a 1280 px window at 400%) nothing scrolls sideways."""
    t = Translator("kk")  # the longest words of the three languages
    url = await create_session(server, merchant, language="kk")
    context = await browser.new_context(
        viewport={"width": 320, "height": 256}, permissions=["camera"]
    )
    page = await context.new_page()

    async def fits(step: str) -> None:
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{step}: {width} CSS px wide"

    await page.goto(url)
    await fits("consent")
    await page.check("#agree")
    await click(page, t.gettext("Start"))
    await page.wait_for_selector("body[data-page=document]")
    await fits("document")
    await page.check("#doc-ru_internal_passport")
    await click(page, t.gettext("Continue"))
    await page.wait_for_selector("body[data-page=capture] .shutter:not([disabled])")
    await fits("capture")
    await capture_document(page, t, "reflow-capture")
    await page.wait_for_selector("body[data-page=selfie] .shutter:not([disabled])")
    await fits("selfie")
    await click(page, t.gettext("Start the selfie"))
    await page.wait_for_selector("body[data-page=review]", timeout=30_000)
    await fits("review")
