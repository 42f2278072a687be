"""Operators (admin): who may sign in to the back office, with which role and merchants;
create, disable or enable, reset a password or a second factor, end sessions. A generated
one-time password is shown once, on the answer to the form, never in a URL."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.api.dependencies import db_session, get_state
from openkyc.errors import ValidationFailed
from openkyc.merchants.service import MerchantService
from openkyc.operators.errors import OperatorNotFound
from openkyc.operators.models import Operator, Role
from openkyc.operators.service import OperatorService
from openkyc.state import AppState
from openkyc.web.dashboard.auth import render, require_roles, verify_csrf
from openkyc.web.dashboard.principal import ADMIN, OperatorPrincipal
from openkyc.web.dashboard.rendering import translator
from openkyc.web.i18n import N_

router = APIRouter(include_in_schema=False)
admin_only = require_roles(ADMIN)

NOTICES = {
    "disabled": N_("The operator is disabled and their sessions ended."),
    "enabled": N_("The operator can sign in again."),
    "totp_reset": N_("Two-factor sign-in was reset; the operator sets it up again."),
    "sessions_revoked": N_("Every session of the operator ended."),
}


def _operator_id(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise OperatorNotFound() from None


async def _list_page(
    request: Request,
    principal: OperatorPrincipal,
    state: AppState,
    db: AsyncSession,
    *,
    fields: Mapping[str, str] | None = None,
    values: Mapping[str, object] | None = None,
    status_code: int = 200,
) -> Response:
    service = OperatorService(db, state)
    operators = await service.list()
    return render(
        request,
        "dashboard/operators.html",
        {
            "operators": operators,
            "bound": await service.merchants_of_many(o.id for o in operators),
            "merchants": await MerchantService(db, state.keyring).list(),
            "roles": [role.value for role in Role],
            "fields": dict(fields or {}),
            "values": {"email": "", "role": "reviewer", "merchants": [], **(values or {})},
        },
        principal=principal,
        status_code=status_code,
    )


@router.get("/dashboard/operators")
async def operators_page(
    request: Request,
    principal: OperatorPrincipal = Depends(admin_only),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    return await _list_page(request, principal, state, db)


@router.post("/dashboard/operators")
async def create_operator(
    request: Request,
    principal: OperatorPrincipal = Depends(admin_only),
    _csrf: OperatorPrincipal = Depends(verify_csrf),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    form = await request.form()
    email = str(form.get("email") or "")[:320]
    role = str(form.get("role") or "")
    raw_merchants = [str(value) for value in form.getlist("merchants") if value]
    values = {"email": email, "role": role, "merchants": raw_merchants}
    merchant_ids = []
    for raw in raw_merchants:
        try:
            merchant_ids.append(uuid.UUID(raw))
        except ValueError:
            return await _list_page(
                request, principal, state, db,
                fields={"merchants": "unknown merchant"}, values=values, status_code=400,
            )  # fmt: skip
    service = OperatorService(db, state)
    try:
        operator, one_time = await service.create(
            email=email, role=role, merchant_ids=merchant_ids, actor_id=principal.operator_id
        )
    except ValidationFailed as exc:
        return await _list_page(
            request, principal, state, db, fields=exc.errors, values=values, status_code=400
        )
    return render(
        request,
        "dashboard/operator_password.html",
        {"operator": operator, "one_time": one_time, "created": True},
        principal=principal,
        status_code=201,
    )


async def _detail(
    request: Request,
    principal: OperatorPrincipal,
    service: OperatorService,
    operator: Operator,
    *,
    notice: str | None = None,
) -> Response:
    t = translator(request)
    return render(
        request,
        "dashboard/operator.html",
        {
            "operator": operator,
            "bound": await service.merchants_of(operator.id),
            "sessions": await service.live_sessions(operator.id),
            "is_self": operator.id == principal.operator_id,
            "notice": t.gettext(NOTICES[notice]) if notice in NOTICES else None,
        },
        principal=principal,
    )


@router.get("/dashboard/operators/{operator_id}")
async def operator_page(
    request: Request,
    operator_id: str,
    principal: OperatorPrincipal = Depends(admin_only),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    service = OperatorService(db, state)
    operator = await service.get(_operator_id(operator_id))
    return await _detail(
        request, principal, service, operator, notice=request.query_params.get("notice")
    )


@router.post("/dashboard/operators/{operator_id}/{action}")
async def operator_action(
    request: Request,
    operator_id: str,
    action: str,
    principal: OperatorPrincipal = Depends(admin_only),
    _csrf: OperatorPrincipal = Depends(verify_csrf),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    service = OperatorService(db, state)
    target = _operator_id(operator_id)
    actor = principal.operator_id
    if action == "reset-password":
        operator, one_time = await service.reset_password(target, actor_id=actor)
        return render(
            request,
            "dashboard/operator_password.html",
            {"operator": operator, "one_time": one_time, "created": False},
            principal=principal,
        )
    if action == "disable":
        await service.disable(target, actor_id=actor)
        notice = "disabled"
    elif action == "enable":
        await service.enable(target, actor_id=actor)
        notice = "enabled"
    elif action == "reset-totp":
        await service.reset_totp(target, actor_id=actor)
        notice = "totp_reset"
    elif action == "revoke-sessions":
        await service.revoke_sessions(target, actor_id=actor)
        notice = "sessions_revoked"
    else:
        raise OperatorNotFound()
    return RedirectResponse(f"/dashboard/operators/{target}?notice={notice}", status_code=303)
