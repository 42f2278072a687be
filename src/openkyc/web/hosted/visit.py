"""One request's view of the hosted flow: loading the session inside a unit of work,
authorising a state change (page cookie, CSRF, origin, rate limits), and answering failures
the way the caller understands (the error envelope for the script, a redirect for a form)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from openkyc.api.envelope import error_response
from openkyc.db.base import utcnow
from openkyc.db.session import unit_of_work
from openkyc.errors import Conflict, OpenKycError, RateLimited
from openkyc.flows.errors import (
    FlowAccessDenied,
    FlowClosed,
    SessionExpired,
)
from openkyc.flows.models import HostedFlow
from openkyc.flows.service import FlowService
from openkyc.media.service import MediaService
from openkyc.merchants.models import Merchant
from openkyc.merchants.repository import MerchantRepository
from openkyc.sessions.errors import SessionNotFound
from openkyc.sessions.models import KycSession, SessionStatus
from openkyc.sessions.presenters import effective_status
from openkyc.sessions.service import SessionService
from openkyc.state import AppState
from openkyc.web.hosted import rendering
from openkyc.web.hosted.ratelimit import HostedRateLimiter
from openkyc.web.hosted.security import (
    CSRF_HEADER,
    LANG_COOKIE,
    PAGE_COOKIE,
    apply_headers,
    check_csrf,
    check_origin,
    cookie_path,
    set_cookie,
)
from openkyc.web.i18n import LANGUAGES, Translator, negotiate

logger = logging.getLogger("openkyc.hosted")


@dataclass
class Visit:
    """One request's view of the flow, loaded inside its unit of work."""

    request: Request
    state: AppState
    db: AsyncSession
    kyc_session: KycSession
    merchant: Merchant
    t: Translator
    status: SessionStatus
    sessions: SessionService
    flows: FlowService
    flow: HostedFlow | None = None
    cookies: list[tuple[str, str]] = field(default_factory=list)
    forms: list[FormData] = field(default_factory=list)
    media: MediaService | None = None

    async def form(self, *, max_files: int = 0, max_fields: int = 16) -> FormData:
        """The request's form; uploads are spooled to temporary files closed with the visit."""
        form = await self.request.form(max_files=max_files, max_fields=max_fields)
        self.forms.append(form)
        return form

    def media_service(self) -> MediaService:
        """The visit's media service: objects it stored are discarded if the visit fails."""
        if self.media is None:
            self.media = MediaService(self.db, self.state)
        return self.media

    @property
    def session_id(self) -> str:
        return str(self.kyc_session.id)

    @property
    def page_url(self) -> str:
        return f"/verify/{self.kyc_session.id}"


def state_of(request: Request) -> AppState:
    state: AppState = request.app.state.openkyc
    return state


def limiter_of(request: Request) -> HostedRateLimiter:
    limiter: HostedRateLimiter | None = getattr(request.app.state, "hosted_limiter", None)
    if limiter is None:
        limiter = HostedRateLimiter(state_of(request).settings)
        request.app.state.hosted_limiter = limiter
    return limiter


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def parse_id(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise SessionNotFound() from None


def language_of(request: Request, fallback: str | None) -> str:
    return negotiate(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE), fallback)


async def count_request(request: Request, raw_id: str, *, post: bool) -> None:
    """The per-IP limit, and for a state change the per-session one (429 when spent)."""
    limiter = limiter_of(request)
    await limiter.check_ip(client_ip(request))
    if post:
        await limiter.check_session(str(parse_id(raw_id)))


@asynccontextmanager
async def open_visit(
    request: Request, raw_id: str, *, post: bool, limited: bool = True
) -> AsyncIterator[Visit]:
    """``limited=False``: the request's rate limits were already counted (by an earlier
    visit of the same request, see web/hosted/uploads.py)."""
    state = state_of(request)
    session_id = parse_id(raw_id)
    if limited:
        await count_request(request, raw_id, post=post)
    if post:
        check_origin(request, state.settings.public_url)
    async with unit_of_work(state.sessionmaker) as db:
        sessions = SessionService(
            db, state.keyring, default_ttl_minutes=state.settings.session_ttl_minutes
        )
        kyc_session = await sessions.get_by_id(session_id)
        merchant = await MerchantRepository(db).get(kyc_session.merchant_id)
        if merchant is None:
            raise SessionNotFound()
        visit = Visit(
            request=request,
            state=state,
            db=db,
            kyc_session=kyc_session,
            merchant=merchant,
            t=Translator(language_of(request, kyc_session.language)),
            status=effective_status(kyc_session, utcnow()),
            sessions=sessions,
            flows=FlowService(db, sessions),
        )
        # Errors rendered after the unit of work still speak the customer's language.
        request.state.openkyc_language = visit.t.language
        try:
            yield visit
        finally:
            for form in visit.forms:
                await form.close()


Action = Callable[[Visit], Awaitable[Response]]


async def act(
    request: Request,
    raw_id: str,
    action: Action,
    *,
    post: bool = True,
    as_json: bool | None = None,
    limited: bool = True,
) -> Response:
    """Run ``action`` in the visit's unit of work, which commits when it returns; a refusal
    answers with :func:`failure`, and objects the action stored are discarded, since the rows
    that would have named them were rolled back."""
    visit: Visit | None = None
    try:
        async with open_visit(request, raw_id, post=post, limited=limited) as visit:
            response = await action(visit)
        return finish(visit, response)
    except BaseException as exc:
        if visit is not None and visit.media is not None:
            await visit.media.discard_uncommitted()
        if isinstance(exc, OpenKycError | StarletteHTTPException):
            return failure(request, raw_id, exc, as_json=as_json)
        raise


async def authorise(visit: Visit, form: FormData | None, *, lock: bool = True) -> HostedFlow:
    """The flow, locked, for a state change by its own browser with a valid CSRF token
    (``lock=False``: the same checks on a plain read, for work done before the change)."""
    token = visit.request.cookies.get(PAGE_COOKIE)
    presented = visit.request.headers.get(CSRF_HEADER)
    if presented is None and form is not None:
        value = form.get("csrf")
        presented = value if isinstance(value, str) else None
    check_csrf(visit.request, token, presented)
    if lock:
        flow = await visit.flows.locked(visit.kyc_session.id)
    else:
        flow = await visit.flows.get(visit.kyc_session.id)
    if flow is None or not visit.flows.token_matches(flow, token):
        raise FlowAccessDenied()
    if visit.status is SessionStatus.EXPIRED:
        raise SessionExpired()
    if visit.status.is_terminal:
        raise FlowClosed()
    visit.flow = flow
    return flow


def reason_of(exc: Exception) -> str:
    if isinstance(exc, RateLimited):
        return "rate_limited"
    if isinstance(exc, StarletteHTTPException):
        return "upload_too_many_files" if exc.status_code == 400 else "error"
    reason = getattr(exc, "reason", None)
    if isinstance(reason, str):
        return reason
    if isinstance(exc, SessionNotFound):
        return "not_found"
    if isinstance(exc, Conflict):
        return "flow_step_conflict"
    return "error"


def failure(
    request: Request, raw_id: str, exc: Exception, *, as_json: bool | None = None
) -> Response:
    """How a refused action answers: the envelope for the script, a redirect for a form."""
    reason = reason_of(exc)
    t = Translator(language_of(request, getattr(request.state, "openkyc_language", None)))
    if isinstance(exc, OpenKycError):
        status, code, headers = exc.http_status, exc.code, exc.headers
    elif isinstance(exc, StarletteHTTPException):
        # The form parser's own refusal (too many files or fields, malformed multipart): its
        # detail names a limit, never the content.
        logger.info("form refused", extra={"status": exc.status_code, "detail": str(exc.detail)})
        status, code, headers = exc.status_code, "VALIDATION_ERROR", {}
    else:
        raise exc
    if as_json if as_json is not None else wants_json(request):
        response: Response = error_response(
            status, code, rendering.message_for(t, reason), headers=headers
        )
        response.headers["x-openkyc-reason"] = reason
        return apply_headers(response)
    if isinstance(exc, SessionNotFound):
        return error_page(t, "not_found", 404)
    return redirect(f"/verify/{raw_id}?{urlencode({'error': reason})}")


def redirect(url: str) -> Response:
    return apply_headers(RedirectResponse(url, status_code=303))


def error_page(t: Translator, reason: str, status: int) -> Response:
    return rendering.render(
        t,
        "hosted/error.html",
        {"message": rendering.message_for(t, reason), "page": "error"},
        status_code=status,
    )


def finish(visit: Visit, response: Response) -> Response:
    path = cookie_path(visit.session_id)
    settings = visit.state.settings
    for name, value in visit.cookies:
        set_cookie(response, visit.request, settings.public_url, name, value, path)
    lang = visit.request.query_params.get("lang")
    if lang in LANGUAGES:
        set_cookie(response, visit.request, settings.public_url, LANG_COOKIE, lang, path)
    return response


def callback_redirect(callback_url: str | None, session_id: str, status: str) -> str | None:
    """``callbackUrl`` with ``sessionId`` and ``status`` appended; the merchant must confirm
    the status through the API or the webhook, never trust these parameters."""
    if not callback_url:
        return None
    parts = urlsplit(callback_url)
    if parts.scheme not in ("http", "https"):
        return None
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [("sessionId", session_id), ("status", status)]
    return urlunsplit(parts._replace(query=urlencode(query)))
