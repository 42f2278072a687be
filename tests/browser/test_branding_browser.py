"""A branded hosted page in Chromium: under the unmodified strict CSP nothing is blocked, the
accent colour reaches the primary button, the logo loads, and axe-core still finds no violation
on the branded consent and document steps."""

from __future__ import annotations

import io
import uuid

import pytest
from PIL import Image
from playwright.async_api import Browser

from openkyc.db.session import unit_of_work
from openkyc.merchants.service import MerchantService
from openkyc.state import AppState
from openkyc.web.i18n import Translator
from tests.browser.conftest import PHONE, new_page
from tests.browser.test_accessibility_browser import assert_accessible, axe_page, axe_script
from tests.browser.test_hosted_browser import click, create_session
from tests.support import LiveServer, MerchantInfo

pytestmark = pytest.mark.browser
__all__ = ["axe_script"]  # the session fixture, shared
ACCENT = "#0b5d3b"
# Collected before any page script runs; Playwright's init script is not subject to the CSP.
RECORD_VIOLATIONS = (
    "window.__csp = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
)


async def _brand(state: AppState, merchant: MerchantInfo) -> None:
    out = io.BytesIO()
    Image.new("RGB", (240, 80), (11, 93, 59)).save(out, format="PNG")
    async with unit_of_work(state.sessionmaker) as db:
        await MerchantService(db, state.keyring).update(
            uuid.UUID(merchant.id),
            display_name="Green Shop",
            accent_colour=ACCENT,
            logo=out.getvalue(),
        )


async def test_a_branded_page_keeps_the_csp_and_has_no_axe_violations(
    browser: Browser, server: LiveServer, state: AppState, merchant: MerchantInfo, axe_script: str
) -> None:
    await _brand(state, merchant)
    t = Translator("en")
    url = await create_session(server, merchant, language="en")

    page = await new_page(browser, PHONE)
    await page.add_init_script(RECORD_VIOLATIONS)
    await page.goto(url)
    await page.wait_for_load_state("networkidle")
    assert await page.evaluate("window.__csp") == []
    assert await page.inner_text(".merchant") == "Green Shop"
    assert await page.evaluate("document.querySelector('.brand-logo').naturalWidth") == 240
    colour = await page.evaluate(
        "getComputedStyle(document.querySelector('.primary-action, button[type=submit]'))"
        ".backgroundColor"
    )
    assert colour == "rgb(11, 93, 59)"
    assert "Secured by OpenKYC" in await page.inner_text("footer")

    checked = await axe_page(browser)
    await checked.goto(url)
    await assert_accessible(checked, axe_script, "branded consent")
    await checked.check("#agree")
    await click(checked, t.gettext("Start"))
    await checked.wait_for_selector("body[data-page=document]")
    await assert_accessible(checked, axe_script, "branded document")
