"""What a reviewer does on a case page: take/release, approve, decline, retake, confirm or
reject a four-eyes proposal, write a note. Every form carries the session's CSRF token;
auditors are refused (403). A refusal by the review service (someone else took or decided
the case: 409; a bad reason code or note: 400) rolls everything back and shows the case
again with what went wrong, under that status."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.api.dependencies import db_session, get_state
from openkyc.errors import OpenKycError
from openkyc.reviews.casefile import CaseFileService
from openkyc.reviews.errors import CaseTaken
from openkyc.reviews.schemas import Reviewer
from openkyc.reviews.service import ReviewService
from openkyc.state import AppState
from openkyc.web.dashboard.auth import require_roles, verify_csrf
from openkyc.web.dashboard.principal import ADMIN, REVIEWER, OperatorPrincipal
from openkyc.web.dashboard.queue import reviewer_of
from openkyc.web.dashboard.rendering import translator
from openkyc.web.i18n import N_

router = APIRouter(include_in_schema=False)

Action = Callable[[ReviewService, Reviewer, uuid.UUID, dict[str, object]], Awaitable[object]]

_NOTICES = {
    "taken": N_("You hold this case now."),
    "released": N_("The case is free again."),
    "approve": N_("Approved. The merchant is notified."),
    "decline": N_("Declined. The merchant is notified."),
    "retake": N_("The customer is asked to take the photos again."),
    "proposed": N_("Your decision waits for a second reviewer."),
    "withdrawn": N_("The proposed decision was dropped."),
    "noted": N_("Note added."),
}
_ERRORS = {
    "NOT_IN_REVIEW": N_("This case is no longer waiting for a review: someone decided it."),
    "CASE_NOT_TAKEN": N_("You do not hold this case."),
    "DECISION_PENDING": N_("A decision already waits for a second reviewer."),
    "NO_PENDING_DECISION": N_("No decision waits for confirmation."),
    "FOUR_EYES": N_("A second, different reviewer must confirm this decision."),
    "NO_RETAKES_LEFT": N_("The customer has no attempt left."),
    "VALIDATION_ERROR": N_("Some values are not valid."),
}


def notice_for(request: Request, key: str) -> str | None:
    text = _NOTICES.get(key)
    return translator(request).gettext(text) if text else None


def _error_text(request: Request, exc: OpenKycError) -> str:
    t = translator(request)
    if isinstance(exc, CaseTaken):
        return t.gettext(N_("%(holder)s has taken this case."), holder=exc.holder)
    text = _ERRORS.get(exc.code)
    return t.gettext(text) if text else exc.message


async def _act(
    request: Request,
    session_id: uuid.UUID,
    principal: OperatorPrincipal,
    state: AppState,
    db: AsyncSession,
    action: Action,
    done: str,
) -> Response:
    form = await request.form()
    values: dict[str, object] = {
        "reasons": [str(value) for value in form.getlist("reasons")],
        "note": str(form.get("note") or ""),
        # An administrator may free a case another reviewer forgot.
        "force": principal.is_admin and form.get("force") == "1",
    }
    try:
        result = await action(ReviewService(db, state), reviewer_of(principal), session_id, values)
    except OpenKycError as exc:
        if exc.http_status not in (400, 409):
            raise
        await db.rollback()
        from openkyc.web.dashboard.cases import render_case

        return await render_case(
            request,
            CaseFileService(db, state),
            principal,
            session_id,
            error=_error_text(request, exc),
            status_code=exc.http_status,
        )
    state_of = getattr(result, "state", None)
    if state_of == "proposed":
        done = "proposed"
    elif state_of == "decided":
        done = str(getattr(result, "decision", done))
    return RedirectResponse(f"/dashboard/cases/{session_id}?done={done}", status_code=303)


def _route(path: str, done: str, action: Action) -> None:
    async def endpoint(
        request: Request,
        session_id: uuid.UUID,
        principal: OperatorPrincipal = Depends(verify_csrf),
        _role: OperatorPrincipal = Depends(require_roles(ADMIN, REVIEWER)),
        state: AppState = Depends(get_state),
        db: AsyncSession = Depends(db_session, scope="function"),
    ) -> Response:
        return await _act(request, session_id, principal, state, db, action, done)

    endpoint.__name__ = f"case_{path}"
    router.add_api_route(f"/dashboard/cases/{{session_id}}/{path}", endpoint, methods=["POST"])


def _reasons(values: dict[str, object]) -> list[str]:
    reasons = values["reasons"]
    return [str(code) for code in reasons] if isinstance(reasons, list) else []


def _note(values: dict[str, object]) -> str:
    return str(values["note"])


_route("take", "taken", lambda service, who, sid, values: service.take(who, sid))
_route(
    "release",
    "released",
    lambda service, who, sid, values: service.release(who, sid, force=values["force"] is True),
)


def _decider(decision: str) -> Action:
    def act(
        service: ReviewService, who: Reviewer, sid: uuid.UUID, values: dict[str, object]
    ) -> Awaitable[object]:
        return service.decide(who, sid, decision, reasons=_reasons(values), note=_note(values))

    return act


for _decision in ("approve", "decline", "retake"):
    _route(_decision, _decision, _decider(_decision))
_route("confirm", "approve", lambda service, who, sid, values: service.confirm(who, sid))
_route("withdraw", "withdrawn", lambda service, who, sid, values: service.withdraw(who, sid))
_route("note", "noted", lambda service, who, sid, values: service.add_note(who, sid, _note(values)))
