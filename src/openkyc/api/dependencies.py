"""Request dependencies: shared state, the unit of work, and the authenticated merchant."""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.api import signing
from openkyc.db.session import unit_of_work
from openkyc.errors import (
    InvalidApiKey,
    InvalidSignature,
    MissingHeaders,
    ReplayedRequest,
    TimestampExpired,
)
from openkyc.merchants import keys
from openkyc.merchants.service import MerchantService
from openkyc.merchants.tenant import Tenant
from openkyc.state import AppState


async def get_state(request: Request) -> AppState:
    # async on purpose: FastAPI runs plain-def dependencies in a thread pool, a hop per request.
    state: AppState = request.app.state.openkyc
    return state


async def db_session(state: AppState = Depends(get_state)) -> AsyncIterator[AsyncSession]:
    """The request's transaction: committed when the endpoint returns, rolled back if it raises.

    Always use it as ``Depends(db_session, scope="function")``: with FastAPI's default
    "request" scope the commit runs after the response is sent, so a client could read
    before the write is visible.
    """
    async with unit_of_work(state.sessionmaker) as session:
        yield session


@dataclass(frozen=True, slots=True)
class MerchantPrincipal:
    tenant: Tenant
    api_key_id: uuid.UUID
    merchant_name: str
    session_ttl_minutes: int | None


async def raw_body(request: Request) -> bytes:
    # The signature covers the exact bytes received, so they are hashed before any parsing.
    return await request.body()


def _signed_path_candidates(request: Request) -> tuple[str, ...]:
    """The path as sent on the wire and, if different, percent-decoded.

    Clients differ in whether they sign the path before or after percent-encoding it; both
    name the same resource, so either is accepted.
    """
    decoded: str = request.scope.get("path", request.url.path)
    raw = request.scope.get("raw_path")
    if isinstance(raw, bytes):
        # Some servers include the query in raw_path; the signed PATH never does.
        wire = raw.split(b"?", 1)[0].decode("latin-1")
        return (wire,) if wire == decoded else (wire, decoded)
    return (decoded,)


async def authenticate(
    request: Request,
    body: bytes = Depends(raw_body),
    state: AppState = Depends(get_state),
    session: AsyncSession = Depends(db_session, scope="function"),
) -> MerchantPrincipal:
    api_key = request.headers.get("x-api-key")
    timestamp = request.headers.get("x-timestamp")
    signature = request.headers.get("x-signature")
    if not api_key or not timestamp or not signature:
        raise MissingHeaders()
    if keys.mode_of(api_key) is None:
        raise InvalidApiKey()
    found = await MerchantService(session, state.keyring).authenticate(api_key)

    tolerance_ms = state.settings.signature_tolerance_s * 1000
    if not timestamp.isdigit() or len(timestamp) > 15:
        raise TimestampExpired("x-timestamp must be Unix time in milliseconds")
    if abs(int(timestamp) - int(time.time() * 1000)) > tolerance_ms:
        raise TimestampExpired()
    if not any(
        signing.signature_matches(found.secret, request.method, path, timestamp, body, signature)
        for path in _signed_path_candidates(request)
    ):
        raise InvalidSignature()

    # Only a correctly signed request is remembered, so garbage cannot fill the replay store.
    fingerprint = hashlib.sha256(
        "\n".join((api_key, signature.lower(), request.method, str(request.url))).encode()
    ).hexdigest()
    if not await state.replay_guard.first_time(fingerprint, ttl_s=2 * tolerance_ms // 1000):
        raise ReplayedRequest()
    await state.rate_limiter.check(str(found.api_key_id))
    return MerchantPrincipal(
        tenant=Tenant(merchant_id=found.merchant_id, mode=found.mode),
        api_key_id=found.api_key_id,
        merchant_name=found.merchant_name,
        session_ttl_minutes=found.session_ttl_minutes,
    )
