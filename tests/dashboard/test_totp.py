"""The second factor: enrolment with a locally made QR code, the code at sign-in, replay,
lock-out, production's requirement, and an admin's reset."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pyotp
from sqlalchemy import select

from openkyc.config import Environment
from openkyc.db.session import unit_of_work
from openkyc.operators.models import Operator, OperatorSession
from openkyc.operators.service import OperatorService
from openkyc.state import AppState
from tests.dashboard.support import OperatorInfo, csrf_of, post_login, sign_in


def _secret_of(html: str) -> str:
    match = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html)
    assert match, "no key on the enrolment page"
    return match.group(1).replace(" ", "")


async def enrol(http: httpx.AsyncClient) -> str:
    """Enrols the signed-in operator; returns the TOTP secret the page showed."""
    page = await http.get("/dashboard/account/totp")
    assert page.status_code == 200
    assert "<svg" in page.text  # the QR code, inline, made by segno here
    secret = _secret_of(page.text)
    done = await http.post(
        "/dashboard/account/totp",
        data={"csrf_token": csrf_of(page.text), "totp": pyotp.TOTP(secret).now()},
    )
    assert done.status_code == 303, done.text
    return secret


async def _operator(state: AppState, info: OperatorInfo) -> Operator:
    async with unit_of_work(state.sessionmaker) as db:
        operator = await db.get(Operator, info.id)
    assert operator is not None
    return operator


async def test_enrolment_shows_a_qr_code_and_needs_a_valid_code(
    client: httpx.AsyncClient, state: AppState, reviewer: OperatorInfo
) -> None:
    await sign_in(client, reviewer)
    page = await client.get("/dashboard/account/totp")
    secret = _secret_of(page.text)
    assert (await client.get("/dashboard/account/totp")).text.count(secret[:4]) >= 1
    wrong = await client.post(
        "/dashboard/account/totp", data={"csrf_token": csrf_of(page.text), "totp": "000000"}
    )
    assert wrong.status_code == 400
    assert not (await _operator(state, reviewer)).totp_enrolled
    ok = await client.post(
        "/dashboard/account/totp",
        data={"csrf_token": csrf_of(page.text), "totp": pyotp.TOTP(secret).now()},
    )
    assert ok.status_code == 303
    operator = await _operator(state, reviewer)
    assert operator.totp_enrolled
    # Stored sealed under the master key, never in clear.
    assert operator.totp_secret_ciphertext is not None
    assert secret.encode() not in operator.totp_secret_ciphertext


async def test_an_enrolled_operator_signs_in_with_a_code_once(
    client: httpx.AsyncClient, state: AppState, reviewer: OperatorInfo
) -> None:
    await sign_in(client, reviewer)
    secret = await enrol(client)
    client.cookies.clear()

    first = await post_login(client, reviewer.email, reviewer.password)
    assert first.headers["location"] == "/dashboard/login/totp"
    pending_token = client.cookies.get("okyc_dash")
    # Password alone opens nothing else.
    held = await client.get("/dashboard/account")
    assert held.status_code == 303
    assert held.headers["location"] == "/dashboard/login/totp"
    page = await client.get("/dashboard/login/totp")
    assert 'name="totp"' in page.text
    wrong = await client.post(
        "/dashboard/login/totp", data={"csrf_token": csrf_of(page.text), "totp": "123456"}
    )
    assert wrong.status_code == 401
    code = pyotp.TOTP(secret).now()
    # The enrolment's step was spent; wait is not needed: within the same step the same code
    # is refused, so use the next one the app would show if this one was used.
    async with unit_of_work(state.sessionmaker) as db:
        operator = await db.get(Operator, reviewer.id)
        assert operator is not None
        operator.totp_last_step = None
    ok = await client.post(
        "/dashboard/login/totp", data={"csrf_token": csrf_of(page.text), "totp": code}
    )
    assert ok.status_code == 303
    assert (await client.get("/dashboard/account")).status_code == 200
    # The token seen before the second factor was replaced.
    assert client.cookies.get("okyc_dash") != pending_token

    # The same code, again, in another sign-in: refused (replay inside its 30 s window).
    client.cookies.clear()
    await post_login(client, reviewer.email, reviewer.password)
    page = await client.get("/dashboard/login/totp")
    replay = await client.post(
        "/dashboard/login/totp", data={"csrf_token": csrf_of(page.text), "totp": code}
    )
    assert replay.status_code == 401


async def test_wrong_codes_lock_the_account(
    client: httpx.AsyncClient, state: AppState, reviewer: OperatorInfo
) -> None:
    await sign_in(client, reviewer)
    await enrol(client)
    client.cookies.clear()
    await post_login(client, reviewer.email, reviewer.password)
    page = await client.get("/dashboard/login/totp")
    csrf = csrf_of(page.text)
    answers = []
    for _ in range(state.settings.dashboard_max_failed_logins):
        answers.append(
            await client.post("/dashboard/login/totp", data={"csrf_token": csrf, "totp": "000000"})
        )
    assert [a.status_code for a in answers[:-1]] == [401] * (len(answers) - 1)
    assert answers[-1].status_code == 429
    assert "locked" in answers[-1].text
    async with unit_of_work(state.sessionmaker) as db:
        sessions = (await db.scalars(select(OperatorSession))).all()
    assert all(s.revoked_at is not None for s in sessions)


async def test_production_requires_every_operator_to_enrol_first(
    settings: Any, state: AppState, make_operator: Any
) -> None:
    from openkyc.app import create_app

    state.settings = settings.model_copy(update={"env": Environment.PRODUCTION})
    operator = await make_operator(role="admin")
    app = create_app(state=state)
    app.state.openkyc = state
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="https://testserver",
        headers={"accept-language": "en"},
    ) as http:
        response = await post_login(http, operator.email, operator.password)
        assert response.headers["location"] == "/dashboard/account/totp"
        blocked = await http.get("/dashboard/operators")
        assert blocked.headers["location"] == "/dashboard/account/totp"
        page = await http.get("/dashboard/account/totp")
        assert "Set it up to continue" in page.text
        secret = _secret_of(page.text)
        done = await http.post(
            "/dashboard/account/totp",
            data={"csrf_token": csrf_of(page.text), "totp": pyotp.TOTP(secret).now()},
        )
        assert done.status_code == 303
        assert (await http.get("/dashboard/operators")).status_code == 200


async def test_an_admin_resets_a_lost_second_factor(
    client: httpx.AsyncClient,
    other_browser: httpx.AsyncClient,
    state: AppState,
    admin: OperatorInfo,
    reviewer: OperatorInfo,
) -> None:
    await sign_in(other_browser, reviewer)
    await enrol(other_browser)
    csrf = await sign_in(client, admin)
    reset = await client.post(
        f"/dashboard/operators/{reviewer.id}/reset-totp", data={"csrf_token": csrf}
    )
    assert reset.status_code == 303
    assert not (await _operator(state, reviewer)).totp_enrolled
    # The reviewer's session ended with it.
    assert (await other_browser.get("/dashboard/account")).status_code == 303
    async with unit_of_work(state.sessionmaker) as db:
        again = await OperatorService(db, state).get(reviewer.id)
        assert again.totp_secret_ciphertext is None
