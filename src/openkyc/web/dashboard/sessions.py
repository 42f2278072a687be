"""Sessions (``/dashboard/sessions``): search and filter every session the operator may see.

Exact e-mail, phone and document number are found through keyed hashes stored beside the
encrypted values (:mod:`openkyc.sessions.search`); such a search is audited by kind, never
by value. Sessions created before migration 0007 were indexed by it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.api.dependencies import db_session, get_state
from openkyc.audit.service import AuditService
from openkyc.db.base import utcnow
from openkyc.errors import ValidationFailed
from openkyc.merchants.service import MerchantService
from openkyc.sessions.models import SessionStatus
from openkyc.sessions.presenters import effective_status
from openkyc.sessions.search import SessionFinder
from openkyc.state import AppState
from openkyc.web.dashboard.auth import current_operator, render
from openkyc.web.dashboard.principal import OperatorPrincipal

router = APIRouter(include_in_schema=False)
FILTERS = (
    "status",
    "merchant",
    "mode",
    "from",
    "to",
    "session",
    "customerId",
    "email",
    "phone",
    "document",
)


@router.get("/dashboard/sessions")
async def sessions_page(
    request: Request,
    principal: OperatorPrincipal = Depends(current_operator),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    params = {name: request.query_params.get(name, "") for name in (*FILTERS, "page")}
    finder = SessionFinder(db, state.keyring)
    merchants = [
        merchant
        for merchant in await MerchantService(db, state.keyring).list()
        if principal.sees(merchant.id)
    ]
    context: dict[str, object] = {
        "params": params,
        "statuses": list(SessionStatus),
        "merchants": merchants,
        "result": None,
        "field_errors": {},
    }
    try:
        query, page = finder.parse(params, principal.merchant_ids)
    except ValidationFailed as exc:
        context["field_errors"] = exc.errors
        return render(
            request, "dashboard/sessions.html", context, principal=principal, status_code=400
        )
    result = await finder.find(query, page)
    kinds = finder.personal_kinds(query)
    if kinds:
        await AuditService(db).record(
            action="sessions.searched",
            actor_type="operator",
            actor_id=str(principal.operator_id),
            subject_type="kyc_session",
            subject_id="search",
            data={"by": kinds, "found": result.total},
        )
    now = utcnow()
    kept = {name: value for name, value in params.items() if value and name != "page"}
    context.update(
        result=result,
        rows=[
            (session, name, effective_status(session, now).value) for session, name in result.items
        ],
        page_url=lambda number: "/dashboard/sessions?" + urlencode({**kept, "page": number}),
    )
    return render(request, "dashboard/sessions.html", context, principal=principal)
