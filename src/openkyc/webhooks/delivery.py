"""One HTTP attempt: resolve and check the target, POST the signed body, never follow a
redirect, and report what happened. Retry timing lives here too."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import httpx

from openkyc.webhooks import ssrf
from openkyc.webhooks.errors import UnsafeTarget
from openkyc.webhooks.service import AttemptResult, OutgoingRequest
from openkyc.webhooks.signing import signature_headers

EXCERPT_CHARS = 500
_jitter = secrets.SystemRandom()


def encode_body(envelope: dict[str, Any]) -> bytes:
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()


def backoff_seconds(schedule: str, attempts_made: int) -> float:
    """The wait before the next attempt, ±20 % so failed receivers are not hit in lockstep."""
    steps = [float(part) for part in schedule.split(",") if part.strip()]
    base = steps[min(max(attempts_made, 1), len(steps)) - 1] if steps else 60.0
    return max(0.0, base * _jitter.uniform(0.8, 1.2))


async def send(
    request: OutgoingRequest,
    *,
    production: bool,
    timeout_s: float,
    user_agent: str,
    transport: httpx.AsyncBaseTransport | None = None,
) -> AttemptResult:
    body = encode_body(request.envelope)
    started = time.perf_counter()
    try:
        target = await ssrf.resolve(request.url, production=production)
    except UnsafeTarget as exc:
        return AttemptResult(None, 0.0, None, f"refused target: {exc.errors.get('url', '')}"[:200])
    headers = signature_headers(
        request.secret,
        request.event_id,
        body,
        now_ms=int(time.time() * 1000),
        user_agent=user_agent,
    )
    headers["Host"] = target.host_header
    extensions: dict[str, Any] = {}
    if target.scheme == "https":
        extensions["sni_hostname"] = target.host
    try:
        async with httpx.AsyncClient(
            follow_redirects=False, timeout=timeout_s, trust_env=False, transport=transport
        ) as client:
            response = await client.post(
                target.pinned_url, content=body, headers=headers, extensions=extensions
            )
            latency = (time.perf_counter() - started) * 1000
            excerpt = response.text[:EXCERPT_CHARS] if response.content else None
    except httpx.TimeoutException:
        return AttemptResult(None, (time.perf_counter() - started) * 1000, None, "timeout")
    except httpx.HTTPError as exc:
        return AttemptResult(
            None, (time.perf_counter() - started) * 1000, None, f"{type(exc).__name__}"[:200]
        )
    error = None
    if 300 <= response.status_code < 400:
        error = "redirect not followed"
    return AttemptResult(response.status_code, latency, excerpt, error)
