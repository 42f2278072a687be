"""The page for each step of the flow, rendered from the stored state (so a reload resumes)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response

from openkyc.db.base import utcnow
from openkyc.flows.documents import allowed_options, option_for
from openkyc.flows.models import FlowStep
from openkyc.sessions.models import SessionStatus
from openkyc.sessions.presenters import effective_status
from openkyc.web.hosted import rendering
from openkyc.web.hosted.brand import brand_context
from openkyc.web.hosted.captures import current_captures
from openkyc.web.hosted.security import (
    PAGE_COOKIE,
    PRE_COOKIE,
    csrf_token,
    new_pre_token,
)
from openkyc.web.hosted.verifications import (
    APPROVED,
    DECLINED,
    PENDING,
    RETAKE,
    OutcomeLike,
    verification_gateway,
)
from openkyc.web.hosted.visit import Visit, callback_redirect

# The same list as VerificationService.SANDBOX_OUTCOMES (the page imports no service module).
SANDBOX_OUTCOMES = ("approve", "decline", "retake", "review")
SUBMITTED_STEPS = (FlowStep.PROCESSING.value,)


def base_context(visit: Visit, page: str) -> dict[str, Any]:
    token = visit.request.cookies.get(PAGE_COOKIE)
    for name, value in visit.cookies:
        if name == PAGE_COOKIE:
            token = value
    step = visit.flow.step if visit.flow else None
    # Processing and the result are no step of the three: no progress bar there.
    stage = rendering.STAGE_OF_STEP.get(step or "") if page not in ("result",) else None
    error = visit.request.query_params.get("error")
    return {
        "page": page,
        "page_url": visit.page_url,
        **brand_context(visit.merchant),
        "sandbox": visit.kyc_session.mode == "test",
        "csrf": csrf_token(token) if token else "",
        "progress": stage,
        "error": rendering.message_for(visit.t, error)
        if error in rendering.UPLOAD_MESSAGES
        else None,
        "max_bytes": visit.state.settings.upload_max_bytes,
    }


async def page_for(visit: Visit) -> Response:
    t = visit.t
    if visit.status is SessionStatus.EXPIRED:
        return rendering.render(
            t, "hosted/expired.html", base_context(visit, "expired"), status_code=410
        )
    token = visit.request.cookies.get(PAGE_COOKIE)
    if visit.status.is_terminal and await visit.flows.get(visit.kyc_session.id) is None:
        return await result_page(visit, None)
    opened = await visit.flows.open(visit.kyc_session, token)
    visit.flow = opened.flow
    visit.status = effective_status(visit.kyc_session, utcnow())
    if opened.issued_token:
        visit.cookies.append((PAGE_COOKIE, opened.issued_token))
    elif not opened.authorised:
        return takeover_page(visit)
    flow = opened.flow
    if visit.status.is_terminal:
        return await result_page(visit, None)
    step = FlowStep(flow.step)
    if step is FlowStep.PROCESSING:
        outcome = await verification_gateway(visit.db, visit.state).latest_outcome(
            visit.kyc_session.id
        )
        if outcome is None or outcome.state == PENDING:
            return rendering.render(t, "hosted/processing.html", base_context(visit, "processing"))
        return await result_page(visit, outcome)
    if step is FlowStep.CONSENT:
        return consent_page(visit)
    if step is FlowStep.DOCUMENT:
        return document_page(visit)
    if step in (FlowStep.CAPTURE_FRONT, FlowStep.CAPTURE_BACK):
        return capture_page(visit, "front" if step is FlowStep.CAPTURE_FRONT else "back")
    if step is FlowStep.SELFIE:
        return selfie_page(visit)
    return await review_page(visit)


def takeover_page(visit: Visit) -> Response:
    pre = new_pre_token()
    visit.cookies.append((PRE_COOKIE, pre))
    context = base_context(visit, "takeover")
    context["csrf"] = csrf_token(pre)
    context["progress"] = None
    context["submitted"] = visit.flow is not None and visit.flow.step in SUBMITTED_STEPS
    return rendering.render(visit.t, "hosted/takeover.html", context)


def consent_page(visit: Visit, *, error: str | None = None) -> Response:
    context = base_context(visit, "consent")
    context["paragraphs"] = rendering.consent_paragraphs(visit.t, visit.merchant.name)
    context["progress"] = None
    if error:
        context["error"] = rendering.message_for(visit.t, error)
    return rendering.render(visit.t, "hosted/consent.html", context)


def document_page(visit: Visit) -> Response:
    t = visit.t
    options = allowed_options(visit.merchant.policy or {})
    groups: dict[str, list[dict[str, str]]] = {}
    for option in options:
        groups.setdefault(option.country, []).append(
            {"kind": option.kind, "label": t.gettext(rendering.DOCUMENT_LABELS[option.kind])}
        )
    context = base_context(visit, "document")
    context["groups"] = [
        {"country": t.gettext(rendering.COUNTRY_LABELS[country]), "options": items}
        for country, items in groups.items()
    ]
    context["chosen"] = visit.flow.document_kind if visit.flow else None
    return rendering.render(t, "hosted/document.html", context)


def findings_of(visit: Visit) -> list[str]:
    codes = visit.flow.last_findings if visit.flow else None
    return rendering.top_reasons(visit.t, [str(code) for code in codes or []])


def refuses_still_photo(visit: Visit) -> bool:
    """The merchant's ``noLiveCapture`` policy: a selfie that is one uploaded photo goes to an
    operator ("review", the default) or is refused before it is sent ("decline"). Read
    leniently: a malformed policy is the worker's to report, the page keeps the default."""
    return (visit.merchant.policy or {}).get("noLiveCapture") == "decline"


def capture_page(visit: Visit, side: str) -> Response:
    option = option_for(visit.flow.document_kind if visit.flow else None)
    context = base_context(visit, "capture")
    context.update(
        side=side,
        kind=option.kind if option else "",
        two_sided=bool(option and option.sides == 2),
        findings=findings_of(visit),
        action=f"{visit.page_url}/capture/{side}",
    )
    return rendering.render(visit.t, "hosted/capture.html", context)


def selfie_page(visit: Visit) -> Response:
    assert visit.flow is not None
    challenge = visit.flows.challenge(visit.flow)
    from openkyc.verification.liveness.challenge import Challenge

    context = base_context(visit, "selfie")
    context.update(
        steps=list(Challenge.from_json(challenge).steps),
        findings=findings_of(visit),
        action=f"{visit.page_url}/selfie",
        max_frames=visit.state.settings.selfie_max_frames,
        photo_allowed=not refuses_still_photo(visit),
    )
    return rendering.render(visit.t, "hosted/selfie.html", context)


async def review_page(visit: Visit) -> Response:
    option = option_for(visit.flow.document_kind if visit.flow else None)
    captures = await current_captures(visit)
    context = base_context(visit, "review")
    context.update(
        document_label=visit.t.gettext(rendering.DOCUMENT_LABELS[option.kind]) if option else "",
        two_sided=bool(option and option.sides == 2),
        sandbox_outcomes=SANDBOX_OUTCOMES,
        thumbnails={part: f"{visit.page_url}/captures/{part}" for part in captures.parts},
        still_photo=captures.selfie_frames == 1,
    )
    return rendering.render(visit.t, "hosted/review.html", context)


async def result_page(visit: Visit, outcome: OutcomeLike | None) -> Response:
    status = visit.status
    if status is SessionStatus.APPROVED:
        state = APPROVED
    elif status is SessionStatus.DECLINED:
        state = DECLINED
    else:
        state = outcome.state if outcome else PENDING
    reasons: tuple[str, ...] = ()
    if outcome is not None:
        # Behind a retake the stage codes ("too dark") say what to fix better than the
        # decision codes ("poor quality").
        hints = tuple(getattr(outcome, "hints", ()) or ())
        reasons = hints if state == RETAKE and hints else tuple(outcome.reasons)
    if state == DECLINED and visit.kyc_session.decline_reasons:
        reasons = tuple(visit.kyc_session.decline_reasons)
    attempts_left = (
        max(0, outcome.attempts_allowed - outcome.attempts_used) if outcome is not None else 0
    )
    authorised = visit.flow is not None
    context = base_context(visit, "result")
    context.update(
        state=state,
        # Behind a retake, only what to fix next (one or two things); a decline says why.
        reasons=(
            rendering.top_reasons(visit.t, list(reasons))
            if state == RETAKE
            else [visit.t.reason(code) for code in dict.fromkeys(reasons)]
        )
        if authorised
        else [],
        attempts_left=attempts_left,
        can_retake=state == RETAKE and attempts_left > 0,
        callback=callback_redirect(visit.kyc_session.callback_url, visit.session_id, status.value),
    )
    return rendering.render(visit.t, "hosted/result.html", context)
