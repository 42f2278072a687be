"""What each role may open, and what the navigation offers it."""

from __future__ import annotations

import re

import httpx

from tests.dashboard.support import OperatorInfo, sign_in


def _nav(html: str) -> list[str]:
    return re.findall(r'data-nav="([a-z]+)"', html)


async def test_an_unauthenticated_page_sends_the_browser_to_sign_in(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/dashboard/operators")
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard/login?next=/dashboard/operators"


async def test_the_admin_page_is_refused_to_reviewers_and_auditors(
    client: httpx.AsyncClient,
    other_browser: httpx.AsyncClient,
    reviewer: OperatorInfo,
    auditor: OperatorInfo,
) -> None:
    await sign_in(client, reviewer)
    refused = await client.get("/dashboard/operators")
    assert refused.status_code == 403
    assert "Your role does not allow this page." in refused.text
    assert refused.headers["content-type"].startswith("text/html")
    await sign_in(other_browser, auditor)
    assert (await other_browser.get("/dashboard/operators")).status_code == 403


async def test_an_admin_opens_the_operators_page(
    client: httpx.AsyncClient, admin: OperatorInfo, reviewer: OperatorInfo
) -> None:
    await sign_in(client, admin)
    page = await client.get("/dashboard/operators")
    assert page.status_code == 200
    assert admin.email in page.text
    assert reviewer.email in page.text


async def test_the_navigation_shows_each_role_its_sections(
    client: httpx.AsyncClient,
    other_browser: httpx.AsyncClient,
    admin: OperatorInfo,
    reviewer: OperatorInfo,
    auditor: OperatorInfo,
) -> None:
    await sign_in(client, admin)
    assert _nav((await client.get("/dashboard/account/password")).text) == [
        "queue", "sessions", "overview", "audit", "merchants", "operators",
    ]  # fmt: skip
    await sign_in(other_browser, reviewer)
    assert _nav((await other_browser.get("/dashboard/account/password")).text) == [
        "queue", "sessions", "overview",
    ]  # fmt: skip
    await client.post("/dashboard/logout", data={"csrf_token": "x"})
    client.cookies.clear()
    await sign_in(client, auditor)
    assert _nav((await client.get("/dashboard/account/password")).text) == [
        "queue", "sessions", "overview", "audit",
    ]  # fmt: skip


async def test_an_unknown_dashboard_path_is_an_html_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/dashboard/no-such-page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    api = await client.get("/api/v2/nothing")
    assert api.headers["content-type"].startswith("application/json")
