"""The review queue: sessions waiting for a person, oldest first (``/dashboard/queue``)."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.api.dependencies import db_session, get_state
from openkyc.db.base import utcnow
from openkyc.reviews.schemas import Reviewer
from openkyc.reviews.service import ReviewService
from openkyc.state import AppState
from openkyc.web.dashboard.auth import current_operator, render, require_roles, verify_csrf
from openkyc.web.dashboard.principal import ADMIN, REVIEWER, OperatorPrincipal
from openkyc.web.i18n import Translator

router = APIRouter(include_in_schema=False)
QUEUE_PAGE = 100


def reviewer_of(principal: OperatorPrincipal) -> Reviewer:
    """The review service's view of a signed-in operator (ids, label, scope, role)."""
    return Reviewer(
        actor_id=str(principal.operator_id),
        label=principal.email,
        merchant_ids=principal.merchant_ids,
        can_decide=principal.can_decide,
    )


def age(t: Translator, since: datetime, now: datetime | None = None) -> str:
    """How long a case has waited, in the largest unit that is not zero."""
    seconds = max(0, int(((now or utcnow()) - since).total_seconds()))
    if seconds < 3600:
        return t.ngettext("%(num)d min", "%(num)d min", seconds // 60)
    if seconds < 86400:
        return t.ngettext("%(num)d h", "%(num)d h", seconds // 3600)
    return t.ngettext("%(num)d day", "%(num)d days", seconds // 86400)


@router.get("/dashboard/queue")
async def queue_page(
    request: Request,
    principal: OperatorPrincipal = Depends(current_operator),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    items = await ReviewService(db, state).queue(reviewer_of(principal), limit=QUEUE_PAGE)
    return render(
        request,
        "dashboard/queue.html",
        {"items": items, "age": age, "me": str(principal.operator_id)},
        principal=principal,
    )


@router.post("/dashboard/queue/{session_id}/take")
async def take_from_queue(
    session_id: uuid.UUID,
    principal: OperatorPrincipal = Depends(verify_csrf),
    _role: OperatorPrincipal = Depends(require_roles(ADMIN, REVIEWER)),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    await ReviewService(db, state).take(reviewer_of(principal), session_id)
    return RedirectResponse(f"/dashboard/cases/{session_id}", status_code=303)
