"""Operators (admin): who may sign in to the back office, with which role and merchants."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.api.dependencies import db_session, get_state
from openkyc.operators.service import OperatorService
from openkyc.state import AppState
from openkyc.web.dashboard.auth import render, require_roles
from openkyc.web.dashboard.principal import ADMIN, OperatorPrincipal

router = APIRouter(include_in_schema=False)


@router.get("/dashboard/operators")
async def operators_page(
    request: Request,
    principal: OperatorPrincipal = Depends(require_roles(ADMIN)),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    service = OperatorService(db, state)
    operators = await service.list()
    bound = await service.merchants_of_many(o.id for o in operators)
    return render(
        request,
        "dashboard/operators.html",
        {"operators": operators, "bound": bound},
        principal=principal,
    )
