"""``/api/v2/kyc/sessions``: parse -> authorise -> call the service -> return."""

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
from openkyc.api.openapi import CREATE_SESSION_BODY, SIGNED
from openkyc.api.params import json_object, page_params, pagination, parse_id
from openkyc.db.base import utcnow
from openkyc.errors import ValidationFailed
from openkyc.observability.metrics import SESSIONS_CREATED
from openkyc.retention.service import RetentionService
from openkyc.sessions import presenters
from openkyc.sessions.errors import SessionNotFound
from openkyc.sessions.models import KycSession, SessionStatus
from openkyc.sessions.schemas import parse_create_request
from openkyc.sessions.service import SessionService
from openkyc.state import AppState
from openkyc.verifications.sandbox import SandboxService
from openkyc.verifications.service import VerificationService
from openkyc.verifications.simulation import magic_simulation, parse_simulation

router = APIRouter(
    prefix="/api/v2/kyc/sessions",
    tags=["KYC sessions"],
    dependencies=[Depends(require_scope("sessions"))],
)

_MAX_IDEMPOTENCY_KEY = 255


def _service(session: AsyncSession, state: AppState) -> SessionService:
    return SessionService(
        session, state.keyring, default_ttl_minutes=state.settings.session_ttl_minutes
    )


@router.post("", status_code=201, openapi_extra={**SIGNED, **CREATE_SESSION_BODY})
async def create_session(
    request: Request,
    body: bytes = Depends(raw_body),
    principal: MerchantPrincipal = Depends(authenticate),
    session: AsyncSession = Depends(db_session, scope="function"),
    state: AppState = Depends(get_state),
) -> JSONResponse:
    """Create a verification session and return the link to send the customer to."""
    payload = parse_create_request(body)
    if principal.tenant.mode == "test":
        # A magic suffix asking for an unknown reason code is refused now, not at submit.
        magic_simulation(payload.customer_id)
    idempotency_key = request.headers.get("idempotency-key")
    if idempotency_key is not None and not 0 < len(idempotency_key) <= _MAX_IDEMPOTENCY_KEY:
        raise ValidationFailed({"Idempotency-Key": "must be 1 to 255 characters"})
    service = _service(session, state)
    created = await service.create(
        principal.tenant,
        payload,
        idempotency_key=idempotency_key,
        ttl_minutes=principal.session_ttl_minutes,
    )
    SESSIONS_CREATED.labels(principal.tenant.mode).inc()
    return JSONResponse(
        {
            "success": True,
            "session": presenters.created_session(
                created, service.contact_of(created), state.settings.public_url
            ),
        },
        status_code=201,
    )


@router.get("", openapi_extra=SIGNED)
async def list_sessions(
    request: Request,
    principal: MerchantPrincipal = Depends(authenticate),
    session: AsyncSession = Depends(db_session, scope="function"),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """List sessions, newest first. Query: ``limit`` (≤100, default 50), ``offset``, ``status``."""
    limit, offset, status = _list_query(request)
    service = _service(session, state)
    page = await service.list(principal.tenant, status=status, limit=limit, offset=offset)
    now = utcnow()
    reviews = await VerificationService(session, state).review_pending_since(
        [item.id for item in page.items]
    )
    return {
        "success": True,
        "data": [
            presenters.list_item(
                item,
                service.contact_of(item),
                service.verification_of(item),
                now,
                review_since=reviews.get(item.id),
            )
            for item in page.items
        ],
        "pagination": pagination(page.total, limit, offset),
    }


@router.get("/{session_id}", openapi_extra=SIGNED)
async def get_session(
    session_id: str,
    principal: MerchantPrincipal = Depends(authenticate),
    session: AsyncSession = Depends(db_session, scope="function"),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """One session, with ``verification`` once decided (null before)."""
    parsed = _parse_session_id(session_id)
    service = _service(session, state)
    found = await service.get(principal.tenant, parsed)
    return await _session_answer(session, state, service, found)


@router.post("/{session_id}/simulate", openapi_extra=SIGNED)
async def simulate_session(
    session_id: str,
    body: bytes = Depends(raw_body),
    principal: MerchantPrincipal = Depends(authenticate),
    session: AsyncSession = Depends(db_session, scope="function"),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """Extension, test keys only: decide a test session now, as a real verification would be
    decided, with a synthetic identity. Body ``{"outcome": "approve" | "decline" | "review" |
    "retake" | "expire", "declineReasons": [...]}``; returns the session as ``GET`` does. A
    live key gets 404, like a missing id; 409 when the session is already submitted or
    closed; 400 naming ``outcome`` or ``declineReasons``."""
    parsed = _parse_session_id(session_id)
    if principal.tenant.mode != "test":
        raise SessionNotFound()
    service = _service(session, state)
    found = await service.get(principal.tenant, parsed)
    simulation = parse_simulation(*_simulate_body(body))
    await SandboxService(session, state).simulate(
        principal.tenant, found, simulation, actor_id=str(principal.tenant.merchant_id)
    )
    found = await service.get(principal.tenant, parsed)
    return await _session_answer(session, state, service, found)


async def _session_answer(
    session: AsyncSession, state: AppState, service: SessionService, found: KycSession
) -> dict[str, Any]:
    """The session as ``GET`` answers it."""
    reviews = await VerificationService(session, state).review_pending_since([found.id])
    return {
        "success": True,
        "session": presenters.full_session(
            found,
            service.contact_of(found),
            service.verification_of(found),
            state.settings.public_url,
            utcnow(),
            review_since=reviews.get(found.id),
        ),
    }


def _simulate_body(raw: bytes) -> tuple[object, object]:
    body = json_object(raw)
    return body.get("outcome"), body.get("declineReasons")


@router.delete("/{session_id}", openapi_extra=SIGNED)
async def erase_session(
    session_id: str,
    principal: MerchantPrincipal = Depends(authenticate),
    session: AsyncSession = Depends(db_session, scope="function"),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """Extension (not in Love&Pay v2): erase a final session's personal data now, for a
    customer's erasure request. Photos and selfies are crypto-shredded, the face embedding
    deleted, the extracted identity, e-mail and phone redacted; the session itself, its
    status and decline codes remain. 409 ``SESSION_NOT_FINAL`` while it can still change,
    409 ``LEGAL_HOLD`` under a hold. Repeating it is harmless (zero counts)."""
    parsed = _parse_session_id(session_id)
    found = await _service(session, state).get(principal.tenant, parsed)
    receipt = await RetentionService(session, state).erase_session(
        found, actor_type="merchant", actor_id=str(principal.tenant.merchant_id)
    )
    return {"success": True, "erasure": receipt.to_json()}


def _parse_session_id(session_id: str) -> uuid.UUID:
    return parse_id(session_id, SessionNotFound)


def _list_query(request: Request) -> tuple[int, int, SessionStatus | None]:
    errors: dict[str, str] = {}
    limit, offset = page_params(request, errors)
    status: SessionStatus | None = None
    raw_status = request.query_params.get("status")
    if raw_status:
        try:
            status = SessionStatus(raw_status.upper())
        except ValueError:
            errors["status"] = "must be one of " + ", ".join(s.value for s in SessionStatus)
    if errors:
        raise ValidationFailed(errors)
    return limit, offset, status
