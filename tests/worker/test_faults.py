"""Kill -9 the worker in the middle of a verification and of a webhook delivery: after a
restart the session is decided once and the webhook delivered with the same event id."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy import func, select

from openkyc.audit.models import AuditEvent
from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.merchants.tenant import Tenant
from openkyc.state import AppState
from openkyc.verifications.models import VerificationRun
from openkyc.webhooks.models import WebhookDelivery
from openkyc.webhooks.service import WebhookService
from tests.support import MerchantInfo
from tests.verifications.factories import capture, load_session, new_session, runs_of, submit
from tests.webhooks.receiver import Receiver
from tests.worker.processes import WorkerProcess


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


async def test_sigkill_in_the_middle_of_a_verification(
    state: AppState, settings: Settings, merchant: MerchantInfo, receiver: Receiver
) -> None:
    await register(state, merchant, receiver.url)
    session_id = await new_session(state, merchant.id)
    await capture(state, session_id, sleep=2.5)  # the pipeline takes 2.5 s

    async def running() -> bool:
        runs = await runs_of(state, session_id)
        return bool(runs) and runs[0].status == "running"

    worker = WorkerProcess(settings).start()
    try:
        await submit(state, session_id)
        await eventually(running)
        await asyncio.sleep(0.5)  # well inside the pipeline
    finally:
        worker.kill()
    assert (await load_session(state, session_id)).status == "IN_PROGRESS"

    with WorkerProcess(settings):

        async def approved() -> bool:
            return (await load_session(state, session_id)).status == "APPROVED"

        await eventually(approved)
        (request,) = receiver.wait_for(1, timeout_s=15)
    (run,) = await runs_of(state, session_id)
    assert run.claims == 2  # the killed worker's claim, then the survivor's
    assert await decided_count(state, session_id) == 1
    assert request.json()["event"] == "kyc.completed"


async def test_sigkill_in_the_middle_of_a_webhook_delivery(
    state: AppState, settings: Settings, merchant: MerchantInfo, receiver: Receiver
) -> None:
    receiver.respond((200, "slow", 30.0), (200, "ok", 0.0))  # the first answer never comes
    await register(state, merchant, receiver.url)
    session_id = await new_session(state, merchant.id)
    await capture(state, session_id)

    worker = WorkerProcess(settings).start()
    try:
        await submit(state, session_id)
        (first,) = await asyncio.to_thread(receiver.wait_for, 1, 20)
    finally:
        worker.kill()
    async with unit_of_work(state.sessionmaker) as db:
        delivery = (await db.scalars(select(WebhookDelivery))).one()
    assert (delivery.status, delivery.attempts) == ("pending", 0)

    with WorkerProcess(settings):
        requests = await asyncio.to_thread(receiver.wait_for, 2, 20)

        async def delivered() -> bool:
            async with unit_of_work(state.sessionmaker) as db:
                row = (await db.scalars(select(WebhookDelivery))).one()
            return row.status == "delivered"

        await eventually(delivered)
    assert requests[1].json()["id"] == first.json()["id"]
    assert await decided_count(state, session_id) == 1
    async with unit_of_work(state.sessionmaker) as db:
        assert (await db.scalar(select(func.count()).select_from(VerificationRun))) == 1
