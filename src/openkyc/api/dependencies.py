"""Request dependencies: shared state, the unit of work, and the authenticated merchant."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.api import signing
from openkyc.api.replay import replay_fingerprint
from openkyc.db.session import unit_of_work
from openkyc.digits import parse_ascii_int
from openkyc.errors import (
    Forbidden,
    InvalidApiKey,
    InvalidSignature,
    MissingHeaders,
    PartnerInactive,
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


# Unix time in seconds has 10 digits until 2286; in milliseconds, 13.
SECONDS_DIGITS = 10


@dataclass(frozen=True, slots=True)
class MerchantPrincipal:
    tenant: Tenant
    api_key_id: uuid.UUID
    merchant_name: str
    session_ttl_minutes: int | None
    scopes: frozenset[str] = frozenset(keys.DEFAULT_SCOPES)


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

    sent_ms = parse_ascii_int(timestamp, max_digits=15)
    if sent_ms is None:
        raise TimestampExpired("x-timestamp must be Unix time in milliseconds (ASCII digits)")
    tolerance_ms = state.settings.signature_tolerance_s * 1000
    if abs(sent_ms - int(time.time() * 1000)) > tolerance_ms:
        if len(timestamp) <= SECONDS_DIGITS:
            raise TimestampExpired(
                "x-timestamp looks like Unix time in seconds; it must be in milliseconds"
            )
        raise TimestampExpired()
    signed_path = next(
        (
            path
            for path in _signed_path_candidates(request)
            if signing.signature_matches(
                found.secret, request.method, path, timestamp, body, signature
            )
        ),
        None,
    )
    if signed_path is None:
        raise InvalidSignature()
    # Account state only after the caller has proved it holds the secret: otherwise anyone
    # holding a public key could learn whether the merchant is active.
    if not found.active:
        raise PartnerInactive()

    # Keyed on exactly what the signature binds (never the Host, the scheme or the unsigned
    # query, which whoever replays the request controls), so a signed request works once.
    # Only a correctly signed request is remembered, so garbage cannot fill the replay store.
    fingerprint = replay_fingerprint(
        found.api_key_id, request.method, signed_path, timestamp, body, signature
    )
    if not await state.replay_guard.first_time(fingerprint, ttl_s=2 * tolerance_ms // 1000):
        raise ReplayedRequest()
    await state.rate_limiter.check(str(found.api_key_id))
    return MerchantPrincipal(
        tenant=Tenant(merchant_id=found.merchant_id, mode=found.mode),
        api_key_id=found.api_key_id,
        merchant_name=found.merchant_name,
        session_ttl_minutes=found.session_ttl_minutes,
        scopes=found.scopes,
    )


class InsufficientScope(Forbidden):
    code = "INSUFFICIENT_SCOPE"


def require_scope(scope: str) -> Callable[..., Awaitable[MerchantPrincipal]]:
    """A router dependency: the key must carry ``scope`` (``openkyc keys create --scope``)."""

    async def check(principal: MerchantPrincipal = Depends(authenticate)) -> MerchantPrincipal:
        if scope not in principal.scopes:
            raise InsufficientScope(f"This API key lacks the {scope} scope")
        return principal

    return check
