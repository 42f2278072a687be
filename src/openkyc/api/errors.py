"""Exception handlers: every failure, expected or not, leaves in the error envelope."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from openkyc.api.envelope import error_response
from openkyc.errors import OpenKycError, ValidationFailed
from openkyc.observability.metrics import AUTH_FAILURES

logger = logging.getLogger("openkyc.api")

_HTTP_CODES = {
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMIT_EXCEEDED",
}


async def _openkyc_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OpenKycError)
    if exc.http_status == 401:
        AUTH_FAILURES.labels(exc.code).inc()
    fields = exc.errors if isinstance(exc, ValidationFailed) else None
    return error_response(
        exc.http_status, exc.code, exc.message, headers=exc.headers, fields=fields
    )


async def _request_validation(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    fields: dict[str, str] = {}
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query")]
        fields[".".join(location) or "body"] = str(error.get("msg", "invalid"))
    return await _openkyc_error(_request, ValidationFailed(fields))


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "HTTP_ERROR")
    message = "Not found" if exc.status_code == 404 else str(exc.detail)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Starlette names only the first route matching the path; a path served by several
        # routes (GET and DELETE of one session) must list all of them.
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return error_response(exc.status_code, code, message, headers=headers)


_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def _allowed_methods(request: Request) -> list[str]:
    """Each method some route serves at this path: asked of the routes themselves (a full
    match), which works through included routers too."""
    allowed = []
    for method in _METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed


async def _unhandled(_request: Request, exc: Exception) -> Response:
    logger.error("unhandled error", exc_info=exc)
    return error_response(500, "INTERNAL_ERROR", "Internal error")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(OpenKycError, _openkyc_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(Exception, _unhandled)
