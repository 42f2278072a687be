"""The back office in Chromium: a reviewer takes a case the sandbox sent to review, sees its
document and selfie, approves it, and the merchant's webhook receiver gets kyc.completed; a
merchant-bound operator gets 404 on another merchant's case; an auditor has no buttons and
a POST from one is refused."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page

from openkyc.state import AppState
from tests.browser.conftest import DESKTOP, PHONE, new_page, shot
from tests.browser.test_hosted_browser import create_session, run_flow
from tests.dashboard.support import OperatorInfo, create_operator
from tests.support import LiveServer, MerchantInfo, SignedApi
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.browser


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


async def sign_in(page: Page, server: LiveServer, operator: OperatorInfo) -> None:
    await page.goto(f"{server.base_url}/dashboard/login")
    await page.fill("#email", operator.email)
    await page.fill("#password", operator.password)
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await page.wait_for_url("**/dashboard/queue")


async def session_in_review(browser: Browser, server: LiveServer, merchant: MerchantInfo) -> str:
    """A customer runs the hosted flow on a phone and picks the sandbox's manual review."""
    url = await create_session(server, merchant, language="en")
    phone = await new_page(browser, PHONE)
    await run_flow(phone, url, "en", "review-customer", outcome="review")
    await phone.get_by_role("heading", name="Your photos are being reviewed").wait_for()
    await phone.context.close()
    return url.rsplit("/", 1)[1]


async def wait_for(receiver: Receiver, event: str, timeout_s: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for received in list(receiver.received):
            body: dict[str, Any] = received.json()
            if body.get("event") == event:
                return body
        await asyncio.sleep(0.2)
    raise AssertionError(f"no {event} webhook within {timeout_s} s")


async def test_a_reviewer_approves_a_sandbox_review_and_the_merchant_is_told(
    browser: Browser,
    server: LiveServer,
    state: AppState,
    merchant: MerchantInfo,
    receiver: Receiver,
) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        hook = await SignedApi(http, merchant.test).post(
            "/api/v2/webhooks", json_body={"url": receiver.url, "events": ["kyc.completed"]}
        )
    assert hook.status_code == 201, hook.text
    session_id = await session_in_review(browser, server, merchant)
    reviewer, _ = await create_operator(state, role="reviewer", email="rita@example.com")

    page = await new_page(browser, DESKTOP, phone=False)
    await sign_in(page, server, reviewer)
    row = page.locator(f'tr[data-session="{session_id}"]')
    await row.wait_for()
    await shot(page, "dashboard-queue")
    await row.get_by_role("button", name="Take this case").click()
    await page.wait_for_url(f"**/dashboard/cases/{session_id}**")
    await page.locator("#holder").get_by_text("You hold this case.").wait_for()

    # The document and every selfie frame arrive decrypted, lazily, uncached.
    front = page.get_by_role("img", name="Document, front")
    await front.scroll_into_view_if_needed()
    await page.wait_for_function(
        "() => [...document.querySelectorAll('#evidence img')].slice(0, 3)"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    frames = page.locator("#frames img")
    assert await frames.count() >= 2
    # The burst is folded: none of its frames is fetched until the reviewer opens it.
    assert not await frames.last.evaluate("img => img.complete && img.naturalWidth > 0")
    await page.locator("#frames-box > summary").click()
    await frames.last.scroll_into_view_if_needed()
    await page.wait_for_function(
        "() => [...document.querySelectorAll('#frames img')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    lazy = await page.eval_on_selector_all(
        "#evidence img", "images => images.every(img => img.loading === 'lazy')"
    )
    assert lazy
    response = await page.request.get(server.base_url + (await front.get_attribute("src") or ""))
    assert response.status == 200
    assert response.headers["cache-control"] == "no-store"
    # Zoom and rotate by the page's own script.
    figure = page.locator("figure").filter(has=front)
    await figure.get_by_role("button", name="Zoom in").click()
    await figure.get_by_role("button", name="Rotate").click()
    transform = await front.evaluate("img => img.style.transform")
    assert "scale(1.5)" in transform
    assert "rotate(90deg)" in transform
    await figure.get_by_role("button", name="Reset").click()
    await page.locator("#evidence").scroll_into_view_if_needed()
    await shot(page, "dashboard-case")

    await page.get_by_role("button", name="Approve", exact=True).click()
    await page.get_by_text("Approved. The merchant is notified.").wait_for()
    assert await page.locator("#case-status").inner_text() == "APPROVED"
    assert await page.locator("#approve").count() == 0

    delivered = await wait_for(receiver, "kyc.completed")
    assert delivered["data"]["id"] == session_id
    assert delivered["data"]["status"] == "APPROVED"

    await page.goto(f"{server.base_url}/dashboard/overview")
    await page.locator("#chart-days svg").wait_for()
    await shot(page, "dashboard-overview")
    await page.context.close()


async def test_scoped_operators_and_auditors_are_refused(
    browser: Browser,
    server: LiveServer,
    state: AppState,
    merchant: MerchantInfo,
    make_merchant: Any,
) -> None:
    session_id = await session_in_review(browser, server, merchant)
    other = await make_merchant(name="Other shop")
    outsider, _ = await create_operator(state, role="reviewer", merchant_ids=[other.id])
    page = await new_page(browser, DESKTOP, phone=False)
    await sign_in(page, server, outsider)
    assert await page.locator(f'tr[data-session="{session_id}"]').count() == 0
    answer = await page.goto(f"{server.base_url}/dashboard/cases/{session_id}")
    assert answer is not None
    assert answer.status == 404
    await page.context.close()

    auditor, _ = await create_operator(state, role="auditor")
    page = await new_page(browser, DESKTOP, phone=False)
    await sign_in(page, server, auditor)
    answer = await page.goto(f"{server.base_url}/dashboard/cases/{session_id}")
    assert answer is not None
    assert answer.status == 200
    await page.get_by_role("img", name="Document, front").wait_for()
    for button in ("Approve", "Take this case", "Decline", "Add note"):
        assert await page.get_by_role("button", name=button, exact=True).count() == 0
    csrf = await page.evaluate("document.body.dataset.csrf")
    assert csrf
    refused = await page.request.post(
        f"{server.base_url}/dashboard/cases/{session_id}/approve",
        form={"csrf_token": csrf},
    )
    assert refused.status == 403
    await page.context.close()
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        read = await SignedApi(http, merchant.test).get(f"/api/v2/kyc/sessions/{session_id}")
    assert read.json()["session"]["status"] == "IN_PROGRESS"
