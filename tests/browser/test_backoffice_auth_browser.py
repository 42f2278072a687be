"""The back office in Chromium: an admin signs in with a TOTP code and creates a reviewer,
who signs in with the one-time password and must choose their own; the audit log they left
verifies with `openkyc audit verify` and stops verifying once a row is altered in the
database; the pages read in Russian without English leaking through."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pyotp
import pytest
from playwright.async_api import Browser, Page

from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.operators.service import OperatorService
from openkyc.state import AppState
from tests.browser.conftest import DESKTOP, assert_translated, new_page, shot
from tests.dashboard.support import create_operator
from tests.support import LiveServer, MerchantInfo

pytestmark = pytest.mark.browser
OPENKYC = str(Path(sys.executable).parent / "openkyc")


async def enrolled_admin(state: AppState) -> tuple[str, str, str]:
    """An admin with TOTP on; enrolled with the previous step's code so that the current one
    is still unspent for the sign-in (a code works once)."""
    admin, _ = await create_operator(state, role="admin", email="chief@example.com")
    async with unit_of_work(state.sessionmaker) as db:
        service = OperatorService(db, state)
        operator = await service.get(admin.id)
        secret = await service.enrolment_secret(operator)
        code = pyotp.TOTP(secret).at(time.time() - 30)
        assert await service.confirm_enrolment(operator, code)
    return admin.email, admin.password, secret


async def sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    await page.goto(f"{base_url}/dashboard/?lang=en")
    await page.wait_for_url(re.compile(r"/dashboard/login\?next="))
    await page.fill("#email", email)
    await page.fill("#password", password)
    await page.get_by_role("button", name="Sign in", exact=True).click()


def audit_verify(settings: Settings) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENKYC_")}
    env.update(
        OPENKYC_DATA_DIR=str(settings.data_dir),
        OPENKYC_DATABASE_URL=settings.resolved_database_url,
        OPENKYC_MASTER_KEY=settings.master_key.get_secret_value() if settings.master_key else "",
    )
    return subprocess.run(
        [OPENKYC, "audit", "verify"], env=env, capture_output=True, text=True, timeout=60
    )


async def test_an_admin_signs_in_with_totp_and_creates_a_reviewer(
    browser: Browser,
    server: LiveServer,
    state: AppState,
    settings: Settings,
    merchant: MerchantInfo,
) -> None:
    email, password, secret = await enrolled_admin(state)
    page = await new_page(browser, DESKTOP, phone=False)
    violations: list[str] = []
    page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )

    await sign_in(page, server.base_url, email, password)
    await page.wait_for_url(re.compile(r"/dashboard/login/totp"))
    await shot(page, "dashboard-totp")
    await page.fill("#totp", pyotp.TOTP(secret).now())
    await page.get_by_role("button", name="Continue", exact=True).click()
    await page.wait_for_url(re.compile(r"/dashboard/queue$"))
    cookie = next(c for c in await page.context.cookies() if c["name"] == "okyc_dash")
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"

    await page.click("a[data-nav=operators]")
    await page.wait_for_url("**/dashboard/operators")
    await page.fill("#new-email", "reviewer@example.com")
    await page.select_option("#new-role", "reviewer")
    await page.select_option("#new-merchants", merchant.id)
    await page.get_by_role("button", name="Create the operator", exact=True).click()
    one_time = (await page.inner_text("#one-time-password")).strip()
    assert len(one_time) >= 16
    await shot(page, "dashboard-operator-created")

    # The reviewer, in their own browser, must replace the one-time password first.
    reviewer = await new_page(browser, DESKTOP, phone=False)
    await sign_in(reviewer, server.base_url, "reviewer@example.com", one_time)
    await reviewer.wait_for_url(re.compile(r"/dashboard/account/password"))
    await reviewer.fill("#current_password", one_time)
    await reviewer.fill("#new_password", "four unrelated words here")
    await reviewer.get_by_role("button", name="Save the new password", exact=True).click()
    await reviewer.wait_for_url(re.compile(r"/dashboard/queue$"))
    nav = await reviewer.eval_on_selector_all("a[data-nav]", "els => els.map(e => e.dataset.nav)")
    assert "operators" not in nav
    assert "audit" not in nav

    # The admin reads the log of all this, then the chain is checked from the shell.
    await page.click("a[data-nav=audit]")
    await page.wait_for_url("**/dashboard/audit")
    for action in ("operator.signed_in", "operator.created", "operator.password_changed"):
        assert await page.locator(f"tr[data-action='{action}']").count() >= 1, action
    await shot(page, "dashboard-audit")
    assert violations == []

    intact = audit_verify(settings)
    assert intact.returncode == 0, intact.stderr
    assert "audit chain intact" in intact.stdout
    database = settings.resolved_database_url.split("///", 1)[1]
    with sqlite3.connect(database) as connection:
        (row_id,) = connection.execute(
            "SELECT id FROM audit_events WHERE action = 'operator.created'"
            " AND actor_type = 'operator'"
        ).fetchone()
        connection.execute(
            'UPDATE audit_events SET data = \'{"role": "admin"}\' WHERE id = ?', (row_id,)
        )
    broken = audit_verify(settings)
    assert broken.returncode == 1
    assert f"row id {row_id} " in broken.stderr


async def test_the_dashboard_reads_in_russian(
    browser: Browser, server: LiveServer, state: AppState
) -> None:
    admin, _ = await create_operator(state, role="admin")
    page = await new_page(browser, DESKTOP, phone=False)
    await page.goto(f"{server.base_url}/dashboard/login?lang=ru")
    assert await page.get_attribute("html", "lang") == "ru"
    await assert_translated(page, "ru")
    await page.fill("#email", admin.email)
    await page.fill("#password", "not the password")
    await page.get_by_role("button", name="Войти", exact=True).click()
    assert "Неверный e-mail или пароль." in await page.inner_text("#page-error")
    await page.fill("#password", admin.password)
    await page.get_by_role("button", name="Войти", exact=True).click()
    await page.wait_for_url(re.compile(r"/dashboard/queue$"))
    for path in ("/dashboard/operators", "/dashboard/account", "/dashboard/audit"):
        await page.goto(f"{server.base_url}{path}")
        await assert_translated(page, "ru")
    await shot(page, "dashboard-audit-ru")


async def test_an_operator_enrols_a_second_factor_from_the_qr_page(
    browser: Browser, server: LiveServer, state: AppState
) -> None:
    reviewer, _ = await create_operator(state, role="reviewer")
    page = await new_page(browser, DESKTOP, phone=False)
    violations: list[str] = []
    page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    await sign_in(page, server.base_url, reviewer.email, reviewer.password)
    await page.wait_for_url(re.compile(r"/dashboard/queue$"))
    await page.click("a.account")
    await page.get_by_role("link", name="Turn on two-factor sign-in").click()
    qr = await page.locator("#totp-qr svg").bounding_box()
    assert qr is not None
    assert qr["width"] >= 150
    await shot(page, "dashboard-totp-enrol")
    secret = (await page.inner_text("#totp-secret")).replace(" ", "")
    await page.fill("#totp", pyotp.TOTP(secret).now())
    await page.get_by_role("button", name="Turn on two-factor sign-in", exact=True).click()
    await page.wait_for_url(re.compile(r"/dashboard/account\?notice=totp_on"))
    assert "Two-factor sign-in is on." in await page.inner_text("[role=status]")
    assert violations == []
