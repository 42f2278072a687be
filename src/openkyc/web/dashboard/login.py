"""Signing in and out of the dashboard: ``/dashboard/login``, the landing redirect, logout and
the operator's own password change (required after a one-time password)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.api.dependencies import db_session, get_state
from openkyc.db.session import unit_of_work
from openkyc.errors import ValidationFailed
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
    clear_session_cookie,
    client_ip,
    current_operator,
    ensure_pre_token,
    login_csrf,
    open_operator_session,
    presented_csrf,
    principal_of,
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
        location += "?next=" + next_path
    response = RedirectResponse(location, status_code=303)
    set_session_cookie(response, settings, token)
    response.delete_cookie(PRE_COOKIE, path="/dashboard")
    return response


@router.post("/dashboard/logout")
async def logout(request: Request, state: AppState = Depends(get_state)) -> Response:
    # Any stage may sign out, so the session is opened without requiring it to be active.
    opened = await open_operator_session(request, state)
    check_origin(request, state.settings)
    if not tokens_match(opened.record.csrf_token, await presented_csrf(request)):
        raise CsrfInvalid()
    async with unit_of_work(state.sessionmaker) as db:
        service = OperatorService(db, state)
        record = await service.sessions.get(opened.record.id)
        if record is not None:
            await service.sign_out(record)
    response = RedirectResponse(f"{LOGIN_PATH}?signed_out=1", status_code=303)
    clear_session_cookie(response, state.settings)
    return response


# --- the operator's own password -----------------------------------------------------------


async def _own_session(request: Request, state: AppState) -> OpenSession:
    opened = await open_operator_session(request, state)
    if opened.record.stage not in (SessionStage.ACTIVE, SessionStage.NEW_PASSWORD):
        raise LoginRequired(STAGE_PATHS.get(opened.record.stage, LOGIN_PATH))
    return opened


@router.get("/dashboard/account/password")
async def password_form(request: Request, state: AppState = Depends(get_state)) -> Response:
    opened = await _own_session(request, state)
    principal = principal_of(opened) if opened.record.stage == SessionStage.ACTIVE else None
    return render(
        request,
        "dashboard/account_password.html",
        {"required": opened.record.stage == SessionStage.NEW_PASSWORD, "fields": {}},
        principal=principal,
        csrf_token=opened.record.csrf_token,
    )


@router.post("/dashboard/account/password")
async def change_password(
    request: Request,
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    opened = await _own_session(request, state)
    check_origin(request, state.settings)
    if not tokens_match(opened.record.csrf_token, await presented_csrf(request)):
        raise CsrfInvalid()
    form = await request.form()
    service = OperatorService(db, state)
    operator = await service.get(opened.operator.id)
    record = await service.sessions.get(opened.record.id)
    assert record is not None
    required = record.stage == SessionStage.NEW_PASSWORD
    try:
        await service.change_password(
            operator, str(form.get("current_password") or ""), str(form.get("new_password") or "")
        )
    except ValidationFailed as exc:
        return render(
            request,
            "dashboard/account_password.html",
            {"required": required, "fields": exc.errors},
            principal=None if required else principal_of(opened),
            csrf_token=opened.record.csrf_token,
            status_code=400,
        )
    next_path = safe_next(request.query_params.get("next"))
    if not required:
        return RedirectResponse(f"{next_path}", status_code=303)
    token = await service.advance(record, operator, SessionStage.NEW_PASSWORD)
    response = RedirectResponse(next_path, status_code=303)
    if token is not None:
        set_session_cookie(response, state.settings, token)
    return response
