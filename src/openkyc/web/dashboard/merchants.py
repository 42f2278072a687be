"""Merchants (admin): create, disable and enable merchants; the hosted page's brand; issue,
rotate and revoke API keys; webhook endpoints with their delivery log and resend; the decision
policy, session lifetime and brand with an error beside each bad field. Every action goes
through the services the API and the CLI use (MerchantService, WebhookService), so each is
audited with the operator's id; a secret is shown once, on the answer to the form, never in a
URL. An admin bound to merchants gets a 404 for any other, as for a missing id."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile as StarletteUploadFile

from openkyc.api.dependencies import db_session, get_state
from openkyc.digits import parse_ascii_int
from openkyc.errors import ValidationFailed
from openkyc.merchants.branding import LOGO_MAX_BYTES
from openkyc.merchants.errors import ApiKeyNotFound, MerchantNotFound
from openkyc.merchants.keys import DEFAULT_SCOPES, MODES, SCOPES
from openkyc.merchants.models import Merchant
from openkyc.merchants.service import UNSET, MerchantService, key_scopes
from openkyc.merchants.tenant import Tenant
from openkyc.state import AppState
from openkyc.verifications.policy import POLICY_FIELDS, effective_policy
from openkyc.web.dashboard.auth import render, require_roles, verify_csrf
from openkyc.web.dashboard.principal import ADMIN, OperatorPrincipal
from openkyc.web.dashboard.rendering import translator
from openkyc.web.i18n import N_
from openkyc.webhooks.errors import EndpointNotFound as WebhookNotFound
from openkyc.webhooks.models import EVENTS
from openkyc.webhooks.service import WebhookService

router = APIRouter(include_in_schema=False)
admin_only = require_roles(ADMIN)
ACTOR = "operator"
DELIVERY_PAGE = 50
MAX_GRACE_HOURS = 24 * 30

NOTICES = {
    "disabled": N_("The merchant is disabled: its keys are refused from the next request on."),
    "enabled": N_("The merchant is enabled again."),
    "saved": N_("The settings are saved."),
    "brand_saved": N_("The brand is saved: the hosted page shows it from the next page load."),
    "revoked": N_("The key is revoked."),
    "resent": N_("The delivery is queued again."),
    "webhook_removed": N_("The webhook endpoint is removed."),
}
# Policy fields edited as comma-separated lists, and as true/false; the rest are numbers.
LIST_FIELDS = ("allowedCountries", "allowedDocumentTypes", "allowedDocumentKinds")
FLAG_FIELDS = ("rejectDuplicates", "fourEyes")


def _uuid(raw: str, missing: type[Exception]) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise missing() from None


async def _merchant(
    db: AsyncSession, state: AppState, principal: OperatorPrincipal, raw: str
) -> Merchant:
    merchant = await MerchantService(db, state.keyring).get(_uuid(raw, MerchantNotFound))
    if not principal.sees(merchant.id):
        raise MerchantNotFound()
    return merchant


def _notice(request: Request) -> str | None:
    key = request.query_params.get("notice")
    return translator(request).gettext(NOTICES[key]) if key in NOTICES else None


def _back(merchant_id: uuid.UUID, notice: str, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(
        f"/dashboard/merchants/{merchant_id}?notice={notice}{anchor}", status_code=303
    )


# --- the list, and a new merchant -------------------------------------------------------------


async def _list_page(
    request: Request,
    principal: OperatorPrincipal,
    state: AppState,
    db: AsyncSession,
    *,
    fields: Mapping[str, str] | None = None,
    name: str = "",
    status_code: int = 200,
) -> Response:
    merchants = [m for m in await MerchantService(db, state.keyring).list() if principal.sees(m.id)]
    return render(
        request,
        "dashboard/merchants.html",
        {"merchants": merchants, "fields": dict(fields or {}), "name": name},
        principal=principal,
        status_code=status_code,
    )


@router.get("/dashboard/merchants")
async def merchants_page(
    request: Request,
    principal: OperatorPrincipal = Depends(admin_only),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    return await _list_page(request, principal, state, db)


@router.post("/dashboard/merchants")
async def create_merchant(
    request: Request,
    principal: OperatorPrincipal = Depends(admin_only),
    _csrf: OperatorPrincipal = Depends(verify_csrf),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    if principal.merchant_ids is not None:
        # An admin bound to merchants could not see the one it creates.
        raise MerchantNotFound()
    name = str((await request.form()).get("name") or "")[:300]
    try:
        created = await MerchantService(db, state.keyring).create(
            name, actor=ACTOR, actor_id=str(principal.operator_id)
        )
    except ValidationFailed as exc:
        return await _list_page(
            request, principal, state, db, fields=exc.errors, name=name, status_code=400
        )
    return render(
        request,
        "dashboard/merchant_secret.html",
        {
            "merchant": created.merchant,
            "pairs": [("live", created.live), ("test", created.test)],
            "what": "merchant",
        },
        principal=principal,
        status_code=201,
    )


# --- one merchant -----------------------------------------------------------------------------


def _policy_values(policy: Mapping[str, Any]) -> dict[str, str]:
    """The policy as the form shows it: lists comma-separated, flags true/false, unset empty."""
    values: dict[str, str] = {}
    for field in POLICY_FIELDS:
        value = policy.get(field)
        if value is None:
            values[field] = ""
        elif isinstance(value, list):
            values[field] = ", ".join(str(item) for item in value)
        elif isinstance(value, bool):
            values[field] = "true" if value else "false"
        else:
            values[field] = str(value)
    return values


async def _detail(
    request: Request,
    principal: OperatorPrincipal,
    state: AppState,
    db: AsyncSession,
    merchant: Merchant,
    *,
    fields: Mapping[str, str] | None = None,
    form_values: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    service = MerchantService(db, state.keyring)
    webhooks = WebhookService(db, state.keyring)
    endpoints = [
        endpoint
        for mode in MODES
        for endpoint in await webhooks.list_endpoints(Tenant(merchant.id, mode))
    ]
    values = {
        "name": merchant.name,
        "sessionTtlMinutes": str(merchant.session_ttl_minutes or ""),
        "displayName": merchant.display_name or "",
        "accentColour": merchant.accent_colour or "",
        **_policy_values(merchant.policy or {}),
        **(form_values or {}),
    }
    return render(
        request,
        "dashboard/merchant.html",
        {
            "merchant": merchant,
            "keys": [(key, key_scopes(key)) for key in await service.list_keys(merchant.id)],
            "endpoints": endpoints,
            "effective": effective_policy(merchant.policy),
            "policy_fields": POLICY_FIELDS,
            "list_fields": LIST_FIELDS,
            "flag_fields": FLAG_FIELDS,
            "default_ttl": state.settings.session_ttl_minutes,
            "values": values,
            "fields": dict(fields or {}),
            "modes": MODES,
            "scopes": SCOPES,
            "default_scopes": DEFAULT_SCOPES,
            "events": EVENTS,
            "notice": _notice(request),
        },
        principal=principal,
        status_code=status_code,
    )


@router.get("/dashboard/merchants/{merchant_id}")
async def merchant_page(
    request: Request,
    merchant_id: str,
    principal: OperatorPrincipal = Depends(admin_only),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    merchant = await _merchant(db, state, principal, merchant_id)
    return await _detail(request, principal, state, db, merchant)


def _parse_policy_form(form: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The policy fields of the form as JSON values (an empty field: the default), and the
    fields that are not even numbers (named as the service names them)."""
    changes: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in POLICY_FIELDS:
        raw = form.get(field, "").strip()
        if not raw:
            changes[field] = None
        elif field in LIST_FIELDS:
            changes[field] = [item.strip() for item in raw.split(",") if item.strip()]
        elif field in FLAG_FIELDS:
            changes[field] = raw == "true"
        else:
            try:
                number = float(raw)
            except ValueError:
                errors[f"policy.{field}"] = "must be a number"
                continue
            changes[field] = int(number) if number.is_integer() and "." not in raw else number
    return changes, errors


@router.post("/dashboard/merchants/{merchant_id}/settings")
async def save_settings(
    request: Request,
    merchant_id: str,
    principal: OperatorPrincipal = Depends(admin_only),
    _csrf: OperatorPrincipal = Depends(verify_csrf),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    merchant = await _merchant(db, state, principal, merchant_id)
    form = {key: str(value)[:500] for key, value in (await request.form()).items()}
    changes, errors = _parse_policy_form(form)
    ttl_text = form.get("sessionTtlMinutes", "").strip()
    ttl: Any = None
    if ttl_text:
        try:
            ttl = int(ttl_text)
        except ValueError:
            errors["sessionTtlMinutes"] = "must be a whole number of minutes"
    if not errors:
        try:
            await MerchantService(db, state.keyring).update(
                merchant.id,
                name=form.get("name", ""),
                session_ttl_minutes=ttl,
                policy={},
                policy_changes=changes,
                actor=ACTOR,
                actor_id=str(principal.operator_id),
            )
        except ValidationFailed as exc:
            errors = exc.errors
    if errors:
        return await _detail(
            request, principal, state, db, merchant,
            fields=errors, form_values=form, status_code=400,
        )  # fmt: skip
    return _back(merchant.id, "saved")


@router.post("/dashboard/merchants/{merchant_id}/branding")
async def save_branding(
    request: Request,
    merchant_id: str,
    principal: OperatorPrincipal = Depends(admin_only),
    _csrf: OperatorPrincipal = Depends(verify_csrf),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    """Display name, accent colour and logo (multipart); a bad one is named beside its field."""
    merchant = await _merchant(db, state, principal, merchant_id)
    logo: Any = UNSET
    # The context closes the spooled upload (the CSRF check parsed the same form first).
    async with request.form(max_files=1, max_fields=8) as form:
        upload = form.get("logo")
        if isinstance(upload, StarletteUploadFile) and upload.filename:
            # One byte past the limit is enough for the service to say "too large".
            logo = await upload.read(LOGO_MAX_BYTES + 1)
        elif form.get("removeLogo"):
            logo = None
        texts = {name: str(form.get(name) or "")[:500] for name in ("displayName", "accentColour")}
    try:
        await MerchantService(db, state.keyring).update(
            merchant.id,
            display_name=texts["displayName"],
            accent_colour=texts["accentColour"],
            logo=logo,
            actor=ACTOR,
            actor_id=str(principal.operator_id),
        )
    except ValidationFailed as exc:
        return await _detail(
            request, principal, state, db, merchant,
            fields=exc.errors, form_values=texts, status_code=400,
        )  # fmt: skip
    return _back(merchant.id, "brand_saved", "#branding")


# --- keys -------------------------------------------------------------------------------------


@router.post("/dashboard/merchants/{merchant_id}/keys")
async def create_key(
    request: Request,
    merchant_id: str,
    principal: OperatorPrincipal = Depends(admin_only),
    _csrf: OperatorPrincipal = Depends(verify_csrf),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    merchant = await _merchant(db, state, principal, merchant_id)
    form = await request.form()
    mode = str(form.get("mode") or "")
    scopes = [str(scope) for scope in form.getlist("scopes")]
    label = str(form.get("label") or "").strip()[:100] or None
    try:
        issued = await MerchantService(db, state.keyring).create_key(
            merchant.id, mode, label=label, scopes=scopes,
            actor=ACTOR, actor_id=str(principal.operator_id),
        )  # fmt: skip
    except ValidationFailed as exc:
        return await _detail(
            request, principal, state, db, merchant, fields=exc.errors, status_code=400
        )
    return render(
        request,
        "dashboard/merchant_secret.html",
        {"merchant": merchant, "pairs": [(issued.key.mode, issued.pair)], "what": "key"},
        principal=principal,
        status_code=201,
    )


@router.post("/dashboard/merchants/{merchant_id}/keys/{key_id}/{action}")
async def key_action(
    request: Request,
    merchant_id: str,
    key_id: str,
    action: str,
    principal: OperatorPrincipal = Depends(admin_only),
    _csrf: OperatorPrincipal = Depends(verify_csrf),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    merchant = await _merchant(db, state, principal, merchant_id)
    service = MerchantService(db, state.keyring)
    parsed = _uuid(key_id, ApiKeyNotFound)
    if parsed not in {key.id for key in await service.list_keys(merchant.id)}:
        raise ApiKeyNotFound()
    actor_id = str(principal.operator_id)
    if action == "revoke":
        await service.revoke_key(parsed, actor=ACTOR, actor_id=actor_id)
        return _back(merchant.id, "revoked", "#keys")
    if action != "rotate":
        raise ApiKeyNotFound()
    raw = str((await request.form()).get("grace_hours") or "24").strip()
    grace_hours = parse_ascii_int(raw, max_digits=4)
    if grace_hours is None or grace_hours > MAX_GRACE_HOURS:
        return await _detail(
            request, principal, state, db, merchant,
            fields={"grace_hours": f"a whole number of hours from 0 to {MAX_GRACE_HOURS}"},
            status_code=400,
        )  # fmt: skip
    issued = await service.rotate_key(
        parsed, grace=timedelta(hours=grace_hours), actor=ACTOR, actor_id=actor_id
    )
    return render(
        request,
        "dashboard/merchant_secret.html",
        {
            "merchant": merchant,
            "pairs": [(issued.key.mode, issued.pair)],
            "what": "rotated",
            "grace_hours": grace_hours,
        },
        principal=principal,
        status_code=201,
    )


# --- webhooks ---------------------------------------------------------------------------------


@router.post("/dashboard/merchants/{merchant_id}/webhooks")
async def add_webhook(
    request: Request,
    merchant_id: str,
    principal: OperatorPrincipal = Depends(admin_only),
    _csrf: OperatorPrincipal = Depends(verify_csrf),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    merchant = await _merchant(db, state, principal, merchant_id)
    form = await request.form()
    mode = str(form.get("mode") or "")
    url = str(form.get("url") or "").strip()[:2000]
    events = [str(event) for event in form.getlist("events")]
    if mode not in MODES:
        return await _detail(
            request, principal, state, db, merchant,
            fields={"webhook.mode": "must be live or test"}, status_code=400,
        )  # fmt: skip
    try:
        created = await WebhookService(db, state.keyring).create_endpoint(
            Tenant(merchant.id, mode),
            url=url,
            events=events,
            secret=None,
            production=state.settings.is_production,
            actor_type=ACTOR,
            actor_id=str(principal.operator_id),
        )
    except ValidationFailed as exc:
        errors = {f"webhook.{field}": problem for field, problem in exc.errors.items()}
        return await _detail(
            request, principal, state, db, merchant, fields=errors, status_code=400
        )
    return render(
        request,
        "dashboard/merchant_secret.html",
        {"merchant": merchant, "endpoint": created.endpoint, "secret": created.secret,
         "what": "webhook"},
        principal=principal,
        status_code=201,
    )  # fmt: skip


async def _endpoint(db: AsyncSession, state: AppState, merchant: Merchant, raw: str) -> Any:
    endpoint = await WebhookService(db, state.keyring).get_endpoint_by_id(
        _uuid(raw, WebhookNotFound)
    )
    if endpoint.merchant_id != merchant.id:
        raise WebhookNotFound()
    return endpoint


@router.get("/dashboard/merchants/{merchant_id}/webhooks/{webhook_id}")
async def webhook_page(
    request: Request,
    merchant_id: str,
    webhook_id: str,
    principal: OperatorPrincipal = Depends(admin_only),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    merchant = await _merchant(db, state, principal, merchant_id)
    endpoint = await _endpoint(db, state, merchant, webhook_id)
    page = await WebhookService(db, state.keyring).list_deliveries(
        endpoint, limit=DELIVERY_PAGE, offset=0
    )
    return render(
        request,
        "dashboard/merchant_webhook.html",
        {
            "merchant": merchant,
            "endpoint": endpoint,
            "deliveries": page.items,
            "total": page.total,
            "notice": _notice(request),
        },
        principal=principal,
    )


@router.post("/dashboard/merchants/{merchant_id}/webhooks/{webhook_id}/{action}")
async def webhook_action(
    request: Request,
    merchant_id: str,
    webhook_id: str,
    action: str,
    principal: OperatorPrincipal = Depends(admin_only),
    _csrf: OperatorPrincipal = Depends(verify_csrf),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    merchant = await _merchant(db, state, principal, merchant_id)
    endpoint = await _endpoint(db, state, merchant, webhook_id)
    service = WebhookService(db, state.keyring)
    actor_id = str(principal.operator_id)
    if action == "delete":
        await service.delete_endpoint(endpoint, actor_type=ACTOR, actor_id=actor_id)
        return _back(merchant.id, "webhook_removed", "#webhooks")
    if action == "resend":
        delivery_id = _uuid(str((await request.form()).get("delivery") or ""), WebhookNotFound)
        await service.resend(endpoint, delivery_id, actor_type=ACTOR, actor_id=actor_id)
        return RedirectResponse(
            f"/dashboard/merchants/{merchant.id}/webhooks/{endpoint.id}?notice=resent",
            status_code=303,
        )
    if action in ("enable", "disable"):
        await service.update_endpoint(
            endpoint,
            active=action == "enable",
            production=state.settings.is_production,
            actor_type=ACTOR,
            actor_id=actor_id,
        )
        return RedirectResponse(
            f"/dashboard/merchants/{merchant.id}/webhooks/{endpoint.id}", status_code=303
        )
    raise WebhookNotFound()


# Last: its path would otherwise catch .../keys and .../webhooks.
@router.post("/dashboard/merchants/{merchant_id}/{action}")
async def merchant_action(
    merchant_id: str,
    action: str,
    principal: OperatorPrincipal = Depends(admin_only),
    _csrf: OperatorPrincipal = Depends(verify_csrf),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    merchant = await _merchant(db, state, principal, merchant_id)
    if action not in ("disable", "enable"):
        raise MerchantNotFound()
    await MerchantService(db, state.keyring).set_active(
        merchant.id, action == "enable", actor=ACTOR, actor_id=str(principal.operator_id)
    )
    return _back(merchant.id, "enabled" if action == "enable" else "disabled")
