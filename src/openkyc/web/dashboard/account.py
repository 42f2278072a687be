"""The operator's own account: password, second factor (TOTP enrolment with a QR code made
here, never by a third-party service) and their sessions."""

from __future__ import annotations

import segno
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from openkyc.api.dependencies import db_session, get_state
from openkyc.errors import ValidationFailed
from openkyc.operators import totp
from openkyc.operators.models import Operator, OperatorSession, SessionStage
from openkyc.operators.service import OpenSession, OperatorService
from openkyc.state import AppState
from openkyc.web.dashboard.auth import (
    check_session_csrf,
    current_operator,
    open_stage,
    principal_of,
    render,
    safe_next,
    set_session_cookie,
    verify_csrf,
)
from openkyc.web.dashboard.forms import notice_text, redirect_with_notice
from openkyc.web.dashboard.principal import OperatorPrincipal
from openkyc.web.dashboard.rendering import translator
from openkyc.web.i18n import N_

router = APIRouter(include_in_schema=False)
ACCOUNT_PATH = "/dashboard/account"

NOTICES = {
    "totp_on": N_("Two-factor sign-in is on."),
    "password_changed": N_("Your password was changed. Your other sessions were signed out."),
    "sessions_revoked": N_("Your other sessions were signed out."),
}
ENROL_INVALID = N_("The code does not match. Check the time on your phone and enter the new code.")


@router.get("/dashboard/account")
async def account_page(
    request: Request,
    principal: OperatorPrincipal = Depends(current_operator),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    service = OperatorService(db, state)
    operator = await service.get(principal.operator_id)
    return render(
        request,
        "dashboard/account.html",
        {
            "operator": operator,
            "sessions": await service.live_sessions(operator.id),
            "notice": notice_text(request, NOTICES),
        },
        principal=principal,
    )


@router.post("/dashboard/account/sessions/revoke-others")
async def revoke_other_sessions(
    principal: OperatorPrincipal = Depends(verify_csrf),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    await OperatorService(db, state).revoke_sessions(
        principal.operator_id, actor_id=principal.operator_id, keep=principal.session_id
    )
    return redirect_with_notice(ACCOUNT_PATH, "sessions_revoked")


async def _posted_step(
    request: Request, state: AppState, db: AsyncSession, stage: SessionStage
) -> tuple[OpenSession, FormData, OperatorService, Operator]:
    """A form posted at an account step (active, or signing in at ``stage``): its CSRF token
    checked before anything is read."""
    opened = await open_stage(request, state, SessionStage.ACTIVE, stage)
    await check_session_csrf(request, state, opened)
    form = await request.form()
    service = OperatorService(db, state)
    return opened, form, service, await service.get(opened.operator.id)


async def _after_step(
    state: AppState,
    service: OperatorService,
    operator: Operator,
    record: OperatorSession,
    stage: SessionStage,
    form: FormData,
    *,
    notice: str,
    unfinished: str | None = None,
) -> Response:
    """An active session goes back to the account page with ``notice``; one signing in moves
    past ``stage``: to ``next`` with its new cookie once active, else to ``unfinished``."""
    if record.stage != stage:
        return redirect_with_notice(ACCOUNT_PATH, notice)
    token = await service.advance(record, operator, stage)
    finished = token or unfinished is None
    location = safe_next(str(form.get("next") or "")) if finished else (unfinished or "")
    response = RedirectResponse(location, status_code=303)
    if token is not None:
        set_session_cookie(response, state.settings, token)
    return response


# --- password ------------------------------------------------------------------------------


def _password_page(
    request: Request, opened: OpenSession, fields: dict[str, str], status_code: int = 200
) -> Response:
    required = opened.record.stage == SessionStage.NEW_PASSWORD
    return render(
        request,
        "dashboard/account_password.html",
        {
            "required": required,
            "fields": fields,
            "next": safe_next(request.query_params.get("next")),
            "show_logout": True,
        },
        principal=None if required else principal_of(opened),
        csrf_token=opened.record.csrf_token,
        status_code=status_code,
    )


@router.get("/dashboard/account/password")
async def password_form(request: Request, state: AppState = Depends(get_state)) -> Response:
    opened = await open_stage(request, state, SessionStage.ACTIVE, SessionStage.NEW_PASSWORD)
    return _password_page(request, opened, {})


@router.post("/dashboard/account/password")
async def change_password(
    request: Request,
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    opened, form, service, operator = await _posted_step(
        request, state, db, SessionStage.NEW_PASSWORD
    )
    record = await service.sessions.get(opened.record.id)
    assert record is not None
    try:
        await service.change_password(
            operator,
            str(form.get("current_password") or ""),
            str(form.get("new_password") or ""),
            keep_session=record.id,
        )
    except ValidationFailed as exc:
        return _password_page(request, opened, exc.errors, status_code=400)
    return await _after_step(
        state, service, operator, record, SessionStage.NEW_PASSWORD, form,
        notice="password_changed",
    )  # fmt: skip


# --- second factor -------------------------------------------------------------------------


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


async def _enrolment_page(
    request: Request,
    opened: OpenSession,
    service: OperatorService,
    operator: Operator,
    *,
    error: bool = False,
) -> Response:
    required = opened.record.stage == SessionStage.ENROL
    context: dict[str, object] = {
        "required": required,
        "enrolled": operator.totp_enrolled,
        "next": safe_next(request.query_params.get("next")),
        "show_logout": True,
        "error": translator(request).gettext(ENROL_INVALID) if error else None,
    }
    if not operator.totp_enrolled:
        secret = await service.enrolment_secret(operator)
        uri = totp.provisioning_uri(secret, operator.email)
        # An inline SVG made here: the secret never leaves for a QR service.
        context["qr_svg"] = segno.make(uri, error="m").svg_inline(
            scale=6, dark="#111", light="#fff", omitsize=False
        )
        context["secret"] = _grouped(secret)
    return render(
        request,
        "dashboard/account_totp.html",
        context,
        principal=None if required else principal_of(opened),
        csrf_token=opened.record.csrf_token,
        status_code=400 if error else 200,
    )


@router.get("/dashboard/account/totp")
async def enrolment_form(
    request: Request,
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    opened = await open_stage(request, state, SessionStage.ACTIVE, SessionStage.ENROL)
    service = OperatorService(db, state)
    operator = await service.get(opened.operator.id)
    return await _enrolment_page(request, opened, service, operator)


@router.post("/dashboard/account/totp")
async def confirm_enrolment(
    request: Request,
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    opened, form, service, operator = await _posted_step(request, state, db, SessionStage.ENROL)
    if not await service.confirm_enrolment(operator, str(form.get("totp") or "")[:20]):
        return await _enrolment_page(request, opened, service, operator, error=True)
    record = await service.sessions.get(opened.record.id)
    assert record is not None
    # Enrolled while signing in with no session yet: a new password comes next.
    return await _after_step(
        state, service, operator, record, SessionStage.ENROL, form,
        notice="totp_on", unfinished="/dashboard/account/password",
    )  # fmt: skip
