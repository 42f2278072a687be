"""The hosted verification flow, ``/verify/{id}``: what the customer sees on a phone.

Pages are rendered on the server; a small script adds the live camera. Every page and
endpoint needs the session's id and the page cookie (see :mod:`openkyc.flows.service`); every
state change also needs the CSRF token and passes the rate limits. JSON answers (the camera
script sends ``Accept: application/json``) use the error envelope; form posts answer with a
redirect back to the page, which shows what to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import segno
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from openkyc.digits import parse_ascii_int
from openkyc.errors import OpenKycError, RateLimited
from openkyc.flows.errors import (
    FlowAccessDenied,
    FlowClosed,
    FlowStepConflict,
    LiveCaptureRequired,
)
from openkyc.flows.models import FlowStep
from openkyc.flows.service import Consent
from openkyc.media.errors import UploadLimitReached, UploadRejected
from openkyc.media.models import MediaKind
from openkyc.sessions.errors import SessionNotFound
from openkyc.sessions.models import SessionStatus
from openkyc.web.hosted import rendering
from openkyc.web.hosted.capture_check import check_document_capture, check_selfie_burst
from openkyc.web.hosted.pages import (
    SANDBOX_OUTCOMES,
    SUBMITTED_STEPS,
    base_context,
    page_for,
    refuses_still_photo,
)
from openkyc.web.hosted.security import (
    PAGE_COOKIE,
    PRE_COOKIE,
    apply_headers,
    check_csrf,
)
from openkyc.web.hosted.uploads import PixelBudget, read_images, sanitise_images
from openkyc.web.hosted.verifications import (
    APPROVED,
    DECLINED,
    PENDING,
    RETAKE,
    REVIEW,
    verification_gateway,
)
from openkyc.web.hosted.visit import (
    Visit,
    act,
    authorise,
    client_ip,
    count_request,
    error_page,
    failure,
    finish,
    language_of,
    open_visit,
    reason_of,
    redirect,
    state_of,
    wants_json,
)
from openkyc.web.i18n import Translator

router = APIRouter(include_in_schema=False)


@router.get("/verify/{session_id}")
async def verification_page(request: Request, session_id: str) -> Response:
    try:
        async with open_visit(request, session_id, post=False) as visit:
            response = await page_for(visit)
        return finish(visit, response)
    except OpenKycError as exc:
        t = Translator(language_of(request, None))
        if isinstance(exc, SessionNotFound):
            return error_page(t, "not_found", 404)
        if isinstance(exc, RateLimited):
            return error_page(t, "rate_limited", 429)
        raise


# --- actions -------------------------------------------------------------------------------


@router.post("/verify/{session_id}/takeover")
async def take_over(request: Request, session_id: str) -> Response:
    async def action(visit: Visit) -> Response:
        form = await visit.form()
        csrf = form.get("csrf")
        check_csrf(
            request, request.cookies.get(PRE_COOKIE), csrf if isinstance(csrf, str) else None
        )
        flow = await visit.flows.locked(visit.kyc_session.id)
        if flow is None:
            raise FlowStepConflict()
        if visit.status.is_terminal and visit.status is not SessionStatus.EXPIRED:
            raise FlowClosed()
        visit.cookies.append((PAGE_COOKIE, await visit.flows.take_over(flow)))
        return redirect(visit.page_url)

    return await act(request, session_id, action)


@router.post("/verify/{session_id}/consent")
async def give_consent(request: Request, session_id: str) -> Response:
    async def action(visit: Visit) -> Response:
        form = await visit.form()
        flow = await authorise(visit, form)
        if form.get("agree") != "yes":
            return redirect(f"{visit.page_url}?error=consent_required")
        paragraphs = rendering.consent_paragraphs(visit.t, visit.merchant.name)
        settings = visit.state.settings
        await visit.flows.give_consent(
            flow,
            Consent(
                version=settings.consent_version,
                text_hash=rendering.consent_hash(
                    settings.consent_version, visit.t.language, paragraphs
                ),
                ip=client_ip(request),
                user_agent=request.headers.get("user-agent"),
            ),
        )
        return redirect(visit.page_url)

    return await act(request, session_id, action)


@router.post("/verify/{session_id}/document")
async def choose_document(request: Request, session_id: str) -> Response:
    async def action(visit: Visit) -> Response:
        form = await visit.form()
        flow = await authorise(visit, form)
        kind = form.get("kind")
        await visit.flows.choose_document(
            flow, kind if isinstance(kind, str) else "", visit.merchant.policy or {}
        )
        return redirect(visit.page_url)

    return await act(request, session_id, action)


@router.post("/verify/{session_id}/back")
async def go_back(request: Request, session_id: str) -> Response:
    async def action(visit: Visit) -> Response:
        form = await visit.form()
        flow = await authorise(visit, form)
        target = form.get("to")
        await visit.flows.go_back(flow, target if isinstance(target, str) else "")
        return redirect(visit.page_url)

    return await act(request, session_id, action)


@dataclass(frozen=True, slots=True)
class _FlowBefore:
    """What an upload needs to know of the flow before its images are decoded."""

    step: str
    document_kind: str | None
    attempt: int
    uploads_total: int
    challenge_json: str | None
    may_refuse_selfie: bool
    refuses_still_photo: bool


async def _look(request: Request, session_id: str, form: FormData) -> _FlowBefore:
    """Authorise the upload (origin, page cookie, CSRF; the rate limits were counted before
    the form was read) on a plain read: the flow is locked only later, once the images are
    decoded (web/hosted/uploads.py)."""
    async with open_visit(request, session_id, post=True, limited=False) as visit:
        flow = await authorise(visit, form, lock=False)
        return _FlowBefore(
            step=flow.step,
            document_kind=flow.document_kind,
            attempt=flow.attempt,
            uploads_total=flow.uploads_total,
            challenge_json=flow.challenge_json,
            may_refuse_selfie=visit.flows.may_refuse_selfie(flow),
            refuses_still_photo=refuses_still_photo(visit),
        )


def _accepted(
    visit: Visit, accepted: bool, findings: list[str], *, steps: list[str] | None = None
) -> Response:
    if wants_json(visit.request):
        body: dict[str, object] = {
            "success": True,
            "accepted": accepted,
            "findings": [{"code": code, "message": visit.t.reason(code)} for code in findings]
            if not accepted
            else [],
            "next": visit.page_url,
        }
        if steps is not None:
            # The fresh challenge, so that the page records again without a reload.
            body["steps"] = steps
        return apply_headers(JSONResponse(body))
    return redirect(visit.page_url)


@router.post("/verify/{session_id}/capture/{side}")
async def capture_document(request: Request, session_id: str, side: str) -> Response:
    if side not in ("front", "back"):
        return failure(request, session_id, SessionNotFound())
    settings = state_of(request).settings
    expected = FlowStep.CAPTURE_FRONT if side == "front" else FlowStep.CAPTURE_BACK
    budget = PixelBudget.document(settings)
    try:
        await count_request(request, session_id, post=True)  # before reading the body
        async with request.form(max_files=1, max_fields=8) as form:
            # Outside any transaction: check, decode and judge the photo first.
            before = await _look(request, session_id, form)
            if before.step != expected.value:
                raise FlowStepConflict()
            if before.uploads_total + 1 > settings.upload_max_per_session:
                raise UploadLimitReached()
            images = await read_images([form.get("image")], settings, budget)
            (clean,) = await sanitise_images(request, images, settings, budget)
            verdict = await check_document_capture(clean.data, side=side, kind=before.document_kind)

            async def action(visit: Visit) -> Response:
                flow = await authorise(visit, form)
                if flow.step != expected.value or flow.document_kind != before.document_kind:
                    raise FlowStepConflict()  # changed meanwhile, e.g. in another tab
                if not visit.flows.count_upload(flow, 1, limit=settings.upload_max_per_session):
                    raise UploadLimitReached()
                # After three refusals the photo goes through anyway: the instant check must
                # never trap a customer whose document it misjudges; the pipeline still decides.
                if not verdict.acceptable and flow.capture_checks < 2:
                    await visit.flows.capture_rejected(flow, verdict.findings)
                    return _accepted(visit, False, list(verdict.findings))
                kind = MediaKind.DOCUMENT_FRONT if side == "front" else MediaKind.DOCUMENT_BACK
                await visit.media_service().store(
                    visit.kyc_session.id, kind.value, clean.data, attempt=flow.attempt
                )
                await visit.flows.capture_accepted(flow, side, verdict.findings)
                return _accepted(visit, True, [])

            return await act(request, session_id, action, limited=False)
    except (OpenKycError, StarletteHTTPException) as exc:
        return failure(request, session_id, exc)


def _frame_times(raw: object, count: int) -> list[int | None]:
    if not isinstance(raw, str) or not raw:
        return [None] * count
    parsed = [parse_ascii_int(part, max_digits=6) for part in raw.split(",")]
    values = [value for value in parsed if value is not None and value <= 600_000]
    if len(parsed) != count or len(values) != count:
        return [None] * count
    return list(values)


@router.post("/verify/{session_id}/selfie")
async def capture_selfie(request: Request, session_id: str) -> Response:
    settings = state_of(request).settings
    budget = PixelBudget.selfie(settings)
    try:
        await count_request(request, session_id, post=True)  # before reading the body
        async with request.form(max_files=settings.selfie_max_frames, max_fields=8) as form:
            # Outside any transaction: check, decode and judge the burst first.
            before = await _look(request, session_id, form)
            if before.step != FlowStep.SELFIE.value:
                raise FlowStepConflict()
            uploads = form.getlist("frames")
            if not uploads:
                raise UploadRejected("upload_missing")
            if before.uploads_total + len(uploads) > settings.upload_max_per_session:
                raise UploadLimitReached()
            # One photo is an upload, not a recording: it proves no liveness, so the merchant's
            # policy decides (operator review by default), never the head-movement check.
            still_photo = len(uploads) == 1
            if still_photo and before.refuses_still_photo:
                raise LiveCaptureRequired()
            images = await read_images(uploads, settings, budget)
            frames = await sanitise_images(request, images, settings, budget)
            times = _frame_times(form.get("times"), len(frames))
            # The fake pipeline promises no models at all (tests of the page, the sandbox).
            instant = (
                settings.selfie_instant_check and settings.pipeline != "fake" and not still_photo
            )
            verdict = None
            if instant and before.may_refuse_selfie and before.challenge_json is not None:
                verdict = await check_selfie_burst(
                    [frame.data for frame in frames], times, challenge_json=before.challenge_json
                )

            async def action(visit: Visit) -> Response:
                flow = await authorise(visit, form)
                if flow.step != FlowStep.SELFIE.value or flow.attempt != before.attempt:
                    raise FlowStepConflict()
                if verdict is not None and flow.challenge_json != before.challenge_json:
                    raise FlowStepConflict()  # judged against a challenge no longer current
                if not visit.flows.count_upload(
                    flow, len(frames), limit=settings.upload_max_per_session
                ):
                    raise UploadLimitReached()
                if (
                    verdict is not None
                    and not verdict.acceptable
                    and visit.flows.may_refuse_selfie(flow)
                ):
                    from openkyc.verification.liveness.challenge import Challenge

                    fresh = Challenge.from_json(
                        await visit.flows.selfie_refused(flow, verdict.findings)
                    )
                    return _accepted(visit, False, list(verdict.findings), steps=list(fresh.steps))
                media = visit.media_service()
                await media.drop_attempt(
                    visit.kyc_session.id, MediaKind.SELFIE_FRAME.value, flow.attempt
                )
                for index, (frame, at) in enumerate(zip(frames, times, strict=True)):
                    await media.store(
                        visit.kyc_session.id,
                        MediaKind.SELFIE_FRAME.value,
                        frame.data,
                        attempt=flow.attempt,
                        index=index,
                        frame_time_ms=at,
                    )
                await visit.flows.selfie_accepted(flow, len(frames))
                return _accepted(visit, True, [])

            return await act(request, session_id, action, limited=False)
    except (OpenKycError, StarletteHTTPException) as exc:
        return failure(request, session_id, exc)


@router.post("/verify/{session_id}/submit")
async def submit(request: Request, session_id: str) -> Response:
    async def action(visit: Visit) -> Response:
        form = await visit.form()
        flow = await authorise(visit, form)
        if flow.step != FlowStep.REVIEW.value:
            raise FlowStepConflict()
        forced = form.get("sandbox_outcome")
        sandbox_outcome = (
            forced
            if visit.kyc_session.mode == "test"
            and isinstance(forced, str)
            and forced in SANDBOX_OUTCOMES
            else None
        )
        await verification_gateway(visit.db, visit.state).submit(
            visit.kyc_session, actor_type="customer", sandbox_outcome=sandbox_outcome
        )
        await visit.flows.submitted(flow)
        return redirect(visit.page_url)

    return await act(request, session_id, action)


@router.post("/verify/{session_id}/retake")
async def retake(request: Request, session_id: str) -> Response:
    async def action(visit: Visit) -> Response:
        form = await visit.form()
        flow = await authorise(visit, form)
        outcome = await verification_gateway(visit.db, visit.state).latest_outcome(
            visit.kyc_session.id
        )
        if (
            outcome is None
            or outcome.state != RETAKE
            or outcome.attempts_used >= outcome.attempts_allowed
        ):
            raise FlowStepConflict()
        hints = tuple(getattr(outcome, "hints", ()) or ())
        await visit.flows.start_retake(flow, hints or outcome.reasons)
        return redirect(visit.page_url)

    return await act(request, session_id, action)


@router.get("/verify/{session_id}/status")
async def flow_status(request: Request, session_id: str) -> Response:
    """Progress for the processing page and for a desktop following its phone."""

    async def action(visit: Visit) -> Response:
        flow = await visit.flows.get(visit.kyc_session.id)
        token = request.cookies.get(PAGE_COOKIE)
        if flow is None or not visit.flows.token_matches(flow, token):
            raise FlowAccessDenied()
        state = "open"
        if visit.status is SessionStatus.EXPIRED:
            state = "expired"
        elif visit.status is SessionStatus.APPROVED:
            state = APPROVED
        elif visit.status is SessionStatus.DECLINED:
            state = DECLINED
        elif flow.step == FlowStep.PROCESSING.value:
            outcome = await verification_gateway(visit.db, visit.state).latest_outcome(
                visit.kyc_session.id
            )
            state = outcome.state if outcome is not None else PENDING
        body = {
            "success": True,
            "step": flow.step,
            "status": visit.status.value,
            "state": state,
            "final": state in (APPROVED, DECLINED, RETAKE, REVIEW, "expired"),
            "phoneConnected": flow.handoff_device_token_hash is not None,
        }
        return apply_headers(JSONResponse(body))

    return await act(request, session_id, action, post=False, as_json=True)


@router.post("/verify/{session_id}/handoff")
async def start_handoff(request: Request, session_id: str) -> Response:
    async def action(visit: Visit) -> Response:
        form = await visit.form()
        flow = await authorise(visit, form)
        if flow.step in SUBMITTED_STEPS:
            raise FlowStepConflict()
        token = await visit.flows.create_handoff(
            flow, timedelta(minutes=visit.state.settings.handoff_ttl_minutes)
        )
        base = visit.state.settings.public_url.rstrip("/")
        url = f"{base}{visit.page_url}/h/{token}"
        qr = segno.make(url, error="m")
        svg = qr.svg_inline(scale=5, dark="#111", light="#fff", omitsize=False)
        context = base_context(visit, "handoff")
        context.update(qr_svg=svg, handoff_url=url, progress=None)
        response = rendering.render(visit.t, "hosted/handoff.html", context)
        return response

    return await act(request, session_id, action)


@router.get("/verify/{session_id}/h/{token}")
async def redeem_handoff(request: Request, session_id: str, token: str) -> Response:
    try:
        async with open_visit(request, session_id, post=False) as visit:
            if visit.status.is_terminal:
                raise FlowClosed()
            device_token = await visit.flows.redeem_handoff(visit.kyc_session.id, token)
            visit.cookies.append((PAGE_COOKIE, device_token))
        return finish(visit, redirect(visit.page_url))
    except OpenKycError as exc:
        t = Translator(language_of(request, None))
        status = exc.http_status if exc.http_status < 500 else 400
        return error_page(t, reason_of(exc), status)
