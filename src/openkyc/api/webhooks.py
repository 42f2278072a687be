"""``/api/v2/webhooks``: merchants register where results go, and see every attempt.

Signed like every v2 call and scoped to the key's tenant (a test key sees test endpoints
only); another merchant's id is a 404, indistinguishable from one that does not exist.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.api.dependencies import (
    MerchantPrincipal,
    authenticate,
    db_session,
    get_state,
    raw_body,
    require_scope,
)
from openkyc.api.openapi import SIGNED
from openkyc.api.params import json_object, page_params, pagination, parse_id
from openkyc.errors import ValidationFailed
from openkyc.sessions.schemas import format_timestamp
from openkyc.state import AppState
from openkyc.webhooks.errors import DeliveryNotFound, EndpointNotFound
from openkyc.webhooks.models import WebhookAttempt, WebhookEndpoint
from openkyc.webhooks.service import DeliveryView, WebhookService

router = APIRouter(
    prefix="/api/v2/webhooks",
    tags=["Webhooks"],
    dependencies=[Depends(require_scope("webhooks"))],
)


def _service(session: AsyncSession, state: AppState) -> WebhookService:
    return WebhookService(session, state.keyring)


@router.post("", status_code=201, openapi_extra=SIGNED)
async def create_webhook(
    body: bytes = Depends(raw_body),
    principal: MerchantPrincipal = Depends(authenticate),
    session: AsyncSession = Depends(db_session, scope="function"),
    state: AppState = Depends(get_state),
) -> JSONResponse:
    """Register an endpoint: ``url`` (https), ``events`` (list), optional ``secret``.

    The secret (generated ``whsec_…`` when not given) is returned once, here."""
    payload = json_object(body)
    url = _string(payload, "url", required=True)
    secret = _string(payload, "secret", required=False)
    events = payload.get("events")
    created = await _service(session, state).create_endpoint(
        principal.tenant,
        url=url or "",
        events=events if isinstance(events, list) else _invalid_events(events),
        secret=secret,
        production=state.settings.is_production,
    )
    webhook = present_endpoint(created.endpoint)
    webhook["secret"] = created.secret
    return JSONResponse({"success": True, "webhook": webhook}, status_code=201)


@router.get("", openapi_extra=SIGNED)
async def list_webhooks(
    principal: MerchantPrincipal = Depends(authenticate),
    session: AsyncSession = Depends(db_session, scope="function"),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    endpoints = await _service(session, state).list_endpoints(principal.tenant)
    return {"success": True, "data": [present_endpoint(endpoint) for endpoint in endpoints]}


@router.get("/{webhook_id}", openapi_extra=SIGNED)
async def get_webhook(
    webhook_id: str,
    principal: MerchantPrincipal = Depends(authenticate),
    session: AsyncSession = Depends(db_session, scope="function"),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    endpoint = await _service(session, state).get_endpoint(principal.tenant, _id(webhook_id))
    return {"success": True, "webhook": present_endpoint(endpoint)}


@router.patch("/{webhook_id}", openapi_extra=SIGNED)
async def update_webhook(
    webhook_id: str,
    body: bytes = Depends(raw_body),
    principal: MerchantPrincipal = Depends(authenticate),
    session: AsyncSession = Depends(db_session, scope="function"),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """Change ``url``, ``events``, ``secret`` or ``active`` (true re-enables a disabled one)."""
    payload = json_object(body)
    service = _service(session, state)
    endpoint = await service.get_endpoint(principal.tenant, _id(webhook_id))
    active = payload.get("active")
    if active is not None and not isinstance(active, bool):
        raise ValidationFailed({"active": "must be true or false"})
    events = payload.get("events")
    if events is not None and not isinstance(events, list):
        _invalid_events(events)
    updated = await service.update_endpoint(
        endpoint,
        url=_string(payload, "url", required=False),
        events=events,
        active=active,
        secret=_string(payload, "secret", required=False),
        production=state.settings.is_production,
    )
    return {"success": True, "webhook": present_endpoint(updated)}


@router.delete("/{webhook_id}", openapi_extra=SIGNED)
async def delete_webhook(
    webhook_id: str,
    principal: MerchantPrincipal = Depends(authenticate),
    session: AsyncSession = Depends(db_session, scope="function"),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    service = _service(session, state)
    endpoint = await service.get_endpoint(principal.tenant, _id(webhook_id))
    await service.delete_endpoint(endpoint)
    return {"success": True}


@router.get("/{webhook_id}/deliveries", openapi_extra=SIGNED)
async def list_deliveries(
    webhook_id: str,
    request: Request,
    principal: MerchantPrincipal = Depends(authenticate),
    session: AsyncSession = Depends(db_session, scope="function"),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """Newest first, each with every attempt: time, status code, latency, response excerpt."""
    limit, offset = _page(request)
    service = _service(session, state)
    endpoint = await service.get_endpoint(principal.tenant, _id(webhook_id))
    page = await service.list_deliveries(endpoint, limit=limit, offset=offset)
    return {
        "success": True,
        "data": [present_delivery(view) for view in page.items],
        "pagination": pagination(page.total, limit, offset),
    }


@router.post("/{webhook_id}/deliveries/{delivery_id}/resend", status_code=202, openapi_extra=SIGNED)
async def resend_delivery(
    webhook_id: str,
    delivery_id: str,
    principal: MerchantPrincipal = Depends(authenticate),
    session: AsyncSession = Depends(db_session, scope="function"),
    state: AppState = Depends(get_state),
) -> JSONResponse:
    """Send the same event (same ``id``) again now."""
    service = _service(session, state)
    endpoint = await service.get_endpoint(principal.tenant, _id(webhook_id))
    delivery = await service.resend(endpoint, parse_id(delivery_id, DeliveryNotFound))
    return JSONResponse(
        {
            "success": True,
            "delivery": {
                "id": str(delivery.id),
                "eventId": delivery.event_id,
                "status": delivery.status,
                "nextAttemptAt": format_timestamp(delivery.next_attempt_at),
            },
        },
        status_code=202,
    )


def present_endpoint(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": str(endpoint.id),
        "url": endpoint.url,
        "events": list(endpoint.events),
        "active": endpoint.active,
        "disabledAt": _time(endpoint.disabled_at),
        "disabledReason": endpoint.disabled_reason,
        "failingSince": _time(endpoint.failing_since),
        "createdAt": format_timestamp(endpoint.created_at),
    }


def present_delivery(view: DeliveryView) -> dict[str, Any]:
    delivery = view.delivery
    return {
        "id": str(delivery.id),
        "eventId": delivery.event_id,
        "event": view.event.event,
        "sessionId": str(delivery.session_id),
        "status": delivery.status,
        "attemptCount": delivery.attempts,
        "lastStatusCode": delivery.last_status_code,
        "nextAttemptAt": _time(delivery.next_attempt_at) if delivery.status == "pending" else None,
        "deliveredAt": _time(delivery.delivered_at),
        "createdAt": format_timestamp(delivery.created_at),
        "attempts": [_present_attempt(attempt) for attempt in view.attempts],
    }


def _present_attempt(attempt: WebhookAttempt) -> dict[str, Any]:
    return {
        "attemptedAt": format_timestamp(attempt.attempted_at),
        "retryCount": attempt.retry_count,
        "statusCode": attempt.status_code,
        "latencyMs": attempt.latency_ms,
        "responseExcerpt": attempt.response_excerpt,
        "error": attempt.error,
        "nextAttemptAt": _time(attempt.next_attempt_at),
    }


def _time(value: Any) -> str | None:
    return format_timestamp(value) if value is not None else None


def _id(raw: str) -> uuid.UUID:
    return parse_id(raw, EndpointNotFound)


def _string(payload: dict[str, Any], field: str, *, required: bool) -> str | None:
    value = payload.get(field)
    if value is None:
        if required:
            raise ValidationFailed({field: "is required"})
        return None
    if not isinstance(value, str):
        raise ValidationFailed({field: "must be a string"})
    return value.strip()


def _invalid_events(_value: object) -> list[str]:
    raise ValidationFailed({"events": "must be a non-empty list of event names"})


def _page(request: Request) -> tuple[int, int]:
    errors: dict[str, str] = {}
    limit, offset = page_params(request, errors)
    if errors:
        raise ValidationFailed(errors)
    return limit, offset
