"""Opening the link: binding to a browser, resuming, expiry, headers."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select, update

from openkyc.audit.models import AuditEvent
from openkyc.db.base import utcnow
from openkyc.db.session import unit_of_work
from openkyc.sessions.models import KycSession
from openkyc.state import AppState
from tests.support import SignedApi
from tests.web.conftest import Customer, flow_of, new_browser


async def test_opening_the_link_starts_the_session_and_binds_the_browser(
    customer: Customer, api: SignedApi, state: AppState
) -> None:
    response = await customer.open()
    assert response.status_code == 200
    assert "Verify your identity" in response.text
    cookie = response.headers["set-cookie"]
    assert "okyc_page=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert f"Path=/verify/{customer.session_id}" in cookie
    assert "Secure" not in cookie  # plain http in tests; https sets Secure
    session = (await api.get(f"/api/v2/kyc/sessions/{customer.session_id}")).json()["session"]
    assert session["status"] == "IN_PROGRESS"
    async with unit_of_work(state.sessionmaker) as db:
        events = (
            await db.scalars(
                select(AuditEvent).where(
                    AuditEvent.subject_id == customer.session_id,
                    AuditEvent.action == "session.status_changed",
                )
            )
        ).all()
    assert [(e.actor_type, e.data["to"]) for e in events] == [("customer", "IN_PROGRESS")]


async def test_a_page_token_is_never_stored_in_clear(customer: Customer, state: AppState) -> None:
    response = await customer.open()
    token = response.cookies["okyc_page"]
    flow = await flow_of(state, customer.session_id)
    assert flow is not None
    assert token not in flow.token_hash
    assert len(flow.token_hash) == 64


async def test_reopening_resumes_at_the_same_step(customer: Customer) -> None:
    await customer.consent()
    await customer.choose()
    first = await customer.open()
    again = await customer.open()
    assert "Photograph the page with your photo" in first.text
    assert "Photograph the page with your photo" in again.text
    assert "set-cookie" not in again.headers


async def test_another_browser_must_take_over_and_the_first_then_loses_access(
    customer: Customer, client: httpx.AsyncClient
) -> None:
    await customer.consent()
    async with new_browser(client) as other_http:
        other = Customer(other_http, customer.session_id)
        page = await other.open()
        assert "open in another browser" in page.text
        assert "Which document" not in page.text
        # Without the take-over form's token nothing happens.
        refused = await other.post("takeover", csrf="forged")
        assert refused.status_code == 303
        assert "error=csrf_rejected" in refused.headers["location"]
        taken = await other.post("takeover")
        assert taken.status_code == 303
        resumed = await other.open()
        assert "Which document will you use?" in resumed.text
    lost = await customer.post("document", {"kind": "ru_internal_passport"}, json=True)
    assert lost.status_code == 403
    assert lost.json()["error"]["code"] == "FLOW_ACCESS_DENIED"


async def test_unknown_and_malformed_ids_show_a_not_found_page(client: httpx.AsyncClient) -> None:
    for path in (f"/verify/{uuid.uuid4()}?lang=en", "/verify/not-a-uuid?lang=en"):
        response = await client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "This verification link is not valid" in response.text.replace("\n", " ")


async def test_an_expired_link_shows_the_expiry_page(
    customer: Customer, state: AppState, kyc_session: dict[str, Any]
) -> None:
    async with unit_of_work(state.sessionmaker) as db:
        await db.execute(
            update(KycSession)
            .where(KycSession.id == uuid.UUID(kyc_session["id"]))
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    response = await customer.open()
    assert response.status_code == 410
    assert "This link has expired" in response.text
    assert await flow_of(state, customer.session_id) is None


async def test_a_link_expiring_mid_flow_refuses_further_steps(
    customer: Customer, state: AppState
) -> None:
    await customer.consent()
    async with unit_of_work(state.sessionmaker) as db:
        await db.execute(
            update(KycSession)
            .where(KycSession.id == uuid.UUID(customer.session_id))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    refused = await customer.post("document", {"kind": "ru_internal_passport"}, json=True)
    assert refused.status_code == 410
    assert refused.json()["success"] is False
    assert refused.json()["error"]["code"] == "SESSION_EXPIRED"
    assert "expired" in (await customer.open()).text


async def test_pages_carry_a_strict_policy_and_no_inline_code(customer: Customer) -> None:
    response = await customer.open()
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "default-src 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"
    html = response.text
    # Only external scripts and inert JSON; no style attributes, no event handlers.
    for script in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        attributes, _content = script
        assert "src=" in attributes or 'type="application/json"' in attributes
    assert " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)
    assert "http://" not in html.replace("http://testserver", "")
    assert "https://" not in html


async def test_static_assets_are_served_locally(client: httpx.AsyncClient) -> None:
    for asset in ("flow.js", "flow.css", "icon.svg"):
        response = await client.get(f"/static/hosted/{asset}")
        assert response.status_code == 200, asset


async def test_the_language_follows_the_session_and_can_be_switched(
    api: SignedApi, client: httpx.AsyncClient
) -> None:
    created = await api.create_session(language="kk")
    customer = Customer(client, created["id"])
    page = await customer.open()
    assert '<html lang="kk">' in page.text
    assert "Жеке басыңызды растаңыз" in page.text
    switched = await customer.open("?lang=ru")
    assert '<html lang="ru">' in switched.text
    assert "Подтвердите личность" in switched.text
    # The choice sticks for the next pages.
    again = await customer.open()
    assert '<html lang="ru">' in again.text


async def test_a_link_preview_does_not_lock_the_customer_out(
    customer: Customer, client: httpx.AsyncClient
) -> None:
    # A messenger fetches the link to build a preview before the customer taps it.
    async with new_browser(client) as preview_bot:
        assert (await preview_bot.get(customer.url)).status_code == 200
    page = await customer.open()
    assert "Verify your identity" in page.text
    await customer.consent()
    await customer.choose()
    assert "Photograph the page with your photo" in (await customer.open()).text


async def test_two_first_visits_at_once_both_get_a_page(
    customer: Customer, client: httpx.AsyncClient
) -> None:
    async with new_browser(client) as first, new_browser(client) as second:
        answers = await asyncio.gather(first.get(customer.url), second.get(customer.url))
    assert [answer.status_code for answer in answers] == [200, 200]
