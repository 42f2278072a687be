"""The dashboard's contract with its pages: who is signed in, what their role allows, CSRF,
and rendering a page.

* ``current_operator``: the signed-in operator of an HTML page; without a valid session the
  browser is sent to ``/dashboard/login?next=...`` (303).
* ``require_roles("admin", ...)``: the same, and a 403 page for any other role.
* ``verify_csrf``: for every POST: the form field ``csrf_token`` (or the ``X-CSRF-Token``
  header) must be this session's token, and a cross-site ``Origin`` is refused (403).
* ``render``: a template under ``templates/dashboard/`` with the base context (``principal``,
  ``csrf_token``, ``nav``, ``_``, ``lang``) and the strict security headers.

The session lives in the database (:mod:`openkyc.operators`); the cookie holds a random token
(HttpOnly, SameSite=Strict, Secure in production, path ``/dashboard``).
"""

from __future__ import annotations

import hashlib
import hmac
import inspect
import secrets
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from openkyc.api.dependencies import get_state
from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.errors import OpenKycError, ValidationFailed
from openkyc.operators.errors import CsrfInvalid, OperatorSessionInvalid, RoleForbidden
from openkyc.operators.models import SessionStage
from openkyc.operators.service import OpenSession, OperatorService
from openkyc.state import AppState
from openkyc.web.dashboard.principal import OperatorPrincipal
from openkyc.web.dashboard.rendering import render_template, translator
from openkyc.web.i18n import N_

SESSION_COOKIE = "okyc_dash"
# Set on the sign-in page, before any session exists, so the sign-in form has CSRF too.
PRE_COOKIE = "okyc_dash_pre"
COOKIE_PATH = "/dashboard"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
LOGIN_PATH = "/dashboard/login"
HOME_PATH = "/dashboard/queue"

# Where a session that has not finished signing in is sent.
STAGE_PATHS = {
    SessionStage.TOTP.value: "/dashboard/login/totp",
    SessionStage.ENROL.value: "/dashboard/account/totp",
    SessionStage.NEW_PASSWORD.value: "/dashboard/account/password",
}

render = render_template


class LoginRequired(Exception):
    """Rendered as a 303 to ``location``; ``clear`` drops a cookie that opens nothing."""

    def __init__(self, location: str, *, clear: bool = False) -> None:
        super().__init__(location)
        self.location = location
        self.clear = clear


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def safe_next(value: str | None) -> str:
    """A local dashboard path to return to after signing in (never another site)."""
    if not value or not value.startswith("/dashboard") or value.startswith("//"):
        return HOME_PATH
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or "\\" in value or value.startswith(LOGIN_PATH):
        return HOME_PATH
    return value


def login_location(request: Request) -> str:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    if request.method != "GET":
        return LOGIN_PATH
    return f"{LOGIN_PATH}?next={quote(target, safe='/')}"


# --- cookies -------------------------------------------------------------------------------


def set_session_cookie(response: Response, settings: Settings, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=settings.is_production,
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=settings.is_production,
    )


def login_csrf(pre_token: str) -> str:
    return hmac.new(pre_token.encode(), b"openkyc-dashboard-login", hashlib.sha256).hexdigest()


def ensure_pre_token(request: Request) -> tuple[str, bool]:
    """The pre-session token of the sign-in form, and whether it is new (to be set)."""
    token = request.cookies.get(PRE_COOKIE)
    if token and 20 <= len(token) <= 100:
        return token, False
    return secrets.token_urlsafe(24), True


def set_pre_cookie(response: Response, settings: Settings, token: str) -> None:
    response.set_cookie(
        PRE_COOKIE,
        token,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=settings.is_production,
    )


# --- CSRF ----------------------------------------------------------------------------------


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def check_origin(request: Request, settings: Settings) -> None:
    origin = request.headers.get("origin")
    if origin is None:
        # Same-origin forms in some browsers and non-browser clients send none; the token
        # still has to match.
        return
    if origin.lower() not in {_origin(settings.public_url), _origin(str(request.base_url))}:
        raise CsrfInvalid()


async def presented_csrf(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return None
    value = (await request.form()).get(CSRF_FIELD)
    return value if isinstance(value, str) else None


def tokens_match(expected: str, presented: str | None) -> bool:
    return bool(expected) and presented is not None and hmac.compare_digest(expected, presented)


# --- sessions and principals ---------------------------------------------------------------


async def open_operator_session(request: Request, state: AppState) -> OpenSession:
    """The browser's operator session in whatever stage, or LoginRequired."""
    token = request.cookies.get(SESSION_COOKIE)
    try:
        async with unit_of_work(state.sessionmaker) as db:
            return await OperatorService(db, state).open_session(token)
    except OperatorSessionInvalid:
        raise LoginRequired(login_location(request), clear=token is not None) from None


async def open_stage(request: Request, state: AppState, *stages: SessionStage) -> OpenSession:
    """The browser's session if it is in one of ``stages``; a session in another stage is
    sent where it belongs (its pending step, or the dashboard)."""
    opened = await open_operator_session(request, state)
    if opened.record.stage not in stages:
        raise LoginRequired(STAGE_PATHS.get(opened.record.stage, HOME_PATH))
    return opened


async def check_session_csrf(request: Request, state: AppState, opened: OpenSession) -> None:
    check_origin(request, state.settings)
    if not tokens_match(opened.record.csrf_token, await presented_csrf(request)):
        raise CsrfInvalid()


def principal_of(opened: OpenSession) -> OperatorPrincipal:
    return OperatorPrincipal(
        operator_id=opened.operator.id,
        email=opened.operator.email,
        role=opened.operator.role,
        merchant_ids=opened.merchant_ids,
        session_id=opened.record.id,
        csrf_token=opened.record.csrf_token,
    )


async def current_operator(
    request: Request, state: AppState = Depends(get_state)
) -> OperatorPrincipal:
    cached = getattr(request.state, "dashboard_principal", None)
    if isinstance(cached, OperatorPrincipal):
        return cached
    opened = await open_operator_session(request, state)
    if opened.record.stage != SessionStage.ACTIVE:
        raise LoginRequired(STAGE_PATHS.get(opened.record.stage, LOGIN_PATH))
    principal = principal_of(opened)
    request.state.dashboard_principal = principal
    return principal


def require_roles(*roles: str) -> Callable[..., Awaitable[OperatorPrincipal]]:
    """A dependency: the signed-in operator if their role is one of ``roles``, else 403."""
    allowed = frozenset(roles)

    async def dependency(
        principal: OperatorPrincipal = Depends(current_operator),
    ) -> OperatorPrincipal:
        if principal.role not in allowed:
            raise RoleForbidden()
        return principal

    return dependency


async def verify_csrf(
    request: Request,
    principal: OperatorPrincipal = Depends(current_operator),
    state: AppState = Depends(get_state),
) -> OperatorPrincipal:
    """For every state-changing request: the session's CSRF token, from this site."""
    check_origin(request, state.settings)
    if not tokens_match(principal.csrf_token, await presented_csrf(request)):
        raise CsrfInvalid()
    return principal


# --- error pages ---------------------------------------------------------------------------

_TITLES = {
    400: N_("Some values are not valid"),
    403: N_("You do not have access to this page"),
    404: N_("Not found"),
    405: N_("Not found"),
    409: N_("This was changed by someone else"),
    429: N_("Too many requests"),
}
_EXPLANATIONS = {
    "CSRF_INVALID": N_(
        "The form expired or came from another site. Go back, reload the page and try again."
    ),
    "ROLE_FORBIDDEN": N_("Your role does not allow this page."),
    "NOT_FOUND": N_("This page does not exist, or you do not have access to it."),
    "RATE_LIMIT_EXCEEDED": N_("Wait a minute and try again."),
}


def error_page(
    request: Request, status: int, code: str, detail: Mapping[str, str] | None = None
) -> HTMLResponse:
    t = translator(request)
    principal = getattr(request.state, "dashboard_principal", None)
    title = t.gettext(_TITLES.get(status, N_("Something went wrong")))
    explanation = _EXPLANATIONS.get(code) or (_EXPLANATIONS["NOT_FOUND"] if status == 404 else None)
    return render(
        request,
        "dashboard/error.html",
        {
            "title": title,
            "explanation": t.gettext(explanation) if explanation else None,
            "fields": dict(detail or {}),
        },
        principal=principal if isinstance(principal, OperatorPrincipal) else None,
        status_code=status,
    )


def _is_dashboard(request: Request) -> bool:
    return request.url.path == "/dashboard" or request.url.path.startswith("/dashboard/")


Handler = Callable[[Request, Exception], Any]


def _dashboard_first(previous: Handler | None) -> Handler:
    async def handler(request: Request, exc: Exception) -> Response:
        if _is_dashboard(request):
            if isinstance(exc, OpenKycError):
                fields = exc.errors if isinstance(exc, ValidationFailed) else None
                page = error_page(request, exc.http_status, exc.code, fields)
                for name, value in exc.headers.items():
                    page.headers[name] = value
                return page
            if isinstance(exc, RequestValidationError):
                return error_page(request, 400, "VALIDATION_ERROR")
            if isinstance(exc, StarletteHTTPException):
                code = "NOT_FOUND" if exc.status_code in (404, 405) else "HTTP_ERROR"
                status = 404 if exc.status_code == 405 else exc.status_code
                return error_page(request, status, code)
        assert previous is not None
        result = previous(request, exc)
        if inspect.isawaitable(result):
            result = await result
        assert isinstance(result, Response)
        return result

    return handler


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    response = RedirectResponse(exc.location, status_code=303)
    if exc.clear:
        clear_session_cookie(response, request.app.state.openkyc.settings)
    response.headers["Cache-Control"] = "no-store"
    return response


def install_error_pages(app: FastAPI) -> None:
    """Dashboard paths answer errors with HTML pages; every other path keeps its handler."""
    for exc_class in (OpenKycError, RequestValidationError, StarletteHTTPException):
        previous = app.exception_handlers.get(exc_class)
        app.add_exception_handler(exc_class, _dashboard_first(previous))
    app.add_exception_handler(LoginRequired, _login_required)
