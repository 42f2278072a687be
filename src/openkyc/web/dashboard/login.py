"""Signing in and out of the dashboard: ``/dashboard/login``, the landing redirect, logout and
the operator's own password change (required after a one-time password)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from openkyc.api.dependencies import get_state
from openkyc.db.session import unit_of_work
from openkyc.operators.errors import CsrfInvalid
from openkyc.operators.models import SessionStage
from openkyc.operators.service import OpenSession, OperatorService, SignInFailure
from openkyc.state import AppState
from openkyc.web.dashboard.auth import (
    HOME_PATH,
    LOGIN_PATH,
    PRE_COOKIE,
    STAGE_PATHS,
    LoginRequired,
    check_origin,
    check_session_csrf,
    clear_session_cookie,
    client_ip,
    current_operator,
    ensure_pre_token,
    login_csrf,
    open_operator_session,
    open_stage,
    presented_csrf,
    render,
    safe_next,
    set_pre_cookie,
    set_session_cookie,
    tokens_match,
)
from openkyc.web.dashboard.principal import OperatorPrincipal
from openkyc.web.dashboard.rendering import translator
from openkyc.web.dashboard.throttle import throttle_of
from openkyc.web.i18n import N_

router = APIRouter(include_in_schema=False)

MESSAGES = {
    "invalid": N_("Wrong e-mail or password."),
    "locked": N_(
        "Too many failed sign-ins: this account is locked for %(minutes)s minutes. Try again "
        "later or ask an administrator to reset your password."
    ),
    "disabled": N_("This account is disabled. Ask an administrator."),
    "ip_limited": N_(
        "Too many failed sign-ins from your network. Wait %(minutes)s minutes and try again."
    ),
    "expired": N_("The sign-in form expired. Please try again."),
    "signed_out": N_("You are signed out."),
}
STATUS = {"invalid": 401, "locked": 429, "disabled": 403, "ip_limited": 429, "expired": 403}


def _seconds_to_minutes(seconds: int) -> int:
    return max(1, -(-seconds // 60))


def _login_page(
    request: Request,
    state: AppState,
    *,
    next_path: str,
    email: str = "",
    error: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
) -> Response:
    pre, is_new = ensure_pre_token(request)
    t = translator(request)
    response = render(
        request,
        "dashboard/login.html",
        {
            "next": next_path,
            "email": email,
            "error": t.gettext(MESSAGES[error], **(values or {})) if error else None,
            "notice": t.gettext(MESSAGES[notice]) if notice else None,
        },
        csrf_token=login_csrf(pre),
        status_code=status_code,
    )
    if is_new:
        set_pre_cookie(response, state.settings, pre)
    return response


@router.get("/dashboard")
@router.get("/dashboard/")
async def landing(_principal: OperatorPrincipal = Depends(current_operator)) -> Response:
    return RedirectResponse(HOME_PATH, status_code=303)


@router.get("/dashboard/login")
async def login_form(request: Request, state: AppState = Depends(get_state)) -> Response:
    next_path = safe_next(request.query_params.get("next"))
    try:
        opened = await open_operator_session(request, state)
    except LoginRequired:
        opened = None
    if opened is not None:
        stage = opened.record.stage
        return RedirectResponse(STAGE_PATHS.get(stage, next_path), status_code=303)
    notice = "signed_out" if request.query_params.get("signed_out") else None
    return _login_page(request, state, next_path=next_path, notice=notice)


@router.post("/dashboard/login")
async def login(request: Request, state: AppState = Depends(get_state)) -> Response:
    form = await request.form()
    email = str(form.get("email") or "")[:320]
    password = str(form.get("password") or "")[:1024]
    next_path = safe_next(str(form.get("next") or ""))
    ip = client_ip(request)
    settings = state.settings
    try:
        check_origin(request, settings)
    except CsrfInvalid:
        return _login_page(
            request, state, next_path=next_path, email=email, error="expired", status_code=403
        )
    pre = request.cookies.get(PRE_COOKIE)
    if not pre or not tokens_match(login_csrf(pre), await presented_csrf(request)):
        return _login_page(
            request, state, next_path=next_path, email=email, error="expired", status_code=403
        )
    throttle = throttle_of(request)
    retry_after = await throttle.ip_retry_after(ip)
    if retry_after is not None:
        response = _login_page(
            request,
            state,
            next_path=next_path,
            email=email,
            error="ip_limited",
            status_code=429,
            values={"minutes": _seconds_to_minutes(retry_after)},
        )
        response.headers["Retry-After"] = str(retry_after)
        return response

    async with unit_of_work(state.sessionmaker) as db:
        service = OperatorService(db, state)
        outcome = await service.authenticate(email, password, ip=ip)
        token: str | None = None
        stage = SessionStage.ACTIVE
        if outcome.operator is not None:
            stage = service.first_stage(outcome.operator)
            _record, token = await service.start_session(
                outcome.operator, stage, ip=ip, user_agent=request.headers.get("user-agent")
            )

    if outcome.failure is not None:
        await throttle.ip_failed(ip)
        failure = outcome.failure.value
        unknown = outcome.failure is SignInFailure.INVALID and not outcome.known
        # An unknown e-mail locks after as many failures as an account does.
        if unknown and await throttle.unknown_email_failed(email):
            failure = SignInFailure.LOCKED.value
        return _login_page(
            request,
            state,
            next_path=next_path,
            email=email,
            error=failure,
            status_code=STATUS[failure],
            values={"minutes": settings.dashboard_lockout_minutes},
        )
    assert token is not None
    location = next_path if stage is SessionStage.ACTIVE else STAGE_PATHS[stage.value]
    if stage is not SessionStage.ACTIVE and next_path != HOME_PATH:
        location += "?next=" + quote(next_path, safe="/")
    response = RedirectResponse(location, status_code=303)
    set_session_cookie(response, settings, token)
    response.delete_cookie(PRE_COOKIE, path="/dashboard")
    return response


@router.post("/dashboard/logout")
async def logout(request: Request, state: AppState = Depends(get_state)) -> Response:
    # Any stage may sign out, so the session is opened without requiring it to be active.
    opened = await open_operator_session(request, state)
    await check_session_csrf(request, state, opened)
    async with unit_of_work(state.sessionmaker) as db:
        service = OperatorService(db, state)
        record = await service.sessions.get(opened.record.id)
        if record is not None:
            await service.sign_out(record)
    response = RedirectResponse(f"{LOGIN_PATH}?signed_out=1", status_code=303)
    clear_session_cookie(response, state.settings)
    return response


# --- the second factor of a sign-in --------------------------------------------------------


def _totp_page(
    request: Request, opened: OpenSession, *, error: str | None = None, status_code: int = 200
) -> Response:
    t = translator(request)
    return render(
        request,
        "dashboard/login_totp.html",
        {
            "next": safe_next(request.query_params.get("next")),
            "error": t.gettext(TOTP_INVALID) if error else None,
            "show_logout": True,
        },
        csrf_token=opened.record.csrf_token,
        status_code=status_code,
    )


TOTP_INVALID = N_("The code is not valid. Enter the current 6-digit code from your app.")


@router.get("/dashboard/login/totp")
async def totp_form(request: Request, state: AppState = Depends(get_state)) -> Response:
    opened = await open_stage(request, state, SessionStage.TOTP)
    return _totp_page(request, opened)


@router.post("/dashboard/login/totp")
async def totp_check(request: Request, state: AppState = Depends(get_state)) -> Response:
    opened = await open_stage(request, state, SessionStage.TOTP)
    await check_session_csrf(request, state, opened)
    form = await request.form()
    code = str(form.get("totp") or "")[:20]
    next_path = safe_next(str(form.get("next") or ""))
    ip = client_ip(request)
    async with unit_of_work(state.sessionmaker) as db:
        service = OperatorService(db, state)
        operator = await service.get(opened.operator.id)
        failure = await service.verify_totp(operator, code, ip=ip)
        token: str | None = None
        if failure is None:
            record = await service.sessions.get(opened.record.id)
            assert record is not None
            token = await service.advance(record, operator, SessionStage.TOTP)
            stage = record.stage
    if failure is SignInFailure.LOCKED:
        response = _login_page(
            request,
            state,
            next_path=next_path,
            error="locked",
            status_code=429,
            values={"minutes": state.settings.dashboard_lockout_minutes},
        )
        clear_session_cookie(response, state.settings)
        return response
    if failure is not None:
        return _totp_page(request, opened, error="invalid", status_code=401)
    location = next_path if token is not None else STAGE_PATHS[stage]
    response = RedirectResponse(location, status_code=303)
    if token is not None:
        set_session_cookie(response, state.settings, token)
    return response
