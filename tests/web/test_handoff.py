"""Desktop to phone through a one-time QR code; the desktop follows the phone."""

from __future__ import annotations

import re

import httpx

from tests.web.conftest import Customer, new_browser


async def _start_handoff(desktop: Customer) -> str:
    await desktop.consent()
    page = await desktop.post("handoff", {})
    assert page.status_code == 200
    assert "<svg" in page.text
    assert 'class="segno"' in page.text
    match = re.search(r"(/verify/[0-9a-f-]+/h/[A-Za-z0-9_-]+)", page.text)
    assert match is not None, "the QR page shows its link for screen readers and copying"
    return match.group(1)


async def test_the_phone_joins_through_the_qr_code_and_the_desktop_follows(
    customer: Customer, client: httpx.AsyncClient
) -> None:
    link = await _start_handoff(customer)
    async with new_browser(client) as phone_http:
        joined = await phone_http.get(link)
        assert joined.status_code == 303
        assert joined.headers["location"] == customer.url
        assert "okyc_page=" in joined.headers["set-cookie"]
        phone = Customer(phone_http, customer.session_id)
        page = await phone.open()
        assert "Which document will you use?" in page.text
        await phone.choose()
        status = (await customer.http.get(f"{customer.url}/status")).json()
        assert status["phoneConnected"] is True
        assert status["step"] == "capture_front"
        # The code works once.
        reused = await phone_http.get(link)
        assert reused.status_code == 404
    async with new_browser(client) as stranger:
        assert (await stranger.get(link)).status_code == 404


async def test_a_forged_handoff_token_is_refused(customer: Customer) -> None:
    await customer.open()
    response = await customer.http.get(f"{customer.url}/h/not-a-real-token")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
