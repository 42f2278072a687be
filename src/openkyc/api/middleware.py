"""Request id, body size limit, access log and metrics, as one pure ASGI middleware."""

from __future__ import annotations

import logging
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openkyc.api.envelope import error_response
from openkyc.digits import parse_ascii_int
from openkyc.errors import PayloadTooLarge
from openkyc.observability.logging import request_id_var
from openkyc.observability.metrics import HTTP_LATENCY, HTTP_REQUESTS

logger = logging.getLogger("openkyc.http")


class EdgeMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, upload_max_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        # Hosted-page uploads (photos) get their own, larger, limit.
        self.upload_max_bytes = upload_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status_holder = {"status": 500}
        path: str = scope.get("path", "")
        limit = self.upload_max_bytes if path.startswith("/verify/") else self.max_body_bytes

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised inside the app, where the error handlers render the envelope.
                    raise PayloadTooLarge(f"Request body is larger than {limit} bytes")
            return message

        try:
            declared = _content_length(scope)
            if declared is not None and declared > limit:
                response = error_response(
                    413, "PAYLOAD_TOO_LARGE", f"Request body is larger than {limit} bytes"
                )
                await response(scope, receive, send_with_id)
            else:
                await self.app(scope, limited_receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            method: str = scope.get("method", "")
            HTTP_REQUESTS.labels(method, route, str(status_holder["status"])).inc()
            HTTP_LATENCY.labels(method, route).observe(elapsed)
            logger.info(
                "request",
                extra={
                    "method": method,
                    "route": route,
                    "status": status_holder["status"],
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )
            request_id_var.reset(token)


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            return parse_ascii_int(value, max_digits=18)
    return None


def _route_template(scope: Scope) -> str:
    # The matched route's template, never the raw path: ids would explode metric cardinality.
    route = scope.get("route")
    template = getattr(route, "path", None)
    return template if isinstance(template, str) else "unmatched"
