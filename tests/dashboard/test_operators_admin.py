"""Admins manage operators in the dashboard; every change is audited."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select

from openkyc.audit.models import AuditEvent
from openkyc.db.session import unit_of_work
from openkyc.state import AppState
from tests.dashboard.support import OperatorInfo, post_login, sign_in
from tests.support import MerchantInfo


async def _actions(state: AppState) -> list[tuple[str, str | None]]:
    async with unit_of_work(state.sessionmaker) as db:
        rows = (await db.scalars(select(AuditEvent).order_by(AuditEvent.id))).all()
    return [(row.action, row.actor_id) for row in rows]


def _one_time(html: str) -> str:
    match = re.search(r'id="one-time-password">([^<]+)<', html)
    assert match
    return match.group(1).strip()


async def test_an_admin_creates_a_scoped_reviewer_who_then_signs_in(
    client: httpx.AsyncClient,
    other_browser: httpx.AsyncClient,
    state: AppState,
    admin: OperatorInfo,
    merchant: MerchantInfo,
) -> None:
    csrf = await sign_in(client, admin)
    page = await client.get("/dashboard/operators")
    assert merchant.name in page.text
    created = await client.post(
        "/dashboard/operators",
        data={
            "csrf_token": csrf,
            "email": "New.Reviewer@Example.com",
            "role": "reviewer",
            "merchants": merchant.id,
        },
    )
    assert created.status_code == 201
    one_time = _one_time(created.text)
    listing = await client.get("/dashboard/operators")
    assert "new.reviewer@example.com" in listing.text
    assert merchant.id in listing.text
    assert ("operator.created", str(admin.id)) in await _actions(state)

    login = await post_login(other_browser, "new.reviewer@example.com", one_time)
    assert login.headers["location"] == "/dashboard/account/password"


async def test_bad_values_are_named_beside_their_field(
    client: httpx.AsyncClient, admin: OperatorInfo
) -> None:
    csrf = await sign_in(client, admin)
    bad = await client.post(
        "/dashboard/operators", data={"csrf_token": csrf, "email": "nope", "role": "boss"}
    )
    assert bad.status_code == 400
    assert 'id="email-error"' in bad.text
    assert 'id="role-error"' in bad.text
    merchant = await client.post(
        "/dashboard/operators",
        data={
            "csrf_token": csrf,
            "email": "x@example.com",
            "role": "reviewer",
            "merchants": "not-a-uuid",
        },
    )
    assert merchant.status_code == 400
    assert 'id="merchants-error"' in merchant.text
    duplicate = await client.post(
        "/dashboard/operators", data={"csrf_token": csrf, "email": admin.email, "role": "auditor"}
    )
    assert duplicate.status_code == 409


async def test_creating_needs_the_csrf_token_and_the_admin_role(
    client: httpx.AsyncClient,
    other_browser: httpx.AsyncClient,
    state: AppState,
    admin: OperatorInfo,
    reviewer: OperatorInfo,
) -> None:
    await sign_in(client, admin)
    forged = await client.post(
        "/dashboard/operators", data={"email": "x@example.com", "role": "admin"}
    )
    assert forged.status_code == 403
    csrf = await sign_in(other_browser, reviewer)
    refused = await other_browser.post(
        "/dashboard/operators", data={"csrf_token": csrf, "email": "x@example.com", "role": "admin"}
    )
    assert refused.status_code == 403
    assert not any(
        action == "operator.created" and actor for action, actor in await _actions(state)
    )


async def test_disable_enable_reset_and_end_sessions(
    client: httpx.AsyncClient,
    other_browser: httpx.AsyncClient,
    state: AppState,
    admin: OperatorInfo,
    reviewer: OperatorInfo,
) -> None:
    csrf = await sign_in(client, admin)
    await sign_in(other_browser, reviewer)
    base = f"/dashboard/operators/{reviewer.id}"
    assert (await client.get(base)).status_code == 200

    assert (await client.post(f"{base}/disable", data={"csrf_token": csrf})).status_code == 303
    assert (await other_browser.get("/dashboard/account")).status_code == 303
    refused = await post_login(other_browser, reviewer.email, reviewer.password)
    assert refused.status_code == 403

    assert (await client.post(f"{base}/enable", data={"csrf_token": csrf})).status_code == 303
    await sign_in(other_browser, reviewer)
    ended = await client.post(f"{base}/revoke-sessions", data={"csrf_token": csrf})
    assert ended.status_code == 303
    assert (await other_browser.get("/dashboard/account")).status_code == 303

    reset = await client.post(f"{base}/reset-password", data={"csrf_token": csrf})
    assert reset.status_code == 200
    one_time = _one_time(reset.text)
    assert (await post_login(other_browser, reviewer.email, reviewer.password)).status_code == 401
    fresh = await post_login(other_browser, reviewer.email, one_time)
    assert fresh.headers["location"] == "/dashboard/account/password"

    actions = [action for action, _ in await _actions(state)]
    for expected in (
        "operator.disabled",
        "operator.enabled",
        "operator.sessions_revoked",
        "operator.password_reset",
    ):
        assert expected in actions


async def test_an_admin_cannot_disable_themselves_and_unknown_ids_are_404(
    client: httpx.AsyncClient, admin: OperatorInfo
) -> None:
    csrf = await sign_in(client, admin)
    self_disable = await client.post(
        f"/dashboard/operators/{admin.id}/disable", data={"csrf_token": csrf}
    )
    assert self_disable.status_code == 409
    assert (await client.get("/dashboard/account")).status_code == 200
    for path in ("/dashboard/operators/not-a-uuid", f"/dashboard/operators/{admin.id.hex[:8]}"):
        assert (await client.get(path)).status_code == 404
    unknown_action = await client.post(
        f"/dashboard/operators/{admin.id}/explode", data={"csrf_token": csrf}
    )
    assert unknown_action.status_code == 404


async def test_the_account_page_lists_sessions_and_signs_out_the_others(
    client: httpx.AsyncClient, other_browser: httpx.AsyncClient, reviewer: OperatorInfo
) -> None:
    csrf = await sign_in(client, reviewer)
    await sign_in(other_browser, reviewer)
    page = await client.get("/dashboard/account")
    assert page.text.count("<tr") == 3  # header + two sessions
    out = await client.post("/dashboard/account/sessions/revoke-others", data={"csrf_token": csrf})
    assert out.status_code == 303
    assert (await client.get("/dashboard/account")).status_code == 200
    assert (await other_browser.get("/dashboard/account")).status_code == 303
