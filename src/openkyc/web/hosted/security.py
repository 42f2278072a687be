"""Cookies, CSRF and response headers of the hosted page.

* The page token lives in an HttpOnly, SameSite=Lax cookie scoped to ``/verify/{id}`` (so
  two sessions in one browser never collide), Secure whenever the page is served over https.
* CSRF: every state change carries a token derived from the cookie (double submit, keyed by
  the secret cookie value, which script on another origin can neither read nor guess), and
  a request whose ``Origin`` names another site is refused outright.
* CSP: no inline script, no inline style, nothing from another origin.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TypeVar
from urllib.parse import urlsplit

from fastapi import Request, Response

from openkyc.flows.errors import CsrfRejected

PAGE_COOKIE = "okyc_page"
# Set before a browser holds a page token (the take-over form), so that form too has CSRF.
PRE_COOKIE = "okyc_pre"
LANG_COOKIE = "okyc_lang"
CSRF_HEADER = "x-csrf-token"

R = TypeVar("R", bound=Response)

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "manifest-src 'self'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # The URL holds the session id: it must never leak to another site as a referrer.
    # (Not "no-referrer": Chromium then sends "Origin: null" on our own form posts.)
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=(), payment=()",
    "Cache-Control": "no-store",
}


def csrf_token(secret: str) -> str:
    return hmac.new(secret.encode(), b"openkyc-hosted-csrf", hashlib.sha256).hexdigest()


def cookie_path(session_id: str) -> str:
    return f"/verify/{session_id}"


def is_https(request: Request, public_url: str) -> bool:
    return request.url.scheme == "https" or public_url.startswith("https://")


def set_cookie(
    response: Response, request: Request, public_url: str, name: str, value: str, path: str
) -> None:
    response.set_cookie(
        name,
        value,
        path=path,
        httponly=True,
        samesite="lax",
        secure=is_https(request, public_url),
        max_age=7 * 24 * 3600,
    )


def new_pre_token() -> str:
    return secrets.token_urlsafe(24)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def check_origin(request: Request, public_url: str) -> None:
    origin = request.headers.get("origin")
    if origin is None:
        # Browsers send Origin on every cross-site POST; its absence means same-site or a
        # non-browser client, and the CSRF token still has to match.
        return
    allowed = {_origin(public_url), _origin(str(request.base_url))}
    if origin.lower() not in allowed:
        raise CsrfRejected()


def check_csrf(request: Request, secret: str | None, presented: str | None) -> None:
    if not secret or not presented:
        raise CsrfRejected()
    if not hmac.compare_digest(csrf_token(secret), presented):
        raise CsrfRejected()


def apply_headers(response: R) -> R:
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    return response
