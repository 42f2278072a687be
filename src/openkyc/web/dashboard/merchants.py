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

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile as StarletteUploadFile

from openkyc.api.params import parse_id
from openkyc.digits import parse_ascii_int
from openkyc.errors import ValidationFailed
from openkyc.merchants.branding import LOGO_MAX_BYTES
from openkyc.merchants.errors import ApiKeyNotFound, MerchantNotFound
from openkyc.merchants.keys import DEFAULT_SCOPES, MODES, SCOPES
from openkyc.merchants.models import Merchant
from openkyc.merchants.service import UNSET, MerchantService, key_scopes
from openkyc.merchants.tenant import Tenant
from openkyc.verifications.policy import POLICY_FIELDS, effective_policy
from openkyc.web.dashboard.auth import render
from openkyc.web.dashboard.forms import (
    AdminForm,
    AdminPage,
    AdminRequest,
    notice_text,
    redirect_with_notice,
)
from openkyc.web.i18n import N_
from openkyc.webhooks.errors import EndpointNotFound as WebhookNotFound
from openkyc.webhooks.models import EVENTS
from openkyc.webhooks.service import WebhookService

router = APIRouter(include_in_schema=False)
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


async def _merchant(page: AdminRequest, raw: str) -> Merchant:
    merchant = await _merchants(page).get(parse_id(raw, MerchantNotFound))
    if not page.principal.sees(merchant.id):
        raise MerchantNotFound()
    return merchant


def _merchants(page: AdminRequest) -> MerchantService:
    return MerchantService(page.db, page.state.keyring)


def _webhooks(page: AdminRequest) -> WebhookService:
    return WebhookService(page.db, page.state.keyring)


def _back(merchant_id: uuid.UUID, notice: str, anchor: str = "") -> RedirectResponse:
    return redirect_with_notice(f"/dashboard/merchants/{merchant_id}", notice, anchor)


def _secret_page(page: AdminRequest, context: dict[str, Any]) -> Response:
    """The answer that shows a new secret once (201: something was created)."""
    return render(
        page.request,
        "dashboard/merchant_secret.html",
        context,
        principal=page.principal,
        status_code=201,
    )


# --- the list, and a new merchant -------------------------------------------------------------


async def _list_page(
    page: AdminRequest,
    *,
    fields: Mapping[str, str] | None = None,
    name: str = "",
    status_code: int = 200,
) -> Response:
    merchants = [m for m in await _merchants(page).list() if page.principal.sees(m.id)]
    return render(
        page.request,
        "dashboard/merchants.html",
        {"merchants": merchants, "fields": dict(fields or {}), "name": name},
        principal=page.principal,
        status_code=status_code,
    )


@router.get("/dashboard/merchants")
async def merchants_page(page: AdminPage) -> Response:
    return await _list_page(page)


@router.post("/dashboard/merchants")
async def create_merchant(page: AdminForm) -> Response:
    if page.principal.merchant_ids is not None:
        # An admin bound to merchants could not see the one it creates.
        raise MerchantNotFound()
    name = str((await page.request.form()).get("name") or "")[:300]
    try:
        created = await _merchants(page).create(
            name, actor=ACTOR, actor_id=str(page.principal.operator_id)
        )
    except ValidationFailed as exc:
        return await _list_page(page, fields=exc.errors, name=name, status_code=400)
    return _secret_page(
        page,
        {
            "merchant": created.merchant,
            "pairs": [("live", created.live), ("test", created.test)],
            "what": "merchant",
        },
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
    page: AdminRequest,
    merchant: Merchant,
    *,
    fields: Mapping[str, str] | None = None,
    form_values: Mapping[str, str] | None = None,
) -> Response:
    """The merchant's page; with ``fields``, a form answered again with each error beside its
    field (400)."""
    service = _merchants(page)
    webhooks = _webhooks(page)
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
        page.request,
        "dashboard/merchant.html",
        {
            "merchant": merchant,
            "keys": [(key, key_scopes(key)) for key in await service.list_keys(merchant.id)],
            "endpoints": endpoints,
            "effective": effective_policy(merchant.policy),
            "policy_fields": POLICY_FIELDS,
            "list_fields": LIST_FIELDS,
            "flag_fields": FLAG_FIELDS,
            "default_ttl": page.state.settings.session_ttl_minutes,
            "values": values,
            "fields": dict(fields or {}),
            "modes": MODES,
            "scopes": SCOPES,
            "default_scopes": DEFAULT_SCOPES,
            "events": EVENTS,
            "notice": notice_text(page.request, NOTICES),
        },
        principal=page.principal,
        status_code=200 if fields is None else 400,
    )


@router.get("/dashboard/merchants/{merchant_id}")
async def merchant_page(
    merchant_id: str,
    page: AdminPage,
) -> Response:
    return await _detail(page, await _merchant(page, merchant_id))


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
async def save_settings(merchant_id: str, page: AdminForm) -> Response:
    merchant = await _merchant(page, merchant_id)
    form = {key: str(value)[:500] for key, value in (await page.request.form()).items()}
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
            await _merchants(page).update(
                merchant.id,
                name=form.get("name", ""),
                session_ttl_minutes=ttl,
                policy={},
                policy_changes=changes,
                actor=ACTOR,
                actor_id=str(page.principal.operator_id),
            )
        except ValidationFailed as exc:
            errors = exc.errors
    if errors:
        return await _detail(page, merchant, fields=errors, form_values=form)
    return _back(merchant.id, "saved")


@router.post("/dashboard/merchants/{merchant_id}/branding")
async def save_branding(merchant_id: str, page: AdminForm) -> Response:
    """Display name, accent colour and logo (multipart); a bad one is named beside its field."""
    merchant = await _merchant(page, merchant_id)
    logo: Any = UNSET
    # The context closes the spooled upload (the CSRF check parsed the same form first).
    async with page.request.form(max_files=1, max_fields=8) as form:
        upload = form.get("logo")
        if isinstance(upload, StarletteUploadFile) and upload.filename:
            # One byte past the limit is enough for the service to say "too large".
            logo = await upload.read(LOGO_MAX_BYTES + 1)
        elif form.get("removeLogo"):
            logo = None
        texts = {name: str(form.get(name) or "")[:500] for name in ("displayName", "accentColour")}
    try:
        await _merchants(page).update(
            merchant.id,
            display_name=texts["displayName"],
            accent_colour=texts["accentColour"],
            logo=logo,
            actor=ACTOR,
            actor_id=str(page.principal.operator_id),
        )
    except ValidationFailed as exc:
        return await _detail(page, merchant, fields=exc.errors, form_values=texts)
    return _back(merchant.id, "brand_saved", "#branding")


# --- keys -------------------------------------------------------------------------------------


@router.post("/dashboard/merchants/{merchant_id}/keys")
async def create_key(merchant_id: str, page: AdminForm) -> Response:
    merchant = await _merchant(page, merchant_id)
    form = await page.request.form()
    mode = str(form.get("mode") or "")
    scopes = [str(scope) for scope in form.getlist("scopes")]
    label = str(form.get("label") or "").strip()[:100] or None
    try:
        issued = await _merchants(page).create_key(
            merchant.id, mode, label=label, scopes=scopes,
            actor=ACTOR, actor_id=str(page.principal.operator_id),
        )  # fmt: skip
    except ValidationFailed as exc:
        return await _detail(page, merchant, fields=exc.errors)
    return _secret_page(
        page, {"merchant": merchant, "pairs": [(issued.key.mode, issued.pair)], "what": "key"}
    )


@router.post("/dashboard/merchants/{merchant_id}/keys/{key_id}/{action}")
async def key_action(merchant_id: str, key_id: str, action: str, page: AdminForm) -> Response:
    merchant = await _merchant(page, merchant_id)
    service = _merchants(page)
    parsed = parse_id(key_id, ApiKeyNotFound)
    if parsed not in {key.id for key in await service.list_keys(merchant.id)}:
        raise ApiKeyNotFound()
    actor_id = str(page.principal.operator_id)
    if action == "revoke":
        await service.revoke_key(parsed, actor=ACTOR, actor_id=actor_id)
        return _back(merchant.id, "revoked", "#keys")
    if action != "rotate":
        raise ApiKeyNotFound()
    raw = str((await page.request.form()).get("grace_hours") or "24").strip()
    grace_hours = parse_ascii_int(raw, max_digits=4)
    if grace_hours is None or grace_hours > MAX_GRACE_HOURS:
        return await _detail(
            page,
            merchant,
            fields={"grace_hours": f"a whole number of hours from 0 to {MAX_GRACE_HOURS}"},
        )
    issued = await service.rotate_key(
        parsed, grace=timedelta(hours=grace_hours), actor=ACTOR, actor_id=actor_id
    )
    return _secret_page(
        page,
        {
            "merchant": merchant,
            "pairs": [(issued.key.mode, issued.pair)],
            "what": "rotated",
            "grace_hours": grace_hours,
        },
    )


# --- webhooks ---------------------------------------------------------------------------------


@router.post("/dashboard/merchants/{merchant_id}/webhooks")
async def add_webhook(merchant_id: str, page: AdminForm) -> Response:
    merchant = await _merchant(page, merchant_id)
    form = await page.request.form()
    mode = str(form.get("mode") or "")
    url = str(form.get("url") or "").strip()[:2000]
    events = [str(event) for event in form.getlist("events")]
    if mode not in MODES:
        return await _detail(page, merchant, fields={"webhook.mode": "must be live or test"})
    try:
        created = await _webhooks(page).create_endpoint(
            Tenant(merchant.id, mode),
            url=url,
            events=events,
            secret=None,
            production=page.state.settings.is_production,
            actor_type=ACTOR,
            actor_id=str(page.principal.operator_id),
        )
    except ValidationFailed as exc:
        errors = {f"webhook.{field}": problem for field, problem in exc.errors.items()}
        return await _detail(page, merchant, fields=errors)
    return _secret_page(
        page,
        {"merchant": merchant, "endpoint": created.endpoint, "secret": created.secret,
         "what": "webhook"},
    )  # fmt: skip


async def _endpoint(page: AdminRequest, merchant: Merchant, raw: str) -> Any:
    endpoint = await _webhooks(page).get_endpoint_by_id(parse_id(raw, WebhookNotFound))
    if endpoint.merchant_id != merchant.id:
        raise WebhookNotFound()
    return endpoint


@router.get("/dashboard/merchants/{merchant_id}/webhooks/{webhook_id}")
async def webhook_page(merchant_id: str, webhook_id: str, page: AdminPage) -> Response:
    merchant = await _merchant(page, merchant_id)
    endpoint = await _endpoint(page, merchant, webhook_id)
    deliveries = await _webhooks(page).list_deliveries(endpoint, limit=DELIVERY_PAGE, offset=0)
    return render(
        page.request,
        "dashboard/merchant_webhook.html",
        {
            "merchant": merchant,
            "endpoint": endpoint,
            "deliveries": deliveries.items,
            "total": deliveries.total,
            "notice": notice_text(page.request, NOTICES),
        },
        principal=page.principal,
    )


@router.post("/dashboard/merchants/{merchant_id}/webhooks/{webhook_id}/{action}")
async def webhook_action(
    merchant_id: str, webhook_id: str, action: str, page: AdminForm
) -> Response:
    merchant = await _merchant(page, merchant_id)
    endpoint = await _endpoint(page, merchant, webhook_id)
    service = _webhooks(page)
    actor_id = str(page.principal.operator_id)
    if action == "delete":
        await service.delete_endpoint(endpoint, actor_type=ACTOR, actor_id=actor_id)
        return _back(merchant.id, "webhook_removed", "#webhooks")
    endpoint_path = f"/dashboard/merchants/{merchant.id}/webhooks/{endpoint.id}"
    if action == "resend":
        raw = str((await page.request.form()).get("delivery") or "")
        delivery_id = parse_id(raw, WebhookNotFound)
        await service.resend(endpoint, delivery_id, actor_type=ACTOR, actor_id=actor_id)
        return redirect_with_notice(endpoint_path, "resent")
    if action in ("enable", "disable"):
        await service.update_endpoint(
            endpoint,
            active=action == "enable",
            production=page.state.settings.is_production,
            actor_type=ACTOR,
            actor_id=actor_id,
        )
        return RedirectResponse(endpoint_path, status_code=303)
    raise WebhookNotFound()


# Last: its path would otherwise catch .../keys and .../webhooks.
@router.post("/dashboard/merchants/{merchant_id}/{action}")
async def merchant_action(merchant_id: str, action: str, page: AdminForm) -> Response:
    merchant = await _merchant(page, merchant_id)
    if action not in ("disable", "enable"):
        raise MerchantNotFound()
    await _merchants(page).set_active(
        merchant.id, action == "enable", actor=ACTOR, actor_id=str(page.principal.operator_id)
    )
    return _back(merchant.id, "enabled" if action == "enable" else "disabled")
