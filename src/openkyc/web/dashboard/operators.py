"""Operators (admin): who may sign in to the back office, with which role and merchants;
create, disable or enable, reset a password or a second factor, end sessions. A generated
one-time password is shown once, on the answer to the form, never in a URL."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from fastapi import APIRouter
from fastapi.responses import Response

from openkyc.api.params import parse_id
from openkyc.errors import ValidationFailed
from openkyc.merchants.service import MerchantService
from openkyc.operators.errors import OperatorNotFound
from openkyc.operators.models import Operator, Role
from openkyc.operators.service import OperatorService
from openkyc.web.dashboard.auth import render
from openkyc.web.dashboard.forms import (
    AdminForm,
    AdminPage,
    AdminRequest,
    notice_text,
    redirect_with_notice,
)
from openkyc.web.i18n import N_

router = APIRouter(include_in_schema=False)

NOTICES = {
    "disabled": N_("The operator is disabled and their sessions ended."),
    "enabled": N_("The operator can sign in again."),
    "totp_reset": N_("Two-factor sign-in was reset; the operator sets it up again."),
    "sessions_revoked": N_("Every session of the operator ended."),
}


async def _list_page(
    page: AdminRequest,
    *,
    fields: Mapping[str, str] | None = None,
    values: Mapping[str, object] | None = None,
    status_code: int = 200,
) -> Response:
    service = OperatorService(page.db, page.state)
    operators = await service.list()
    return render(
        page.request,
        "dashboard/operators.html",
        {
            "operators": operators,
            "bound": await service.merchants_of_many(o.id for o in operators),
            "merchants": await MerchantService(page.db, page.state.keyring).list(),
            "roles": [role.value for role in Role],
            "fields": dict(fields or {}),
            "values": {"email": "", "role": "reviewer", "merchants": [], **(values or {})},
        },
        principal=page.principal,
        status_code=status_code,
    )


@router.get("/dashboard/operators")
async def operators_page(page: AdminPage) -> Response:
    return await _list_page(page)


@router.post("/dashboard/operators")
async def create_operator(page: AdminForm) -> Response:
    form = await page.request.form()
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
                page, fields={"merchants": "unknown merchant"}, values=values, status_code=400
            )
    service = OperatorService(page.db, page.state)
    try:
        operator, one_time = await service.create(
            email=email, role=role, merchant_ids=merchant_ids, actor_id=page.principal.operator_id
        )
    except ValidationFailed as exc:
        return await _list_page(page, fields=exc.errors, values=values, status_code=400)
    return render(
        page.request,
        "dashboard/operator_password.html",
        {"operator": operator, "one_time": one_time, "created": True},
        principal=page.principal,
        status_code=201,
    )


async def _detail(page: AdminRequest, service: OperatorService, operator: Operator) -> Response:
    return render(
        page.request,
        "dashboard/operator.html",
        {
            "operator": operator,
            "bound": await service.merchants_of(operator.id),
            "sessions": await service.live_sessions(operator.id),
            "is_self": operator.id == page.principal.operator_id,
            "notice": notice_text(page.request, NOTICES),
        },
        principal=page.principal,
    )


@router.get("/dashboard/operators/{operator_id}")
async def operator_page(operator_id: str, page: AdminPage) -> Response:
    service = OperatorService(page.db, page.state)
    operator = await service.get(parse_id(operator_id, OperatorNotFound))
    return await _detail(page, service, operator)


@router.post("/dashboard/operators/{operator_id}/{action}")
async def operator_action(operator_id: str, action: str, page: AdminForm) -> Response:
    service = OperatorService(page.db, page.state)
    target = parse_id(operator_id, OperatorNotFound)
    actor = page.principal.operator_id
    if action == "reset-password":
        operator, one_time = await service.reset_password(target, actor_id=actor)
        return render(
            page.request,
            "dashboard/operator_password.html",
            {"operator": operator, "one_time": one_time, "created": False},
            principal=page.principal,
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
    return redirect_with_notice(f"/dashboard/operators/{target}", notice)
