"""Signing in and out of the dashboard, over HTTP against the real app and database."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select, update

from openkyc.audit.models import AuditEvent
from openkyc.config import Environment
from openkyc.db.base import utcnow
from openkyc.db.session import unit_of_work
from openkyc.operators.models import Operator, OperatorSession
from openkyc.state import AppState
from tests.dashboard.support import OperatorInfo, csrf_of, post_login, sign_in

WRONG = "Wrong e-mail or password."


async def _audit_actions(state: AppState) -> list[str]:
    async with unit_of_work(state.sessionmaker) as db:
        rows = (await db.scalars(select(AuditEvent).order_by(AuditEvent.id))).all()
    return [row.action for row in rows]


async def test_the_login_page_has_the_form_and_the_strict_headers(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/dashboard/login")
    assert page.status_code == 200
    assert 'name="email"' in page.text
    assert 'name="password"' in page.text
    assert csrf_of(page.text)
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"


async def test_signing_in_sets_a_strict_http_only_cookie_and_lands_on_the_queue(
    client: httpx.AsyncClient, state: AppState, admin: OperatorInfo
) -> None:
    response = await post_login(client, admin.email, admin.password)
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard/queue"
    cookie = next(
        v for k, v in response.headers.multi_items() if k == "set-cookie" and "okyc_dash=" in v
    )
    lowered = cookie.lower()
    assert "httponly" in lowered
    assert "samesite=strict" in lowered
    assert "path=/dashboard" in lowered
    assert "secure" not in lowered  # development over http
    landing = await client.get("/dashboard/")
    assert landing.status_code == 303
    assert landing.headers["location"] == "/dashboard/queue"
    assert "operator.signed_in" in await _audit_actions(state)


async def test_the_cookie_is_secure_in_production(
    settings: Any, state: AppState, make_operator: Any
) -> None:
    from openkyc.app import create_app

    production = settings.model_copy(update={"env": Environment.PRODUCTION})
    state.settings = production
    operator = await make_operator(role="admin")
    app = create_app(state=state)
    app.state.openkyc = state
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://testserver"
    ) as http:
        response = await post_login(http, operator.email, operator.password)
    assert response.status_code == 303
    cookie = next(
        v for k, v in response.headers.multi_items() if k == "set-cookie" and "okyc_dash=" in v
    )
    assert "secure" in cookie.lower()


async def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(
    client: httpx.AsyncClient, state: AppState, reviewer: OperatorInfo
) -> None:
    wrong = await post_login(client, reviewer.email, "not the password at all")
    unknown = await post_login(client, "nobody@example.com", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert WRONG in wrong.text
    assert WRONG in unknown.text
    # The pages differ only in the e-mail echoed back and the CSRF token.
    strip = lambda r, e: r.text.replace(e, "E").replace(csrf_of(r.text), "T")  # noqa: E731
    assert strip(wrong, reviewer.email) == strip(unknown, "nobody@example.com")
    actions = await _audit_actions(state)
    assert actions.count("operator.sign_in_failed") == 2


async def test_an_unknown_email_takes_as_long_as_a_wrong_password(
    client: httpx.AsyncClient, reviewer: OperatorInfo
) -> None:
    async def fastest(email: str) -> float:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            await post_login(client, email, "not the password at all")
            times.append(time.perf_counter() - started)
        return min(times)

    # Without a dummy hash an unknown e-mail answers in a few ms, a wrong password in ~50+.
    wrong, unknown = await fastest(reviewer.email), await fastest("nobody@example.com")
    assert unknown > 0.5 * wrong, (unknown, wrong)


async def test_repeated_failures_lock_the_account_with_a_clear_message(
    client: httpx.AsyncClient, state: AppState, reviewer: OperatorInfo
) -> None:
    for _ in range(state.settings.dashboard_max_failed_logins - 1):
        assert (await post_login(client, reviewer.email, "wrong password!")).status_code == 401
    locking = await post_login(client, reviewer.email, "wrong password!")
    assert locking.status_code == 429
    assert "locked for 15 minutes" in locking.text
    # Even the right password is refused while locked.
    right = await post_login(client, reviewer.email, reviewer.password)
    assert right.status_code == 429
    assert "locked" in right.text
    async with unit_of_work(state.sessionmaker) as db:
        await db.execute(
            update(Operator)
            .where(Operator.id == reviewer.id)
            .values(locked_until=utcnow() - timedelta(seconds=1))
        )
    assert (await post_login(client, reviewer.email, reviewer.password)).status_code == 303


async def test_an_unknown_email_locks_exactly_like_an_account(
    client: httpx.AsyncClient, state: AppState
) -> None:
    answers = [
        await post_login(client, "ghost@example.com", "wrong password!")
        for _ in range(state.settings.dashboard_max_failed_logins)
    ]
    assert [a.status_code for a in answers[:-1]] == [401] * (len(answers) - 1)
    assert answers[-1].status_code == 429
    assert "locked for 15 minutes" in answers[-1].text


async def test_failures_from_one_ip_are_throttled(
    settings: Any, state: AppState, make_operator: Any
) -> None:
    from openkyc.app import create_app

    state.settings = settings.model_copy(update={"dashboard_login_ip_limit": "3/15minutes"})
    operators = [await make_operator() for _ in range(2)]
    app = create_app(state=state)
    app.state.openkyc = state
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers={"accept-language": "en"},
    ) as http:
        for operator in (operators[0], operators[1], operators[0]):
            assert (await post_login(http, operator.email, "wrong password!")).status_code == 401
        limited = await post_login(http, operators[1].email, operators[1].password)
    assert limited.status_code == 429
    assert "from your network" in limited.text
    assert int(limited.headers["retry-after"]) > 0


async def test_the_login_form_needs_its_csrf_token(
    client: httpx.AsyncClient, admin: OperatorInfo
) -> None:
    await client.get("/dashboard/login")
    response = await client.post(
        "/dashboard/login", data={"email": admin.email, "password": admin.password}
    )
    assert response.status_code == 403
    assert "okyc_dash=" not in response.headers.get("set-cookie", "")
    forged = await client.post(
        "/dashboard/login",
        data={"email": admin.email, "password": admin.password, "csrf_token": "x" * 64},
    )
    assert forged.status_code == 403


async def test_a_cross_site_login_post_is_refused(
    client: httpx.AsyncClient, admin: OperatorInfo
) -> None:
    page = await client.get("/dashboard/login")
    response = await client.post(
        "/dashboard/login",
        data={"email": admin.email, "password": admin.password, "csrf_token": csrf_of(page.text)},
        headers={"origin": "https://evil.example"},
    )
    assert response.status_code == 403


async def test_next_returns_to_the_page_asked_for_but_never_to_another_site(
    client: httpx.AsyncClient, admin: OperatorInfo
) -> None:
    first = await client.get("/dashboard/operators?x=1")
    assert first.status_code == 303
    assert first.headers["location"] == "/dashboard/login?next=/dashboard/operators%3Fx%3D1"
    back = await post_login(client, admin.email, admin.password, next="/dashboard/operators?x=1")
    assert back.headers["location"] == "/dashboard/operators?x=1"
    for evil in ("https://evil.example/", "//evil.example", "/dashboard\\@evil", "/verify/x"):
        await client.post("/dashboard/logout", data={"csrf_token": "nope"})
        client.cookies.clear()
        response = await post_login(client, admin.email, admin.password, next=evil)
        assert response.headers["location"] == "/dashboard/queue", evil


async def test_logout_needs_csrf_and_ends_the_session_for_good(
    client: httpx.AsyncClient, state: AppState, admin: OperatorInfo
) -> None:
    csrf = await sign_in(client, admin)
    token = client.cookies.get("okyc_dash")
    refused = await client.post("/dashboard/logout", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    assert (await client.get("/dashboard/operators")).status_code == 200
    out = await client.post("/dashboard/logout", data={"csrf_token": csrf})
    assert out.status_code == 303
    assert out.headers["location"].startswith("/dashboard/login")
    assert (await client.get("/dashboard/operators")).status_code == 303
    # The old token, replayed, opens nothing: the session was revoked server-side.
    client.cookies.set("okyc_dash", token or "", path="/dashboard")
    replay = await client.get("/dashboard/operators")
    assert replay.status_code == 303
    assert replay.headers["location"].startswith("/dashboard/login")
    assert "operator.signed_out" in await _audit_actions(state)


async def test_a_csrf_token_of_another_session_is_refused(
    client: httpx.AsyncClient,
    other_browser: httpx.AsyncClient,
    admin: OperatorInfo,
    reviewer: OperatorInfo,
) -> None:
    await sign_in(client, admin)
    theirs = await sign_in(other_browser, reviewer)
    response = await client.post("/dashboard/logout", data={"csrf_token": theirs})
    assert response.status_code == 403
    assert (await client.get("/dashboard/operators")).status_code == 200


async def test_idle_and_absolute_timeouts_end_a_session(
    client: httpx.AsyncClient, state: AppState, admin: OperatorInfo
) -> None:
    await sign_in(client, admin)
    idle = timedelta(minutes=state.settings.dashboard_idle_minutes + 1)
    async with unit_of_work(state.sessionmaker) as db:
        await db.execute(update(OperatorSession).values(last_seen_at=utcnow() - idle))
    assert (await client.get("/dashboard/operators")).status_code == 303

    await sign_in(client, admin)
    absolute = timedelta(hours=state.settings.dashboard_absolute_hours, minutes=1)
    async with unit_of_work(state.sessionmaker) as db:
        await db.execute(update(OperatorSession).values(created_at=utcnow() - absolute))
    assert (await client.get("/dashboard/operators")).status_code == 303


async def test_a_disabled_operators_live_session_is_refused(
    client: httpx.AsyncClient, state: AppState, admin: OperatorInfo
) -> None:
    from openkyc.operators.service import OperatorService

    await sign_in(client, admin)
    async with unit_of_work(state.sessionmaker) as db:
        await db.execute(update(Operator).values(disabled_at=utcnow()))
    assert (await client.get("/dashboard/operators")).status_code == 303
    # And disabling through the service also revokes the sessions.
    async with unit_of_work(state.sessionmaker) as db:
        await db.execute(update(Operator).values(disabled_at=None))
    await sign_in(client, admin)
    async with unit_of_work(state.sessionmaker) as db:
        await OperatorService(db, state).disable(admin.id)
    async with unit_of_work(state.sessionmaker) as db:
        sessions = (await db.scalars(select(OperatorSession))).all()
    assert sessions
    assert all(s.revoked_at is not None for s in sessions)
    disabled = await post_login(client, admin.email, admin.password)
    assert disabled.status_code == 403
    assert "disabled" in disabled.text


async def test_a_one_time_password_must_be_replaced_before_anything_else(
    client: httpx.AsyncClient, state: AppState
) -> None:
    from tests.dashboard.support import create_operator

    operator, one_time = await create_operator(state, role="admin", password=None)
    assert one_time
    assert operator.password == one_time
    response = await post_login(client, operator.email, one_time)
    assert response.headers["location"] == "/dashboard/account/password"
    blocked = await client.get("/dashboard/operators")
    assert blocked.status_code == 303
    assert blocked.headers["location"] == "/dashboard/account/password"
    page = await client.get("/dashboard/account/password")
    csrf = csrf_of(page.text)
    short = await client.post(
        "/dashboard/account/password",
        data={"csrf_token": csrf, "current_password": one_time, "new_password": "short"},
    )
    assert short.status_code == 400
    assert "at least 12 characters" in short.text
    done = await client.post(
        "/dashboard/account/password",
        data={
            "csrf_token": csrf,
            "current_password": one_time,
            "new_password": "a much better passphrase",
        },
    )
    assert done.status_code == 303
    assert (await client.get("/dashboard/operators")).status_code == 200
    # The token seen before the password change no longer opens anything.
    assert "operator.password_changed" in await _audit_actions(state)
