"""What the kill -9 tests share: waiting for a condition, a webhook endpoint at the test's
receiver, and the counts they check after a restart."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy import func, select

from openkyc.audit.models import AuditEvent
from openkyc.db.session import unit_of_work
from openkyc.merchants.tenant import Tenant
from openkyc.state import AppState
from openkyc.webhooks.models import WebhookDelivery
from openkyc.webhooks.service import WebhookService
from tests.support import MerchantInfo
from tests.webhooks.receiver import Received

# kill_during_delivery (conftest): (slow_s, first_within_s) -> (session id, first request).
KillDuringDelivery = Callable[[float, float], Awaitable[tuple[uuid.UUID, Received]]]


async def eventually(check: Callable[[], Awaitable[bool]], timeout_s: float = 25.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("condition not reached in time")


async def register(state: AppState, merchant: MerchantInfo, url: str) -> None:
    async with unit_of_work(state.sessionmaker) as db:
        await WebhookService(db, state.keyring).create_endpoint(
            Tenant(uuid.UUID(merchant.id), "live"),
            url=url,
            events=["kyc.completed"],
            secret=None,
            production=False,
        )


async def decided_count(state: AppState, session_id: uuid.UUID) -> int:
    async with unit_of_work(state.sessionmaker) as db:
        count = await db.scalar(
            select(func.count()).where(
                AuditEvent.action == "verification.decided",
                AuditEvent.subject_id == str(session_id),
            )
        )
    return int(count or 0)


async def the_delivery_is_delivered(state: AppState) -> bool:
    """Whether the test's one webhook delivery is delivered."""
    async with unit_of_work(state.sessionmaker) as db:
        row = (await db.scalars(select(WebhookDelivery))).one()
    return row.status == "delivered"
