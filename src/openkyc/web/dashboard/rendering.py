"""Templates, translations and response headers of the dashboard (``/dashboard``)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from fastapi import Request, Response
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from openkyc.web.dashboard.principal import ADMIN, AUDITOR, REVIEWER, OperatorPrincipal
from openkyc.web.i18n import N_, Translator, negotiate

WEB_DIR = Path(__file__).resolve().parent.parent
STATIC_DIR = WEB_DIR / "static" / "dashboard"
LANG_COOKIE = "okyc_dash_lang"
DASHBOARD_LANGUAGES = {"en": "English", "ru": "Русский"}

R = TypeVar("R", bound=Response)

# The hosted pages' policy: nothing inline, nothing from another origin. Images may be data:
# (the TOTP QR code) or blob: (zoomed evidence).
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    # Case pages show personal data: never kept by the browser or a proxy.
    "Cache-Control": "no-store",
}


def apply_headers(response: R) -> R:
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    return response


def _asset_version() -> str:
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.glob("*")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


ASSET_VERSION = _asset_version()

environment = Environment(
    loader=FileSystemLoader(WEB_DIR / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": True}


@dataclass(frozen=True, slots=True)
class NavItem:
    key: str
    label: str
    href: str
    roles: tuple[str, ...]


ROLE_LABELS = {ADMIN: N_("admin"), REVIEWER: N_("reviewer"), AUDITOR: N_("auditor")}

NAV = (
    NavItem("queue", N_("Queue"), "/dashboard/queue", (ADMIN, REVIEWER, AUDITOR)),
    NavItem("sessions", N_("Sessions"), "/dashboard/sessions", (ADMIN, REVIEWER, AUDITOR)),
    NavItem("overview", N_("Overview"), "/dashboard/overview", (ADMIN, REVIEWER, AUDITOR)),
    NavItem("audit", N_("Audit"), "/dashboard/audit", (ADMIN, AUDITOR)),
    NavItem("merchants", N_("Merchants"), "/dashboard/merchants", (ADMIN,)),
    NavItem("operators", N_("Operators"), "/dashboard/operators", (ADMIN,)),
)


def language_of(request: Request) -> str:
    accept = request.headers.get("accept-language", "")
    preferred = [part.split(";")[0].strip() for part in accept.split(",") if part.strip()]
    return negotiate(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE), *preferred)


def translator(request: Request) -> Translator:
    return Translator(language_of(request))


def nav_for(principal: OperatorPrincipal | None, path: str, t: Translator) -> list[dict[str, Any]]:
    if principal is None:
        return []
    return [
        {
            "key": item.key,
            "label": t.gettext(item.label),
            "href": item.href,
            "current": path == item.href or path.startswith(item.href + "/"),
        }
        for item in NAV
        if principal.role in item.roles
    ]


def render_template(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    principal: OperatorPrincipal | None = None,
    status_code: int = 200,
    csrf_token: str | None = None,
) -> HTMLResponse:
    t = translator(request)
    path = request.url.path
    values: dict[str, Any] = {
        "_": t.gettext,
        "ngettext": t.ngettext,
        "t": t,
        "lang": t.language,
        "languages": DASHBOARD_LANGUAGES,
        "asset_version": ASSET_VERSION,
        "principal": principal,
        "csrf_token": csrf_token or (principal.csrf_token if principal else ""),
        "nav": nav_for(principal, path, t),
        "path": path,
        "error": None,
        "notice": None,
        "show_logout": False,
        "role_label": lambda role: t.gettext(ROLE_LABELS.get(role) or role),
    }
    values.update(context or {})
    html = environment.get_template(template).render(values)
    response = HTMLResponse(html, status_code=status_code)
    lang = request.query_params.get("lang")
    if lang and lang in DASHBOARD_LANGUAGES:
        state = getattr(request.app.state, "openkyc", None)
        response.set_cookie(
            LANG_COOKIE,
            lang,
            path="/dashboard",
            httponly=True,
            samesite="strict",
            secure=bool(state and state.settings.is_production),
            max_age=365 * 24 * 3600,
        )
    return apply_headers(response)
